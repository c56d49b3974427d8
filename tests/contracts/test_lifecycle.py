"""The lifecycle after signature: the daily job, the renewal list and renewals, and what
the rest of the portal reads from contracts (attention items, the partner 360 panel)."""

from __future__ import annotations

from datetime import date, timedelta

from contracts import lifecycle
from contracts.tables import Contract, ContractStatus, loaded
from partner_portal.clock import utcnow
from partner_portal.registries import registry
from tests.contracts.support import contract_row, make_contract, make_template
from tests.support import Cast, PortalClient


async def _active(cast: Cast, **terms: str) -> dict:  # type: ignore[type-arg]
    """An active contract without the PDF round trip (the signing flow has its own tests)."""
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template, **terms)
    await Contract.update(
        {Contract.status: ContractStatus.active, Contract.issued_number: 1}
    ).where(Contract.id == contract["id"])
    return await contract_row(contract["uuid"])


async def test_the_daily_job_moves_contracts_into_notice_and_past_their_end_once(
    app: object, cast: Cast
) -> None:
    contract = await _active(cast, start_date="2027-01-01", end_date="2027-12-31", notice_days="90")
    assert (
        await lifecycle.run_lifecycle(date(2027, 9, 1))
        == "0 active, 0 expiring, 0 expired, 0 extended"
    )
    assert "1 expiring" in await lifecycle.run_lifecycle(date(2027, 10, 2))
    assert "0 expiring" in await lifecycle.run_lifecycle(date(2027, 10, 2))
    assert (await contract_row(contract["uuid"]))["status"] == "expiring"
    assert "1 expired" in await lifecycle.run_lifecycle(date(2028, 1, 1))
    assert "0 expired" in await lifecycle.run_lifecycle(date(2028, 1, 1))
    assert (await contract_row(contract["uuid"]))["status"] == "expired"
    assert "contracts.lifecycle" in registry.jobs


async def test_contracts_in_their_notice_period_need_attention_until_a_renewal_starts(
    client: PortalClient, cast: Cast
) -> None:
    today = utcnow().date()
    start, end = today - timedelta(days=300), today + timedelta(days=30)
    contract = await _active(
        cast, start_date=start.isoformat(), end_date=end.isoformat(), notice_days="60"
    )
    day_before_notice = end - timedelta(days=61)
    assert await lifecycle.contracts_due_for_attention(day_before_notice, day_before_notice) == []
    # Looking a day further ahead finds it: the notice period starts then.
    ahead = await lifecycle.contracts_due_for_attention(day_before_notice, end - timedelta(days=60))
    assert [item.subject_uuid for item in ahead] == [contract["uuid"]]
    items = await lifecycle.contracts_due_for_attention(today, today)
    assert [item.subject_uuid for item in items] == [contract["uuid"]]
    assert items[0].due_on == end - timedelta(days=60)
    assert items[0].organisation_id == cast.distributor_a.id
    assert "contract_notice" in registry.attention_sources

    await client.sign_in(cast.kam)
    renewals = await client.get("/contracts/renewals")
    assert contract["number"] in renewals.text
    await client.sign_in(cast.other_kam)
    assert contract["number"] not in (await client.get("/contracts/renewals")).text

    await client.sign_in(cast.kam)
    response = await client.post_form(f"/contracts/{contract['uuid']}/renew")
    assert response.status_code == 303
    renewal = (
        await Contract.select(*Contract.all_columns())
        .where(Contract.predecessor == contract["id"])
        .first()
    )
    assert renewal is not None
    renewal = loaded(renewal)
    assert renewal["status"] == "draft"
    assert renewal["terms"]["start_date"] == (end + timedelta(days=1)).isoformat()
    assert renewal["terms"]["end_date"] == (end + timedelta(days=1) + (end - start)).isoformat()
    assert renewal["terms"]["credit_limit"] == contract["terms"]["credit_limit"]
    assert await lifecycle.contracts_due_for_attention(today, today) == []
    again = await client.post_form(f"/contracts/{contract['uuid']}/renew")
    assert again.status_code == 409


async def test_the_partner_page_shows_its_contracts_and_the_terms_in_force(
    client: PortalClient, cast: Cast
) -> None:
    contract = await _active(cast, start_date="2026-01-01", end_date="2027-12-31")
    await client.sign_in(cast.kam)
    page = await client.get(f"/partners/{cast.distributor_a.uuid}")
    assert page.status_code == 200
    assert contract["number"] in page.text
    assert f"/contracts/new?partner={cast.distributor_a.uuid}" in page.text


async def test_a_kam_starts_a_contract_filled_from_the_partner_record(
    client: PortalClient, cast: Cast
) -> None:
    await make_template(cast.admin)
    await client.sign_in(cast.kam)
    form = await client.get(f"/contracts/new?partner={cast.distributor_a.uuid}")
    assert form.status_code == 200
    template_uuid = form.text.split('name="template" value="')[1].split('"')[0]
    response = await client.post_form(
        "/contracts/new", {"partner": str(cast.distributor_a.uuid), "template": template_uuid}
    )
    assert response.status_code == 303
    contract = loaded(
        await Contract.select(*Contract.all_columns()).where(Contract.status == "draft").first()  # type: ignore[arg-type]
    )
    assert contract["terms"]["tier"] == "gold"  # the partner record's tier
    assert contract["terms"]["currency"] == "CNY"
    # Partners never see drafts.
    await client.sign_in(cast.distributor)
    assert (await client.get(f"/contracts/{contract['uuid']}")).status_code == 404
