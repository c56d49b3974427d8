"""The formulas of partner health, as plain functions of numbers (no database), so each is
defined once, explained once (DEFINITIONS) and tested on hand-computed examples."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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
            "Partners that had ordered within the churn window at the start of the period and were not churned then, and by its end have not ordered for longer than the window or were set to churned (each partner counted with the status it had then). Rate: of the partners active at the start."
        ),
    ),
    "upgraded": (
        N_("Upgraded partners"),
        N_(
            "Partners whose tier moved up during the period (from the partners' status history). Rate: of the partners active at the start."
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
    "Historical value: the margin of every past month, compounded to today at the annual "
    "discount rate. Predicted value: the orders the partner is expected to place over the "
    "horizon (the BG/NBD model: how often it orders while it still buys, and the chance it "
    "has stopped) times the margin expected per order (the Gamma-Gamma model, from its own "
    "orders and the brand's), each quarter discounted to today. Both models are fitted on "
    "the brand's own order history; a day with orders counts as one order."
)


def historical_value(monthly_margins: Mapping[int, Decimal], annual_rate: Decimal) -> Decimal:
    """Every past month's margin compounded to today at the annual rate; ``monthly_margins``
    maps months ago (0 = the current month) to the margin booked in that month."""
    rate = float(annual_rate)
    return sum(
        (
            margin * Decimal(str((1 + rate) ** (months_ago / 12)))
            for months_ago, margin in monthly_margins.items()
        ),
        Decimal(0),
    ).quantize(CENT, ROUND_HALF_UP)


def loyalty_score(
    quarters_with_orders: int, tenure_days: int, seasons_ordered: int, seasons: int
) -> float:
    """0..1: regularity (share of the last 8 quarters with orders) 40%, tenure (years since
    the first order, full at 3) 30%, share of the last seasons ordered 30%."""
    regularity = quarters_with_orders / 8
    tenure = min(tenure_days / (3 * 365), 1.0)
    season_share = seasons_ordered / seasons if seasons else 0.0
    return round(0.4 * regularity + 0.3 * tenure + 0.3 * season_share, 4)


def satisfaction_score(scores: Sequence[int], complaints: int) -> float | None:
    """0..10: the average survey score of the last 12 months less one point per complaint
    on the timeline in that time; None without answers (nothing is assumed)."""
    if not scores:
        return None
    return round(max(0.0, sum(scores) / len(scores) - complaints), 2)


def segment_code(
    value_high: bool, potential_high: bool, loyalty_high: bool, satisfaction_high: bool | None
) -> str:
    """The segment as four letters: value, potential, loyalty, satisfaction, each H or L;
    satisfaction is "-" while the partner has answered no survey."""
    letters = ["H" if high else "L" for high in (value_high, potential_high, loyalty_high)]
    return "".join(letters) + (
        "-" if satisfaction_high is None else "H" if satisfaction_high else "L"
    )


# The sixteen segments, then the eight of partners not surveyed yet.
SEGMENTS = tuple(
    segment_code(value, potential, loyalty, satisfaction)
    for satisfaction_known in (True, False)
    for value in (True, False)
    for potential in (True, False)
    for loyalty in (True, False)
    for satisfaction in ((True, False) if satisfaction_known else (None,))
)


def top_share_cutoff(values: Sequence[float], share: float) -> float | None:
    """The lowest value still among the top ``share`` of these (the partner at rank
    ceil(share × n) from the top): at or above it is "high". None without values."""
    if not values:
        return None
    ordered = sorted(values, reverse=True)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


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
    days_since_last_order: int | None,
    churn_after_days: int,
    alive_probability: float | None,
    churned: bool,
) -> str:
    """churned / high / medium / low, from the time since the last order and the chance
    the partner still buys (BG/NBD; None while the model cannot be fitted)."""
    if churned:
        return "churned"
    if days_since_last_order is None:
        return "high"
    alive = 1.0 if alive_probability is None else alive_probability
    if days_since_last_order > 0.6 * churn_after_days or alive < 0.25:
        return "high"
    if days_since_last_order > 0.3 * churn_after_days or alive < 0.5:
        return "medium"
    return "low"


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
