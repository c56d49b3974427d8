"""The formulas of partner health, as plain functions of numbers (no database), so each is
defined once, explained once (DEFINITIONS) and tested on hand-computed examples."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from partner_portal.i18n import N_

CENT = Decimal("0.01")

# Every figure's name and how it is computed: the dashboard's tooltips and the API's docs.
DEFINITIONS: dict[str, tuple[str, str]] = {
    "active": (
        N_("Active partners"),
        N_("Partners with at least one booked order in the period."),
    ),
    "new": (
        N_("New partners"),
        N_(
            "Partners whose first booked order ever falls in the period. Rate: of the active partners."
        ),
    ),
    "churned": (
        N_("Churned partners"),
        N_(
            "Partners that had ordered within the churn window at the start of the period and, by its end, have not ordered for longer than the window (or were set to churned). Rate: of the partners active at the start."
        ),
    ),
    "upgraded": (
        N_("Upgraded partners"),
        N_(
            "Partners whose tier moved up during the period (from the audit log). Rate: of the partners active at the start."
        ),
    ),
    "downgraded": (
        N_("Downgraded partners"),
        N_("Partners whose tier moved down during the period."),
    ),
    "revenue": (
        N_("Revenue"),
        N_(
            "Booked orders (confirmed and later, not cancelled or rejected) by submission date, in the reporting currency."
        ),
    ),
    "margin": (
        N_("Gross margin"),
        N_(
            "Revenue less the styles' unit costs; where a style has no cost, the default margin applies."
        ),
    ),
    "margin_per_partner": (
        N_("Average profitability per partner"),
        N_("Gross margin divided by the active partners."),
    ),
    "order_frequency": (
        N_("Order frequency"),
        N_("Booked orders per active partner in the period."),
    ),
    "average_order_value": (
        N_("Average order value"),
        N_("Revenue divided by the number of booked orders."),
    ),
}

CLV_EXPLANATION = N_(
    "Historical value: the margin of every past month, compounded to today at the annual rate. "
    "Predicted value: the average margin per quarter of the last four quarters, times the "
    "retention probability to the power of each future quarter, discounted at the quarterly rate, "
    "over the expected remaining quarters r/(1-r) (at most the horizon). Retention probability: "
    "the share of the last eight quarters with an order, kept between 0.05 and 0.95."
)


@dataclass(frozen=True)
class Clv:
    historical: Decimal
    predicted: Decimal
    margin_per_quarter: Decimal
    retention: float
    remaining_quarters: int

    @property
    def total(self) -> Decimal:
        return self.historical + self.predicted


def retention_probability(quarters_with_orders: int, quarters: int = 8) -> float:
    """The chance a partner orders again next quarter, from how regularly it has ordered."""
    if quarters <= 0:
        return 0.05
    return min(0.95, max(0.05, quarters_with_orders / quarters))


def customer_lifetime_value(
    monthly_margins: Mapping[int, Decimal],
    annual_rate: Decimal,
    horizon_quarters: int,
    churned: bool = False,
) -> Clv:
    """Discounted-margin CLV.

    ``monthly_margins`` maps months ago (0 = the current month, 1 = last month...) to the
    margin booked in that month. Quarters are counted back from the current month: months
    0-2 are the latest quarter.
    """
    rate = float(annual_rate)
    historical = sum(
        (
            margin * Decimal(str((1 + rate) ** (months_ago / 12)))
            for months_ago, margin in monthly_margins.items()
        ),
        Decimal(0),
    )
    quarters = [Decimal(0)] * 8
    for months_ago, margin in monthly_margins.items():
        if 0 <= months_ago < 24:
            quarters[months_ago // 3] += margin
    margin_per_quarter = sum(quarters[:4], Decimal(0)) / 4
    retention = retention_probability(sum(1 for margin in quarters if margin > 0))
    if churned:
        return Clv(
            historical.quantize(CENT, ROUND_HALF_UP),
            Decimal("0.00"),
            margin_per_quarter.quantize(CENT, ROUND_HALF_UP),
            0.0,
            0,
        )
    quarterly_rate = (1 + rate) ** 0.25 - 1
    remaining = min(horizon_quarters, math.ceil(retention / (1 - retention)))
    predicted = sum(
        (
            margin_per_quarter * Decimal(str(retention**quarter / (1 + quarterly_rate) ** quarter))
            for quarter in range(1, remaining + 1)
        ),
        Decimal(0),
    )
    return Clv(
        historical=historical.quantize(CENT, ROUND_HALF_UP),
        predicted=predicted.quantize(CENT, ROUND_HALF_UP),
        margin_per_quarter=margin_per_quarter.quantize(CENT, ROUND_HALF_UP),
        retention=retention,
        remaining_quarters=remaining,
    )


def loyalty_score(
    quarters_with_orders: int, tenure_days: int, seasons_ordered: int, seasons: int
) -> float:
    """0..1: regularity (share of the last 8 quarters with orders) 40%, tenure (years since
    the first order, full at 3) 30%, share of the last seasons ordered 30%."""
    regularity = quarters_with_orders / 8
    tenure = min(tenure_days / (3 * 365), 1.0)
    season_share = seasons_ordered / seasons if seasons else 0.0
    return round(0.4 * regularity + 0.3 * tenure + 0.3 * season_share, 4)


def satisfaction_score(scores: Sequence[int], complaints: int) -> float:
    """0..10: the average survey score of the last 12 months (7, neutral, without answers),
    less one point per complaint on the timeline in that time."""
    average = sum(scores) / len(scores) if scores else 7.0
    return round(max(0.0, average - complaints), 2)


def segment_code(
    value_high: bool, potential_high: bool, loyalty_high: bool, satisfaction_high: bool
) -> str:
    """The segment as four letters: value, potential, loyalty, satisfaction, each H or L."""
    return "".join(
        "H" if high else "L"
        for high in (value_high, potential_high, loyalty_high, satisfaction_high)
    )


SEGMENTS = tuple(
    segment_code(value, potential, loyalty, satisfaction)
    for value in (True, False)
    for potential in (True, False)
    for loyalty in (True, False)
    for satisfaction in (True, False)
)


def quintiles(values: Mapping[int, float], higher_is_better: bool = True) -> dict[int, int]:
    """Scores 1..5 by rank: the top fifth gets 5, the next fifth 4... Ties share the lower
    rank's score. With fewer than five partners the scores spread over 1..5 all the same."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=not higher_is_better)
    count = len(ordered)
    scores: dict[int, int] = {}
    previous: tuple[float, int] | None = None
    for rank, (key, value) in enumerate(ordered):
        score = math.ceil(5 * (rank + 1) / count)
        if previous is not None and previous[0] == value:
            score = previous[1]
        scores[key] = score
        previous = (value, score)
    return scores


def churn_risk(
    days_since_last_order: int | None, churn_after_days: int, retention: float, churned: bool
) -> str:
    """churned / high / medium / low, from the time since the last order and regularity."""
    if churned:
        return "churned"
    if days_since_last_order is None:
        return "high"
    if days_since_last_order > 0.6 * churn_after_days or retention < 0.25:
        return "high"
    if days_since_last_order > 0.3 * churn_after_days or retention < 0.5:
        return "medium"
    return "low"


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
