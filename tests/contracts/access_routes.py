"""The contracts module's routes in the access matrix (tests/portal/test_access_matrix.py).

Expectations from docs/ARCHITECTURE.md §2 and the issue: the brand's admins and staff see every
contract, a KAM their (team's) partners'; a partner's users see only their own
organisation's issued contracts (a distributor not its retailers'; a supplier its
supply agreements). KAMs and admins prepare contracts, the partner's organisation admin
accepts, and only a brand administrator countersigns. Templates are the admins'.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from contracts import documents
from contracts.tables import (
    Clause,
    ClauseVersion,
    Contract,
    ContractSignature,
    ContractTemplate,
    ContractVersion,
)
from partner_portal.pdf import PrintedPdf, print_html_sync
from tests.access_matrix import (
    BRAND_MEMBERS,
    HOME,
    ORGANISATION_ADMINS,
    PARTNER_EDITORS,
    SEES,
    Route,
    Rule,
    Subject,
    SubjectContext,
    anyone,
    only,
)

TARGETS = ("distributor_a", "distributor_b", "retailer_a", "mill", "bank")
KIND_OF = {"mill": "supply", "bank": "group_purchase"}


def sees_contract(member: str, target: str) -> bool:
    if member in BRAND_MEMBERS:
        return target in SEES[member]
    return HOME[member] == target


def on_contract(may: Any) -> Rule:
    def rule(member: str, target: str | None) -> int | str:
        assert target is not None
        if not sees_contract(member, target):
            return 404
        return "ok" if may(member) else 403

    return rule


view_contract = on_contract(lambda member: True)
manage_contract = on_contract(lambda member: member in PARTNER_EDITORS)
accept_contract = on_contract(lambda member: member in ORGANISATION_ADMINS)
countersign_contract = on_contract(lambda member: member == "admin")
decline_contract = on_contract(lambda member: member in ORGANISATION_ADMINS | {"admin"})
ADMIN = only({"admin"})

ROUTES: dict[str, Route] = {
    "GET /contracts": Route(anyone),
    "GET /contracts/renewals": Route(only(PARTNER_EDITORS)),
    "GET /contracts/new": Route(only(PARTNER_EDITORS)),
    "POST /contracts/new": Route(only(PARTNER_EDITORS)),
    "GET /contracts/templates": Route(ADMIN),
    "GET /contracts/templates/new": Route(ADMIN),
    "POST /contracts/templates/new": Route(ADMIN),
    "GET /contracts/templates/{template_id:uuid}/edit": Route(ADMIN, "contract_template"),
    "POST /contracts/templates/{template_id:uuid}/edit": Route(ADMIN, "contract_template"),
    "GET /contracts/templates/{template_id:uuid}/preview": Route(ADMIN, "contract_template"),
    "GET /contracts/clauses/new": Route(ADMIN),
    "POST /contracts/clauses/new": Route(ADMIN),
    "GET /contracts/clauses/{clause_id:uuid}/edit": Route(ADMIN, "contract_clause"),
    "POST /contracts/clauses/{clause_id:uuid}/edit": Route(ADMIN, "contract_clause"),
    "GET /contracts/{contract_id:uuid}": Route(view_contract, "contract"),
    "GET /contracts/{contract_id:uuid}/edit": Route(manage_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/edit": Route(manage_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/issue": Route(manage_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/terminate": Route(manage_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/renew": Route(manage_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/accept": Route(accept_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/accept/confirm": Route(accept_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/countersign": Route(countersign_contract, "contract"),
    "POST /contracts/{contract_id:uuid}/decline": Route(decline_contract, "contract"),
    "GET /contracts/{contract_id:uuid}/compare": Route(view_contract, "contract"),
    "GET /contracts/versions/{version_id:uuid}/pdf": Route(view_contract, "contract_version"),
    "GET /contracts/signatures/{signature_id:uuid}/pdf": Route(view_contract, "contract_signature"),
    "GET /api/v1/contracts": Route(anyone),
    "GET /api/v1/contracts/{contract_id:uuid}": Route(view_contract, "contract"),
    "GET /api/v1/contracts/{contract_id:uuid}/versions": Route(view_contract, "contract"),
    "GET /api/v1/contracts/versions/{version_id:uuid}/pdf": Route(
        view_contract, "contract_version"
    ),
}

# Anyone holding a contract PDF may check it, and fetch the certificate it is signed with.
PUBLIC = {
    "GET /contracts/verify",
    "POST /contracts/verify",
    "GET /contracts/signing-certificate.pem",
}


@cache
def _pdf() -> PrintedPdf:
    """One small real PDF for every matrix contract (rendered once per test run)."""
    return print_html_sync("<html><body><p>合同 · 계약 · contract</p></body></html>")


async def _template(context: SubjectContext) -> Any:
    if "template" not in context.cache:
        now = datetime.now(UTC)
        row = (
            await ContractTemplate.insert(
                ContractTemplate(
                    name="Matrix",
                    kind="distribution",
                    language="en",
                    body="<p>{{ partner.legal_name }}</p>",
                    created_at=now,
                    updated_at=now,
                )
            )
            .returning(ContractTemplate.id, ContractTemplate.uuid)
            .run()
        )
        context.cache["template"] = row[0]
    return context.cache["template"]


async def contract_template(context: SubjectContext, target: str | None) -> Any:
    return (await _template(context))["uuid"]


async def contract_clause(context: SubjectContext, target: str | None) -> Any:
    if "clause" not in context.cache:
        now = datetime.now(UTC)
        row = (
            await Clause.insert(Clause(key="matrix", title="Matrix", created_at=now))
            .returning(Clause.id, Clause.uuid)
            .run()
        )
        await ClauseVersion.insert(
            ClauseVersion(clause=row[0]["id"], number=1, body="<p>x</p>", created_at=now)
        ).run()
        context.cache["clause"] = row[0]["uuid"]
    return context.cache["clause"]


async def _issued_contract(context: SubjectContext, target: str) -> dict[str, Any]:
    """An issued contract (version 1 with a stored PDF) for the target organisation."""
    key = f"contract:{target}"
    if key not in context.cache:
        template = await _template(context)
        organisation = context.cast.organisations()[target]
        kind = KIND_OF.get(target, "distribution")
        terms = {
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "notice_days": "60",
            "currency": "CNY",
            "payment_terms": "T/T",
            "territory": "CN-SH",
            "tier": "gold",
            "materials": "poplin",
            "items": "shirts",
        }
        now = datetime.now(UTC)
        row = (
            await Contract.insert(
                Contract(
                    organisation=organisation.id,
                    template=template["id"],
                    number=f"TL-MATRIX-{target}",
                    title=f"Matrix {target}",
                    kind=kind,
                    language="en",
                    status="issued",
                    terms=terms,
                    start_date=date(2027, 1, 1),
                    end_date=date(2027, 12, 31),
                    issued_number=1,
                    created_at=now,
                    updated_at=now,
                    status_changed_at=now,
                )
            )
            .returning(Contract.id, Contract.uuid)
            .run()
        )
        pdf = _pdf()
        path = documents.store_pdf(row[0]["uuid"], 1, pdf)
        version = (
            await ContractVersion.insert(
                ContractVersion(
                    contract=row[0]["id"],
                    organisation=organisation.id,
                    number=1,
                    terms=terms,
                    body_html="<p>x</p>",
                    fingerprint="0" * 64,
                    pdf_path=path,
                    pdf_sha256=pdf.sha256,
                    pdf_bytes=len(pdf.content),
                    page_count=1,
                    issued_at=now,
                )
            )
            .returning(ContractVersion.id, ContractVersion.uuid)
            .run()
        )
        # An acceptance with its sealed copy (the plain PDF stands in for it here).
        signature = (
            await ContractSignature.insert(
                ContractSignature(
                    contract=row[0]["id"],
                    contract_version=version[0]["id"],
                    organisation=organisation.id,
                    side="partner",
                    decision="accepted",
                    pdf_sha256=pdf.sha256,
                    signed_at=now,
                    sealed_pdf_path=path,
                    sealed_pdf_sha256=pdf.sha256,
                )
            )
            .returning(ContractSignature.uuid)
            .run()
        )
        context.cache[key] = {
            "uuid": row[0]["uuid"],
            "version": version[0]["uuid"],
            "signature": signature[0]["uuid"],
        }
    return context.cache[key]  # type: ignore[no-any-return]


async def contract(context: SubjectContext, target: str | None) -> Any:
    return (await _issued_contract(context, str(target)))["uuid"]


async def contract_version(context: SubjectContext, target: str | None) -> Any:
    return (await _issued_contract(context, str(target)))["version"]


async def contract_signature(context: SubjectContext, target: str | None) -> Any:
    return (await _issued_contract(context, str(target)))["signature"]


SUBJECTS: dict[str, Subject] = {
    "contract_signature": Subject(contract_signature, TARGETS),
    "contract": Subject(contract, TARGETS),
    "contract_version": Subject(contract_version, TARGETS),
    "contract_template": Subject(contract_template),
    "contract_clause": Subject(contract_clause),
}
