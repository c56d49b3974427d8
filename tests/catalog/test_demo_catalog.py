"""The demo season: ~60 styles with colourways, SKUs with valid barcodes, prices per tier."""

from decimal import Decimal
from pathlib import Path

import pytest

from partner_portal.catalog import services
from partner_portal.catalog.forms import is_valid_ean13
from partner_portal.catalog.tables import (
    Colourway,
    PreBookAvailability,
    Prepack,
    Price,
    PriceList,
    Size,
    Sku,
    SkuStock,
    Style,
    StyleImage,
)
from tests.support import Demo, PortalClient, demo_member


@pytest.fixture
def media_dir(demo: Demo) -> Path:
    """The app serves the demo's pictures from where the demo wrote them."""
    return demo.media_dir


async def test_the_demo_season_has_styles_with_a_full_sku_matrix(demo: Demo) -> None:
    assert await Style.count() == 60
    assert {row["status"] for row in await Style.select(Style.status)} >= {"active", "draft"}
    colourways = await Colourway.select(Colourway.style)
    per_style: dict[int, int] = {}
    for row in colourways:
        per_style[row["style"]] = per_style.get(row["style"], 0) + 1
    assert set(per_style.values()) <= {2, 3, 4} and len(per_style) == 60
    sizes = await Size.select(Size.label)
    assert {"165/84A", "185/100A", "XS", "3XL"} <= {row["label"] for row in sizes}
    barcodes = [row["barcode"] for row in await Sku.select(Sku.barcode)]
    assert len(barcodes) == len(set(barcodes)) > 60 * 2 * 5 - 1
    assert all(is_valid_ean13(code) and "690" <= code[:3] <= "699" for code in barcodes)


async def test_the_demo_price_lists_follow_tier_and_currency(demo: Demo) -> None:
    lists = await PriceList.select(
        PriceList.id, PriceList.currency, PriceList.tier, PriceList.organisation
    )
    assert {
        row["tier"] for row in lists if row["currency"] == "CNY" and not row["organisation"]
    } == {
        "platinum",
        "gold",
        "silver",
        "standard",
    }
    krw = next(row for row in lists if row["currency"] == "KRW")
    amounts = await Price.select(Price.wholesale, Price.suggested_retail).where(
        (Price.price_list == krw["id"]) & Price.size.is_null()
    )
    assert len(amounts) == 60
    assert all(row["wholesale"] == row["wholesale"].to_integral_value() for row in amounts)
    assert all(isinstance(row["wholesale"], Decimal) for row in amounts)


async def test_every_demo_style_page_opens(demo: Demo, client: PortalClient) -> None:
    await client.sign_in(await demo_member("brand_staff"))

    listing = await client.get("/catalog/styles?season=SS27")
    assert listing.status_code == 200 and "SS27-" in listing.text
    for row in await Style.select(Style.uuid).limit(5):
        assert (await client.get(f"/catalog/styles/{row['uuid']}")).status_code == 200
    for row in await PriceList.select(PriceList.uuid):
        page = await client.get(f"/catalog/price-lists/{row['uuid']}/prices")
        assert page.status_code == 200


async def test_the_demo_season_has_prepacks_availability_and_pictures(
    demo: Demo, client: PortalClient
) -> None:
    await client.sign_in(await demo_member("distributor"))

    assert await Prepack.count() >= 4
    assert await SkuStock.count() > 500 and await PreBookAvailability.count() > 500
    images = await StyleImage.select(StyleImage.uuid, StyleImage.style)
    # A picture of every colourway of every style, drawn at load time.
    assert len(images) == await Colourway.count()
    assert {row["style"] for row in images} == {row["id"] for row in await Style.select(Style.id)}
    picture = await client.get(f"/catalog/images/{images[0]['uuid']}")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    own = await PriceList.select().where(PriceList.organisation.is_not_null()).first()
    assert own is not None
    agreed = await Price.select(Price.style).where(Price.price_list == own["id"]).first()
    assert agreed is not None
    prices = await services.prices_for_partner(own["organisation"], [agreed["style"]])
    price = prices.for_item(agreed["style"])
    assert price is not None and price.partner_specific
    assert prices.discount_for(agreed["style"], 1000) == Decimal("0")
