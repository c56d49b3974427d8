"""A partner's own price list: agreed prices that replace the tier's for one partner."""

from decimal import Decimal

from partner_portal.catalog import services
from partner_portal.catalog.tables import Price, PriceList
from partner_portal.partners.tables import Organisation
from tests.catalog.support import make_catalog, style_form, style_row
from tests.support import Cast, PortalClient


async def _two_styles(client: PortalClient, cast: Cast) -> tuple[dict, dict]:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    for code in ("SS27-SH-001", "SS27-SH-002"):
        response = await client.post_form("/catalog/styles/new", style_form(catalog, code=code))
        assert response.status_code == 303
    await Organisation.update({Organisation.tier: "gold", Organisation.currency: "CNY"}).where(
        Organisation.id.is_in([cast.distributor_a.id, cast.distributor_b.id])
    )
    return await style_row("SS27-SH-001"), await style_row("SS27-SH-002")


async def test_a_partner_list_overrides_the_tier_for_the_styles_it_prices(
    client: PortalClient, cast: Cast
) -> None:
    first, second = await _two_styles(client, cast)
    gold = await services.create_price_list(None, "CNY gold", "CNY", True, "gold")
    for style in (first, second):
        await Price.insert(Price(price_list=gold, style=style["id"], wholesale=150)).run()

    created = await client.post_form(
        "/catalog/price-lists/new",
        {"name": "Agreed prices A", "currency": "CNY", "partner": str(cast.distributor_a.uuid)},
    )
    assert created.status_code == 303
    own = await PriceList.select().where(PriceList.name == "Agreed prices A").first()
    assert own is not None and own["organisation"] == cast.distributor_a.id
    await client.post_form(
        f"/catalog/price-lists/{own['uuid']}/prices", {f"wholesale-{first['uuid']}": "120"}
    )

    prices = await services.prices_for_partner(cast.distributor_a.id, [first["id"], second["id"]])
    agreed, tier = prices.for_item(first["id"]), prices.for_item(second["id"])
    assert agreed is not None and agreed.wholesale == Decimal("120") and agreed.partner_specific
    assert tier is not None and tier.wholesale == Decimal("150") and not tier.partner_specific
    other = await services.price_for_partner(cast.distributor_b.id, first["id"])
    assert other is not None and other.wholesale == Decimal("150")


async def test_a_partner_list_is_in_the_partners_currency_without_a_tier(
    client: PortalClient, cast: Cast
) -> None:
    await _two_styles(client, cast)
    form = {"name": "Agreed", "currency": "USD", "partner": str(cast.distributor_a.uuid)}

    wrong_currency = await client.post_form("/catalog/price-lists/new", form)
    with_tier = await client.post_form(
        "/catalog/price-lists/new", {**form, "currency": "CNY", "tier": "gold"}
    )

    assert wrong_currency.status_code == 400 and "buys in CNY" in wrong_currency.text
    assert with_tier.status_code == 400 and "has no tier" in with_tier.text
    assert await PriceList.count() == 0


async def test_kams_see_the_own_lists_of_their_partners_only(
    client: PortalClient, cast: Cast
) -> None:
    await _two_styles(client, cast)
    list_id = await services.create_price_list(
        None, "Agreed A", "CNY", True, None, organisation_id=cast.distributor_a.id
    )
    row = await PriceList.select(PriceList.uuid).where(PriceList.id == list_id).first()
    assert row is not None
    url = f"/catalog/price-lists/{row['uuid']}/prices"

    for member, status in ((cast.kam, 200), (cast.other_kam, 404)):
        client.cookies.clear()
        await client.sign_in(member)
        assert (await client.get(url)).status_code == status
        listed = await client.get("/catalog/price-lists")
        assert ("Agreed A" in listed.text) is (status == 200)
