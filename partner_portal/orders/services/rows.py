"""What the order book's services share: order numbers, the status history, an order's
lines as the rules read them and as its page shows them, and the answer to an edit someone
else saved first."""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.query.methods.select import Select

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import one_of
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.orders.records import OrderLineRecord, OrderPageLine, OrderRecord
from partner_portal.orders.tables import Order, OrderLine, OrderStatus, OrderStatusChange
from partner_portal.statements import Parameter, Prepared

# Orders that still count against a buyer's credit and feed material demand.
OPEN_STATUSES = (
    OrderStatus.submitted,
    OrderStatus.confirmed,
    OrderStatus.in_production,
    OrderStatus.partially_shipped,
)


class Refused(Exception):
    """Rolls back a transaction whose work turned out to be refused."""

    def __init__(self, result: SaveResult) -> None:
        self.result = result


def order_number(order_id: int) -> str:
    return f"SO-{order_id:07d}"


async def record_status(
    viewer: Viewer | None, order_id: int, from_status: str | None, to_status: str, note: str = ""
) -> None:
    await OrderStatusChange.insert(
        OrderStatusChange(
            order=order_id,
            from_status=from_status,
            to_status=to_status,
            changed_by=viewer.user_id if viewer else None,
            changed_at=utcnow(),
            note=note,
        )
    )


@access.checked_by_caller("lines of an order from get_order")
async def order_lines_for_checks(order_id: int) -> list[OrderLineRecord]:
    return OrderLineRecord.from_rows(
        await OrderLine.select(
            OrderLine.id,
            OrderLine.sku,
            OrderLine.style,
            OrderLine.colourway,
            OrderLine.size,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.discount_percent,
            OrderLine.volume_discount_percent,
            OrderLine.price_list,
            OrderLine.price_fixed,
            OrderLine.line_total,
        ).where(OrderLine.order == order_id)
    )


@access.checked_by_caller("the order comes from get_order")
async def conflict(order: OrderRecord, opened_version: int) -> SaveResult:
    """The answer to an edit of a version someone else saved over: what changed since."""
    current = await Order.select(Order.version).where(Order.id == order.id).first()
    changes = await audit_log.changes_since(order.uuid, opened_version)
    return SaveResult(
        errors={"version": _("Someone else changed this order while you were editing it.")},
        conflicts=changes,
        current_version=current["version"] if current else None,
    )


# The order page's columns, joins included, built once: Piccolo spends ~1 ms of CPU building
# each joined column, which was most of the page's time (bench/RESULTS.md).
ORDER_PAGE_LINE_COLUMNS = (
    OrderLine.id,
    OrderLine.sku,
    OrderLine.quantity,
    OrderLine.shipped_quantity,
    OrderLine.unit_price,
    OrderLine.discount_percent,
    OrderLine.volume_discount_percent,
    OrderLine.price_fixed,
    OrderLine.price_list._.name.as_alias("price_list_name"),
    OrderLine.line_total,
    OrderLine.style._.uuid.as_alias("style_uuid"),
    OrderLine.style._.code.as_alias("style_code"),
    OrderLine.style._.name_en.as_alias("name_en"),
    OrderLine.style._.name_zh.as_alias("name_zh"),
    OrderLine.style._.name_ko.as_alias("name_ko"),
    OrderLine.colourway._.code.as_alias("colour_code"),
    OrderLine.colourway._.name.as_alias("colour_name"),
    OrderLine.size._.label.as_alias("size_label"),
    OrderLine.size._.position.as_alias("size_position"),
    OrderLine.sku._.barcode.as_alias("barcode"),
)


@access.checked_by_caller("lines of an order from get_order")
async def order_page_lines(order_id: int) -> list[OrderPageLine]:
    """An order's lines with their style, colour and size, by style, colour and size."""
    return (await lines_of_orders([order_id]))[order_id]


@Prepared
@access.checked_by_caller("lines of orders lines_of_orders' callers read through access")
def _lines_of_orders() -> Select:
    return OrderLine.select(*ORDER_PAGE_LINE_COLUMNS, OrderLine.order).where(
        one_of(OrderLine.order, Parameter("orders"))
    )


@access.checked_by_caller("lines of orders their callers read through the access policy")
async def lines_of_orders(order_ids: Sequence[int]) -> dict[int, list[OrderPageLine]]:
    """The lines of each of these orders (by id), as ``order_page_lines`` gives them, in
    one query however many orders there are."""
    lines: dict[int, list[OrderPageLine]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return lines
    rows = await _lines_of_orders.rows(orders=order_ids)
    for row in rows:
        lines[row["order"]].append(OrderPageLine.from_row(row))
    for order_lines in lines.values():
        order_lines.sort(key=lambda line: (line.style_code, line.colour_code, line.size_position))
    return lines
