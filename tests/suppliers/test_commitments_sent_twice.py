"""A supplier's answer sent twice (a double click, a browser's or an ERP's retry) counts
once and gets the first answer, even when it arrives after a newer answer."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from typing import Any

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.audit.tables import AuditEntry
from suppliers.tables import Commitment
from tests.suppliers.support import NEEDED
from tests.support import Cast, PortalClient, landed_on_one_page


def _form_key(page: str, suffix: str) -> str:
    """The key of the page's form whose key ends with ``suffix`` (.open, <week>.accept...)."""
    found = re.search(rf'name="idempotency_key" value="([^"]+{re.escape(suffix)})"', page)
    assert found, f"no form for {suffix}"
    return found.group(1)


async def test_a_double_click_on_accept_all_reports_the_weeks_it_accepted(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)
    page = (await client.get("/suppliers/forecast")).text
    url = f"/suppliers/materials/{forecast['shell']['uuid']}/commitments/accept-open"
    form = {"idempotency_key": _form_key(page, ".open")}

    landed = landed_on_one_page(*await client.post_form_twice_at_once(url, form))

    assert "accepted=1" in landed
    assert await Commitment.count() == 1


async def test_a_double_click_on_a_weeks_accept_commits_once(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)
    page = (await client.get("/suppliers/forecast")).text
    url = f"/suppliers/materials/{forecast['shell']['uuid']}/commitments"
    form = {
        "week": NEEDED.isoformat(),
        "decision": "accepted",
        "idempotency_key": _form_key(page, f"{NEEDED.isoformat()}.accept"),
    }

    landed_on_one_page(*await client.post_form_twice_at_once(url, form))

    rows = await Commitment.select(Commitment.status, Commitment.quantity)
    assert rows == [{"status": "accepted", "quantity": Decimal(198)}]
    assert await AuditEntry.count().where(AuditEntry.entity_kind == "material_commitment") == 1


async def test_a_late_resend_of_an_earlier_answer_does_not_undo_a_newer_one(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)
    url = f"/suppliers/materials/{forecast['shell']['uuid']}/commitments"
    week = NEEDED.isoformat()
    first_page = (await client.get("/suppliers/forecast")).text
    accept = {
        "week": week,
        "decision": "accepted",
        "idempotency_key": _form_key(first_page, f"{week}.accept"),
    }
    assert (await client.post_form(url, accept)).status_code == 303
    second_page = (await client.get("/suppliers/forecast")).text
    proposal = {
        "week": week,
        "decision": "proposed",
        "quantity": "150",
        "comment": "Greige short; 150 m now.",
        "idempotency_key": _form_key(second_page, f"{week}.propose"),
    }
    assert (await client.post_form(url, proposal)).status_code == 303

    # The browser resends the first form (a reload of its answer, a flaky network).
    resent = await client.post_form(url, accept)

    assert resent.status_code == 303
    rows = await Commitment.select(Commitment.status, Commitment.quantity)
    assert rows == [{"status": "proposed", "quantity": Decimal(150)}]


async def test_an_erp_retry_with_its_key_gets_the_first_answer_and_changes_nothing(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    token = await create_api_token(await viewer_for_user_id(cast.supplier.id), "erp")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/suppliers/materials/{forecast['shell']['uuid']}/commitments"
    accept = {"week": NEEDED.isoformat(), "decision": "accepted"}
    keyed = {**headers, "Idempotency-Key": "erp-commit-0001"}

    first, second = await asyncio.gather(
        client.post(url, headers=keyed, json=accept), client.post(url, headers=keyed, json=accept)
    )
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    proposal = {**accept, "decision": "proposed", "quantity": "150", "comment": "Greige short"}
    newer = await client.post(
        url, headers={**headers, "Idempotency-Key": "erp-commit-0002"}, json=proposal
    )
    assert newer.status_code == 200

    late_retry = await client.post(url, headers=keyed, json=accept)

    assert late_retry.status_code == 200 and late_retry.content == first.content
    rows = await Commitment.select(Commitment.status, Commitment.quantity)
    assert rows == [{"status": "proposed", "quantity": Decimal(150)}]
