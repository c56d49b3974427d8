"""CSV and Excel (xlsx) export and import of the catalog: styles with their SKUs, and
prices (availability: partner_portal.catalog.availability).

CSV files are UTF-8; the export writes a byte-order mark (so Excel shows Chinese and
Korean right), the import accepts a file with or without one. An xlsx file is read
from its first sheet, with the same columns and checks.

styles: one row per SKU; the rows of one style_code form one style, and its style
  columns (season to status) are the same on each of them. season and size_scale are
  codes (SS27, GB-TOPS), collection the name of a collection of that season, size a
  size of the scale, barcode an EAN-13 (optional). A style_code already saved updates
  that style: the file then holds all its colourways (colours left out are removed)
  and its size scale cannot change.
prices: price_list (name), style_code, size (empty: the price for all sizes),
  wholesale, retail (optional), in the list's currency.

Every row is checked with the rules of the forms; if any row is wrong nothing is saved
and each problem is reported by row and column; otherwise everything is saved in one
transaction, with audit entries. Styles and prices are saved by catalog/upsert/, the
service of the style form and the API, in a fixed number of queries whatever the file's
length.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from partner_portal import access, inputs
from partner_portal.access import Action, Viewer
from partner_portal.catalog import forms, upsert
from partner_portal.catalog.bulk import RowProblem
from partner_portal.catalog.tables import Price, Sku
from partner_portal.i18n import gettext as _
from partner_portal.spreadsheets import RowError, read_rows

STYLE_COLUMNS = (
    "style_code",
    "season",
    "collection",
    "category",
    "gender",
    "name_en",
    "name_zh",
    "name_ko",
    "composition",
    "care",
    "size_scale",
    "status",
    "colour_code",
    "colour_name",
    "size",
    "barcode",
)
STYLE_REQUIRED = ("style_code", "season", "category", "size_scale", "colour_code", "size")
STYLE_LEVEL = STYLE_COLUMNS[1:12]
PRICE_COLUMNS = ("price_list", "style_code", "size", "wholesale", "retail")
PRICE_REQUIRED = ("price_list", "style_code", "wholesale")
# Form field -> CSV column, for messages of the style form's checks.
FORM_COLUMN = {
    "code": "style_code",
    "fabric_composition": "composition",
    "colourways": "colour_code",
    "barcodes": "barcode",
}

STYLE_EXAMPLE = {
    "style_code": "SS27-SH-001",
    "season": "SS27",
    "collection": "",
    "category": "shirts",
    "gender": "men",
    "name_en": "Oxford shirt",
    "name_zh": "牛津纺衬衫",
    "name_ko": "옥스포드 셔츠",
    "composition": "100% cotton",
    "care": "Machine wash 30°C",
    "size_scale": "GB-TOPS",
    "status": "draft",
    "colour_code": "WHT",
    "colour_name": "White",
}


@dataclass
class CatalogImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> int:
        return self.created + self.updated


def style_template() -> list[dict[str, str]]:
    return [
        {**STYLE_EXAMPLE, "size": "165/84A", "barcode": "6901234567892"},
        {**STYLE_EXAMPLE, "size": "170/88A", "barcode": ""},
    ]


def price_template() -> list[dict[str, str]]:
    return [
        {
            "price_list": "CNY wholesale",
            "style_code": "SS27-SH-001",
            "size": "",
            "wholesale": "199.00",
            "retail": "499.00",
        },
        {
            "price_list": "CNY wholesale",
            "style_code": "SS27-SH-001",
            "size": "180/96A",
            "wholesale": "219.00",
            "retail": "",
        },
    ]


async def style_rows(viewer: Viewer) -> list[dict[str, Any]]:
    """Every style, one row per SKU (Action.manage_catalog)."""
    access.require(viewer, Action.manage_catalog)
    style = Sku.style._
    rows = await (
        Sku.select(
            style.code.as_alias("style_code"),
            style.season._.code.as_alias("season"),
            style.collection._.name.as_alias("collection"),
            style.category.as_alias("category"),
            style.gender.as_alias("gender"),
            style.name_en.as_alias("name_en"),
            style.name_zh.as_alias("name_zh"),
            style.name_ko.as_alias("name_ko"),
            style.fabric_composition.as_alias("composition"),
            style.care.as_alias("care"),
            style.size_scale._.code.as_alias("size_scale"),
            style.status.as_alias("status"),
            Sku.colourway._.code.as_alias("colour_code"),
            Sku.colourway._.name.as_alias("colour_name"),
            Sku.size._.label.as_alias("size"),
            Sku.barcode,
        )
        .order_by(style.code)
        .order_by(Sku.colourway)
        .order_by(Sku.size._.position)
    )
    return rows


@access.system_query("the catalog's managers (manage_catalog) export every list's prices")
async def price_rows(viewer: Viewer) -> list[dict[str, Any]]:
    """Every price of every list, with the list's decimals (Action.manage_catalog)."""
    access.require(viewer, Action.manage_catalog)
    rows = await (
        Price.select(
            Price.price_list._.name.as_alias("price_list"),
            Price.price_list._.currency.as_alias("currency"),
            Price.style._.code.as_alias("style_code"),
            Price.size._.label.as_alias("size"),
            Price.wholesale,
            Price.suggested_retail,
        )
        .order_by(Price.price_list._.name)
        .order_by(Price.style._.code)
        .order_by(Price.size._.position)
    )
    for row in rows:
        # Decimals of the currency's precision: "5266.80" in a CSV, a number in a workbook.
        unit = Decimal(1).scaleb(-inputs.minor_units(row["currency"]))
        row["wholesale"] = Decimal(str(row["wholesale"])).quantize(unit)
        retail = row["suggested_retail"]
        row["retail"] = None if retail is None else Decimal(str(retail)).quantize(unit)
    return rows


def _sorted(errors: list[RowError]) -> list[RowError]:
    return sorted(
        errors,
        key=lambda error: (
            error.row,
            STYLE_COLUMNS.index(error.column) if error.column in STYLE_COLUMNS else 99,
        ),
    )


@dataclass
class _StyleRows:
    """One style of an import: its rows, and the row each colour and SKU came from."""

    code: str
    rows: list[dict[str, str]]
    colour_rows: list[int] = field(default_factory=list)
    sku_rows: list[int] = field(default_factory=list)
    skus: list[upsert.SkuChange] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        return int(self.rows[0]["_row"])


def _style_groups(rows: Sequence[dict[str, str]]) -> list[_StyleRows]:
    groups: dict[str, _StyleRows] = {}
    for row in rows:
        row["style_code"] = row["style_code"].upper()
        code = row["style_code"]
        groups.setdefault(code, _StyleRows(code, [])).rows.append(row)
    return list(groups.values())


def _read_group(
    group: _StyleRows, first_row_of_barcode: dict[str, int], errors: list[RowError]
) -> dict[str, str]:
    """The style's rows as the style form's fields. What only a file can get wrong (a
    style column that differs between rows, a colour and size or a barcode twice) is
    reported here; the rest by the form's parser and the upsert service."""
    first = group.rows[0]
    colourways: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for row in group.rows:
        line = int(row["_row"])
        for column in STYLE_LEVEL:
            if row.get(column, "") != first.get(column, ""):
                message = _("Differs from row %(row)s of the same style.", row=group.first_row)
                errors.append(RowError(line, column, message))
        colour = row["colour_code"].upper()
        if not forms.COLOUR_CODE_PATTERN.match(colour):
            errors.append(RowError(line, "colour_code", _("A colour code is letters and digits.")))
            continue
        if colour not in colourways:
            colourways[colour] = row.get("colour_name", "")
            group.colour_rows.append(line)
        if (colour, row["size"]) in seen:
            errors.append(RowError(line, "size", _("This colour and size is listed twice.")))
            continue
        seen.add((colour, row["size"]))
        group.skus.append(
            upsert.SkuChange(
                colour, row["size"], barcode=_barcode(row, line, first_row_of_barcode, errors)
            )
        )
        group.sku_rows.append(line)
    return {
        "code": group.code,
        "season": first["season"],
        "collection": first.get("collection", ""),
        "category": first["category"],
        "gender": first.get("gender", ""),
        "name_en": first.get("name_en", ""),
        "name_zh": first.get("name_zh", ""),
        "name_ko": first.get("name_ko", ""),
        "fabric_composition": first.get("composition", ""),
        "care": first.get("care", ""),
        "size_scale": first["size_scale"],
        "status": first.get("status", ""),
        "colourways": "\n".join(f"{c} {n}".strip() for c, n in colourways.items()),
    }


def _barcode(
    row: Mapping[str, str], line: int, first_row_of_barcode: dict[str, int], errors: list[RowError]
) -> str | None:
    """The row's barcode, or None (none, or one reported as wrong)."""
    barcode = row.get("barcode", "")
    if not barcode:
        return None
    if not forms.is_valid_ean13(barcode):
        message = _("Not a valid EAN-13 barcode (13 digits with a check digit).")
        errors.append(RowError(line, "barcode", message))
        return None
    if barcode in first_row_of_barcode:
        message = _(
            "The same barcode is on row %(row)s of this file.", row=first_row_of_barcode[barcode]
        )
        errors.append(RowError(line, "barcode", message))
        return None
    first_row_of_barcode[barcode] = line
    return barcode


# An upsert problem's field -> the file's column.
UPSERT_COLUMN = {**FORM_COLUMN, "colours": "colour_code", "colour": "colour_code"}
_PROBLEM_FIELD = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?$")


def _row_error(group: _StyleRows, problem: RowProblem) -> RowError:
    """An upsert problem of a style, at the row and column of the file it came from."""
    found = _PROBLEM_FIELD.match(problem.field)
    head, number, tail = found.groups() if found else (problem.field, None, None)
    row = group.first_row
    if number is not None and head == "skus":
        row = group.sku_rows[int(number)]
    elif number is not None and head == "colours":
        row = group.colour_rows[int(number)]
    name = tail if head == "skus" and tail else head
    return RowError(row, UPSERT_COLUMN.get(name, name), problem.message)


async def import_styles(viewer: Viewer, content: bytes) -> CatalogImportResult:
    """Create or update every style of the file, or none (Action.manage_catalog), through
    the upsert service: a fixed number of queries whatever the number of styles."""
    access.require(viewer, Action.manage_catalog)
    rows, errors = await read_rows(content, STYLE_COLUMNS, STYLE_REQUIRED)
    if errors:
        return CatalogImportResult(errors=errors)
    first_row_of_barcode: dict[str, int] = {}
    changes: list[upsert.StyleChange] = []
    groups: list[_StyleRows] = []
    for group in _style_groups(rows):
        data = _read_group(group, first_row_of_barcode, errors)
        values, field_errors = forms.parse_style(data)
        for name, message in field_errors.items():
            errors.append(RowError(group.first_row, FORM_COLUMN.get(name, name), message))
        if values is None:
            continue
        change = upsert.change_from_form(values, upsert.Intent.upsert)
        changes.append(dataclasses.replace(change, skus=tuple(group.skus)))
        groups.append(group)
    result = upsert.UpsertResult()
    if changes:
        result = await upsert.upsert_styles(viewer, changes, check_only=bool(errors))
    for problem in result.problems:
        if problem.index < 0:
            errors.append(RowError(0, "barcode", problem.message))
        else:
            errors.append(_row_error(groups[problem.index], problem))
    if errors:
        return CatalogImportResult(errors=_sorted(errors))
    return CatalogImportResult(created=result.count("created"), updated=result.count("updated"))


async def import_prices(viewer: Viewer, content: bytes) -> CatalogImportResult:
    """Set every price of the file, or none (Action.manage_catalog), through the upsert
    service: a fixed number of queries whatever the file's length."""
    access.require(viewer, Action.manage_catalog)
    rows, errors = await read_rows(content, PRICE_COLUMNS, PRICE_REQUIRED)
    if errors:
        return CatalogImportResult(errors=errors)
    rows_of_style: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        rows_of_style.setdefault(row["style_code"].upper(), []).append(row)
    changes = [
        upsert.StylePrices(
            code,
            tuple(
                upsert.PriceChange(
                    price_list=row["price_list"],
                    wholesale=row["wholesale"],
                    size=row.get("size") or None,
                    suggested_retail=row.get("retail") or None,
                )
                for row in style_rows
            ),
        )
        for code, style_rows in rows_of_style.items()
    ]
    result = await upsert.upsert_prices(viewer, changes)
    groups = list(rows_of_style.values())
    for problem in result.problems:
        errors.extend(_price_row_errors(groups[problem.index], problem))
    if errors:
        return CatalogImportResult(errors=sorted(errors, key=lambda error: error.row))
    return CatalogImportResult(created=result.created, updated=result.updated)


# An upsert problem's price field -> the file's column.
PRICE_COLUMN = {"suggested_retail": "retail"}


def _price_row_errors(rows: Sequence[Mapping[str, str]], problem: RowProblem) -> list[RowError]:
    """A problem of one style's prices at the rows and columns it came from: an unknown
    style on each of its rows, a price's problem on that price's row."""
    found = _PROBLEM_FIELD.match(problem.field)
    head, number, tail = found.groups() if found else (problem.field, None, None)
    if head == "prices" and number is not None and tail:
        row = rows[int(number)]
        return [RowError(int(row["_row"]), PRICE_COLUMN.get(tail, tail), problem.message)]
    return [RowError(int(row["_row"]), "style_code", problem.message) for row in rows]


def columns_help() -> Mapping[str, Sequence[str]]:
    return {
        "style_columns": STYLE_COLUMNS,
        "style_required": STYLE_REQUIRED,
        "price_columns": PRICE_COLUMNS,
        "price_required": PRICE_REQUIRED,
    }
