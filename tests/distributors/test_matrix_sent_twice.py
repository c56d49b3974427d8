"""A grid sent twice (a double click, a reload of the answer) is saved or submitted once,
and both sendings land on the same draft or order: no extra draft, no error page."""

from __future__ import annotations

import pytest

from partner_portal.orders.tables import Order, OrderStatus
from tests.distributors.support import Sheet, grid_form, make_sheet
from tests.orders.pages_support import idempotency_key
from tests.support import Cast, PortalClient, landed_on_one_page

QUANTITIES: dict[tuple[int, str, str], int | str] = {
    (0, "BLK", "S"): 10,
    (0, "BLK", "M"): 20,
    (1, "WHT", "L"): 6,
}


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet()


async def _new_grid(client: PortalClient, cast: Cast, sheet: Sheet, **extra: str) -> dict[str, str]:
    """The new-order grid's form as the page draws it, filled in."""
    await client.sign_in(cast.distributor)
    page = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert page.status_code == 200
    return grid_form(sheet, QUANTITIES, idempotency_key=idempotency_key(page.text), **extra)


@pytest.mark.parametrize(
    ("intent", "status", "page"),
    [
        ("submit", OrderStatus.submitted, "/orders/{uuid}?done=order_submitted"),
        ("save", OrderStatus.draft, "/distributors/drafts/{uuid}?sheet={sheet}&done=draft_saved"),
    ],
)
async def test_a_new_grid_sent_twice_at_once_makes_one_order_and_both_land_on_it(
    client: PortalClient, cast: Cast, sheet: Sheet, intent: str, status: OrderStatus, page: str
) -> None:
    form = await _new_grid(client, cast, sheet, intent=intent)

    landed = landed_on_one_page(*await client.post_form_twice_at_once("/distributors/matrix", form))

    orders = await Order.select(Order.uuid, Order.status)
    assert [row["status"] for row in orders] == [status]
    assert landed == page.format(uuid=orders[0]["uuid"], sheet=sheet.uuid)


async def test_sending_the_submitted_grid_again_lands_on_the_order(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    form = await _new_grid(client, cast, sheet, intent="submit")
    submitted = await client.post_form("/distributors/matrix", form)

    # The browser's "reload" of the answer sends the very same form again.
    reloaded = await client.post_form("/distributors/matrix", form)

    assert reloaded.status_code == 303
    assert reloaded.headers["location"] == submitted.headers["location"]
    assert await Order.count() == 1
    order_page = await client.get(submitted.headers["location"])
    assert order_page.status_code == 200


async def test_the_same_grid_with_other_quantities_under_the_used_key_is_refused(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    form = await _new_grid(client, cast, sheet, intent="submit")
    assert (await client.post_form("/distributors/matrix", form)).status_code == 303
    changed = {**form, **grid_form(sheet, {(0, "BLK", "S"): 99})}

    refused = await client.post_form("/distributors/matrix", {**changed, "intent": "submit"})

    assert refused.status_code == 422
    assert "already sent with other values" in refused.text
    assert await Order.count() == 1
    order = await Order.select(Order.total_quantity).first()
    assert order == {"total_quantity": 36}


async def test_a_refused_grid_shows_a_new_key_so_the_corrected_grid_is_a_new_request(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    form = await _new_grid(client, cast, sheet, intent="submit")
    refused = await client.post_form(
        "/distributors/matrix", {**form, **grid_form(sheet, {(0, "BLK", "S"): "zehn"})}
    )
    assert refused.status_code == 400
    new_key = idempotency_key(refused.text)
    assert new_key != form["idempotency_key"]

    corrected = await client.post_form("/distributors/matrix", {**form, "idempotency_key": new_key})

    assert corrected.status_code == 303
    assert await Order.count() == 1
