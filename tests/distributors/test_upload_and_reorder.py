"""Order upload (xlsx/CSV in the template: errors by row and column, a clean file becomes
a draft) and reorder (a past order copied into a new draft at today's prices)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from partner_portal import i18n
from partner_portal.orders import services as orders
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import Order, OrderChannel, OrderLine, OrderStatus
from partner_portal.partners.tables import User
from partner_portal.spreadsheets import xlsx_bytes
from tests.distributors.support import Sheet, make_sheet, viewer
from tests.orders.support import set_price
from tests.support import Cast, PortalClient


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet()


async def test_a_file_with_bad_rows_names_each_row_and_column_and_saves_nothing(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    content = (
        b"style,colour,size,quantity\n"
        b"SS27-001,BLK,S,12\n"
        b"SS27-999,BLK,S,12\n"
        b"SS27-001,PNK,S,12\n"
        b"SS27-001,BLK,XXL,12\n"
        b"SS27-002,WHT,M,a dozen\n"
    )
    await client.sign_in(cast.distributor)
    response = await client.post_form(
        "/distributors/upload", files={"file": ("order.csv", content, "text/csv")}
    )
    assert response.status_code == 400
    rows = [
        (row, column) for row, column in [(3, "style"), (4, "colour"), (5, "size"), (6, "quantity")]
    ]
    for row, column in rows:
        assert f"<td>{row}</td><td>{column}</td>" in response.text
    assert await Order.count() == 0


async def test_a_clean_workbook_becomes_a_draft(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)
    template = await client.get("/distributors/upload/template?format=xlsx")
    assert template.content.startswith(b"PK")
    content = xlsx_bytes(
        ("style", "colour", "size", "quantity"),
        [
            {"style": "SS27-001", "colour": "BLK", "size": "S", "quantity": 12},
            {"style": "ss27-001", "colour": "blk", "size": "m", "quantity": 24},
            {"style": "SS27-002", "colour": "WHT", "size": "L", "quantity": 6},
        ],
    )
    response = await client.post_form(
        "/distributors/upload", files={"file": ("order.xlsx", content, "application/octet-stream")}
    )
    assert response.status_code == 303
    order = await Order.select().where(Order.buyer == cast.distributor_a.id).first()
    assert order is not None and order["status"] == OrderStatus.draft
    assert order["total_quantity"] == 42
    # Where it came from is a message id, read in each reader's language; notes stay empty.
    assert (order["origin_message"], order["notes"]) == ("Uploaded from a spreadsheet.", "")
    assert response.headers["location"] == f"/distributors/drafts/{order['uuid']}?done=upload_draft"
    grid = await client.get(response.headers["location"])
    assert grid.status_code == 200 and 'value="24"' in grid.text


async def test_reorder_copies_a_past_order_at_todays_prices(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    first = sheet.shop.styles[0]
    distributor = await viewer(cast.distributor)
    placed = await orders.place_order(
        distributor,
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[first.line("BLK", "S", 10), first.line("WHT", "M", 4)],
        ),
    )
    assert placed.saved
    await set_price(sheet.shop.cny_gold_list, first.id, Decimal("150"))
    await client.sign_in(cast.distributor)
    response = await client.post_form(f"/distributors/reorder/{placed.uuid}")
    assert response.status_code == 303
    new = await Order.select().where(Order.status == OrderStatus.draft).first()
    assert new is not None and new["uuid"] != placed.uuid
    lines = (
        await OrderLine.select(OrderLine.quantity, OrderLine.unit_price)
        .where(OrderLine.order == new["id"])
        .order_by(OrderLine.id)
    )
    assert [(row["quantity"], row["unit_price"]) for row in lines] == [
        (10, Decimal("150.00")),
        (4, Decimal("150.00")),
    ]
    old = await OrderLine.select(OrderLine.unit_price).where(
        OrderLine.order.uuid == placed.uuid  # type: ignore[attr-defined]
    )
    assert {row["unit_price"] for row in old} == {Decimal("100.00")}
    # The new draft opens in the grid saying what changed since.
    grid = await client.get(response.headers["location"])
    assert "What has changed since:" in grid.text
    assert "SS27-001 S/M: CN¥100.00 then, CN¥150.00 today" in grid.text
    # The past order offers the reorder, the draft opens in the grid.
    past_page = await client.get(f"/orders/{placed.uuid}")
    assert f'action="/distributors/reorder/{placed.uuid}"' in past_page.text
    draft_page = await client.get(f"/orders/{new['uuid']}")
    assert f'href="/distributors/drafts/{new["uuid"]}"' in draft_page.text
    listed = await client.get("/orders")
    assert f'href="/distributors/drafts/{new["uuid"]}"' in listed.text
    # Another distributor does not find the order to copy.
    await client.sign_in(cast.other_distributor)
    assert (await client.post_form(f"/distributors/reorder/{placed.uuid}")).status_code == 404


async def test_the_upload_form_orders_for_the_users_own_organisation_by_default(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)
    page = await client.get("/distributors/upload")
    assert f'<option value="{cast.distributor_a.uuid}" selected>' in page.text


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
async def test_the_downloaded_template_passes_its_own_check(
    client: PortalClient, cast: Cast, sheet: Sheet, file_format: str
) -> None:
    await client.sign_in(cast.distributor)
    page = await client.get("/distributors/upload")
    template = await client.get(f"/distributors/upload/template?format={file_format}")

    response = await client.post_form(
        "/distributors/upload",
        files={
            "file": (f"order-template.{file_format}", template.content, "application/octet-stream")
        },
    )

    # The example on the page and in the file is a style of the sheet the buyer may order.
    assert sheet.shop.styles[0].code in page.text
    assert "Up to 5 MB" in page.text
    assert response.status_code == 303, response.text
    order = await Order.select().where(Order.buyer == cast.distributor_a.id).first()
    assert order is not None and order["total_quantity"] == 30
    draft = await client.get(response.headers["location"])
    assert "File checked: every row is in this draft." in draft.text


async def test_a_reorder_sent_twice_from_the_order_page_makes_one_draft(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    from partner_portal.orders.services import OrderDraft
    from partner_portal.orders.tables import OrderChannel

    placed = await orders.place_order(
        await viewer(cast.distributor),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[sheet.shop.styles[0].line("BLK", "S", 10)],
        ),
    )
    assert placed.saved
    await client.sign_in(cast.distributor)
    page = await client.get(f"/orders/{placed.uuid}")
    key = re.search(r'name="idempotency_key" value="([^"]+-reorder)"', page.text)
    assert key is not None
    url = f"/distributors/reorder/{placed.uuid}"
    first = await client.post_form(url, {"idempotency_key": key.group(1)})
    again = await client.post_form(url, {"idempotency_key": key.group(1)})
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert await Order.count().where(Order.status == OrderStatus.draft) == 1


async def test_a_reorders_note_is_read_in_the_readers_language_not_the_reorderers(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    """A distributor's buyer reading Chinese reorders; the brand's account manager reads
    the draft in Korean: the note says "reorder of ..." in Korean, not in Chinese."""
    first = sheet.shop.styles[0]
    placed = await orders.place_order(
        await viewer(cast.distributor),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[first.line("BLK", "S", 10)],
        ),
    )
    assert placed.saved
    past = await Order.select(Order.number).where(Order.uuid == placed.uuid).first()
    assert past is not None
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    await User.update({User.locale: "ko"}).where(User.id == cast.kam.id)
    await client.sign_in(cast.distributor)
    assert (await client.post_form(f"/distributors/reorder/{placed.uuid}")).status_code == 303
    draft = await Order.select().where(Order.status == OrderStatus.draft).first()
    assert draft is not None
    assert (draft["origin_message"], draft["notes"]) == ("Reorder of %(number)s", "")

    def note(locale: str) -> str:
        token = i18n.current_locale.set(locale)
        try:
            return i18n.gettext("Reorder of %(number)s", number=past["number"])
        finally:
            i18n.current_locale.reset(token)

    chinese, korean = note("zh_Hans"), note("ko")
    assert len({chinese, korean, f"Reorder of {past['number']}"}) == 3
    reorderer_page = await client.get(f"/orders/{draft['uuid']}")
    assert chinese in reorderer_page.text
    await client.sign_in(cast.kam)
    reader_page = await client.get(f"/orders/{draft['uuid']}")
    assert reader_page.status_code == 200
    assert korean in reader_page.text and chinese not in reader_page.text
