"""Price lists: setting prices, money per currency, and the price a partner pays."""

from decimal import Decimal

from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog import services
from partner_portal.catalog.tables import Price, PriceList
from partner_portal.partners.tables import Organisation
from tests.catalog.support import make_catalog, style_form, style_row
from tests.support import Cast, PortalClient


async def _style_and_lists(client: PortalClient, cast: Cast) -> dict[str, int]:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    response = await client.post_form("/catalog/styles/new", style_form(catalog))
    assert response.status_code == 303
    return {
        "gold": await services.create_price_list(None, "CNY gold", "CNY", True, "gold"),
        "any_cny": await services.create_price_list(None, "CNY all tiers", "CNY", True, None),
        "krw": await services.create_price_list(None, "KRW", "KRW", False, None),
    }


async def _uuid(price_list_id: int) -> str:
    row = await PriceList.select(PriceList.uuid).where(PriceList.id == price_list_id).first()
    assert row is not None
    return str(row["uuid"])


async def test_staff_set_prices_and_krw_refuses_decimals(client: PortalClient, cast: Cast) -> None:
    lists = await _style_and_lists(client, cast)
    style = await style_row("SS27-SH-001")
    key = str(style["uuid"])
    url = f"/catalog/price-lists/{await _uuid(lists['krw'])}/prices"

    refused = await client.post_form(url, {f"wholesale-{key}": "12000.5"})
    assert refused.status_code == 400
    assert "KRW amounts have no decimals" in refused.text
    assert await Price.count() == 0

    saved = await client.post_form(url, {f"wholesale-{key}": "12,000", f"retail-{key}": "29,000"})
    assert saved.status_code == 303
    price = await Price.select().first()
    assert price is not None and price["wholesale"] == Decimal("12000")
    assert (
        await AuditEntry.count().where(AuditEntry.entity_kind == "price_list") == 4
    )  # 3 created, 1 update
    page = await client.get(url)
    assert 'value="12000"' in page.text


async def test_cny_prices_keep_two_decimals_and_show_on_the_style(
    client: PortalClient, cast: Cast
) -> None:
    lists = await _style_and_lists(client, cast)
    style = await style_row("SS27-SH-001")
    key = str(style["uuid"])
    url = f"/catalog/price-lists/{await _uuid(lists['gold'])}/prices"

    saved = await client.post_form(url, {f"wholesale-{key}": "199.5", f"retail-{key}": "399"})

    assert saved.status_code == 303
    price = await Price.select().first()
    assert price is not None and price["wholesale"] == Decimal("199.50")
    detail = await client.get(f"/catalog/styles/{key}")
    assert "199.50" in detail.text and "CNY gold" in detail.text


async def test_the_price_for_a_partner_follows_tier_and_currency(
    client: PortalClient, cast: Cast
) -> None:
    lists = await _style_and_lists(client, cast)
    style = await style_row("SS27-SH-001")
    for price_list_id, amount in (
        (lists["gold"], "150"),
        (lists["any_cny"], "180"),
        (lists["krw"], "30000"),
    ):
        await Price.insert(
            Price(price_list=price_list_id, style=style["id"], wholesale=Decimal(amount))
        ).run()
    await Organisation.update({Organisation.tier: "gold", Organisation.currency: "CNY"}).where(
        Organisation.id == cast.distributor_a.id
    )
    await Organisation.update({Organisation.tier: "silver", Organisation.currency: "CNY"}).where(
        Organisation.id == cast.distributor_b.id
    )
    await Organisation.update({Organisation.tier: "gold", Organisation.currency: "KRW"}).where(
        Organisation.id == cast.retailer_a.id
    )
    await Organisation.update({Organisation.currency: "USD"}).where(Organisation.id == cast.bank.id)

    gold = await services.price_for_partner(cast.distributor_a.id, style["id"])
    silver = await services.price_for_partner(cast.distributor_b.id, style["id"])
    korean = await services.price_for_partner(cast.retailer_a.id, style["id"])
    dollars = await services.price_for_partner(cast.bank.id, style["id"])

    assert (
        gold is not None and gold.wholesale == Decimal("150") and gold.price_list_name == "CNY gold"
    )
    assert silver is not None and silver.wholesale == Decimal(
        "180"
    )  # no silver list: the tier-less one
    assert korean is not None and korean.currency == "KRW" and korean.wholesale == Decimal("30000")
    assert dollars is None


async def test_partner_users_see_no_price_lists(client: PortalClient, cast: Cast) -> None:
    lists = await _style_and_lists(client, cast)
    client.cookies.clear()
    await client.sign_in(cast.distributor)

    assert (await client.get("/catalog/price-lists")).status_code == 403
    url = f"/catalog/price-lists/{await _uuid(lists['gold'])}/prices"
    assert (await client.get(url)).status_code == 403


async def test_the_style_page_shows_won_without_decimals(client: PortalClient, cast: Cast) -> None:
    lists = await _style_and_lists(client, cast)
    style = await style_row("SS27-SH-001")
    await Price.insert(
        Price(
            price_list=lists["krw"],
            style=style["id"],
            wholesale=Decimal("12000"),
            suggested_retail=Decimal("29000"),
        )
    ).run()

    page = await client.get(f"/catalog/styles/{style['uuid']}", headers={"Accept-Language": "en"})

    assert page.status_code == 200
    assert "12,000" in page.text and "29,000" in page.text
    assert "12,000.00" not in page.text
