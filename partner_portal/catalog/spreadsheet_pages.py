"""Catalog spreadsheets: CSV and xlsx exports of styles, prices and availability, their
import templates, and the import page (manage_catalog). Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import availability, csv_io
from partner_portal.clock import utcnow
from partner_portal.handler_types import AnyRequest
from partner_portal.spreadsheets import UPLOAD_BYTES
from partner_portal.web import CurrentViewer, csv_download, render, uploaded_file, xlsx_download

EXPORT_COLUMNS = {
    "styles": csv_io.STYLE_COLUMNS,
    "prices": csv_io.PRICE_COLUMNS,
    "availability": availability.COLUMNS,
}


async def _spreadsheet_response(
    kind: str, rows: list[dict[str, Any]], name: str, fmt: str
) -> Response[Any]:
    columns = EXPORT_COLUMNS[kind]
    if fmt == "xlsx":
        return await xlsx_download(columns, rows, f"{name}.xlsx", title=kind)
    return csv_download(columns, rows, f"{name}.csv")


def _stamp() -> str:
    return utcnow().strftime("%Y%m%d")


async def _export_rows(viewer: Viewer, kind: str) -> list[dict[str, Any]]:
    if kind == "prices":
        return await csv_io.price_rows(viewer)
    if kind == "availability":
        return await availability.export_rows(viewer)
    return await csv_io.style_rows(viewer)


@get("/catalog/styles/export.csv", include_in_schema=False)
async def styles_export(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "styles")
    return await _spreadsheet_response("styles", rows, f"styles-{_stamp()}", "csv")


@get("/catalog/styles/export.xlsx", include_in_schema=False)
async def styles_export_xlsx(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "styles")
    return await _spreadsheet_response("styles", rows, f"styles-{_stamp()}", "xlsx")


@get("/catalog/prices/export.csv", include_in_schema=False)
async def prices_export(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "prices")
    return await _spreadsheet_response("prices", rows, f"prices-{_stamp()}", "csv")


@get("/catalog/prices/export.xlsx", include_in_schema=False)
async def prices_export_xlsx(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "prices")
    return await _spreadsheet_response("prices", rows, f"prices-{_stamp()}", "xlsx")


@get("/catalog/availability/export.csv", include_in_schema=False)
async def availability_export(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "availability")
    return await _spreadsheet_response("availability", rows, f"availability-{_stamp()}", "csv")


@get("/catalog/availability/export.xlsx", include_in_schema=False)
async def availability_export_xlsx(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "availability")
    return await _spreadsheet_response("availability", rows, f"availability-{_stamp()}", "xlsx")


def _template_rows(kind: str) -> list[dict[str, str]]:
    if kind == "prices":
        return csv_io.price_template()
    if kind == "availability":
        return availability.template_rows()
    return csv_io.style_template()


def _file_kind(value: Any) -> str:
    return str(value) if value in EXPORT_COLUMNS else "styles"


@get("/catalog/import-template.csv", include_in_schema=False)
async def catalog_import_template(
    viewer: CurrentViewer, kind: FromQuery[str] = "styles"
) -> Response[Any]:
    access.require(viewer, Action.manage_catalog)
    kind = _file_kind(kind)
    return await _spreadsheet_response(kind, _template_rows(kind), f"{kind}-template", "csv")


@get("/catalog/import-template.xlsx", include_in_schema=False)
async def catalog_import_template_xlsx(
    viewer: CurrentViewer, kind: FromQuery[str] = "styles"
) -> Response[Any]:
    access.require(viewer, Action.manage_catalog)
    kind = _file_kind(kind)
    return await _spreadsheet_response(kind, _template_rows(kind), f"{kind}-template", "xlsx")


def _import_context(**extra: Any) -> dict[str, Any]:
    return {
        **csv_io.columns_help(),
        "availability_columns": availability.COLUMNS,
        "availability_required": availability.REQUIRED,
        "result": None,
        "availability_result": None,
        "file_kind": "styles",
        "missing_file": False,
        **extra,
    }


@get("/catalog/import", include_in_schema=False)
async def catalog_import_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return render(request, "catalog/import.html", _import_context())


@post("/catalog/import", include_in_schema=False, request_max_body_size=UPLOAD_BYTES)
async def catalog_import_submit(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """Import styles, prices or availability from an uploaded CSV or xlsx: all rows or none."""
    access.require(viewer, Action.manage_catalog)
    form, content = await uploaded_file(request)
    file_kind = _file_kind(form.get("file_kind"))
    if content is None:
        return render(
            request,
            "catalog/import.html",
            _import_context(file_kind=file_kind, missing_file=True),
            status_code=400,
        )
    if file_kind == "availability":
        stock = await availability.import_availability(viewer, content)
        return render(
            request,
            "catalog/import.html",
            _import_context(file_kind=file_kind, result=stock, availability_result=stock),
            status_code=200 if stock.ok else 400,
        )
    if file_kind == "prices":
        result = await csv_io.import_prices(viewer, content)
    else:
        result = await csv_io.import_styles(viewer, content)
    return render(
        request,
        "catalog/import.html",
        _import_context(file_kind=file_kind, result=result),
        status_code=200 if result.ok else 400,
    )


spreadsheet_routes = [
    styles_export,
    styles_export_xlsx,
    prices_export,
    prices_export_xlsx,
    availability_export,
    availability_export_xlsx,
    catalog_import_template,
    catalog_import_template_xlsx,
    catalog_import_page,
    catalog_import_submit,
]
