"""Bulk upserts an ERP sends: the stock on hand of many SKUs in one call, all of them or
none, with the rows it refused named by their index.

A call of 100,000 SKUs must take seconds, so nothing here runs a query per row: the rows
travel as ONE JSON parameter that the database unpacks itself (``jsonb_to_recordset`` on
PostgreSQL, ``json_each`` on SQLite), one statement finds every row's SKU and one
statement writes every figure. What orders hold (``reserved``) is never touched: the ERP
says what is on hand, the portal what is promised (orders/services/stock.py). A push that
takes SKUs to the low level records one stock.low event in its transaction
(catalog/stock_events.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
from piccolo.columns.combination import WhereRaw

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import stock_events
from partner_portal.catalog.availability import audit_import
from partner_portal.catalog.tables import SkuStock
from partner_portal.clock import utcnow
from partner_portal.database import after_position, json_rows, write_transaction
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.settings import current_settings

MAX_ITEMS = 100_000
MAX_QUANTITY = 1_000_000_000
CODE_LENGTH = 30


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row of a bulk call: its index in ``items``, the field."""

    index: int
    field: str
    message: str


@dataclass
class BulkResult:
    received: int = 0
    changed: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


Code = Annotated[str, msgspec.Meta(min_length=1, max_length=CODE_LENGTH)]


class StockItem(msgspec.Struct, frozen=True):
    """One item of a stock call: a SKU by barcode, or by style, colour and size."""

    at_once: Annotated[int, msgspec.Meta(ge=0, le=MAX_QUANTITY)]
    barcode: Code | None = None
    style: Code | None = None
    colour: Code | None = None
    size: Code | None = None


def _item_problem(index: int, item: object, error: msgspec.ValidationError) -> RowProblem:
    """What is wrong with an item msgspec refused, in the reader's language."""
    if not isinstance(item, dict):
        return RowProblem(index, "", _("Each item is an object."))
    if "at_once" in str(error):
        return RowProblem(
            index,
            "at_once",
            _("Give the stock on hand as a whole number from 0 to %(n)s.", n=f"{MAX_QUANTITY:,}"),
        )
    return RowProblem(index, "barcode", _(SKU_NAMED_BY))


SKU_NAMED_BY = N_("Give the barcode, or the style code, colour code and size.")


def _parse(items: object) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """The rows as the database reads them (index, SKU keys, quantity), or the problems.
    The items are checked in one msgspec conversion; only a call with a bad item is read
    again item by item, to name every bad one."""
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS:
        return [], [RowProblem(-1, "items", _("Send 1 to %(n)s items.", n=f"{MAX_ITEMS:,}"))]
    problems: list[RowProblem] = []
    try:
        typed = list(enumerate(msgspec.convert(items, list[StockItem])))
    except msgspec.ValidationError:
        typed = []
        for index, item in enumerate(items):
            try:
                typed.append((index, msgspec.convert(item, StockItem)))
            except msgspec.ValidationError as error:
                problems.append(_item_problem(index, item, error))
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, ...], int] = {}
    for index, item in typed:
        if item.barcode is not None:
            key: tuple[str, ...] = (item.barcode,)
        elif item.style is not None and item.colour is not None and item.size is not None:
            key = (item.style.upper(), item.colour.upper(), item.size)
        else:
            problems.append(RowProblem(index, "barcode", _(SKU_NAMED_BY)))
            continue
        if key in seen:
            problems.append(
                RowProblem(
                    index,
                    "barcode",
                    _("The same SKU is item %(index)s of this call.", index=seen[key]),
                )
            )
            continue
        seen[key] = index
        by_item = len(key) == 3
        rows.append(
            {
                "i": index,
                "barcode": item.barcode,
                "style": key[0] if by_item else None,
                "colour": key[1] if by_item else None,
                "size": key[2] if by_item else None,
                "quantity": item.at_once,
            }
        )
    return rows, problems


# The rows of a stock call as the database reads them (database.json_rows).
_ROW_COLUMNS = {
    "i": "integer",
    "barcode": "text",
    "style": "text",
    "colour": "text",
    "size": "text",
    "quantity": "integer",
}


# Every row's SKU: by barcode, else by style code, colour code and size label. Joins on
# unique or indexed columns only, so each row costs a few index lookups.
_FIND_SKUS = """
SELECT v.i AS i, COALESCE(by_barcode.id, by_item.id) AS sku, v.quantity AS quantity,
    stock.at_once AS on_hand
FROM {rows}
LEFT JOIN sku AS by_barcode ON by_barcode.barcode = v.barcode
LEFT JOIN style ON v.barcode IS NULL AND style.code = v.style
LEFT JOIN colourway ON colourway.style = style.id AND colourway.code = v.colour
LEFT JOIN size ON size.size_scale = style.size_scale AND size.label = v.size
LEFT JOIN sku AS by_item ON by_item.colourway = colourway.id AND by_item.size = size.id
LEFT JOIN sku_stock AS stock ON stock.sku = COALESCE(by_barcode.id, by_item.id)
"""

# Each SKU's stock on hand; a row only where the figure changes. WHERE true: SQLite's
# parser needs it before ON CONFLICT in an INSERT ... SELECT.
_WRITE_STOCK = """
INSERT INTO sku_stock (sku, at_once, reserved, updated_at)
SELECT v.sku, v.quantity, 0, {now} FROM {rows} WHERE true
ON CONFLICT (sku) DO UPDATE SET at_once = excluded.at_once, updated_at = excluded.updated_at
WHERE sku_stock.at_once <> excluded.at_once
RETURNING sku, at_once, reserved
"""


async def upsert_stock_levels(viewer: Viewer, items: object) -> BulkResult:
    """Set the stock on hand of every SKU ``items`` names ({"barcode": ..., "at_once": n}
    or {"style": ..., "colour": ..., "size": ..., "at_once": n}), all or none."""
    access.require(viewer, Action.manage_catalog)
    rows, problems = _parse(items)
    result = BulkResult(received=len(items) if isinstance(items, list) else 0)
    async with write_transaction():
        found = (
            await SkuStock.raw(
                _FIND_SKUS.format(rows=json_rows(_ROW_COLUMNS)),
                msgspec.json.encode(rows).decode(),
            )
            if rows
            else []
        )
        by_index = {row["i"]: row for row in rows}
        problems += [
            RowProblem(row["i"], "barcode", _("No SKU has this barcode."))
            if by_index[row["i"]]["barcode"]
            else RowProblem(row["i"], "style", _("No SKU has this style, colour and size."))
            for row in found
            if row["sku"] is None
        ]
        problems += _same_sku_twice(found)
        if problems:
            result.problems = sorted(problems, key=lambda problem: problem.index)
            return result
        stock = [{"sku": row["sku"], "quantity": row["quantity"]} for row in found]
        written = await SkuStock.raw(
            _WRITE_STOCK.format(
                now="{}", rows=json_rows({"sku": "integer", "quantity": "integer"})
            ),
            utcnow(),
            msgspec.json.encode(stock).decode(),
        )
        result.changed = len(written)
        await audit_import(viewer, result.changed)
        # What orders hold is the same before and after: only on hand moved.
        on_hand_before = {row["sku"]: row["on_hand"] or 0 for row in found}
        await stock_events.tell_low_stock(
            {row["sku"]: on_hand_before[row["sku"]] - row["reserved"] for row in written},
            {row["sku"]: row["at_once"] - row["reserved"] for row in written},
        )
    return result


def _same_sku_twice(found: list[dict[str, Any]]) -> list[RowProblem]:
    """Rows naming one SKU twice (by its barcode and by style, colour and size)."""
    first: dict[int, int] = {}
    problems = []
    for row in sorted(found, key=lambda row: row["i"]):
        if row["sku"] is None:
            continue
        if row["sku"] in first:
            problems.append(
                RowProblem(
                    row["i"],
                    "barcode",
                    _("The same SKU is item %(index)s of this call.", index=first[row["sku"]]),
                )
            )
        else:
            first[row["sku"]] = row["i"]
    return problems


async def stock_levels(
    viewer: Viewer, after: int | None, limit: int, low_only: bool = False
) -> list[dict[str, Any]]:
    """Up to ``limit`` of the SKUs with a stock figure, by SKU id after ``after`` (the API's
    cursor), each with its names and figures; ``low_only``: those with LOW_STOCK_PIECES or
    fewer left at once (what stock.low events tell of, all of them). One query a page."""
    access.require(viewer, Action.manage_catalog)
    query = SkuStock.select(
        SkuStock.sku,
        SkuStock.sku._.uuid.as_alias("uuid"),
        SkuStock.sku._.barcode.as_alias("barcode"),
        SkuStock.sku._.external_ref.as_alias("external_ref"),
        SkuStock.sku._.style._.code.as_alias("style"),
        SkuStock.sku._.colourway._.code.as_alias("colour"),
        SkuStock.sku._.size._.label.as_alias("size"),
        SkuStock.at_once,
        SkuStock.reserved,
        SkuStock.updated_at,
    )
    if after is not None:
        query = query.where(after_position((SkuStock.sku,), [after]))
    if low_only:
        query = query.where(
            WhereRaw(
                "sku_stock.at_once - sku_stock.reserved <= {}", current_settings().low_stock_pieces
            )
        )
    return await query.order_by(SkuStock.sku).limit(limit)  # type: ignore[no-any-return]
