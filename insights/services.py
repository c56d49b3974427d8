"""Partner health: the precomputation job (monthly facts, partner metrics, cross-sell),
network KPIs with their drill-down, segments and treatments, the partner scorecard,
and satisfaction surveys. Formulas live in insights.metrics; visibility in access.py."""

from __future__ import annotations

import json
import math
import re
import secrets
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any
from uuid import UUID

from insights import metrics
from insights.access import InsightAction, figures_scope
from insights.tables import (
    CrossSell,
    ExchangeRate,
    InsightSettings,
    KpiSnapshot,
    PartnerMetrics,
    PartnerMonth,
    SegmentTreatment,
    Survey,
)
from partner_portal import access
from partner_portal import settings as portal_settings
from partner_portal.access import Viewer
from partner_portal.accounts.services import hash_secret
from partner_portal.audit import services as audit_log
from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog.tables import Season
from partner_portal.clock import utcnow
from partner_portal.database import is_sqlite, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.notifications.services import mail_user
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import (
    InteractionKind,
    Organisation,
    PartnerStatus,
    Role,
    Territory,
    Tier,
    TimelineEntry,
    User,
)

# Orders the brand has accepted count as business; drafts, submissions awaiting
# confirmation, cancelled and rejected orders do not.
BOOKED_STATUSES = (
    OrderStatus.confirmed,
    OrderStatus.in_production,
    OrderStatus.partially_shipped,
    OrderStatus.shipped,
    OrderStatus.delivered,
)
BUYING_KINDS = sorted(access.BUYING_KINDS)
# Units of CNY per unit; the brand overrides them on the settings page.
DEFAULT_RATES = {
    "CNY": Decimal("1"),
    "USD": Decimal("7.10"),
    "EUR": Decimal("7.70"),
    "KRW": Decimal("0.0052"),
    "JPY": Decimal("0.047"),
    "HKD": Decimal("0.91"),
}
TIER_RANK = {Tier.standard: 0, Tier.silver: 1, Tier.gold: 2, Tier.platinum: 3}
SURVEY_DAYS = 30


# ---------------------------------------------------------------------------
# Settings


async def current_settings() -> dict[str, Any]:
    """The brand's insight settings (created with the defaults on first use)."""
    row = await InsightSettings.select(*InsightSettings.all_columns()).first()
    if row is None:
        async with write_transaction():
            if not await InsightSettings.exists():
                await InsightSettings.insert(InsightSettings(updated_at=utcnow()))
        row = await InsightSettings.select(*InsightSettings.all_columns()).first()
    assert row is not None
    return row


async def exchange_rates() -> dict[str, Decimal]:
    rates = dict(DEFAULT_RATES)
    for row in await ExchangeRate.select(ExchangeRate.currency, ExchangeRate.rate):
        rates[row["currency"]] = row["rate"]
    return rates


SETTING_FIELDS = {
    "churn_after_days": (int, 30, 1000),
    "annual_discount_rate": (Decimal, Decimal("0"), Decimal("0.5")),
    "default_margin_percent": (Decimal, Decimal("0"), Decimal("95")),
    "horizon_quarters": (int, 1, 40),
    "value_threshold": (Decimal, Decimal("0"), Decimal("1e12")),
    "potential_threshold": (Decimal, Decimal("0"), Decimal("1e12")),
    "loyalty_threshold": (Decimal, Decimal("0"), Decimal("1")),
    "satisfaction_threshold": (Decimal, Decimal("0"), Decimal("10")),
}


async def save_settings(viewer: Viewer, data: Mapping[str, str]) -> SaveResult:
    """Change the definitions and thresholds (brand admins); exchange rates as "KRW 0.0052" lines."""
    access.require(viewer, InsightAction.manage_insights)
    current = await current_settings()
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, (kind, lowest, highest) in SETTING_FIELDS.items():
        raw = (data.get(name) or "").strip().replace(",", "")
        try:
            value = kind(raw)
        except (ValueError, InvalidOperation):
            errors[name] = _("Enter a number.")
            continue
        if not lowest <= value <= highest:
            errors[name] = _("Between %(low)s and %(high)s.", low=lowest, high=highest)
            continue
        values[name] = value
    rates, rate_errors = parse_rates(data.get("exchange_rates", ""))
    if rate_errors:
        errors["exchange_rates"] = rate_errors
    if errors:
        return SaveResult(errors=errors)
    async with write_transaction():
        await InsightSettings.update(
            {
                **{
                    InsightSettings._meta.get_column_by_name(name): value
                    for name, value in values.items()
                },
                InsightSettings.updated_at: utcnow(),
                InsightSettings.version: InsightSettings.version + 1,
            }
        ).where(InsightSettings.id == current["id"])
        await ExchangeRate.delete(force=True)
        if rates:
            await ExchangeRate.insert(
                *[ExchangeRate(currency=code, rate=rate) for code, rate in rates.items()]
            )
        await audit_log.record(
            viewer,
            entity_kind="insight_settings",
            entity_uuid=None,
            organisation_id=None,
            action="edit",
            changes=audit_log.changes_between({name: current[name] for name in values}, values),
        )
    return SaveResult(uuid=UUID(int=current["id"]))


def parse_rates(text: str) -> tuple[dict[str, Decimal], str]:
    rates: dict[str, Decimal] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            code, rate = parts[0].upper(), Decimal(parts[1])
        except (IndexError, InvalidOperation):
            return {}, _(
                "Line %(line)s: write a currency code and a rate, e.g. KRW 0.0052.", line=number
            )
        if len(code) != 3 or not code.isalpha() or rate <= 0:
            return {}, _(
                "Line %(line)s: write a currency code and a rate, e.g. KRW 0.0052.", line=number
            )
        rates[code] = rate
    return rates, ""


# ---------------------------------------------------------------------------
# The precomputation (a scheduled job, and "recompute now")


def _month_expression() -> str:
    if is_sqlite():
        return "date(o.submitted_at, 'start of month')"
    return "CAST(date_trunc('month', o.submitted_at AT TIME ZONE 'UTC') AS date)"


def _last_day_expression() -> str:
    if is_sqlite():
        return "date(MAX(o.submitted_at))"
    return "CAST(MAX(o.submitted_at AT TIME ZONE 'UTC') AS date)"


@access.system_query("the health job: the whole order book, summed")
async def _order_facts() -> list[dict[str, Any]]:
    """Booked order lines summed per buyer, month, season and currency, in SQL: revenue,
    the cost of lines whose style has a unit cost, and the revenue of lines without one."""
    statuses = ", ".join(f"'{status.value}'" for status in BOOKED_STATUSES)
    sql = f"""
        SELECT o.buyer AS organisation, {_month_expression()} AS month,
               COALESCE(s.code, '') AS season_code, o.currency AS currency,
               COUNT(DISTINCT o.id) AS orders, SUM(l.quantity) AS pieces,
               SUM(l.line_total) AS revenue,
               SUM(CASE WHEN c.unit_cost IS NULL THEN 0 ELSE l.quantity * c.unit_cost END) AS known_cost,
               SUM(CASE WHEN c.unit_cost IS NULL THEN l.line_total ELSE 0 END) AS revenue_without_cost
        FROM sales_order_line l
        JOIN sales_order o ON o.id = l."order"
        LEFT JOIN season s ON s.id = o.season
        LEFT JOIN insight_style_cost c ON c.style = l.style
        WHERE o.status IN ({statuses}) AND o.submitted_at IS NOT NULL
        GROUP BY o.buyer, {_month_expression()}, COALESCE(s.code, ''), o.currency
    """
    return await PartnerMonth.raw(sql)


@access.system_query("the health job: every partner's last order days")
async def _last_order_days(since: date | None = None) -> dict[tuple[int, date], date]:
    """The last booked order day per partner and month (months from ``since``'s on)."""
    statuses = ", ".join(f"'{status.value}'" for status in BOOKED_STATUSES)
    after = ""
    arguments: list[Any] = []
    if since is not None:
        after = f"AND {_month_expression()} >= {{}}"
        arguments.append(since.replace(day=1))
    sql = f"""
        SELECT o.buyer AS organisation, {_month_expression()} AS month,
               {_last_day_expression()} AS last_day
        FROM sales_order o
        WHERE o.status IN ({statuses}) AND o.submitted_at IS NOT NULL {after}
        GROUP BY o.buyer, {_month_expression()}
    """
    return {
        (row["organisation"], _as_date(row["month"])): _as_date(row["last_day"])
        for row in await PartnerMonth.raw(sql, *arguments)
    }


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


@access.system_query("the health job: rebuilds every partner's monthly facts")
async def refresh_facts() -> int:
    """Rebuild the monthly facts from the order book; returns how many rows."""
    settings = await current_settings()
    rates = await exchange_rates()
    keep = 1 - _as_decimal(settings["default_margin_percent"]) / 100
    merged: dict[tuple[int, date, str], dict[str, Any]] = {}
    for row in await _order_facts():
        rate = rates.get(row["currency"], Decimal(1))
        revenue = _as_decimal(row["revenue"]) * rate
        cost = (
            _as_decimal(row["known_cost"]) + _as_decimal(row["revenue_without_cost"]) * rate * keep
        )
        key = (row["organisation"], _as_date(row["month"]), row["season_code"])
        entry = merged.setdefault(
            key, {"orders": 0, "pieces": 0, "revenue": Decimal(0), "margin": Decimal(0)}
        )
        entry["orders"] += int(row["orders"])
        entry["pieces"] += int(row["pieces"])
        entry["revenue"] += revenue
        entry["margin"] += revenue - cost
    async with write_transaction():
        await PartnerMonth.delete(force=True)
        rows = [
            PartnerMonth(
                organisation=organisation,
                month=month,
                season_code=season,
                orders=entry["orders"],
                pieces=entry["pieces"],
                revenue=entry["revenue"].quantize(metrics.CENT),
                margin=entry["margin"].quantize(metrics.CENT),
            )
            for (organisation, month, season), entry in merged.items()
        ]
        for start in range(0, len(rows), 1000):
            await PartnerMonth.insert(*rows[start : start + 1000])
    return len(merged)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@dataclass
class PartnerHistory:
    """What the facts say about one partner: margin by month and order days."""

    monthly_margin: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    monthly_revenue: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    monthly_orders: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    seasons: set[str] = field(default_factory=set)


@access.system_query("the health job: every partner's monthly figures")
async def _histories() -> dict[int, PartnerHistory]:
    histories: dict[int, PartnerHistory] = defaultdict(PartnerHistory)
    for row in await PartnerMonth.select(*PartnerMonth.all_columns()):
        history = histories[row["organisation"]]
        month = _as_date(row["month"])
        history.monthly_margin[month] += row["margin"]
        history.monthly_revenue[month] += row["revenue"]
        history.monthly_orders[month] += row["orders"]
        if row["season_code"]:
            history.seasons.add(row["season_code"])
    return histories


@access.system_query("the seasons with figures, for everyone")
async def _recent_seasons(count: int = 4) -> list[str]:
    rows = await PartnerMonth.raw(
        "SELECT season_code, MAX(month) AS latest FROM insight_partner_month "
        "WHERE season_code <> '' GROUP BY season_code"
    )
    rows.sort(key=lambda row: str(row["latest"]), reverse=True)
    return [row["season_code"] for row in rows[:count]]


@access.system_query("the health job: every buying partner's metrics")
async def recompute_metrics(today: date) -> int:
    """Every buying partner's CLV, loyalty, satisfaction, RFM, segment and churn risk as of
    ``today``; replaces today's snapshot (so running twice a day keeps one)."""
    settings = await current_settings()
    histories = await _histories()
    last_days = await _last_order_days()
    seasons = await _recent_seasons()
    partners = await Organisation.select(Organisation.id, Organisation.status).where(
        Organisation.kind.is_in(BUYING_KINDS)
    )
    year_ago = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    scores: dict[int, list[int]] = defaultdict(list)
    for row in await Survey.select(Survey.organisation, Survey.score).where(
        (Survey.answered_at >= year_ago) & Survey.score.is_not_null()
    ):
        scores[row["organisation"]].append(row["score"])
    complaints: dict[int, int] = defaultdict(int)
    for row in await TimelineEntry.select(TimelineEntry.organisation).where(
        (TimelineEntry.kind == InteractionKind.complaint) & (TimelineEntry.occurred_at >= year_ago)
    ):
        complaints[row["organisation"]] += 1
    current_month = today.replace(day=1)
    churn_days = settings["churn_after_days"]
    # The last order day per partner, in one pass (not a scan of every partner's months
    # per partner: that was partners x months, 96 million steps at 2,000 partners).
    last_order_of: dict[int, date] = {}
    for (organisation, _month), day in last_days.items():
        if organisation not in last_order_of or day > last_order_of[organisation]:
            last_order_of[organisation] = day
    computed: dict[int, dict[str, Any]] = {}
    for partner in partners:
        history = histories.get(partner["id"], PartnerHistory())
        last_order = last_order_of.get(partner["id"])
        first_month = min(history.monthly_orders) if history.monthly_orders else None
        days_since = (today - last_order).days if last_order else None
        churned = partner["status"] == PartnerStatus.churned or (
            days_since is not None and days_since > churn_days
        )
        by_months_ago = {
            months_between(month, current_month): margin
            for month, margin in history.monthly_margin.items()
            if month <= current_month
        }
        clv = metrics.customer_lifetime_value(
            by_months_ago,
            _as_decimal(settings["annual_discount_rate"]),
            settings["horizon_quarters"],
            churned,
        )
        active_quarters = len(
            {
                months_between(month, current_month) // 3
                for month in history.monthly_orders
                if 0 <= months_between(month, current_month) < 24
            }
        )
        last_year = [
            month
            for month in history.monthly_orders
            if 0 <= months_between(month, current_month) < 12
        ]
        revenue_12m = sum((history.monthly_revenue[month] for month in last_year), Decimal(0))
        computed[partner["id"]] = {
            "organisation": partner["id"],
            "computed_on": today,
            "first_order_on": first_month,
            "last_order_on": last_order,
            "orders_12m": sum(history.monthly_orders[month] for month in last_year),
            "revenue_12m": revenue_12m.quantize(metrics.CENT),
            "margin_12m": sum(
                (history.monthly_margin[month] for month in last_year), Decimal(0)
            ).quantize(metrics.CENT),
            "historical_value": clv.historical,
            "predicted_value": clv.predicted,
            "margin_per_quarter": clv.margin_per_quarter,
            "retention": clv.retention,
            "remaining_quarters": clv.remaining_quarters,
            "loyalty": metrics.loyalty_score(
                active_quarters,
                (today - first_month).days if first_month else 0,
                len(history.seasons & set(seasons)),
                len(seasons),
            ),
            "satisfaction": metrics.satisfaction_score(
                scores[partner["id"]], complaints[partner["id"]]
            ),
            "surveys": len(scores[partner["id"]]),
            "complaints": complaints[partner["id"]],
            "churned": churned,
            "churn_risk": metrics.churn_risk(days_since, churn_days, clv.retention, churned),
            "days_since": days_since,
        }
    ordered = {key: row for key, row in computed.items() if row["last_order_on"] is not None}
    recency = metrics.quintiles({key: -float(row["days_since"]) for key, row in ordered.items()})
    frequency = metrics.quintiles({key: float(row["orders_12m"]) for key, row in ordered.items()})
    monetary = metrics.quintiles({key: float(row["revenue_12m"]) for key, row in ordered.items()})
    for key, row in computed.items():
        row["rfm_recency"] = recency.get(key, 0)
        row["rfm_frequency"] = frequency.get(key, 0)
        row["rfm_monetary"] = monetary.get(key, 0)
        row["segment"] = metrics.segment_code(
            row["revenue_12m"] >= _as_decimal(settings["value_threshold"]),
            row["predicted_value"] >= _as_decimal(settings["potential_threshold"]),
            row["loyalty"] >= float(settings["loyalty_threshold"]),
            row["satisfaction"] >= float(settings["satisfaction_threshold"]),
        )
        del row["days_since"]
    async with write_transaction():
        await PartnerMetrics.delete().where(PartnerMetrics.computed_on == today)
        rows = [PartnerMetrics(**row) for row in computed.values()]
        for start in range(0, len(rows), 500):
            await PartnerMetrics.insert(*rows[start : start + 500])
    return len(computed)


@access.system_query("the health job: every partner's cross-sell")
async def recompute_cross_sell(minimum_buyers: int = 3, per_partner: int = 5) -> int:
    """For each partner, styles that partners of the same kind buy together with styles it
    buys, and it does not (item-to-item association: confidence of "buys X -> buys Y")."""
    import numpy

    statuses = ", ".join(f"'{status.value}'" for status in BOOKED_STATUSES)
    pairs = await PartnerMonth.raw(
        f"""SELECT DISTINCT o.buyer AS organisation, l.style AS style, g.kind AS kind
            FROM sales_order_line l JOIN sales_order o ON o.id = l."order"
            JOIN organisation g ON g.id = o.buyer
            WHERE o.status IN ({statuses})"""
    )
    suggestions: list[CrossSell] = []
    by_kind: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in pairs:
        by_kind[row["kind"]].append((row["organisation"], row["style"]))
    for rows in by_kind.values():
        partner_ids = sorted({organisation for organisation, _style in rows})
        style_ids = sorted({style for _organisation, style in rows})
        partner_index = {key: index for index, key in enumerate(partner_ids)}
        style_index = {key: index for index, key in enumerate(style_ids)}
        bought = numpy.zeros((len(partner_ids), len(style_ids)), dtype=numpy.float32)
        for organisation, style in rows:
            bought[partner_index[organisation], style_index[style]] = 1
        together = bought.T @ bought  # together[x, y]: partners buying both x and y
        buyers = numpy.diag(together).copy()
        with numpy.errstate(divide="ignore", invalid="ignore"):
            confidence = numpy.where(
                buyers[:, None] >= minimum_buyers, together / buyers[:, None], 0
            )
        numpy.fill_diagonal(confidence, 0)
        for partner_row, organisation in enumerate(partner_ids):
            owned = numpy.flatnonzero(bought[partner_row])
            if not len(owned):
                continue
            candidate = confidence[owned]  # rows: styles it buys; columns: every style
            best_reason = candidate.argmax(axis=0)
            best = candidate.max(axis=0)
            best[owned] = 0
            for style_column in numpy.argsort(-best)[:per_partner]:
                if best[style_column] < 0.3:
                    break
                reason = owned[best_reason[style_column]]
                suggestions.append(
                    CrossSell(
                        organisation=organisation,
                        style=style_ids[style_column],
                        because_of=style_ids[reason],
                        buyers_of_both=int(together[reason, style_column]),
                        buyers_of_reason=int(buyers[reason]),
                        confidence=float(best[style_column]),
                    )
                )
    async with write_transaction():
        await CrossSell.delete(force=True)
        for start in range(0, len(suggestions), 1000):
            await CrossSell.insert(*suggestions[start : start + 1000])
    return len(suggestions)


async def recompute_all(today: date | None = None) -> str:
    """The scheduled job: facts, metrics, cross-sell. Idempotent (each replaces its rows)."""
    today = today or utcnow().date()
    facts = await refresh_facts()
    partners = await recompute_metrics(today)
    suggestions = await recompute_cross_sell()
    snapshots = await store_kpi_snapshots(today)
    return (
        f"{facts} monthly facts, {partners} partners, {suggestions} cross-sell suggestions, "
        f"{snapshots} dashboard tables"
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
        row["code"]: _as_date(row["order_window_start"]).replace(day=1)
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
        end = _add_months(start, step)
        label = (
            f"{start.year} Q{(start.month - 1) // 3 + 1}" if kind == "quarter" else f"{start:%Y-%m}"
        )
        result.append(Period(label, label, start, end))
        start = _add_months(start, -step)
    return list(reversed(result))


async def period_windows(kind: str, today: date, count: int) -> list[Period]:
    """periods() with the catalog's season dates when the periods are seasons."""
    return periods(kind, today, count, await season_starts() if kind == "season" else None)


def _add_months(day: date, months: int) -> date:
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


async def _visible_partners(viewer: Viewer) -> list[dict[str, Any]]:
    rows = await access.scoped(
        Organisation.select(
            Organisation.id,
            Organisation.uuid,
            Organisation.legal_name,
            Organisation.kind,
            Organisation.tier,
            Organisation.status,
            Organisation.owner,
            Organisation.owner.display_name.as_alias("owner_name"),  # type: ignore[attr-defined]
        ),
        viewer,
    ).where(Organisation.kind.is_in(BUYING_KINDS))
    territories: dict[int, list[str]] = defaultdict(list)
    for row in await Territory.select(Territory.organisation, Territory.region_code).where(
        Territory.organisation.is_in([row["id"] for row in rows] or [-1])
    ):
        territories[row["organisation"]].append(row["region_code"])
    for row in rows:
        row["territories"] = sorted(territories[row["id"]])
    return rows


def _groups_of(partner: Mapping[str, Any], dimension: str) -> list[tuple[str, str]]:
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


@access.system_query("the health job: every partner's tier changes")
async def _tier_moves(start: date, end: date) -> list[tuple[int, date, int]]:
    """(organisation, day, +1 up / -1 down) from the audit log's tier changes."""
    rows = await AuditEntry.select(
        AuditEntry.organisation, AuditEntry.occurred_at, AuditEntry.changes
    ).where(
        (AuditEntry.entity_kind == "organisation")
        & (AuditEntry.occurred_at >= datetime.combine(start, datetime.min.time(), tzinfo=UTC))
        & (AuditEntry.occurred_at < datetime.combine(end, datetime.min.time(), tzinfo=UTC))
    )
    moves = []
    for row in rows:
        changes = row["changes"]
        if isinstance(changes, str):
            changes = json.loads(changes or "{}")
        pair = (changes or {}).get("tier")
        if not pair or row["organisation"] is None:
            continue
        before, after = TIER_RANK.get(pair[0], 0), TIER_RANK.get(pair[1], 0)
        if before != after:
            moves.append(
                (row["organisation"], row["occurred_at"].date(), 1 if after > before else -1)
            )
    return moves


@dataclass
class KpiInputs:
    """What the KPIs of a viewer's partners are computed from, read once for any number of
    tables between ``start`` and ``end`` (the job computes fifteen per scope)."""

    settings: dict[str, Any]
    partners: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    last_days: dict[tuple[int, date], date]
    moves: list[tuple[int, date, int]]


async def kpi_inputs(viewer: Viewer, start: date, end: date) -> KpiInputs:
    access.require(viewer, InsightAction.view_insights)
    settings = await current_settings()
    partners = await _visible_partners(viewer)
    facts = await PartnerMonth.select(*PartnerMonth.all_columns()).where(
        PartnerMonth.organisation.is_in([row["id"] for row in partners] or [-1])
    )
    churn_days = timedelta(days=settings["churn_after_days"])
    return KpiInputs(
        settings=settings,
        partners=partners,
        facts=facts,
        last_days=await _last_order_days(since=start - churn_days),
        moves=await _tier_moves(start, end),
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


def kpi_table(inputs: KpiInputs, windows: list[Period], dimension: str, today: date) -> KpiTable:
    """The KPIs of these periods from inputs read for (at least) their span."""
    settings, partners, facts = inputs.settings, inputs.partners, inputs.facts
    visible = {row["id"]: row for row in partners}
    churn_days = timedelta(days=settings["churn_after_days"])
    order_days: dict[int, list[date]] = defaultdict(list)
    for (organisation, _month), day in inputs.last_days.items():
        if organisation in visible:
            order_days[organisation].append(day)
    for days in order_days.values():
        days.sort()
    first_month: dict[int, date] = {}
    # Each fact's month converted once and its window found once (not once per window).
    window_of_month = {
        _add_months(window.start, offset): window.key
        for window in windows
        for offset in range(months_between(window.start, window.end))
    }
    facts_by_window: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in facts:
        month = _as_date(row["month"])
        if row["organisation"] not in first_month or month < first_month[row["organisation"]]:
            first_month[row["organisation"]] = month
        key = window_of_month.get(month)
        if key is not None:
            facts_by_window[key].append(row)

    def live_at(organisation: int, day: date) -> bool:
        # An order within the churn window before ``day`` (month-level last order days):
        # the first order day on or after day - churn_days is before ``day``.
        days = order_days.get(organisation)
        if not days:
            return False
        index = bisect_left(days, day - churn_days)
        return index < len(days) and days[index] < day

    moves = inputs.moves
    group_labels: dict[str, str] = {"": _("All partners")}
    membership: dict[int, list[str]] = {}
    for partner in partners:
        groups = _groups_of(partner, dimension)
        membership[partner["id"]] = [""] + [key for key, _label in groups]
        for key, label in groups:
            group_labels[key] = label
    figures: dict[tuple[str, str, str], Figure] = {}
    for window in windows:
        per_group: dict[str, dict[str, Any]] = defaultdict(
            lambda: {
                "active": set(),
                "new": set(),
                "churned": set(),
                "up": set(),
                "down": set(),
                "at_start": set(),
                "revenue": Decimal(0),
                "margin": Decimal(0),
                "orders": 0,
            }
        )
        for row in facts_by_window[window.key]:
            for group in membership[row["organisation"]]:
                bucket = per_group[group]
                bucket["active"].add(row["organisation"])
                bucket["revenue"] += row["revenue"]
                bucket["margin"] += row["margin"]
                bucket["orders"] += row["orders"]
        # The current period is judged as of today, not its future end.
        judged_at = min(window.end, today + timedelta(days=1))
        for organisation, partner in visible.items():
            was_live = live_at(organisation, window.start)
            is_churned = (
                not live_at(organisation, judged_at) or partner["status"] == PartnerStatus.churned
            )
            first = first_month.get(organisation)
            for group in membership[organisation]:
                bucket = per_group[group]
                if was_live:
                    bucket["at_start"].add(organisation)
                    if is_churned:
                        bucket["churned"].add(organisation)
                if first is not None and window.start <= first < window.end:
                    bucket["new"].add(organisation)
        for organisation, day, direction in moves:
            if organisation in visible and window.start <= day < window.end:
                for group in membership[organisation]:
                    per_group[group]["up" if direction > 0 else "down"].add(organisation)
        for group in group_labels:
            bucket = per_group[group]
            active = len(bucket["active"])
            at_start = len(bucket["at_start"])
            put = figures.__setitem__
            put((group, window.key, "active"), Figure(active, bucket["active"]))
            put(
                (group, window.key, "new"),
                Figure(len(bucket["new"]), bucket["new"], metrics.rate(len(bucket["new"]), active)),
            )
            put(
                (group, window.key, "churned"),
                Figure(
                    len(bucket["churned"]),
                    bucket["churned"],
                    metrics.rate(len(bucket["churned"]), at_start),
                ),
            )
            put(
                (group, window.key, "upgraded"),
                Figure(len(bucket["up"]), bucket["up"], metrics.rate(len(bucket["up"]), at_start)),
            )
            put(
                (group, window.key, "downgraded"),
                Figure(
                    len(bucket["down"]), bucket["down"], metrics.rate(len(bucket["down"]), at_start)
                ),
            )
            put(
                (group, window.key, "revenue"),
                Figure(bucket["revenue"].quantize(metrics.CENT), bucket["active"]),
            )
            put(
                (group, window.key, "margin"),
                Figure(bucket["margin"].quantize(metrics.CENT), bucket["active"]),
            )
            put(
                (group, window.key, "margin_per_partner"),
                Figure(
                    (bucket["margin"] / active).quantize(metrics.CENT) if active else None,
                    bucket["active"],
                ),
            )
            put(
                (group, window.key, "order_frequency"),
                Figure(round(bucket["orders"] / active, 2) if active else None, bucket["active"]),
            )
            put(
                (group, window.key, "average_order_value"),
                Figure(
                    (bucket["revenue"] / bucket["orders"]).quantize(metrics.CENT)
                    if bucket["orders"]
                    else None,
                    bucket["active"],
                ),
            )
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
        settings["reporting_currency"],
    )


async def visible_by_name(viewer: Viewer, organisation_ids: Iterable[int]) -> list[int]:
    """The ids of the visible partners among these, in the order of their names."""
    ids = list(organisation_ids)
    return await (  # type: ignore[no-any-return]
        access.scoped(Organisation.select(Organisation.id), viewer)
        .where(Organisation.id.is_in(ids or [-1]))
        .order_by(Organisation.legal_name)
        .output(as_list=True)
    )


async def partners_named(viewer: Viewer, organisation_ids: Iterable[int]) -> list[dict[str, Any]]:
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
                Organisation.owner.display_name.as_alias("owner_name"),  # type: ignore[attr-defined]
            ),
            viewer,
        )
        .where(Organisation.id.is_in(ids or [-1]))
        .order_by(Organisation.legal_name)
    )


@access.checked_by_caller("partners its callers found through scoped or get_organisation")
async def latest_metrics(organisation_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    day = await _latest_day()
    if day is None or not organisation_ids:
        return {}
    rows = await PartnerMetrics.select(*PartnerMetrics.all_columns()).where(
        (PartnerMetrics.computed_on == day)
        & PartnerMetrics.organisation.is_in(list(organisation_ids))
    )
    return {row["organisation"]: row for row in rows}


@access.system_query("the day the stored figures were last computed, for everyone")
async def _latest_day(before: date | None = None) -> date | None:
    query = PartnerMetrics.select(PartnerMetrics.computed_on).order_by(
        PartnerMetrics.computed_on, ascending=False
    )
    if before is not None:
        query = query.where(PartnerMetrics.computed_on < before)
    row = await query.first()
    return _as_date(row["computed_on"]) if row else None


# ---------------------------------------------------------------------------
# Segments and treatments


async def segment_overview(viewer: Viewer) -> dict[str, Any]:
    """Partners per segment now, each with the segment it had a period (30+ days) earlier."""
    access.require(viewer, InsightAction.view_insights)
    partners = await _visible_partners(viewer)
    visible = {row["id"]: row for row in partners}
    day = await _latest_day()
    earlier_day = await _latest_day(before=day - timedelta(days=29)) if day else None
    current = await latest_metrics(list(visible))
    earlier: dict[int, str] = {}
    if earlier_day is not None:
        earlier = {
            row["organisation"]: row["segment"]
            for row in await PartnerMetrics.select(
                PartnerMetrics.organisation, PartnerMetrics.segment
            ).where(
                (PartnerMetrics.computed_on == earlier_day)
                & PartnerMetrics.organisation.is_in(list(visible) or [-1])
            )
        }
    treatments = await segment_treatments()
    segments: dict[str, list[dict[str, Any]]] = {code: [] for code in metrics.SEGMENTS}
    for organisation, row in current.items():
        partner = dict(visible[organisation])
        partner["metrics"] = row
        partner["previous_segment"] = earlier.get(organisation)
        segments.setdefault(row["segment"], []).append(partner)
    for members in segments.values():
        members.sort(key=lambda partner: partner["legal_name"])
    return {
        "segments": segments,
        "treatments": treatments,
        "computed_on": day,
        "compared_with": earlier_day,
    }


async def segment_treatments() -> dict[str, dict[str, Any]]:
    rows = {
        row["segment"]: row
        for row in await SegmentTreatment.select(*SegmentTreatment.all_columns())
    }
    return {
        code: rows.get(
            code, {"segment": code, "treatment": "", "follow_up_kind": "call", "due_in_days": 14}
        )
        for code in metrics.SEGMENTS
    }


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


@access.checked_by_caller("the partner page fetched the organisation with get_organisation")
async def partner_health_panel(
    viewer: Viewer, organisation: dict[str, Any]
) -> dict[str, Any] | None:
    """CLV with its inputs, segment, churn risk, RFM, trend and cross-sell for the brand."""
    if (
        not viewer.can(InsightAction.view_insights)
        or organisation["kind"] not in access.BUYING_KINDS
    ):
        return None
    current = (await latest_metrics([organisation["id"]])).get(organisation["id"])
    trend = await PartnerMonth.select(
        PartnerMonth.month, PartnerMonth.revenue, PartnerMonth.orders
    ).where(PartnerMonth.organisation == organisation["id"])
    today = utcnow().date()
    months = [_add_months(today.replace(day=1), -offset) for offset in range(11, -1, -1)]
    revenue_by_month: dict[date, Decimal] = defaultdict(Decimal)
    orders_by_month: dict[date, int] = defaultdict(int)
    for row in trend:
        revenue_by_month[_as_date(row["month"])] += row["revenue"]
        orders_by_month[_as_date(row["month"])] += row["orders"]
    last_contact = (
        await TimelineEntry.select(TimelineEntry.occurred_at)
        .where(
            (TimelineEntry.organisation == organisation["id"])
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
    suggestions = await cross_sell_for(organisation["id"])
    settings = await current_settings()
    terms = None
    from partner_portal.registries import registry

    terms = await registry.terms_for(organisation["id"])
    return {
        "metrics": current,
        "months": [(month, revenue_by_month[month], orders_by_month[month]) for month in months],
        "days_since_contact": (today - last_contact["occurred_at"].date()).days
        if last_contact
        else None,
        "suggestions": suggestions,
        "currency": settings["reporting_currency"],
        "explanation": metrics.CLV_EXPLANATION,
        "terms": terms,
        "organisation": organisation,
    }


@access.checked_by_caller("the partner comes from get_organisation (its partner page)")
async def cross_sell_for(organisation_id: int) -> list[dict[str, Any]]:
    return (
        await CrossSell.select(
            CrossSell.confidence,
            CrossSell.buyers_of_both,
            CrossSell.buyers_of_reason,
            CrossSell.style.uuid.as_alias("style_uuid"),  # type: ignore[attr-defined]
            CrossSell.style.code.as_alias("style_code"),  # type: ignore[attr-defined]
            CrossSell.style.name_en.as_alias("name_en"),  # type: ignore[attr-defined]
            CrossSell.style.name_zh.as_alias("name_zh"),  # type: ignore[attr-defined]
            CrossSell.style.name_ko.as_alias("name_ko"),  # type: ignore[attr-defined]
            CrossSell.because_of.code.as_alias("reason_code"),  # type: ignore[attr-defined]
        )
        .where(CrossSell.organisation == organisation_id)
        .order_by(CrossSell.confidence, ascending=False)
    )


# ---------------------------------------------------------------------------
# Satisfaction surveys


SURVEY_EMAIL = "satisfaction_survey"


@access.system_query("scheduled job: surveys for every delivered order")
async def send_due_surveys() -> str:
    """After delivery, the buyer's person gets a survey link (once per order: the survey
    row is unique per order and is written with its e-mail in one transaction)."""
    settings = portal_settings.current_settings()
    since = utcnow() - timedelta(days=SURVEY_DAYS)
    due = await Order.select(
        Order.id, Order.uuid, Order.number, Order.buyer, Order.placed_by, Order.status_changed_at
    ).where(
        (Order.status == OrderStatus.delivered)
        & (Order.status_changed_at >= since)
        & Order.id.not_in(Survey.select(Survey.order))
    )
    sent = 0
    for order in due:
        recipient = (
            await User.select(User.id, User.email, User.display_name, User.locale, User.time_zone)
            .where(
                (User.organisation == order["buyer"])
                & (User.is_active == True)  # noqa: E712
                & ((User.id == order["placed_by"]) | (User.is_org_admin == True))  # noqa: E712
            )
            .order_by(User.is_org_admin)
            .first()
        )
        token = secrets.token_urlsafe(24)
        now = utcnow()
        async with write_transaction():
            inserted = (
                await Survey.insert(
                    Survey(
                        order=order["id"],
                        organisation=order["buyer"],
                        recipient=recipient["id"] if recipient else None,
                        token_hash=hash_secret(token),
                        sent_at=now,
                        expires_at=now + timedelta(days=SURVEY_DAYS),
                    )
                )
                .on_conflict(target=Survey.order, action="DO NOTHING")
                .returning(Survey.id)
            )
            if not inserted or recipient is None:
                continue
            await mail_user(
                recipient,
                SURVEY_EMAIL,
                "satisfaction_survey",
                {
                    "name": recipient["display_name"],
                    "number": order["number"],
                    "link": f"{settings.base_url}/survey/{token}",
                },
                settings,
            )
            sent += 1
    return f"{sent} surveys sent"


@dataclass
class SurveyView:
    survey: dict[str, Any] | None
    problem: str = ""


@access.system_query("a survey's signed link: the token is the key")
async def survey_for_token(token: str) -> SurveyView:
    """The survey a link opens, or why it does not (unknown, expired, answered)."""
    if not 20 <= len(token) <= 64:
        return SurveyView(None, _("This link is not valid."))
    row = (
        await Survey.select(
            *Survey.all_columns(),
            Survey.order.number.as_alias("number"),  # type: ignore[attr-defined]
            Survey.organisation.legal_name.as_alias("partner_name"),  # type: ignore[attr-defined]
        )
        .where(Survey.token_hash == hash_secret(token))
        .first()
    )
    if row is None:
        return SurveyView(None, _("This link is not valid."))
    if row["answered_at"] is not None:
        return SurveyView(row, _("Thank you: this survey has been answered."))
    if row["expires_at"] < utcnow():
        return SurveyView(row, _("This survey has closed."))
    return SurveyView(row)


@access.system_query("a survey's signed link: the token is the key")
async def answer_survey(token: str, score_text: str, comment: str) -> SaveResult:
    view = await survey_for_token(token)
    if view.survey is None or view.problem:
        return SaveResult(errors={"token": view.problem})
    score = whole_number(score_text, maximum=10)
    if score is None:
        return SaveResult(errors={"score": _("Choose a score from 0 to 10.")})
    if len(comment) > 2000:
        return SaveResult(errors={"comment": _("At most 2,000 characters.")})
    async with write_transaction():
        answered = (
            await Survey.update(
                {
                    Survey.score: score,
                    Survey.comment: comment.strip(),
                    Survey.answered_at: utcnow(),
                }
            )
            .where((Survey.id == view.survey["id"]) & Survey.answered_at.is_null())
            .returning(Survey.id)
        )
    if not answered:
        return SaveResult(errors={"token": _("Thank you: this survey has been answered.")})
    return SaveResult(uuid=view.survey["uuid"])


async def satisfaction_results(viewer: Viewer, today: date) -> dict[str, Any]:
    """NPS per partner and per KAM over the last 12 months (promoters 9-10, detractors 0-6)."""
    access.require(viewer, InsightAction.view_insights)
    partners = {row["id"]: row for row in await _visible_partners(viewer)}
    since = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    answers = (
        await Survey.select(Survey.organisation, Survey.score, Survey.comment, Survey.answered_at)
        .where((Survey.answered_at >= since) & Survey.organisation.is_in(list(partners) or [-1]))
        .order_by(Survey.answered_at, ascending=False)
    )
    by_partner: dict[int, list[int]] = defaultdict(list)
    by_kam: dict[str, list[int]] = defaultdict(list)
    for answer in answers:
        by_partner[answer["organisation"]].append(answer["score"])
        by_kam[partners[answer["organisation"]]["owner_name"] or _("No owner")].append(
            answer["score"]
        )
    return {
        "partners": sorted(
            ((partners[key], nps(scores), len(scores)) for key, scores in by_partner.items()),
            key=lambda item: item[1],
        ),
        "kams": sorted(
            ((name, nps(scores), len(scores)) for name, scores in by_kam.items()),
            key=lambda item: item[1],
        ),
        "comments": [answer for answer in answers if answer["comment"]][:20],
        "partner_names": {key: row["legal_name"] for key, row in partners.items()},
    }


def nps(scores: Sequence[int]) -> int:
    """Net promoter score: % promoters (9-10) less % detractors (0-6)."""
    if not scores:
        return 0
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return round(100 * (promoters - detractors) / len(scores))


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


# ---------------------------------------------------------------------------
# Stored dashboard figures (the recomputation job writes them, the dashboard reads them)

# How far back the stored figures reach; the page shows at most this many periods.
STORED_PERIODS = {"month": 36, "quarter": 12, "season": 8}


def _snapshot_key(scope: str, period_kind: str, dimension: str) -> str:
    return f"{scope}|{period_kind}|{dimension}"


def _partners_key(snapshot_key: str) -> str:
    """The row holding the partners behind the figures of a stored table."""
    return f"{snapshot_key}|partners"


def _encode_partners(table: KpiTable) -> str:
    """Each figure's partners, every distinct set of partners written once (revenue, margin
    and the averages count the active partners: one set for the five)."""
    sets: dict[frozenset[int], int] = {}
    figures = []
    for (group, period, kpi), figure in table.figures.items():
        if figure.partners:
            index = sets.setdefault(frozenset(figure.partners), len(sets))
            figures.append([group, period, kpi, index])
    return json.dumps({"sets": [sorted(members) for members in sets], "figures": figures})


def _decode_partners(payload: str, wanted: tuple[str, str, str]) -> set[int]:
    data = json.loads(payload)
    for group, period, kpi, index in data["figures"]:
        if (group, period, kpi) == wanted:
            return set(data["sets"][index])
    return set()


def _encode(table: KpiTable) -> str:
    return json.dumps(
        {
            "currency": table.currency,
            "periods": [
                [window.key, window.start.isoformat(), window.end.isoformat()]
                for window in table.periods
            ],
            "groups": table.groups,
            "figures": [
                [
                    group,
                    period,
                    kpi,
                    None if figure.value is None else str(figure.value),
                    figure.rate,
                    figure.drillable,
                ]
                for (group, period, kpi), figure in table.figures.items()
            ],
        }
    )


def _decode(payload: str, count: int, computed_on: date) -> KpiTable:
    data = json.loads(payload)
    windows = [
        Period(key, key, date.fromisoformat(start), date.fromisoformat(end))
        for key, start, end in data["periods"]
    ][-count:]
    wanted = {window.key for window in windows}
    figures = {}
    for group, period, kpi, value, rate, drillable in data["figures"]:
        if period in wanted:
            number: Decimal | int | float | None = None
            if value is not None:
                number = (
                    Decimal(value)
                    if kpi in MONEY_KPIS
                    else (float(value) if "." in value else int(value))
                )
            figures[(group, period, kpi)] = Figure(number, rate=rate, drillable=drillable)
    # Labels the job wrote in its own language are given again in the reader's.
    labels = {"": _("All partners"), "kam:0": _("No owner"), "territory:": _("No territory")}
    groups = [(key, labels.get(key, label)) for key, label in data["groups"]]
    return KpiTable(windows, groups, figures, data["currency"], computed_on)


MONEY_KPIS = frozenset({"revenue", "margin", "margin_per_partner", "average_order_value"})


@access.system_query("the health job: every viewer scope's KPI tables")
async def store_kpi_snapshots(today: date) -> int:
    """Compute and store the dashboard's tables for every scope, period kind and breakdown,
    each with the partners behind its figures (for the drill-down); returns how many tables."""
    from partner_portal.accounts.services import viewer_for_user_id

    users = (
        await User.select(User.id, User.role)
        .where(
            (User.is_active == True) & User.role.is_in([Role.brand_admin, Role.kam])  # noqa: E712
        )
        .order_by(User.id)
    )
    viewers = {}
    for user in users:
        viewer = await viewer_for_user_id(user["id"])
        scope = figures_scope(viewer)
        if scope is not None and scope not in viewers:
            viewers[scope] = viewer
    rows = []
    for scope, viewer in viewers.items():
        spans = {
            period_kind: await period_windows(period_kind, today, count)
            for period_kind, count in STORED_PERIODS.items()
        }
        inputs = await kpi_inputs(
            viewer,
            min(windows[0].start for windows in spans.values()),
            max(windows[-1].end for windows in spans.values()),
        )
        for period_kind, windows in spans.items():
            for dimension in ("", *DIMENSIONS):
                table = kpi_table(inputs, windows, dimension, today)
                key = _snapshot_key(scope, period_kind, dimension)
                rows.append(KpiSnapshot(key=key, computed_on=today, payload=_encode(table)))
                rows.append(
                    KpiSnapshot(
                        key=_partners_key(key), computed_on=today, payload=_encode_partners(table)
                    )
                )
    async with write_transaction():
        await KpiSnapshot.delete(force=True)
        for start in range(0, len(rows), 20):
            await KpiSnapshot.insert(*rows[start : start + 20])
    return len(rows) // 2


async def dashboard_kpis(
    viewer: Viewer, period_kind: str, count: int, dimension: str, today: date
) -> KpiTable:
    """The dashboard's table: the stored figures of the viewer's scope when they were
    computed in the current period and reach back far enough, else computed now."""
    table, _partners_payload = await _dashboard_table(
        viewer, period_kind, count, dimension, today, with_partners=False
    )
    return table


async def _dashboard_table(
    viewer: Viewer,
    period_kind: str,
    count: int,
    dimension: str,
    today: date,
    with_partners: bool,
) -> tuple[KpiTable, str | None]:
    """dashboard_kpis, with the stored partners of the same computation when asked (read in
    the same query, so figure and partners always come from one run of the job)."""
    access.require(viewer, InsightAction.view_insights)
    scope = figures_scope(viewer)
    if scope is not None and count <= STORED_PERIODS.get(period_kind, 0):
        key = _snapshot_key(scope, period_kind, dimension)
        keys = [key, _partners_key(key)] if with_partners else [key]
        rows = {
            row["key"]: row
            for row in await KpiSnapshot.select(
                KpiSnapshot.key, KpiSnapshot.payload, KpiSnapshot.computed_on
            ).where(KpiSnapshot.key.is_in(keys))
        }
        if len(rows) == len(keys):
            computed_on = _as_date(rows[key]["computed_on"])
            current = (await period_windows(period_kind, today, 1))[0]
            if current.start <= computed_on < current.end:
                partners = rows[keys[-1]]["payload"] if with_partners else None
                return _decode(rows[key]["payload"], count, computed_on), partners
    return await kpis(viewer, period_kind, count, dimension, today), None


@dataclass(frozen=True)
class FigureRef:
    """One figure of the dashboard: which table (period kind, how many periods, breakdown)
    and which cell (group, period, KPI); an empty window means the current period."""

    period_kind: str
    count: int
    dimension: str
    group: str
    window: str
    kpi: str


async def figure_partners(
    viewer: Viewer, figure: FigureRef, today: date
) -> tuple[KpiTable, str, set[int]]:
    """The partners one figure of the dashboard counts, exactly as the figure counted them:
    those the job stored with the figure the dashboard shows or, when the figures are
    computed now, the computation's own; with the table and the period's key."""
    table, stored = await _dashboard_table(
        viewer, figure.period_kind, figure.count, figure.dimension, today, with_partners=True
    )
    window = figure.window or table.periods[-1].key
    cell = (figure.group, window, figure.kpi)
    if cell not in table.figures:
        return table, window, set()
    if stored is not None:
        return table, window, _decode_partners(stored, cell)
    return table, window, table.figures[cell].partners


# The drill-down lists this many partners a page (the network's active partners of a
# month are about 2,000); planning follow-ups can still take every one of them.
DRILL_PAGE_SIZE = 50


@dataclass
class DrillDown:
    table: KpiTable
    window: str
    total: int
    page: int
    pages: int
    partners: list[dict[str, Any]]  # this page's, each with its latest metrics


async def drill_down(viewer: Viewer, figure: FigureRef, today: date, page: int = 1) -> DrillDown:
    """The partners behind one figure, a page of them at a time, by name."""
    table, window, members = await figure_partners(viewer, figure, today)
    ordered = await visible_by_name(viewer, members)
    pages = max(1, math.ceil(len(ordered) / DRILL_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = await partners_named(
        viewer, ordered[(page - 1) * DRILL_PAGE_SIZE : page * DRILL_PAGE_SIZE]
    )
    latest = await latest_metrics([row["id"] for row in shown])
    for row in shown:
        row["metrics"] = latest.get(row["id"])
    return DrillDown(table, window, len(ordered), page, pages, shown)


async def figure_partner_uuids(viewer: Viewer, figure: FigureRef, today: date) -> list[UUID]:
    """Every visible partner behind one figure (to plan follow-ups for all of them)."""
    _table, _window, members = await figure_partners(viewer, figure, today)
    return [row["uuid"] for row in await partners_named(viewer, members)]
