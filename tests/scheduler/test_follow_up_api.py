"""Follow-ups through the API: the agenda's list with its filters a page at a time, one
follow-up, planning one (checked by the page form's rules, in the reader's language) and
marking one done, with the pages' rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from partner_portal.partners.tables import TimelineEntry
from scheduler.services import create_follow_up
from scheduler.tables import FollowUp
from tests.scheduler.support import follow_up
from tests.support import Cast, PortalClient, problem_fields, problem_messages
from tests.webhooks.support import token_for

API = "/api/v1/follow-ups"
MONDAY = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)


async def test_the_list_pages_through_what_the_agenda_shows_with_its_filters(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = MONDAY - timedelta(days=1)
    for day in range(3):
        await follow_up(cast.distributor_a, cast.kam, MONDAY + timedelta(days=day), f"A{day}")
    await create_follow_up(
        organisation_id=cast.bank.id,
        owner_id=cast.kam.id,
        title="Bank",
        due_at=MONDAY,
        kind="visit",
    )
    await follow_up(cast.distributor_b, cast.other_kam, MONDAY, "Other KAM's")
    headers = await token_for(cast.kam)

    first = (await client.get(API, headers=headers, params={"limit": 3})).json()
    rest = (
        await client.get(API, headers=headers, params={"limit": 3, "cursor": first["next_cursor"]})
    ).json()

    titles = [item["title"] for item in first["items"] + rest["items"]]
    assert sorted(titles) == ["A0", "A1", "A2", "Bank"]  # the KAM's own, soonest first
    assert rest["next_cursor"] is None
    assert first["items"][0]["due_at"].endswith("Z")  # RFC 3339, with its offset
    by_partner = await client.get(
        API,
        headers=headers,
        params={"partner": str(cast.distributor_a.uuid), "due_before": "2027-03-02T00:00:00Z"},
    )
    assert [item["title"] for item in by_partner.json()["items"]] == ["A0"]
    visits = await client.get(API, headers=headers, params={"kind": "visit", "state": "open"})
    assert [item["title"] for item in visits.json()["items"]] == ["Bank"]
    bad = await client.get(API, headers=headers, params={"state": "someday"})
    assert problem_fields(bad) == {"state": "invalid"}
    # A partner's users never see the brand's follow-ups.
    assert (await client.get(API, headers=await token_for(cast.distributor))).status_code == 403


async def test_a_kam_plans_a_follow_up_in_their_time_zone_and_completes_it(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.kam)
    planning = {**headers, "Idempotency-Key": "plan-follow-up-0001"}
    body = {
        "partner": str(cast.distributor_a.uuid),
        "kind": "call",
        "title": "确认春季订单",
        "due_at": "2027-03-02T09:30:00+08:00",
        "recurrence": "FREQ=WEEKLY",
    }
    planned = await client.post(API, headers=planning, json=body)
    assert planned.status_code == 201, planned.text
    item = planned.json()
    assert item["due_at"] == "2027-03-02T01:30:00Z"
    assert item["owner"] == str(cast.kam.uuid) and item["recurrence"] == "FREQ=WEEKLY"
    again = await client.post(API, headers=planning, json=body)
    assert again.json()["id"] == item["id"] and await FollowUp.count() == 1
    assert (await client.get(f"{API}/{item['id']}", headers=headers)).json() == item

    done = await client.post(
        f"{API}/{item['id']}/complete", headers=headers, json={"outcome": "客户确认"}
    )

    assert done.status_code == 200, done.text
    assert done.json()["follow_up"]["state"] == "done"
    assert done.json()["next"]["due_at"] == "2027-03-09T01:30:00Z"
    assert await TimelineEntry.exists().where(TimelineEntry.summary.like("%客户确认%"))
    twice = await client.post(f"{API}/{item['id']}/complete", headers=headers, json={})
    assert twice.status_code == 409


async def test_bad_input_is_refused_by_field_in_the_readers_language_and_nothing_saved(
    client: PortalClient, cast: Cast
) -> None:
    headers = {**await token_for(cast.kam), "Accept-Language": "ko"}
    refused = await client.post(
        API,
        headers=headers,
        json={"partner": str(cast.distributor_b.uuid), "kind": "sing", "recurrence": "COUNT=3"},
    )
    assert problem_fields(refused) == {
        "partner": "invalid",  # another KAM's partner: not one this KAM sees
        "kind": "invalid",
        "title": "invalid",
        "due_at": "invalid",
        "recurrence": "invalid",
    }
    assert "Choose" not in problem_messages(refused)["kind"]
    assert await FollowUp.count() == 0
    staff = await client.post(API, headers=await token_for(cast.staff), json={})
    assert staff.status_code == 403
