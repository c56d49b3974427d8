"""Matrix order entry: the grid becomes a draft in the order book and is submitted once;
a refused grid keeps what was typed; a saved draft shows its totals; prepacks and pasted
blocks fill cells."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from partner_portal.catalog.tables import DeliveryWindow, Prepack, PrepackSize, Size
from partner_portal.clock import utcnow
from partner_portal.orders.tables import Order, OrderLine, OrderStatus
from tests.distributors.support import Sheet, grid_form, make_sheet
from tests.support import Cast, PortalClient


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet()


async def test_the_grid_becomes_a_draft_and_is_submitted_once(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)
    page = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key is not None
    form = grid_form(sheet, {(0, "BLK", "S"): 10, (0, "BLK", "M"): 20, (1, "WHT", "L"): 6})
    saved = await client.post_form("/distributors/matrix", form)
    assert saved.status_code == 303
    draft = await Order.select().where(Order.buyer == cast.distributor_a.id).first()
    assert draft is not None and draft["status"] == OrderStatus.draft
    assert draft["total_quantity"] == 36
    # Gold prices: 100 for the first style, 120 for the second.
    assert draft["total"] == Decimal("3720.00")
    assert saved.headers["location"].startswith(f"/distributors/drafts/{draft['uuid']}")

    submit = {
        **form,
        "order": str(draft["uuid"]),
        "version": str(draft["version"]),
        "idempotency_key": key.group(1),
        "intent": "submit",
    }
    first = await client.post_form("/distributors/matrix", submit)
    again = await client.post_form("/distributors/matrix", submit)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert first.headers["location"] == f"/orders/{draft['uuid']}?done=order_submitted"
    orders = await Order.select(Order.status).where(Order.buyer == cast.distributor_a.id)
    assert [row["status"] for row in orders] == [OrderStatus.submitted]


async def test_a_refused_grid_keeps_every_typed_quantity(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)
    form = grid_form(sheet, {(0, "BLK", "S"): 12, (0, "WHT", "M"): "zwölf", (1, "BLK", "L"): 7})
    response = await client.post_form("/distributors/matrix", form)
    assert response.status_code == 400
    assert 'value="zwölf"' in response.text and 'value="12"' in response.text
    assert 'value="7"' in response.text
    assert "Whole pieces" in response.text
    assert await Order.count() == 0


async def test_a_saved_draft_opens_with_its_totals_and_what_each_cell_costs(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)
    form = grid_form(sheet, {(0, "BLK", "S"): 10, (0, "WHT", "S"): 5, (1, "BLK", "M"): 3})
    saved = await client.post_form("/distributors/matrix", form)
    page = await client.get(saved.headers["location"])
    first, second = sheet.shop.styles
    assert re.search(rf'id="sq-{first.id}">15<', page.text)
    assert 'id="order-quantity">18<' in page.text
    # 15 × 100 + 3 × 120 at the distributor's gold prices.
    assert re.search(r'id="order-value">[^<]*1,860', page.text)
    # The browser adds the totals up from each cell's price as the buyer types.
    assert f'name="q-{second.skus[("BLK", "M")]}" value="3"' in page.text
    assert re.search(r'data-price="120(\.00)?"', page.text)
    assert re.search(r'data-price="100(\.00)?"', page.text)
    assert 'data-saved="1"' in page.text


async def test_a_pre_book_sheet_delivers_in_its_next_window_not_at_once(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    today = utcnow().date()
    windows = await DeliveryWindow.insert(
        DeliveryWindow(
            season=sheet.shop.season_id,
            name="Drop 1",
            starts_on=today - timedelta(days=30),
            ends_on=today - timedelta(days=15),
        ),
        DeliveryWindow(
            season=sheet.shop.season_id,
            name="Drop 2",
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=45),
        ),
    ).returning(DeliveryWindow.uuid)
    await client.sign_in(cast.distributor)
    page = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert f'<option value="{windows[1]["uuid"]}" selected>' in page.text


async def test_prepacks_and_a_pasted_block_fill_the_grid(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    sizes = {row["label"]: row["id"] for row in await Size.select()}
    scale = (await Size.select(Size.size_scale).first() or {})["size_scale"]
    prepack = await Prepack.insert(
        Prepack(size_scale=scale, name="1-2-1", created_at=utcnow())
    ).returning(Prepack.id)
    await PrepackSize.insert(
        PrepackSize(prepack=prepack[0]["id"], size=sizes["S"], quantity=1),
        PrepackSize(prepack=prepack[0]["id"], size=sizes["M"], quantity=2),
        PrepackSize(prepack=prepack[0]["id"], size=sizes["L"], quantity=1),
    )
    first, second = sheet.shop.styles
    black = next(iter(await _colour_ids(first.id)))
    await client.sign_in(cast.distributor)
    form = grid_form(
        sheet,
        {},
        intent="apply",
        **{
            f"prepack-{first.id}": str(prepack[0]["id"]),
            f"packs-{first.id}-{black}": "5",
            f"paste-{second.id}": "S\tM\tL\nBLK\t4\t8\t2\nWHT\t0\t6\t",
        },
    )
    response = await client.post_form("/distributors/matrix", form)
    assert response.status_code == 200
    for (colour, size), expected in {("BLK", "S"): 5, ("BLK", "M"): 10, ("BLK", "L"): 5}.items():
        assert f'name="q-{first.skus[(colour, size)]}" value="{expected}"' in response.text
    for (colour, size), expected in {("BLK", "S"): 4, ("BLK", "M"): 8, ("WHT", "M"): 6}.items():
        assert f'name="q-{second.skus[(colour, size)]}" value="{expected}"' in response.text
    assert await OrderLine.count() == 0


async def _colour_ids(style_id: int) -> list[int]:
    from partner_portal.catalog.tables import Colourway

    rows = (
        await Colourway.select(Colourway.id)
        .where(Colourway.style == style_id)
        .order_by(Colourway.id)
    )
    return [row["id"] for row in rows]
