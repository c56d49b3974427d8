"""The order pages as each role uses them: the list, a new order, the order page's
buttons, submitting once, draft edits that collide, change requests, shipments."""

from __future__ import annotations

from typing import Any

import pytest

from partner_portal.orders import queries, services
from partner_portal.orders.tables import (
    ChangeRequest,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)
from partner_portal.partners.tables import User
from tests.orders.pages_support import idempotency_key, move, order_row, place
from tests.orders.support import Shop, make_shop
from tests.support import Cast, PortalClient


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop(1)


async def test_each_role_lists_only_the_orders_of_buyers_it_sees(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    own = await order_row(await place(shop, cast.admin, cast.distributor_a))
    retailers = await order_row(await place(shop, cast.admin, cast.retailer_a))
    others = await order_row(await place(shop, cast.admin, cast.distributor_b))

    await client.sign_in(cast.distributor)
    page = (await client.get("/orders")).text
    assert own["number"] in page and retailers["number"] in page
    assert others["number"] not in page
    assert (await client.get(f"/orders/{others['uuid']}")).status_code == 404

    await client.sign_in(cast.retailer)
    page = (await client.get("/orders")).text
    assert retailers["number"] in page and own["number"] not in page

    await client.sign_in(cast.other_kam)
    page = (await client.get("/orders")).text
    assert others["number"] in page and own["number"] not in page

    await client.sign_in(cast.supplier)
    assert (await client.get("/orders")).status_code == 403
    assert (await client.get(f"/orders/{own['uuid']}")).status_code == 404
    assert 'href="/orders"' not in (await client.get("/partners")).text


async def test_the_list_filters_remembers_them_and_pages_by_key(
    client: PortalClient, cast: Cast, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted = [await place(shop, cast.admin, cast.distributor_a) for _ in range(3)]
    draft = await order_row(await place(shop, cast.admin, cast.distributor_a, OrderStatus.draft))
    numbers = [(await order_row(uuid))["number"] for uuid in submitted]
    monkeypatch.setattr(services.reading, "PAGE_SIZE", 2)
    await client.sign_in(cast.kam)

    first = await client.get("/orders?status=submitted")
    assert numbers[2] in first.text and numbers[1] in first.text
    assert numbers[0] not in first.text and draft["number"] not in first.text
    older = first.text.split("Older orders")[0].rsplit('href="', 1)[1].split('"')[0]
    second = await client.get(older.replace("&amp;", "&"))
    assert numbers[0] in second.text and numbers[2] not in second.text

    # Opened again without filters, the list comes back with the status chosen.
    back = await client.get("/orders")
    assert back.status_code == 303
    assert back.headers["location"] == "/orders?status=submitted"
    # Live filtering answers with the rows only.
    rows = await client.get("/orders?status=draft", headers={"HX-Request": "true"})
    assert draft["number"] in rows.text and "<html" not in rows.text


async def test_a_listed_order_shows_its_changes_at_once_in_the_readers_language(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    # Rows are rendered once and kept (partner_portal/fragments.py): what they show must
    # still be current, and in the reader's language and time zone.
    order_uuid = await place(shop, cast.admin, cast.distributor_a)
    await client.sign_in(cast.distributor)

    def row_of(page: str) -> str:
        start = page.index(f'href="/orders/{order_uuid}"')
        return page[start : page.index("</tr>", start)]

    before = row_of((await client.get("/orders?clear=1")).text)
    await move(order_uuid, OrderStatus.confirmed)
    await Order.update({Order.customer_po: "PO-77"}).where(Order.uuid == order_uuid)
    after = row_of((await client.get("/orders?clear=1")).text)
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    chinese = row_of((await client.get("/orders?clear=1")).text)
    await User.update({User.locale: "ko"}).where(User.id == cast.distributor.id)
    korean = row_of((await client.get("/orders?clear=1")).text)

    assert "Submitted" in before and "PO-77" not in before
    assert "Confirmed" in after and "PO PO-77" in after
    assert "已确认" in chinese and "확정됨" in korean


async def test_a_brand_with_many_buyers_finds_orders_by_buyer_name_not_in_a_menu(
    client: PortalClient, cast: Cast, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = await order_row(await place(shop, cast.admin, cast.distributor_a))
    theirs = await order_row(await place(shop, cast.admin, cast.distributor_b))
    await client.sign_in(cast.admin)
    # Few buyers: a menu of them.
    assert '<select id="buyer"' in (await client.get("/orders?status=submitted")).text

    monkeypatch.setattr(queries, "BUYER_MENU_LIMIT", 2)
    page = await client.get("/orders?status=submitted")
    assert '<select id="buyer"' not in page.text
    found = await client.get(
        "/orders", params={"q": cast.distributor_b.legal_name[:6]}, headers={"HX-Request": "true"}
    )
    assert theirs["number"] in found.text and ours["number"] not in found.text
    # A link from a partner's page filters by that buyer and names it.
    linked = await client.get("/orders", params={"buyer": str(cast.distributor_a.uuid)})
    assert ours["number"] in linked.text and theirs["number"] not in linked.text
    assert f'value="{cast.distributor_a.uuid}"' in linked.text
    assert cast.distributor_a.legal_name in linked.text


async def test_a_kam_enters_an_order_for_a_partner_and_a_double_click_submits_it_once(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    await client.sign_in(cast.kam)
    form = (await client.get("/orders/new")).text
    assert cast.distributor_a.legal_name in form
    assert cast.distributor_b.legal_name not in form

    response = await client.post_form(
        "/orders/new",
        {
            "buyer": str(cast.distributor_a.uuid),
            "line-0-style": "ss27-001",
            "line-0-colour": "blk",
            "line-0-size": "m",
            "line-0-quantity": "24",
            "line-1-style": "SS27-001",
            "line-1-colour": "WHT",
            "line-1-size": "S",
            "line-1-quantity": "6",
            "customer_po": "PO-778",
        },
    )
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    order = (await Order.select().where(Order.customer_po == "PO-778").first()) or {}
    assert order["status"] == OrderStatus.draft and order["channel"] == "rep_entered"
    assert order["total_quantity"] == 30
    assert "¥3,000.00" in page  # 30 pieces at the gold price of 100 CNY

    key = idempotency_key(page)
    for _ in range(2):
        submitted = await client.post_form(
            f"/orders/{order['uuid']}/submit", {"idempotency_key": key}
        )
        assert submitted.status_code == 303
    changes = await OrderStatusChange.count().where(
        (OrderStatusChange.order == order["id"])
        & (OrderStatusChange.to_status == OrderStatus.submitted)
    )
    assert changes == 1
    assert (await order_row(order["uuid"]))["status"] == OrderStatus.submitted


async def test_a_bad_line_is_named_on_its_row_and_nothing_is_saved(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    await client.sign_in(cast.distributor)
    response = await client.post_form(
        "/orders/new",
        {
            "buyer": str(cast.distributor_a.uuid),
            "line-0-style": "SS27-001",
            "line-0-colour": "RED",
            "line-0-size": "M",
            "line-0-quantity": "5",
            "line-1-style": "SS27-001",
            "line-1-colour": "BLK",
            "line-1-size": "M",
            "line-1-quantity": "many",
        },
    )
    assert response.status_code == 400
    assert "Style SS27-001 has no colour RED." in response.text
    assert "A whole number from 1 to 1,000,000." in response.text
    assert 'value="RED"' in response.text  # what was typed stays
    assert await Order.count() == 0


async def test_each_role_gets_the_buttons_of_its_next_steps(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await place(shop, cast.admin, cast.distributor_a)

    await client.sign_in(cast.kam)
    page = (await client.get(f"/orders/{order}")).text
    assert 'value="confirmed"' in page and 'value="rejected"' in page
    assert "Ask for a change" not in page

    await client.sign_in(cast.distributor)
    page = (await client.get(f"/orders/{order}")).text
    assert 'value="confirmed"' not in page
    assert 'value="cancelled"' in page and "Ask for a change" in page
    assert "Record a shipment" not in page

    await client.sign_in(cast.staff)
    page = (await client.get(f"/orders/{order}")).text
    assert 'value="confirmed"' in page and "Submit order" not in page


async def test_a_second_editor_of_a_draft_is_told_what_changed(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await order_row(
        await place(shop, cast.distributor, cast.distributor_a, OrderStatus.draft)
    )
    details = {"version": str(order["version"]), "ship_to": "上海市浦东新区 1 号仓"}
    await client.sign_in(cast.distributor)
    first = await client.post_form(f"/orders/{order['uuid']}/details", details)
    assert first.status_code == 303

    await client.sign_in(cast.distributor_colleague)
    second = await client.post_form(
        f"/orders/{order['uuid']}/details", {**details, "ship_to": "杭州", "customer_po": "X1"}
    )
    assert second.status_code == 409
    assert "Someone saved this record after you opened it" in second.text
    assert "上海市浦东新区 1 号仓" in second.text
    assert (await order_row(order["uuid"]))["customer_po"] == ""
    # Sent again with the version the conflict page carries, it saves.
    version = second.text.split('name="version" value="')[1].split('"')[0]
    third = await client.post_form(
        f"/orders/{order['uuid']}/details",
        {**details, "ship_to": "杭州", "customer_po": "X1", "version": version},
    )
    assert third.status_code == 303
    assert (await order_row(order["uuid"]))["customer_po"] == "X1"


async def test_a_rejection_asks_for_a_reason_and_the_history_says_who(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await place(shop, cast.admin, cast.distributor_a)
    await client.sign_in(cast.kam)
    response = await client.post_form(
        f"/orders/{order}/status", {"to_status": "rejected", "note": "缺货 out of stock"}
    )
    assert response.status_code == 303
    await client.sign_in(cast.distributor)
    page = (await client.get(f"/orders/{order}")).text
    assert "Rejected" in page and "王小明" in page and "缺货 out of stock" in page
    # A step that is not next is refused with a message, not an error page.
    again = await client.post_form(f"/orders/{order}/status", {"to_status": "confirmed"})
    assert again.status_code == 400
    assert "An order cannot go from rejected to confirmed." in again.text


async def test_the_buyer_asks_for_a_change_and_the_brand_accepts_it(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await order_row(await place(shop, cast.admin, cast.distributor_a))
    black_m = shop.styles[0].skus[("BLK", "M")]
    await client.sign_in(cast.distributor)
    response = await client.post_form(
        f"/orders/{order['uuid']}/change-requests",
        {"version": str(order["version"]), f"qty-{black_m}": "16", "reason": "卖得好"},
    )
    assert response.status_code == 303
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    assert "变更请求已发送" in (await client.get(response.headers["location"])).text
    await User.update({User.locale: "en"}).where(User.id == cast.distributor.id)
    page = (await client.get(f"/orders/{order['uuid']}")).text
    assert "卖得好" in page and "<ins>16</ins>" in page

    await client.sign_in(cast.kam)
    page = (await client.get(f"/orders/{order['uuid']}")).text
    assert "<del>10</del>" in page and "Accept the change" in page
    request = await ChangeRequest.select(ChangeRequest.uuid).first()
    assert request is not None
    decided = await client.post_form(
        f"/orders/{order['uuid']}/change-requests/decide",
        {"request": str(request["uuid"]), "decision": "accept"},
    )
    assert decided.status_code == 303
    line = await OrderLine.select(OrderLine.quantity).where(OrderLine.sku == black_m).first()
    assert line == {"quantity": 16}


async def test_the_brand_records_a_partial_shipment(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await order_row(
        await place(shop, cast.admin, cast.distributor_a, OrderStatus.confirmed)
    )
    lines = await OrderLine.select(OrderLine.id, OrderLine.quantity).where(
        OrderLine.order == order["id"]
    )
    await client.sign_in(cast.staff)
    page = (await client.get(f"/orders/{order['uuid']}")).text
    assert "Record a shipment" in page
    form: dict[str, Any] = {
        "carrier": "顺丰速运",
        "tracking_number": "SF123",
        "shipped_on": "2027-02-01",
    }
    form |= {f"ship-{line['id']}": "0" for line in lines}
    too_many = await client.post_form(
        f"/orders/{order['uuid']}/shipments", form | {f"ship-{lines[0]['id']}": "999"}
    )
    assert too_many.status_code == 400 and "left to ship" in too_many.text
    shipped = await client.post_form(
        f"/orders/{order['uuid']}/shipments", form | {f"ship-{lines[0]['id']}": "3"}
    )
    assert shipped.status_code == 303
    assert (await order_row(order["uuid"]))["status"] == OrderStatus.partially_shipped
    # The next page says it is done, in the reader's language.
    await User.update({User.locale: "ko"}).where(User.id == cast.staff.id)
    done = (await client.get(shipped.headers["location"])).text
    assert "출고를 기록했습니다." in done
    await client.sign_in(cast.distributor)
    page = (await client.get(f"/orders/{order['uuid']}")).text
    assert "顺丰速运" in page and "SF123" in page and "Record a shipment" not in page


async def test_buyer_and_brand_write_to_each_other(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await place(shop, cast.admin, cast.distributor_a)
    await client.sign_in(cast.distributor)
    empty = await client.post_form(f"/orders/{order}/comments", {"body": "  "})
    assert empty.status_code == 400 and "Write a comment first." in empty.text
    assert (
        await client.post_form(f"/orders/{order}/comments", {"body": "请尽快发货"})
    ).status_code == 303
    await client.sign_in(cast.kam)
    assert "请尽快发货" in (await client.get(f"/orders/{order}")).text
