"""JSON API for contracts (/api/v1/contracts): list and get contracts, their versions,
and a version's PDF, with the same access rules as the pages (a partner sees only its
own issued contracts, a supplier so its supply agreements, a KAM their partners')."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec
from litestar import Response
from litestar.params import FromPath, FromQuery

from contracts import documents, drafting, records
from contracts.access import get_contract, get_version
from contracts.controllers import pdf_response
from contracts.drafting import ContractFilters
from contracts.tables import ContractVersion, loaded
from partner_portal import api
from partner_portal.web import CurrentViewer

API = "/api/v1"


class ContractSummary(msgspec.Struct):
    id: UUID
    number: str
    title: str
    kind: str
    status: str
    partner: UUID
    partner_name: str
    start_date: date | None
    end_date: date | None
    current_version: int


class ContractList(msgspec.Struct):
    items: list[ContractSummary]
    # Pass as ?cursor= for the next (less recently changed) contracts; null on the last page.
    next_cursor: str | None


class Signature(msgspec.Struct):
    version: int
    side: str
    decision: str
    signer_name: str
    signer_title: str
    reason: str
    pdf_sha256: str
    signed_at: datetime


class ContractDetail(msgspec.Struct):
    id: UUID
    number: str
    title: str
    kind: str
    language: str
    status: str
    partner: UUID
    partner_name: str
    terms: dict[str, str]
    start_date: date | None
    end_date: date | None
    notice_days: int
    current_version: int
    renews: UUID | None
    signatures: list[Signature]
    updated_at: datetime


class Version(msgspec.Struct):
    id: UUID
    number: int
    fingerprint: str
    pdf_sha256: str
    pdf_bytes: int
    page_count: int
    issued_at: datetime
    superseded_at: datetime | None
    terms: dict[str, str]
    pdf_url: str


def _summary(row: records.ContractSummary) -> ContractSummary:
    return ContractSummary(
        id=row.uuid,
        number=row.number,
        title=row.title,
        kind=row.kind,
        status=row.status,
        partner=row.partner_uuid,
        partner_name=row.partner_name,
        start_date=row.start_date,
        end_date=row.end_date,
        current_version=row.issued_number,
    )


@api.get(f"{API}/contracts", tags=["contracts"])
async def api_list_contracts(
    viewer: CurrentViewer,
    status: FromQuery[str] = "",
    kind: FromQuery[str] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> ContractList:
    """The contracts you may see, the most recently changed first."""
    filters = ContractFilters.from_query({"status": status, "kind": kind})
    position = api.decode_cursor(cursor, (datetime, int))
    rows = await drafting.list_contracts(
        viewer, filters, (position[0], position[1]) if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(
        rows, limit, lambda row: [api.timestamp(row.updated_at), row.id]
    )
    return ContractList(items=[_summary(row) for row in shown], next_cursor=next_cursor)


@api.get(f"{API}/contracts/{{contract_id:uuid}}", tags=["contracts"])
async def api_get_contract(viewer: CurrentViewer, contract_id: FromPath[UUID]) -> ContractDetail:
    """One contract with its terms and every acceptance, countersignature or refusal."""
    view = await drafting.contract_view(viewer, contract_id)
    contract = view.contract
    return ContractDetail(
        id=contract.uuid,
        number=contract.number,
        title=contract.title,
        kind=contract.kind,
        language=contract.language,
        status=contract.status,
        partner=view.partner.uuid,
        partner_name=view.partner.legal_name,
        terms=dict(contract.terms),
        start_date=contract.start_date,
        end_date=contract.end_date,
        notice_days=contract.notice_days,
        current_version=contract.issued_number,
        renews=view.predecessor.uuid if view.predecessor else None,
        signatures=[
            Signature(
                version=signature.version_number,
                side=signature.side,
                decision=signature.decision,
                signer_name=signature.signer_name,
                signer_title=signature.signer_title,
                reason=signature.reason,
                pdf_sha256=signature.pdf_sha256,
                signed_at=api.timestamp(signature.signed_at),
            )
            for signature in view.signatures
        ],
        updated_at=api.timestamp(contract.updated_at),
    )


class VersionList(msgspec.Struct):
    items: list[Version]
    # Pass as ?cursor= for the next (older) versions; null on the last page.
    next_cursor: str | None


@api.get(f"{API}/contracts/{{contract_id:uuid}}/versions", tags=["contracts"])
async def api_contract_versions(
    viewer: CurrentViewer,
    contract_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> VersionList:
    """Every issued version of a contract, newest first, each with its PDF's SHA-256."""
    contract = await get_contract(viewer, contract_id)
    position = api.decode_cursor(cursor, (int,))
    query = ContractVersion.select(
        *ContractVersion.all_columns(exclude=[ContractVersion.body_html])
    ).where(ContractVersion.contract == contract.id)
    if position is not None:
        query = query.where(ContractVersion.number < position[0])
    rows = await query.order_by(ContractVersion.number, ascending=False).limit(limit + 1)
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row["number"]])
    return VersionList(
        items=[
            Version(
                id=row["uuid"],
                number=row["number"],
                fingerprint=row["fingerprint"],
                pdf_sha256=row["pdf_sha256"],
                pdf_bytes=row["pdf_bytes"],
                page_count=row["page_count"],
                issued_at=api.timestamp(row["issued_at"]),
                superseded_at=api.timestamp(row["superseded_at"]) if row["superseded_at"] else None,
                terms=loaded(row)["terms"],
                pdf_url=f"{API}/contracts/versions/{row['uuid']}/pdf",
            )
            for row in shown
        ],
        next_cursor=next_cursor,
    )


@api.get(
    f"{API}/contracts/versions/{{version_id:uuid}}/pdf",
    tags=["contracts"],
    media_type="application/pdf",
)
async def api_version_pdf(viewer: CurrentViewer, version_id: FromPath[UUID]) -> Response[bytes]:
    """A version's PDF, byte for byte what was issued (its SHA-256 is in the version)."""
    contract, version = await get_version(viewer, version_id)
    content = documents.read_pdf(version.pdf_path)
    return pdf_response(content, f"{contract.number}-v{version.number}.pdf", inline=False)


api_routes = [api_list_contracts, api_get_contract, api_contract_versions, api_version_pdf]
