"""Typed rows of the sales module (partner_portal/records.py), as the services hand them
out: opportunities (their own columns, a board card, the page, stage totals, the
forecast's sums), deal registrations (a list entry, a rival claim, a protection), service
cases (a list entry, the thread's messages and photos, the escalation job's, a partner's
figures), knowledge-base answers, rebate programmes with their tiers, orders and ledger,
care events, and the brand users and partners the forms offer. One fetched through the
access policy is a ``Visible...`` record (sales/access.py), made only by its fetchers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from partner_portal.records import Record
from partner_portal.registries import DraftStarter
from sales.tables import (
    CareTrigger,
    CaseKind,
    CasePriority,
    CaseStatus,
    LedgerKind,
    OpportunityKind,
    RegistrationStatus,
    Stage,
)


class OpportunityRecord(Record, frozen=True):
    """An opportunity's own columns (probability in percent)."""

    id: int
    uuid: UUID
    organisation: int
    title: str
    kind: OpportunityKind
    expected_value: Decimal
    currency: str
    expected_close_date: date
    stage: Stage
    probability: Decimal
    lost_reason: str
    owner: int | None
    competitors: str
    next_step: str
    closed_at: datetime | None
    draft_link: str
    created_by: int | None
    idempotency_key: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class OpportunityCard(Record, frozen=True):
    """An opportunity as the board's cards, the list and the API show it
    (pipeline.CARD_COLUMNS): with its partner, its owner and its weighted value (expected
    value × probability)."""

    id: int
    uuid: UUID
    title: str
    kind: OpportunityKind
    stage: Stage
    expected_value: Decimal
    currency: str
    expected_close_date: date
    probability: Decimal
    next_step: str
    closed_at: datetime | None
    lost_reason: str
    version: int
    partner_uuid: UUID
    partner_name: str
    partner_status: str
    owner_name: str | None
    owner_uuid: UUID | None
    weighted: Decimal


class OpportunityDetail(OpportunityCard, frozen=True):
    """An opportunity as its page shows it: its card, competitors and the draft a won
    deal started, its history (the audit entries) and the drafts it can start."""

    competitors: str
    draft_link: str
    history: list[dict[str, Any]]
    starters: list[DraftStarter]


class StageTotal(Record, frozen=True):
    """How many opportunities of a stage in a currency, and their expected value."""

    stage: Stage
    currency: str
    count: int
    value: Decimal


class Colleague(Record, frozen=True):
    """A brand user by name: an opportunity's possible owner, a case's possible agent."""

    id: int
    uuid: UUID
    display_name: str


class ForecastGroup(Record, frozen=True):
    """Open opportunities summed by the month they close (``YYYY-MM``), owner (None:
    unassigned), currency and probability (forecast._FORECAST_SQL; raw SQL: SQLite's
    numbers become Decimals here)."""

    month: str
    owner: int | None
    currency: str
    probability: Decimal
    count: int
    value: Decimal


class ClosedGroup(Record, frozen=True):
    """Closed opportunities summed by stage, kind, currency, lost reason and owner."""

    stage: Stage
    kind: OpportunityKind
    currency: str
    lost_reason: str
    owner: int | None
    count: int
    value: Decimal


class SalesPartner(Record, frozen=True):
    """An organisation whose sales rows the viewer may see, by name."""

    id: int
    uuid: UUID
    legal_name: str


class DealRegistrationRecord(Record, frozen=True):
    """A deal registration's own columns: the partner's claim on an end customer in a
    region, and the brand's decision on it."""

    id: int
    uuid: UUID
    organisation: int
    end_customer: str
    customer_key: str
    region: str
    expected_quantity: int
    expected_value: Decimal
    currency: str
    styles: str
    notes: str
    status: RegistrationStatus
    conflict_with: int | None
    decision_due_at: datetime
    escalated_at: datetime | None
    protected_until: date | None
    decided_by: int | None
    decided_at: datetime | None
    decision_note: str
    submitted_by: int | None
    idempotency_key: str | None
    created_at: datetime
    version: int


class RegistrationEntry(DealRegistrationRecord, frozen=True):
    """A deal registration as the list, its page and the API show it
    (registrations.REGISTRATION_COLUMNS): with its partner, who registered and who decided
    it, and whether its decision is overdue, it protects the partner today, and (for the
    brand) it collides with another claim."""

    partner_name: str
    partner_uuid: UUID
    submitter_name: str | None
    decider_name: str | None
    overdue: bool
    protected: bool
    conflict: bool


class RivalClaim(DealRegistrationRecord, frozen=True):
    """Another standing claim on a registration's customer and region, as the decider
    reads it beside the registration: a hidden one is of a partner the decider does not
    look after, so its partner, who registered it and its notes are not handed out."""

    partner_name: str | None
    partner_uuid: UUID | None
    submitter_name: str | None
    decider_name: str | None
    overdue: bool
    protected: bool
    conflict: bool
    hidden: bool


class LapsedClaim(Record, frozen=True):
    """A registration the deadline job moved: a protection that ended, or a decision
    that is overdue."""

    uuid: UUID
    organisation: int
    end_customer: str


class ProtectedCustomer(Record, frozen=True):
    """A customer and region a partner is protected for, until when (its 360 panel)."""

    uuid: UUID
    end_customer: str
    region: str
    protected_until: date


class ServiceCaseRecord(Record, frozen=True):
    """A service case's own columns, with its SLA deadlines."""

    id: int
    uuid: UUID
    organisation: int
    subject: str
    kind: CaseKind
    priority: CasePriority
    status: CaseStatus
    order_number: str
    style: int | None
    opened_by: int | None
    assignee: int | None
    first_response_due_at: datetime
    resolution_due_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    escalated_at: datetime | None
    idempotency_key: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class CaseEntry(Record, frozen=True):
    """A case as the list, its page and the API show it (cases.CASE_COLUMNS): with its
    partner, agent and style, and its SLA state (cases.sla_state)."""

    id: int
    uuid: UUID
    subject: str
    kind: CaseKind
    priority: CasePriority
    status: CaseStatus
    order_number: str
    first_response_due_at: datetime
    resolution_due_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    organisation: int
    partner_name: str
    partner_uuid: UUID
    assignee_name: str | None
    assignee_uuid: UUID | None
    style_code: str | None
    sla: str


class EscalatedCase(Record, frozen=True):
    """A case the escalation job flagged: whose it is, who answers for it, its deadlines."""

    id: int
    uuid: UUID
    organisation: int
    subject: str
    assignee: int | None
    first_responded_at: datetime | None
    first_response_due_at: datetime
    resolution_due_at: datetime


class CaseFigures(Record, frozen=True):
    """What a partner's cases say of its satisfaction: its open cases, its cases of the
    last year and the percent of those solved within their SLA (None: none solved)."""

    open: int
    last_year: int
    solved_in_time_percent: int | None


class CasePhotoLink(Record, frozen=True):
    """A photo sent with a case message, as the thread links it."""

    uuid: UUID
    filename: str


class CaseMessageEntry(Record, frozen=True):
    """A message of a case's thread: its author, the answer it linked and its photos."""

    uuid: UUID
    body: str
    internal: bool
    created_at: datetime
    author_name: str | None
    author_role: str | None
    article_uuid: UUID | None
    article_title: str | None
    article_body: str | None
    photos: list[CasePhotoLink]


class CasePhotoFile(Record, frozen=True):
    """A photo of a case as it is downloaded: its name, type and bytes."""

    filename: str
    content_type: str
    data: bytes


class ArticleRecord(Record, frozen=True):
    """A knowledge-base answer the brand's case workers keep, in one language."""

    id: int
    uuid: UUID
    language: str
    title: str
    body: str
    updated_at: datetime
    version: int


class RebateProgrammeRecord(Record, frozen=True):
    """A rebate programme's own columns (``season`` None: it counts the orders submitted
    in its period)."""

    id: int
    uuid: UUID
    name: str
    season: int | None
    starts_on: date
    ends_on: date
    currency: str
    points_per_hundred: Decimal
    points_expiry_days: int
    active: bool
    version: int


class ProgrammeTiers(RebateProgrammeRecord, frozen=True):
    """A programme with, once a service read them, its volume tiers: (threshold,
    percent), lowest first."""

    tiers: list[tuple[Decimal, Decimal]] = []


class ProgrammeSettings(ProgrammeTiers, frozen=True, kw_only=True):
    """A programme as its edit form reads it: with its season's code (None: no season).
    (kw_only again, here and on its Visible subclass: mypy does not inherit it, and a
    field without a default follows the defaulted tiers.)"""

    season_code: str | None


class ProgrammeBalance(Record, frozen=True):
    """A partner's standing in a programme: its points, the volume rebates booked, its
    season volume so far, the tier (percent) it reaches and the next one (threshold,
    percent; None: it reached the highest)."""

    programme: ProgrammeTiers
    points: Decimal
    rebates: Decimal
    volume: Decimal
    percent: Decimal
    next_tier: tuple[Decimal, Decimal] | None


class BuyerOrder(Record, frozen=True):
    """An order by its buyer, as the rebate and care jobs read it (a draft has no
    number)."""

    uuid: UUID
    number: str | None
    buyer: int


class ProgrammeOrder(BuyerOrder, frozen=True):
    """An order a rebate programme counts, with its total."""

    total: Decimal
    status: str


class LedgerEntryRecord(Record, frozen=True):
    """A ledger entry's own columns: points or a rebate amount, and what it is for."""

    id: int
    uuid: UUID
    organisation: int
    programme: int
    kind: LedgerKind
    points: Decimal
    amount: Decimal
    order_uuid: UUID | None
    order_number: str
    note: str
    expires_on: date | None
    created_by: int | None
    source_key: str
    occurred_at: datetime


class LedgerLine(LedgerEntryRecord, frozen=True):
    """An entry of a partner's ledger as its page and the API list it: with its
    programme's name and currency and who booked it (None: the rebate job)."""

    programme_name: str
    currency: str
    author_name: str | None


class PartnerPoints(Record, frozen=True):
    """A partner's points in a programme, on the brand's rebate overview."""

    partner_uuid: UUID
    partner_name: str
    programme_name: str
    currency: str
    points: Decimal


class CareEventRecord(Record, frozen=True):
    """A care event's own columns: when it fires, the KAM's follow-up and what the
    partner reads in each language."""

    id: int
    uuid: UUID
    name: str
    trigger: CareTrigger
    days: int
    follow_up_title: str
    partner_message_zh: str
    partner_message_ko: str
    partner_message_en: str
    active: bool
    version: int
