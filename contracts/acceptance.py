"""Signatures: accepting, countersigning and declining a version; terminating and renewing."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from contracts import completion, events, forms, sealing
from contracts.access import ContractAction, VisibleContract, scoped_contracts
from contracts.documents import brand_name, read_pdf, store_pdf
from contracts.drafting import LIST_COLUMNS, create_contract, move
from contracts.lifecycle import activate
from contracts.records import ContractSummary, VersionRecord
from contracts.states import RENEWABLE, TERMINABLE, ContractError, S
from contracts.tables import (
    AcceptanceCode,
    Contract,
    ContractSignature,
    ContractStatus,
    ContractTemplate,
    ContractVersion,
    SignatureDecision,
    SignatureSide,
)
from partner_portal import access, signing
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.notifications.services import mail_user
from partner_portal.partners.tables import Organisation, User
from partner_portal.pdf import PrintedPdf, print_html
from partner_portal.settings import current_settings


async def _current_version(contract: VisibleContract, version_uuid: str) -> VersionRecord:
    """The version a signature form names, refused unless it is the one now in force."""
    try:
        wanted = UUID(version_uuid)
    except ValueError:
        raise ContractError(_("This form is out of date: open the contract again.")) from None
    row = await (
        ContractVersion.select(*ContractVersion.all_columns(exclude=[ContractVersion.body_html]))
        .where(ContractVersion.uuid == wanted, ContractVersion.contract == contract.id)
        .first()
    )
    if row is None:
        raise ContractError(_("This form is out of date: open the contract again."))
    version = VersionRecord.from_row(row)
    if version.superseded_at is not None or version.number != contract.issued_number:
        raise ContractError(
            _(
                "Version %(number)s has been replaced by version %(current)s; "
                "please read the new version.",
                number=version.number,
                current=contract.issued_number,
            )
        )
    return version


@dataclass(frozen=True)
class Client:
    """Evidence of who signed from where: the request's address and browser."""

    ip_address: str
    user_agent: str


# A one-time code: six digits, for a quarter of an hour, five tries; at most five codes
# an hour for one person and contract, so the form cannot be used to flood a mailbox.
CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=15)
CODE_ATTEMPTS = 5
CODES_PER_HOUR = 5
CODE_PURPOSE = "contract-acceptance-code"


@dataclass(frozen=True)
class _Offer:
    """A signature form checked against the contract: the version and who signs it."""

    version: VersionRecord
    values: forms.SignatureInput


async def _checked_offer(
    viewer: Viewer, contract: VisibleContract, data: Mapping[str, str], side: SignatureSide
) -> _Offer | SaveResult:
    """The version a signature form names, if it is still the one in force, exactly the
    PDF on record and waiting for this side's signature; else the form's errors."""
    action = (
        ContractAction.accept_contract
        if side == SignatureSide.partner
        else ContractAction.countersign_contract
    )
    access.require(viewer, action, contract.organisation)
    values, errors = forms.parse_signature(data)
    if values is None:
        return SaveResult(errors=errors)
    try:
        version = await _current_version(contract, values.version_uuid)
    except ContractError as error:
        return SaveResult(errors={"version": str(error)})
    if values.pdf_sha256 != version.pdf_sha256:
        return SaveResult(
            errors={"version": _("The document you saw is not the one on record; open it again.")}
        )
    expected = S.issued if side == SignatureSide.partner else S.accepted
    if contract.status != expected:
        return SaveResult(
            errors={"version": _("This contract is no longer waiting for your signature.")}
        )
    return _Offer(version, values)


def _code_hash(secret: str, code_uuid: UUID, code: str) -> str:
    return signing.signature(secret, CODE_PURPOSE, f"{code_uuid}:{code}")


@access.checked_by_caller("the contract comes from get_contract; codes are the viewer's own")
async def request_acceptance(
    viewer: Viewer, contract: VisibleContract, data: Mapping[str, str]
) -> SaveResult:
    """The partner's "accept": check the form, then e-mail the accepting user a one-time
    code; nothing is accepted until they type it back (confirm_acceptance). A new code
    replaces the ones sent before."""
    offer = await _checked_offer(viewer, contract, data, SignatureSide.partner)
    if isinstance(offer, SaveResult):
        return offer
    now = utcnow()
    recent = await AcceptanceCode.count().where(
        AcceptanceCode.contract == contract.id,
        AcceptanceCode.user == viewer.user_id,
        AcceptanceCode.created_at > now - timedelta(hours=1),
    )
    if recent >= CODES_PER_HOUR:
        return SaveResult(
            errors={"version": _("Too many codes were sent; please try again in an hour.")}
        )
    user = await (
        User.select(User.id, User.email, User.locale, User.time_zone)
        .where(User.id == viewer.user_id)
        .first()
    )
    if user is None or not user["email"]:
        return SaveResult(errors={"version": _("Your account has no e-mail address.")})
    settings = current_settings()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    code_uuid = uuid4()
    async with write_transaction():
        await AcceptanceCode.update({AcceptanceCode.expires_at: now}).where(
            AcceptanceCode.contract == contract.id,
            AcceptanceCode.user == viewer.user_id,
            AcceptanceCode.used_at.is_null(),
            AcceptanceCode.expires_at > now,
        )
        await AcceptanceCode.insert(
            AcceptanceCode(
                uuid=code_uuid,
                contract=contract.id,
                contract_version=offer.version.id,
                organisation=contract.organisation,
                user=viewer.user_id,
                code_hash=_code_hash(settings.secret_key, code_uuid, code),
                signer_name=offer.values.signer_name,
                signer_title=offer.values.signer_title,
                created_at=now,
                expires_at=now + CODE_LIFETIME,
            )
        ).run()
        await mail_user(
            user,
            "contract_acceptance_code",
            "contracts/acceptance_code",
            {
                "code": code,
                "number": contract.number,
                "title": contract.title,
                "version": offer.version.number,
                "minutes": int(CODE_LIFETIME.total_seconds() // 60),
            },
            settings,
        )
    return SaveResult(uuid=code_uuid)


async def pending_code(viewer: Viewer, contract: VisibleContract) -> dict[str, Any] | None:
    """The viewer's code for this contract still waiting to be typed in, if any."""
    row = await (
        AcceptanceCode.select(
            AcceptanceCode.uuid,
            AcceptanceCode.expires_at,
            AcceptanceCode.user._.email.as_alias("email"),
        )
        .where(
            AcceptanceCode.contract == contract.id,
            AcceptanceCode.user == viewer.user_id,
            AcceptanceCode.used_at.is_null(),
            AcceptanceCode.expires_at > utcnow(),
            AcceptanceCode.attempts < CODE_ATTEMPTS,
        )
        .order_by(AcceptanceCode.id, ascending=False)
        .first()
    )
    return dict(row) if row else None


@access.checked_by_caller("the contract comes from get_contract; codes are the viewer's own")
async def confirm_acceptance(
    viewer: Viewer, contract: VisibleContract, data: Mapping[str, str], client: Client
) -> SaveResult:
    """Accept with the code e-mailed by request_acceptance: within its lifetime and
    attempts, by the user it was sent to, for the version still in force. The accepted
    PDF is then sealed (sealing.py) with a certificate of completion."""
    access.require(viewer, ContractAction.accept_contract, contract.organisation)
    typed = "".join(str(data.get("code", "")).split())[:20]
    waiting = await pending_code(viewer, contract)
    if waiting is None:
        return SaveResult(
            errors={"code": _("This code has expired or was used up; ask for a new one.")}
        )
    row = await (
        AcceptanceCode.select(*AcceptanceCode.all_columns())
        .where(AcceptanceCode.uuid == waiting["uuid"])
        .first()
    )
    assert row is not None
    settings = current_settings()
    if not signing.is_signed(
        settings.secret_key, CODE_PURPOSE, f"{row['uuid']}:{typed}", row["code_hash"]
    ):
        async with write_transaction():
            await AcceptanceCode.update(
                {AcceptanceCode.attempts: AcceptanceCode.attempts + 1}
            ).where(AcceptanceCode.id == row["id"])
        left = CODE_ATTEMPTS - row["attempts"] - 1
        if left <= 0:
            return SaveResult(
                errors={"code": _("This code has expired or was used up; ask for a new one.")}
            )
        return SaveResult(
            errors={"code": _("That is not the code we sent; %(left)s tries left.", left=left)}
        )
    version = await (
        ContractVersion.select(ContractVersion.uuid, ContractVersion.pdf_sha256)
        .where(ContractVersion.id == row["contract_version"])
        .first()
    )
    assert version is not None
    offer = await _checked_offer(
        viewer,
        contract,
        {
            "version": str(version["uuid"]),
            "pdf_sha256": version["pdf_sha256"],
            "signer_name": row["signer_name"],
            "signer_title": row["signer_title"],
            "confirm": "yes",
        },
        SignatureSide.partner,
    )
    if isinstance(offer, SaveResult):
        return offer
    return await _record(
        viewer, contract, offer, client, SignatureSide.partner, used_code=row["id"]
    )


async def sign(
    viewer: Viewer,
    contract: VisibleContract,
    data: Mapping[str, str],
    client: Client,
    side: SignatureSide,
) -> SaveResult:
    """Countersign (brand) the version in force; or, for the demo data only, accept it
    for the partner without the e-mailed code (the portal's pages go through
    request_acceptance and confirm_acceptance)."""
    offer = await _checked_offer(viewer, contract, data, side)
    if isinstance(offer, SaveResult):
        return offer
    return await _record(viewer, contract, offer, client, side)


async def _sealed_copy(
    viewer: Viewer, contract: VisibleContract, offer: _Offer, client: Client, at: datetime
) -> tuple[str, str]:
    """The accepted PDF sealed by the platform with its certificate of completion; its
    path under the media root and its SHA-256."""
    organisation = await (
        Organisation.select(Organisation.legal_name)
        .where(Organisation.id == contract.organisation)
        .first()
    )
    brand = await brand_name()
    certificate = completion.Completion(
        language=contract.language,
        number=contract.number,
        title=contract.title,
        version=offer.version.number,
        brand_name=brand,
        partner_name=organisation["legal_name"] if organisation else "",
        signer_name=offer.values.signer_name,
        signer_title=offer.values.signer_title,
        account_email=viewer.email,
        accepted_at=at,
        ip_address=client.ip_address[:64],
        user_agent=client.user_agent[:400],
        offered_sha256=offer.version.pdf_sha256,
        fingerprint=offer.version.fingerprint,
        verify_url=f"{current_settings().base_url.rstrip('/')}/contracts/verify",
    )
    page = await print_html(completion.completion_page_html(certificate))
    offered = read_pdf(offer.version.pdf_path)
    sealed = await sealing.seal(
        offered, page.content, f"Accepted: {contract.number} v{offer.version.number}", brand
    )
    printed = PrintedPdf(sealed, offer.version.page_count + 1)
    return store_pdf(contract.uuid, offer.version.number, printed, "accepted"), printed.sha256


async def _countersealed_copy(
    viewer: Viewer, contract: VisibleContract, offer: _Offer, client: Client, at: datetime
) -> tuple[str, str]:
    """The partner's sealed PDF of this version with the brand's countersignature added
    (sealing.countersign): its path under the media root and its SHA-256; ("", "") when
    the acceptance has no sealed copy (one recorded before sealing existed)."""
    accepted = await (
        ContractSignature.select(
            ContractSignature.sealed_pdf_path, ContractSignature.sealed_pdf_sha256
        )
        .where(
            ContractSignature.contract == contract.id,
            ContractSignature.contract_version == offer.version.id,
            ContractSignature.decision == SignatureDecision.accepted,
            ContractSignature.sealed_pdf_path != "",
        )
        .order_by(ContractSignature.id, ascending=False)
        .first()
    )
    if accepted is None:
        return "", ""
    sealed = read_pdf(accepted["sealed_pdf_path"])
    if hashlib.sha256(sealed).hexdigest() != accepted["sealed_pdf_sha256"]:
        raise ContractError(_("The accepted PDF on record has changed; nothing was signed."))
    entry = completion.Countersignature(
        language=contract.language,
        brand_name=await brand_name(),
        signer_name=offer.values.signer_name,
        signer_title=offer.values.signer_title,
        account_email=viewer.email,
        countersigned_at=at,
        ip_address=client.ip_address[:64],
        accepted_sha256=accepted["sealed_pdf_sha256"],
    )
    page = await print_html(completion.countersignature_html(entry))
    countersigned = await sealing.countersign(
        sealed,
        page.content,
        completion.COUNTERSIGNATURE_BOX,
        f"Countersigned: {contract.number} v{offer.version.number}",
    )
    printed = PrintedPdf(countersigned, offer.version.page_count + 1)
    path = store_pdf(contract.uuid, offer.version.number, printed, "countersigned")
    return path, printed.sha256


@access.checked_by_caller("the contract comes from get_contract")
async def _record(
    viewer: Viewer,
    contract: VisibleContract,
    offer: _Offer,
    client: Client,
    side: SignatureSide,
    used_code: int | None = None,
) -> SaveResult:
    """Record an acceptance or countersignature, each sealed: the signer, time, address,
    browser and the SHA-256 of exactly the PDF they were shown. The same form sent twice
    is answered once by the handler (partner_portal.idempotency); a second signature
    meets a contract no longer waiting for it."""
    expected, decision, to_status = (
        (S.issued, SignatureDecision.accepted, S.accepted)
        if side == SignatureSide.partner
        else (S.accepted, SignatureDecision.countersigned, S.countersigned)
    )
    version = offer.version
    values = offer.values
    now = utcnow()
    try:
        sealed_path, sealed_sha256 = (
            await _sealed_copy(viewer, contract, offer, client, now)
            if side == SignatureSide.partner
            else await _countersealed_copy(viewer, contract, offer, client, now)
        )
    except ContractError as error:
        return SaveResult(errors={"version": str(error)})
    async with write_transaction():
        if used_code is not None:
            claimed = await (
                AcceptanceCode.update({AcceptanceCode.used_at: now})
                .where(AcceptanceCode.id == used_code, AcceptanceCode.used_at.is_null())
                .returning(AcceptanceCode.id)
            )
            if not claimed:
                return SaveResult(
                    errors={"code": _("This code has expired or was used up; ask for a new one.")}
                )
        if not await move(contract.id, (expected,), to_status):
            return SaveResult(
                errors={"version": _("Someone else changed this contract; open it again.")}
            )
        await ContractSignature.insert(
            ContractSignature(
                contract=contract.id,
                contract_version=version.id,
                organisation=contract.organisation,
                side=side,
                decision=decision,
                user=viewer.user_id,
                signer_name=values.signer_name,
                signer_title=values.signer_title,
                ip_address=client.ip_address[:64],
                user_agent=client.user_agent[:400],
                pdf_sha256=version.pdf_sha256,
                signed_at=now,
                sealed_pdf_path=sealed_path,
                sealed_pdf_sha256=sealed_sha256,
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract.uuid,
            organisation_id=contract.organisation,
            action=decision.value,
            changes={"status": [contract.status, to_status]},
            summary=f"{contract.number} v{version.number} by {values.signer_name} "
            f"({values.signer_title}), sha256 {version.pdf_sha256}"
            + (f", sealed sha256 {sealed_sha256}" if sealed_sha256 else ""),
        )
        if side == SignatureSide.partner:
            kind, message = events.ACCEPTED, events.ACCEPTED_MESSAGE
        else:
            kind, message = events.COUNTERSIGNED, events.COUNTERSIGNED_MESSAGE
        await events.record(viewer, kind, contract, message, signer=values.signer_name)
        starts = contract.start_date
        if side == SignatureSide.brand and starts is not None and starts <= now.date():
            await activate(contract.replace(status=S.countersigned), None)
    return SaveResult(uuid=contract.uuid)


async def decline(
    viewer: Viewer, contract: VisibleContract, data: Mapping[str, str], client: Client
) -> SaveResult:
    """Decline the version in force with a reason: the partner an issued contract, the
    brand one the partner accepted. The KAM then edits it and issues a new version."""
    partner_side = contract.status == S.issued and access.allows(
        viewer, ContractAction.accept_contract, contract.organisation
    )
    brand_side = contract.status == S.accepted and access.allows(
        viewer, ContractAction.countersign_contract, contract.organisation
    )
    if not (partner_side or brand_side):
        access.require(
            viewer,
            ContractAction.countersign_contract
            if viewer.is_brand
            else ContractAction.accept_contract,
            contract.organisation,
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
        if not await move(contract.id, (contract.status,), S.declined):
            return SaveResult(
                errors={"reason": _("Someone else changed this contract; open it again.")}
            )
        await ContractSignature.insert(
            ContractSignature(
                contract=contract.id,
                contract_version=version.id,
                organisation=contract.organisation,
                side=SignatureSide.partner if partner_side else SignatureSide.brand,
                decision=SignatureDecision.declined,
                user=viewer.user_id,
                signer_name=viewer.display_name,
                reason=values.reason,
                ip_address=client.ip_address[:64],
                user_agent=client.user_agent[:400],
                pdf_sha256=version.pdf_sha256,
                signed_at=now,
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract.uuid,
            organisation_id=contract.organisation,
            action="decline",
            changes={"status": [contract.status, S.declined]},
            summary=f"{contract.number} v{version.number}: {values.reason}",
        )
        await events.record(
            viewer, events.DECLINED, contract, events.DECLINED_MESSAGE, reason=values.reason
        )
    return SaveResult(uuid=contract.uuid)


async def terminate(
    viewer: Viewer, contract: VisibleContract, data: Mapping[str, str]
) -> SaveResult:
    """End a contract early (or withdraw one not yet signed), with the reason on record."""
    access.require(viewer, ContractAction.manage_contracts, contract.organisation)
    reason, errors = forms.parse_reason(data)
    if reason is None:
        return SaveResult(errors=errors)
    if contract.status not in TERMINABLE:
        return SaveResult(errors={"reason": _("This contract has already ended.")})
    async with write_transaction():
        if not await move(contract.id, (contract.status,), S.terminated):
            return SaveResult(
                errors={"reason": _("Someone else changed this contract; open it again.")}
            )
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract.uuid,
            organisation_id=contract.organisation,
            action="terminate",
            changes={"status": [contract.status, S.terminated]},
            summary=f"{contract.number}: {reason}",
        )
    return SaveResult(uuid=contract.uuid)


async def renew(viewer: Viewer, contract: VisibleContract) -> SaveResult:
    """Start the renewal: a draft for the next term, pre-filled from this contract."""
    access.require(viewer, ContractAction.manage_contracts, contract.organisation)
    if contract.status not in RENEWABLE:
        return SaveResult(
            errors={"renew": _("Only an active, expiring or expired contract can be renewed.")}
        )
    pending = await Contract.exists().where(
        Contract.predecessor == contract.id,
        Contract.status.not_in([S.terminated, S.declined]),
    )
    if pending:
        return SaveResult(errors={"renew": _("A renewal of this contract already exists.")})
    organisation = (
        await Organisation.select(Organisation.uuid)
        .where(Organisation.id == contract.organisation)
        .first()
    )
    template = (
        await ContractTemplate.select(ContractTemplate.uuid, ContractTemplate.is_active)
        .where(ContractTemplate.id == contract.template)
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


@dataclass(frozen=True)
class ContractsToAccept:
    """The start page's contracts to accept (contracts/_home.html)."""

    contracts: list[ContractSummary]


async def contracts_to_accept(viewer: Viewer) -> ContractsToAccept | None:
    """A partner user's start page: the contracts issued to their organisation and not yet
    accepted (only for those who may accept them)."""
    if viewer.is_brand or not viewer.can(ContractAction.accept_contract):
        return None
    rows = ContractSummary.from_rows(
        await scoped_contracts(Contract.select(*LIST_COLUMNS), viewer)
        .where(Contract.status == ContractStatus.issued)
        .order_by(Contract.updated_at, ascending=False)
        .limit(20)
    )
    return ContractsToAccept(contracts=rows) if rows else None
