"""Service cases: SLA clocks in business hours, the thread both sides read and the notes
only the brand reads, escalation before a breach, idempotent opening and the answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from partner_portal import i18n
from partner_portal.partners.services import entry_text
from partner_portal.partners.tables import TimelineEntry
from sales import case_escalation, cases, knowledge
from sales.tables import CaseMessage, ServiceCase
from scheduler.tables import FollowUp
from tests.sales.support import open_case
from tests.support import Cast, PortalClient, problem_fields

SHANGHAI = timedelta(hours=8)


def shanghai(text: str) -> datetime:
    """A Shanghai wall-clock time as an aware UTC moment."""
    return (datetime.fromisoformat(text) - SHANGHAI).replace(tzinfo=UTC)


def test_the_sla_clock_counts_only_desk_hours() -> None:
    # Monday 10:00 + 2h: Monday 12:00.
    assert cases.add_business_hours(shanghai("2026-11-23T10:00"), 2) == shanghai("2026-11-23T12:00")
    # Monday 17:00 + 2h: one hour today, one tomorrow morning.
    assert cases.add_business_hours(shanghai("2026-11-23T17:00"), 2) == shanghai("2026-11-24T10:00")
    # Opened at night: the clock starts when the desk opens.
    assert cases.add_business_hours(shanghai("2026-11-23T22:30"), 1) == shanghai("2026-11-24T10:00")


def test_weekends_do_not_count() -> None:
    # Friday 17:00 + 2h: Monday 10:00.
    assert cases.add_business_hours(shanghai("2026-11-27T17:00"), 2) == shanghai("2026-11-30T10:00")
    # Saturday: Monday 09:00 + 8h = Monday 17:00.
    assert cases.add_business_hours(shanghai("2026-11-28T11:00"), 8) == shanghai("2026-11-30T17:00")
    # An urgent case on Friday 15:00: answer by 17:00, solve by Monday 14:00 (3h + 5h).
    first, resolution = cases.sla_deadlines(shanghai("2026-11-27T15:00"), "urgent")
    assert (first, resolution) == (shanghai("2026-11-27T17:00"), shanghai("2026-11-30T14:00"))


async def test_partners_never_see_the_brands_internal_notes(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = shanghai("2026-11-23T10:00")
    case = await open_case(cast.distributor)
    await client.sign_in(cast.kam)
    await client.post_form(
        f"/sales/cases/{case}/reply",
        {"body": "Factory batch B-2207, ask QC to check", "internal": "on"},
    )
    await client.post_form(
        f"/sales/cases/{case}/reply", {"body": "We are checking with the factory."}
    )

    kam_page = await client.get(f"/sales/cases/{case}")
    await client.sign_in(cast.distributor_colleague)
    partner_page = await client.get(f"/sales/cases/{case}")
    partner_api = await client.get(f"/api/v1/cases/{case}")

    assert "B-2207" in kam_page.text
    assert "We are checking with the factory." in partner_page.text
    assert "B-2207" not in partner_page.text
    assert [message["body"] for message in partner_api.json()["messages"]] == [
        "12 of 200 shirts have open collar seams.",
        "We are checking with the factory.",
    ]


async def test_the_first_public_reply_stops_the_response_clock_and_the_partner_reopens(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = shanghai("2026-11-23T10:00")
    case = await open_case(cast.retailer)
    await client.sign_in(cast.kam)
    await client.post_form(f"/sales/cases/{case}/reply", {"body": "Note", "internal": "on"})
    row = await ServiceCase.select().where(ServiceCase.uuid == case).first()
    assert row is not None and row["first_responded_at"] is None

    frozen_clock.frozen_at = shanghai("2026-11-23T11:00")
    await client.post_form(
        f"/sales/cases/{case}/reply", {"body": "Replaced, see credit note", "status": "resolved"}
    )
    await client.sign_in(cast.retailer)
    await client.post_form(f"/sales/cases/{case}/reply", {"body": "Still 2 pieces missing"})

    row = await ServiceCase.select().where(ServiceCase.uuid == case).first()
    assert row is not None
    assert row["first_responded_at"] == shanghai("2026-11-23T11:00")
    assert (row["status"], row["resolved_at"]) == ("in_progress", None)


async def test_cases_about_to_breach_are_escalated_once(cast: Cast, frozen_clock: Any) -> None:
    frozen_clock.frozen_at = shanghai("2026-11-23T10:00")
    urgent = await open_case(cast.distributor, priority="urgent")  # answer by 12:00
    await open_case(cast.distributor, priority="low", subject="Delivery date?")

    frozen_clock.frozen_at = shanghai("2026-11-23T10:30")
    assert await case_escalation.run_escalations() == "1 cases escalated"
    assert await case_escalation.run_escalations() == "0 cases escalated"

    row = await ServiceCase.select().where(ServiceCase.uuid == urgent).first()
    assert row is not None and row["escalated_at"] == shanghai("2026-11-23T10:30")
    note = await CaseMessage.select().where(
        CaseMessage.case == row["id"], CaseMessage.internal.eq(True)
    )
    assert len(note) == 1
    # The partner's KAM gets one follow-up (and its notification), due at the deadline.
    [follow_up] = await FollowUp.select().where(FollowUp.rule_key == "sales.case_sla")
    assert (follow_up["owner"], follow_up["subject_uuid"]) == (cast.kam.id, urgent)
    assert follow_up["due_at"] == shanghai("2026-11-23T12:00")


async def test_opening_the_same_form_twice_opens_one_case(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.client)
    form = {
        "subject": "Trouser length",
        "kind": "alteration_request",
        "priority": "normal",
        "description": "Shorten 3 cm",
        "idempotency_key": "case-form-1",
    }

    first = await client.post_form("/sales/cases/new", form)
    second = await client.post_form("/sales/cases/new", form)

    assert first.status_code == 303 and second.headers["location"] == first.headers["location"]
    assert await ServiceCase.count() == 1


async def test_a_case_on_an_unknown_order_saves_nothing(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.distributor)

    response = await client.post_form(
        "/sales/cases/new",
        {
            "subject": "Wrong colour",
            "kind": "wrong_shipment",
            "description": "Navy, not black",
            "order_number": "SO-99999",
        },
    )

    assert response.status_code == 400
    assert "No order of this partner has this number." in response.text
    assert await ServiceCase.count() == 0


async def test_partners_see_only_their_own_cases(client: PortalClient, cast: Cast) -> None:
    mine = await open_case(cast.distributor)
    retailers = await open_case(cast.retailer, subject="Retailer case")
    brand_opened = await open_case(cast.kam, cast.distributor_a, subject="Opened by the KAM")
    await client.sign_in(cast.distributor)

    listing = await client.get("/sales/cases?status=open")
    api = await client.get("/api/v1/cases")

    assert str(mine) in listing.text and str(brand_opened) in listing.text
    assert str(retailers) not in listing.text
    assert {item["id"] for item in api.json()["items"]} == {str(mine), str(brand_opened)}
    assert (await client.get(f"/sales/cases/{retailers}")).status_code == 404
    await client.sign_in(cast.other_kam)
    assert (await client.get(f"/sales/cases/{mine}")).status_code == 404


async def test_agents_link_answers_and_partners_search_them(
    client: PortalClient, cast: Cast
) -> None:
    case = await open_case(cast.distributor)
    await client.sign_in(cast.staff)
    await client.post_form(
        "/sales/answers",
        {"title": "How to return goods", "body": "Within 30 days, with photos.", "language": "en"},
    )
    article = (await knowledge.search_articles("en", "return"))[0]
    await client.post_form(
        f"/sales/cases/{case}/reply", {"body": "", "article": str(article["uuid"])}
    )

    await client.sign_in(cast.distributor)
    thread = await client.get(f"/sales/cases/{case}")
    found = await client.get("/sales/answers?q=return")

    assert "Within 30 days, with photos." in thread.text
    assert "How to return goods" in found.text
    assert (await client.post_form("/sales/answers", {"title": "x"})).status_code == 403


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _open_case_with_photo(
    client: PortalClient, name: str, content: bytes, claimed: str
) -> httpx.Response:
    """The retailer's "torn seam" complaint, sent with one attached file."""
    return await client.post(
        "/sales/cases/new",
        data={"subject": "Torn seam", "kind": "quality_defect", "description": "See photo"},
        files={"photos": (name, content, claimed)},
        headers={"x-csrftoken": await client.csrf_token()},
    )


async def test_photos_go_with_the_case_and_internal_ones_stay_with_the_brand(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.retailer)
    opened = await _open_case_with_photo(client, "seam.png", PNG, "image/png")
    assert opened.status_code == 303, opened.text
    case = opened.headers["location"].rsplit("/", 1)[1]
    await client.sign_in(cast.kam)
    await client.post(
        f"/sales/cases/{case}/reply",
        data={"body": "Factory label", "internal": "on"},
        files={"photos": ("label.png", PNG, "image/png")},
        headers={"x-csrftoken": await client.csrf_token()},
    )
    kam_page = (await client.get(f"/sales/cases/{case}")).text
    photo_links = re.findall(rf"/sales/cases/{case}/photos/[0-9a-f-]{{36}}", kam_page)
    assert len(set(photo_links)) == 2

    await client.sign_in(cast.retailer)
    shared, internal = dict.fromkeys(photo_links)
    served = await client.get(shared)
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert (await client.get(internal)).status_code == 404
    await client.sign_in(cast.distributor)
    assert (await client.get(shared)).status_code == 404


async def test_a_photo_keeps_only_the_last_part_of_its_name_and_is_served_as_what_it_is(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.retailer)
    opened = await _open_case_with_photo(client, "../../etc/seam.jpg", PNG, "image/jpeg")
    case = opened.headers["location"].rsplit("/", 1)[1]
    page = (await client.get(f"/sales/cases/{case}")).text
    (link,) = set(re.findall(rf"/sales/cases/{case}/photos/[0-9a-f-]{{36}}", page))

    served = await client.get(link)

    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"] == (
        "inline; filename=\"seam.png\"; filename*=UTF-8''seam.png"
    )
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "../" not in page


async def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.retailer)

    response = await _open_case_with_photo(
        client, "invoice.pdf", b"%PDF-1.4 not a photo", "image/png"
    )

    assert response.status_code == 400
    assert "is not a JPEG, PNG, GIF or WebP photo" in response.text
    assert await ServiceCase.count() == 0


async def test_a_complaint_counts_on_the_partners_timeline_a_question_does_not(
    cast: Cast,
) -> None:
    await open_case(cast.retailer, kind="quality_defect", subject="Pilling after one wash")
    await open_case(cast.retailer, kind="question", subject="Delivery date?")

    entries = await TimelineEntry.select().where(TimelineEntry.organisation == cast.retailer_a.id)

    assert [(entry["kind"], entry["internal"]) for entry in entries] == [("complaint", True)]
    # Stored as a message, read in each reader's language (not the opener's).
    assert entry_text(entries[0]) == "Service case opened: Pilling after one wash"
    token = i18n.current_locale.set("zh_Hans")
    try:
        assert "Pilling after one wash" in entry_text(entries[0])
        assert "Service case opened" not in entry_text(entries[0])
    finally:
        i18n.current_locale.reset(token)


async def test_a_partner_opens_a_case_through_the_api_once_per_key(
    client: PortalClient, cast: Cast
) -> None:
    from partner_portal.accounts.services import create_api_token
    from tests.sales.support import viewer

    token = await create_api_token(await viewer(cast.distributor), "erp")
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "subject": "Wrong size labels",
        "kind": "wrong_shipment",
        "priority": "high",
        "description": "Cartons 3-5 labelled M, contain L",
        "idempotency_key": "erp-77",
    }

    first = await client.post("/api/v1/cases", json=body, headers=headers)
    again = await client.post("/api/v1/cases", json=body, headers=headers)
    bad = await client.post("/api/v1/cases", json={"subject": ""}, headers=headers)

    assert first.status_code == 201 and first.json()["priority"] == "high"
    assert again.json()["id"] == first.json()["id"]
    assert problem_fields(bad)["subject"] == "invalid"
    assert await ServiceCase.count() == 1
