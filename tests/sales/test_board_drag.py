"""The pipeline board in a real browser: a card dragged onto another column moves there,
and only a card of the board can be dropped. A text dropped from elsewhere (a
``javascript:`` address, the address of another action) runs and posts nothing."""

from __future__ import annotations

from uuid import UUID

from playwright.async_api import Page, expect

from sales.tables import Opportunity
from tests.browser import sign_in
from tests.sales.support import make_opportunity
from tests.support import Cast


async def _stage(opportunity_uuid: object) -> str:
    row = await Opportunity.select(Opportunity.stage).where(Opportunity.uuid == opportunity_uuid)
    return str(row[0]["stage"])


async def _drop_text(page: Page, stage: str, text: str) -> None:
    """Drop plain text on a column, as a browser does for text or a link dragged in."""
    transfer = await page.evaluate_handle(
        "text => { const transfer = new DataTransfer(); "
        "transfer.setData('text/plain', text); transfer.setData('text/uri-list', text); "
        "return transfer; }",
        text,
    )
    await page.locator(f".board-column[data-stage={stage}]").dispatch_event(
        "drop", {"dataTransfer": transfer}
    )


async def _board_with_a_lead(cast: Cast, live_server: str, page: Page) -> UUID:
    """The KAM's board showing one opportunity, at the lead stage; returns its id."""
    deal = await make_opportunity(cast.kam, cast.distributor_a, title="AW27 workwear")
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/sales/opportunities")
    return deal


async def test_a_card_dragged_onto_the_next_column_moves_there(
    cast: Cast, live_server: str, page: Page
) -> None:
    deal = await _board_with_a_lead(cast, live_server, page)
    card = page.locator(f'.deal-card[data-opportunity="{deal}"]')
    await expect(page.locator(".board-column[data-stage=lead]")).to_contain_text("AW27 workwear")

    await card.drag_to(page.locator(".board-column[data-stage=qualified]"))

    await expect(page.locator(".board-column[data-stage=qualified]")).to_contain_text(
        "AW27 workwear"
    )
    assert await _stage(deal) == "qualified"


async def test_a_card_dragged_onto_lost_opens_its_page_to_ask_why(
    cast: Cast, live_server: str, page: Page
) -> None:
    # Wide enough that the lost column shows beside the card (a drag does not scroll).
    await page.set_viewport_size({"width": 1700, "height": 900})
    deal = await _board_with_a_lead(cast, live_server, page)

    await page.locator(f'.deal-card[data-opportunity="{deal}"]').drag_to(
        page.locator(".board-column[data-stage=lost]")
    )

    await expect(page).to_have_url(f"{live_server}/sales/opportunities/{deal}#close")
    await expect(page.get_by_label("Reason, if lost")).to_be_visible()


async def test_a_dropped_javascript_address_runs_nothing(
    cast: Cast, live_server: str, page: Page
) -> None:
    deal = await _board_with_a_lead(cast, live_server, page)
    board_url = f"{live_server}/sales/opportunities"

    for stage in ("lost", "qualified"):
        await _drop_text(page, stage, "javascript:document.title='dropped';window.dropped=1")

    assert await page.evaluate("window.dropped") is None
    assert await page.title() != "dropped"
    assert page.url == board_url
    assert await _stage(deal) == "lead"


async def test_a_dropped_address_of_another_action_posts_nothing(
    cast: Cast, live_server: str, page: Page
) -> None:
    deal = await _board_with_a_lead(cast, live_server, page)
    board_url = f"{live_server}/sales/opportunities"
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )

    await _drop_text(page, "won", f"/sales/opportunities/{deal}/move")
    await _drop_text(page, "lost", f"{live_server}/users/{cast.staff.uuid}/deactivate")
    # The board still answers: a real move afterwards is the only request sent.
    await page.locator(f'.deal-card[data-opportunity="{deal}"]').drag_to(
        page.locator(".board-column[data-stage=qualified]")
    )
    await expect(page.locator(".board-column[data-stage=qualified]")).to_contain_text(
        "AW27 workwear"
    )

    assert posts == [f"{live_server}/sales/opportunities/{deal}/move"]
    assert page.url == board_url
    assert await _stage(deal) == "qualified"
