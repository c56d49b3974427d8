"""Predicted lifetime value by the standard models of non-contractual buying, fitted on the
brand's own order history (plain numbers in, numbers out; no database).

- **BG/NBD** for how many orders a partner will place: while "alive", a partner orders at a
  Poisson rate λ that varies across partners as Gamma(r, α); after each order it drops out
  with a probability p that varies as Beta(a, b). Fader, Hardie & Lee (2005), "'Counting
  Your Customers' the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science
  24(2), 275–284; equation numbers below are the paper's.
- **Gamma-Gamma** for what each order is worth: a partner's order values vary around its own
  mean, Gamma(p, ν) with ν ~ Gamma(q, γ), independent of how often it orders. Fader, Hardie
  & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal
  of Marketing Research 42(4), 415–430; Fader & Hardie (2013), "The Gamma-Gamma Model of
  Monetary Value" (brucehardie.com/notes/025).

Both are fitted by maximum likelihood (scipy's L-BFGS-B on the logarithms of the
parameters, so they stay positive). A kept library was measured and not taken: `lifetimes`
is unmaintained since 2020 and pulls pandas, autograd and dill for these few formulas;
scipy and numpy are here already (statsmodels needs them).

Time is in weeks; a "transaction" is a day with at least one booked order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

Numbers = NDArray[numpy.float64]
# Fewer partners than this cannot carry four parameters: no prediction is made.
MINIMUM_PARTNERS = 8
WEEKS_PER_QUARTER = 13.0
# The search stays within e^-8 .. e^8 for every parameter (a tiny history cannot push one
# to infinity and stop the job).
LOG_BOUND = 8.0


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float

    def log_likelihood(self, x: Sequence[float], t_x: Sequence[float], T: Sequence[float]) -> float:
        """The sample's log-likelihood (equation 6, summed over partners)."""
        return float(_bgnbd_log_likelihood(self.as_array(), *_arrays(x, t_x, T)).sum())

    def as_array(self) -> Numbers:
        return numpy.array([self.r, self.alpha, self.a, self.b])

    def expected_orders(self, t: float) -> float:
        """E[X(t)]: repeat orders a new partner is expected to place in ``t`` weeks (eq. 7)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + t)
        return float(
            (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
        )

    def conditional_expected_orders(self, t: float, x: float, t_x: float, T: float) -> float:
        """E[Y(t) | x, t_x, T]: orders expected in the next ``t`` weeks from a partner with
        ``x`` repeat orders, the last ``t_x`` weeks after its first, watched for ``T`` (eq. 10)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        ahead = (
            (a + b + x - 1)
            / (a - 1)
            * (
                1
                - ((alpha + T) / (alpha + T + t)) ** (r + x)
                * hyp2f1(r + x, b + x, a + b + x - 1, z)
            )
        )
        return float(ahead * self.alive_probability(x, t_x, T))

    def alive_probability(self, x: float, t_x: float, T: float) -> float:
        """P(alive | x, t_x, T) (eq. 11 of the paper's technical appendix): 1 before any
        repeat order (the model lets a partner drop out only right after an order)."""
        if x == 0:
            return 1.0
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        return float(1 / (1 + odds))


def _arrays(*columns: Sequence[float]) -> tuple[Numbers, ...]:
    return tuple(numpy.asarray(column, dtype=numpy.float64) for column in columns)


def _bgnbd_log_likelihood(params: Numbers, x: Numbers, t_x: Numbers, T: Numbers) -> Numbers:
    """Each partner's log-likelihood (equation 6 written with logarithms)."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * numpy.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * numpy.log(alpha + T)
    repeat = x > 0
    # Only partners with repeat orders have the second term (δ_{x>0}).
    a4 = numpy.where(
        repeat,
        numpy.log(a)
        - numpy.log(numpy.where(repeat, b + x - 1, 1))
        - (r + x) * numpy.log(alpha + t_x),
        -numpy.inf,
    )
    return a1 + a2 + numpy.logaddexp(a3, a4)


def _fit(negative_log_likelihood: object, count: int) -> Numbers:
    result = minimize(
        negative_log_likelihood,
        numpy.zeros(count),
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * count,
    )
    return numpy.exp(result.x)  # type: ignore[no-any-return]


def fit_bgnbd(x: Sequence[float], t_x: Sequence[float], T: Sequence[float]) -> BgNbd | None:
    """The BG/NBD parameters most likely to have produced these partners' histories, or
    None for fewer than MINIMUM_PARTNERS partners."""
    if len(x) < MINIMUM_PARTNERS:
        return None
    data = _arrays(x, t_x, T)
    params = _fit(
        lambda logs: -_bgnbd_log_likelihood(numpy.exp(logs), *data).sum() / len(data[0]), 4
    )
    return BgNbd(*(float(value) for value in params))


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float

    def conditional_expected_value(self, x: float, mean_value: float) -> float:
        """E[M | x, m̄]: the value a partner's next orders are expected to have, from its
        ``x`` repeat orders worth ``mean_value`` on average; with none, the population mean
        pγ/(q−1) (Fader & Hardie 2013, eq. 3 and 4)."""
        p, q, gamma = self.p, self.q, self.gamma
        return (gamma + x * mean_value) * p / (p * x + q - 1)

    def log_likelihood(self, x: Sequence[float], mean_value: Sequence[float]) -> float:
        return float(
            _gamma_gamma_log_likelihood(
                numpy.array([self.p, self.q, self.gamma]), *_arrays(x, mean_value)
            ).sum()
        )


def _gamma_gamma_log_likelihood(params: Numbers, x: Numbers, mean: Numbers) -> Numbers:
    """Each partner's log-likelihood of its mean order value given x orders (note 025, eq. 1)."""
    p, q, gamma = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * numpy.log(gamma)
        + (p * x - 1) * numpy.log(mean)
        + p * x * numpy.log(x)
        - (p * x + q) * numpy.log(gamma + x * mean)
    )


def fit_gamma_gamma(x: Sequence[float], mean_value: Sequence[float]) -> GammaGamma | None:
    """The Gamma-Gamma parameters from partners with repeat orders of positive mean value,
    or None for fewer than MINIMUM_PARTNERS of them. q is kept above 1 (the population mean
    pγ/(q−1) must exist)."""
    kept = [
        (count, mean) for count, mean in zip(x, mean_value, strict=True) if count > 0 and mean > 0
    ]
    if len(kept) < MINIMUM_PARTNERS:
        return None
    counts, means = _arrays([count for count, _mean in kept], [mean for _count, mean in kept])

    def negative(logs: Numbers) -> float:
        p, q_less_one, gamma = numpy.exp(logs)
        params = numpy.array([p, 1 + q_less_one, gamma])
        return float(-_gamma_gamma_log_likelihood(params, counts, means).sum() / len(counts))

    p, q_less_one, gamma = _fit(negative, 3)
    return GammaGamma(float(p), float(1 + q_less_one), float(gamma))


def discounted_value(
    orders: BgNbd,
    values: GammaGamma,
    x: float,
    t_x: float,
    T: float,
    mean_value: float,
    quarters: int,
    annual_rate: float,
) -> tuple[float, float]:
    """(expected orders over the next ``quarters``, their value discounted to today): each
    quarter's expected orders E[Y(13q)] − E[Y(13(q−1))] times the expected value per order,
    discounted at the annual rate for the quarter's end."""
    per_order = values.conditional_expected_value(x, mean_value)
    quarterly_rate = (1 + annual_rate) ** 0.25 - 1
    total = value = 0.0
    for quarter in range(1, quarters + 1):
        cumulative = orders.conditional_expected_orders(quarter * WEEKS_PER_QUARTER, x, t_x, T)
        value += (cumulative - total) * per_order / (1 + quarterly_rate) ** quarter
        total = cumulative
    return total, value


@dataclass(frozen=True)
class BuyingSummary:
    """What the models read of one partner: ``x`` repeat order days, the last ``t_x``
    weeks after the first, watched for ``T`` weeks, and the mean value of the repeats."""

    x: int
    t_x: float
    T: float
    mean_value: float


def buying_summary(values_by_day: Mapping[date, float], today: date) -> BuyingSummary:
    """A partner's summary from the value of each day it ordered (days before ``today``)."""
    days = sorted(day for day in values_by_day if day <= today)
    repeats = [values_by_day[day] for day in days[1:]]
    return BuyingSummary(
        x=len(repeats),
        t_x=(days[-1] - days[0]).days / 7,
        T=(today - days[0]).days / 7,
        mean_value=sum(repeats) / len(repeats) if repeats else 0.0,
    )


@dataclass(frozen=True)
class Models:
    orders: BgNbd
    values: GammaGamma
    partners: int


def fit_models(summaries: Sequence[BuyingSummary]) -> Models | None:
    """Both models fitted on these partners, or None when either cannot be."""
    orders = fit_bgnbd(
        [row.x for row in summaries], [row.t_x for row in summaries], [row.T for row in summaries]
    )
    values = fit_gamma_gamma([row.x for row in summaries], [row.mean_value for row in summaries])
    if orders is None or values is None:
        return None
    return Models(orders, values, len(summaries))
