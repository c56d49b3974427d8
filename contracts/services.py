"""Contracts: templates and clauses, contracts with their terms, issuing frozen versions
as PDFs, acceptance and countersignature in the portal, and the lifecycle up to renewal.

Visibility comes from contracts/access.py (contract_filter / get_contract); every
change writes an audit entry inside its own write transaction. State changes are
conditional updates (``WHERE status = ...``), so a double click or two people acting
at once move a contract once.

Lifecycle: draft -> issued -> accepted (partner) -> countersigned (brand) -> active
(from its start date) -> expiring (inside the notice period) -> expired, renewed (its
renewal became active) or terminated. Either side may decline (back to the brand,
who edits and issues a new version). Editing an issued contract returns it to draft;
issuing again supersedes the earlier version, which can then no longer be accepted.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio.to_thread

from contracts import forms, rendering
from contracts.access import ContractAction, get_contract, scoped_contracts
from contracts.sandbox import RenderTooCostly
from contracts.tables import (
    Clause,
    ClauseVersion,
    Contract,
    ContractKind,
    ContractSignature,
    ContractStatus,
    ContractTemplate,
    ContractVersion,
    SignatureDecision,
    SignatureSide,
    loaded,
)
from partner_portal import access, idempotency
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.media import existing_media_file
from partner_portal.partners.tables import (
    Address,
    Contact,
    Organisation,
    OrganisationKind,
    Territory,
)
from partner_portal.pdf import PrintedPdf, print_html
from partner_portal.registries import AttentionItem, CommercialTerms
from partner_portal.settings import load_settings

S = ContractStatus
EDITABLE = (S.draft, S.issued, S.declined)
ISSUABLE = (S.draft, S.declined)
IN_FORCE = (S.active, S.expiring)
TERMINABLE = (S.draft, S.issued, S.accepted, S.countersigned, S.active, S.expiring, S.declined)
RENEWABLE = (S.active, S.expiring, S.expired)
# Which kind of contract fits which kind of partner (the first is the default).
KINDS_FOR_PARTNER: dict[str, tuple[str, ...]] = {
    "distributor": ("distribution", "framework", "nda"),
    "retailer": ("distribution", "framework", "nda"),
    "fabric_supplier": ("supply", "framework", "nda"),
    "trim_supplier": ("supply", "framework", "nda"),
    "group_client": ("group_purchase", "framework", "nda"),
}

LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "issued": N_("Issued, awaiting the partner"),
    "accepted": N_("Accepted, awaiting countersignature"),
    "countersigned": N_("Signed, starts later"),
    "active": N_("Active"),
    "expiring": N_("Expiring"),
    "expired": N_("Expired"),
    "renewed": N_("Renewed"),
    "terminated": N_("Terminated"),
    "declined": N_("Declined"),
    "distribution": N_("Distribution agreement"),
    "supply": N_("Supply agreement"),
    "group_purchase": N_("Group purchase agreement"),
    "framework": N_("Framework agreement"),
    "nda": N_("Non-disclosure agreement"),
    "en": N_("English"),
    "zh_Hans": N_("Simplified Chinese"),
    "ko": N_("Korean"),
    "bilingual_zh": N_("English and Simplified Chinese"),
    "bilingual_ko": N_("English and Korean"),
    "partner": N_("Partner"),
    "brand": N_("Brand"),
    "accepted_decision": N_("Accepted"),
    "countersigned_decision": N_("Countersigned"),
    "declined_decision": N_("Declined"),
}


def label(code: str) -> str:
    """The translated name of a contract status, kind, language or side."""
    message = LABELS.get(code)
    return _(message) if message else code


class ContractError(Exception):
    """A step the contract's state does not allow; the message is for the user (409)."""


# ---------------------------------------------------------------------------
# Files


def media_root() -> Path:
    """Where issued PDFs are kept (MEDIA_DIR; tests point it at their own directory)."""
    return load_settings().media_dir


def _store_pdf(contract_uuid: UUID, number: int, pdf: PrintedPdf) -> str:
    """Write a version's PDF once (never overwritten) and return its path under the media root."""
    relative = Path("contracts") / str(contract_uuid) / f"v{number}-{pdf.sha256[:16]}.pdf"
    target = media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(pdf.content)
    os.replace(temporary, target)
    return relative.as_posix()


def read_pdf(relative_path: str) -> bytes:
    """An issued PDF; MissingMediaFile (a 410 page) if its file is gone from MEDIA_DIR."""
    return existing_media_file(media_root() / relative_path).read_bytes()


# ---------------------------------------------------------------------------
# Clauses and templates


async def clause_bodies() -> dict[str, str]:
    """Each clause's newest text by key (what templates include until a contract is issued)."""
    rows = await ClauseVersion.select(
        ClauseVersion.clause.key.as_alias("key"),  # type: ignore[attr-defined]
        ClauseVersion.body,
    ).where(ClauseVersion.number == ClauseVersion.clause.current_number)  # type: ignore[attr-defined]
    return {row["key"]: row["body"] for row in rows}


async def list_clauses() -> list[dict[str, Any]]:
    """The clause library with each clause's newest text and how many versions it has."""
    clauses = await Clause.select(*Clause.all_columns()).order_by(Clause.key)
    versions = await ClauseVersion.select(
        ClauseVersion.clause,
        ClauseVersion.number,
        ClauseVersion.body,
        ClauseVersion.note,
        ClauseVersion.created_at,
    ).order_by(ClauseVersion.number, ascending=False)
    by_clause: dict[int, list[dict[str, Any]]] = {}
    for version in versions:
        by_clause.setdefault(version["clause"], []).append(version)
    for clause in clauses:
        clause["versions"] = by_clause.get(clause["id"], [])
        clause["body"] = clause["versions"][0]["body"] if clause["versions"] else ""
    return list(clauses)


def _problem_text(problem: rendering.TemplateProblem) -> str:
    """A template problem in the reader's language."""
    reason = _(problem.message, **problem.parameters)
    return (
        _("Line %(line)s: %(reason)s", line=problem.line, reason=reason) if problem.line else reason
    )


def _problems_as_errors(problems: list[rendering.TemplateProblem]) -> dict[str, str]:
    return {"body": " · ".join(_problem_text(problem) for problem in problems)}


async def _check_source(
    source: str,
    clause_keys: frozenset[str] | None,
    sample: Mapping[str, Any],
    allow_clauses: bool = True,
) -> list[rendering.TemplateProblem]:
    """rendering.check_source in a worker thread: a template that spends its whole budget
    keeps a CPU busy for up to a second, and the server keeps answering meanwhile."""
    return await anyio.to_thread.run_sync(
        rendering.check_source, source, clause_keys, sample, allow_clauses
    )


async def _contract_body(source: str, context: Mapping[str, Any]) -> str:
    """A template's text filled in and cleaned (rendering.contract_body) in a worker
    thread; a template that no longer renders or exceeds its budget is a ContractError."""
    try:
        return await anyio.to_thread.run_sync(rendering.contract_body, source, context)
    except RenderTooCostly as error:
        reason = _(error.message, **error.params)
    except Exception as error:  # a template saved before a clause it uses was removed
        reason = str(error)
    raise ContractError(_("The template does not render: %(error)s", error=reason))


async def save_clause(
    viewer: Viewer, clause: dict[str, Any] | None, data: Mapping[str, str]
) -> SaveResult:
    """Create a clause, or give it a new version (earlier versions stay, and issued
    contracts keep the text they were issued with)."""
    access.require(viewer, ContractAction.manage_contract_templates)
    values, errors = forms.parse_clause(data)
    if values is None:
        return SaveResult(errors=errors)
    problems = await _check_source(
        values.body, None, rendering.sample_context(), allow_clauses=False
    )
    if problems:
        return SaveResult(errors=_problems_as_errors(problems))
    now = utcnow()
    async with write_transaction():
        if clause is None:
            if await Clause.exists().where(Clause.key == values.key):
                return SaveResult(errors={"key": _("A clause with this name already exists.")})
            row = (
                await Clause.insert(
                    Clause(key=values.key, title=values.title, created_at=now, current_number=1)
                )
                .returning(Clause.id, Clause.uuid)
                .run()
            )
            clause_id, clause_uuid, number = row[0]["id"], row[0]["uuid"], 1
        else:
            clause_id, clause_uuid = clause["id"], clause["uuid"]
            number = clause["current_number"] + 1
            await Clause.update({Clause.title: values.title, Clause.current_number: number}).where(
                Clause.id == clause_id
            )
        await ClauseVersion.insert(
            ClauseVersion(
                clause=clause_id,
                number=number,
                body=values.body,
                note=values.note,
                author=viewer.user_id,
                created_at=now,
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="contract_clause",
            entity_uuid=clause_uuid,
            organisation_id=None,
            action="create" if clause is None else "update",
            summary=f"{values.key} v{number}",
        )
    return SaveResult(uuid=clause_uuid)


async def list_templates(viewer: Viewer) -> list[dict[str, Any]]:
    access.require(viewer, ContractAction.manage_contracts)
    rows = (
        await ContractTemplate.select(
            ContractTemplate.uuid,
            ContractTemplate.name,
            ContractTemplate.kind,
            ContractTemplate.language,
            ContractTemplate.is_active,
            ContractTemplate.updated_at,
        )
        .order_by(ContractTemplate.kind)
        .order_by(ContractTemplate.name)
    )
    return list(rows)


async def check_template_body(body: str) -> list[rendering.TemplateProblem]:
    bodies = await clause_bodies()
    return await _check_source(body, frozenset(bodies), rendering.sample_context(bodies))


async def save_template(
    viewer: Viewer, template: dict[str, Any] | None, data: Mapping[str, str]
) -> SaveResult:
    """Create or edit a template. A template that does not render (syntax, unknown
    variable or clause) is refused with the line and the reason; contracts already
    issued keep their frozen text whatever happens to the template."""
    access.require(viewer, ContractAction.manage_contract_templates)
    values, errors = forms.parse_template(data)
    if values is None:
        return SaveResult(errors=errors)
    problems = await check_template_body(values.body)
    if problems:
        return SaveResult(errors=_problems_as_errors(problems))
    now = utcnow()
    fields: dict[str, Any] = {
        "name": values.name,
        "kind": values.kind,
        "language": values.language,
        "body": values.body,
        "is_active": values.is_active,
    }
    async with write_transaction():
        if template is None:
            row = (
                await ContractTemplate.insert(
                    ContractTemplate(**fields, created_at=now, updated_at=now)
                )
                .returning(ContractTemplate.uuid)
                .run()
            )
            saved_uuid = row[0]["uuid"]
            changes: dict[str, Any] = {}
        else:
            opened = _opened_version(data, template["version"])
            new_version = await update_if_version(
                ContractTemplate,
                template["id"],
                opened,
                {getattr(ContractTemplate, k): v for k, v in fields.items()}
                | {ContractTemplate.updated_at: now},
            )
            if new_version is None:
                return await _conflict("contract_template", template["uuid"], opened)
            saved_uuid = template["uuid"]
            changes = audit_log.changes_between(template, fields)
        await audit_log.record(
            viewer,
            entity_kind="contract_template",
            entity_uuid=saved_uuid,
            organisation_id=None,
            action="create" if template is None else "update",
            changes=changes,
            summary=values.name,
        )
    return SaveResult(uuid=saved_uuid)


def _opened_version(data: Mapping[str, str], current: int) -> int:
    opened = whole_number(data.get("version", ""))
    return current if opened is None else opened


@access.checked_by_caller("the contract or template its caller fetched through access")
async def _conflict(kind: str, entity_uuid: UUID, opened: int) -> SaveResult:
    current = await (
        Contract.select(Contract.version).where(Contract.uuid == entity_uuid).first()
        if kind == "contract"
        else ContractTemplate.select(ContractTemplate.version)
        .where(ContractTemplate.uuid == entity_uuid)
        .first()
    )
    conflicts = await audit_log.changes_since(entity_uuid, opened)
    return SaveResult(
        errors={"version": _("Someone else saved this in the meantime; see their changes.")},
        conflicts=conflicts,
        current_version=current["version"] if current else None,
    )


async def preview_template(viewer: Viewer, template: dict[str, Any]) -> PrintedPdf:
    """The template printed with sample data, as a partner would receive it."""
    access.require(viewer, ContractAction.manage_contract_templates)
    bodies = await clause_bodies()
    context = rendering.sample_context(bodies)
    context["contract"] = {
        **context["contract"],
        "title": template["name"],
        "kind": template["kind"],
        "language": template["language"],
    }
    body_html = await _contract_body(template["body"], context)
    html = rendering.document_html(
        language=template["language"],
        title=template["name"],
        number="PREVIEW",
        version=0,
        brand=context["brand"],
        partner=context["partner"],
        body_html=body_html,
        fingerprint="0" * 64,
    )
    return await print_html(html)


# ---------------------------------------------------------------------------
# Parties and terms


@access.system_query("the brand's own organisation, a party to every contract")
async def _brand() -> dict[str, Any]:
    row = await (
        Organisation.select(*Organisation.all_columns())
        .where(Organisation.kind == OrganisationKind.brand)
        .order_by(Organisation.id)
        .first()
    )
    if row is None:
        raise ContractError(_("The brand's own organisation is missing."))
    return dict(row)


@access.checked_by_caller("the parties of a contract its caller fetched with get_contract")
async def party_values(organisation: Mapping[str, Any]) -> dict[str, str]:
    """A party as templates see it: names, tax id, office address and main contact."""
    address = await (
        Address.select(*Address.all_columns())
        .where(Address.organisation == organisation["id"])
        .order_by(Address.id)
        .first()
    )
    contact = await (
        Contact.select(Contact.name)
        .where(Contact.organisation == organisation["id"])
        .order_by(Contact.is_primary, ascending=False)
        .order_by(Contact.id)
        .first()
    )
    parts = (
        [address["region"], address["city"], address["district"], address["street"]]
        if address
        else []
    )
    # Chinese and Korean addresses read large to small, as stored.
    joiner = " " if organisation.get("country") == "KR" else ""
    return {
        "legal_name": organisation["legal_name"],
        "english_name": organisation.get("english_name") or "",
        "tax_id": organisation.get("tax_id") or "",
        "country": organisation.get("country") or "",
        "address": joiner.join(part for part in parts if part),
        "representative": contact["name"] if contact else "",
    }


@access.checked_by_caller("the partner comes from get_organisation")
async def terms_from_partner(organisation: Mapping[str, Any], kind: str) -> dict[str, str]:
    """A new contract's terms filled from the partner record (tier, territories, currency)
    and the brand's usual practice; the KAM edits them before issuing."""
    today = utcnow().date()
    start = date(today.year, today.month, 1) + timedelta(days=32)
    start = start.replace(day=1)
    end = start.replace(year=start.year + 1) - timedelta(days=1)
    territories = await Territory.select(Territory.region_code).where(
        Territory.organisation == organisation["id"]
    )
    korean = organisation.get("country") == "KR"
    terms = {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "auto_renewal": "no",
        "notice_days": "90",
        "currency": organisation.get("currency") or "CNY",
        "payment_terms": "Monthly statement, net 30 days"
        if korean
        else "30% deposit, 70% before shipment (T/T)",
        "territory": ", ".join(row["region_code"] for row in territories),
        "tier": organisation.get("tier") or "standard",
        "discount_percent": "",
        "credit_limit": "",
        "minimum_purchase": "",
        "materials": "",
        "lead_time_days": "45" if kind == "supply" else "",
        "quality_terms": "AQL 2.5" if kind == "supply" else "",
        "items": "",
        "allowance": "",
        "delivery_terms": "",
        "confidentiality_years": "3" if kind == "nda" else "",
    }
    names = {field.name for field in forms.fields_for(kind)}
    return {name: value for name, value in terms.items() if name in names}


def _money_fields() -> dict[str, str]:
    return {field.name: field.kind for field in forms.TERM_FIELDS}


@access.checked_by_caller("the contract comes from get_contract")
async def _render_contract(
    contract: Mapping[str, Any], version_number: int
) -> tuple[str, str, dict[str, str], str]:
    """(document HTML, body HTML, terms, fingerprint) of a contract as it would be issued now."""
    template = (
        await ContractTemplate.select(ContractTemplate.body)
        .where(ContractTemplate.id == contract["template"])
        .first()
    )
    organisation = (
        await Organisation.select(*Organisation.all_columns())
        .where(Organisation.id == contract["organisation"])
        .first()
    )
    if template is None or organisation is None:
        raise ContractError(_("The contract's template or partner is missing."))
    brand = await party_values(await _brand())
    partner = await party_values(organisation)
    terms = dict(contract["terms"] or {})
    bodies = await clause_bodies()
    context: dict[str, Any] = {
        "brand": brand,
        "partner": partner,
        "contract": {
            "number": contract["number"],
            "title": contract["title"],
            "kind": contract["kind"],
            "version": version_number,
            "issued_on": utcnow().date().isoformat(),
            "language": contract["language"],
        },
        "terms": rendering.terms_for_template(_money_fields(), terms),
    }
    context["clause"] = rendering.clause_function(bodies, context)
    body_html = await _contract_body(template["body"], context)
    fingerprint = rendering.fingerprint_of(contract["number"], version_number, terms, body_html)
    html = rendering.document_html(
        language=contract["language"],
        title=contract["title"],
        number=contract["number"],
        version=version_number,
        brand=brand,
        partner=partner,
        body_html=body_html,
        fingerprint=fingerprint,
    )
    return html, body_html, terms, fingerprint


# ---------------------------------------------------------------------------
# Contracts


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
            q=str(query.get("q", "")).strip()[:100],
        )


LIST_COLUMNS = (
    Contract.uuid,
    Contract.number,
    Contract.title,
    Contract.kind,
    Contract.status,
    Contract.start_date,
    Contract.end_date,
    Contract.issued_number,
    Contract.updated_at,
    Contract.organisation.legal_name.as_alias("partner_name"),  # type: ignore[attr-defined]
    Contract.organisation.uuid.as_alias("partner_uuid"),  # type: ignore[attr-defined]
)


async def list_contracts(viewer: Viewer, filters: ContractFilters) -> list[dict[str, Any]]:
    """The contracts the viewer may see (newest change first, at most 200), one query."""
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
            | contains_text(Contract.organisation.legal_name, filters.q)  # type: ignore[attr-defined]
        )
    return list(await query.order_by(Contract.updated_at, ascending=False).limit(200))


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


@dataclass
class ContractView:
    contract: dict[str, Any]
    partner: dict[str, Any]
    template_name: str
    versions: list[dict[str, Any]]
    signatures: list[dict[str, Any]]
    current_version: dict[str, Any] | None
    predecessor: dict[str, Any] | None
    successors: list[dict[str, Any]]
    term_fields: list[forms.TermField]
    can: dict[str, bool] = field(default_factory=dict)
    idempotency_key: str = ""


async def contract_view(viewer: Viewer, contract_uuid: UUID) -> ContractView:
    """A contract with its partner, versions, signatures, renewals and what the viewer may do."""
    contract = await get_contract(viewer, contract_uuid)
    partner = await (
        Organisation.select(
            Organisation.id, Organisation.uuid, Organisation.legal_name, Organisation.kind
        )
        .where(Organisation.id == contract["organisation"])
        .first()
    )
    template = await (
        ContractTemplate.select(ContractTemplate.name)
        .where(ContractTemplate.id == contract["template"])
        .first()
    )
    versions = list(
        await ContractVersion.select(
            *ContractVersion.all_columns(exclude=[ContractVersion.body_html]),
            ContractVersion.issued_by.display_name.as_alias("issued_by_name"),  # type: ignore[attr-defined]
        )
        .where(ContractVersion.contract == contract["id"])
        .order_by(ContractVersion.number, ascending=False)
    )
    signatures = list(
        await ContractSignature.select(
            *ContractSignature.all_columns(),
            ContractSignature.contract_version.number.as_alias("version_number"),  # type: ignore[attr-defined]
            ContractSignature.user.email.as_alias("user_email"),  # type: ignore[attr-defined]
        )
        .where(ContractSignature.contract == contract["id"])
        .order_by(ContractSignature.signed_at, ascending=False)
    )
    related = await scoped_contracts(
        Contract.select(
            Contract.id, Contract.uuid, Contract.number, Contract.status, Contract.predecessor
        ),
        viewer,
    ).where(
        (Contract.predecessor == contract["id"]) | (Contract.id == (contract["predecessor"] or -1))
    )
    predecessor = next((row for row in related if row["id"] == contract["predecessor"]), None)
    successors = [row for row in related if row["predecessor"] == contract["id"]]
    current = versions[0] if versions and versions[0]["superseded_at"] is None else None
    status = contract["status"]
    organisation_id = contract["organisation"]

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
        and not any(row["status"] not in (S.terminated, S.declined) for row in successors),
    }
    return ContractView(
        contract=contract,
        partner=dict(partner or {}),
        template_name=template["name"] if template else "",
        versions=versions,
        signatures=signatures,
        current_version=current,
        predecessor=predecessor,
        successors=successors,
        term_fields=forms.fields_for(contract["kind"]),
        can=can,
        idempotency_key=idempotency.new_key(),
    )


async def new_contract_choices(viewer: Viewer, partner_uuid: UUID) -> dict[str, Any]:
    """The partner a new contract is for and the active templates that fit its kind."""
    partner = await access.get_organisation(viewer, partner_uuid, ContractAction.manage_contracts)
    kinds = KINDS_FOR_PARTNER.get(partner["kind"], ())
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
    return {
        "partner": partner,
        "templates": [row for row in templates if row["kind"] in kinds],
    }


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
    predecessor: dict[str, Any] | None = None,
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
    if template is None or template["kind"] not in KINDS_FOR_PARTNER.get(partner["kind"], ()):
        return SaveResult(errors={"template": _("Choose a template that fits this partner.")})
    if predecessor is not None:
        terms = _renewed_terms(predecessor["terms"])
        title = predecessor["title"]
    else:
        terms = await terms_from_partner(partner, template["kind"])
        title = f"{label(template['kind'])} · {partner['legal_name']}"
    now = utcnow()
    async with write_transaction():
        number = await _next_number(now.year)
        row = (
            await Contract.insert(
                Contract(
                    organisation=partner["id"],
                    template=template["id"],
                    number=number,
                    title=title[:200],
                    kind=template["kind"],
                    language=template["language"],
                    status=S.draft,
                    terms=terms,
                    predecessor=predecessor["id"] if predecessor else None,
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
            organisation_id=partner["id"],
            action="renew" if predecessor else "create",
            changes={"terms": [None, terms]},
            summary=f"{number} {title}"
            + (f" (renews {predecessor['number']})" if predecessor else ""),
        )
    return SaveResult(uuid=contract_uuid)


def _renewed_terms(terms: Mapping[str, str]) -> dict[str, str]:
    renewed = dict(terms)
    if terms.get("start_date") and terms.get("end_date"):
        start = date.fromisoformat(terms["start_date"])
        end = date.fromisoformat(terms["end_date"])
        new_start = end + timedelta(days=1)
        renewed["start_date"] = new_start.isoformat()
        renewed["end_date"] = (new_start + (end - start)).isoformat()
    return renewed


async def update_contract(
    viewer: Viewer, contract: dict[str, Any], data: Mapping[str, str]
) -> SaveResult:
    """Save a contract's title and terms. An issued contract goes back to draft: its issued
    version stays on record but can no longer be accepted until a new one is issued."""
    access.require(viewer, ContractAction.manage_contracts, contract["organisation"])
    if contract["status"] not in EDITABLE:
        return SaveResult(errors={"status": _("This contract can no longer be edited.")})
    header, header_errors = forms.parse_header(data)
    terms, errors = forms.parse_terms(contract["kind"], data)
    errors.update(header_errors)
    if terms is None or header is None:
        return SaveResult(errors=errors)
    opened = _opened_version(data, contract["version"])
    now = utcnow()
    async with write_transaction():
        values: dict[Any, Any] = {
            Contract.title: header.title,
            Contract.terms: terms,
            Contract.updated_at: now,
            **_term_columns(terms),
        }
        if contract["status"] != S.draft:
            values[Contract.status] = S.draft
            values[Contract.status_changed_at] = now
        new_version = await _update_in_state(contract, opened, values)
        if new_version is None:
            return await _conflict("contract", contract["uuid"], opened)
        changes = audit_log.changes_between(
            {"title": contract["title"], **(contract["terms"] or {}), "status": contract["status"]},
            {
                "title": header.title,
                **terms,
                "status": values.get(Contract.status, contract["status"]),
            },
        )
        await audit_log.record(
            viewer,
            entity_kind="contract",
            entity_uuid=contract["uuid"],
            organisation_id=contract["organisation"],
            action="update",
            changes=changes,
            summary=contract["number"],
        )
    return SaveResult(uuid=contract["uuid"])


@access.checked_by_caller("the contract comes from get_contract")
async def _update_in_state(
    contract: Mapping[str, Any], opened: int, values: dict[Any, Any]
) -> int | None:
    """Optimistic update that also insists the status is still the one the editor saw."""
    updated = await (
        Contract.update({**values, Contract.version: Contract.version + 1})
        .where(
            Contract.id == contract["id"],
            Contract.version == opened,
            Contract.status == contract["status"],
        )
        .returning(Contract.version)
    )
    return updated[0]["version"] if updated else None


@access.checked_by_caller("the contract comes from get_contract or the lifecycle job")
async def _move(
    contract: Mapping[str, Any], from_statuses: tuple[str, ...], to_status: str
) -> bool:
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
        .where(Contract.id == contract["id"], Contract.status.is_in(list(from_statuses)))
        .returning(Contract.id)
    )
    return bool(updated)


@access.checked_by_caller("the contract comes from get_contract (or the demo data)")
async def issue_contract(viewer: Viewer | None, contract: dict[str, Any]) -> dict[str, Any]:
    """Freeze the contract as its next version: render the PDF (off the event loop), store
    it with its SHA-256, supersede earlier versions and send it to the partner. Returns the
    new version. ``viewer`` None is the system (demo data)."""
    if viewer is not None:
        access.require(viewer, ContractAction.manage_contracts, contract["organisation"])
    if contract["status"] not in ISSUABLE:
        raise ContractError(_("Only a draft or declined contract can be issued."))
    terms, errors = forms.parse_terms(contract["kind"], contract["terms"] or {})
    if terms is None:
        raise ContractError(
            _("Complete the terms before issuing: %(fields)s", fields=", ".join(errors))
        )
    number = contract["issued_number"] + 1
    html, body_html, terms, fingerprint = await _render_contract(contract, number)
    pdf = await print_html(html)
    path = _store_pdf(contract["uuid"], number, pdf)
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
                Contract.id == contract["id"],
                Contract.status.is_in(list(ISSUABLE)),
                Contract.issued_number == contract["issued_number"],
            )
            .returning(Contract.id)
        )
        if not moved:
            raise ContractError(_("Someone else changed this contract; open it again."))
        await ContractVersion.update({ContractVersion.superseded_at: now}).where(
            ContractVersion.contract == contract["id"],
            ContractVersion.superseded_at.is_null(),
        )
        row = (
            await ContractVersion.insert(
                ContractVersion(
                    contract=contract["id"],
                    organisation=contract["organisation"],
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
            entity_uuid=contract["uuid"],
            organisation_id=contract["organisation"],
            action="issue",
            changes={"status": [contract["status"], S.issued], "version": [number - 1, number]},
            summary=f"{contract['number']} v{number} sha256 {pdf.sha256}",
        )
    return loaded(row[0])


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
        if not await _move(contract, (expected,), to_status):
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
            await _activate({**contract, "status": S.countersigned}, None)
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
        if not await _move(contract, (contract["status"],), S.declined):
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
        if not await _move(contract, (contract["status"],), S.terminated):
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


# ---------------------------------------------------------------------------
# Lifecycle: activation, notice period, expiry (the daily job) and what it feeds


@access.checked_by_caller("the contract comes from get_contract or the lifecycle job")
async def _activate(contract: Mapping[str, Any], actor: Viewer | None) -> bool:
    """Countersigned -> active: the renewed contract becomes "renewed" and a distribution
    contract's tier becomes the partner's tier (the contract is the one source of truth)."""
    if not await _move(contract, (S.countersigned,), S.active):
        return False
    await audit_log.record(
        actor,
        entity_kind="contract",
        entity_uuid=contract["uuid"],
        organisation_id=contract["organisation"],
        action="activate",
        changes={"status": [S.countersigned, S.active]},
        summary=contract["number"],
    )
    if contract.get("predecessor"):
        previous = (
            await Contract.select(Contract.uuid, Contract.status, Contract.number)
            .where(Contract.id == contract["predecessor"])
            .first()
        )
        if previous and await _move(
            {"id": contract["predecessor"]}, (S.active, S.expiring, S.expired), S.renewed
        ):
            await audit_log.record(
                actor,
                entity_kind="contract",
                entity_uuid=previous["uuid"],
                organisation_id=contract["organisation"],
                action="renewed",
                changes={"status": [previous["status"], S.renewed]},
                summary=f"{previous['number']} renewed by {contract['number']}",
            )
    tier = (contract.get("terms") or {}).get("tier")
    if contract["kind"] == ContractKind.distribution and tier:
        organisation = (
            await Organisation.select(Organisation.tier, Organisation.uuid)
            .where(Organisation.id == contract["organisation"])
            .first()
        )
        if organisation and organisation["tier"] != tier:
            await Organisation.update(
                {
                    Organisation.tier: tier,
                    Organisation.updated_at: utcnow(),
                    Organisation.version: Organisation.version + 1,
                }
            ).where(Organisation.id == contract["organisation"])
            await audit_log.record(
                actor,
                entity_kind="organisation",
                entity_uuid=organisation["uuid"],
                organisation_id=contract["organisation"],
                action="update",
                changes={"tier": [organisation["tier"], tier]},
                summary=f"tier from contract {contract['number']}",
            )
    return True


def notice_date(contract: Mapping[str, Any]) -> date | None:
    if contract.get("end_date") is None:
        return None
    return contract["end_date"] - timedelta(days=contract.get("notice_days") or 0)


@access.system_query("scheduled job: every contract's lifecycle")
async def run_lifecycle(on: date | None = None) -> str:
    """The daily job: start countersigned contracts whose day has come, move active ones
    into their notice period and past their end. Idempotent: each move is a conditional
    update, so running twice (or in two processes) moves each contract once."""
    on = on or utcnow().date()
    counts = {"active": 0, "expiring": 0, "expired": 0, "extended": 0}
    rows = await Contract.select(*Contract.all_columns()).where(
        Contract.status.is_in([S.countersigned, S.active, S.expiring])
    )
    for contract in map(loaded, rows):
        async with write_transaction():
            if contract["status"] == S.countersigned:
                if (
                    contract["start_date"]
                    and contract["start_date"] <= on
                    and await _activate(contract, None)
                ):
                    counts["active"] += 1
                continue
            end = contract["end_date"]
            if end is None:
                continue
            if end < on:
                if (contract["terms"] or {}).get("auto_renewal") == "yes":
                    counts["extended"] += await _extend(contract)
                elif await _move(contract, (S.active, S.expiring), S.expired):
                    counts["expired"] += 1
                    await _record_system_move(contract, S.expired)
            elif (
                contract["status"] == S.active
                and (notice := notice_date(contract))
                and notice <= on
            ) and await _move(contract, (S.active,), S.expiring):
                counts["expiring"] += 1
                await _record_system_move(contract, S.expiring)
    return ", ".join(f"{count} {state}" for state, count in counts.items())


async def _record_system_move(contract: Mapping[str, Any], to_status: str) -> None:
    await audit_log.record(
        None,
        entity_kind="contract",
        entity_uuid=contract["uuid"],
        organisation_id=contract["organisation"],
        action=to_status,
        changes={"status": [contract["status"], to_status]},
        summary=contract["number"],
    )


@access.checked_by_caller("contracts of the lifecycle job (run_lifecycle)")
async def _extend(contract: Mapping[str, Any]) -> int:
    """An auto-renewing contract past its end runs for another term of the same length
    (the signed text says so); nothing is re-signed."""
    start, end = contract["start_date"], contract["end_date"]
    if start is None or end is None:
        return 0
    new_end = end + (end - start) + timedelta(days=1)
    updated = await (
        Contract.update(
            {
                Contract.end_date: new_end,
                Contract.status: S.active,
                Contract.status_changed_at: utcnow(),
                Contract.version: Contract.version + 1,
            }
        )
        .where(Contract.id == contract["id"], Contract.end_date == end)
        .returning(Contract.id)
    )
    if not updated:
        return 0
    await audit_log.record(
        None,
        entity_kind="contract",
        entity_uuid=contract["uuid"],
        organisation_id=contract["organisation"],
        action="auto_renew",
        changes={"end_date": [end.isoformat(), new_end.isoformat()]},
        summary=contract["number"],
    )
    return 1


async def _due(on: date, query: Any) -> list[dict[str, Any]]:
    rows = await query.where(
        Contract.status.is_in([S.active, S.expiring]), Contract.end_date.is_not_null()
    ).order_by(Contract.end_date)
    return [
        row
        for row in rows
        if (notice := notice_date(row)) is not None and notice <= on <= row["end_date"]
    ]


@access.system_query("attention source: every contract in its notice period")
async def contracts_due_for_attention(on: date) -> list[AttentionItem]:
    """Contracts inside their notice period on ``on`` (renew or let them end), for the
    follow-up rules: one item per contract, due on the day the notice period starts."""
    rows = await _due(
        on,
        Contract.select(
            Contract.id,
            Contract.uuid,
            Contract.organisation,
            Contract.number,
            Contract.title,
            Contract.end_date,
            Contract.notice_days,
        ),
    )
    renewing = {
        row["predecessor"]
        for row in await Contract.select(Contract.predecessor).where(
            Contract.predecessor.is_in([row["id"] for row in rows] or [-1]),
            Contract.status.not_in([S.terminated, S.declined]),
        )
    }
    return [
        AttentionItem(
            organisation_id=row["organisation"],
            subject_kind="contract",
            subject_uuid=row["uuid"],
            summary=f"{row['number']} {row['title']} ends {row['end_date'].isoformat()}",
            due_on=notice_date(row) or on,
        )
        for row in rows
        if row["id"] not in renewing
    ]


async def renewals_due(viewer: Viewer, on: date) -> list[dict[str, Any]]:
    """The KAM's renewal list: their partners' contracts inside the notice period, with
    the renewal under way if there is one."""
    access.require(viewer, ContractAction.manage_contracts)
    rows = await _due(
        on,
        scoped_contracts(Contract.select(Contract.id, Contract.notice_days, *LIST_COLUMNS), viewer),
    )
    successors = await Contract.select(
        Contract.predecessor, Contract.uuid, Contract.number, Contract.status
    ).where(
        Contract.predecessor.is_in([row["id"] for row in rows] or [-1]),
        Contract.status.not_in([S.terminated, S.declined]),
    )
    by_predecessor = {row["predecessor"]: row for row in successors}
    for row in rows:
        row["renewal"] = by_predecessor.get(row["id"])
        row["notice_from"] = notice_date(row)
        row["days_left"] = (row["end_date"] - on).days
    return rows


@access.system_query("the terms in force for a partner, for the kernel's order checks")
async def commercial_terms(organisation_id: int) -> CommercialTerms | None:
    """The terms in force for a partner: its active distribution contract's, as signed
    (the frozen version's terms), or None when it has none."""
    row = await (
        Contract.select(Contract.uuid, Contract.id, Contract.issued_number)
        .where(
            Contract.organisation == organisation_id,
            Contract.kind == ContractKind.distribution,
            Contract.status.is_in(list(IN_FORCE)),
        )
        .order_by(Contract.start_date, ascending=False)
        .first()
    )
    if row is None:
        return None
    version = await (
        ContractVersion.select(ContractVersion.terms)
        .where(
            ContractVersion.contract == row["id"], ContractVersion.number == row["issued_number"]
        )
        .first()
    )
    if version is None:
        return None
    terms = loaded(version)["terms"] or {}

    def decimal_or_none(value: str | None) -> Decimal | None:
        return Decimal(value) if value else None

    return CommercialTerms(
        tier=terms.get("tier") or None,
        territory=terms.get("territory") or None,
        payment_terms=terms.get("payment_terms") or None,
        currency=terms.get("currency") or None,
        credit_limit=decimal_or_none(terms.get("credit_limit")),
        discount_percent=decimal_or_none(terms.get("discount_percent")),
        contract_uuid=row["uuid"],
    )


async def partner_panel(viewer: Viewer, organisation: dict[str, Any]) -> dict[str, Any] | None:
    """The partner 360 page's contracts panel: the partner's contracts and terms in force."""
    if not viewer.can(ContractAction.view_contracts):
        return None
    rows = (
        await scoped_contracts(Contract.select(*LIST_COLUMNS), viewer)
        .where(Contract.organisation == organisation["id"])
        .order_by(Contract.updated_at, ascending=False)
    )
    terms = await commercial_terms(organisation["id"])
    if not rows and not access.allows(viewer, ContractAction.manage_contracts, organisation["id"]):
        return None
    return {
        "contracts": rows,
        "terms": terms,
        "partner": organisation,
        "can_create": access.allows(viewer, ContractAction.manage_contracts, organisation["id"])
        and organisation["kind"] in KINDS_FOR_PARTNER,
        "label": label,
    }
