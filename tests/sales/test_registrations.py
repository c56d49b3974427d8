"""Deal registration: conflicts on the same customer and region, approval protecting the
partner, decision deadlines and expiry, and partners seeing only their own claims."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from partner_portal.notifications.tables import Notification
from partner_portal.partners.tables import TimelineEntry, User
from sales import registrations
from sales.access import SalesAction, get_deal_registration
from sales.tables import DealRegistration
from scheduler.tables import FollowUp
from tests.sales.support import register_deal, viewer
from tests.support import Cast, PortalClient

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def _row(registration_uuid: Any) -> dict[str, Any]:
    row = await DealRegistration.select().where(DealRegistration.uuid == registration_uuid).first()
    assert row is not None
    return row


async def test_a_second_claim_on_the_same_customer_and_region_is_a_conflict(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    first = await register_deal(cast.distributor, "上海第一人民医院", "CN-SH")
    # Another spelling of the same customer, by another partner.
    second = await register_deal(cast.other_distributor, "上海第一人民医院 ", "cn-sh")
    elsewhere = await register_deal(cast.retailer, "上海第一人民医院", "CN-ZJ")

    assert (await _row(first))["conflict_with"] is None
    assert (await _row(second))["conflict_with"] == (await _row(first))["id"]
    assert (await _row(elsewhere))["conflict_with"] is None
    await client.sign_in(cast.admin)
    page = await client.get(f"/sales/registrations/{second}")
    assert "Another partner claims the same customer" in page.text
    assert "上海锦程贸易有限公司" in page.text and "서울패션유통" in page.text


async def test_a_partner_cannot_register_the_same_customer_twice(cast: Cast) -> None:
    await register_deal(cast.distributor, "Hangzhou West Lake Hotel", "CN-ZJ")

    again = await registrations.submit_registration(
        await viewer(cast.distributor_colleague),
        {
            "end_customer": "hangzhou west-lake hotel co., ltd",
            "region": "CN-ZJ",
            "expected_quantity": "10",
            "expected_value": "1000",
        },
    )

    assert "already registered" in again.errors["end_customer"]


async def test_approving_protects_the_partner_and_rejects_the_rival_claim(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    first = await register_deal(cast.distributor)
    second = await register_deal(cast.other_distributor)
    await client.sign_in(cast.kam)

    response = await client.post_form(
        f"/sales/registrations/{first}/decide", {"decision": "approve", "version": "1"}
    )

    assert response.status_code == 303
    # The KAM was told of the claim; the distributor's buyer is told of the decision.
    told = await Notification.select().where(Notification.kind == "sales_registration")
    assert {row["user"] for row in told} >= {cast.kam.id, cast.distributor.id}
    approved, rival = await _row(first), await _row(second)
    assert approved["status"] == "approved"
    assert approved["protected_until"] == date(2027, 5, 22)  # 180 days
    assert rival["status"] == "rejected"
    shared = await TimelineEntry.select().where(TimelineEntry.organisation == cast.distributor_a.id)
    assert any("approved" in entry["summary"] and not entry["internal"] for entry in shared)
    # The shared note reads in each reader's language, whoever decided.
    for member, locale, words in (
        (cast.distributor, "zh_Hans", "的项目报备已批准，保护至 2027年5月22日。"),
        (cast.distributor_colleague, "ko", "딜 등록이 2027. 5. 22.까지 승인되었습니다."),
    ):
        await User.update({User.locale: locale}).where(User.id == member.id)
        await client.log_in(member)
        page = await client.get(f"/partners/{cast.distributor_a.uuid}")
        assert words in page.text, locale
        assert "approved until" not in page.text, locale
    # While protected, a new claim by someone else is flagged again.
    third = await register_deal(cast.retailer)
    assert (await _row(third))["conflict_with"] == approved["id"]


async def test_rejecting_needs_a_note_and_a_decided_claim_cannot_be_decided_again(
    client: PortalClient, cast: Cast
) -> None:
    claim = await register_deal(cast.distributor)
    await client.sign_in(cast.admin)

    no_note = await client.post_form(f"/sales/registrations/{claim}/decide", {"decision": "reject"})
    rejected = await client.post_form(
        f"/sales/registrations/{claim}/decide", {"decision": "reject", "note": "Direct account"}
    )
    twice = await client.post_form(f"/sales/registrations/{claim}/decide", {"decision": "approve"})

    assert no_note.status_code == 400
    assert rejected.status_code == 303
    assert twice.status_code == 403
    assert (await _row(claim))["status"] == "rejected"


async def test_overdue_decisions_are_flagged_once_and_protection_expires(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    waiting = await register_deal(cast.distributor, "Nanjing Metro", "CN-JS")
    protected = await register_deal(cast.retailer, "Suzhou Park", "CN-JS")
    admin = await viewer(cast.admin)
    registration = await get_deal_registration(
        admin, protected, SalesAction.decide_deal_registrations
    )
    await registrations.decide(admin, registration, {"decision": "approve"})

    frozen_clock.frozen_at = NOW + timedelta(days=6)
    first_run = await registrations.run_registration_deadlines()
    second_run = await registrations.run_registration_deadlines()
    assert first_run == "0 protections ended, 1 decisions overdue"
    assert second_run == "0 protections ended, 0 decisions overdue"
    assert (await _row(waiting))["escalated_at"] == NOW + timedelta(days=6)
    [follow_up] = await FollowUp.select().where(FollowUp.subject_uuid == waiting)
    assert follow_up["owner"] == cast.kam.id

    frozen_clock.frozen_at = NOW + timedelta(days=181)
    assert (await registrations.run_registration_deadlines()).startswith("1 protections ended")
    assert (await _row(protected))["status"] == "expired"
    # An expired protection no longer makes a new claim a conflict.
    fresh = await register_deal(cast.other_distributor, "Suzhou Park", "CN-JS")
    assert (await _row(fresh))["conflict_with"] is None


async def test_partners_see_only_their_own_registrations_on_pages_and_api(
    client: PortalClient, cast: Cast
) -> None:
    mine = await register_deal(cast.distributor, "Jincheng customer", "CN-SH")
    theirs = await register_deal(cast.other_distributor, "Jincheng customer", "CN-SH")
    retailers = await register_deal(cast.retailer, "Shop customer", "CN-ZJ")
    await client.sign_in(cast.distributor_colleague)

    listing = await client.get("/sales/registrations")
    api = await client.get("/api/v1/deal-registrations")
    own_page = await client.get(f"/sales/registrations/{mine}")

    assert listing.status_code == 200 and str(mine) in listing.text
    assert str(theirs) not in listing.text and str(retailers) not in listing.text
    assert [item["id"] for item in api.json()["items"]] == [str(mine)]
    # The partner is not told that someone else claims the customer.
    assert api.json()["items"][0]["conflict"] is False
    assert "서울패션유통" not in own_page.text
    assert (await client.get(f"/sales/registrations/{theirs}")).status_code == 404
    assert (await client.get(f"/sales/registrations/{retailers}")).status_code == 404


async def test_a_registration_form_with_mistakes_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.retailer)

    response = await client.post_form(
        "/sales/registrations/new",
        {
            "end_customer": "",
            "region": "Atlantis",
            "expected_quantity": "-3",
            "expected_value": "x",
            "styles": "NOPE-1",
        },
    )

    assert response.status_code == 400
    assert "Choose the region from the list" in response.text
    assert await DealRegistration.count() == 0
