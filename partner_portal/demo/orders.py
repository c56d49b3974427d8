"""Demo orders of the order book (partner_portal/orders)."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from partner_portal.demo.network import SEED
from partner_portal.demo.people import seeded_uuid
from partner_portal.demo.rows import insert_returning_ids
from partner_portal.orders.tables import (
    ChangeRequest,
    Order,
    OrderComment,
    OrderLine,
    OrderStatusChange,
    Shipment,
    ShipmentLine,
)
from partner_portal.partners.tables import (
    Organisation,
    PartnerStatus,
    Role,
    User,
)

if TYPE_CHECKING:
    from partner_portal.catalog.services import PartnerPrices

# ---------------------------------------------------------------------------
# The order book's demo orders (partner_portal/orders)

ORDERS_SEED = SEED + 31
DEMO_ORDER_COUNT = 1200
# A little over three years of finished orders: a style's reorder forecast fits a 12-month
# season on two full years before its origin (suppliers/planning.py), and the backtest
# (bench/forecast_backtest.py) holds six months out after those.
DEMO_HISTORY_DAYS = 1125
FINISHED_STATUSES = frozenset({"shipped", "delivered", "cancelled", "rejected"})
# How the demo orders spread over the status flow (weights).
ORDER_STATUS_WEIGHTS = (
    ("draft", 4),
    ("submitted", 8),
    ("confirmed", 8),
    ("in_production", 8),
    ("partially_shipped", 5),
    ("shipped", 8),
    ("delivered", 50),
    ("cancelled", 5),
    ("rejected", 4),
)
# The steps each final status went through, after "draft".
ORDER_PATHS = {
    "draft": (),
    "submitted": ("submitted",),
    "confirmed": ("submitted", "confirmed"),
    "in_production": ("submitted", "confirmed", "in_production"),
    "partially_shipped": ("submitted", "confirmed", "in_production", "partially_shipped"),
    "shipped": ("submitted", "confirmed", "in_production", "shipped"),
    "delivered": ("submitted", "confirmed", "in_production", "shipped", "delivered"),
    "cancelled": ("submitted", "cancelled"),
    "rejected": ("submitted", "rejected"),
}
BUYER_STEPS = frozenset({"submitted", "cancelled"})
DEMO_CARRIERS = ("顺丰速运", "中通快递", "京东物流", "CJ대한통운", "한진택배", "DHL Express")
DEMO_ORDER_COMMENTS = (
    "请确认交货期，谢谢。",
    "M码能否多配一些？",
    "배송 일정을 알려 주세요.",
    "Could you confirm the delivery window?",
    "发票请开到总公司。",
    "색상 BLK 재고 있나요?",
)


def seasonal_ages(now: datetime, days: int) -> list[float]:
    """The cumulative weight of each age in days (1 to ``days`` before ``now``) for order
    dates that follow apparel buying's year: most in spring, when the spring/summer
    range sells through and is reordered, a second peak in autumn, fewest in midsummer
    and around the new year (weight 1 + 0.55 cos θ + 0.3 cos 2θ, θ the day of the year
    from 10 April: about three times as many orders in April as in the quietest weeks)."""
    import math

    cumulative: list[float] = []
    total = 0.0
    for age in range(1, days + 1):
        day = (now - timedelta(days=age)).timetuple().tm_yday
        angle = 2 * math.pi * (day - 100) / 365.25
        total += 1 + 0.55 * math.cos(angle) + 0.3 * math.cos(2 * angle)
        cumulative.append(total)
    return cumulative


def seasonal_age(fraction: float, cumulative: list[float]) -> float:
    """The age in days at ``fraction`` (0 to 1) of the seasonal weights: a uniform draw
    mapped through their inverse distribution, so each draw still takes one random number."""
    import bisect

    position = bisect.bisect_left(cumulative, fraction * cumulative[-1])
    return float(min(position + 1, len(cumulative)))


# Dormant and churned partners' orders are all older than this.
QUIET_STATUSES = (PartnerStatus.dormant, PartnerStatus.churned)
QUIET_DAYS = timedelta(days=90)


@dataclass
class _Buyers:
    """What the demo's orders are drawn from: the buyers with people and prices, the
    active styles' SKUs, the season's delivery windows."""

    buyers: list[dict[str, Any]]
    people: dict[int, list[int]]
    admin: int | None
    price_book: dict[int, PartnerPrices]
    # style -> colourway -> its SKUs
    skus_by_style: dict[int, dict[int, list[dict[str, Any]]]]
    style_ids: list[int]
    season: int | None
    windows: list[dict[str, Any]]


@dataclass
class _PlannedOrder:
    """An order drawn but not yet inserted: what its lines, history, shipment, comments
    and change request are made from."""

    uuid: uuid.UUID
    status: str
    lines: list[dict[str, Any]]
    path: tuple[str, ...]
    moments: list[datetime]
    placer: int
    brand_user: int | None


async def load_orders(rng: random.Random, now: datetime) -> str:
    """A few hundred orders of the demo's buyers in every status, priced from their price
    lists, with status history, shipments, comments and change requests. Rows go in by
    bulk inserts (not through the order services) so the demo loads in seconds. Each step
    below draws from ``rng`` in turn, so the demo stays the same from one load to the next."""
    from partner_portal.orders.services import recount

    world = await _buyers()
    if not world.buyers or not world.style_ids:
        return "0 orders"
    orders, plans = _draw_orders(rng, now, world)
    order_ids = await _insert_orders(orders)
    line_ids = await _insert_lines_history_and_comments(rng, plans, order_ids)
    shipments = await _insert_shipments(rng, plans, order_ids, line_ids)
    requests = await _insert_change_requests(rng, plans, order_ids)
    # The rows above went in around the order services: open orders and pending change
    # requests take the stock and pre-book capacity they hold now.
    await recount()
    return (
        f"{len(orders)} orders with {len(line_ids)} lines, {shipments} shipments, "
        f"{requests} change requests"
    )


async def _buyers() -> _Buyers:
    """The buyers who may order (active people and a price for something), their people
    and prices, and the catalog they order from: two queries per buyer for prices."""
    from partner_portal.catalog.services import prices_for_partner
    from partner_portal.catalog.tables import DeliveryWindow, Sku, Style

    buyers = await Organisation.select(
        Organisation.id,
        Organisation.kind,
        Organisation.owner,
        Organisation.legal_name,
        Organisation.status,
    ).where(Organisation.kind.is_in(["distributor", "retailer", "group_client"]))
    users = await User.select(User.id, User.organisation, User.role).where(User.is_active == True)  # noqa: E712
    admin = next((user["id"] for user in users if user["role"] == Role.brand_admin), None)
    people: dict[int, list[int]] = {}
    for user in users:
        people.setdefault(user["organisation"], []).append(user["id"])
    skus = await Sku.select(Sku.id, Sku.style, Sku.colourway, Sku.size).where(
        Sku.style._.status == "active"
    )
    by_style: dict[int, dict[int, list[dict[str, Any]]]] = {}
    for sku in skus:
        by_style.setdefault(sku["style"], {}).setdefault(sku["colourway"], []).append(sku)
    style_ids = sorted(by_style)
    season = await Style.select(Style.season).where(Style.id.is_in(style_ids or [-1])).first()
    windows = await DeliveryWindow.select(DeliveryWindow.starts_on, DeliveryWindow.ends_on).where(
        DeliveryWindow.season == (season["season"] if season else -1)
    )
    price_book = {buyer["id"]: await prices_for_partner(buyer["id"], style_ids) for buyer in buyers}
    return _Buyers(
        buyers=[b for b in buyers if people.get(b["id"]) and price_book[b["id"]].best],
        people=people,
        admin=admin,
        price_book=price_book,
        skus_by_style=by_style,
        style_ids=style_ids,
        season=season["season"] if season else None,
        windows=windows,
    )


def _draw_orders(
    rng: random.Random, now: datetime, world: _Buyers
) -> tuple[list[Order], list[_PlannedOrder]]:
    """DEMO_ORDER_COUNT draws of a buyer, a status and lines (a draw without a priced
    line makes no order)."""
    statuses = [status for status, _weight in ORDER_STATUS_WEIGHTS]
    weights = [weight for _status, weight in ORDER_STATUS_WEIGHTS]
    seasons = seasonal_ages(now, DEMO_HISTORY_DAYS)
    orders: list[Order] = []
    plans: list[_PlannedOrder] = []
    for _ in range(DEMO_ORDER_COUNT):
        buyer = rng.choice(world.buyers)
        status = rng.choices(statuses, weights)[0]
        placer = rng.choice(world.people[buyer["id"]])
        channel = {"retailer": "retailer", "group_client": "group"}.get(
            buyer["kind"], "distributor"
        )
        if buyer["kind"] == "distributor" and buyer["owner"] and rng.random() < 0.2:
            channel, placer = "rep_entered", buyer["owner"]
        lines = _draw_lines(rng, world, world.price_book[buyer["id"]])
        if not lines:
            continue
        moments = _draw_moments(rng, now, status, buyer["status"], seasons)
        order_uuid = seeded_uuid(rng)
        if status not in FINISHED_STATUSES and ORDER_PATHS[status]:
            moments = _recently_moved(moments, now, random.Random(order_uuid.int))
        plan = _PlannedOrder(
            uuid=order_uuid,
            status=status,
            lines=lines,
            path=ORDER_PATHS[status],
            moments=moments,
            placer=placer,
            brand_user=buyer["owner"] or world.admin,
        )
        orders.append(_order_row(rng, world, buyer, channel, plan, turn=len(orders)))
        plans.append(plan)
    return orders, plans


def _draw_lines(rng: random.Random, world: _Buyers, prices: PartnerPrices) -> list[dict[str, Any]]:
    """One to four styles, one or two colours each, most sizes; priced as the buyer pays,
    the volume discount by the pieces of each style."""
    from partner_portal.orders.services import round_money

    lines: list[dict[str, Any]] = []
    style_ids = world.style_ids
    for style_id in rng.sample(style_ids, k=min(len(style_ids), rng.randint(1, 4))):
        colourways = world.skus_by_style[style_id]
        chosen = rng.sample(sorted(colourways), k=min(len(colourways), rng.randint(1, 2)))
        style_lines = []
        for colourway in chosen:
            for sku in colourways[colourway]:
                price = prices.for_item(style_id, sku["size"])
                if price is not None and rng.random() < 0.8:
                    style_lines.append((sku, price, rng.choice((6, 12, 12, 18, 24, 36, 48))))
        pieces = sum(quantity for _sku, _price, quantity in style_lines)
        discount = prices.discount_for(style_id, pieces) if style_lines else Decimal(0)
        for sku, price, quantity in style_lines:
            gross = price.wholesale * quantity
            lines.append(
                {
                    "sku": sku,
                    "price": price,
                    "quantity": quantity,
                    "discount": discount,
                    "gross": round_money(gross, price.currency),
                    "total": round_money(gross * (100 - discount) / 100, price.currency),
                }
            )
    return lines


def _draw_moments(
    rng: random.Random,
    now: datetime,
    status: str,
    buyer_status: str,
    seasons: list[float],
) -> list[datetime]:
    """When the order was created and reached each step of its path. Three years of
    history (partner health and the reorder forecast need it): finished orders of any
    age, more in the buying seasons; open ones from the last few months."""
    age_days = DEMO_HISTORY_DAYS if status in FINISHED_STATUSES else 120
    drawn = rng.uniform(1, age_days)
    if status in FINISHED_STATUSES:
        drawn = seasonal_age((drawn - 1) / (age_days - 1), seasons) + rng.random()
    created = now - timedelta(days=drawn)
    if buyer_status in QUIET_STATUSES and created > now - QUIET_DAYS:
        # Dormant and churned partners stopped ordering before they were marked so
        # (partners' demo timeline); moved back, not redrawn, so the rest stays the same.
        created -= QUIET_DAYS
    moments = [created]
    for _step in ORDER_PATHS[status]:
        moments.append(min(moments[-1] + timedelta(hours=rng.uniform(4, 24 * 9)), now))
    return moments


def _order_row(
    rng: random.Random,
    world: _Buyers,
    buyer: dict[str, Any],
    channel: str,
    plan: _PlannedOrder,
    turn: int,
) -> Order:
    """The order's row: totals of its lines, its dates and delivery window."""
    lines, path, moments = plan.lines, plan.path, plan.moments
    created = moments[0]
    subtotal = sum((line["gross"] for line in lines), Decimal(0))
    total = sum((line["total"] for line in lines), Decimal(0))
    ship_date = (created + timedelta(days=rng.randint(30, 90))).date()
    # Finished orders had windows of past seasons. Of the open ones, one in five is at
    # once, from stock; the others pre-book a delivery window of the season (by turns,
    # so the random draws, and the rest of the demo, stay as they were).
    window_start: date | None = ship_date - timedelta(days=7)
    window_end: date | None = ship_date + timedelta(days=14)
    if plan.status not in FINISHED_STATUSES and world.windows:
        window = None if turn % 5 == 0 else world.windows[turn % len(world.windows)]
        window_start, window_end = (
            (window["starts_on"], window["ends_on"]) if window else (None, None)
        )
        ship_date = window_start or ship_date
    return Order(
        uuid=plan.uuid,
        buyer=buyer["id"],
        placed_by=plan.placer,
        channel=channel,
        status=plan.status,
        currency=lines[0]["price"].currency,
        price_list=lines[0]["price"].price_list_id if path else None,
        price_list_name=lines[0]["price"].price_list_name,
        season=world.season,
        ship_to=buyer["legal_name"],
        delivery_window_start=window_start,
        delivery_window_end=window_end,
        requested_ship_date=ship_date,
        customer_po=f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else "",
        total_quantity=sum(line["quantity"] for line in lines),
        subtotal=subtotal,
        discount_total=subtotal - total,
        total=total,
        submitted_at=moments[1] if path else None,
        status_changed_at=moments[-1],
        created_at=created,
        updated_at=moments[-1],
        version=len(path) + 1,
    )


async def _insert_orders(orders: list[Order]) -> dict[uuid.UUID, int]:
    """Insert the orders and number them; their ids by uuid."""
    order_ids: dict[uuid.UUID, int] = {}
    for start in range(0, len(orders), 200):
        order_ids |= await insert_returning_ids(Order, orders[start : start + 200])
    # Numbers as orders.services.order_number writes them: "SO-" and the id in 7 digits.
    padded = (
        "substr('0000000' || id, -7, 7)"
        if Order._meta.db.engine_type == "sqlite"
        else "lpad(id::text, 7, '0')"
    )
    await Order.raw(f"UPDATE sales_order SET number = 'SO-' || {padded} WHERE number IS NULL")
    return order_ids


async def _insert_lines_history_and_comments(
    rng: random.Random, plans: list[_PlannedOrder], order_ids: dict[uuid.UUID, int]
) -> list[int]:
    """Each order's lines, its status history, and for one in four a comment from the
    buyer and the brand's answer. The lines' ids, in the orders' and lines' order."""
    order_lines: list[OrderLine] = []
    history: list[OrderStatusChange] = []
    comments: list[OrderComment] = []
    for plan in plans:
        order_id = order_ids[plan.uuid]
        shipped_share = {"partially_shipped": 0.5, "shipped": 1, "delivered": 1}.get(plan.status, 0)
        order_lines += [_line_row(order_id, line, shipped_share) for line in plan.lines]
        steps = ("draft", *plan.path)
        for index, step in enumerate(steps):
            by = plan.placer if index == 0 or step in BUYER_STEPS else plan.brand_user
            history.append(
                OrderStatusChange(
                    order=order_id,
                    from_status=steps[index - 1] if index else None,
                    to_status=step,
                    changed_by=by,
                    changed_at=plan.moments[index],
                    note="库存不足 / out of stock" if step == "rejected" else "",
                )
            )
        if rng.random() < 0.25:
            for offset, author in enumerate((plan.placer, plan.brand_user)):
                comments.append(
                    OrderComment(
                        uuid=seeded_uuid(rng),
                        order=order_id,
                        author=author,
                        body=rng.choice(DEMO_ORDER_COMMENTS),
                        created_at=plan.moments[0] + timedelta(hours=2 + offset * 5),
                    )
                )
    line_ids: list[int] = []
    for start in range(0, len(order_lines), 500):
        rows = await OrderLine.insert(*order_lines[start : start + 500]).returning(OrderLine.id)
        line_ids += [row["id"] for row in rows]
    for start in range(0, len(history), 500):
        await OrderStatusChange.insert(*history[start : start + 500]).run()
    if comments:
        await OrderComment.insert(*comments).run()
    return line_ids


def _line_row(order_id: int, line: dict[str, Any], shipped_share: float) -> OrderLine:
    sku = line["sku"]
    return OrderLine(
        order=order_id,
        sku=sku["id"],
        style=sku["style"],
        colourway=sku["colourway"],
        size=sku["size"],
        quantity=line["quantity"],
        unit_price=line["price"].wholesale,
        discount_percent=line["discount"],
        volume_discount_percent=line["discount"],
        price_list=line["price"].price_list_id,
        line_total=line["total"],
        shipped_quantity=int(line["quantity"] * shipped_share),
    )


async def _insert_shipments(
    rng: random.Random,
    plans: list[_PlannedOrder],
    order_ids: dict[uuid.UUID, int],
    line_ids: list[int],
) -> int:
    """One shipment per shipped order for what has gone out (half of each line of a
    partly shipped one); how many."""
    shipments: list[Shipment] = []
    shipped_lines: list[tuple[uuid.UUID, int, int]] = []
    cursor = 0
    for plan in plans:
        ids = line_ids[cursor : cursor + len(plan.lines)]
        cursor += len(plan.lines)
        if plan.status not in ("partially_shipped", "shipped", "delivered"):
            continue
        shipment_uuid = seeded_uuid(rng)
        step = "partially_shipped" if plan.status == "partially_shipped" else "shipped"
        shipped_at = plan.moments[plan.path.index(step) + 1]
        shipments.append(
            Shipment(
                uuid=shipment_uuid,
                order=order_ids[plan.uuid],
                carrier=rng.choice(DEMO_CARRIERS),
                tracking_number=f"{rng.randint(10**11, 10**12 - 1)}",
                shipped_on=shipped_at.date(),
                created_by=plan.brand_user,
                created_at=shipped_at,
            )
        )
        share = 0.5 if plan.status == "partially_shipped" else 1
        for line_id, line in zip(ids, plan.lines, strict=True):
            if int(line["quantity"] * share):
                shipped_lines.append((shipment_uuid, line_id, int(line["quantity"] * share)))
    shipment_ids: dict[uuid.UUID, int] = {}
    for start in range(0, len(shipments), 200):
        shipment_ids |= await insert_returning_ids(Shipment, shipments[start : start + 200])
    for start in range(0, len(shipped_lines), 500):
        await ShipmentLine.insert(
            *[
                ShipmentLine(shipment=shipment_ids[shipment], order_line=line_id, quantity=quantity)
                for shipment, line_id, quantity in shipped_lines[start : start + 500]
            ]
        ).run()
    return len(shipments)


async def _insert_change_requests(
    rng: random.Random, plans: list[_PlannedOrder], order_ids: dict[uuid.UUID, int]
) -> int:
    """Buyers asking for more of the first line of a few open orders; most wait for the
    brand, some were declined (so the lines stay as ordered). How many."""
    requests: list[ChangeRequest] = []
    for plan in plans:
        first_line = plan.lines[0]
        if plan.status in ("submitted", "confirmed") and rng.random() < 0.25:
            before = first_line["quantity"]
            decided = rng.random() < 0.3
            requests.append(
                ChangeRequest(
                    uuid=seeded_uuid(rng),
                    order=order_ids[plan.uuid],
                    requested_by=plan.placer,
                    requested_at=plan.moments[-1] + timedelta(hours=3),
                    reason=rng.choice(
                        ("卖得很好，想加单。", "판매가 좋아 추가 주문합니다.", "Selling well")
                    ),
                    changes=json.dumps(
                        {
                            "quantities": {str(first_line["sku"]["id"]): [before, before + 12]},
                            "requested_ship_date": None,
                        }
                    ),
                    order_version=len(plan.path) + 1,
                    status="declined" if decided else "pending",
                    decided_by=plan.brand_user if decided else None,
                    decided_at=plan.moments[-1] + timedelta(days=1) if decided else None,
                    decision_note="产能已满 / capacity is full" if decided else "",
                )
            )
    if requests:
        await ChangeRequest.insert(*requests).run()
    return len(requests)


def _recently_moved(moments: list[datetime], now: datetime, pace: random.Random) -> list[datetime]:
    """An open order's moments shifted so that its last move was a few days ago; one in
    twelve has waited two to six weeks. A brand's open orders mostly move along: a demo
    where half of them wait for months floods the stuck-order rule on its first run.
    (``pace`` is the order's own generator, so the rest of the demo stays as it was.)"""
    waited = pace.uniform(15, 40) if pace.random() < 1 / 12 else pace.uniform(0.2, 10)
    shift = now - timedelta(days=waited) - moments[-1]
    if shift <= timedelta(0):
        return moments
    return [moment + shift for moment in moments]
