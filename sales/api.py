"""JSON API (/api/v1) for opportunities, deal registrations, service cases and the rebate
ledger: the same services and access rules as the pages (an invisible row 404, a
missing permission 403, bad input 400 with messages by field, as problems:
partner_portal/api.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import FromPath, FromQuery, JSONBody

from partner_portal import api, idempotency
from partner_portal.api import DecimalText, Money
from partner_portal.handler_types import AnyRequest
from partner_portal.web import CurrentViewer
from sales import cases, pipeline, rebates, registrations
from sales.cases import CaseFilters
from sales.pipeline import OpportunityFilters
from sales.records import CaseEntry, OpportunityCard, RegistrationEntry

API = "/api/v1"


Code = Annotated[str, msgspec.Meta(max_length=40)]
Key = Annotated[str, msgspec.Meta(max_length=80)]
Line = Annotated[str, msgspec.Meta(max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=10_000)]


class Opportunity(msgspec.Struct):
    id: UUID
    title: str
    kind: str
    stage: str
    partner: UUID
    partner_name: str
    expected_value: Money
    currency: str
    expected_close_date: date
    probability: DecimalText
    weighted_value: Money
    owner: UUID | None
    next_step: str
    version: int


class OpportunityList(msgspec.Struct):
    items: list[Opportunity]
    # Pass as ?cursor= for the next opportunities; null on the last page.
    next_cursor: str | None


class Registration(msgspec.Struct):
    id: UUID
    partner: UUID
    end_customer: str
    region: str
    expected_quantity: int
    expected_value: Money
    currency: str
    styles: list[str]
    status: str
    decision_due_at: datetime
    protected_until: date | None
    conflict: bool
    decision_note: str


class RegistrationList(msgspec.Struct):
    items: list[Registration]
    # Pass as ?cursor= for the next registrations; null on the last page.
    next_cursor: str | None


class RegistrationInput(msgspec.Struct, forbid_unknown_fields=True):
    """A deal to register; checked by the page form's own rules, with a message per field."""

    end_customer: Line = ""
    region: Code = ""
    expected_quantity: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] | None = None
    expected_value: Annotated[str, msgspec.Meta(max_length=30)] = ""
    currency: Code = ""
    styles: Annotated[list[Code], msgspec.Meta(max_length=100)] = []
    notes: Text = ""
    # The Idempotency-Key header does the same; kept for clients that send it here.
    idempotency_key: Key = ""


class Case(msgspec.Struct):
    id: UUID
    partner: UUID
    subject: str
    kind: str
    priority: str
    status: str
    order_number: str | None
    style: str | None
    first_response_due_at: datetime
    resolution_due_at: datetime
    sla: str


class CaseMessage(msgspec.Struct):
    # None: the system wrote it (an escalation), or its author's account was deleted.
    author: str | None
    body: str
    internal: bool
    created_at: datetime


class CaseList(msgspec.Struct):
    items: list[Case]
    # Pass as ?cursor= for the next cases; null on the last page.
    next_cursor: str | None


class CaseWithThread(Case):
    messages: list[CaseMessage]


class CaseInput(msgspec.Struct, forbid_unknown_fields=True):
    """A case to open; checked by the page form's own rules, with a message per field. The
    brand names the partner as ``organisation`` (its id)."""

    subject: Line = ""
    kind: Code = ""
    priority: Code = ""
    description: Text = ""
    order_number: Code = ""
    style_code: Code = ""
    organisation: Code = ""
    # The Idempotency-Key header does the same; kept for clients that send it here.
    idempotency_key: Key = ""


class Balance(msgspec.Struct):
    programme: UUID
    name: str
    points: DecimalText
    rebates: Money
    currency: str


class LedgerEntry(msgspec.Struct):
    id: UUID
    kind: str
    points: DecimalText
    amount: Money
    order: UUID | None
    order_number: str | None
    note: str
    occurred_at: datetime


class Balances(msgspec.Struct):
    partner: UUID
    balances: list[Balance]


class Ledger(msgspec.Struct):
    items: list[LedgerEntry]
    # Pass as ?cursor= for the next (older) entries; null on the last page.
    next_cursor: str | None


def _opportunity(row: OpportunityCard) -> Opportunity:
    return Opportunity(
        id=row.uuid,
        title=row.title,
        kind=row.kind,
        stage=row.stage,
        partner=row.partner_uuid,
        partner_name=row.partner_name,
        expected_value=api.money(row.expected_value, row.currency),
        currency=row.currency,
        expected_close_date=row.expected_close_date,
        probability=api.decimal_text(row.probability),
        weighted_value=api.money(row.weighted, row.currency),
        owner=row.owner_uuid,
        next_step=row.next_step,
        version=row.version,
    )


@api.get(f"{API}/opportunities", tags=["sales"])
async def api_opportunities(
    viewer: CurrentViewer,
    stage: FromQuery[str] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> OpportunityList:
    """Opportunities the caller may see, soonest close first."""
    position = api.decode_cursor(cursor, (date, int))
    filters = OpportunityFilters(
        stage=stage, after=(position[0], position[1]) if position else None, limit=limit
    )
    found = await pipeline.list_opportunities(viewer, filters)
    shown, next_cursor = api.page_of(
        found.rows, limit, lambda row: [row.expected_close_date, row.id]
    )
    return OpportunityList(items=[_opportunity(row) for row in shown], next_cursor=next_cursor)


@api.get(f"{API}/opportunities/{{opportunity_id:uuid}}", tags=["sales"])
async def api_opportunity(viewer: CurrentViewer, opportunity_id: FromPath[UUID]) -> Opportunity:
    return _opportunity(await pipeline.opportunity_view(viewer, opportunity_id))


def _registration(row: RegistrationEntry) -> Registration:
    return Registration(
        id=row.uuid,
        partner=row.partner_uuid,
        end_customer=row.end_customer,
        region=row.region,
        expected_quantity=row.expected_quantity,
        expected_value=api.money(row.expected_value, row.currency),
        currency=row.currency,
        styles=row.styles.split(),
        status=row.status,
        decision_due_at=api.timestamp(row.decision_due_at),
        protected_until=row.protected_until,
        conflict=bool(row.conflict),
        decision_note=row.decision_note,
    )


@api.get(f"{API}/deal-registrations", tags=["sales"])
async def api_registrations(
    viewer: CurrentViewer,
    status: FromQuery[Code] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> RegistrationList:
    """The caller's registrations (a partner: its own only), newest first."""
    position = api.decode_cursor(cursor, (int,))
    rows = await registrations.list_registrations(
        viewer, status, position[0] if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.id])
    return RegistrationList(items=[_registration(row) for row in shown], next_cursor=next_cursor)


@api.post(f"{API}/deal-registrations", tags=["sales"], status_code=201)
async def api_register_deal(
    request: AnyRequest,
    viewer: CurrentViewer,
    data: JSONBody[RegistrationInput],
    idempotency_key: idempotency.KeyHeader = None,
) -> Registration:
    """Register a deal; send an Idempotency-Key header to make a retry safe."""
    key = idempotency_key or data.idempotency_key
    result = await registrations.submit_registration(viewer, api.form_fields(data), key)
    if not result.saved:
        raise api.refused(result)
    assert result.uuid is not None
    view = await registrations.registration_view(viewer, result.uuid)
    return _registration(view.registration)


def _case(row: CaseEntry) -> dict[str, Any]:
    return {
        "id": row.uuid,
        "partner": row.partner_uuid,
        "subject": row.subject,
        "kind": row.kind,
        "priority": row.priority,
        "status": row.status,
        "order_number": row.order_number or None,
        "style": row.style_code,
        "first_response_due_at": api.timestamp(row.first_response_due_at),
        "resolution_due_at": api.timestamp(row.resolution_due_at),
        "sla": row.sla,
    }


@api.get(f"{API}/cases", tags=["sales"])
async def api_cases(
    viewer: CurrentViewer,
    status: FromQuery[Code] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> CaseList:
    """The cases the caller may see, the nearest resolution deadline first."""
    position = api.decode_cursor(cursor, (datetime, int))
    rows = await cases.list_cases(
        viewer,
        CaseFilters(status=status),
        (position[0], position[1]) if position else None,
        limit + 1,
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.resolution_due_at, row.id])
    return CaseList(items=[Case(**_case(row)) for row in shown], next_cursor=next_cursor)


@api.post(f"{API}/cases", tags=["sales"], status_code=201)
async def api_open_case(
    request: AnyRequest,
    viewer: CurrentViewer,
    data: JSONBody[CaseInput],
    idempotency_key: idempotency.KeyHeader = None,
) -> Case:
    """Open a case (subject, kind, priority, description, order_number, style_code; the
    brand names the partner as ``organisation``); send an Idempotency-Key header to retry
    safely."""
    key = idempotency_key or data.idempotency_key
    result = await cases.open_case(viewer, api.form_fields(data), key)
    if not result.saved:
        raise api.refused(result)
    assert result.uuid is not None
    view = await cases.case_view(viewer, result.uuid)
    return Case(**_case(view.case))


@api.get(f"{API}/cases/{{case_id:uuid}}", tags=["sales"])
async def api_case(viewer: CurrentViewer, case_id: FromPath[UUID]) -> CaseWithThread:
    """A case with its thread (a partner never receives the brand's internal notes)."""
    view = await cases.case_view(viewer, case_id)
    return CaseWithThread(
        **_case(view.case),
        messages=[
            CaseMessage(
                author=message.author_name,
                body=message.body,
                internal=message.internal,
                created_at=api.timestamp(message.created_at),
            )
            for message in view.messages
        ],
    )


@api.get(f"{API}/rebates/{{partner_id:uuid}}/balances", tags=["sales"])
async def api_balances(viewer: CurrentViewer, partner_id: FromPath[UUID]) -> Balances:
    """The partner's points and booked rebates per programme."""
    partner = await rebates.ledger_partner(viewer, partner_id)
    return Balances(
        partner=partner.uuid,
        balances=[
            Balance(
                programme=row.programme.uuid,
                name=row.programme.name,
                points=api.decimal_text(row.points),
                rebates=api.money(row.rebates, row.programme.currency),
                currency=row.programme.currency,
            )
            for row in await rebates.ledger_balances(viewer, partner)
        ],
    )


@api.get(f"{API}/rebates/{{partner_id:uuid}}/ledger", tags=["sales"])
async def api_ledger(
    viewer: CurrentViewer,
    partner_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> Ledger:
    """The partner's ledger entries, the latest first."""
    position = api.decode_cursor(cursor, (datetime, int))
    partner = await rebates.ledger_partner(viewer, partner_id)
    rows = await rebates.ledger_entries(
        viewer, partner, (position[0], position[1]) if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.occurred_at, row.id])
    return Ledger(
        items=[
            LedgerEntry(
                id=entry.uuid,
                kind=entry.kind,
                points=api.decimal_text(entry.points),
                amount=api.money(entry.amount, entry.currency),
                order=entry.order_uuid,
                order_number=entry.order_number or None,
                note=entry.note,
                occurred_at=api.timestamp(entry.occurred_at),
            )
            for entry in shown
        ],
        next_cursor=next_cursor,
    )


sales_api_routes = [
    api_opportunities,
    api_opportunity,
    api_registrations,
    api_register_deal,
    api_cases,
    api_open_case,
    api_case,
    api_balances,
    api_ledger,
]
