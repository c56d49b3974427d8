"""Contracts from draft to issue: the list, the contract page, creating, editing and issuing versions.

Visibility comes from contracts/access.py (contract_filter / get_contract); every
change writes an audit entry inside its own write transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from contracts import events, forms
from contracts.access import ContractAction, VisibleContract, get_contract, scoped_contracts
from contracts.documents import render_contract, store_pdf, terms_from_partner
from contracts.library import conflict, opened_version
from contracts.periods import next_term
from contracts.records import (
    ContractSummary,
    IssuedVersion,
    RelatedContract,
    SignatureEntry,
    VersionRecord,
)
from contracts.states import (
    EDITABLE,
    ISSUABLE,
    KINDS_FOR_PARTNER,
    RENEWABLE,
    TERMINABLE,
    ContractError,
    S,
)
from contracts.tables import (
    Contract,
    ContractKind,
    ContractSignature,
    ContractStatus,
    ContractTemplate,
    ContractVersion,
)
from contracts.template_values import value_word
from partner_portal import access, idempotency
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import after_position, contains_text, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from partner_portal.partners import picker
from partner_portal.partners.records import OrganisationRecord
from partner_portal.partners.tables import (
    Organisation,
)
from partner_portal.pdf import print_html


@dataclass(frozen=True)
class ContractFilters:
    status: str = ""
    kind: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ContractFilters:
        status = str(query.get("status", ""))
        kind = str(query.get("kind", ""))
        return cls(
            status=status if status in ContractStatus.__members__ else "",
            kind=kind if kind in ContractKind.__members__ else "",
            q=field_text(query, "q", 100),
        )


LIST_COLUMNS = (
    Contract.id,
    Contract.uuid,
    Contract.number,
    Contract.title,
    Contract.kind,
    Contract.status,
    Contract.start_date,
    Contract.end_date,
    Contract.issued_number,
    Contract.updated_at,
    Contract.organisation._.legal_name.as_alias("partner_name"),
    Contract.organisation._.uuid.as_alias("partner_uuid"),
)


async def list_contracts(
    viewer: Viewer,
    filters: ContractFilters,
    after: tuple[datetime, int] | None = None,
    limit: int = 200,
) -> list[ContractSummary]:
    """The contracts the viewer may see, newest change first, one query: at most 200 for
    the page; for the API, ``limit`` of them after the (updated_at, id) ``after``."""
    access.require(viewer, ContractAction.view_contracts)
    query = scoped_contracts(Contract.select(*LIST_COLUMNS), viewer)
    if filters.status:
        query = query.where(Contract.status == filters.status)
    if filters.kind:
        query = query.where(Contract.kind == filters.kind)
    if filters.q:
        query = query.where(
            contains_text(Contract.number, filters.q)
            | contains_text(Contract.title, filters.q)
            | contains_text(Contract.organisation._.legal_name, filters.q)
        )
    order = (Contract.updated_at, Contract.id)
    if after is not None:
        query = query.where(after_position(order, after, descending=True))
    return ContractSummary.from_rows(await query.order_by(*order, ascending=False).limit(limit))


@dataclass
class ContractView:
    contract: VisibleContract
    partner: OrganisationRecord
    template_name: str
    versions: list[IssuedVersion]
    signatures: list[SignatureEntry]
    current_version: IssuedVersion | None
    predecessor: RelatedContract | None
    successors: list[RelatedContract]
    term_fields: list[forms.TermField]
    can: dict[str, bool] = field(default_factory=dict)
    idempotency_key: str = ""


async def contract_view(viewer: Viewer, contract_uuid: UUID) -> ContractView:
    """A contract with its partner, versions, signatures, renewals and what the viewer may do."""
    contract = await get_contract(viewer, contract_uuid)
    partner = await (
        Organisation.select(*Organisation.all_columns())
        .where(Organisation.id == contract.organisation)
        .first()
    )
    assert partner is not None  # a contract's partner cannot be deleted (on_delete=restrict)
    template = await (
        ContractTemplate.select(ContractTemplate.name)
        .where(ContractTemplate.id == contract.template)
        .first()
    )
    versions = IssuedVersion.from_rows(
        await ContractVersion.select(
            *ContractVersion.all_columns(exclude=[ContractVersion.body_html]),
            ContractVersion.issued_by._.display_name.as_alias("issued_by_name"),
        )
        .where(ContractVersion.contract == contract.id)
        .order_by(ContractVersion.number, ascending=False)
    )
    signatures = SignatureEntry.from_rows(
        await ContractSignature.select(
            *ContractSignature.all_columns(),
            ContractSignature.contract_version._.number.as_alias("version_number"),
            ContractSignature.user._.email.as_alias("user_email"),
        )
        .where(ContractSignature.contract == contract.id)
        .order_by(ContractSignature.signed_at, ascending=False)
    )
    related = RelatedContract.from_rows(
        await scoped_contracts(
            Contract.select(
                Contract.id, Contract.uuid, Contract.number, Contract.status, Contract.predecessor
            ),
            viewer,
        ).where(
            (Contract.predecessor == contract.id) | (Contract.id == (contract.predecessor or -1))
        )
    )
    predecessor = next((row for row in related if row.id == contract.predecessor), None)
    successors = [row for row in related if row.predecessor == contract.id]
    current = versions[0] if versions and versions[0].superseded_at is None else None
    status = contract.status
    organisation_id = contract.organisation

    def allowed(action: ContractAction) -> bool:
        return access.allows(viewer, action, organisation_id)

    can = {
        "edit": allowed(ContractAction.manage_contracts) and status in EDITABLE,
        "issue": allowed(ContractAction.manage_contracts) and status in ISSUABLE,
        "accept": allowed(ContractAction.accept_contract)
        and status == S.issued
        and current is not None,
        "countersign": allowed(ContractAction.countersign_contract)
        and status == S.accepted
        and current is not None,
        "decline_partner": allowed(ContractAction.accept_contract) and status == S.issued,
        "decline_brand": allowed(ContractAction.countersign_contract) and status == S.accepted,
        "terminate": allowed(ContractAction.manage_contracts) and status in TERMINABLE,
        "renew": allowed(ContractAction.manage_contracts)
        and status in RENEWABLE
        and not any(row.status not in (S.terminated, S.declined) for row in successors),
    }
    return ContractView(
        contract=contract,
        partner=OrganisationRecord.from_row(partner),
        template_name=template["name"] if template else "",
        versions=versions,
        signatures=signatures,
        current_version=current,
        predecessor=predecessor,
        successors=successors,
        term_fields=forms.fields_for(contract.kind),
        can=can,
        idempotency_key=idempotency.new_key(),
    )


async def new_contract_choices(viewer: Viewer, partner_uuid: UUID) -> dict[str, Any]:
    """The partner a new contract is for and the active templates that fit its kind."""
    partner = await access.get_organisation(viewer, partner_uuid, ContractAction.manage_contracts)
    kinds = KINDS_FOR_PARTNER.get(partner.kind, ())
    templates = await (
        ContractTemplate.select(
            ContractTemplate.uuid,
            ContractTemplate.name,
            ContractTemplate.kind,
            ContractTemplate.language,
        )
        .where(ContractTemplate.is_active == True)  # noqa: E712
        .order_by(ContractTemplate.kind)
        .order_by(ContractTemplate.name)
    )
    fitting = sorted(
        (row for row in templates if row["kind"] in kinds),
        key=lambda row: template_preference(row["language"], partner.language),
    )
    return {"partner": partner, "templates": fitting}


def template_preference(template_language: str, partner_language: str) -> int:
    """How well a template's language suits a partner (lower first): its own language,
    then side by side with English, then English, then any other."""
    bilingual = {"zh_Hans": "bilingual_zh", "ko": "bilingual_ko"}.get(partner_language)
    order = [partner_language, bilingual, "en"]
    return order.index(template_language) if template_language in order else len(order)


async def partners_for_new_contract(viewer: Viewer, query: str) -> picker.PartnerPicker:
    """The partners the viewer may start a contract for (those a contract kind fits), as a
    menu or, past 40, found by ``query`` (partners/picker.py)."""
    access.require(viewer, ContractAction.manage_contracts)
    return await picker.partner_picker(viewer, "", query, KINDS_FOR_PARTNER)


@access.system_query("contract numbers count across every partner")
async def _next_number(year: int) -> str:
    prefix = f"TL-{year}-"
    rows = await Contract.select(Contract.number).where(Contract.number.like(f"{prefix}%"))
    highest = max((int(row["number"].removeprefix(prefix)) for row in rows), default=0)
    return f"{prefix}{highest + 1:04d}"


def _term_columns(terms: Mapping[str, str]) -> dict[Any, Any]:
    return {
        Contract.start_date: date.fromisoformat(terms["start_date"])
        if terms.get("start_date")
        else None,
        Contract.end_date: date.fromisoformat(terms["end_date"]) if terms.get("end_date") else None,
        Contract.notice_days: int(terms.get("notice_days") or 0),
    }


async def create_contract(
    viewer: Viewer,
    partner_uuid: UUID,
    template_uuid: UUID | None,
    predecessor: VisibleContract | None = None,
) -> SaveResult:
    """A draft contract for a partner from a template, its terms filled from the partner
    record (or, for a renewal, from the contract it renews, moved on by one term)."""
    partner = await access.get_organisation(viewer, partner_uuid, ContractAction.manage_contracts)
    template = None
    if template_uuid is not None:
        template = await (
            ContractTemplate.select(*ContractTemplate.all_columns())
            .where(ContractTemplate.uuid == template_uuid, ContractTemplate.is_active == True)  # noqa: E712
            .first()
        )
    if template is None or template["kind"] not in KINDS_FOR_PARTNER.get(partner.kind, ()):
        return SaveResult(errors={"template": _("Choose a template that fits this partner.")})
    if predecessor is not None:
        terms = _renewed_terms(predecessor.terms, predecessor.end_date)
        title = predecessor.title
    else:
        terms = await terms_from_partner(partner, template["kind"], template["language"])
        # In the contract's language: the title heads the PDF.
        title = f"{value_word(template['language'], template['kind'])} · {partner.legal_name}"
    now = utcnow()
    async with write_transaction():
        number = await _next_number(now.year)
        row = (
            await Contract.insert(
                Contract(
                    organisation=partner.id,
                    template=template["id"],
                    number=number,
                    title=title[:200],
                    kind=template["kind"],
                    language=template["language"],
                    status=S.draft,
                    terms=terms,
                    predecessor=predecessor.id if predecessor else None,
                    created_by=viewer.user_id,
                    created_at=now,
                    updated_at=now,
                    status_changed_at=now,
                    **{column._meta.name: value for column, value in _term_columns(terms).items()},
                )
            )
            .returning(Contract.uuid)
            .run()
        )
        contract_uuid = row[0]["uuid"]
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract_uuid,
            organisation_id=partner.id,
            action="renew" if predecessor else "create",
            changes={"terms": [None, terms]},
            summary=f"{number} {title}"
            + (f" (renews {predecessor.number})" if predecessor else ""),
        )
    return SaveResult(uuid=contract_uuid)


def _renewed_terms(terms: Mapping[str, str], current_end: date | None) -> dict[str, str]:
    """The terms of a renewal: the next term after the contract's current end (later than
    the signed end once it has renewed itself), as long as the signed term."""
    renewed = dict(terms)
    if terms.get("start_date") and terms.get("end_date"):
        new_start, new_end = next_term(
            date.fromisoformat(terms["start_date"]),
            date.fromisoformat(terms["end_date"]),
            current_end,
        )
        renewed["start_date"] = new_start.isoformat()
        renewed["end_date"] = new_end.isoformat()
    return renewed


async def update_contract(
    viewer: Viewer, contract: VisibleContract, data: Mapping[str, str]
) -> SaveResult:
    """Save a contract's title and terms. An issued contract goes back to draft: its issued
    version stays on record but can no longer be accepted until a new one is issued."""
    access.require(viewer, ContractAction.manage_contracts, contract.organisation)
    if contract.status not in EDITABLE:
        return SaveResult(errors={"status": _("This contract can no longer be edited.")})
    header, header_errors = forms.parse_header(data)
    terms, errors = forms.parse_terms(contract.kind, data)
    errors.update(header_errors)
    if terms is None or header is None:
        return SaveResult(errors=errors)
    opened = opened_version(data, contract.version)
    now = utcnow()
    async with write_transaction():
        values: dict[Any, Any] = {
            Contract.title: header.title,
            Contract.terms: terms,
            Contract.updated_at: now,
            **_term_columns(terms),
        }
        if contract.status != S.draft:
            values[Contract.status] = S.draft
            values[Contract.status_changed_at] = now
        new_version = await _update_in_state(contract, opened, values)
        if new_version is None:
            return await conflict("contract", contract.uuid, opened)
        changes = audit_log.changes_between(
            {"title": contract.title, **contract.terms, "status": contract.status},
            {
                "title": header.title,
                **terms,
                "status": values.get(Contract.status, contract.status),
            },
        )
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract.uuid,
            organisation_id=contract.organisation,
            action="update",
            changes=changes,
            summary=contract.number,
        )
    return SaveResult(uuid=contract.uuid)


async def _update_in_state(
    contract: VisibleContract, opened: int, values: dict[Any, Any]
) -> int | None:
    """Optimistic update that also insists the status is still the one the editor saw."""
    updated = await (
        Contract.update({**values, Contract.version: Contract.version + 1})
        .where(
            Contract.id == contract.id,
            Contract.version == opened,
            Contract.status == contract.status,
        )
        .returning(Contract.version)
    )
    return updated[0]["version"] if updated else None


@access.checked_by_caller("the contract comes from get_contract or the lifecycle job")
async def move(contract_id: int, from_statuses: tuple[str, ...], to_status: str) -> bool:
    """Move a contract between states if it is still in one of ``from_statuses``."""
    now = utcnow()
    updated = await (
        Contract.update(
            {
                Contract.status: to_status,
                Contract.status_changed_at: now,
                Contract.updated_at: now,
                Contract.version: Contract.version + 1,
            }
        )
        .where(Contract.id == contract_id, Contract.status.is_in(list(from_statuses)))
        .returning(Contract.id)
    )
    return bool(updated)


async def issue_contract(viewer: Viewer | None, contract: VisibleContract) -> VersionRecord:
    """Freeze the contract as its next version: render the PDF (off the event loop), store
    it with its SHA-256, supersede earlier versions and send it to the partner. Returns the
    new version. ``viewer`` None is the system (demo data)."""
    if viewer is not None:
        access.require(viewer, ContractAction.manage_contracts, contract.organisation)
    if contract.status not in ISSUABLE:
        raise ContractError(_("Only a draft or declined contract can be issued."))
    terms, errors = forms.parse_terms(contract.kind, contract.terms)
    if terms is None:
        raise ContractError(
            _("Complete the terms before issuing: %(fields)s", fields=", ".join(errors))
        )
    number = contract.issued_number + 1
    html, body_html, terms, fingerprint = await render_contract(contract, number)
    pdf = await print_html(html)
    path = store_pdf(contract.uuid, number, pdf)
    now = utcnow()
    async with write_transaction():
        moved = await (
            Contract.update(
                {
                    Contract.status: S.issued,
                    Contract.issued_number: number,
                    Contract.status_changed_at: now,
                    Contract.updated_at: now,
                    Contract.version: Contract.version + 1,
                }
            )
            .where(
                Contract.id == contract.id,
                Contract.status.is_in(list(ISSUABLE)),
                Contract.issued_number == contract.issued_number,
            )
            .returning(Contract.id)
        )
        if not moved:
            raise ContractError(_("Someone else changed this contract; open it again."))
        await ContractVersion.update({ContractVersion.superseded_at: now}).where(
            ContractVersion.contract == contract.id,
            ContractVersion.superseded_at.is_null(),
        )
        row = (
            await ContractVersion.insert(
                ContractVersion(
                    contract=contract.id,
                    organisation=contract.organisation,
                    number=number,
                    terms=terms,
                    body_html=body_html,
                    fingerprint=fingerprint,
                    pdf_path=path,
                    pdf_sha256=pdf.sha256,
                    pdf_bytes=len(pdf.content),
                    page_count=pdf.page_count,
                    issued_by=viewer.user_id if viewer else None,
                    issued_at=now,
                )
            )
            .returning(*ContractVersion.all_columns())
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract.uuid,
            organisation_id=contract.organisation,
            action="issue",
            changes={"status": [contract.status, S.issued], "version": [number - 1, number]},
            summary=f"{contract.number} v{number} sha256 {pdf.sha256}",
        )
        await events.record(viewer, events.ISSUED, contract, events.ISSUED_MESSAGE, version=number)
    return VersionRecord.from_row(row[0])
