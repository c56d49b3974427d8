"""Network KPIs: periods (months, quarters, seasons), the KPI tables by dimension, the
partners a viewer's figures cover and their latest stored metrics. The stored dashboard
figures and the drill-down are insights/snapshots.py."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, cast

from insights import metrics
from insights.access import InsightAction
from insights.figures import (
    BUYING_KINDS,
    TIER_RANK,
    as_date,
    insight_settings,
    last_order_days,
    months_between,
)
from insights.records import InsightPartner, MonthFact, NamedPartner, PartnerMetricsRecord
from insights.tables import (
    PartnerMetrics,
    PartnerMonth,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.catalog.tables import Season
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.partners import history
from partner_portal.partners.tables import (
    Organisation,
    PartnerStatus,
    Territory,
)

# ---------------------------------------------------------------------------
# Network KPIs


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


PERIOD_KINDS = ("month", "quarter", "season")
DEFAULT_COUNTS = {"month": 12, "quarter": 8, "season": 6}
# Seasons are the spring/summer and autumn/winter halves of the year: SS27, AW27.
SEASON_CODE = re.compile(r"^(SS|AW)([0-9]{2})$")
CONVENTIONAL_SEASON_MONTH = {"SS": 1, "AW": 7}
SEASONS_EXPLANATION = N_(
    "A season starts in the month its order window opens in the catalog; without one, "
    "SS on 1 January and AW on 1 July. Each season runs until the next one starts."
)


async def season_starts() -> dict[str, date]:
    """The first day of the month each catalog season's order window opens in, by code
    (SS and AW seasons with an order window only)."""
    rows = await Season.select(Season.code, Season.order_window_start).where(
        Season.order_window_start.is_not_null()
    )
    return {
        row["code"]: as_date(row["order_window_start"]).replace(day=1)
        for row in rows
        if SEASON_CODE.match(row["code"])
    }


def season_periods(today: date, count: int, own_starts: Mapping[str, date]) -> list[Period]:
    """The last ``count`` seasons up to and including today's, oldest first.

    A season starts in the month its order window opens when the catalog has one, else on
    the convention's day (SS<yy>: 1 January 20yy, AW<yy>: 1 July 20yy), and runs until the
    next season starts. Of seasons starting in the same month only the later one (AW27
    after SS27) is kept, so every month belongs to exactly one season."""
    codes = [
        f"{half}{year % 100:02d}"
        for year in range(today.year - count // 2 - 2, today.year + 3)
        for half in ("SS", "AW")
    ]
    starts = sorted(
        (
            own_starts.get(code)
            or date(2000 + int(code[2:]), CONVENTIONAL_SEASON_MONTH[code[:2]], 1),
            order,
            code,
        )
        for order, code in enumerate(codes)
    )
    seasons = [
        Period(code, code, start, end)
        for (start, _order, code), (end, _next_order, _next_code) in pairwise(starts)
        if start < end and start <= today
    ]
    return seasons[-count:]


def periods(
    kind: str, today: date, count: int, own_season_starts: Mapping[str, date] | None = None
) -> list[Period]:
    """The last ``count`` months, quarters or seasons up to and including the current one,
    oldest first (seasons from the catalog's order windows, see season_periods)."""
    if kind == "season":
        return season_periods(today, count, own_season_starts or {})
    result = []
    if kind == "quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        step = 3
    else:
        start = today.replace(day=1)
        step = 1
    for _index in range(count):
        end = add_months(start, step)
        label = (
            f"{start.year} Q{(start.month - 1) // 3 + 1}" if kind == "quarter" else f"{start:%Y-%m}"
        )
        result.append(Period(label, label, start, end))
        start = add_months(start, -step)
    return list(reversed(result))


async def period_windows(kind: str, today: date, count: int) -> list[Period]:
    """periods() with the catalog's season dates when the periods are seasons."""
    return periods(kind, today, count, await season_starts() if kind == "season" else None)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Figure:
    value: Decimal | int | float | None
    partners: set[int] = field(default_factory=set)
    rate: float | None = None
    # Whether partners stand behind it (a stored figure keeps this, not the partners).
    drillable: bool = False

    def __post_init__(self) -> None:
        self.drillable = self.drillable or bool(self.partners)


@dataclass
class KpiTable:
    periods: list[Period]
    groups: list[tuple[str, str]]  # (group key, label); ("", all) first
    # (group key, period key, kpi) -> figure
    figures: dict[tuple[str, str, str], Figure]
    currency: str
    # The day of the stored figures the table comes from; None when computed just now.
    computed_on: date | None = None

    def figure(self, group: str, period: str, kpi: str) -> Figure:
        return self.figures[(group, period, kpi)]


DIMENSIONS = ("kam", "tier", "territory", "kind")


async def visible_partners(viewer: Viewer) -> list[InsightPartner]:
    """The buying partners the viewer sees, each with its territories' region codes."""
    rows: list[InsightPartner] = await access.scoped(
        Organisation.select(
            Organisation.id,
            Organisation.uuid,
            Organisation.legal_name,
            Organisation.kind,
            Organisation.tier,
            Organisation.status,
            Organisation.owner,
            Organisation.owner._.display_name.as_alias("owner_name"),
        ),
        viewer,
    ).where(Organisation.kind.is_in(BUYING_KINDS))
    territories: dict[int, list[str]] = defaultdict(list)
    for territory in await Territory.select(Territory.organisation, Territory.region_code).where(
        Territory.organisation.is_in([partner["id"] for partner in rows] or [-1])
    ):
        territories[territory["organisation"]].append(territory["region_code"])
    for partner in rows:
        partner["territories"] = sorted(territories[partner["id"]])
    return rows


def _groups_of(partner: InsightPartner, dimension: str) -> list[tuple[str, str]]:
    if dimension == "kam":
        return [(f"kam:{partner['owner'] or 0}", partner["owner_name"] or _("No owner"))]
    if dimension == "tier":
        return [(f"tier:{partner['tier']}", partner["tier"])]
    if dimension == "kind":
        return [(f"kind:{partner['kind']}", partner["kind"])]
    if dimension == "territory":
        return [(f"territory:{code}", code) for code in partner["territories"]] or [
            ("territory:", _("No territory"))
        ]
    return []


def _moment(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _tier_moves(
    spans: Mapping[int, Sequence[history.StatusSpan]], start: date, end: date
) -> list[tuple[int, int]]:
    """(organisation, +1 up / -1 down) for each tier change of the status history between
    ``start`` and ``end``."""
    moves = []
    for organisation, partner_spans in spans.items():
        for before, after in pairwise(partner_spans):
            if _moment(start) <= after.valid_from < _moment(end):
                direction = TIER_RANK.get(after.tier, 0) - TIER_RANK.get(before.tier, 0)
                if direction:
                    moves.append((organisation, 1 if direction > 0 else -1))
    return moves


@dataclass
class KpiInputs:
    """What the KPIs of a viewer's partners are computed from, read once for any number of
    tables between ``start`` and ``end`` (the job computes fifteen per scope)."""

    settings: dict[str, Any]
    partners: list[InsightPartner]
    facts: list[MonthFact]
    last_days: dict[tuple[int, date], date]
    # Each partner's status and tier over time (partners without changes kept theirs).
    spans: dict[int, list[history.StatusSpan]]


async def kpi_inputs(viewer: Viewer, start: date, end: date) -> KpiInputs:
    access.require(viewer, InsightAction.view_insights)
    settings = await insight_settings()
    partners = await visible_partners(viewer)
    facts = await PartnerMonth.select(*PartnerMonth.all_columns()).where(
        PartnerMonth.organisation.is_in([row["id"] for row in partners] or [-1])
    )
    churn_days = timedelta(days=settings["churn_after_days"])
    return KpiInputs(
        settings=settings,
        partners=partners,
        # The query's columns are a fact's keys.
        facts=cast(list[MonthFact], facts),
        last_days=await last_order_days(since=start - churn_days),
        spans=await history.spans_of([row["id"] for row in partners]),
    )


async def kpis(
    viewer: Viewer, period_kind: str, count: int, dimension: str, today: date
) -> KpiTable:
    """Every KPI per period, for all the viewer's partners and per group of ``dimension``,
    each with the partners behind it (for the drill-down)."""
    access.require(viewer, InsightAction.view_insights)
    windows = await period_windows(period_kind, today, count)
    inputs = await kpi_inputs(viewer, windows[0].start, windows[-1].end)
    return kpi_table(inputs, windows, dimension, today)


@dataclass
class _PartnerPast:
    """When each visible partner ordered and what it was (status, tier) over time: what a
    period's counts are judged by."""

    visible: dict[int, InsightPartner]
    order_days: dict[int, list[date]]  # month-level last order days, sorted
    spans: Mapping[int, Sequence[history.StatusSpan]]
    churn_days: timedelta

    @classmethod
    def of(cls, inputs: KpiInputs) -> _PartnerPast:
        visible = {row["id"]: row for row in inputs.partners}
        order_days: dict[int, list[date]] = defaultdict(list)
        for (organisation, _month), day in inputs.last_days.items():
            if organisation in visible:
                order_days[organisation].append(day)
        for days in order_days.values():
            days.sort()
        churn_days = timedelta(days=inputs.settings["churn_after_days"])
        return cls(visible, order_days, inputs.spans, churn_days)

    def live_at(self, organisation: int, day: date) -> bool:
        """An order within the churn window before ``day``: the first order day on or after
        day - churn_days is before ``day``."""
        days = self.order_days.get(organisation)
        if not days:
            return False
        index = bisect_left(days, day - self.churn_days)
        return index < len(days) and days[index] < day

    def status_at(self, organisation: int, day: date) -> history.StatusSpan:
        """What the partner was as ``day`` began."""
        return history.as_of(
            self.spans.get(organisation, ()), _moment(day), self.visible[organisation]
        )

    def live_at_start(self, organisation: int, window: Period) -> bool:
        # A partner churned before the period started is not churned again.
        return (
            self.live_at(organisation, window.start)
            and self.status_at(organisation, window.start).status != PartnerStatus.churned
        )

    def churned_by(self, organisation: int, day: date) -> bool:
        # Nor is one set to churned after the period ended.
        return (
            not self.live_at(organisation, day)
            or self.status_at(organisation, day).status == PartnerStatus.churned
        )


@dataclass
class _GroupTally:
    """What one group of partners did in one period."""

    active: set[int] = field(default_factory=set)
    new: set[int] = field(default_factory=set)
    churned: set[int] = field(default_factory=set)
    up: set[int] = field(default_factory=set)
    down: set[int] = field(default_factory=set)
    at_start: set[int] = field(default_factory=set)
    revenue: Decimal = Decimal(0)
    margin: Decimal = Decimal(0)
    orders: int = 0

    def add_fact(self, row: MonthFact) -> None:
        self.active.add(row["organisation"])
        self.revenue += row["revenue"]
        self.margin += row["margin"]
        self.orders += row["orders"]

    def figures(self) -> dict[str, Figure]:
        active, at_start = len(self.active), len(self.at_start)
        return {
            "active": Figure(active, self.active),
            "new": Figure(len(self.new), self.new, metrics.rate(len(self.new), active)),
            "churned": Figure(
                len(self.churned), self.churned, metrics.rate(len(self.churned), at_start)
            ),
            "upgraded": Figure(len(self.up), self.up, metrics.rate(len(self.up), at_start)),
            "downgraded": Figure(len(self.down), self.down, metrics.rate(len(self.down), at_start)),
            "revenue": Figure(self.revenue.quantize(metrics.CENT), self.active),
            "margin": Figure(self.margin.quantize(metrics.CENT), self.active),
            "margin_per_partner": Figure(
                (self.margin / active).quantize(metrics.CENT) if active else None, self.active
            ),
            "order_frequency": Figure(
                round(self.orders / active, 2) if active else None, self.active
            ),
            "average_order_value": Figure(
                (self.revenue / self.orders).quantize(metrics.CENT) if self.orders else None,
                self.active,
            ),
        }


def _facts_by_period(
    facts: Iterable[MonthFact], windows: Sequence[Period]
) -> tuple[dict[str, list[MonthFact]], dict[int, date]]:
    """The monthly facts by period key (each month's period found once, not once per
    period), and each partner's first month with a fact."""
    period_of_month = {
        add_months(window.start, offset): window.key
        for window in windows
        for offset in range(months_between(window.start, window.end))
    }
    by_period: dict[str, list[MonthFact]] = defaultdict(list)
    first_month: dict[int, date] = {}
    for row in facts:
        month = as_date(row["month"])
        if row["organisation"] not in first_month or month < first_month[row["organisation"]]:
            first_month[row["organisation"]] = month
        key = period_of_month.get(month)
        if key is not None:
            by_period[key].append(row)
    return by_period, first_month


def _memberships(
    past: _PartnerPast, dimension: str, day: date, group_labels: dict[str, str]
) -> dict[int, list[str]]:
    """Each partner's groups as it was on ``day`` ("" = all partners; its tier then, for
    the tier breakdown), adding the groups' labels to ``group_labels``."""
    membership: dict[int, list[str]] = {}
    for partner in past.visible.values():
        if dimension == "tier":
            partner = {**partner, "tier": past.status_at(partner["id"], day).tier}
        groups = _groups_of(partner, dimension)
        membership[partner["id"]] = [""] + [key for key, _label in groups]
        for key, label in groups:
            group_labels[key] = label
    return membership


def _period_tallies(
    past: _PartnerPast,
    window: Period,
    judged_at: date,
    membership: Mapping[int, list[str]],
    facts: Iterable[MonthFact],
    first_month: Mapping[int, date],
) -> dict[str, _GroupTally]:
    """One period's tally per group: activity from the facts, new and churned partners
    with the status they had then, tier moves from the status history."""
    tallies: dict[str, _GroupTally] = defaultdict(_GroupTally)
    for row in facts:
        for group in membership[row["organisation"]]:
            tallies[group].add_fact(row)
    for organisation in past.visible:
        was_live = past.live_at_start(organisation, window)
        is_churned = past.churned_by(organisation, judged_at)
        first = first_month.get(organisation)
        is_new = first is not None and window.start <= first < window.end
        for group in membership[organisation]:
            tally = tallies[group]
            if was_live:
                tally.at_start.add(organisation)
                if is_churned:
                    tally.churned.add(organisation)
            if is_new:
                tally.new.add(organisation)
    for organisation, direction in _tier_moves(past.spans, window.start, window.end):
        for group in membership[organisation]:
            (tallies[group].up if direction > 0 else tallies[group].down).add(organisation)
    return tallies


def kpi_table(inputs: KpiInputs, windows: list[Period], dimension: str, today: date) -> KpiTable:
    """The KPIs of these periods from inputs read for (at least) their span."""
    past = _PartnerPast.of(inputs)
    facts_by_period, first_month = _facts_by_period(inputs.facts, windows)
    group_labels: dict[str, str] = {"": _("All partners")}
    figures: dict[tuple[str, str, str], Figure] = {}
    for window in windows:
        # The current period is judged as of today, not its future end.
        judged_at = min(window.end, today + timedelta(days=1))
        membership = _memberships(past, dimension, judged_at, group_labels)
        tallies = _period_tallies(
            past, window, judged_at, membership, facts_by_period[window.key], first_month
        )
        for group in group_labels:
            for kpi, figure in tallies[group].figures().items():
                figures[(group, window.key, kpi)] = figure
    groups_sorted = [
        ("", group_labels[""]),
        *sorted(
            ((key, label) for key, label in group_labels.items() if key),
            key=lambda item: str(item[1]),
        ),
    ]
    return KpiTable(
        windows,
        groups_sorted if dimension in DIMENSIONS else groups_sorted[:1],
        figures,
        inputs.settings["reporting_currency"],
    )


async def visible_by_name(viewer: Viewer, organisation_ids: Iterable[int]) -> list[int]:
    """The ids of the visible partners among these, in the order of their names."""
    ids = list(organisation_ids)
    ordered: list[int] = await (
        access.scoped(Organisation.select(Organisation.id), viewer)
        .where(Organisation.id.is_in(ids or [-1]))
        .order_by(Organisation.legal_name)
        .output(as_list=True)
    )
    return ordered


async def partners_named(viewer: Viewer, organisation_ids: Iterable[int]) -> list[NamedPartner]:
    """The visible partners among these ids, by name."""
    ids = list(organisation_ids)
    return await (
        access.scoped(
            Organisation.select(
                Organisation.id,
                Organisation.uuid,
                Organisation.legal_name,
                Organisation.kind,
                Organisation.tier,
                Organisation.status,
                Organisation.owner._.display_name.as_alias("owner_name"),
            ),
            viewer,
        )
        .where(Organisation.id.is_in(ids or [-1]))
        .order_by(Organisation.legal_name)
    )


@access.checked_by_caller("partners its callers found through scoped or get_organisation")
async def latest_metrics(organisation_ids: Sequence[int]) -> dict[int, PartnerMetricsRecord]:
    day = await latest_day()
    if day is None or not organisation_ids:
        return {}
    rows = await PartnerMetrics.select(*PartnerMetrics.all_columns()).where(
        (PartnerMetrics.computed_on == day)
        & PartnerMetrics.organisation.is_in(list(organisation_ids))
    )
    return {row.organisation: row for row in PartnerMetricsRecord.from_rows(rows)}


@access.system_query("the day the stored figures were last computed, for everyone")
async def latest_day(before: date | None = None) -> date | None:
    query = PartnerMetrics.select(PartnerMetrics.computed_on).order_by(
        PartnerMetrics.computed_on, ascending=False
    )
    if before is not None:
        query = query.where(PartnerMetrics.computed_on < before)
    row = await query.first()
    return as_date(row["computed_on"]) if row else None


MONEY_KPIS = frozenset({"revenue", "margin", "margin_per_partner", "average_order_value"})
