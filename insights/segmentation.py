"""Segments and their treatments, the follow-ups planned for them, and the partner
scorecard (the partner page's health panel and cross-sell)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict, cast
from uuid import UUID

from insights import metrics
from insights.access import InsightAction
from insights.figures import (
    BUYING_KINDS,
    LifetimeModel,
    as_date,
    insight_settings,
    lifetime_model,
)
from insights.lifetime import MINIMUM_PARTNERS
from insights.network import add_months, latest_day, latest_metrics, visible_partners
from insights.records import (
    CrossSellSuggestion,
    PartnerMetricsRecord,
    SegmentedPartner,
    SegmentListEntry,
    TreatmentRecord,
)
from insights.snapshots import recompute_all
from insights.tables import (
    CrossSell,
    PartnerMetrics,
    PartnerMonth,
    SegmentTreatment,
)
from partner_portal import access, charts
from partner_portal.access import Viewer, VisibleOrganisationDetails
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import after_position, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.partners.tables import (
    InteractionKind,
    Organisation,
    TimelineEntry,
)
from partner_portal.registries import CommercialTerms, registry

# ---------------------------------------------------------------------------
# Segments and treatments


@access.checked_by_caller("partners its callers found through visible_partners or scoped")
async def segments_on(day: date | None, organisation_ids: list[int]) -> dict[int, str]:
    """The segment each of the partners had on the day (a partner without figures then is
    left out)."""
    if day is None or not organisation_ids:
        return {}
    rows = await PartnerMetrics.select(PartnerMetrics.organisation, PartnerMetrics.segment).where(
        (PartnerMetrics.computed_on == day) & PartnerMetrics.organisation.is_in(organisation_ids)
    )
    return {row["organisation"]: row["segment"] for row in rows}


class SegmentOverview(TypedDict):
    """The segments page: partners per segment (those with partners first), each segment's
    treatment, the day the figures were computed and the day they are compared with."""

    segments: dict[str, list[SegmentedPartner]]
    treatments: dict[str, TreatmentRecord]
    computed_on: date | None
    compared_with: date | None


async def segment_overview(viewer: Viewer) -> SegmentOverview:
    """Partners per segment now, each with the segment it had a period (30+ days) earlier."""
    access.require(viewer, InsightAction.view_insights)
    partners = await visible_partners(viewer)
    visible = {partner["id"]: partner for partner in partners}
    day = await latest_day()
    earlier_day = await latest_day(before=day - timedelta(days=29)) if day else None
    current = await latest_metrics(list(visible))
    earlier = await segments_on(earlier_day, list(visible))
    treatments = await segment_treatments()
    segments: dict[str, list[SegmentedPartner]] = {code: [] for code in metrics.SEGMENTS}
    for organisation, figures in current.items():
        segments.setdefault(figures.segment, []).append(
            SegmentedPartner(
                **visible[organisation],
                metrics=figures,
                previous_segment=earlier.get(organisation),
            )
        )
    for members in segments.values():
        members.sort(key=lambda partner: partner["legal_name"])
    return {
        # Segments with partners first (of 24, most are empty), each group in code order.
        "segments": dict(sorted(segments.items(), key=lambda item: not item[1])),
        "treatments": treatments,
        "computed_on": day,
        "compared_with": earlier_day,
    }


# The order of the paged segment list: by segment code, then partner name (the page's
# order); the partner's id makes each position unique.
SEGMENT_LIST_ORDER = (
    PartnerMetrics.segment,
    PartnerMetrics.organisation._.legal_name,
    PartnerMetrics.organisation,
)


@dataclass(frozen=True)
class SegmentPage:
    computed_on: date | None
    # Up to limit + 1 partners after the position given (the extra one tells a next page
    # exists).
    members: list[SegmentListEntry]


async def segment_members(viewer: Viewer, after: Sequence[Any] | None, limit: int) -> SegmentPage:
    """A page of the partners the viewer may see with their segment now, the one a period
    (30+ days) earlier and their RFM scores, in SEGMENT_LIST_ORDER after ``after``."""
    access.require(viewer, InsightAction.view_insights)
    day = await latest_day()
    if day is None:
        return SegmentPage(computed_on=None, members=[])
    query = access.scoped(
        PartnerMetrics.select(
            PartnerMetrics.organisation.as_alias("id"),
            PartnerMetrics.organisation._.uuid.as_alias("uuid"),
            PartnerMetrics.organisation._.legal_name.as_alias("legal_name"),
            PartnerMetrics.segment,
            PartnerMetrics.rfm_recency,
            PartnerMetrics.rfm_frequency,
            PartnerMetrics.rfm_monetary,
        ),
        viewer,
        PartnerMetrics.organisation,
    ).where(
        (PartnerMetrics.computed_on == day) & PartnerMetrics.organisation._.kind.is_in(BUYING_KINDS)
    )
    if after is not None:
        query = query.where(after_position(SEGMENT_LIST_ORDER, after))
    rows = await query.order_by(*SEGMENT_LIST_ORDER).limit(limit + 1)
    earlier_day = await latest_day(before=day - timedelta(days=29))
    earlier = await segments_on(earlier_day, [row["id"] for row in rows])
    members = [
        SegmentListEntry.from_row({**row, "previous_segment": earlier.get(row["id"])})
        for row in rows
    ]
    return SegmentPage(computed_on=day, members=members)


async def segment_treatments() -> dict[str, TreatmentRecord]:
    """Each segment's treatment; a segment nobody described yet plans a call in 14 days."""
    saved = {
        treatment.segment: treatment
        for treatment in TreatmentRecord.from_rows(
            await SegmentTreatment.select(*SegmentTreatment.all_columns())
        )
    }
    return {code: saved.get(code, TreatmentRecord(segment=code)) for code in metrics.SEGMENTS}


FOLLOW_UP_KINDS = ("call", "visit", "email", "meeting", "task")


async def save_treatment(viewer: Viewer, segment: str, data: Mapping[str, str]) -> SaveResult:
    access.require(viewer, InsightAction.manage_insights)
    errors: dict[str, str] = {}
    if segment not in metrics.SEGMENTS:
        errors["segment"] = _("Choose one of the sixteen segments.")
    text = (data.get("treatment") or "").strip()
    kind = data.get("follow_up_kind") or "call"
    if kind not in FOLLOW_UP_KINDS:
        errors["follow_up_kind"] = _("Choose a kind of follow-up.")
    days_text = (data.get("due_in_days") or "").strip()
    due_in_days = whole_number(days_text, maximum=365)
    if due_in_days is None:
        errors["due_in_days"] = _("Between 0 and 365 days.")
    if len(text) > 500:
        errors["treatment"] = _("At most 500 characters.")
    if errors:
        return SaveResult(errors=errors)
    async with write_transaction():
        existing = (
            await SegmentTreatment.select(SegmentTreatment.id)
            .where(SegmentTreatment.segment == segment)
            .first()
        )
        values = {"treatment": text, "follow_up_kind": kind, "due_in_days": due_in_days}
        if existing:
            await SegmentTreatment.update(
                {SegmentTreatment._meta.get_column_by_name(k): v for k, v in values.items()}
            ).where(SegmentTreatment.id == existing["id"])
        else:
            await SegmentTreatment.insert(
                SegmentTreatment(
                    segment=segment,
                    treatment=text,
                    follow_up_kind=kind,
                    due_in_days=due_in_days,
                )
            )
        await audit_log.record(
            viewer,
            entity_kind="segment_treatment",
            entity_uuid=None,
            organisation_id=None,
            action="edit",
            summary=f"{segment}: {text}",
        )
    return SaveResult(uuid=UUID(int=1))


@dataclass
class BulkFollowUps:
    created: int = 0
    already_planned: int = 0
    errors: dict[str, str] = field(default_factory=dict)


async def plan_follow_ups(
    viewer: Viewer,
    partner_uuids: Sequence[UUID],
    title: str,
    kind: str,
    due_in_days: int,
    reason: str,
) -> BulkFollowUps:
    """One follow-up per chosen partner for its owner (the viewer when it has none), through
    the scheduler's public service; a partner already planned for this reason today is skipped."""
    from scheduler.services import RuleFollowUp, insert_rule_follow_ups

    access.require(viewer, InsightAction.plan_insight_follow_ups)
    if kind not in FOLLOW_UP_KINDS:
        return BulkFollowUps(errors={"kind": _("Choose a kind of follow-up.")})
    if not title.strip():
        return BulkFollowUps(errors={"title": _("Say what to do.")})
    if not partner_uuids:
        return BulkFollowUps(errors={"partners": _("Choose at least one partner.")})
    rows = await access.get_organisations(
        viewer, partner_uuids, Organisation.id, Organisation.uuid, Organisation.owner
    )
    today = utcnow().date()
    due_at = datetime.combine(
        today + timedelta(days=due_in_days), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=1)
    items = [
        RuleFollowUp(
            rule_key="insights",
            episode=f"{reason}:{row['uuid']}:{today.isoformat()}",
            organisation_id=row["id"],
            owner_id=row["owner"] or viewer.user_id,
            title=title.strip()[:200],
            due_at=due_at,
            kind=kind,
            notes=reason,
        )
        for row in rows
    ]
    created = await insert_rule_follow_ups(items)
    return BulkFollowUps(created=created, already_planned=len(items) - created)


# ---------------------------------------------------------------------------
# The partner scorecard (360 panel)


@dataclass(frozen=True)
class HealthPanel:
    """A partner's scorecard on its partner 360 (insights/_partner_panel.html)."""

    organisation: VisibleOrganisationDetails
    metrics: PartnerMetricsRecord | None
    chart: charts.Chart
    model: LifetimeModel | None
    minimum_partners: int
    horizon_quarters: int
    days_since_contact: int | None
    suggestions: list[CrossSellSuggestion]
    currency: str
    explanation: str
    terms: CommercialTerms | None


@access.checked_by_caller("the partner page fetched the organisation with get_organisation")
async def partner_health_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> HealthPanel | None:
    """CLV with its inputs, segment, churn risk, RFM, trend and cross-sell for the brand."""
    if not viewer.can(InsightAction.view_insights) or organisation.kind not in access.BUYING_KINDS:
        return None
    current = (await latest_metrics([organisation.id])).get(organisation.id)
    settings = await insight_settings()
    trend = await PartnerMonth.select(PartnerMonth.month, PartnerMonth.revenue).where(
        PartnerMonth.organisation == organisation.id
    )
    today = utcnow().date()
    months = [add_months(today.replace(day=1), -offset) for offset in range(11, -1, -1)]
    revenue_by_month: dict[date, Decimal] = defaultdict(Decimal)
    for row in trend:
        revenue_by_month[as_date(row["month"])] += row["revenue"]
    last_contact = (
        await TimelineEntry.select(TimelineEntry.occurred_at)
        .where(
            (TimelineEntry.organisation == organisation.id)
            & TimelineEntry.kind.is_in(
                [
                    InteractionKind.call,
                    InteractionKind.visit,
                    InteractionKind.meeting,
                    InteractionKind.email,
                ]
            )
        )
        .order_by(TimelineEntry.occurred_at, ascending=False)
        .first()
    )
    suggestions = await cross_sell_for(organisation.id)
    terms = await registry.terms_for(organisation.id)
    return HealthPanel(
        organisation=organisation,
        metrics=current,
        chart=charts.chart(
            [f"{month:%Y-%m}" for month in months],
            [[float(revenue_by_month[month]) for month in months]],
        ),
        model=await lifetime_model(),
        minimum_partners=MINIMUM_PARTNERS,
        horizon_quarters=settings["horizon_quarters"],
        days_since_contact=(today - last_contact["occurred_at"].date()).days
        if last_contact
        else None,
        suggestions=suggestions,
        currency=settings["reporting_currency"],
        explanation=metrics.CLV_EXPLANATION,
        terms=terms,
    )


@access.checked_by_caller("the partner comes from get_organisation (its partner page)")
async def cross_sell_for(organisation_id: int) -> list[CrossSellSuggestion]:
    """The styles suggested to a partner, the strongest first."""
    rows = (
        await CrossSell.select(
            CrossSell.confidence,
            CrossSell.lift,
            CrossSell.buyers_of_both,
            CrossSell.buyers_of_reason,
            CrossSell.style._.uuid.as_alias("style_uuid"),
            CrossSell.style._.code.as_alias("style_code"),
            CrossSell.style._.name_en.as_alias("name_en"),
            CrossSell.style._.name_zh.as_alias("name_zh"),
            CrossSell.style._.name_ko.as_alias("name_ko"),
            CrossSell.because_of._.code.as_alias("reason_code"),
        )
        .where(CrossSell.organisation == organisation_id)
        .order_by(CrossSell.lift, ascending=False)
        .order_by(CrossSell.confidence, ascending=False)
    )
    # The query's columns are the suggestion's keys.
    return cast(list[CrossSellSuggestion], rows)


# ---------------------------------------------------------------------------
# Demo data

DEMO_TREATMENTS = {
    "HHHH": ("call", 30, "核心客户：每月例行回访，优先提供新品预览。"),
    "HHHL": ("visit", 14, "高价值但满意度低：两周内上门拜访，了解问题。"),
    "HHLH": ("meeting", 21, "高价值、忠诚度待提升：安排季度订货会邀请。"),
    "HLHH": ("call", 30, "高价值、增长空间有限：维护关系，推荐交叉销售款式。"),
    "LHHH": ("meeting", 21, "潜力大：制定增长计划，提高订货额。"),
    "LHLL": ("visit", 14, "潜力大但满意度与忠诚度低：两周内拜访。"),
    "LLLL": ("email", 30, "低价值低活跃：发送新季目录，观察是否流失。"),
}


async def load_demo_treatments() -> str:
    """Treatments for the demo segments, then the first computation of partner health."""
    await SegmentTreatment.insert(
        *[
            SegmentTreatment(segment=code, treatment=text, follow_up_kind=kind, due_in_days=days)
            for code, (kind, days, text) in DEMO_TREATMENTS.items()
        ]
    )
    summary = await recompute_all()
    return f"partner health ({summary})"
