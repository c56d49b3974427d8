"""Signatures: accepting, countersigning and declining a version; terminating and renewing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from contracts import forms
from contracts.access import ContractAction, scoped_contracts
from contracts.drafting import LIST_COLUMNS, create_contract, move
from contracts.lifecycle import activate
from contracts.states import RENEWABLE, TERMINABLE, ContractError, S
from contracts.tables import (
    Contract,
    ContractSignature,
    ContractStatus,
    ContractTemplate,
    ContractVersion,
    SignatureDecision,
    SignatureSide,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import (
    Organisation,
)


@access.checked_by_caller("versions of a contract its caller fetched with get_contract")
async def _current_version(contract: Mapping[str, Any], version_uuid: str) -> dict[str, Any]:
    """The version a signature form names, refused unless it is the one now in force."""
    try:
        wanted = UUID(version_uuid)
    except ValueError:
        raise ContractError(_("This form is out of date: open the contract again.")) from None
    version = await (
        ContractVersion.select(*ContractVersion.all_columns(exclude=[ContractVersion.body_html]))
        .where(ContractVersion.uuid == wanted, ContractVersion.contract == contract["id"])
        .first()
    )
    if version is None:
        raise ContractError(_("This form is out of date: open the contract again."))
    if version["superseded_at"] is not None or version["number"] != contract["issued_number"]:
        raise ContractError(
            _(
                "Version %(number)s has been replaced by version %(current)s; "
                "please read the new version.",
                number=version["number"],
                current=contract["issued_number"],
            )
        )
    return dict(version)


@dataclass(frozen=True)
class Client:
    """Evidence of who signed from where: the request's address and browser."""

    ip_address: str
    user_agent: str


async def sign(
    viewer: Viewer,
    contract: dict[str, Any],
    data: Mapping[str, str],
    client: Client,
    side: SignatureSide,
) -> SaveResult:
    """Accept (partner) or countersign (brand) the version in force, recording the signer,
    time, address, browser and the SHA-256 of exactly the PDF they were shown. The same
    form sent twice is answered once by the handler (partner_portal.idempotency); a
    second signature meets a contract no longer waiting for it."""
    action = (
        ContractAction.accept_contract
        if side == SignatureSide.partner
        else ContractAction.countersign_contract
    )
    access.require(viewer, action, contract["organisation"])
    values, errors = forms.parse_signature(data)
    if values is None:
        return SaveResult(errors=errors)
    expected, decision, to_status = (
        (S.issued, SignatureDecision.accepted, S.accepted)
        if side == SignatureSide.partner
        else (S.accepted, SignatureDecision.countersigned, S.countersigned)
    )
    try:
        version = await _current_version(contract, values.version_uuid)
    except ContractError as error:
        return SaveResult(errors={"version": str(error)})
    if values.pdf_sha256 != version["pdf_sha256"]:
        return SaveResult(
            errors={"version": _("The document you saw is not the one on record; open it again.")}
        )
    if contract["status"] != expected:
        return SaveResult(
            errors={"version": _("This contract is no longer waiting for your signature.")}
        )
    now = utcnow()
    async with write_transaction():
        if not await move(contract, (expected,), to_status):
            return SaveResult(
                errors={"version": _("Someone else changed this contract; open it again.")}
            )
        await ContractSignature.insert(
            ContractSignature(
                contract=contract["id"],
                contract_version=version["id"],
                organisation=contract["organisation"],
                side=side,
                decision=decision,
                user=viewer.user_id,
                signer_name=values.signer_name,
                signer_title=values.signer_title,
                ip_address=client.ip_address[:64],
                user_agent=client.user_agent[:400],
                pdf_sha256=version["pdf_sha256"],
                signed_at=now,
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract["uuid"],
            organisation_id=contract["organisation"],
            action=decision.value,
            changes={"status": [contract["status"], to_status]},
            summary=f"{contract['number']} v{version['number']} by {values.signer_name} "
            f"({values.signer_title}), sha256 {version['pdf_sha256']}",
        )
        starts = contract["start_date"]
        if side == SignatureSide.brand and starts is not None and starts <= now.date():
            await activate({**contract, "status": S.countersigned}, None)
    return SaveResult(uuid=contract["uuid"])


async def decline(
    viewer: Viewer, contract: dict[str, Any], data: Mapping[str, str], client: Client
) -> SaveResult:
    """Decline the version in force with a reason: the partner an issued contract, the
    brand one the partner accepted. The KAM then edits it and issues a new version."""
    partner_side = contract["status"] == S.issued and access.allows(
        viewer, ContractAction.accept_contract, contract["organisation"]
    )
    brand_side = contract["status"] == S.accepted and access.allows(
        viewer, ContractAction.countersign_contract, contract["organisation"]
    )
    if not (partner_side or brand_side):
        access.require(
            viewer,
            ContractAction.countersign_contract
            if viewer.is_brand
            else ContractAction.accept_contract,
            contract["organisation"],
        )
        return SaveResult(errors={"reason": _("This contract is not waiting for your decision.")})
    values, errors = forms.parse_decline(data)
    if values is None:
        return SaveResult(errors=errors)
    try:
        version = await _current_version(contract, values.version_uuid)
    except ContractError as error:
        return SaveResult(errors={"reason": str(error)})
    now = utcnow()
    async with write_transaction():
        if not await move(contract, (contract["status"],), S.declined):
            return SaveResult(
                errors={"reason": _("Someone else changed this contract; open it again.")}
            )
        await ContractSignature.insert(
            ContractSignature(
                contract=contract["id"],
                contract_version=version["id"],
                organisation=contract["organisation"],
                side=SignatureSide.partner if partner_side else SignatureSide.brand,
                decision=SignatureDecision.declined,
                user=viewer.user_id,
                signer_name=viewer.display_name,
                reason=values.reason,
                ip_address=client.ip_address[:64],
                user_agent=client.user_agent[:400],
                pdf_sha256=version["pdf_sha256"],
                signed_at=now,
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract["uuid"],
            organisation_id=contract["organisation"],
            action="decline",
            changes={"status": [contract["status"], S.declined]},
            summary=f"{contract['number']} v{version['number']}: {values.reason}",
        )
    return SaveResult(uuid=contract["uuid"])


async def terminate(
    viewer: Viewer, contract: dict[str, Any], data: Mapping[str, str]
) -> SaveResult:
    """End a contract early (or withdraw one not yet signed), with the reason on record."""
    access.require(viewer, ContractAction.manage_contracts, contract["organisation"])
    reason, errors = forms.parse_reason(data)
    if reason is None:
        return SaveResult(errors=errors)
    if contract["status"] not in TERMINABLE:
        return SaveResult(errors={"reason": _("This contract has already ended.")})
    async with write_transaction():
        if not await move(contract, (contract["status"],), S.terminated):
            return SaveResult(
                errors={"reason": _("Someone else changed this contract; open it again.")}
            )
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract["uuid"],
            organisation_id=contract["organisation"],
            action="terminate",
            changes={"status": [contract["status"], S.terminated]},
            summary=f"{contract['number']}: {reason}",
        )
    return SaveResult(uuid=contract["uuid"])


@access.checked_by_caller("the contract comes from get_contract")
async def renew(viewer: Viewer, contract: dict[str, Any]) -> SaveResult:
    """Start the renewal: a draft for the next term, pre-filled from this contract."""
    access.require(viewer, ContractAction.manage_contracts, contract["organisation"])
    if contract["status"] not in RENEWABLE:
        return SaveResult(
            errors={"renew": _("Only an active, expiring or expired contract can be renewed.")}
        )
    pending = await Contract.exists().where(
        Contract.predecessor == contract["id"],
        Contract.status.not_in([S.terminated, S.declined]),
    )
    if pending:
        return SaveResult(errors={"renew": _("A renewal of this contract already exists.")})
    organisation = (
        await Organisation.select(Organisation.uuid)
        .where(Organisation.id == contract["organisation"])
        .first()
    )
    template = (
        await ContractTemplate.select(ContractTemplate.uuid, ContractTemplate.is_active)
        .where(ContractTemplate.id == contract["template"])
        .first()
    )
    if organisation is None or template is None or not template["is_active"]:
        return SaveResult(
            errors={
                "renew": _("The contract's template is no longer in use; start a new contract.")
            }
        )
    return await create_contract(
        viewer, organisation["uuid"], template["uuid"], predecessor=contract
    )


async def contracts_to_accept(viewer: Viewer) -> dict[str, Any] | None:
    """A partner user's start page: the contracts issued to their organisation and not yet
    accepted (only for those who may accept them)."""
    if viewer.is_brand or not viewer.can(ContractAction.accept_contract):
        return None
    rows = await (
        scoped_contracts(Contract.select(*LIST_COLUMNS), viewer)
        .where(Contract.status == ContractStatus.issued)
        .order_by(Contract.updated_at, ascending=False)
        .limit(20)
    )
    return {"contracts": rows} if rows else None
