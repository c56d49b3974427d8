"""JSON API for partner health (/api/v1/insights): KPIs, a partner's CLV and segment,
and the segment list. The brand's users only (partners never see these figures); a KAM
sees their own partners'."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar.params import FromPath, FromQuery

from insights import metrics, network, segmentation, snapshots
from insights.access import InsightAction
from insights.figures import as_date, insight_settings
from insights.records import PartnerMetricsRecord
from partner_portal import access, api
from partner_portal.clock import utcnow
from partner_portal.web import CurrentViewer

API = "/api/v1/insights"


def _number(value: Any, currency: str) -> Any:
    """Money as a decimal string in the reporting currency's decimals; counts and rates as
    they are."""
    return api.money(value, currency) if isinstance(value, Decimal) else value


# A period's figures: its label and dates, each KPI (money as a decimal string, counts and
# averages as numbers (JSON numbers: an integer is one), null where a figure has no value)
# and the rates of the movements.
PeriodFigures = dict[str, str | float | None]


class KpiGroup(msgspec.Struct):
    # The whole network, or one KAM, tier, territory or kind of partner (?by=).
    group: str
    periods: list[PeriodFigures]


class KpiDocument(msgspec.Struct):
    currency: str
    # What each KPI counts, in words.
    definitions: dict[str, str]
    groups: list[KpiGroup]


@api.get(f"{API}/kpis")
async def kpis(
    viewer: CurrentViewer,
    period: FromQuery[str] = "month",
    count: FromQuery[int] = 12,
    by: FromQuery[str] = "",
) -> KpiDocument:
    """Every KPI per period (``period``: month, quarter or season; per group when ``by`` is
    kam, tier, territory or kind); money as decimal strings in the reporting currency."""
    access.require(viewer, InsightAction.view_insights)
    table = await snapshots.dashboard_kpis(
        viewer,
        period if period in network.PERIOD_KINDS else "month",
        min(max(count, 1), 36),
        by if by in network.DIMENSIONS else "",
        utcnow().date(),
    )
    return KpiDocument(
        currency=table.currency,
        definitions={
            key: explanation for key, (_label, explanation) in metrics.DEFINITIONS.items()
        },
        groups=[
            KpiGroup(
                group=label,
                periods=[
                    {
                        "period": window.label,
                        "starts_on": window.start.isoformat(),
                        "ends_on": window.last_day.isoformat(),
                        **{
                            kpi: _number(table.figure(group, window.key, kpi).value, table.currency)
                            for kpi in metrics.DEFINITIONS
                        },
                        **{
                            f"{kpi}_rate": table.figure(group, window.key, kpi).rate
                            for kpi in ("new", "churned", "upgraded", "downgraded")
                        },
                    }
                    for window in table.periods
                ],
            )
            for group, label in table.groups
        ],
    )


class PartnerMetricsDocument(msgspec.Struct):
    """A partner's stored health figures (insights/tables.py PartnerMetrics), money as
    decimal strings in the reporting currency."""

    computed_on: date
    first_order_on: date | None
    last_order_on: date | None
    orders_12m: int
    revenue_12m: str
    margin_12m: str
    historical_value: str
    predicted_value: str
    expected_orders: float
    alive_probability: float
    margin_per_order: str
    loyalty: float
    # null without survey answers (the stored 0 is not a score).
    satisfaction: float | None
    surveys: int
    complaints: int
    rfm_recency: int
    rfm_frequency: int
    rfm_monetary: int
    segment: str
    churn_risk: str
    churned: bool


class CrossSell(msgspec.Struct):
    style: str
    # The style the partner buys that suggests this one.
    because_of: str
    buyers_of_both: int
    buyers_of_reason: int
    confidence: float
    lift: float


class PartnerHealthDocument(msgspec.Struct):
    partner: UUID
    # null until the figures are first computed.
    metrics: PartnerMetricsDocument | None
    cross_sell: list[CrossSell]


def _metrics_document(row: PartnerMetricsRecord, currency: str) -> PartnerMetricsDocument:
    def money(value: Decimal) -> str:
        return api.money(value, currency)

    return PartnerMetricsDocument(
        computed_on=row.computed_on,
        first_order_on=row.first_order_on,
        last_order_on=row.last_order_on,
        orders_12m=row.orders_12m,
        revenue_12m=money(row.revenue_12m),
        margin_12m=money(row.margin_12m),
        historical_value=money(row.historical_value),
        predicted_value=money(row.predicted_value),
        expected_orders=row.expected_orders,
        alive_probability=row.alive_probability,
        margin_per_order=money(row.margin_per_order),
        loyalty=row.loyalty,
        satisfaction=row.satisfaction if row.surveys else None,
        surveys=row.surveys,
        complaints=row.complaints,
        rfm_recency=row.rfm_recency,
        rfm_frequency=row.rfm_frequency,
        rfm_monetary=row.rfm_monetary,
        segment=row.segment,
        churn_risk=row.churn_risk,
        churned=row.churned,
    )


@api.get(f"{API}/partners/{{partner_id:uuid}}")
async def partner_health(
    viewer: CurrentViewer, partner_id: FromPath[UUID]
) -> PartnerHealthDocument:
    """A partner's CLV with its inputs, segment, RFM, churn risk and cross-sell suggestions."""
    organisation = await access.get_organisation(viewer, partner_id, InsightAction.view_insights)
    latest = (await network.latest_metrics([organisation.id])).get(organisation.id)
    currency = (await insight_settings())["reporting_currency"]
    suggestions = await segmentation.cross_sell_for(organisation.id)
    return PartnerHealthDocument(
        partner=organisation.uuid,
        metrics=None if latest is None else _metrics_document(latest, currency),
        cross_sell=[
            CrossSell(
                style=row["style_code"],
                because_of=row["reason_code"],
                buyers_of_both=row["buyers_of_both"],
                buyers_of_reason=row["buyers_of_reason"],
                confidence=round(row["confidence"], 4),
                lift=round(row["lift"], 4),
            )
            for row in suggestions
        ],
    )


class SegmentMember(msgspec.Struct):
    partner: UUID
    name: str
    # One of the 16 classes (insights/segmentation.py), and the one before if it moved.
    segment: str
    previous_segment: str | None
    # Recency, frequency and monetary scores.
    rfm: list[int]


class SegmentsDocument(msgspec.Struct):
    computed_on: date | None
    items: list[SegmentMember]
    # Pass as ?cursor= for the next partners; null on the last page.
    next_cursor: str | None


@api.get(f"{API}/segments")
async def segments(
    viewer: CurrentViewer, cursor: api.Cursor = "", limit: api.Limit = api.DEFAULT_LIMIT
) -> SegmentsDocument:
    """The partners the caller may see with their segment, the one before and their RFM,
    by segment then name."""
    after = api.decode_cursor(cursor, (str, str, int))
    page = await segmentation.segment_members(viewer, after, limit)
    shown, next_cursor = api.page_of(
        page.members, limit, lambda member: [member.segment, member.legal_name, member.id]
    )
    return SegmentsDocument(
        computed_on=as_date(page.computed_on) if page.computed_on else None,
        items=[
            SegmentMember(
                partner=member.uuid,
                name=member.legal_name,
                segment=member.segment,
                previous_segment=member.previous_segment or None,
                rfm=[member.rfm_recency, member.rfm_frequency, member.rfm_monetary],
            )
            for member in shown
        ],
        next_cursor=next_cursor,
    )


insight_api_routes = [kpis, partner_health, segments]
