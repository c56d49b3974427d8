"""The image-first line sheet: a card per style with its pictures, colour swatches, the
buyer's own price and surcharges, availability per delivery window; search and filters; a
page of cards at a time; and the running cart that adds a card's packs to a draft."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from partner_portal.catalog.tables import (
    Colourway,
    DeliveryWindow,
    PreBookAvailability,
    Price,
    Size,
    SkuStock,
    Style,
    StyleImage,
)
from partner_portal.clock import utcnow
from partner_portal.orders.tables import Order, OrderLine
from partner_portal.partners.tables import User
from tests.distributors.support import Sheet, make_sheet
from tests.orders.support import set_price
from tests.support import Cast, PortalClient


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet(tiers=("gold", "silver"), style_count=30)


def card_codes(html: str) -> list[str]:
    return re.findall(r'<article class="card sheet-style"[^>]*>.*?<h2>([^<]+)</h2>', html, re.S)


def card_of(html: str, style_uuid: object) -> str:
    start = html.index(f'id="style-{style_uuid}"')
    return html[start : html.index("</article>", start)]


async def add_pictures(style_id: int, count: int) -> None:
    now = utcnow()
    await StyleImage.insert(
        *(
            StyleImage(style=style_id, path=f"styles/x/{n}.png", content_type="image/png",
                       width=300, height=400, byte_size=1, position=n, uploaded_at=now)
            for n in range(1, count + 1)
        )
    )  # fmt: skip


async def test_a_card_shows_pictures_swatches_the_buyers_price_and_surcharges(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    first = sheet.shop.styles[0]
    await add_pictures(first.id, 2)
    large = await Size.select(Size.id).where(Size.label == "L").first()
    assert large is not None
    await Price.insert(
        Price(price_list=sheet.shop.cny_gold_list, style=first.id, size=large["id"],
              wholesale=Decimal("110.50"))
    )  # fmt: skip
    await client.sign_in(cast.distributor)

    page = (await client.get(f"/line-sheets/{sheet.uuid}")).text

    card = page[
        page.index(f"<h2>{first.code}</h2>") - 2000 : page.index(f"<h2>{first.code}</h2>") + 4000
    ]
    assert card.count("/catalog/images/") >= 2
    assert "swatch swatch-black" in card and "swatch swatch-white" in card
    assert "100.00" in card  # the gold list, distributor_a's tier
    assert "Larger sizes</dt><dd>L CN¥110.50" in card


async def test_the_sheet_shows_a_page_of_cards_and_loads_the_rest_on_demand(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)

    first = await client.get(f"/line-sheets/{sheet.uuid}")
    more = await client.get(f"/line-sheets/{sheet.uuid}?page=2", headers={"HX-Request": "true"})

    assert len(card_codes(first.text)) == 24
    assert "30 of 30 styles" in first.text and 'hx-trigger="intersect once"' in first.text
    # The next page is only its cards (no page around them) and has no further page.
    assert len(card_codes(more.text)) == 6 and "<html" not in more.text
    assert 'hx-trigger="intersect once"' not in more.text
    assert set(card_codes(first.text)) | set(card_codes(more.text)) == {
        style.code for style in sheet.shop.styles
    }


async def test_search_and_filters_narrow_the_cards(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    styles = sheet.shop.styles
    await Style.update({Style.category: "trousers", Style.gender: "women"}).where(
        Style.id.is_in([styles[1].id, styles[2].id])
    )
    await Style.update({Style.carry_over: True}).where(Style.id == styles[2].id)
    await Colourway.update({Colourway.name: "Navy 藏青"}).where(
        (Colourway.style == styles[3].id) & (Colourway.code == "WHT")
    )
    window = (
        await DeliveryWindow.insert(
            DeliveryWindow(season=sheet.shop.season_id, name="Drop 1", starts_on=date(2027, 1, 15),
                           ends_on=date(2027, 1, 31))
        ).returning(DeliveryWindow.id, DeliveryWindow.uuid)
    )[0]  # fmt: skip
    await PreBookAvailability.insert(
        PreBookAvailability(sku=styles[4].skus[("BLK", "M")], delivery_window=window["id"],
                            quantity=500, updated_at=utcnow())
    )  # fmt: skip
    await client.sign_in(cast.distributor)
    base = f"/line-sheets/{sheet.uuid}"

    async def codes(query: str) -> list[str]:
        return card_codes((await client.get(f"{base}?{query}")).text)

    assert await codes("category=trousers") == [styles[1].code, styles[2].code]
    assert await codes("category=trousers&novelty=carry_over") == [styles[2].code]
    assert await codes("gender=women&novelty=new") == [styles[1].code]
    assert await codes("colour=navy") == [styles[3].code]
    assert await codes(f"window={window['uuid']}") == [styles[4].code]
    assert await codes(f"q={styles[5].code.lower()}") == [styles[5].code]
    assert await codes("q=藏青") == [styles[3].code]
    page = (await client.get(f"{base}?window={window['uuid']}")).text
    assert "500 open" in page
    nothing = await client.get(f"{base}?q=" + "x" * 5000 + "&page=-3&category=<script>")
    assert (
        nothing.status_code == 200 and "No style on this sheet matches your search." in nothing.text
    )


async def test_the_cart_adds_a_cards_packs_to_a_draft_and_follows_the_buyer(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    style = sheet.shop.styles[0]
    black = (
        await Colourway.select(Colourway.id)
        .where((Colourway.style == style.id) & (Colourway.code == "BLK"))
        .first()
    )
    assert black is not None
    await client.sign_in(cast.distributor)
    url = f"/line-sheets/{sheet.uuid}/cart"
    htmx = {"HX-Request": "true"}

    added = await client.post_form(
        url, {"style": str(style.uuid), "colour": str(black["id"]), "prepack": "", "packs": "2"},
        headers=htmx,
    )  # fmt: skip
    again = await client.post_form(
        url, {"style": str(style.uuid), "colour": "", "prepack": "", "packs": "1"}, headers=htmx
    )

    assert added.status_code == 200
    assert f"Added 6 pieces of {style.code} to your order." in added.text
    # Three sizes: 2 each in black, then 1 each in both colours; ¥100 apiece.
    assert "12 pieces" in again.text and "CN¥1,200.00" in again.text
    order = await Order.select().where(Order.buyer == cast.distributor_a.id).first()
    assert order is not None
    assert order["status"] == "draft" and order["total_quantity"] == 12
    assert order["delivery_window_start"] is None  # the season has no windows: at once
    lines = await OrderLine.select(OrderLine.sku, OrderLine.quantity).where(
        OrderLine.order == order["id"]
    )
    assert {row["sku"]: row["quantity"] for row in lines}[style.skus[("BLK", "M")]] == 3
    # The cart follows the buyer to any page of the sheet, and opens in the grid.
    page = (await client.get(f"/line-sheets/{sheet.uuid}?page=2")).text
    assert "12 pieces" in page and f"/distributors/drafts/{order['uuid']}" in page


async def test_a_bad_addition_says_why_and_saves_nothing(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    style = sheet.shop.styles[0]
    await client.sign_in(cast.distributor)
    url = f"/line-sheets/{sheet.uuid}/cart"

    for form in (
        {"style": str(style.uuid), "colour": "", "prepack": "", "packs": "-1"},
        {"style": str(style.uuid), "colour": "", "prepack": "", "packs": "99999999999999999999"},
        {"style": str(style.uuid), "colour": "123456", "prepack": "", "packs": "1"},
        {"style": "not-a-uuid", "colour": "", "prepack": "", "packs": "1"},
        {"style": str(style.uuid), "colour": "", "prepack": "777", "packs": "1"},
    ):
        response = await client.post_form(url, form)
        assert response.status_code == 400
        assert 'class="flash error"' in response.text
    assert await Order.count() == 0
    # In the reader's language.
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    response = await client.post_form(url, {"style": str(style.uuid), "packs": "0"})
    assert response.status_code == 400 and "Enter a whole" not in response.text
    assert "包数" in response.text


async def test_each_partner_has_its_own_cart(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    style = sheet.shop.styles[0]
    await client.sign_in(cast.distributor)
    form = {"style": str(style.uuid), "colour": "", "prepack": "", "packs": "1"}
    await client.post_form(f"/line-sheets/{sheet.uuid}/cart", form)
    draft = await Order.select(Order.uuid).first()
    assert draft is not None
    await client.sign_in(cast.other_distributor)  # distributor_b, a silver partner in KRW

    page = (await client.get(f"/line-sheets/{sheet.uuid}")).text

    assert str(draft["uuid"]) not in page and "6 pieces" not in page
    assert "₩20,000" in page


async def test_a_change_to_a_style_its_price_or_stock_shows_at_once_in_each_language(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    # Cards are rendered once and kept: what they show must still be current.
    first = sheet.shop.styles[0]
    await client.sign_in(cast.distributor)
    url = f"/line-sheets/{sheet.uuid}"
    before = card_of((await client.get(url)).text, first.uuid)
    assert "CN¥100.00" in before and "/catalog/images/" not in before

    await set_price(sheet.shop.cny_gold_list, first.id, Decimal("95"))
    await SkuStock.insert(SkuStock(sku=first.skus[("BLK", "M")], at_once=40, updated_at=utcnow()))
    await Style.update({Style.name_en: "Renamed coat", Style.name_zh: "新名字大衣"}).where(
        Style.id == first.id
    )
    await add_pictures(first.id, 1)
    after = card_of((await client.get(url)).text, first.uuid)

    assert "CN¥95.00" in after and "CN¥100.00" not in after
    assert "In stock now</dt><dd>40</dd>" in after
    assert "Renamed coat" in after and "/catalog/images/" in after
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    chinese = card_of((await client.get(url)).text, first.uuid)
    assert "您的价格" in chinese and "现有库存" in chinese and "新名字大衣" in chinese
    assert "Your price" not in chinese
    await User.update({User.locale: "ko"}).where(User.id == cast.distributor.id)
    korean = card_of((await client.get(url)).text, first.uuid)
    assert "귀사 가격" in korean and "현재 재고" in korean


async def test_a_cards_form_carries_the_readers_own_token_filters_and_buyer(
    app: object, cast: Cast, sheet: Sheet
) -> None:
    first = sheet.shop.styles[0]
    url = f"/line-sheets/{sheet.uuid}"
    tokens, forms = [], []
    for query in ("", "?q=" + first.code):
        async with PortalClient.for_app(app) as browser:
            await browser.sign_in(cast.distributor)
            tokens.append(await browser.csrf_token())
            forms.append(card_of((await browser.get(url + query)).text, first.uuid))

    assert tokens[0] != tokens[1]
    for token, form in zip(tokens, forms, strict=True):
        assert f'name="_csrf_token" value="{token}"' in form
    assert 'name="filters" value=""' in forms[0]
    assert f'name="filters" value="q={first.code}"' in forms[1]
    # The brand orders for the buyer it chose: the card's form names that buyer.
    async with PortalClient.for_app(app) as browser:
        await browser.sign_in(cast.kam)
        page = (await browser.get(f"{url}?buyer={cast.distributor_a.uuid}")).text
    assert f'name="buyer" value="{cast.distributor_a.uuid}"' in card_of(page, first.uuid)
    assert "Wholesale" in card_of(page, first.uuid)
