"""The price sheet: a size's own price, volume breaks, and two editors of one sheet."""

from decimal import Decimal

from partner_portal.catalog import services
from partner_portal.catalog.tables import Price, PriceList, Size, VolumeBreak
from partner_portal.partners.tables import Organisation
from tests.catalog.support import make_catalog, style_form, style_row
from tests.support import Cast, PortalClient


async def _sheet(client: PortalClient, cast: Cast) -> tuple[str, str, int]:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    assert (await client.post_form("/catalog/styles/new", style_form(catalog))).status_code == 303
    list_id = await services.create_price_list(None, "CNY all tiers", "CNY", True, None)
    row = await PriceList.select(PriceList.uuid).where(PriceList.id == list_id).first()
    assert row is not None
    style = await style_row("SS27-SH-001")
    return f"/catalog/price-lists/{row['uuid']}/prices", str(style["uuid"]), list_id


async def test_a_size_gets_its_own_price_that_partners_pay(
    client: PortalClient, cast: Cast
) -> None:
    url, key, _list_id = await _sheet(client, cast)

    saved = await client.post_form(
        url,
        {f"wholesale-{key}": "199", f"retail-{key}": "399", f"wholesale-{key}@L": "219.5"},
    )

    assert saved.status_code == 303
    page = await client.get(url)
    assert f'name="wholesale-{key}@L" value="219.50"' in page.text
    style = await style_row("SS27-SH-001")
    sizes = {row["label"]: row["id"] for row in await Size.select(Size.id, Size.label)}
    await Organisation.update({Organisation.currency: "CNY"}).where(
        Organisation.id == cast.distributor_a.id
    )
    prices = await services.prices_for_partner(cast.distributor_a.id, [style["id"]])
    large = prices.for_item(style["id"], sizes["L"])
    medium = prices.for_item(style["id"], sizes["M"])
    assert large is not None and large.wholesale == Decimal("219.50")
    assert medium is not None and medium.wholesale == Decimal("199.00")


async def test_a_wrong_size_price_keeps_what_was_typed_and_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    url, key, _list_id = await _sheet(client, cast)

    refused = await client.post_form(
        url, {f"wholesale-{key}": "199", f"retail-{key}@S": "249", f"wholesale-{key}@M": "x"}
    )

    assert refused.status_code == 400
    assert "Enter the wholesale price too." in refused.text
    assert "Enter an amount, e.g. 199.00." in refused.text
    assert f'name="wholesale-{key}" value="199"' in refused.text
    assert await Price.count() == 0


async def test_the_second_of_two_editors_is_told_and_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    url, key, _list_id = await _sheet(client, cast)
    first = await client.post_form(url, {"version": "1", f"wholesale-{key}": "199"})
    assert first.status_code == 303

    second = await client.post_form(url, {"version": "1", f"wholesale-{key}": "149"})

    assert second.status_code == 409
    assert "Someone saved this record after you opened it" in second.text
    assert 'name="version" value="2"' in second.text
    price = await Price.select(Price.wholesale).first()
    assert price is not None and Decimal(price["wholesale"]) == Decimal("199")


async def test_volume_breaks_give_the_highest_discount_reached(
    client: PortalClient, cast: Cast
) -> None:
    url, key, list_id = await _sheet(client, cast)
    await client.post_form(url, {f"wholesale-{key}": "100"})
    breaks_url = url.replace("/prices", "/volume-breaks")

    refused = await client.post_form(
        breaks_url,
        {
            "break-quantity-1": "500",
            "break-percent-1": "5",
            "break-quantity-2": "1000",
            "break-percent-2": "3",
        },
    )
    assert refused.status_code == 400
    assert "A larger quantity needs a larger discount." in refused.text
    assert await VolumeBreak.count() == 0

    saved = await client.post_form(
        breaks_url,
        {
            "break-quantity-1": "500",
            "break-percent-1": "5",
            "break-quantity-2": "1,000",
            "break-percent-2": "8.5%",
        },
    )
    assert saved.status_code == 303
    after_saving = await client.get(saved.headers["location"])
    assert "The volume breaks are saved." in after_saving.text

    style = await style_row("SS27-SH-001")
    await Organisation.update({Organisation.currency: "CNY"}).where(
        Organisation.id == cast.distributor_a.id
    )
    prices = await services.prices_for_partner(cast.distributor_a.id, [style["id"]])
    assert prices.discount_for(style["id"], 499) == Decimal("0")
    assert prices.discount_for(style["id"], 500) == Decimal("5")
    assert prices.discount_for(style["id"], 2400) == Decimal("8.5")
    assert await services.volume_discount_percent(list_id, style["id"], 1000) == Decimal("8.5")
    page = await client.get(url)
    assert 'name="break-quantity-2" value="1000"' in page.text
