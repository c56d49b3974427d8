"""Partner health figures: the brand's settings (exchange rates, thresholds) and the
precomputation job that turns the order book into monthly facts, partner metrics and
cross-sell suggestions. Formulas live in insights.metrics."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Required, TypedDict
from uuid import UUID

from insights import association, lifetime, metrics
from insights.access import InsightAction
from insights.tables import (
    CrossSell,
    ExchangeRate,
    InsightSettings,
    KpiSnapshot,
    PartnerMetrics,
    PartnerMonth,
    Survey,
)
from partner_portal import access, inputs
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Style, StyleStatus
from partner_portal.clock import utcnow
from partner_portal.database import is_sqlite, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.orders.tables import OrderStatus
from partner_portal.partners.tables import (
    InteractionKind,
    Organisation,
    PartnerStatus,
    Tier,
    TimelineEntry,
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
TIER_RANK: dict[str, int] = {Tier.standard: 0, Tier.silver: 1, Tier.gold: 2, Tier.platinum: 3}
SURVEY_DAYS = 30


# ---------------------------------------------------------------------------
# Settings


async def insight_settings() -> dict[str, Any]:
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


# Each setting's decimals (0: a whole number) and bounds; the columns hold these decimals.
SETTING_FIELDS: dict[str, tuple[int, Decimal, Decimal]] = {
    "churn_after_days": (0, Decimal(30), Decimal(1000)),
    "annual_discount_rate": (4, Decimal("0"), Decimal("0.5")),
    "default_margin_percent": (2, Decimal("0"), Decimal("95")),
    "horizon_quarters": (0, Decimal(1), Decimal(40)),
    "high_share_percent": (0, Decimal(5), Decimal(95)),
    "satisfaction_threshold": (2, Decimal("0"), Decimal("10")),
}
# The largest exchange rate a Numeric(16, 8) column holds, and its decimals.
MAX_RATE = Decimal("99999999")
RATE_PLACES = 8


async def save_settings(viewer: Viewer, data: Mapping[str, str]) -> SaveResult:
    """Change the definitions and thresholds (brand admins); exchange rates as "KRW 0.0052" lines."""
    access.require(viewer, InsightAction.manage_insights)
    current = await insight_settings()
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, (places, lowest, highest) in SETTING_FIELDS.items():
        parsed = inputs.decimal(data.get(name) or "", places=places, maximum=highest)
        if isinstance(parsed, inputs.Invalid) and parsed.message != inputs.NUMBER_OUT_OF_RANGE:
            is_number = parsed.message == inputs.TOO_MANY_DECIMALS
            errors[name] = parsed.text() if is_number else _("Enter a number.")
        elif isinstance(parsed, inputs.Invalid) or not lowest <= parsed <= highest:
            errors[name] = _("Between %(low)s and %(high)s.", low=lowest, high=highest)
        else:
            values[name] = int(parsed) if places == 0 else parsed
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
        code = parts[0].upper()
        rate = inputs.decimal(
            parts[1] if len(parts) > 1 else "", places=RATE_PLACES, maximum=MAX_RATE
        )
        if len(code) != 3 or not code.isalpha() or isinstance(rate, inputs.Invalid) or rate <= 0:
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


def _day_expression() -> str:
    if is_sqlite():
        return "date(o.submitted_at)"
    return "CAST(o.submitted_at AT TIME ZONE 'UTC' AS date)"


def _last_day_expression() -> str:
    if is_sqlite():
        return "date(MAX(o.submitted_at))"
    return "CAST(MAX(o.submitted_at AT TIME ZONE 'UTC') AS date)"


@access.system_query("the health job: the whole order book, summed")
async def _order_facts(by_day: bool = False) -> list[dict[str, Any]]:
    """Booked order lines summed per buyer, month (or day), season and currency, in SQL:
    revenue, the cost of lines whose style has a unit cost, and the revenue of lines
    without one."""
    statuses = ", ".join(f"'{status.value}'" for status in BOOKED_STATUSES)
    period = _day_expression() if by_day else _month_expression()
    sql = f"""
        SELECT o.buyer AS organisation, {period} AS month,
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
        GROUP BY o.buyer, {period}, COALESCE(s.code, ''), o.currency
    """
    return await PartnerMonth.raw(sql)


async def _converted_facts(by_day: bool = False) -> dict[tuple[int, date, str], dict[str, Any]]:
    """_order_facts in the reporting currency, currencies merged: orders, pieces, revenue
    and margin per (organisation, month or day, season)."""
    settings = await insight_settings()
    rates = await exchange_rates()
    keep = 1 - _as_decimal(settings["default_margin_percent"]) / 100
    merged: dict[tuple[int, date, str], dict[str, Any]] = {}
    for row in await _order_facts(by_day):
        rate = rates.get(row["currency"], Decimal(1))
        revenue = _as_decimal(row["revenue"]) * rate
        cost = (
            _as_decimal(row["known_cost"]) + _as_decimal(row["revenue_without_cost"]) * rate * keep
        )
        key = (row["organisation"], as_date(row["month"]), row["season_code"])
        entry = merged.setdefault(
            key, {"orders": 0, "pieces": 0, "revenue": Decimal(0), "margin": Decimal(0)}
        )
        entry["orders"] += int(row["orders"])
        entry["pieces"] += int(row["pieces"])
        entry["revenue"] += revenue
        entry["margin"] += revenue - cost
    return merged


@access.system_query("the health job: every partner's last order days")
async def last_order_days(since: date | None = None) -> dict[tuple[int, date], date]:
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
        (row["organisation"], as_date(row["month"])): as_date(row["last_day"])
        for row in await PartnerMonth.raw(sql, *arguments)
    }


def as_date(value: Any) -> date:
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
    merged = await _converted_facts()
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


async def order_days() -> dict[int, dict[date, Decimal]]:
    """Each partner's days with a booked order and the margin booked that day (the
    "transactions" the lifetime models count)."""
    days: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (organisation, day, _season), entry in (await _converted_facts(by_day=True)).items():
        days[organisation][day] += entry["margin"]
    return days


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
        month = as_date(row["month"])
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


# The stored parameters of the lifetime models, for the pages' explanation.
LIFETIME_MODEL_KEY = "lifetime-model"


def _prediction(
    models: lifetime.Models, summary: lifetime.BuyingSummary, quarters: int, annual_rate: float
) -> dict[str, Any]:
    """One partner's predicted value and what it is made of."""
    expected, value = lifetime.discounted_value(
        models.orders,
        models.values,
        summary.x,
        summary.t_x,
        summary.T,
        summary.mean_value,
        quarters,
        annual_rate,
    )
    return {
        "predicted_value": Decimal(str(round(value, 2))),
        "expected_orders": round(expected, 3),
        "alive_probability": round(
            models.orders.alive_probability(summary.x, summary.t_x, summary.T), 4
        ),
        "margin_per_order": Decimal(
            str(round(models.values.conditional_expected_value(summary.x, summary.mean_value), 2))
        ),
    }


def _model_parameters(models: lifetime.Models) -> dict[str, float]:
    orders, values = models.orders, models.values
    return {
        "r": orders.r,
        "alpha": orders.alpha,
        "a": orders.a,
        "b": orders.b,
        "p": values.p,
        "q": values.q,
        "gamma": values.gamma,
    }


class LifetimeModel(TypedDict, total=False):
    """What the last computation fitted: how many partners it had and, when their history
    was long enough to fit the models, the models' parameters (_model_parameters)."""

    partners: Required[int]
    r: float
    alpha: float
    a: float
    b: float
    p: float
    q: float
    gamma: float


async def lifetime_model() -> LifetimeModel | None:
    """The parameters the last computation fitted (with how many partners), if any."""
    row = (
        await KpiSnapshot.select(KpiSnapshot.payload)
        .where(KpiSnapshot.key == LIFETIME_MODEL_KEY)
        .first()
    )
    if row is None:
        return None
    model: LifetimeModel = json.loads(row["payload"])
    return model


@access.system_query("the health job: every buying partner's surveys and complaints")
async def _feedback_since(since: datetime) -> tuple[dict[int, list[int]], dict[int, int]]:
    """Each partner's survey scores and number of complaints since ``since``."""
    scores: dict[int, list[int]] = defaultdict(list)
    for row in await Survey.select(Survey.organisation, Survey.score).where(
        (Survey.answered_at >= since) & Survey.score.is_not_null()
    ):
        scores[row["organisation"]].append(row["score"])
    complaints: dict[int, int] = defaultdict(int)
    for row in await TimelineEntry.select(TimelineEntry.organisation).where(
        (TimelineEntry.kind == InteractionKind.complaint) & (TimelineEntry.occurred_at >= since)
    ):
        complaints[row["organisation"]] += 1
    return scores, complaints


@dataclass
class _MetricsRun:
    """What every partner's figures of one day are computed against."""

    today: date
    settings: Mapping[str, Any]
    seasons: list[str]
    scores: Mapping[int, list[int]]
    complaints: Mapping[int, int]
    summaries: Mapping[int, lifetime.BuyingSummary]  # each partner that has bought
    models: lifetime.Models | None  # None when the history is too short to fit

    @property
    def current_month(self) -> date:
        return self.today.replace(day=1)

    @property
    def annual_rate(self) -> Decimal:
        return _as_decimal(self.settings["annual_discount_rate"])

    def partner_figures(
        self, partner: Mapping[str, Any], history: PartnerHistory, last_order: date | None
    ) -> dict[str, Any]:
        """One partner's row of partner_metrics, before the ranks among all partners."""
        today, current_month = self.today, self.current_month
        churn_days = self.settings["churn_after_days"]
        first_month = min(history.monthly_orders) if history.monthly_orders else None
        days_since = (today - last_order).days if last_order else None
        churned = partner["status"] == PartnerStatus.churned or (
            days_since is not None and days_since > churn_days
        )
        summary = self.summaries.get(partner["id"])
        prediction = (
            _prediction(
                self.models, summary, self.settings["horizon_quarters"], float(self.annual_rate)
            )
            if self.models is not None
            and summary is not None
            and partner["status"] != PartnerStatus.churned
            else None
        )
        months_ago = {
            month: months_between(month, current_month) for month in history.monthly_orders
        }
        active_quarters = len({ago // 3 for ago in months_ago.values() if 0 <= ago < 24})
        last_year = [month for month, ago in months_ago.items() if 0 <= ago < 12]
        revenue_12m = sum((history.monthly_revenue[month] for month in last_year), Decimal(0))
        margin_12m = sum((history.monthly_margin[month] for month in last_year), Decimal(0))
        by_months_ago = {
            months_between(month, current_month): margin
            for month, margin in history.monthly_margin.items()
            if month <= current_month
        }
        scores, complaints = (
            self.scores.get(partner["id"], []),
            self.complaints.get(partner["id"], 0),
        )
        return {
            "organisation": partner["id"],
            "computed_on": today,
            "first_order_on": first_month,
            "last_order_on": last_order,
            "orders_12m": sum(history.monthly_orders[month] for month in last_year),
            "revenue_12m": revenue_12m.quantize(metrics.CENT),
            "margin_12m": margin_12m.quantize(metrics.CENT),
            "historical_value": metrics.historical_value(by_months_ago, self.annual_rate),
            **(prediction or {}),
            "loyalty": metrics.loyalty_score(
                active_quarters,
                (today - first_month).days if first_month else 0,
                len(history.seasons & set(self.seasons)),
                len(self.seasons),
            ),
            "satisfaction": metrics.satisfaction_score(scores, complaints),
            "surveys": len(scores),
            "complaints": complaints,
            "churned": churned,
            "churn_risk": metrics.churn_risk(
                days_since,
                churn_days,
                prediction["alive_probability"] if prediction else None,
                churned,
            ),
            "days_since": days_since,
        }


def _rank_and_segment(computed: Mapping[int, dict[str, Any]], settings: Mapping[str, Any]) -> None:
    """Add each partner's RFM quintiles among the partners that ordered, and its segment
    from its place in the brand's own distribution (the top share of each value)."""
    ordered = {key: row for key, row in computed.items() if row["last_order_on"] is not None}
    recency = metrics.quintiles({key: -float(row["days_since"]) for key, row in ordered.items()})
    frequency = metrics.quintiles({key: float(row["orders_12m"]) for key, row in ordered.items()})
    monetary = metrics.quintiles({key: float(row["revenue_12m"]) for key, row in ordered.items()})
    share = settings["high_share_percent"] / 100
    cutoffs = {
        name: metrics.top_share_cutoff([float(row.get(name, 0)) for row in ordered.values()], share)
        for name in ("historical_value", "predicted_value", "loyalty")
    }

    def high(row: Mapping[str, Any], name: str) -> bool:
        value, cutoff = float(row.get(name, 0)), cutoffs[name]
        return value > 0 and cutoff is not None and value >= cutoff

    for key, row in computed.items():
        row["rfm_recency"] = recency.get(key, 0)
        row["rfm_frequency"] = frequency.get(key, 0)
        row["rfm_monetary"] = monetary.get(key, 0)
        satisfaction = row["satisfaction"]
        row["segment"] = metrics.segment_code(
            high(row, "historical_value"),
            high(row, "predicted_value"),
            high(row, "loyalty"),
            None
            if satisfaction is None
            else satisfaction >= float(settings["satisfaction_threshold"]),
        )
        # Stored as 0 with no answers: the page reads the number of surveys first.
        row["satisfaction"] = satisfaction or 0.0
        del row["days_since"]


@access.system_query("the health job: every buying partner's metrics")
async def _store_metrics(
    today: date, computed: Mapping[int, dict[str, Any]], run: _MetricsRun
) -> None:
    """Replace today's snapshot and the lifetime model's parameters, in one transaction."""
    async with write_transaction():
        await PartnerMetrics.delete().where(PartnerMetrics.computed_on == today)
        await KpiSnapshot.delete().where(KpiSnapshot.key == LIFETIME_MODEL_KEY)
        await KpiSnapshot.insert(
            KpiSnapshot(
                key=LIFETIME_MODEL_KEY,
                computed_on=today,
                payload=json.dumps(
                    {
                        "partners": len(run.summaries),
                        **(_model_parameters(run.models) if run.models else {}),
                    }
                ),
            )
        )
        rows = [PartnerMetrics(**row) for row in computed.values()]
        for start in range(0, len(rows), 500):
            await PartnerMetrics.insert(*rows[start : start + 500])


@access.system_query("the health job: every buying partner's metrics")
async def recompute_metrics(today: date) -> int:
    """Every buying partner's CLV, loyalty, satisfaction, RFM, segment and churn risk as of
    ``today``; replaces today's snapshot (so running twice a day keeps one)."""
    settings = await insight_settings()
    histories = await _histories()
    partners = await Organisation.select(Organisation.id, Organisation.status).where(
        Organisation.kind.is_in(BUYING_KINDS)
    )
    year_ago = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    scores, complaints = await _feedback_since(year_ago)
    summaries = {
        organisation: lifetime.buying_summary(
            {day: float(margin) for day, margin in days.items()}, today
        )
        for organisation, days in (await order_days()).items()
        if any(day <= today for day in days)
    }
    run = _MetricsRun(
        today,
        settings,
        await _recent_seasons(),
        scores,
        complaints,
        summaries,
        lifetime.fit_models(list(summaries.values())),
    )
    # The last order day per partner, in one pass (not a scan of every partner's months
    # per partner: that was partners x months, 96 million steps at 2,000 partners).
    last_order_of: dict[int, date] = {}
    for (organisation, _month), day in (await last_order_days()).items():
        if organisation not in last_order_of or day > last_order_of[organisation]:
            last_order_of[organisation] = day
    computed = {
        partner["id"]: run.partner_figures(
            partner,
            histories.get(partner["id"], PartnerHistory()),
            last_order_of.get(partner["id"]),
        )
        for partner in partners
    }
    _rank_and_segment(computed, settings)
    await _store_metrics(today, computed, run)
    return len(computed)


# Orders still under way: what they hold is never suggested.
OPEN_STATUSES = (
    OrderStatus.draft,
    OrderStatus.submitted,
    OrderStatus.confirmed,
    OrderStatus.in_production,
    OrderStatus.partially_shipped,
)
# Nor is what any order of the last year held (cancelled and rejected ones aside).
RECENT_ORDER_DAYS = 365


@access.system_query("the health job: every partner's styles, bought and on order")
async def _baskets(today: date) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(styles each buying partner has booked, styles in its open or recent orders)."""
    booked = ", ".join(f"'{status.value}'" for status in BOOKED_STATUSES)
    open_ = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)
    kinds = ", ".join(f"'{kind}'" for kind in BUYING_KINDS)
    since = datetime.combine(today - timedelta(days=RECENT_ORDER_DAYS), datetime.min.time(), UTC)
    rows = await PartnerMonth.raw(
        f"""SELECT DISTINCT o.buyer AS organisation, l.style AS style,
                   CASE WHEN o.status IN ({booked}) THEN 1 ELSE 0 END AS booked,
                   CASE WHEN o.status IN ({open_}) OR (o.status NOT IN ('cancelled', 'rejected')
                        AND o.created_at >= {{}}) THEN 1 ELSE 0 END AS held
            FROM sales_order_line l JOIN sales_order o ON o.id = l."order"
            JOIN organisation g ON g.id = o.buyer
            WHERE g.kind IN ({kinds})""",
        since,
    )
    baskets: dict[int, set[int]] = defaultdict(set)
    held: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row["booked"]:
            baskets[row["organisation"]].add(row["style"])
        if row["held"]:
            held[row["organisation"]].add(row["style"])
    return baskets, held


@access.system_query("the health job: every partner's cross-sell")
async def recompute_cross_sell(
    today: date,
    minimum_support: int = 3,
    minimum_confidence: float = 0.3,
    minimum_lift: float = 1.2,
    per_partner: int = 5,
) -> int:
    """For each partner, active styles that partners who buy what it buys are likelier than
    others to buy (association rules, insights/association.py), never one it has in an open
    or recent order."""
    baskets, held = await _baskets(today)
    found = association.rules(baskets, minimum_support, minimum_confidence, minimum_lift)
    orderable = set(
        await Style.select(Style.id).where(Style.status == StyleStatus.active).output(as_list=True)
    )
    suggestions = [
        CrossSell(
            organisation=organisation,
            style=rule.style,
            because_of=rule.reason,
            buyers_of_both=rule.both,
            buyers_of_reason=rule.buyers_of_reason,
            confidence=rule.confidence,
            lift=rule.lift,
        )
        for organisation, basket in baskets.items()
        for rule in association.suggestions(
            {
                reason: [rule for rule in rules if rule.style in orderable]
                for reason, rules in found.items()
            },
            basket,
            held[organisation],
            per_partner,
        )
    ]
    async with write_transaction():
        await CrossSell.delete(force=True)
        for start in range(0, len(suggestions), 1000):
            await CrossSell.insert(*suggestions[start : start + 1000])
    return len(suggestions)
