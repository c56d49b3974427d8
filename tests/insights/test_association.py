"""Association rules on six hand-counted baskets (partner → styles bought):

    A {1, 2, 3}   B {1, 2}   C {1, 2, 4}   D {1, 3}   E {2, 4}   F {4}

Buyers: style 1 four (A B C D), style 2 four (A B C E), style 3 two (A D), style 4 three
(C E F); six baskets."""

from __future__ import annotations

import pytest

from insights import association

BASKETS = {
    "A": {1, 2, 3},
    "B": {1, 2},
    "C": {1, 2, 4},
    "D": {1, 3},
    "E": {2, 4},
    "F": {4},
}
PARTNERS = {name: index for index, name in enumerate(BASKETS)}


def rules(
    support: int = 2, confidence: float = 0.0, lift: float = 0.0
) -> dict[int, list[association.Rule]]:
    return association.rules(
        {PARTNERS[name]: styles for name, styles in BASKETS.items()}, support, confidence, lift
    )


def rule(found: dict[int, list[association.Rule]], x: int, y: int) -> association.Rule:
    return next(rule for rule in found[x] if rule.style == y)


def test_confidence_and_lift_of_each_rule_by_hand() -> None:
    found = rules()

    # 1 → 2: A B C of the four buyers of 1; 2 is bought by 4 of 6 anyway.
    one_two = rule(found, 1, 2)
    assert (one_two.both, one_two.buyers_of_reason) == (3, 4)
    assert one_two.confidence == 0.75 and one_two.lift == pytest.approx(0.75 / (4 / 6))  # 1.125
    # 3 → 1: both buyers of 3 buy 1, which 4 of 6 buy: lift 1 / (4/6) = 1.5.
    assert rule(found, 3, 1).confidence == 1.0 and rule(found, 3, 1).lift == pytest.approx(1.5)
    # 1 → 3: 2 of 4, where 2 of 6 buy 3: lift 0.5 / (1/3) = 1.5.
    assert rule(found, 1, 3).lift == pytest.approx(1.5)
    # 4 → 2: C E of C E F; 2/3 over 4/6 = 1: buying 4 says nothing about 2.
    assert rule(found, 4, 2).lift == pytest.approx(1.0)


def test_rules_below_the_minimum_support_or_lift_are_dropped() -> None:
    # 3 → 2 has one basket (A) behind it; 4 → 1 one (C).
    assert all(rule.style != 2 for rule in rules()[3])
    assert all(rule.style != 1 for rule in rules()[4])
    strong = rules(support=2, lift=1.2)
    assert {(rule.reason, rule.style) for found in strong.values() for rule in found} == {
        (1, 3),
        (3, 1),
    }


def test_a_partner_is_offered_what_its_styles_lift_and_not_what_it_has() -> None:
    strong = rules(support=2, lift=1.2)

    # B bought 1 and 2: partners who buy 1 also buy 3, 2 of 4, 1.5 times as often.
    (offer,) = association.suggestions(strong, BASKETS["B"], excluded=set(), count=5)
    assert (offer.reason, offer.style, offer.both, offer.buyers_of_reason) == (1, 3, 2, 4)
    # With 3 in an open order, nothing is left to offer B.
    assert association.suggestions(strong, BASKETS["B"], excluded={3}, count=5) == []
    # D has both styles of the strong rules; E none of their reasons.
    assert association.suggestions(strong, BASKETS["D"], excluded=set(), count=5) == []
    assert association.suggestions(strong, BASKETS["E"], excluded=set(), count=5) == []
