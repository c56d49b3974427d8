"""What the order book tells the rest of the portal without a viewer: garment demand for
suppliers' forecasts, and a buyer's open order value for its credit check."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from piccolo.query.functions.aggregate import Sum

from partner_portal import access
from partner_portal.database import is_sqlite
from partner_portal.orders.services.rows import OPEN_STATUSES
from partner_portal.orders.tables import Order, OrderLine
from partner_portal.registries import DemandLine


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _delivery_week_sql() -> str:
    """SQL for the Monday of an order's delivery week: the requested ship date, else the
    delivery window's start, else 60 days after submission."""
    if is_sqlite():
        due = "COALESCE(o.requested_ship_date, o.delivery_window_start, date(o.submitted_at, '+60 days'))"
        # 'weekday 0' moves on to Sunday (or stays on one); six days back is that week's Monday.
        return f"date({due}, 'weekday 0', '-6 days')"
    due = (
        "COALESCE(o.requested_ship_date, o.delivery_window_start, "
        "CAST(o.submitted_at AT TIME ZONE 'UTC' AS date) + 60)"
    )
    return f"CAST(date_trunc('week', {due}) AS date)"


@access.system_query("demand source: every open order's garments, for supplier forecasts")
async def order_book_demand(since: date) -> list[DemandLine]:
    """Garment demand from open orders, by style/colour/size and delivery week, summed in
    the database (an order book of millions of lines stays a few thousand rows here).

    Confirmed and in-production orders are firm; submitted ones are likely (probability
    1 here: the suppliers module weights them). Quantities still to ship only; weeks
    before ``since`` count in its week (late demand is still demand)."""
    statuses = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)
    week = _delivery_week_sql()
    rows = await OrderLine.raw(
        f"""SELECT l.style AS style, l.colourway AS colourway, l.size AS size,
                   o.status <> 'submitted' AS firm, {week} AS week,
                   SUM(l.quantity - l.shipped_quantity) AS quantity
            FROM sales_order_line l JOIN sales_order o ON o.id = l."order"
            WHERE o.status IN ({statuses})
            GROUP BY l.style, l.colourway, l.size, o.status <> 'submitted', {week}"""
    )
    earliest = _week_start(since)
    demand: dict[tuple[int, int, int, date, bool], int] = {}
    for row in rows:
        week_start = row["week"]
        if not isinstance(week_start, date):
            week_start = date.fromisoformat(str(week_start))
        key = (
            row["style"],
            row["colourway"],
            row["size"],
            max(week_start, earliest),
            bool(row["firm"]),
        )
        demand[key] = demand.get(key, 0) + int(row["quantity"])
    return [
        DemandLine(
            style_id=style,
            colourway_id=colourway,
            size_id=size,
            quantity=quantity,
            week_start=week_start,
            firm=firm,
            probability=Decimal(1),
        )
        for (style, colourway, size, week_start, firm), quantity in demand.items()
        if quantity > 0
    ]


@access.system_query("order check: the buyer's open orders, for its credit limit")
async def open_order_value(buyer_id: int, excluding: int | None = None) -> Decimal:
    """The value of a buyer's submitted and not yet shipped orders (for credit checks),
    without the order ``excluding`` (one being changed counts at its new value)."""
    rows = await Order.select(Sum(Order.total).as_alias("open_value")).where(
        (Order.buyer == buyer_id)
        & Order.status.is_in(list(OPEN_STATUSES))
        & (Order.id != (excluding or -1))
    )
    # SQLite sums NUMERIC columns as floats: back to cents through the text.
    return Decimal(str(rows[0]["open_value"] or 0)).quantize(Decimal("0.01"))
