"""The formulas of partner health on hand-computed examples."""

from __future__ import annotations

from decimal import Decimal

from insights import metrics


def test_lifetime_value_of_a_partner_ordering_every_quarter_for_a_year() -> None:
    # 300 margin in each of the last four quarters (this month, 3, 6 and 9 months ago).
    clv = metrics.customer_lifetime_value(
        {0: Decimal(300), 3: Decimal(300), 6: Decimal(300), 9: Decimal(300)}, Decimal("0.10"), 12
    )

    # Past: 300 × (1 + 1.1^0.25 + 1.1^0.5 + 1.1^0.75) = 1,244.11.
    assert clv.historical == Decimal("1244.11")
    # 4 of the last 8 quarters with orders: retention 0.5, expected 0.5/(1-0.5) = 1 more quarter.
    assert clv.retention == 0.5
    assert clv.remaining_quarters == 1
    assert clv.margin_per_quarter == Decimal("300.00")
    # Future: 300 × 0.5 / 1.1^0.25 = 146.47.
    assert clv.predicted == Decimal("146.47")
    assert clv.total == Decimal("1390.58")


def test_a_regular_partners_future_is_capped_at_the_horizon() -> None:
    margins = {months_ago: Decimal(100) for months_ago in range(0, 24, 3)}

    clv = metrics.customer_lifetime_value(margins, Decimal("0.10"), 4)

    assert clv.retention == 0.95
    assert clv.remaining_quarters == 4
    # 100 × Σ_{t=1..4} 0.95^t / 1.1^(t/4) = 100 × (0.92763 + 0.86049 + 0.79822 + 0.74046).
    assert clv.predicted == Decimal("332.68")


def test_a_churned_partner_has_no_future_value() -> None:
    clv = metrics.customer_lifetime_value({12: Decimal(500)}, Decimal("0.10"), 12, churned=True)

    assert clv.predicted == Decimal("0.00")
    assert clv.historical == Decimal("550.00")


def test_loyalty_weighs_regularity_tenure_and_seasons() -> None:
    # 6 of 8 quarters (0.3), two years of three (0.2), 3 of 4 seasons (0.225).
    assert metrics.loyalty_score(6, 730, 3, 4) == 0.725


def test_satisfaction_is_the_average_score_less_a_point_per_complaint() -> None:
    assert metrics.satisfaction_score([9, 10, 8], 1) == 8.0
    assert metrics.satisfaction_score([], 0) == 7.0
    assert metrics.satisfaction_score([2], 5) == 0.0


def test_segments_are_sixteen_and_read_value_potential_loyalty_satisfaction() -> None:
    assert len(set(metrics.SEGMENTS)) == 16
    assert metrics.segment_code(True, False, True, False) == "HLHL"


def test_rfm_quintiles_give_the_top_fifth_a_five_and_ties_one_score() -> None:
    assert metrics.quintiles({1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0, 5: 50.0}) == {
        1: 1,
        2: 2,
        3: 3,
        4: 4,
        5: 5,
    }
    assert metrics.quintiles({1: 1.0, 2: 1.0, 3: 5.0}) == {1: 2, 2: 2, 3: 5}


def test_churn_risk_grows_with_silence() -> None:
    assert metrics.churn_risk(20, 180, 0.9, False) == "low"
    assert metrics.churn_risk(60, 180, 0.9, False) == "medium"
    assert metrics.churn_risk(120, 180, 0.9, False) == "high"
    assert metrics.churn_risk(10, 180, 0.9, True) == "churned"
