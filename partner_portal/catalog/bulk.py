"""Bulk upserts an ERP sends: the stock on hand of many SKUs in one call, all of them or
none, with the rows it refused named by their index.

A call of 100,000 SKUs must take seconds, so nothing here runs a query per row: the rows
travel as ONE JSON parameter that the database unpacks itself (``jsonb_to_recordset`` on
PostgreSQL, ``json_each`` on SQLite), one statement finds every row's SKU and one
statement writes every figure. What orders hold (``reserved``) is never touched: the ERP
says what is on hand, the portal what is promised (orders/services/stock.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import SkuStock
from partner_portal.clock import utcnow
from partner_portal.database import is_sqlite, write_transaction
from partner_portal.i18n import gettext as _

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


def _text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return (
        value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= CODE_LENGTH else None
    )


def _parse(items: object) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """The rows as the database reads them (index, SKU keys, quantity), or the problems."""
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS:
        return [], [RowProblem(-1, "items", _("Send 1 to %(n)s items.", n=f"{MAX_ITEMS:,}"))]
    rows: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, ...], int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(RowProblem(index, "", _("Each item is an object.")))
            continue
        barcode = _text(item, "barcode")
        style, colour, size = (_text(item, name) for name in ("style", "colour", "size"))
        if barcode is None and None in (style, colour, size):
            problems.append(
                RowProblem(
                    index,
                    "barcode",
                    _("Give the barcode, or the style code, colour code and size."),
                )
            )
            continue
        quantity = item.get("at_once")
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 0 <= quantity <= MAX_QUANTITY
        ):
            problems.append(
                RowProblem(
                    index,
                    "at_once",
                    _(
                        "Give the stock on hand as a whole number from 0 to %(n)s.",
                        n=f"{MAX_QUANTITY:,}",
                    ),
                )
            )
            continue
        key: tuple[str, ...] = (
            (barcode,) if barcode else (str(style).upper(), str(colour).upper(), str(size))
        )
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
        by_item = dict(zip(("style", "colour", "size"), key, strict=False)) if not barcode else {}
        rows.append(
            {
                "i": index,
                "barcode": barcode,
                "style": by_item.get("style"),
                "colour": by_item.get("colour"),
                "size": by_item.get("size"),
                "quantity": quantity,
            }
        )
    return rows, problems


def _rows_source(placeholder: str) -> str:
    """The rows of one JSON parameter as a table v(i, barcode, style, colour, size, quantity)."""
    if is_sqlite():
        return (
            "(SELECT json_extract(value, '$.i') AS i, json_extract(value, '$.barcode') AS barcode, "
            "json_extract(value, '$.style') AS style, json_extract(value, '$.colour') AS colour, "
            "json_extract(value, '$.size') AS size, json_extract(value, '$.quantity') AS quantity "
            f"FROM json_each({placeholder})) AS v"
        )
    return (
        f"jsonb_to_recordset(CAST({placeholder} AS jsonb)) "
        "AS v(i integer, barcode text, style text, colour text, size text, quantity integer)"
    )


# Every row's SKU: by barcode, else by style code, colour code and size label.
_FIND_SKUS = """
SELECT v.i AS i, COALESCE(by_barcode.id, by_item.id) AS sku, v.quantity AS quantity
FROM {rows}
LEFT JOIN sku AS by_barcode ON v.barcode IS NOT NULL AND by_barcode.barcode = v.barcode
LEFT JOIN (
    SELECT sku.id AS id, style.code AS style, colourway.code AS colour, size.label AS size
    FROM sku
    JOIN style ON style.id = sku.style
    JOIN colourway ON colourway.id = sku.colourway
    JOIN size ON size.id = sku.size
) AS by_item ON v.barcode IS NULL AND by_item.style = v.style
    AND by_item.colour = v.colour AND by_item.size = v.size
"""

# Each SKU's stock on hand; a row only where the figure changes. WHERE true: SQLite's
# parser needs it before ON CONFLICT in an INSERT ... SELECT.
_WRITE_STOCK = """
INSERT INTO sku_stock (sku, at_once, reserved, updated_at)
SELECT v.sku, v.quantity, 0, {now} FROM {rows} WHERE true
ON CONFLICT (sku) DO UPDATE SET at_once = excluded.at_once, updated_at = excluded.updated_at
WHERE sku_stock.at_once <> excluded.at_once
RETURNING sku
"""


def _stock_source(placeholder: str) -> str:
    if is_sqlite():
        return (
            "(SELECT json_extract(value, '$.sku') AS sku, json_extract(value, '$.quantity') AS quantity "
            f"FROM json_each({placeholder})) AS v"
        )
    return f"jsonb_to_recordset(CAST({placeholder} AS jsonb)) AS v(sku integer, quantity integer)"


async def upsert_stock_levels(viewer: Viewer, items: object) -> BulkResult:
    """Set the stock on hand of every SKU ``items`` names ({"barcode": ..., "at_once": n}
    or {"style": ..., "colour": ..., "size": ..., "at_once": n}), all or none."""
    access.require(viewer, Action.manage_catalog)
    rows, problems = _parse(items)
    result = BulkResult(received=len(items) if isinstance(items, list) else 0)
    async with write_transaction():
        found = (
            await SkuStock.raw(
                _FIND_SKUS.format(rows=_rows_source("{}")),
                json.dumps(rows, separators=(",", ":")),
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
            _WRITE_STOCK.format(now="{}", rows=_stock_source("{}")),
            utcnow(),
            json.dumps(stock, separators=(",", ":")),
        )
        result.changed = len(written)
        if result.changed:
            await audit_log.record(
                viewer,
                entity_kind="availability",
                entity_uuid=None,
                organisation_id=None,
                action="import",
                changes={"figures": [None, result.changed]},
                summary=_("%(count)s availability figures imported", count=result.changed),
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
