"""The formulas of partner health on hand-computed examples."""

from __future__ import annotations

from decimal import Decimal

from insights import metrics


def test_historical_value_compounds_each_past_months_margin_to_today() -> None:
    # 300 margin this month and 3, 6 and 9 months ago.
    margins = {0: Decimal(300), 3: Decimal(300), 6: Decimal(300), 9: Decimal(300)}

    # 300 × (1 + 1.1^0.25 + 1.1^0.5 + 1.1^0.75) = 1,244.11.
    assert metrics.historical_value(margins, Decimal("0.10")) == Decimal("1244.11")
    assert metrics.historical_value({12: Decimal(500)}, Decimal("0.10")) == Decimal("550.00")


def test_loyalty_weighs_regularity_tenure_and_seasons() -> None:
    # 6 of 8 quarters (0.3), two years of three (0.2), 3 of 4 seasons (0.225).
    assert metrics.loyalty_score(6, 730, 3, 4) == 0.725


def test_satisfaction_is_the_average_score_less_a_point_per_complaint() -> None:
    assert metrics.satisfaction_score([9, 10, 8], 1) == 8.0
    assert metrics.satisfaction_score([2], 5) == 0.0
    # Without answers nothing is assumed, complaints or not.
    assert metrics.satisfaction_score([], 0) is None
    assert metrics.satisfaction_score([], 2) is None


def test_segments_are_sixteen_and_eight_not_surveyed_yet() -> None:
    assert len(set(metrics.SEGMENTS)) == 24
    assert metrics.SEGMENTS[0] == "HHHH" and metrics.SEGMENTS[16] == "HHH-"
    assert metrics.segment_code(True, False, True, False) == "HLHL"
    assert metrics.segment_code(False, False, True, None) == "LLH-"


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


def test_high_is_the_top_share_of_the_brands_own_partners() -> None:
    # Top half of four: ranks 1 and 2 (40 and 30).
    assert metrics.top_share_cutoff([10.0, 40.0, 20.0, 30.0], 0.5) == 30.0
    # Top half of three rounds up to two.
    assert metrics.top_share_cutoff([1.0, 3.0, 2.0], 0.5) == 2.0
    assert metrics.top_share_cutoff([5.0], 0.05) == 5.0
    assert metrics.top_share_cutoff([], 0.5) is None
