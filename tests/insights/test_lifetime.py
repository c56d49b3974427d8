"""BG/NBD and Gamma-Gamma (insights/lifetime.py) on published figures and on histories
drawn from the models themselves.

Published: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An
Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284, fitted on the CDNOW
sample of 2,357 customers over 39 weeks: r = 0.243, α = 4.414, a = 0.793, b = 2.426; the
paper's worked example (section 5): a customer with x = 2, t_x = 30.43, T = 38.86 is
expected to make 1.226 purchases in the next 39 weeks. The expected purchases of a new
customer, E[X(t)], are those of Hardie's spreadsheet accompanying the paper
(brucehardie.com/notes/004), computed with the parameters to four decimals."""

from __future__ import annotations

import math
from datetime import date

import numpy
import pytest

from insights import lifetime
from insights.lifetime import BgNbd, GammaGamma

CDNOW = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)


def test_the_papers_worked_example_expects_1_226_purchases_in_39_weeks() -> None:
    assert CDNOW.conditional_expected_orders(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def test_expected_purchases_of_a_new_customer_match_the_published_spreadsheet() -> None:
    model = BgNbd(r=0.2426, alpha=4.4136, a=0.7929, b=2.4259)
    weeks = (0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0)
    published = (0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576)

    for t, expected in zip(weeks, published, strict=True):
        assert model.expected_orders(t) == pytest.approx(expected, abs=5e-4)


def test_the_log_likelihood_of_a_customer_without_repeat_purchases_by_hand() -> None:
    # x = 0: L = B(a, b)/B(a, b) · Γ(r)α^r / (Γ(r)(α + T)^r) = (α / (α + T))^r.
    by_hand = 0.243 * math.log(4.414 / (4.414 + 38.86))
    assert CDNOW.log_likelihood([0], [0], [38.86]) == pytest.approx(by_hand, rel=1e-12)
    # And nobody is counted out before a repeat purchase.
    assert CDNOW.alive_probability(0, 0, 38.86) == 1


def test_a_partner_silent_since_its_last_order_is_less_likely_alive() -> None:
    recent = CDNOW.alive_probability(6, 38.0, 38.86)
    silent = CDNOW.alive_probability(6, 10.0, 38.86)

    # P(alive) = 1 / (1 + a/(b + x - 1) · ((α + T)/(α + t_x))^(r + x)).
    odds = 0.793 / (2.426 + 5) * ((4.414 + 38.86) / (4.414 + 10.0)) ** (0.243 + 6)
    assert silent == pytest.approx(1 / (1 + odds))
    assert recent > 0.85 > 0.1 > silent


def simulated_customers(
    model: BgNbd, count: int, seed: int
) -> tuple[list[int], list[float], list[float]]:
    """Histories drawn from the BG/NBD story: Poisson buying at a Gamma(r, α) rate, a
    Beta(a, b) chance of dropping out after each purchase, watched 27 to 39 weeks."""
    rng = numpy.random.default_rng(seed)
    rates = rng.gamma(model.r, 1 / model.alpha, count)
    dropouts = rng.beta(model.a, model.b, count)
    watched = rng.uniform(27, 39, count)
    x, t_x = [], []
    for rate, dropout, T in zip(rates, dropouts, watched, strict=True):
        t = last = 0.0
        purchases = 0
        while True:
            t += rng.exponential(1 / rate)
            if t > T:
                break
            purchases, last = purchases + 1, t
            if rng.random() < dropout:
                break
        x.append(purchases)
        t_x.append(last)
    return x, t_x, list(watched)


def test_fitting_finds_the_parameters_a_history_was_drawn_from() -> None:
    x, t_x, T = simulated_customers(CDNOW, 2000, seed=7)

    fitted = lifetime.fit_bgnbd(x, t_x, T)

    assert fitted is not None
    for found, true in zip(fitted.as_array(), CDNOW.as_array(), strict=True):
        assert found == pytest.approx(true, rel=0.2)
    # The maximum of the likelihood is at least its value at the true parameters.
    assert fitted.log_likelihood(x, t_x, T) >= CDNOW.log_likelihood(x, t_x, T)


def test_gamma_gamma_recovers_its_parameters_and_shrinks_towards_the_mean() -> None:
    # Fader, Hardie & Lee's (2005) CDNOW spend: p = 6.25, q = 3.74, γ = 15.44.
    published = GammaGamma(p=6.25, q=3.74, gamma=15.44)
    rng = numpy.random.default_rng(11)
    means_of_partners = rng.gamma(3.74, 1 / 15.44, 1500)
    counts = rng.integers(1, 8, 1500)
    means = [
        rng.gamma(6.25, 1 / nu, n).mean() for nu, n in zip(means_of_partners, counts, strict=True)
    ]

    fitted = lifetime.fit_gamma_gamma(list(counts), means)

    assert fitted is not None
    assert fitted.p == pytest.approx(6.25, rel=0.2) and fitted.q == pytest.approx(3.74, rel=0.2)
    # No repeat orders: the population mean pγ/(q − 1) = 6.25 × 15.44 / 2.74 = 35.22.
    assert published.conditional_expected_value(0, 0) == pytest.approx(35.22, abs=0.005)
    # One order of 100 moves the estimate only part of the way from 35.22 towards 100:
    # (γ + x·m̄)·p / (p·x + q − 1) = (15.44 + 100) × 6.25 / (6.25 + 2.74) = 80.26.
    assert published.conditional_expected_value(1, 100) == pytest.approx(80.26, abs=0.005)


def test_too_few_partners_fit_nothing() -> None:
    assert lifetime.fit_bgnbd([1, 2, 0], [3.0, 5.0, 0.0], [10.0, 10.0, 10.0]) is None


def test_a_partners_summary_counts_days_with_orders_after_the_first() -> None:
    summary = lifetime.buying_summary(
        {date(2026, 1, 5): 100.0, date(2026, 1, 19): 300.0, date(2026, 2, 2): 500.0},
        today=date(2026, 3, 2),
    )

    assert summary == lifetime.BuyingSummary(x=2, t_x=4.0, T=8.0, mean_value=400.0)


def test_predicted_value_adds_each_quarters_orders_discounted() -> None:
    values = GammaGamma(p=6.25, q=3.74, gamma=15.44)

    orders, value = lifetime.discounted_value(CDNOW, values, 2, 30.43, 38.86, 40.0, 3, 0.10)

    per_order = values.conditional_expected_value(2, 40.0)
    by_quarter = [CDNOW.conditional_expected_orders(13 * q, 2, 30.43, 38.86) for q in (1, 2, 3)]
    assert orders == pytest.approx(by_quarter[2])
    increments = [by_quarter[0], by_quarter[1] - by_quarter[0], by_quarter[2] - by_quarter[1]]
    assert value == pytest.approx(
        sum(step * per_order / 1.1 ** (q / 4) for q, step in enumerate(increments, start=1))
    )
