"""Typed rows of partner health (partner_portal/records.py): a partner's computed figures,
a segment's treatment, a survey answer and a segment list's member as the services hand
them out.

Some rows stay dictionaries typed as ``TypedDict`` (a partner as the segment and drill-down
pages list it, a cross-sell suggestion): callers and tests read them by key, and a partner's
row gains its figures after the query."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict
from uuid import UUID

from partner_portal.records import Record


class PartnerMetricsRecord(Record, frozen=True):
    """One partner's health as computed on a day (insights/tables.py PartnerMetrics):
    money in the reporting currency, Decimal."""

    id: int
    organisation: int
    computed_on: date
    first_order_on: date | None
    last_order_on: date | None
    orders_12m: int
    revenue_12m: Decimal
    margin_12m: Decimal
    historical_value: Decimal
    predicted_value: Decimal
    expected_orders: float
    alive_probability: float
    margin_per_order: Decimal
    loyalty: float
    satisfaction: float
    surveys: int
    complaints: int
    rfm_recency: int
    rfm_frequency: int
    rfm_monetary: int
    segment: str
    churn_risk: str
    churned: bool


class TreatmentRecord(Record, frozen=True):
    """What the brand does with a segment's partners, and the follow-up it plans for them."""

    segment: str
    treatment: str = ""
    follow_up_kind: str = "call"
    due_in_days: int = 14


class SurveyAnswer(Record, frozen=True):
    """A partner's answer to a satisfaction survey (score 0-10 and what they wrote)."""

    organisation: int
    score: int
    comment: str
    answered_at: datetime


class SegmentListEntry(Record, frozen=True):
    """A partner on the paged segment list: its segment now, the one a period earlier (None
    when it had no figures then) and its RFM scores."""

    id: int
    uuid: UUID
    legal_name: str
    segment: str
    rfm_recency: int
    rfm_frequency: int
    rfm_monetary: int
    previous_segment: str | None


class InsightPartner(TypedDict):
    """A buying partner the viewer sees, as the KPIs group it (network.visible_partners)."""

    id: int
    uuid: UUID
    legal_name: str
    kind: str
    tier: str
    status: str
    owner: int | None
    owner_name: str | None
    territories: list[str]


class SegmentedPartner(InsightPartner):
    """A partner on the segments page: its figures now and its segment a period earlier."""

    metrics: PartnerMetricsRecord
    previous_segment: str | None


class NamedPartner(TypedDict):
    """A partner behind a dashboard figure (network.partners_named)."""

    id: int
    uuid: UUID
    legal_name: str
    kind: str
    tier: str
    status: str
    owner_name: str | None


class DrillPartner(NamedPartner):
    """A partner on the drill-down page, with its latest figures (None before the first
    computation)."""

    metrics: PartnerMetricsRecord | None


class CrossSellSuggestion(TypedDict):
    """A style a partner does not buy yet that partners buying one of its styles do."""

    confidence: float
    lift: float
    buyers_of_both: int
    buyers_of_reason: int
    style_uuid: UUID
    style_code: str
    name_en: str
    name_zh: str
    name_ko: str
    reason_code: str


class SurveyRecord(Record, frozen=True):
    """A satisfaction survey as its secret link opens it: the order's number and the
    partner's name, and the answer once given."""

    id: int
    uuid: UUID
    organisation: int
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    score: int | None
    comment: str
    number: str | None
    partner_name: str


class MonthFact(TypedDict):
    """A partner's booked orders in one month, in the reporting currency (PartnerMonth): what
    the KPIs add up, read many thousand at a time, so a dictionary."""

    id: int
    organisation: int
    month: date
    season_code: str
    orders: int
    pieces: int
    revenue: Decimal
    margin: Decimal
