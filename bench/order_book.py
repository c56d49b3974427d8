"""The one generator of a big order book for benchmarks (suppliers_requirements.py,
insights_bench.py, and any later order-book benchmark such as bench/orders_bench.py:
use this module, do not write another generator).

    from bench.order_book import OrderBookSpec, generate_order_book
    summary = await generate_order_book(OrderBookSpec(buyers=2000, order_lines=2_000_000))

It writes, outside the ORM (executemany on SQLite, COPY on PostgreSQL), in chunks so that
2,000,000 lines never sit in memory at once:

- ``buyers`` real partner organisations (kinds distributor / retailer / group_client,
  tiers, mostly active with some dormant and churned, owned by the database's KAM users
  when there are any, e.g. the demo KAMs; about two thirds with one or two territories);
- a catalogue: one season per half-year of the span, ``styles`` styles with ``colours``
  colourways and ``sizes`` sizes each (one SKU per colour and size);
- ``order_lines`` order lines in orders of ``lines_per_order`` lines, in every status of
  OrderStatus (weights ``status_weights``). Closed orders (delivered, shipped, cancelled,
  rejected) are submitted over the whole ``span_days``; open ones (draft ... partially
  shipped) in the last ``open_days`` with a requested ship date 7-190 days ahead. Prices
  are in the buyer's currency (CNY, KRW for Korean partners, some USD), lines carry their
  discount and line total, orders their totals, and shipped quantities follow the status.

Row ids continue after the largest id of each table, so it runs on top of the demo data.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

ORDER_STATUSES = (
    "draft",
    "submitted",
    "confirmed",
    "in_production",
    "partially_shipped",
    "shipped",
    "delivered",
    "cancelled",
    "rejected",
)
OPEN_STATUSES = frozenset({"draft", "submitted", "confirmed", "in_production", "partially_shipped"})
DEFAULT_STATUS_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("draft", 2),
    ("submitted", 4),
    ("confirmed", 5),
    ("in_production", 4),
    ("partially_shipped", 2),
    ("shipped", 4),
    ("delivered", 70),
    ("cancelled", 6),
    ("rejected", 3),
)
KIND_WEIGHTS = (("distributor", 25), ("retailer", 60), ("group_client", 15))
CHANNEL_OF_KIND = {"distributor": "distributor", "retailer": "retailer", "group_client": "group"}
TIERS = (("standard", 50), ("silver", 28), ("gold", 15), ("platinum", 7))
PARTNER_STATUSES = (("active", 86), ("dormant", 8), ("churned", 6))
REGIONS_CN = ("CN-SH", "CN-BJ", "CN-GD", "CN-ZJ", "CN-JS", "CN-SC", "CN-CQ", "CN-HB", "CN-FJ")
REGIONS_KR = ("KR-11", "KR-26", "KR-41", "KR-28", "KR-27")
# Units of the buyer's currency per CNY, for believable prices in each currency.
PRICE_FACTOR = {"CNY": Decimal(1), "KRW": Decimal(190), "USD": Decimal("0.14")}
CHUNK_LINES = 100_000
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class OrderBookSpec:
    buyers: int = 50
    styles: int = 500
    colours: tuple[str, ...] = ("BLK", "NVY")
    sizes: tuple[str, ...] = ("S", "M", "L", "XL", "XXL")
    order_lines: int = 2_000_000
    lines_per_order: int = 20
    span_days: int = 360  # closed orders are submitted over this many days before now
    open_days: int = 20  # open orders are submitted over this many days before now
    status_weights: tuple[tuple[str, int], ...] = DEFAULT_STATUS_WEIGHTS
    seed: int = 6
    prefix: str = "B"  # style codes, season codes and order numbers start with it


@dataclass
class OrderBook:
    """What was written: the generated ids (for callers that add their own rows)."""

    buyer_ids: list[int]
    style_ids: list[int]
    size_ids: list[int]
    season_ids: list[int]
    orders: int
    lines: int
    seconds: float


class BulkWriter:
    """Bulk inserts of plain tuples: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite: sqlite3.Connection | None = None
        self.pg: Any = None
        self.touched: set[str] = set()

    async def open(self) -> None:
        if self.url.startswith("sqlite"):
            sqlite3.register_adapter(Decimal, str)
            sqlite3.register_adapter(datetime, lambda moment: moment.isoformat(sep=" "))
            sqlite3.register_adapter(date, lambda day: day.isoformat())
            path = self.url.removeprefix("sqlite:///")
            self.sqlite = sqlite3.connect(path)
            self.sqlite.execute("BEGIN")
        else:
            import asyncpg

            self.pg = await asyncpg.connect(self.url)

    async def max_id(self, table: str) -> int:
        sql = f'SELECT COALESCE(MAX(id), 0) FROM "{table}"'
        if self.sqlite is not None:
            return int(self.sqlite.execute(sql).fetchone()[0])
        return int(await self.pg.fetchval(sql))

    async def ids(self, sql: str) -> list[int]:
        if self.sqlite is not None:
            return [int(row[0]) for row in self.sqlite.execute(sql).fetchall()]
        return [int(row[0]) for row in await self.pg.fetch(sql)]

    async def write(self, table: str, columns: list[str], values: list[tuple[Any, ...]]) -> None:
        if not values:
            return
        self.touched.add(table)
        if self.sqlite is not None:
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            self.sqlite.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        else:
            await self.pg.copy_records_to_table(table, records=values, columns=columns)

    async def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.commit()
            self.sqlite.close()
            return
        for table in sorted(self.touched):
            await self.pg.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{table}"))'
            )
        await self.pg.execute("ANALYZE")
        await self.pg.close()


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in pairs], [weight for _, weight in pairs])[0]


async def generate_order_book(
    spec: OrderBookSpec, url: str | None = None, now: datetime | None = None
) -> OrderBook:
    """Write the partners, catalogue and order book of ``spec`` into the (migrated) database
    ``url`` (default: DATABASE_URL)."""
    url = url or os.environ["DATABASE_URL"]
    started = time.perf_counter()
    rng = random.Random(spec.seed)
    now = now or datetime.now(UTC)
    today = now.date()
    writer = BulkWriter(url)
    await writer.open()

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    try:
        kams = await writer.ids(
            "SELECT u.id FROM app_user u JOIN organisation o ON o.id = u.organisation "
            "WHERE u.role = 'kam' AND o.kind = 'brand' ORDER BY u.id"
        )
        # Partners.
        first_org = await writer.max_id("organisation") + 1
        buyers: list[tuple[int, str, str, str]] = []  # id, kind, currency, channel
        organisations, territories = [], []
        territory_id = await writer.max_id("territory")
        for number in range(spec.buyers):
            org_id = first_org + number
            kind = _weighted(rng, KIND_WEIGHTS)
            korean = rng.random() < 0.25
            country = "KR" if korean else "CN"
            currency = "KRW" if korean else ("USD" if rng.random() < 0.1 else "CNY")
            created = now - timedelta(days=spec.span_days + rng.randint(0, 400))
            organisations.append(
                (org_id, uid(), kind, f"{spec.prefix} Bench {kind} {number + 1}",
                 f"Bench {kind} {number + 1}", country, currency, "ko" if korean else "zh_Hans",
                 _weighted(rng, TIERS), _weighted(rng, PARTNER_STATUSES),
                 rng.choice(kams) if kams else None, f"p{number + 1}@orderbook.bench.demo",
                 created, created, 1)
            )  # fmt: skip
            buyers.append((org_id, kind, currency, CHANNEL_OF_KIND[kind]))
            if rng.random() < 0.67:
                regions = REGIONS_KR if korean else REGIONS_CN
                for region in rng.sample(regions, rng.choice((1, 1, 2))):
                    territory_id += 1
                    territories.append((territory_id, org_id, region))
        await writer.write(
            "organisation",
            ["id", "uuid", "kind", "legal_name", "english_name", "country", "currency", "language",
             "tier", "status", "owner", "email", "created_at", "updated_at", "version"],
            organisations,
        )  # fmt: skip
        await writer.write("territory", ["id", "organisation", "region_code"], territories)

        # Catalogue: one season per half-year of the span, styles spread over them.
        first_season = await writer.max_id("season") + 1
        half_years = max(1, -(-spec.span_days // 182))
        seasons = []
        for index in range(half_years):
            start = today - timedelta(days=182 * (half_years - index))
            seasons.append(
                (first_season + index, uid(), f"{spec.prefix}{start:%y}{'SS' if start.month < 7 else 'AW'}{index}",
                 f"Bench season {index + 1}", now)
            )  # fmt: skip
        await writer.write("season", ["id", "uuid", "code", "name", "created_at"], seasons)
        scale = await writer.max_id("size_scale") + 1
        await writer.write(
            "size_scale",
            ["id", "uuid", "code", "name", "kind"],
            [(scale, uid(), f"{spec.prefix}-BENCH-{scale}", "Bench", "alpha")],
        )
        first_size = await writer.max_id("size") + 1
        await writer.write(
            "size",
            ["id", "size_scale", "label", "position"],
            [(first_size + i, scale, label, i + 1) for i, label in enumerate(spec.sizes)],
        )
        first_style = await writer.max_id("style") + 1
        style_ids = list(range(first_style, first_style + spec.styles))
        style_price = {style: Decimal(rng.randrange(60, 400)) for style in style_ids}
        await writer.write(
            "style",
            ["id", "uuid", "code", "season", "category", "gender", "name_en", "size_scale",
             "status", "created_at", "updated_at", "version"],
            [(style, uid(), f"{spec.prefix}-{style - first_style + 1:04d}",
              seasons[(style - first_style) % len(seasons)][0], "shirts", "unisex",
              f"Bench style {style - first_style + 1}", scale, "active", now, now, 1)
             for style in style_ids],
        )  # fmt: skip
        first_colour = await writer.max_id("colourway") + 1
        first_sku = await writer.max_id("sku") + 1
        colourways: list[tuple[Any, ...]] = []
        skus: list[tuple[Any, ...]] = []
        for style in style_ids:
            for c, code in enumerate(spec.colours):
                colour_id = first_colour + (style - first_style) * len(spec.colours) + c
                colourways.append((colour_id, uid(), style, code, code))
                for s in range(len(spec.sizes)):
                    skus.append((first_sku + len(skus), uid(), style, colour_id, first_size + s))
        await writer.write("colourway", ["id", "uuid", "style", "code", "name"], colourways)
        await writer.write("sku", ["id", "uuid", "style", "colourway", "size"], skus)

        # Orders and lines, written in chunks.
        first_order = await writer.max_id("sales_order") + 1
        first_line = await writer.max_id("sales_order_line") + 1
        orders_total = spec.order_lines // spec.lines_per_order
        season_starts = [
            (today - timedelta(days=182 * (half_years - index)), seasons[index][0])
            for index in range(half_years)
        ]
        line_id = first_line
        written_lines = 0
        for chunk in _chunks(orders_total, max(1, CHUNK_LINES // spec.lines_per_order)):
            orders, lines = [], []
            for number in chunk:
                order_id = first_order + number
                buyer, _kind, currency, channel = rng.choice(buyers)
                status = _weighted(rng, spec.status_weights)
                if status in OPEN_STATUSES:
                    submitted = now - timedelta(seconds=rng.uniform(0, spec.open_days * 86_400))
                    ship: date | None = today + timedelta(days=rng.randint(7, 190))
                else:
                    submitted = now - timedelta(
                        seconds=rng.uniform(86_400, spec.span_days * 86_400)
                    )
                    ship = submitted.date() + timedelta(days=rng.randint(20, 120))
                changed = min(now, submitted + timedelta(days=rng.randint(0, 60)))
                day = submitted.date()
                season = next(
                    (sid for start, sid in reversed(season_starts) if start <= day),
                    season_starts[0][1],
                )
                factor = PRICE_FACTOR[currency]
                discount = Decimal(rng.choice((0, 0, 0, 5, 10)))
                quantity_total, subtotal, total = 0, Decimal(0), Decimal(0)
                for _ in range(spec.lines_per_order):
                    sku_id, _u, style, colour, size = skus[rng.randrange(len(skus))]
                    quantity = rng.randint(6, 60)
                    price = (style_price[style] * factor).quantize(Decimal("0.01"))
                    gross = price * quantity
                    line_total = (gross * (HUNDRED - discount) / HUNDRED).quantize(Decimal("0.01"))
                    if status in ("shipped", "delivered"):
                        shipped = quantity
                    elif status == "partially_shipped":
                        shipped = rng.randint(0, quantity)
                    else:
                        shipped = 0
                    lines.append(
                        (line_id, order_id, sku_id, style, colour, size, quantity, price, discount,
                         line_total, shipped)
                    )  # fmt: skip
                    line_id += 1
                    quantity_total += quantity
                    subtotal += gross
                    total += line_total
                orders.append(
                    (order_id, uid(), f"{spec.prefix}O-{order_id:08d}", buyer, channel, status,
                     currency, season, "", ship, "", "", quantity_total, subtotal,
                     subtotal - total, total, None if status == "draft" else submitted,
                     changed, submitted, changed, 1)
                )  # fmt: skip
            await writer.write(
                "sales_order",
                ["id", "uuid", "number", "buyer", "channel", "status", "currency", "season",
                 "price_list_name", "requested_ship_date", "ship_to", "customer_po",
                 "total_quantity", "subtotal", "discount_total", "total", "submitted_at",
                 "status_changed_at", "created_at", "updated_at", "version"],
                orders,
            )  # fmt: skip
            await writer.write(
                "sales_order_line",
                ["id", "order", "sku", "style", "colourway", "size", "quantity", "unit_price",
                 "discount_percent", "line_total", "shipped_quantity"],
                lines,
            )  # fmt: skip
            written_lines += len(lines)
    finally:
        await writer.close()
    return OrderBook(
        buyer_ids=[buyer[0] for buyer in buyers],
        style_ids=style_ids,
        size_ids=[first_size + i for i in range(len(spec.sizes))],
        season_ids=[season[0] for season in seasons],
        orders=orders_total,
        lines=written_lines,
        seconds=time.perf_counter() - started,
    )


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))
