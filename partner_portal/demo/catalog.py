"""Demo catalog: a season of styles, SKUs, price lists, prepacks and pictures."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from partner_portal.demo.network import SEED
from partner_portal.demo.people import seeded_uuid
from partner_portal.demo.rows import insert_returning_ids
from partner_portal.partners.tables import (
    Organisation,
    OrganisationKind,
    Tier,
)

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
    from decimal import Decimal

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
    style_ids = await insert_returning_ids(Style, styles)

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
    extras = await _load_catalog_extras(
        rng, now, media_dir, season_id, styles, style_ids, style_scales, size_ids, scale_ids
    )
    return {
        "styles": len(styles),
        "skus": len(skus),
        "price_lists": len(TIER_DISCOUNTS) + 2,
        **extras,
    }


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
# Pictures are drawn, not downloaded: one per colourway, a garment of the style's category
# in the colourway's colour, wider or narrower with the style's fit.
PICTURE_SIZE = (300, 400)
PICTURE_FITS = {"Classic": 0, "Slim": -12, "Relaxed": 14, "Lite": 4}
# Outlines on a 300 × 400 canvas, the garment's centre line at x = 150; negative x offsets
# are drawn mirrored so the fit can widen the body symmetrically.
GARMENT_SHAPES = {
    "top": (
        (-30, 70),
        (-10, 60),
        (10, 60),
        (30, 70),
        (105, 110),
        (85, 160),
        (60, 140),
        (60, 350),
        (-60, 350),
        (-60, 140),
        (-85, 160),
        (-105, 110),
    ),
    "shirt": (
        (-28, 62),
        (0, 80),
        (28, 62),
        (100, 100),
        (115, 300),
        (85, 305),
        (62, 150),
        (62, 350),
        (-62, 350),
        (-62, 150),
        (-85, 305),
        (-115, 300),
        (-100, 100),
    ),
    "trousers": ((-62, 50), (62, 50), (72, 360), (14, 360), (0, 130), (-14, 360), (-72, 360)),
    "jacket": (
        (-30, 58),
        (0, 70),
        (30, 58),
        (105, 95),
        (122, 320),
        (90, 325),
        (70, 160),
        (70, 360),
        (-70, 360),
        (-70, 160),
        (-90, 325),
        (-122, 320),
        (-105, 95),
    ),
}
CATEGORY_SHAPES = {
    "shirts": "shirt", "uniform": "jacket", "outerwear": "jacket", "knitwear": "top",
    "tops": "top", "trousers": "trousers",
}  # fmt: skip
PICTURE_NAMESPACE = uuid.UUID("6f2c1a4e-9b1d-4c0e-8a53-27a5d2f0c001")


def demo_picture(code: str, category: str, fit: int, colour: str) -> bytes:
    """A simple deterministic 'photo' of a style in one colour: its category's garment
    on a plain ground, with the details that tell the categories apart."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", PICTURE_SIZE, "#eceae6")
    draw = ImageDraw.Draw(image)
    shape = CATEGORY_SHAPES.get(category, "top")
    points = [
        (150 + x + (fit if x > 0 else -fit if x < 0 else 0), y) for x, y in GARMENT_SHAPES[shape]
    ]
    line = "#555555" if colour.lower() in ("#f7f5f0", "#e3d5b8") else "#222222"
    draw.polygon(points, fill=colour, outline=line)
    if shape == "shirt":
        draw.line([(150, 80), (150, 350)], fill=line, width=2)  # the placket
        for y in range(110, 340, 40):
            draw.ellipse([(146, y), (154, y + 8)], outline=line)
    elif shape == "jacket":
        draw.line([(150, 70), (150, 360)], fill=line, width=3)  # the zip
        draw.rectangle([(95 + fit, 250), (125 + fit, 290)], outline=line, width=2)
        draw.rectangle([(175 - fit, 250), (205 - fit, 290)], outline=line, width=2)
    elif shape == "top" and category == "knitwear":
        for y in range(335, 350, 5):  # the ribbed hem
            draw.line([(92 - fit, y), (208 + fit, y)], fill=line, width=1)
    elif shape == "trousers":
        draw.line([(88 - fit, 50), (212 + fit, 50)], fill=line, width=4)  # the waistband
    draw.text((12, 378), code, fill="#333333")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def _load_catalog_extras(
    rng: random.Random,
    now: datetime,
    media_dir: Path,
    season_id: int,
    styles: list[Any],
    style_ids: dict[uuid.UUID, int],
    style_scales: dict[uuid.UUID, str],
    size_ids: dict[str, list[int]],
    scale_ids: dict[str, int],
) -> dict[str, int]:
    """Delivery windows, prepacks, volume breaks, big-size prices, one partner's own list,
    availability for every SKU and a picture of every colourway of every style."""
    from decimal import Decimal

    from partner_portal.catalog.tables import (
        Colourway,
        DeliveryWindow,
        PreBookAvailability,
        Prepack,
        PrepackSize,
        Price,
        PriceList,
        Size,
        Sku,
        SkuStock,
        StyleImage,
        VolumeBreak,
    )

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

    lists = await PriceList.select(PriceList.id, PriceList.tier, PriceList.currency)
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

    # One distributor has agreed prices: 5% under its tier's list on eight styles.
    partner = (
        await Organisation.select(Organisation.id, Organisation.legal_name, Organisation.tier)
        .where(
            (Organisation.kind == OrganisationKind.distributor) & (Organisation.currency == "CNY")
        )
        .order_by(Organisation.id)
        .first()
    )
    if partner is not None:
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

    active = {style_ids[style.uuid] for style in styles if style.status == "active"}
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

    from partner_portal.catalog.swatches import swatch_of

    colourways: dict[int, list[dict[str, Any]]] = {}
    for row in await Colourway.select(Colourway.style, Colourway.code, Colourway.name).order_by(
        Colourway.id
    ):
        colourways.setdefault(row["style"], []).append(row)
    images = []
    for style in styles:
        style_id = style_ids[style.uuid]
        fit = PICTURE_FITS.get(style.name_en.split(" ", 1)[0], 0)
        for position, colour in enumerate(colourways.get(style_id, []), start=1):
            image_uuid = uuid.uuid5(PICTURE_NAMESPACE, f"{style.code}/{colour['code']}")
            relative = f"styles/{style.uuid}/{image_uuid}.png"
            content = demo_picture(
                style.code, style.category, fit, swatch_of(colour["code"], colour["name"]).rgb
            )
            path = media_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            images.append(
                StyleImage(
                    uuid=image_uuid,
                    style=style_id,
                    path=relative,
                    content_type="image/png",
                    width=PICTURE_SIZE[0],
                    height=PICTURE_SIZE[1],
                    byte_size=len(content),
                    position=position,
                    uploaded_at=now - timedelta(days=10),
                )
            )
    await StyleImage.insert(*images).run()
    return {"prepacks": len(PREPACKS), "images": len(images)}
