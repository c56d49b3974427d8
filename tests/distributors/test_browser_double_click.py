"""A double click on the matrix's Submit in a real browser (Chromium): both clicks send
the order, and the buyer ends on the one submitted order, also after reloading."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import Page, expect

from partner_portal.orders.tables import Order
from tests.browser import screenshot, sign_in
from tests.distributors.support import Sheet, make_sheet
from tests.support import Cast

MATRIX = "/distributors/matrix"


class FirstSubmitWaitsForTheSecond:
    """The portal as a busy server: the first matrix post is still being handled when the
    second arrives (it is held until then), so the two overlap whatever the machine's
    speed. (On an idle server the first may finish within the 50 ms between clicks.)"""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state
        self.arrived = 0
        self.second_arrived = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (scope["method"], scope["path"]) == ("POST", MATRIX):
            self.arrived += 1
            if self.arrived == 1:
                # The server has read the first order (the browser then drops that
                # connection for the second click's), and is slow to go on with it.
                receive = await _read_whole_body(receive)
                # Bounded: should the browser send only once, the test fails on that.
                await asyncio.wait_for(self.second_arrived.wait(), timeout=15)
            else:
                self.second_arrived.set()
        await self.app(scope, receive, send)


async def _read_whole_body(receive: Any) -> Any:
    """Read the request's body now; returns a receive that hands it over again."""
    messages = [await receive()]
    while messages[-1].get("more_body"):
        messages.append(await receive())

    async def replay() -> Any:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return replay


@pytest.fixture
def app(app: Any) -> FirstSubmitWaitsForTheSecond:
    return FirstSubmitWaitsForTheSecond(app)


async def test_a_double_click_on_submit_lands_on_the_one_submitted_order(
    app: FirstSubmitWaitsForTheSecond, cast: Cast, database: str, live_server: str, page: Page
) -> None:
    sheet: Sheet = await make_sheet()
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")
    await page.get_by_label("SS27-001 BLK S", exact=True).fill("10")
    await page.get_by_label("SS27-002 WHT L", exact=True).fill("6")

    # Two clicks 50 ms apart (mouse down, 50 ms, up; twice): the second sends the form
    # again while the first is being handled, and the browser shows the second answer.
    await page.get_by_role("button", name="Submit order").click(click_count=2, delay=50)

    await expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    assert app.arrived == 2
    orders = await Order.select(Order.uuid)
    assert len(orders) == 1
    assert page.url == f"{live_server}/orders/{orders[0]['uuid']}?done=order_submitted"
    await screenshot(page, "distributors-matrix-double-click")

    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    assert await Order.count() == 1
