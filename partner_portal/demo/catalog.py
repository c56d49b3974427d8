"""Demo catalog: a season of styles, SKUs and price lists; how it is sold is in
selling.py, its pictures in pictures.py."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from partner_portal.catalog.tables import (
    Collection,
    Colourway,
    Price,
    PriceList,
    Season,
    Size,
    SizeScale,
    Sku,
    Style,
)
from partner_portal.demo.network import SEED
from partner_portal.demo.people import seeded_uuid
from partner_portal.demo.pictures import insert_pictures
from partner_portal.demo.rows import insert_returning_ids
from partner_portal.demo.selling import load_selling_terms
from partner_portal.partners.tables import Tier

# --------------------------------------------------------------------------- catalog
# A season of ~60 styles (SS27) with GB/T 1335 and alpha size scales, 2–4 colourways
# each, an EAN-13 barcode (GS1 China prefix 692) on every SKU, and price lists per
# tier in CNY (tax included) plus one in KRW. Seeded apart from the partner network,
# so adding the catalog changed none of the partners.

CATALOG_SEED = SEED + 27
# GS1 prefix 692 + a company number; the item reference follows, then the check digit.
BARCODE_COMPANY = "6923456"

SIZE_SCALES = (
    ("ALPHA", "XS–3XL", "alpha", ("XS", "S", "M", "L", "XL", "XXL", "3XL")),
    (
        "GB-TOPS",
        "GB/T 1335 上装 tops",
        "china_gb",
        ("165/84A", "170/88A", "175/92A", "180/96A", "185/100A"),
    ),
    (
        "GB-BOTTOMS",
        "GB/T 1335 下装 bottoms",
        "china_gb",
        ("165/72A", "170/76A", "175/80A", "180/84A", "185/88A"),
    ),
)
COLLECTIONS = ("都市通勤 City commute", "户外机能 Outdoor tech", "团体工装 Workwear")
# (category, gender, English, Chinese, Korean, fabric, size scale, collection index)
PRODUCTS = (
    ("shirts", "men", "Oxford shirt", "牛津纺衬衫", "옥스포드 셔츠", "100% cotton", "GB-TOPS", 0),
    ("shirts", "women", "Poplin blouse", "府绸女衬衫", "포플린 블라우스", "100% cotton", "ALPHA", 0),
    ("shirts", "unisex", "Linen camp shirt", "亚麻休闲衬衫", "린넨 캠프 셔츠", "100% linen", "ALPHA", 0),
    ("tops", "unisex", "Piqué polo", "珠地网眼POLO衫", "피케 폴로 셔츠", "100% cotton piqué", "GB-TOPS", 2),
    ("tops", "unisex", "Heavy cotton tee", "重磅纯棉T恤", "헤비 코튼 티셔츠", "100% cotton 240 g/m²", "ALPHA", 0),
    ("trousers", "men", "Stretch chinos", "弹力卡其裤", "스트레치 치노 팬츠", "97% cotton 3% elastane", "GB-BOTTOMS", 0),
    ("trousers", "unisex", "Work trousers", "工装长裤", "워크 팬츠", "65% polyester 35% cotton", "GB-BOTTOMS", 2),
    ("trousers", "women", "Wide-leg trousers", "阔腿裤", "와이드 팬츠", "70% TENCEL™ 30% linen", "ALPHA", 0),
    ("knitwear", "unisex", "Merino crew neck", "美利奴圆领毛衣", "메리노 크루넥 니트", "100% merino wool", "ALPHA", 0),
    ("knitwear", "women", "Cotton cardigan", "棉质开衫", "코튼 가디건", "100% cotton", "ALPHA", 0),
    ("outerwear", "unisex", "Windbreaker", "防风夹克", "바람막이 재킷", "100% nylon taslan", "ALPHA", 1),
    ("outerwear", "men", "Down jacket", "羽绒服", "다운 재킷", "100% nylon, 90/10 duck down", "GB-TOPS", 1),
    ("outerwear", "unisex", "Rain shell", "防水冲锋衣", "방수 셸 재킷", "100% polyester, PU membrane", "ALPHA", 1),
    ("uniform", "unisex", "Work jacket", "工装夹克", "작업복 재킷", "65% polyester 35% cotton twill", "GB-TOPS", 2),
    ("uniform", "unisex", "Service shirt", "职业衬衫", "근무복 셔츠", "60% cotton 40% polyester", "GB-TOPS", 2),
)  # fmt: skip
VARIANTS = (("Classic", "经典", "클래식"), ("Slim", "修身", "슬림"), ("Relaxed", "宽松", "릴랙스드"),
            ("Lite", "轻量", "라이트"))  # fmt: skip
COLOURS = (
    ("BLK", "Black 黑色"), ("WHT", "White 白色"), ("NVY", "Navy 藏青"), ("GRY", "Grey 灰色"),
    ("KHK", "Khaki 卡其"), ("BLU", "Blue 蓝色"), ("OLV", "Olive 橄榄绿"), ("BEI", "Beige 米色"),
)  # fmt: skip
CATEGORY_CODES = {
    "shirts": "SH",
    "tops": "TS",
    "trousers": "PT",
    "knitwear": "KN",
    "outerwear": "OW",
    "uniform": "UN",
}
CARE = "30°C 机洗，不可漂白，低温熨烫。Machine wash 30°C, do not bleach, iron low."
# Wholesale as a share of the suggested retail price, per partner tier.
TIER_DISCOUNTS = (
    (Tier.platinum, "0.45"),
    (Tier.gold, "0.50"),
    (Tier.silver, "0.55"),
    (Tier.standard, "0.60"),
)
KRW_PER_CNY = 190


def make_ean13(item_reference: int) -> str:
    """An EAN-13 of the demo brand's GS1 company number with its check digit."""
    from partner_portal.catalog.forms import ean13_check_digit

    first_twelve = f"{BARCODE_COMPANY}{item_reference:05d}"
    return first_twelve + str(ean13_check_digit(first_twelve))


async def load_catalog(rng: random.Random, now: datetime, media_dir: Path) -> dict[str, int]:
    """The SS27 season: its collections, size scales, styles with colourways and SKUs, the
    price lists, then how it is sold (selling.py) and its pictures (pictures.py). Each
    step draws from ``rng`` in turn, so the demo stays the same from one load to the next."""
    season_id, collection_ids = await _insert_season(rng, now)
    scale_ids, size_ids = await _insert_size_scales(rng)
    styles, style_scales, retail_prices = _draw_styles(
        rng, now, season_id, collection_ids, scale_ids
    )
    style_ids = await insert_returning_ids(Style, styles)
    skus = await _insert_colourways_and_skus(rng, styles, style_ids, style_scales, size_ids)
    await _insert_price_lists(rng, now, retail_prices, style_ids)
    prepacks = await load_selling_terms(
        rng, now, season_id, styles, style_ids, style_scales, size_ids, scale_ids
    )
    images = await insert_pictures(now, media_dir, styles, style_ids)
    return {
        "styles": len(styles),
        "skus": skus,
        "price_lists": len(TIER_DISCOUNTS) + 2,
        "prepacks": prepacks,
        "images": images,
    }


async def _insert_season(rng: random.Random, now: datetime) -> tuple[int, list[int]]:
    """The season and its collections' ids."""
    season_rows = (
        await Season.insert(
            Season(
                uuid=seeded_uuid(rng),
                code="SS27",
                name="2027春夏 Spring/Summer 2027",
                order_window_start=date(2026, 9, 1),
                order_window_end=date(2026, 11, 30),
                created_at=now - timedelta(days=60),
            )
        )
        .returning(Season.id)
        .run()
    )
    season_id = season_rows[0]["id"]
    collection_ids = [
        (
            await Collection.insert(Collection(uuid=seeded_uuid(rng), season=season_id, name=name))
            .returning(Collection.id)
            .run()
        )[0]["id"]
        for name in COLLECTIONS
    ]
    return season_id, collection_ids


async def _insert_size_scales(rng: random.Random) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The size scales' ids and their sizes' ids in order, by scale code."""
    scale_ids: dict[str, int] = {}
    size_ids: dict[str, list[int]] = {}
    for code, name, kind, labels in SIZE_SCALES:
        scale_id = (
            await SizeScale.insert(
                SizeScale(uuid=seeded_uuid(rng), code=code, name=name, kind=kind)
            )
            .returning(SizeScale.id)
            .run()
        )[0]["id"]
        scale_ids[code] = scale_id
        rows = (
            await Size.insert(
                *(
                    Size(size_scale=scale_id, label=label, position=position)
                    for position, label in enumerate(labels, start=1)
                )
            )
            .returning(Size.id)
            .run()
        )
        size_ids[code] = [row["id"] for row in rows]
    return scale_ids, size_ids


def _draw_styles(
    rng: random.Random,
    now: datetime,
    season_id: int,
    collection_ids: list[int],
    scale_ids: dict[str, int],
) -> tuple[list[Style], dict[uuid.UUID, str], dict[uuid.UUID, Decimal]]:
    """Every product in every variant, mostly active; each style's scale code and its
    suggested retail price in yuan, by the style's uuid."""
    styles: list[Style] = []
    style_scales: dict[uuid.UUID, str] = {}
    retail_prices: dict[uuid.UUID, Decimal] = {}
    number = 0
    for product in PRODUCTS:
        category, gender, english, chinese, korean, fabric, scale, collection = product
        for variant_en, variant_zh, variant_ko in VARIANTS:
            number += 1
            row_uuid = seeded_uuid(rng)
            roll = rng.random()
            status = "draft" if roll < 0.08 else "discontinued" if roll < 0.13 else "active"
            created = now - timedelta(days=rng.uniform(20, 90))
            styles.append(
                Style(
                    uuid=row_uuid,
                    code=f"SS27-{CATEGORY_CODES[category]}-{number:03d}",
                    season=season_id,
                    collection=collection_ids[collection],
                    category=category,
                    gender=gender,
                    name_en=f"{variant_en} {english.lower()}",
                    name_zh=f"{variant_zh}{chinese}",
                    name_ko=f"{variant_ko} {korean}",
                    fabric_composition=fabric,
                    care=CARE,
                    size_scale=scale_ids[scale],
                    status=status,
                    carry_over=variant_en == "Classic",
                    created_at=created,
                    updated_at=created,
                )
            )
            style_scales[row_uuid] = scale
            # Retail prices end in 9: 199, 299 ... 1299 yuan.
            retail_prices[row_uuid] = Decimal(rng.randint(2, 13) * 100 - 1)
    return styles, style_scales, retail_prices


async def _insert_colourways_and_skus(
    rng: random.Random,
    styles: list[Style],
    style_ids: dict[uuid.UUID, int],
    style_scales: dict[uuid.UUID, str],
    size_ids: dict[str, list[int]],
) -> int:
    """Two to four colourways per style and a SKU with a barcode for each of their sizes;
    how many SKUs."""
    colourways: list[Colourway] = []
    colour_styles: dict[uuid.UUID, uuid.UUID] = {}
    for style in styles:
        for code, name in rng.sample(COLOURS, k=rng.randint(2, 4)):
            row_uuid = seeded_uuid(rng)
            colour_styles[row_uuid] = style.uuid
            colourways.append(
                Colourway(uuid=row_uuid, style=style_ids[style.uuid], code=code, name=name)
            )
    colour_ids = await insert_returning_ids(Colourway, colourways)

    skus: list[Sku] = []
    for colourway in colourways:
        style_uuid = colour_styles[colourway.uuid]
        for size_id in size_ids[style_scales[style_uuid]]:
            skus.append(
                Sku(
                    uuid=seeded_uuid(rng),
                    style=style_ids[style_uuid],
                    colourway=colour_ids[colourway.uuid],
                    size=size_id,
                    barcode=make_ean13(len(skus) + 1),
                )
            )
    for start in range(0, len(skus), 500):
        await Sku.insert(*skus[start : start + 500]).run()
    return len(skus)


async def _insert_price_lists(
    rng: random.Random,
    now: datetime,
    retail_prices: dict[uuid.UUID, Decimal],
    style_ids: dict[uuid.UUID, int],
) -> None:
    """A CNY list per tier (a share of the suggested retail price) and one in KRW."""
    prices: list[Price] = []
    for tier, share in TIER_DISCOUNTS:
        list_id = (
            await PriceList.insert(
                PriceList(
                    uuid=seeded_uuid(rng),
                    name=f"SS27 CNY {tier.value}",
                    currency="CNY",
                    tax_inclusive=True,
                    tier=tier,
                    created_at=now - timedelta(days=30),
                )
            )
            .returning(PriceList.id)
            .run()
        )[0]["id"]
        for style_uuid, retail in retail_prices.items():
            prices.append(
                Price(
                    price_list=list_id,
                    style=style_ids[style_uuid],
                    wholesale=(retail * Decimal(share)).quantize(Decimal("0.01")),
                    suggested_retail=retail,
                )
            )
    krw_id = (
        await PriceList.insert(
            PriceList(
                uuid=seeded_uuid(rng),
                name="SS27 KRW",
                currency="KRW",
                tax_inclusive=False,
                tier=None,
                created_at=now - timedelta(days=30),
            )
        )
        .returning(PriceList.id)
        .run()
    )[0]["id"]
    for style_uuid, retail in retail_prices.items():
        # Won have no minor unit: retail to the thousand, wholesale to the hundred.
        retail_krw = (retail * KRW_PER_CNY / 1000).quantize(Decimal("1")) * 1000
        prices.append(
            Price(
                price_list=krw_id,
                style=style_ids[style_uuid],
                wholesale=(retail_krw * Decimal("0.55") / 100).quantize(Decimal("1")) * 100,
                suggested_retail=retail_krw,
            )
        )
    await Price.insert(*prices).run()
