"""Excel (xlsx) export and import, and barcodes checked inside the write transaction."""

import io
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from partner_portal.catalog import csv_io, services
from partner_portal.catalog.tables import Colourway, Price, Sku, Style
from partner_portal.catalog.upsert import checks
from tests.catalog.support import ean13, make_catalog, style_form, style_row
from tests.support import Cast, PortalClient

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _import(client: PortalClient, kind: str, name: str, content: bytes) -> httpx.Response:
    return await client.post(
        "/catalog/import",
        data={"file_kind": kind},
        files={"file": (name, content, XLSX)},
        headers={"x-csrftoken": await client.csrf_token()},
    )


async def test_exported_xlsx_files_import_again_without_changes(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    barcode = ean13("690123456001")
    await client.post_form("/catalog/styles/new", style_form(catalog, barcodes=f"WHT M {barcode}"))
    style = await style_row("SS27-SH-001")
    list_id = await services.create_price_list(None, "KRW", "KRW", False, None)
    await Price.insert(Price(price_list=list_id, style=style["id"], wholesale=12000)).run()

    styles = await client.get("/catalog/styles/export.xlsx")
    prices = await client.get("/catalog/prices/export.xlsx")

    assert styles.headers["content-type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(styles.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "style_code" and len(rows) == 7
    assert any(row[-1] == barcode for row in rows)  # kept as text, every digit
    price_sheet = load_workbook(io.BytesIO(prices.content)).active
    header = [cell.value for cell in next(price_sheet.iter_rows(max_row=1))]
    krw = next(price_sheet.iter_rows(min_row=2, max_row=2))[header.index("wholesale")]
    # A price is a number Excel can add up, shown with the currency's decimals (KRW none).
    assert krw.value == 12000 and krw.data_type == "n" and krw.number_format == "0"
    again = await _import(client, "styles", "styles.xlsx", styles.content)
    assert again.status_code == 200 and "0 created, 0 updated." in again.text
    again = await _import(client, "prices", "prices.xlsx", prices.content)
    assert again.status_code == 200 and "0 created, 0 updated." in again.text
    assert (await style_row("SS27-SH-001"))["version"] == style["version"]


async def test_an_xlsx_with_bad_rows_names_row_and_column_and_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    await make_catalog()
    await client.sign_in(cast.staff)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(csv_io.STYLE_COLUMNS))
    base = ["SS27-KN-002", "SS27", None, "knitwear", "women", "Merino crew", None, None]
    sheet.append([*base, None, None, "GB-TOPS", "active", "BLK", "Black", "165/84A", None])
    sheet.append([*base, None, None, "GB-TOPS", "active", "BLK", "Black", "XXL", None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = await _import(client, "styles", "styles.xlsx", buffer.getvalue())

    assert response.status_code == 400
    assert "<td>3</td><td>size</td><td>XXL is not a size of scale GB-TOPS.</td>" in response.text
    assert await Style.count() == 0


async def test_a_barcode_taken_while_an_import_is_checked_is_reported_not_saved(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    await client.post_form("/catalog/styles/new", style_form(catalog, code="SS27-SH-009"))
    other = await style_row("SS27-SH-009")
    barcode = ean13("690123456055")
    load = checks.load

    async def load_after_someone_saves(changes: Any) -> Any:
        # Another user gave the barcode to their SKU after the file was read (its rows
        # parsed), just before the import's transaction reads the catalog.
        sku = await Sku.select(Sku.id).where(Sku.style == other["id"]).first()
        assert sku is not None
        await Sku.update({Sku.barcode: barcode}).where(Sku.id == sku["id"])
        return await load(changes)

    monkeypatch.setattr(checks, "load", load_after_someone_saves)
    content = (
        ",".join(csv_io.STYLE_COLUMNS)
        + "\nSS27-KN-002,SS27,,knitwear,women,Merino,,,,,ALPHA,active,BLK,Black,M,"
        + barcode
        + "\n"
    ).encode()

    response = await _import(client, "styles", "styles.csv", content)

    assert response.status_code == 400
    assert "Barcode already used by style SS27-SH-009." in response.text
    assert await Style.count() == 1 and await Colourway.count() == 2


async def test_a_save_the_unique_index_refuses_is_told_not_shown_an_error_page(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL two saves can both pass the check; the second then meets the index.
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    barcode = ean13("690123456066")
    first = style_form(catalog, code="SS27-SH-001", barcodes=f"WHT M {barcode}")
    assert (await client.post_form("/catalog/styles/new", first)).status_code == 303

    def no_clash(*_args: Any) -> None:
        return None

    monkeypatch.setattr(checks.Checker, "_check_barcode", no_clash)
    second = style_form(catalog, code="SS27-SH-002", barcodes=f"WHT M {barcode}")
    response = await client.post_form("/catalog/styles/new", second)

    assert response.status_code == 400
    assert "Someone saved the same style code or barcode a moment ago." in response.text
    assert await Style.count() == 1
