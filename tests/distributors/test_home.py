"""A buyer's start page: what needs them now, from every module (drafts that reopen in the
grid, orders waiting, shipments on the way, line sheets to order from, contracts to accept,
notifications), in their language."""

from __future__ import annotations

from partner_portal.orders.tables import Order
from partner_portal.partners.tables import User
from tests.distributors.support import Sheet, grid_form, make_sheet
from tests.support import Cast, PortalClient


async def test_a_distributor_lands_on_its_drafts_and_the_sheets_to_order_from(
    client: PortalClient, cast: Cast, database: str
) -> None:
    sheet: Sheet = await make_sheet()
    await client.sign_in(cast.distributor)
    saved = await client.post_form("/distributors/matrix", grid_form(sheet, {(0, "BLK", "S"): 10}))
    assert saved.status_code == 303
    draft = await Order.select(Order.uuid).first()
    assert draft is not None
    home = await client.get("/")
    assert home.status_code == 200
    assert "Your drafts" in home.text
    assert f'href="/distributors/drafts/{draft["uuid"]}"' in home.text
    assert "Line sheets open for ordering" in home.text
    assert f'href="/line-sheets/{sheet.uuid}/order"' in home.text
    # The other distributor sees neither the draft nor a sheet that is not theirs.
    client.cookies.clear()
    await client.sign_in(cast.other_distributor)
    other = await client.get("/")
    assert str(draft["uuid"]) not in other.text


async def test_the_start_page_speaks_the_readers_language(
    client: PortalClient, cast: Cast, database: str
) -> None:
    await make_sheet()
    await client.sign_in(cast.distributor)
    for locale, heading in (("zh_Hans", "需要您处理的事项"), ("ko", "지금 확인할 일")):
        await User.update({User.locale: locale}).where(User.id == cast.distributor.id)
        home = await client.get("/")
        assert heading in home.text, locale
