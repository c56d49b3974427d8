"""Accepting or declining sent twice at once (a double click, a reload of the answer)
records one signature, and both sendings land on the contract."""

from __future__ import annotations

from typing import Any

from contracts.records import VersionRecord
from contracts.tables import AcceptanceCode, ContractSignature
from partner_portal.audit.tables import AuditEntry
from tests.contracts.support import (
    contract_row,
    delivered_code,
    issue,
    make_contract,
    make_template,
    sign_form,
)
from tests.notifications.conftest import SmtpServer
from tests.orders.pages_support import idempotency_key
from tests.support import Cast, PortalClient, landed_on_one_page


async def _issued_and_opened(
    client: PortalClient, cast: Cast
) -> tuple[dict[str, Any], VersionRecord, str]:
    """An issued contract, the version to sign and the key its page drew for the partner."""
    contract = await make_contract(cast.admin, cast.distributor_a, await make_template(cast.admin))
    version = await issue(cast.admin, contract)
    await client.sign_in(cast.distributor)
    page = await client.get(f"/contracts/{contract['uuid']}")
    assert page.status_code == 200
    return contract, version, idempotency_key(page.text)


async def test_two_acceptances_at_once_send_one_code_and_record_one_signature(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    contract, version, key = await _issued_and_opened(client, cast)
    url = f"/contracts/{contract['uuid']}/accept"

    asked = landed_on_one_page(
        *await client.post_form_twice_at_once(url, sign_form(version, key=key))
    )
    assert asked == f"/contracts/{contract['uuid']}#confirm"
    assert await AcceptanceCode.count() == 1
    code = await delivered_code(mail_settings, smtp)
    codes = [m for m in smtp.mailbox.messages if code in str(m["subject"])]
    assert len(codes) == 1

    confirm = {"code": code, "idempotency_key": f"{key}-c"}
    landed = landed_on_one_page(*await client.post_form_twice_at_once(f"{url}/confirm", confirm))

    assert landed == f"/contracts/{contract['uuid']}?done=contract_signed_partner"
    assert await ContractSignature.count() == 1
    assert (await contract_row(contract["uuid"]))["status"] == "accepted"
    assert await AuditEntry.count().where(AuditEntry.action == "accepted") == 1


async def test_two_declines_at_once_record_one_refusal(client: PortalClient, cast: Cast) -> None:
    contract, version, key = await _issued_and_opened(client, cast)
    url = f"/contracts/{contract['uuid']}/decline"
    form = {"version": str(version.uuid), "idempotency_key": f"{key}-d", "reason": "账期太短"}

    landed = landed_on_one_page(*await client.post_form_twice_at_once(url, form))

    assert landed == f"/contracts/{contract['uuid']}?done=contract_declined"
    assert await ContractSignature.count() == 1
    assert (await contract_row(contract["uuid"]))["status"] == "declined"
