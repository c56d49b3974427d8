"""The order book's part of a partner user's start page: their drafts, orders waiting for
the brand's confirmation, and shipments on the way."""

from __future__ import annotations

from dataclasses import dataclass

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.orders.records import OrderSummary
from partner_portal.orders.services import LIST_COLUMNS
from partner_portal.orders.tables import Order, OrderStatus

# What a buyer still has to do or to wait for, in that order on the page.
OPEN_STATUSES = (
    OrderStatus.draft,
    OrderStatus.submitted,
    OrderStatus.partially_shipped,
    OrderStatus.shipped,
)


@dataclass(frozen=True)
class OpenOrdersSection:
    """The start page's orders (orders/_home.html)."""

    drafts: list[OrderSummary]
    waiting: list[OrderSummary]
    on_the_way: list[OrderSummary]


async def open_orders_section(viewer: Viewer) -> OpenOrdersSection | None:
    """Drafts, submitted orders and shipments on the way (at most 20 of each), one query."""
    if viewer.is_brand or not viewer.can(Action.view_orders):
        return None
    rows = OrderSummary.from_rows(
        await access.scoped_orders(Order.select(*LIST_COLUMNS), viewer)
        .where(Order.status.is_in(list(OPEN_STATUSES)))
        .order_by(Order.id, ascending=False)
        .limit(200)
    )
    by_status: dict[str, list[OrderSummary]] = {status: [] for status in OPEN_STATUSES}
    for row in rows:
        if len(by_status[row.status]) < 20:
            by_status[row.status].append(row)
    return OpenOrdersSection(
        drafts=by_status[OrderStatus.draft],
        waiting=by_status[OrderStatus.submitted],
        on_the_way=by_status[OrderStatus.partially_shipped] + by_status[OrderStatus.shipped],
    )
