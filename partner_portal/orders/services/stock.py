"""Availability that moves: a submitted order holds at-once stock (ATS) of each SKU, or
pre-book capacity of a SKU in a delivery window; a pending change request holds the pieces
it adds; cancellations, rejections and declined requests give them back; shipments take
the shipped pieces out of stock.

``stock_reservation`` rows say what each order (and each pending change request) holds;
``sku_stock.reserved`` and ``pre_book_availability.booked`` are their sums, changed in the
same transaction. Where the brand's rule blocks overselling (registry.stock_policy), pieces
are taken under row locks: on PostgreSQL ``SELECT ... FOR UPDATE`` in SKU order (a second
buyer waits, then reads what the first left); on SQLite the one writer does the same. So two
buyers racing for the last units cannot both get them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import stock_events
from partner_portal.catalog.tables import (
    DeliveryWindow,
    PreBookAvailability,
    Sku,
    SkuStock,
    StyleStatus,
)
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, is_sqlite
from partner_portal.i18n import gettext as _
from partner_portal.orders.services.rows import OPEN_STATUSES
from partner_portal.orders.tables import (
    ChangeRequest,
    ChangeRequestStatus,
    OrderChannel,
    OrderLine,
    StockReservation,
)
from partner_portal.records import Record
from partner_portal.registries import StockPolicy, registry

# Group and uniform orders are made to order (docs/DOMAIN.md): they take no stock.
STOCK_CHANNELS = frozenset(
    {OrderChannel.distributor, OrderChannel.retailer, OrderChannel.rep_entered}
)

# Where pieces come from: (SKU id, delivery window id), the window None for at-once stock.
Cell = tuple[int, int | None]


@dataclass(frozen=True)
class Shortfall:
    """More pieces wanted of a SKU (at once, or in a window) than are left."""

    sku_id: int
    window_id: int | None
    wanted: int
    left: int


async def sources(
    channel: str, window_start: date | None, window_end: date | None, sku_ids: Iterable[int]
) -> dict[int, int | None]:
    """Where each SKU of an order takes its pieces from: None for at-once stock (an order
    without delivery dates), else the delivery window of the style's season the order's
    dates name. SKUs of a pre-book order whose season has no such window take nothing and
    are left out, as are all SKUs of made-to-order channels."""
    wanted = sorted(set(sku_ids))
    if channel not in STOCK_CHANNELS or not wanted:
        return {}
    if window_start is None:
        return dict.fromkeys(wanted)
    seasons = {
        row["id"]: row["season"]
        for row in await Sku.select(
            Sku.id,
            Sku.style._.season.as_alias("season"),
        ).where(Sku.id.is_in(wanted))
    }
    query = DeliveryWindow.select(DeliveryWindow.id, DeliveryWindow.season).where(
        DeliveryWindow.season.is_in(sorted({s for s in seasons.values() if s is not None}) or [-1])
        & (DeliveryWindow.starts_on == window_start)
    )
    if window_end is not None:
        query = query.where(DeliveryWindow.ends_on == window_end)
    windows = {row["season"]: row["id"] for row in await query}
    return {sku_id: windows[season] for sku_id, season in seasons.items() if season in windows}


def targets(
    where_from: Mapping[int, int | None], quantities: Iterable[tuple[int, int]]
) -> dict[Cell, int]:
    """Pieces to hold per cell: (SKU id, pieces) pairs placed by ``sources``."""
    held: dict[Cell, int] = {}
    for sku_id, quantity in quantities:
        if sku_id in where_from and quantity > 0:
            cell = (sku_id, where_from[sku_id])
            held[cell] = held.get(cell, 0) + quantity
    return held


async def stock_policy() -> StockPolicy:
    return await registry.stock_policy_in_force()


async def left_for(cells: Iterable[Cell], lock: bool = False) -> dict[Cell, int]:
    """Pieces left per cell: on hand less reserved at once, capacity less booked in a
    window (no row: none). With ``lock`` (inside a write transaction) the rows stay locked
    until it ends, read in SKU order so that two takers never wait on each other."""
    wanted = sorted(set(cells), key=lambda cell: (cell[1] or 0, cell[0]))
    left = dict.fromkeys(wanted, 0)
    at_once = [sku_id for sku_id, window_id in wanted if window_id is None]
    if at_once:
        query = (
            SkuStock.select(SkuStock.sku, SkuStock.at_once, SkuStock.reserved)
            .where(SkuStock.sku.is_in(at_once))
            .order_by(SkuStock.sku)
        )
        for row in await (query.lock_rows() if lock and not is_sqlite() else query):
            left[(row["sku"], None)] = row["at_once"] - row["reserved"]
    pre_book = [cell for cell in wanted if cell[1] is not None]
    for window_id in sorted({window_id for _sku, window_id in pre_book if window_id}):
        query = (
            PreBookAvailability.select(
                PreBookAvailability.sku, PreBookAvailability.quantity, PreBookAvailability.booked
            )
            .where(
                (PreBookAvailability.delivery_window == window_id)
                & PreBookAvailability.sku.is_in(
                    [sku_id for sku_id, cell_window in pre_book if cell_window == window_id]
                )
            )
            .order_by(PreBookAvailability.sku)
        )
        for row in await (query.lock_rows() if lock and not is_sqlite() else query):
            left[(row["sku"], window_id)] = row["quantity"] - row["booked"]
    return left


def shortfalls_in(wanted: Mapping[Cell, int], left: Mapping[Cell, int]) -> list[Shortfall]:
    return [
        Shortfall(sku_id, window_id, quantity, max(left.get((sku_id, window_id), 0), 0))
        for (sku_id, window_id), quantity in sorted(wanted.items(), key=lambda item: item[0][0])
        if quantity > left.get((sku_id, window_id), 0)
    ]


async def shortfalls_for(
    channel: str,
    window_start: date | None,
    window_end: date | None,
    lines: Iterable[tuple[int, int]],
) -> list[Shortfall]:
    """What an order as it stands (a draft, a grid being typed) wants beyond what is left,
    for warnings: (SKU id, pieces) pairs. Nothing is locked or taken."""
    pairs = list(lines)
    where_from = await sources(channel, window_start, window_end, (sku for sku, _q in pairs))
    wanted = targets(where_from, pairs)
    return shortfalls_in(wanted, await left_for(wanted))


@access.checked_by_caller("the order's holds; its callers fetched the order with get_order")
async def hold(
    order_id: int, wanted: Mapping[Cell, int], change_request_id: int | None = None
) -> list[Shortfall]:
    """Make what the order (or one of its change requests) holds exactly ``wanted``.

    Taking more is checked under lock where the brand's rule blocks; the shortfalls found
    are returned and nothing is written, and the caller refuses (rolling back its
    transaction). Giving back always succeeds. Call inside write_transaction()."""
    current = await _held(order_id, change_request_id)
    changes = {
        cell: wanted.get(cell, 0) - current.get(cell, 0)
        for cell in {*wanted, *current}
        if wanted.get(cell, 0) != current.get(cell, 0)
    }
    if not changes:
        return []
    taken = sorted(cell for cell, more in changes.items() if more > 0 and cell[1] is None)
    before = await left_for(taken) if taken else {}
    policy = await stock_policy()
    checked = {
        cell: more
        for cell, more in changes.items()
        if more > 0 and (policy.pre_book_blocks if cell[1] else policy.at_once_blocks)
    }
    if checked:
        short = shortfalls_in(checked, await left_for(checked, lock=True))
        if short:
            return short
    await _count(changes)
    await StockReservation.delete().where(_rows_of(order_id, change_request_id))
    held = [(cell, quantity) for cell, quantity in wanted.items() if quantity > 0]
    if held:
        await StockReservation.insert(
            *[
                StockReservation(
                    order=order_id,
                    change_request=change_request_id,
                    sku=sku_id,
                    delivery_window=window_id,
                    quantity=quantity,
                )
                for (sku_id, window_id), quantity in held
            ]
        )
    if taken:
        after = await left_for(taken)
        await stock_events.tell_low_stock(
            {sku_id: left for (sku_id, _none), left in before.items()},
            {sku_id: left for (sku_id, _none), left in after.items()},
        )
    return []


@access.checked_by_caller("the order's holds; its callers fetched the order with get_order")
async def _held(order_id: int, change_request_id: int | None) -> dict[Cell, int]:
    """What the order (or one of its change requests) holds, per cell."""
    rows = await StockReservation.select(
        StockReservation.sku, StockReservation.delivery_window, StockReservation.quantity
    ).where(_rows_of(order_id, change_request_id))
    held: dict[Cell, int] = {}
    for row in rows:
        cell = (row["sku"], row["delivery_window"])
        held[cell] = held.get(cell, 0) + row["quantity"]
    return held


def _rows_of(order_id: int, change_request_id: int | None) -> Any:
    if change_request_id is None:
        return (StockReservation.order == order_id) & StockReservation.change_request.is_null()
    return (StockReservation.order == order_id) & (
        StockReservation.change_request == change_request_id
    )


async def _count(changes: Mapping[Cell, int], shipped: Mapping[int, int] | None = None) -> None:
    """Add the changes to the reserved and booked figures (one statement per kind), and take
    ``shipped`` pieces (SKU id -> pieces) off the at-once stock on hand. A SKU without a
    figure gets one (nothing on hand, oversold) when a warning rule let it be taken."""
    now = utcnow()
    shipped = shipped or {}
    at_once = {sku_id: more for (sku_id, window_id), more in changes.items() if window_id is None}
    for sku_id in shipped:
        at_once.setdefault(sku_id, 0)
    for chunk in _chunks(sorted(at_once.items())):
        await SkuStock.raw(
            "INSERT INTO sku_stock (sku, at_once, reserved, updated_at) VALUES "
            + ", ".join("({}, {}, {}, {})" for _ in chunk)
            + " ON CONFLICT (sku) DO UPDATE SET reserved = sku_stock.reserved + excluded.reserved,"
            " at_once = sku_stock.at_once + excluded.at_once",
            *[
                value
                for sku_id, more in chunk
                for value in (sku_id, -shipped.get(sku_id, 0), more, now)
            ],
        )
    pre_book = sorted((cell, more) for cell, more in changes.items() if cell[1] is not None)
    for chunk in _chunks(pre_book):
        await PreBookAvailability.raw(
            "INSERT INTO pre_book_availability (sku, delivery_window, quantity, booked, updated_at)"
            " VALUES "
            + ", ".join("({}, {}, 0, {}, {})" for _ in chunk)
            + " ON CONFLICT (sku, delivery_window) DO UPDATE"
            " SET booked = pre_book_availability.booked + excluded.booked",
            *[
                value
                for (sku_id, window_id), more in chunk
                for value in (sku_id, window_id, more, now)
            ],
        )


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    # Databases cap the values one statement may carry.
    for start in range(0, len(items), size):
        yield items[start : start + size]


@access.checked_by_caller("the order's lines; its callers fetched the order with get_order")
async def lines_held(order_id: int, where_from: Mapping[int, int | None]) -> dict[Cell, int]:
    """What an order's lines should hold: the pieces not yet shipped."""
    lines = await OrderLine.select(
        OrderLine.sku, OrderLine.quantity, OrderLine.shipped_quantity
    ).where(OrderLine.order == order_id)
    return targets(
        where_from, ((line["sku"], line["quantity"] - line["shipped_quantity"]) for line in lines)
    )


@access.checked_by_caller("the order's holds; its callers fetched the order with get_order")
async def oversold_by_request(order_id: int, change_request_id: int) -> list[Shortfall]:
    """What a pending change request holds beyond what is left (taken all the same where
    the brand's rule only warns): each such cell, the pieces it holds and what was left
    for it."""
    held = await _held(order_id, change_request_id)
    left = await left_for(held)
    return [
        Shortfall(sku_id, window_id, quantity, max(left[(sku_id, window_id)] + quantity, 0))
        for (sku_id, window_id), quantity in sorted(
            held.items(), key=lambda item: (item[0][0], item[0][1] or 0)
        )
        if left[(sku_id, window_id)] < 0
    ]


@access.checked_by_caller("the order's holds; its callers fetched the order with get_order")
async def release_all(order_id: int) -> None:
    """Give back everything an order and its change requests hold (cancelled, rejected)."""
    rows = await StockReservation.select(
        StockReservation.sku, StockReservation.delivery_window, StockReservation.quantity
    ).where(StockReservation.order == order_id)
    changes: dict[Cell, int] = {}
    for row in rows:
        cell = (row["sku"], row["delivery_window"])
        changes[cell] = changes.get(cell, 0) - row["quantity"]
    if changes:
        await _count(changes)
        await StockReservation.delete().where(StockReservation.order == order_id)


@access.checked_by_caller("the order's holds; its callers fetched the order with get_order")
async def ship(order_id: int, shipped: Mapping[int, int]) -> None:
    """Shipped pieces (SKU id -> pieces) leave the order's holds; at-once ones leave the
    stock on hand too (the next figures from the ERP say the same). Pre-booked capacity
    stays used."""
    rows = await StockReservation.select(
        StockReservation.id,
        StockReservation.sku,
        StockReservation.delivery_window,
        StockReservation.quantity,
    ).where(_rows_of(order_id, None) & StockReservation.sku.is_in(sorted(shipped) or [-1]))
    changes: dict[Cell, int] = {}
    left_to_ship = dict(shipped)
    for row in rows:
        pieces = min(row["quantity"], left_to_ship.get(row["sku"], 0))
        if not pieces:
            continue
        left_to_ship[row["sku"]] -= pieces
        await StockReservation.update(
            {StockReservation.quantity: StockReservation.quantity - pieces}
        ).where(StockReservation.id == row["id"])
        if row["delivery_window"] is None:
            changes[(row["sku"], None)] = changes.get((row["sku"], None), 0) - pieces
    await StockReservation.delete().where(
        _rows_of(order_id, None) & (StockReservation.quantity <= 0)
    )
    if changes:
        await _count(changes, shipped={sku_id: -more for (sku_id, _w), more in changes.items()})


async def shortfall_messages(shortfalls: Iterable[Shortfall]) -> list[str]:
    """What the buyer reads: the item, the pieces wanted and what is left (two queries)."""
    short = list(shortfalls)
    skus = {
        row["id"]: row
        for row in await Sku.select(
            Sku.id,
            Sku.style._.code.as_alias("style_code"),
            Sku.colourway._.code.as_alias("colour_code"),
            Sku.size._.label.as_alias("size_label"),
        ).where(Sku.id.is_in([item.sku_id for item in short] or [-1]))
    }
    windows = {
        row["id"]: row["name"]
        for row in await DeliveryWindow.select(DeliveryWindow.id, DeliveryWindow.name).where(
            DeliveryWindow.id.is_in([item.window_id for item in short if item.window_id] or [-1])
        )
    }
    messages = []
    for item in short:
        sku = skus.get(item.sku_id, {"style_code": "?", "colour_code": "", "size_label": ""})
        item_name = f"{sku['style_code']} {sku['colour_code']} {sku['size_label']}".strip()
        if item.window_id is None:
            messages.append(
                _(
                    "%(item)s: %(wanted)s pieces wanted, %(left)s left to ship at once.",
                    item=item_name,
                    wanted=item.wanted,
                    left=item.left,
                )
            )
        else:
            messages.append(
                _(
                    "%(item)s: %(wanted)s pieces wanted, %(left)s left to pre-book in %(window)s.",
                    item=item_name,
                    wanted=item.wanted,
                    left=item.left,
                    window=windows.get(item.window_id, ""),
                )
            )
    return messages


def recount_statements() -> list[str]:
    """SQL making every hold and figure what the open orders say (the same rule as
    ``sources``), for data written around the services: the migration that brought holds
    in, and (with the holds of pending change requests, see ``recount``) the demo's
    bulk-inserted orders. Plain SQL naming only columns that existed when that migration
    was written, so the migration keeps working as the code moves on."""
    return [*_order_hold_statements(), *_figure_statements()]


def _order_hold_statements() -> list[str]:
    """SQL replacing every hold by what the open orders' lines still need."""
    statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    channels = ", ".join(f"'{channel}'" for channel in sorted(STOCK_CHANNELS))
    still_to_ship = "SUM(l.quantity - l.shipped_quantity)"
    open_lines = (
        'FROM sales_order_line l JOIN sales_order o ON o.id = l."order" '
        f"WHERE o.status IN ({statuses}) AND o.channel IN ({channels})"
    )
    return [
        "DELETE FROM stock_reservation",
        'INSERT INTO stock_reservation ("order", sku, quantity) '
        f'SELECT l."order", l.sku, {still_to_ship} {open_lines} '
        "AND o.delivery_window_start IS NULL "
        f'GROUP BY l."order", l.sku HAVING {still_to_ship} > 0',
        'INSERT INTO stock_reservation ("order", sku, delivery_window, quantity) '
        f'SELECT l."order", l.sku, w.id, {still_to_ship} '
        'FROM sales_order_line l JOIN sales_order o ON o.id = l."order" '
        "JOIN style s ON s.id = l.style "
        "JOIN delivery_window w ON w.season = s.season AND w.starts_on = o.delivery_window_start "
        "AND (o.delivery_window_end IS NULL OR w.ends_on = o.delivery_window_end) "
        f"WHERE o.status IN ({statuses}) AND o.channel IN ({channels}) "
        f'GROUP BY l."order", l.sku, w.id HAVING {still_to_ship} > 0',
    ]


def _figure_statements() -> list[str]:
    """SQL making sku_stock.reserved and pre_book_availability.booked the sums of the holds
    (and adding the rows a hold needs)."""
    return [
        "INSERT INTO sku_stock (sku, at_once, reserved, updated_at) "
        "SELECT r.sku, 0, 0, CURRENT_TIMESTAMP FROM stock_reservation r "
        "WHERE r.delivery_window IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM sku_stock k WHERE k.sku = r.sku) GROUP BY r.sku",
        "UPDATE sku_stock SET reserved = COALESCE((SELECT SUM(r.quantity) "
        "FROM stock_reservation r WHERE r.sku = sku_stock.sku AND r.delivery_window IS NULL), 0)",
        "INSERT INTO pre_book_availability (sku, delivery_window, quantity, booked, updated_at) "
        "SELECT r.sku, r.delivery_window, 0, 0, CURRENT_TIMESTAMP FROM stock_reservation r "
        "WHERE r.delivery_window IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        "pre_book_availability p WHERE p.sku = r.sku AND p.delivery_window = r.delivery_window) "
        "GROUP BY r.sku, r.delivery_window",
        "UPDATE pre_book_availability SET booked = COALESCE((SELECT SUM(r.quantity) "
        "FROM stock_reservation r WHERE r.sku = pre_book_availability.sku "
        "AND r.delivery_window = pre_book_availability.delivery_window), 0)",
    ]


@access.system_query("every open order's holds, recounted after a bulk load")
async def recount() -> None:
    """Make every hold and figure what the open orders and their pending change requests
    say. Call inside write_transaction()."""
    for statement in _order_hold_statements():
        await StockReservation.raw(statement)
    await _hold_pending_changes()
    for statement in _figure_statements():
        await StockReservation.raw(statement)


@access.system_query("every pending change request's holds, recounted after a bulk load")
async def _hold_pending_changes() -> None:
    """Hold, under each pending change request of an open order, the pieces it adds (as
    request_change does). The changes are JSON, read here rather than in SQL."""
    requests = await ChangeRequest.select(
        ChangeRequest.id,
        ChangeRequest.order,
        ChangeRequest.changes,
        ChangeRequest.order._.channel.as_alias("channel"),
        ChangeRequest.order._.delivery_window_start.as_alias("window_start"),
        ChangeRequest.order._.delivery_window_end.as_alias("window_end"),
    ).where(
        (ChangeRequest.status == ChangeRequestStatus.pending)
        & ChangeRequest.order._.status.is_in(list(OPEN_STATUSES))
    )
    holds: list[StockReservation] = []
    for request in requests:
        changes = request["changes"]
        if isinstance(changes, str):
            changes = json.loads(changes)
        added = [
            (int(sku), after - before)
            for sku, (before, after) in (changes.get("quantities") or {}).items()
        ]
        where_from = await sources(
            request["channel"],
            request["window_start"],
            request["window_end"],
            (sku for sku, _more in added),
        )
        holds += [
            StockReservation(
                order=request["order"],
                change_request=request["id"],
                sku=sku_id,
                delivery_window=window_id,
                quantity=quantity,
            )
            for (sku_id, window_id), quantity in targets(where_from, added).items()
        ]
    if holds:
        await StockReservation.insert(*holds)


# ---------------------------------------------------------------------------
# The brand's stock page

STOCK_PAGE_ROWS = 200


class StockRow(Record, frozen=True):
    """One SKU: on hand, reserved by submitted orders, available (negative: oversold),
    pre-booked into delivery windows (on order) and the capacity still open."""

    sku: int
    style_code: str
    colour_code: str
    size_label: str
    size_position: int
    barcode: str | None
    on_hand: int = 0
    reserved: int = 0
    on_order: int = 0
    pre_book_left: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


async def stock_rows(viewer: Viewer, search: str = "") -> list[StockRow]:
    """The first 200 SKUs of active styles (by style code, colour, size) matching the
    search, with their figures: three queries."""
    access.require(viewer, Action.manage_catalog)
    query = Sku.select(
        Sku.id.as_alias("sku"),
        Sku.barcode,
        Sku.style._.code.as_alias("style_code"),
        Sku.colourway._.code.as_alias("colour_code"),
        Sku.size._.label.as_alias("size_label"),
        Sku.size._.position.as_alias("size_position"),
    ).where(Sku.style._.status == StyleStatus.active)
    if search:
        query = query.where(contains_text(Sku.style._.code, search))
    skus = await query.order_by(Sku.style._.code).order_by(Sku.id).limit(STOCK_PAGE_ROWS)
    ids = [row["sku"] for row in skus] or [-1]
    figures: dict[int, dict[str, int]] = {row["sku"]: {} for row in skus}
    for row in await SkuStock.select(SkuStock.sku, SkuStock.at_once, SkuStock.reserved).where(
        SkuStock.sku.is_in(ids)
    ):
        figures[row["sku"]].update(on_hand=row["at_once"], reserved=row["reserved"])
    for row in await PreBookAvailability.select(
        PreBookAvailability.sku, PreBookAvailability.quantity, PreBookAvailability.booked
    ).where(PreBookAvailability.sku.is_in(ids)):
        own = figures[row["sku"]]
        own["on_order"] = own.get("on_order", 0) + row["booked"]
        own["pre_book_left"] = own.get("pre_book_left", 0) + max(row["quantity"] - row["booked"], 0)
    rows = [StockRow.from_row({**row, **figures[row["sku"]]}) for row in skus]
    rows.sort(key=lambda row: (row.style_code, row.colour_code, row.size_position))
    return rows
