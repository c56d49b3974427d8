"""Order versions: what a submitted order said at submission (version 1) and after each
accepted change request, lines and totals kept as they were, and two versions compared line
by line (the versions page)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.access.orders import VisibleOrder
from partner_portal.clock import utcnow
from partner_portal.orders.records import LineComparison, OrderVersionRecord
from partner_portal.orders.services.rows import order_page_lines
from partner_portal.orders.tables import Order, OrderVersion

VERSION_COLUMNS = (
    *OrderVersion.all_columns(),
    OrderVersion.created_by._.display_name.as_alias("created_by_name"),
)


@access.checked_by_caller("an order its caller fetched with get_order, inside its transaction")
async def record_version(
    viewer: Viewer | None, order_id: int, change_request_id: int | None = None
) -> int:
    """Keep the order as it now stands as its next version; returns the version's number.
    Call inside the write transaction that made it so."""
    order = (
        await Order.select(
            Order.currency,
            Order.total_quantity,
            Order.subtotal,
            Order.discount_total,
            Order.total,
            Order.requested_ship_date,
        )
        .where(Order.id == order_id)
        .first()
    )
    assert order is not None
    last = (
        await OrderVersion.select(OrderVersion.number)
        .where(OrderVersion.order == order_id)
        .order_by(OrderVersion.number, ascending=False)
        .first()
    )
    number = (last["number"] if last else 0) + 1
    lines = [
        {
            "sku": line.sku,
            "style_code": line.style_code,
            "colour_code": line.colour_code,
            "size_label": line.size_label,
            "size_position": line.size_position,
            "quantity": line.quantity,
            "unit_price": str(line.unit_price),
            "discount_percent": str(line.discount_percent),
            "line_total": str(line.line_total),
        }
        for line in await order_page_lines(order_id)
    ]
    await OrderVersion.insert(
        OrderVersion(
            order=order_id,
            number=number,
            change_request=change_request_id,
            created_by=viewer.user_id if viewer else None,
            created_at=utcnow(),
            lines=json.dumps(lines),
            **order,
        )
    )
    return number


@access.checked_by_caller("an order its caller fetched with get_order")
async def has_versions(order_id: int) -> bool:
    return bool(await OrderVersion.exists().where(OrderVersion.order == order_id))


@dataclass
class VersionComparison:
    order: VisibleOrder
    versions: list[OrderVersionRecord]
    before: OrderVersionRecord | None
    after: OrderVersionRecord | None
    lines: list[LineComparison]


def _version(row: dict[str, Any]) -> OrderVersionRecord:
    lines = row["lines"]
    return OrderVersionRecord.from_row(
        {**row, "lines": json.loads(lines) if isinstance(lines, str) else lines}
    )


async def compare_versions(
    viewer: Viewer, order_uuid: UUID, before: int | None, after: int | None
) -> VersionComparison:
    """An order's versions, and two of them (by number; by default the last two) side by
    side, line by line: every item on either, in style, colour and size order."""
    order = await access.get_order(viewer, order_uuid)
    versions = [
        _version(row)
        for row in await OrderVersion.select(*VERSION_COLUMNS)
        .where(OrderVersion.order == order.id)
        .order_by(OrderVersion.number)
    ]
    by_number = {version.number: version for version in versions}
    newest = versions[-1].number if versions else None
    later = by_number.get(after) if after is not None else by_number.get(newest or 0)
    earlier_number = before if before is not None else (later.number - 1 if later else None)
    earlier = by_number.get(earlier_number) if earlier_number is not None else None
    items: dict[int, dict[str, Any]] = {}
    for side, version in (("before", earlier), ("after", later)):
        for line in version.lines if version else []:
            item = items.setdefault(line.sku, {"line": line, "before": None, "after": None})
            item[side] = line
    rows = sorted(
        items.values(),
        key=lambda item: (
            item["line"].style_code,
            item["line"].colour_code,
            item["line"].size_position,
        ),
    )
    return VersionComparison(
        order=order,
        versions=versions,
        before=earlier,
        after=later,
        lines=[
            LineComparison(
                style_code=item["line"].style_code,
                colour_code=item["line"].colour_code,
                size_label=item["line"].size_label,
                before=item["before"],
                after=item["after"],
            )
            for item in rows
        ],
    )
