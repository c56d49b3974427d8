"""Orderable styles for the order book tests: one season, a size scale, styles with
colourways and SKUs, and price lists in CNY (gold and any tier) and KRW (silver)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from partner_portal.catalog import services as catalog
from partner_portal.catalog.tables import Colourway, Price, Size, Sku, Style
from partner_portal.clock import utcnow
from partner_portal.orders.services import LineRequest

SIZES = ("S", "M", "L")
COLOURS = ("BLK", "WHT")


@dataclass
class OrderableStyle:
    id: int
    uuid: Any
    code: str
    # (colour code, size label) -> sku id
    skus: dict[tuple[str, str], int] = field(default_factory=dict)

    def line(self, colour: str, size: str, quantity: int) -> LineRequest:
        return LineRequest(self.skus[(colour, size)], quantity)


@dataclass
class Shop:
    styles: list[OrderableStyle]
    cny_gold_list: int
    cny_any_list: int
    krw_list: int
    season_id: int


async def make_shop(style_count: int = 2) -> Shop:
    """Styles SS27-001... priced CNY 100/120/... for gold, 110/130/... for other tiers,
    KRW 20000/22000/... for silver partners."""
    season_id = await catalog.create_season(None, "SS27", "Spring/Summer 2027")
    scale_id = await catalog.create_size_scale(None, "ALPHA", "Alpha", "alpha", list(SIZES))
    sizes = {
        row["label"]: row["id"] for row in await Size.select().where(Size.size_scale == scale_id)
    }
    gold = await catalog.create_price_list(None, "CNY gold", "CNY", False, "gold")
    any_tier = await catalog.create_price_list(None, "CNY list", "CNY", False, None)
    krw = await catalog.create_price_list(None, "KRW silver", "KRW", False, "silver")
    styles = []
    now = utcnow()
    for number in range(1, style_count + 1):
        code = f"SS27-{number:03d}"
        row = (
            await Style.insert(
                Style(
                    code=code,
                    season=season_id,
                    category="shirts",
                    name_en=f"Shirt {number}",
                    name_zh=f"衬衫 {number}",
                    name_ko=f"셔츠 {number}",
                    size_scale=scale_id,
                    status="active",
                    created_at=now,
                    updated_at=now,
                )
            )
            .returning(Style.id, Style.uuid)
            .run()
        )
        style = OrderableStyle(row[0]["id"], row[0]["uuid"], code)
        for colour in COLOURS:
            colourway = (
                await Colourway.insert(Colourway(style=style.id, code=colour, name=colour))
                .returning(Colourway.id)
                .run()
            )
            for label, size_id in sizes.items():
                sku = (
                    await Sku.insert(
                        Sku(style=style.id, colourway=colourway[0]["id"], size=size_id)
                    )
                    .returning(Sku.id)
                    .run()
                )
                style.skus[(colour, label)] = sku[0]["id"]
        base = Decimal(80 + 20 * number)
        await Price.insert(
            Price(price_list=gold, style=style.id, wholesale=base),
            Price(price_list=any_tier, style=style.id, wholesale=base + 10),
            Price(price_list=krw, style=style.id, wholesale=Decimal(18000 + 2000 * number)),
        ).run()
        styles.append(style)
    return Shop(styles, gold, any_tier, krw, season_id)


async def set_price(price_list_id: int, style_id: int, wholesale: Decimal) -> None:
    await Price.update({Price.wholesale: wholesale}).where(
        (Price.price_list == price_list_id) & (Price.style == style_id) & Price.size.is_null()
    )
