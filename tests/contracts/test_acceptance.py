"""Acceptance in the portal: what is recorded, the superseded-version refusal, repeated
submissions, countersignature, refusals with a reason, and who may sign."""

from __future__ import annotations

from typing import Any

from contracts import acceptance, drafting, lifecycle
from contracts.records import VersionRecord
from contracts.tables import ContractSignature, SignatureSide
from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import Organisation, User
from tests.contracts.support import (
    accept_with_code,
    contract_row,
    issue,
    make_contract,
    make_template,
    seen_by,
    sign_form,
    viewer,
)
from tests.notifications.conftest import SmtpServer
from tests.support import Cast, PortalClient

BROWSER = "Mozilla/5.0 (Threadline test)"


async def _issued(cast: Cast, **terms: str) -> tuple[dict[str, Any], VersionRecord]:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template, **terms)
    version = await issue(cast.admin, contract)
    return contract, version


async def test_acceptance_records_who_when_where_and_the_exact_pdf(
    client: PortalClient, cast: Cast, frozen_clock: object, mail_settings: Any, smtp: SmtpServer
) -> None:
    contract, version = await _issued(cast)
    await client.sign_in(cast.distributor)
    headers = {"user-agent": BROWSER}
    response, code = await accept_with_code(client, contract, version, mail_settings, smtp, headers)
    assert response.status_code == 303
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    assert "合同已接受" in (await client.get(response.headers["location"])).text
    # The same confirmation sent again (a double click, a retry) records nothing more.
    again = await client.post_form(
        f"/contracts/{contract['uuid']}/accept/confirm",
        {"code": code, "idempotency_key": "sign-key-0001-c"},
        headers=headers,
    )
    assert again.status_code == 303

    signatures = await ContractSignature.select(*ContractSignature.all_columns())
    assert len(signatures) == 1
    signature = signatures[0]
    assert signature["user"] == cast.distributor.id
    assert signature["decision"] == "accepted"
    assert signature["signer_name"] == "王总" and signature["signer_title"] == "总经理"
    assert signature["pdf_sha256"] == version.pdf_sha256
    assert signature["user_agent"] == BROWSER
    assert signature["ip_address"]  # the test client's address
    assert signature["signed_at"] is not None
    assert signature["sealed_pdf_sha256"]
    assert (await contract_row(contract["uuid"]))["status"] == "accepted"
    assert await AuditEntry.exists().where(
        AuditEntry.entity_uuid == contract["uuid"], AuditEntry.action == "accepted"
    )


async def test_a_superseded_version_cannot_be_accepted(client: PortalClient, cast: Cast) -> None:
    contract, first = await _issued(cast)
    admin = await viewer(cast.admin)
    issued = await seen_by(cast.admin, contract["uuid"])
    values = {"title": issued.title, "version": str(issued.version), **issued.terms}
    assert (
        await drafting.update_contract(admin, issued, {**values, "discount_percent": "42"})
    ).saved
    await issue(cast.admin, contract)

    await client.sign_in(cast.distributor)
    response = await client.post_form(f"/contracts/{contract['uuid']}/accept", sign_form(first))
    assert response.status_code == 400
    assert "has been replaced by version 2" in response.text
    assert await ContractSignature.count() == 0
    assert (await contract_row(contract["uuid"]))["status"] == "issued"


async def test_a_pdf_other_than_the_one_on_record_is_refused(
    client: PortalClient, cast: Cast
) -> None:
    contract, version = await _issued(cast)
    await client.sign_in(cast.distributor)
    forged = sign_form(version, pdf_sha256="0" * 64)
    response = await client.post_form(f"/contracts/{contract['uuid']}/accept", forged)
    assert response.status_code == 400
    assert await ContractSignature.count() == 0


async def test_only_the_partners_organisation_admin_may_accept(
    client: PortalClient, cast: Cast
) -> None:
    contract, version = await _issued(cast)
    await client.sign_in(cast.distributor_colleague)
    response = await client.post_form(f"/contracts/{contract['uuid']}/accept", sign_form(version))
    assert response.status_code == 403
    await client.sign_in(cast.kam)
    response = await client.post_form(f"/contracts/{contract['uuid']}/accept", sign_form(version))
    assert response.status_code == 403


async def test_the_brand_countersigns_and_the_contract_takes_effect_with_its_terms(
    client: PortalClient, cast: Cast
) -> None:
    contract, version = await _issued(
        cast, start_date="2026-01-01", end_date="2027-12-31", tier="platinum"
    )
    distributor = await viewer(cast.distributor)
    client_info = acceptance.Client("198.51.100.1", BROWSER)
    from partner_portal.registries import registry

    accepted = await acceptance.sign(
        distributor, await seen_by(cast.distributor, contract["uuid"]), sign_form(version), client_info,
        SignatureSide.partner,
    )  # fmt: skip
    assert accepted.saved
    await client.sign_in(cast.kam)
    refused = await client.post_form(
        f"/contracts/{contract['uuid']}/countersign", sign_form(version, key="brand-key-0001")
    )
    assert refused.status_code == 403  # the KAM negotiated it; the brand's admin signs
    await client.sign_in(cast.admin)
    response = await client.post_form(
        f"/contracts/{contract['uuid']}/countersign", sign_form(version, key="brand-key-0001")
    )
    assert response.status_code == 303
    assert (await contract_row(contract["uuid"]))["status"] == "active"
    organisation = (
        await Organisation.select(Organisation.tier)
        .where(Organisation.id == cast.distributor_a.id)
        .first()
    )
    assert organisation is not None and organisation["tier"] == "platinum"
    services_terms = await lifecycle.commercial_terms(cast.distributor_a.id)
    assert services_terms is not None
    assert services_terms.credit_limit is not None and str(services_terms.credit_limit) == "500000"
    assert services_terms.territory == "CN-SH, CN-JS"
    assert registry.commercial_terms is lifecycle.commercial_terms


async def test_the_partner_declines_with_a_reason_and_the_kam_issues_a_new_version(
    client: PortalClient, cast: Cast
) -> None:
    contract, version = await _issued(cast)
    await client.sign_in(cast.distributor)
    empty = await client.post_form(
        f"/contracts/{contract['uuid']}/decline",
        {"version": str(version.uuid), "idempotency_key": "decline-key-1", "reason": ""},
    )
    assert empty.status_code == 400
    response = await client.post_form(
        f"/contracts/{contract['uuid']}/decline",
        {
            "version": str(version.uuid),
            "idempotency_key": "decline-key-2",
            "reason": "信用额度太低",
        },
    )
    assert response.status_code == 303
    assert (await contract_row(contract["uuid"]))["status"] == "declined"

    await client.sign_in(cast.kam)
    page = await client.get(f"/contracts/{contract['uuid']}")
    assert "信用额度太低" in page.text
    reissued = await client.post_form(f"/contracts/{contract['uuid']}/issue")
    assert reissued.status_code == 303
    row = await contract_row(contract["uuid"])
    assert row["status"] == "issued" and row["issued_number"] == 2


async def test_an_issued_contract_waits_on_the_partner_admins_start_page(
    client: PortalClient, cast: Cast
) -> None:
    contract, _version = await _issued(cast)
    await client.sign_in(cast.distributor)
    home = await client.get("/")
    assert home.status_code == 200
    assert "Contracts to accept" in home.text
    assert f'href="/contracts/{contract["uuid"]}"' in home.text
    assert contract["number"] in home.text
