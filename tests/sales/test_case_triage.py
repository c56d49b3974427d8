"""A case's priority and agent change after it was opened: the brand's case workers only,
to agents who look after the partner; the SLA clock follows the new priority from the
change, and the change is an event in the thread and in the audit log."""

from __future__ import annotations

from typing import Any

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import User
from sales import case_escalation
from sales.tables import CaseMessage, ServiceCase
from tests.sales.support import open_case
from tests.sales.test_cases import shanghai
from tests.support import Cast, PortalClient


async def _case(case_uuid: Any) -> dict[str, Any]:
    row = await ServiceCase.select().where(ServiceCase.uuid == case_uuid).first()
    assert row is not None
    return row


async def test_raising_the_priority_restarts_the_sla_clock_and_hands_the_case_over(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = shanghai("2026-11-23T10:00")
    case = await open_case(cast.distributor)  # normal: answer by Tuesday 10:00
    staff = await User.select(User.display_name).where(User.id == cast.staff.id).first()
    assert staff is not None

    frozen_clock.frozen_at = shanghai("2026-11-23T11:00")
    await client.sign_in(cast.kam)
    response = await client.post_form(
        f"/sales/cases/{case}/triage",
        {"priority": "urgent", "assignee": str(cast.staff.uuid), "version": "1"},
    )

    assert response.status_code == 303
    row = await _case(case)
    assert (row["priority"], row["assignee"], row["version"]) == ("urgent", cast.staff.id, 2)
    # Urgent from 11:00: answer within 2 desk hours, solve within 8 (7 today, 1 tomorrow).
    assert row["first_response_due_at"] == shanghai("2026-11-23T13:00")
    assert row["resolution_due_at"] == shanghai("2026-11-24T10:00")
    [event] = await CaseMessage.select().where(
        CaseMessage.case == row["id"], CaseMessage.internal.eq(True)
    )
    assert "Urgent" in event["body"] and staff["display_name"] in event["body"]
    [entry] = await AuditEntry.select().where(
        AuditEntry.entity_uuid == case, AuditEntry.action == "triage"
    )
    assert entry["actor"] == cast.kam.id
    kam_page = await client.get(f"/sales/cases/{case}")
    assert staff["display_name"] in kam_page.text

    await client.sign_in(cast.distributor)
    partner_page = await client.get(f"/sales/cases/{case}")
    assert "Priority changed" not in partner_page.text
    assert "/triage" not in partner_page.text


async def test_the_escalation_follows_the_new_clock(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:

    frozen_clock.frozen_at = shanghai("2026-11-23T10:00")
    case = await open_case(cast.distributor, priority="low")
    frozen_clock.frozen_at = shanghai("2026-11-23T10:30")
    assert await case_escalation.run_escalations() == "0 cases escalated"

    await client.sign_in(cast.staff)
    await client.post_form(f"/sales/cases/{case}/triage", {"priority": "urgent", "version": "1"})

    assert await case_escalation.run_escalations() == "1 cases escalated"


async def test_only_agents_who_look_after_the_partner_can_take_the_case(
    client: PortalClient, cast: Cast
) -> None:
    case = await open_case(cast.distributor)
    await client.sign_in(cast.kam)

    response = await client.post_form(
        f"/sales/cases/{case}/triage",
        {"priority": "high", "assignee": str(cast.other_kam.uuid), "version": "1"},
    )

    assert response.status_code == 400
    assert "does not look after this partner" in response.text
    row = await _case(case)
    assert (row["priority"], row["assignee"], row["version"]) == ("normal", None, 1)


async def test_bad_input_and_a_stale_form_change_nothing(client: PortalClient, cast: Cast) -> None:
    case = await open_case(cast.distributor)
    await client.sign_in(cast.kam)

    bad = await client.post_form(f"/sales/cases/{case}/triage", {"priority": "whenever"})
    first = await client.post_form(
        f"/sales/cases/{case}/triage", {"priority": "high", "version": "1"}
    )
    stale = await client.post_form(
        f"/sales/cases/{case}/triage", {"priority": "low", "version": "1"}
    )

    assert (bad.status_code, first.status_code, stale.status_code) == (400, 303, 409)
    assert "Choose a priority." in bad.text
    assert (await _case(case))["priority"] == "high"


async def test_the_partner_cannot_change_priority_or_agent(
    client: PortalClient, cast: Cast
) -> None:
    case = await open_case(cast.distributor)
    await client.sign_in(cast.distributor)

    response = await client.post_form(
        f"/sales/cases/{case}/triage", {"priority": "urgent", "version": "1"}
    )

    assert response.status_code == 403
    assert (await _case(case))["priority"] == "normal"
