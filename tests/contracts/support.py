"""Helpers for the contract tests: a template, a contract for a cast partner, viewers."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from httpx import Response

from contracts import drafting, library
from contracts.access import VisibleContract, get_contract
from contracts.records import VersionRecord
from contracts.tables import Contract, loaded
from partner_portal.access import Viewer
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.notifications.services import send_due
from tests.notifications.conftest import SmtpServer
from tests.support import Member, Org, PortalClient

CLIENT_IP = "203.0.113.9"

TEMPLATE_BODY = """<h2>1. Parties · 双方 · 당사자</h2>
<p>{{ brand.legal_name }} appoints {{ partner.legal_name }} ({{ partner.english_name }}).</p>
<h2>2. Territory</h2>
<p>Territory: {{ terms.territory }}; tier {{ terms.tier }}.</p>
<p>Payment: {{ terms.payment_terms }}. Credit limit: {{ terms.credit_limit }}.</p>
{{ clause("confidentiality") }}
"""


async def viewer(member: Member, ip_address: str = CLIENT_IP) -> Viewer:
    return await viewer_for_user_id(member.id, ip_address)


async def make_template(admin: Member, body: str = TEMPLATE_BODY, **fields: str) -> UUID:
    admin_viewer = await viewer(admin)
    if not await library.clause_bodies():
        saved = await library.save_clause(
            admin_viewer,
            None,
            {
                "key": "confidentiality",
                "title": "Confidentiality",
                "body": "<p>Confidential for {{ terms.notice_days }} days · 保密 · 비밀유지</p>",
            },
        )
        assert saved.saved, saved.errors
    result = await library.save_template(
        admin_viewer,
        None,
        {
            "name": fields.get("name", "Distribution · 经销"),
            "kind": fields.get("kind", "distribution"),
            "language": fields.get("language", "bilingual_zh"),
            "body": body,
            "is_active": "on",
        },
    )
    assert result.uuid is not None, result.errors
    return result.uuid


async def contract_row(contract_uuid: UUID) -> dict[str, Any]:
    row = (
        await Contract.select(*Contract.all_columns()).where(Contract.uuid == contract_uuid).first()
    )
    assert row is not None
    return loaded(row)


async def seen_by(member: Member, contract_uuid: UUID) -> VisibleContract:
    """The contract as a page hands it to a service: fetched for the member through the
    access policy."""
    return await get_contract(await viewer(member), contract_uuid)


async def make_contract(
    admin: Member, partner: Org, template_uuid: UUID, **terms: str
) -> dict[str, Any]:
    """A draft for the partner with complete terms (overridable)."""
    admin_viewer = await viewer(admin)
    created = await drafting.create_contract(admin_viewer, partner.uuid, template_uuid)
    assert created.uuid is not None, created.errors
    contract = await seen_by(admin, created.uuid)
    values = {
        "title": contract.title,
        "version": str(contract.version),
        **contract.terms,
        "territory": "CN-SH, CN-JS",
        "payment_terms": "30% deposit, 70% before shipment",
        "credit_limit": "500000",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "notice_days": "90",
        **terms,
    }
    saved = await drafting.update_contract(admin_viewer, contract, values)
    assert saved.saved, saved.errors
    return await contract_row(created.uuid)


async def issue(admin: Member, contract: dict[str, Any]) -> VersionRecord:
    """Issue the contract; returns the new version."""
    return await drafting.issue_contract(
        await viewer(admin), await seen_by(admin, contract["uuid"])
    )


def sign_form(version: VersionRecord, key: str = "sign-key-0001", **fields: str) -> dict[str, str]:
    return {
        "version": str(version.uuid),
        "pdf_sha256": version.pdf_sha256,
        "signer_name": "王总",
        "signer_title": "总经理",
        "confirm": "yes",
        "idempotency_key": key,
        **fields,
    }


# The code e-mail's subject ends with the code (templates/emails/contracts/acceptance_code).
CODE_SUBJECT = re.compile(r"(\d{6})\s*$")


async def delivered_code(mail_settings: Any, smtp: SmtpServer) -> str:
    """Send the outbox to the test's SMTP server; the one-time code of the newest code
    e-mail (others, such as the notice that the contract was sent, may go out with it)."""
    report = await send_due(mail_settings, "contracts-test")
    messages = await smtp.mailbox.wait_for(report.sent)
    codes = [
        found.group(1)
        for message in messages
        if (found := CODE_SUBJECT.search(str(message["subject"])))
    ]
    assert codes, "no acceptance code was e-mailed"
    return codes[-1]


async def accept_with_code(
    client: PortalClient,
    contract: dict[str, Any],
    version: VersionRecord,
    mail_settings: Any,
    smtp: SmtpServer,
    headers: dict[str, str] | None = None,
    key: str = "sign-key-0001",
) -> tuple[Response, str]:
    """Accept as the signed-in partner user: the form, the code from the e-mail, confirm;
    the confirmation's answer and the code."""
    url = f"/contracts/{contract['uuid']}/accept"
    headers = headers or {}
    asked = await client.post_form(url, sign_form(version, key=key), headers=headers)
    assert asked.status_code == 303, asked.text
    code = await delivered_code(mail_settings, smtp)
    confirmed = await client.post_form(
        f"{url}/confirm", {"code": code, "idempotency_key": f"{key}-c"}, headers=headers
    )
    return confirmed, code
