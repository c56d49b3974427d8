"""How the demo season is sold: delivery windows, prepacks, volume breaks, big-size prices,
one distributor's agreed prices, and availability (stock at once and pre-book per window)."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from partner_portal.catalog.tables import (
    DeliveryWindow,
    PreBookAvailability,
    Prepack,
    PrepackSize,
    Price,
    PriceList,
    Size,
    Sku,
    SkuStock,
    Style,
    VolumeBreak,
)
from partner_portal.demo.people import seeded_uuid
from partner_portal.partners.tables import Organisation, OrganisationKind

# Drops of SS27 that pre-books are delivered in.
DELIVERY_WINDOWS = (
    ("Drop 1 第一波", date(2027, 1, 15), date(2027, 1, 31)),
    ("Drop 2 第二波", date(2027, 2, 15), date(2027, 2, 28)),
    ("Drop 3 第三波", date(2027, 3, 15), date(2027, 3, 31)),
)
# (scale, name, pieces per size label)
PREPACKS = (
    ("ALPHA", "1-2-2-1", {"S": 1, "M": 2, "L": 2, "XL": 1}),
    ("ALPHA", "1-2-3-2-1", {"XS": 1, "S": 2, "M": 3, "L": 2, "XL": 1}),
    ("GB-TOPS", "1-2-2-1", {"165/84A": 1, "170/88A": 2, "175/92A": 2, "180/96A": 1}),
    ("GB-BOTTOMS", "1-2-2-1", {"165/72A": 1, "170/76A": 2, "175/80A": 2, "180/84A": 1}),
)
# (from units of one style, percent off) on every tier list
VOLUME_BREAKS = ((500, "3"), (1000, "5"), (2000, "8"))
# Big sizes cost more to make: their own price on every list, this much above the style's.
BIG_SIZES = ("XXL", "3XL")
BIG_SIZE_MARKUP = "1.10"


async def load_selling_terms(
    rng: random.Random,
    now: datetime,
    season_id: int,
    styles: list[Style],
    style_ids: dict[uuid.UUID, int],
    style_scales: dict[uuid.UUID, str],
    size_ids: dict[str, list[int]],
    scale_ids: dict[str, int],
) -> int:
    """Delivery windows, prepacks, volume breaks, big-size prices, one partner's own list
    and availability for every SKU of an active style; how many prepacks."""
    window_ids = [
        (
            await DeliveryWindow.insert(
                DeliveryWindow(
                    uuid=seeded_uuid(rng), season=season_id, name=name, starts_on=start, ends_on=end
                )
            )
            .returning(DeliveryWindow.id)
            .run()
        )[0]["id"]
        for name, start, end in DELIVERY_WINDOWS
    ]
    labels = {row["id"]: row["label"] for row in await Size.select(Size.id, Size.label)}
    size_by_label = {
        (scale, labels[size_id]): size_id for scale, ids in size_ids.items() for size_id in ids
    }
    await _insert_prepacks(rng, now, scale_ids, size_by_label)
    lists = await PriceList.select(PriceList.id, PriceList.tier, PriceList.currency)
    style_prices = await _insert_breaks_and_big_sizes(lists, style_ids, style_scales, size_by_label)
    await _insert_agreed_prices(rng, now, lists, style_prices)
    active = {style_ids[style.uuid] for style in styles if style.status == "active"}
    await _insert_availability(rng, now, active, window_ids)
    return len(PREPACKS)


async def _insert_prepacks(
    rng: random.Random,
    now: datetime,
    scale_ids: dict[str, int],
    size_by_label: dict[tuple[str, str], int],
) -> None:
    for scale, name, ratio in PREPACKS:
        prepack_id = (
            await Prepack.insert(
                Prepack(
                    uuid=seeded_uuid(rng),
                    size_scale=scale_ids[scale],
                    name=name,
                    created_at=now - timedelta(days=30),
                )
            )
            .returning(Prepack.id)
            .run()
        )[0]["id"]
        await PrepackSize.insert(
            *(
                PrepackSize(prepack=prepack_id, size=size_by_label[(scale, label)], quantity=count)
                for label, count in ratio.items()
            )
        ).run()


async def _insert_breaks_and_big_sizes(
    lists: list[dict[str, Any]],
    style_ids: dict[uuid.UUID, int],
    style_scales: dict[uuid.UUID, str],
    size_by_label: dict[tuple[str, str], int],
) -> list[dict[str, Any]]:
    """Volume breaks on every tier list and a dearer price of the big sizes on every list;
    the styles' prices for all sizes."""
    tier_lists = [row["id"] for row in lists if row["tier"] is not None]
    await VolumeBreak.insert(
        *(
            VolumeBreak(price_list=list_id, min_quantity=minimum, discount_percent=Decimal(pct))
            for list_id in tier_lists
            for minimum, pct in VOLUME_BREAKS
        )
    ).run()
    style_prices = await Price.select(
        Price.price_list, Price.style, Price.wholesale, Price.suggested_retail
    ).where(Price.size.is_null())
    scale_of = {style_ids[uuid_]: scale for uuid_, scale in style_scales.items()}
    currency_of = {row["id"]: row["currency"] for row in lists}
    big: list[Any] = []
    for row in style_prices:
        scale = scale_of[row["style"]]
        places = Decimal("1") if currency_of[row["price_list"]] == "KRW" else Decimal("0.01")
        for label in BIG_SIZES:
            if (scale, label) in size_by_label:
                big.append(
                    Price(
                        price_list=row["price_list"],
                        style=row["style"],
                        size=size_by_label[(scale, label)],
                        wholesale=(row["wholesale"] * Decimal(BIG_SIZE_MARKUP)).quantize(places),
                        suggested_retail=(
                            row["suggested_retail"] * Decimal(BIG_SIZE_MARKUP)
                        ).quantize(places),
                    )
                )
    await Price.insert(*big).run()
    return style_prices


async def _insert_agreed_prices(
    rng: random.Random,
    now: datetime,
    lists: list[dict[str, Any]],
    style_prices: list[dict[str, Any]],
) -> None:
    """One distributor has agreed prices: 5% under its tier's list on eight styles."""
    partner = (
        await Organisation.select(Organisation.id, Organisation.legal_name, Organisation.tier)
        .where(
            (Organisation.kind == OrganisationKind.distributor) & (Organisation.currency == "CNY")
        )
        .order_by(Organisation.id)
        .first()
    )
    if partner is None:
        return
    own_id = (
        await PriceList.insert(
            PriceList(
                uuid=seeded_uuid(rng),
                name=f"SS27 {partner['legal_name']} 协议价",
                currency="CNY",
                tax_inclusive=True,
                organisation=partner["id"],
                created_at=now - timedelta(days=20),
            )
        )
        .returning(PriceList.id)
        .run()
    )[0]["id"]
    tier_list = next(row["id"] for row in lists if row["tier"] == partner["tier"])
    agreed = [row for row in style_prices if row["price_list"] == tier_list][:8]
    await Price.insert(
        *(
            Price(
                price_list=own_id,
                style=row["style"],
                wholesale=(row["wholesale"] * Decimal("0.95")).quantize(Decimal("0.01")),
                suggested_retail=row["suggested_retail"],
            )
            for row in agreed
        )
    ).run()


async def _insert_availability(
    rng: random.Random, now: datetime, active: set[int], window_ids: list[int]
) -> None:
    """Stock at once and pre-book quantities per delivery window of every active SKU."""
    sku_rows = await Sku.select(Sku.id, Sku.style).order_by(Sku.id)
    stock: list[Any] = []
    pre_book: list[Any] = []
    for sku in sku_rows:
        if sku["style"] not in active:
            continue
        stock.append(
            SkuStock(
                sku=sku["id"], at_once=rng.choice((0, 0, 12, 24, 60, 120, 300)), updated_at=now
            )
        )
        for window_id in window_ids:
            quantity = rng.choice((0, 200, 500, 800, 1500))
            if quantity:
                pre_book.append(
                    PreBookAvailability(
                        sku=sku["id"], delivery_window=window_id, quantity=quantity, updated_at=now
                    )
                )
    for start in range(0, len(stock), 500):
        await SkuStock.insert(*stock[start : start + 500]).run()
    for start in range(0, len(pre_book), 500):
        await PreBookAvailability.insert(*pre_book[start : start + 500]).run()
