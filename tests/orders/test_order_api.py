"""The order API as an ERP uses it: the same visibility as the pages, drafts by style
code, idempotent submission, status steps and shipments, and clear 400s for bad input."""

from __future__ import annotations

import pytest

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.catalog.tables import Style, StyleStatus
from partner_portal.orders.tables import Order, OrderStatus
from tests.orders.pages_support import order_row, place
from tests.orders.support import Shop, make_shop
from tests.support import (
    Cast,
    Member,
    PortalClient,
    check_a_forged_cursor_is_refused_in_korean,
    cursor_pages,
    problem_fields,
    problem_messages,
)


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop(1)


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


async def test_each_caller_lists_and_reads_only_orders_it_may_see(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    own = await place(shop, cast.admin, cast.distributor_a)
    others = await place(shop, cast.admin, cast.distributor_b)
    headers = await token_for(cast.distributor)

    listed = await client.get("/api/v1/orders", headers=headers)
    assert [item["id"] for item in listed.json()["items"]] == [str(own)]
    order = (await client.get(f"/api/v1/orders/{own}", headers=headers)).json()
    assert order["total_quantity"] == 15 and order["currency"] == "CNY"
    assert {line["style"] for line in order["lines"]} == {"SS27-001"}
    assert order["next_steps"] == ["cancelled"]
    assert (await client.get(f"/api/v1/orders/{others}", headers=headers)).status_code == 404
    supplier = await token_for(cast.supplier)
    assert (await client.get("/api/v1/orders", headers=supplier)).status_code == 403


async def test_an_erp_creates_edits_and_submits_a_draft_once(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    headers = await token_for(cast.distributor)
    created = await client.post(
        "/api/v1/orders",
        headers=headers,
        json={
            "buyer": str(cast.distributor_a.uuid),
            "lines": [{"style": "SS27-001", "colour": "BLK", "size": "S", "quantity": 4}],
            "customer_po": "ERP-1",
        },
    )
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["status"] == "draft" and draft["channel"] == "distributor"

    stale = {"lines": [{"style": "SS27-001", "colour": "WHT", "size": "L", "quantity": 8}]}
    replaced = await client.put(
        f"/api/v1/orders/{draft['id']}/lines", headers=headers, json={**stale, "version": 1}
    )
    assert replaced.status_code == 200 and replaced.json()["total_quantity"] == 8
    conflict = await client.put(
        f"/api/v1/orders/{draft['id']}/lines", headers=headers, json={**stale, "version": 1}
    )
    problem_fields(conflict, 409)
    assert conflict.json()["current_version"] == 2
    assert conflict.json()["changes"][0]["fields"]

    no_key = await client.post(f"/api/v1/orders/{draft['id']}/submit", headers=headers)
    assert problem_fields(no_key) == {"Idempotency-Key": "invalid"}
    keyed = {**headers, "Idempotency-Key": "erp-submit-0001"}
    for _ in range(2):
        submitted = await client.post(f"/api/v1/orders/{draft['id']}/submit", headers=keyed)
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert len(submitted.json()["history"]) == 2


async def test_bad_input_gets_a_400_that_says_what_is_wrong(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    headers = await token_for(cast.kam)
    unknown = await client.post(
        "/api/v1/orders",
        headers=headers,
        json={
            "buyer": str(cast.distributor_a.uuid),
            "lines": [{"style": "NOPE-1", "colour": "BLK", "size": "S", "quantity": 1}],
        },
    )
    assert problem_fields(unknown) == {"lines[0].style": "invalid"}
    assert problem_messages(unknown) == {"lines[0].style": "No style NOPE-1 in the catalog."}
    not_json = await client.post(
        "/api/v1/orders", headers={**headers, "Content-Type": "application/json"}, content=b"{"
    )
    assert problem_fields(not_json) == {"": "json"}
    wrong_type = await client.post(
        "/api/v1/orders", headers=headers, json={"buyer": "x", "lines": "many"}
    )
    assert set(problem_fields(wrong_type).values()) <= {"type", "invalid"}
    unknown_field = await client.post(
        "/api/v1/orders",
        headers=headers,
        json={"buyer": str(cast.distributor_a.uuid), "lines": [], "colour": "red"},
    )
    assert problem_fields(unknown_field) == {"colour": "unknown_field"}
    too_many = await client.post(
        "/api/v1/orders",
        headers=headers,
        json={
            "buyer": str(cast.distributor_a.uuid),
            "lines": [{"style": "SS27-001", "colour": "BLK", "size": "S", "quantity": 10**7}],
        },
    )
    assert problem_fields(too_many) == {"lines[0].quantity": "out_of_range"}
    await Style.update({Style.status: StyleStatus.discontinued}).where(Style.code == "SS27-001")
    discontinued = await client.post(
        "/api/v1/orders",
        headers=headers,
        json={
            "buyer": str(cast.distributor_a.uuid),
            "lines": [
                {"style": "SS27-001", "colour": "BLK", "size": "S", "quantity": 2},
                {"style": "SS27-001", "colour": "BLK", "size": "M", "quantity": 2},
            ],
        },
    )
    # Each refused line is named by its place in the body, as the ERP sent it.
    assert problem_messages(discontinued) == {
        "lines[0]": "Style SS27-001 cannot be ordered.",
        "lines[1]": "Style SS27-001 cannot be ordered.",
    }
    lost = await client.get("/api/v1/orders?status=lost", headers=headers)
    assert problem_fields(lost) == {"status": "invalid"}
    cursor = await client.get("/api/v1/orders?cursor=abc", headers=headers)
    assert problem_fields(cursor) == {"cursor": "invalid"}
    limit = await client.get("/api/v1/orders?limit=100000", headers=headers)
    assert problem_fields(limit) == {"limit": "out_of_range"}
    invisible = await client.post(
        "/api/v1/orders",
        headers=headers,
        json={"buyer": str(cast.distributor_b.uuid), "lines": []},
    )
    assert problem_fields(invisible) == {"buyer": "invalid"}
    assert await Order.count() == 0


async def test_the_brand_confirms_and_ships_through_the_api(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await place(shop, cast.admin, cast.distributor_a)
    headers = await token_for(cast.staff)
    wrong = await client.post(
        f"/api/v1/orders/{order}/status", headers=headers, json={"status": "delivered"}
    )
    assert problem_fields(wrong) == {"status": "invalid"}
    confirmed = await client.post(
        f"/api/v1/orders/{order}/status", headers=headers, json={"status": "confirmed"}
    )
    assert confirmed.status_code == 200
    lines = confirmed.json()["lines"]
    shipment = await client.post(
        f"/api/v1/orders/{order}/shipments",
        headers=headers,
        json={
            "carrier": "CJ대한통운",
            "tracking_number": "CJ-9",
            "shipped_on": "2027-03-01",
            "lines": [{"line": line["id"], "quantity": line["quantity"]} for line in lines],
        },
    )
    assert shipment.status_code == 201, shipment.text
    assert (await order_row(order))["status"] == OrderStatus.shipped
    buyer = await token_for(cast.distributor)
    listed = await client.get(f"/api/v1/orders/{order}/shipments", headers=buyer)
    assert [row["carrier"] for row in listed.json()["items"]] == ["CJ대한통운"]
    refused = await client.post(
        f"/api/v1/orders/{order}/shipments", headers=buyer, json={"carrier": "x"}
    )
    assert refused.status_code == 403


async def test_an_orders_shipments_page_with_a_cursor_the_first_sent_first(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order = await place(shop, cast.admin, cast.distributor_a)
    headers = await token_for(cast.staff)
    confirmed = await client.post(
        f"/api/v1/orders/{order}/status", headers=headers, json={"status": "confirmed"}
    )
    [line, *_] = confirmed.json()["lines"]
    for number in ("SF-1", "SF-2", "SF-3"):
        sent = await client.post(
            f"/api/v1/orders/{order}/shipments",
            headers=headers,
            json={
                "carrier": "SF Express",
                "tracking_number": number,
                "shipped_on": "2027-03-01",
                "lines": [{"line": line["id"], "quantity": 1}],
            },
        )
        assert sent.status_code == 201, sent.text
    client.headers.update(await token_for(cast.distributor))

    pages = await cursor_pages(client, f"/api/v1/orders/{order}/shipments", key="tracking_number")

    assert pages == [["SF-1", "SF-2"], ["SF-3"]]
    await check_a_forged_cursor_is_refused_in_korean(client, f"/api/v1/orders/{order}/shipments")


async def test_money_has_the_currencys_decimals_and_times_their_offset(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    cny = await place(shop, cast.admin, cast.distributor_a)
    krw = await place(shop, cast.admin, cast.distributor_b)
    headers = await token_for(cast.admin)

    yuan = (await client.get(f"/api/v1/orders/{cny}", headers=headers)).json()
    won = (await client.get(f"/api/v1/orders/{krw}", headers=headers)).json()
    listed = (await client.get("/api/v1/orders", headers=headers)).json()["items"]

    assert (yuan["currency"], yuan["total"], yuan["lines"][0]["unit_price"]) == (
        "CNY",
        "1500.00",
        "100.00",
    )
    assert (won["currency"], won["total"], won["lines"][0]["unit_price"]) == (
        "KRW",
        "300000",
        "20000",
    )
    assert {item["total"] for item in listed} == {"1500.00", "300000"}
    for moment in (yuan["created_at"], yuan["submitted_at"], yuan["history"][0]["at"]):
        assert moment.endswith("Z") or moment[-6] in "+-", moment
