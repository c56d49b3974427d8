"""The weighted forecast of open opportunities and the won/lost analysis of closed ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.clock import utcnow
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import Role, User
from sales.access import SalesAction, scoped_opportunities
from sales.pipeline import weighted
from sales.records import ClosedGroup, ForecastGroup
from sales.tables import CLOSED_STAGES, OPEN_STAGES, Opportunity, Stage


@dataclass
class ForecastCell:
    count: int = 0
    value: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")

    def add(self, value: Decimal, probability: Decimal, count: int = 1) -> None:
        self.count += count
        self.value += Decimal(value)
        self.weighted += weighted(value, probability)


@dataclass
class Forecast:
    months: list[str]
    currencies: list[str]
    # (currency, month) -> cell; (currency, owner name, month); (currency, team name, month)
    by_month: dict[tuple[str, str], ForecastCell]
    by_owner: dict[tuple[str, str, str], ForecastCell]
    by_team: dict[tuple[str, str, str], ForecastCell]
    owners: list[str]
    teams: list[str]

    def cell(self, table: dict[Any, ForecastCell], *key: str) -> ForecastCell:
        return table.get(key, ForecastCell())


# Month as "YYYY-MM" from the ISO text of the date, the same on SQLite and PostgreSQL.
_FORECAST_SQL = """
SELECT q.currency, q.probability, q.owner,
       SUBSTR(CAST(q.expected_close_date AS TEXT), 1, 7) AS month,
       COUNT(*) AS count, SUM(q.expected_value) AS value
FROM ({}) q
GROUP BY q.currency, q.probability, q.owner, SUBSTR(CAST(q.expected_close_date AS TEXT), 1, 7)
"""


async def forecast(viewer: Viewer, months: int = 6) -> Forecast:
    """Weighted value (expected value × probability) of open opportunities by the month they
    are expected to close, per currency, per KAM and per team (the KAM's manager's team);
    anything overdue counts in the current month."""
    access.require(viewer, SalesAction.view_opportunities)
    today = utcnow().date()
    first = today.replace(day=1)
    month_keys = [_month(first, offset) for offset in range(months)]
    horizon = date.fromisoformat(f"{_month(first, months)}-01")
    # Summed in the database by month, owner, currency and probability (a few hundred
    # groups however many opportunities), the access-scoped query wrapped in SQL.
    inner = scoped_opportunities(
        Opportunity.select(
            Opportunity.currency,
            Opportunity.probability,
            Opportunity.owner,
            Opportunity.expected_close_date,
            Opportunity.expected_value,
        ),
        viewer,
    ).where(
        Opportunity.stage.is_in([stage.value for stage in OPEN_STAGES]),
        Opportunity.expected_close_date < horizon,
    )
    groups = ForecastGroup.from_rows(await Opportunity.raw(_FORECAST_SQL, inner.querystrings[0]))
    names, managers = await _owner_names()
    by_month: dict[tuple[str, str], ForecastCell] = defaultdict(ForecastCell)
    by_owner: dict[tuple[str, str, str], ForecastCell] = defaultdict(ForecastCell)
    by_team: dict[tuple[str, str, str], ForecastCell] = defaultdict(ForecastCell)
    unassigned = _("Unassigned")
    this_month = first.strftime("%Y-%m")
    for group in groups:
        month = max(group.month, this_month)
        currency = group.currency
        if group.owner is None:
            owner = team = unassigned
        else:
            owner = names.get(group.owner, unassigned)
            team = managers.get(group.owner, owner)
        cells = [by_month[currency, month], by_month[currency, "total"]]
        cells += [by_owner[currency, owner, month], by_owner[currency, owner, "total"]]
        cells += [by_team[currency, team, month], by_team[currency, team, "total"]]
        for cell in cells:
            cell.add(group.value, group.probability, group.count)
    return Forecast(
        months=month_keys,
        currencies=sorted({key[0] for key in by_month}),
        by_month=dict(by_month),
        by_owner=dict(by_owner),
        by_team=dict(by_team),
        owners=sorted({key[1] for key in by_owner}),
        teams=sorted({key[1] for key in by_team}),
    )


@access.system_query("the brand's users' names, for the pipeline's owners")
async def _owner_names() -> tuple[dict[int, str], dict[int, str]]:
    """Every brand user's name, and the name of their manager (their team), by user id:
    the sums are grouped by owner id in the database and named here."""
    rows = await User.select(
        User.id,
        User.display_name,
        User.manager._.display_name.as_alias("manager_name"),
    ).where(User.role.is_in([Role.kam.value, Role.brand_admin.value]))
    return (
        {row["id"]: row["display_name"] for row in rows},
        {row["id"]: row["manager_name"] for row in rows if row["manager_name"]},
    )


def _month(first: date, offset: int) -> str:
    month_index = first.month - 1 + offset
    return date(first.year + month_index // 12, month_index % 12 + 1, 1).strftime("%Y-%m")


@dataclass
class Outcome:
    won: int = 0
    lost: int = 0
    won_value: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    lost_value: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return (Decimal(self.won * 100) / closed).quantize(Decimal("0.1")) if closed else None


@dataclass
class Analysis:
    since: date
    overall: Outcome
    by_kind: dict[str, Outcome]
    by_owner: dict[str, Outcome]
    lost_reasons: list[tuple[str, int]]


async def won_lost_analysis(viewer: Viewer, days: int = 365) -> Analysis:
    """Opportunities closed in the last ``days``: win rate and values overall, per kind and
    per KAM, and the most frequent reasons for losing."""
    access.require(viewer, SalesAction.view_opportunities)
    since = utcnow() - timedelta(days=days)
    # Lost reasons are free text: grouped as typed, so the same words count together.
    rows = (
        await scoped_opportunities(
            Opportunity.select(
                Opportunity.stage,
                Opportunity.kind,
                Opportunity.currency,
                Opportunity.lost_reason,
                Opportunity.owner,
                Count(alias="count"),
                Sum(Opportunity.expected_value, alias="value"),
            ),
            viewer,
        )
        .where(
            Opportunity.stage.is_in([stage.value for stage in CLOSED_STAGES]),
            Opportunity.closed_at >= since,
        )
        .group_by(
            Opportunity.stage,
            Opportunity.kind,
            Opportunity.currency,
            Opportunity.lost_reason,
            Opportunity.owner,
        )
    )
    names, _managers = await _owner_names()
    overall = Outcome()
    by_kind: dict[str, Outcome] = defaultdict(Outcome)
    by_owner: dict[str, Outcome] = defaultdict(Outcome)
    reasons: dict[str, int] = defaultdict(int)
    unassigned = _("Unassigned")
    for group in ClosedGroup.from_rows(rows):
        owner = unassigned if group.owner is None else names.get(group.owner, unassigned)
        for outcome in (overall, by_kind[group.kind], by_owner[owner]):
            if group.stage == Stage.won:
                outcome.won += group.count
                outcome.won_value[group.currency] += group.value
            else:
                outcome.lost += group.count
                outcome.lost_value[group.currency] += group.value
        if group.stage == Stage.lost:
            reasons[group.lost_reason.strip()[:80]] += group.count
    return Analysis(
        since=since.date(),
        overall=overall,
        by_kind=dict(sorted(by_kind.items())),
        by_owner=dict(sorted(by_owner.items())),
        lost_reasons=sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:10],
    )
