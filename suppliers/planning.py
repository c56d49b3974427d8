"""The arithmetic of material planning, free of the database: which BOM line applies to a
garment, exploding garment demand into material per week, netting it against stock and
open purchase orders, and the statistical forecast of reorders.

services.py gathers the inputs with a fixed number of queries and stores the result.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

THOUSANDTH = Decimal("0.001")
ONE = Decimal("1")
HUNDRED = Decimal("100")


class Firmness(StrEnum):
    """How sure a garment demand is: confirmed orders, submitted orders weighted by their
    probability, and the statistical forecast of orders not placed yet."""

    firm = "firm"
    likely = "likely"
    statistical = "statistical"


@dataclass(frozen=True)
class BomRow:
    style_id: int
    material_id: int
    colourway_id: int | None
    size_id: int | None
    consumption: Decimal
    wastage_percent: Decimal

    @property
    def per_garment(self) -> Decimal:
        """Consumption with wastage: 1.45 m at 5 % wastage is 1.5225 m per garment."""
        return self.consumption * (ONE + self.wastage_percent / HUNDRED)


@dataclass(frozen=True)
class MaterialStock:
    material_id: int
    supplier_id: int
    unit: str
    on_hand: Decimal


@dataclass
class MaterialWeeks:
    """One material's gross requirement by week and firmness, then its net requirement."""

    gross: dict[Firmness, list[Decimal]]
    net_total: list[Decimal] = field(default_factory=list)
    net_firm: list[Decimal] = field(default_factory=list)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def resolve_bom(
    rows: Sequence[BomRow], colourway_id: int | None, size_id: int | None
) -> dict[int, Decimal]:
    """Material id -> quantity per garment (with wastage) for one colour and size of a style.

    For each material the most specific line wins: colour and size, then size, then
    colour, then the style's general line. A demand of unknown size (a campaign that has
    not collected sizes yet) takes the mean of the size lines when there is no general line.
    """
    best: dict[int, tuple[int, Decimal]] = {}
    unsized: dict[int, list[Decimal]] = defaultdict(list)
    for row in rows:
        if row.colourway_id is not None and row.colourway_id != colourway_id:
            continue
        if row.size_id is not None and row.size_id != size_id:
            if size_id is None:
                unsized[row.material_id].append(row.per_garment)
            continue
        score = (2 if row.size_id is not None else 0) + (1 if row.colourway_id is not None else 0)
        if row.material_id not in best or score > best[row.material_id][0]:
            best[row.material_id] = (score, row.per_garment)
    resolved = {material_id: quantity for material_id, (_, quantity) in best.items()}
    for material_id, quantities in unsized.items():
        resolved.setdefault(material_id, sum(quantities, Decimal(0)) / len(quantities))
    return resolved


@dataclass(frozen=True)
class GarmentDemand:
    """Garments of a style (colour, size) needed in a week (index from the first week)."""

    style_id: int
    colourway_id: int | None
    size_id: int | None
    week: int
    firmness: Firmness
    quantity: Decimal


def explode(
    demand: Iterable[GarmentDemand],
    bom: Mapping[int, Sequence[BomRow]],
    weeks: int,
    cut_lead_weeks: int,
) -> dict[int, MaterialWeeks]:
    """Gross material requirement per material, week and firmness.

    Material is needed ``cut_lead_weeks`` before the garments' week (cutting and sewing);
    demand whose material date has passed is needed now (week 0); beyond the horizon it
    is left out.
    """
    totals: dict[tuple[int, int, int | None, int | None, Firmness], Decimal] = defaultdict(Decimal)
    for line in demand:
        material_week = max(0, line.week - cut_lead_weeks)
        if material_week >= weeks or line.quantity <= 0:
            continue
        key = (line.style_id, material_week, line.colourway_id, line.size_id, line.firmness)
        totals[key] += line.quantity
    result: dict[int, MaterialWeeks] = {}
    resolved_cache: dict[tuple[int, int | None, int | None], dict[int, Decimal]] = {}
    for (style_id, week, colourway_id, size_id, firmness), quantity in totals.items():
        cache_key = (style_id, colourway_id, size_id)
        if cache_key not in resolved_cache:
            resolved_cache[cache_key] = resolve_bom(bom.get(style_id, ()), colourway_id, size_id)
        for material_id, per_garment in resolved_cache[cache_key].items():
            weeks_of = result.get(material_id)
            if weeks_of is None:
                weeks_of = MaterialWeeks(gross={kind: [Decimal(0)] * weeks for kind in Firmness})
                result[material_id] = weeks_of
            weeks_of.gross[firmness][week] += quantity * per_garment
    return result


def round_up(quantity: Decimal, unit: str) -> Decimal:
    """Net quantities are ordered: whole pieces, or metres/kilograms to the thousandth."""
    if unit == "piece":
        return quantity.to_integral_value(rounding=ROUND_CEILING)
    return quantity.quantize(THOUSANDTH, rounding=ROUND_CEILING)


def net(
    material: MaterialWeeks,
    stock: MaterialStock,
    receipts: Sequence[Decimal],
) -> None:
    """Net requirement per week (lot for lot): stock on hand and open PO receipts cover
    the gross requirement week by week, firm demand first, and what they leave uncovered
    is the net requirement. Fills ``net_total`` and ``net_firm``."""
    balance = stock.on_hand
    weeks = len(receipts)
    material.net_total = [Decimal(0)] * weeks
    material.net_firm = [Decimal(0)] * weeks
    for week in range(weeks):
        balance += receipts[week]
        firm = material.gross[Firmness.firm][week]
        total = firm + material.gross[Firmness.likely][week]
        total += material.gross[Firmness.statistical][week]
        covered = min(max(balance, Decimal(0)), total)
        balance -= covered
        material.net_total[week] = round_up(total - covered, stock.unit)
        material.net_firm[week] = round_up(max(Decimal(0), firm - covered), stock.unit)


def rounded(quantity: Decimal) -> Decimal:
    return quantity.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- reorder forecast

# Reorders are forecast per style and calendar month: the season of apparel buying is a
# year, so a seasonal model needs two full years of a style's history (fewer cannot tell
# the season from noise); with less it is a level, and with a few months only their mean.
SEASON_MONTHS = 12
SEASONAL_FROM_MONTHS = 2 * SEASON_MONTHS
LEVEL_FROM_MONTHS = 6
# The prediction interval's coverage: four months in five fall inside it.
COVERAGE = 0.8
FORECAST_METHOD = "ets_or_sba_per_style_month"
# Intermittent demand (Syntetos, Boylan & Croston, "On the categorization of demand
# patterns", JORS 2005): when the months with orders are on average more than 1.32 months
# apart (ADI), most months are zeros and smoothing them in with the orders forecasts every
# month a little; SBA forecasts the size of an order and the interval between orders
# instead. The squared coefficient of variation of the order sizes (CV², cut at 0.49)
# tells intermittent (regular sizes) from lumpy (irregular sizes); SBA serves both.
INTERMITTENT_ADI = 1.32
LUMPY_CV2 = 0.49
# SBA's smoothing constant: 0.05–0.2 is the range its authors recommend for monthly data;
# a style's few orders a year move its estimates slowly.
SBA_ALPHA = 0.1
# Fewer orders than this cannot tell an interval between orders.
SBA_FROM_ORDERS = 3


class ForecastModel(StrEnum):
    """Which model forecast a style (shown on its page and stored with each version)."""

    seasonal = "ets_seasonal"  # ETS(A,N,A): level and a 12-month season, additive errors
    level = "ets_level"  # ETS(A,N,N): simple exponential smoothing
    intermittent = "sba"  # Croston's method with the Syntetos–Boylan correction
    mean = "mean"  # a few months only: their mean
    none = "none"  # no orders in the history


@dataclass(frozen=True)
class DemandPattern:
    """How a monthly history orders: in how many of its months, how far apart on average
    (ADI, in months) and how irregular the sizes of its orders are (CV²)."""

    months: int
    months_ordered: int
    adi: float
    cv2: float

    @property
    def intermittent(self) -> bool:
        """Months with orders far enough apart for SBA (intermittent or lumpy demand)."""
        return self.months_ordered >= SBA_FROM_ORDERS and self.adi > INTERMITTENT_ADI

    @property
    def lumpy(self) -> bool:
        return self.intermittent and self.cv2 >= LUMPY_CV2


def demand_pattern(history: Sequence[float]) -> DemandPattern:
    """ADI: the mean number of months from one month with orders to the next; CV²: the
    variance of the order sizes over their squared mean (population variance)."""
    ordered = [index for index, value in enumerate(history) if value > 0]
    sizes = [history[index] for index in ordered]
    if len(ordered) < 2:
        return DemandPattern(len(history), len(ordered), float(len(history)), 0.0)
    adi = (ordered[-1] - ordered[0]) / (len(ordered) - 1)
    centre = sum(sizes) / len(sizes)
    cv2 = sum((size - centre) ** 2 for size in sizes) / len(sizes) / centre**2
    return DemandPattern(len(history), len(ordered), adi, cv2)


@dataclass(frozen=True)
class MonthlyForecast:
    """Pieces of a style expected per month from the origin month on, with the lower and
    upper bounds of the ``coverage`` prediction interval (never below zero)."""

    model: ForecastModel
    mean: list[float]
    lower: list[float]
    upper: list[float]
    coverage: float = COVERAGE


def month_number(day: date) -> int:
    """Months since year 0: consecutive months are consecutive numbers."""
    return day.year * 12 + day.month - 1


def month_of(number: int) -> date:
    """The first day of the month ``month_number`` gave."""
    return date(number // 12, number % 12 + 1, 1)


def _days_in_month(day: date) -> int:
    following = month_of(month_number(day) + 1)
    return (following - day.replace(day=1)).days


def style_series(by_month: Mapping[int, float], origin: int) -> list[float]:
    """A style's pieces per month from its first month with orders to the month before
    ``origin`` (months without orders are 0): the history its forecast is fitted on."""
    months = [month for month in by_month if month < origin]
    if not months:
        return []
    return [float(by_month.get(month, 0)) for month in range(min(months), origin)]


def _ets(
    history: Sequence[float], horizon: int, seasonal: bool, coverage: float
) -> MonthlyForecast:
    """ETS with additive errors (statsmodels), its forecast and analytic prediction interval."""
    import pandas
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        # Short or flat series make the optimiser warn about convergence; the fit stands.
        warnings.simplefilter("ignore")
        model = ETSModel(
            # A Series: statsmodels' prediction intervals need an indexed history.
            pandas.Series(history, dtype=float),
            error="add",
            trend=None,
            seasonal="add" if seasonal else None,
            seasonal_periods=SEASON_MONTHS if seasonal else None,
        )
        fitted = model.fit(disp=False)
        frame = fitted.get_prediction(
            start=len(history), end=len(history) + horizon - 1
        ).summary_frame(alpha=1 - coverage)
    mean = [float(value) for value in frame["mean"]]
    lower = [float(value) for value in frame["pi_lower"]]
    upper = [float(value) for value in frame["pi_upper"]]
    if not all(math.isfinite(value) for value in (*mean, *lower, *upper)):
        raise ArithmeticError("the fit did not converge to finite values")
    return _bounded(
        ForecastModel.seasonal if seasonal else ForecastModel.level, mean, lower, upper, coverage
    )


def _bounded(
    model: ForecastModel,
    mean: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    coverage: float,
) -> MonthlyForecast:
    """Pieces are never negative: each figure cut at zero, the bounds around the mean."""
    means = [max(0.0, value) for value in mean]
    return MonthlyForecast(
        model,
        means,
        [min(max(0.0, low), value) for low, value in zip(lower, means, strict=True)],
        [max(high, value) for high, value in zip(upper, means, strict=True)],
        coverage,
    )


def _mean_forecast(history: Sequence[float], horizon: int, coverage: float) -> MonthlyForecast:
    """The mean of a few months, with the interval of one more draw from a normal
    distribution with their mean and spread: mean ± z · s · √(1 + 1/n)."""
    from statistics import NormalDist, mean, stdev

    centre = mean(history)
    spread = stdev(history) if len(history) > 1 else 0.0
    half = NormalDist().inv_cdf(0.5 + coverage / 2) * spread * math.sqrt(1 + 1 / len(history))
    return _bounded(
        ForecastModel.mean,
        [centre] * horizon,
        [centre - half] * horizon,
        [centre + half] * horizon,
        coverage,
    )


def _size_quantile(sizes: Sequence[float], level: float) -> float:
    """The ``level`` quantile of the order sizes, linear between the sorted sizes."""
    ordered = sorted(sizes)
    position = level * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def sba_forecast(history: Sequence[float], horizon: int, coverage: float) -> MonthlyForecast:
    """SBA (Syntetos & Boylan, "The accuracy of intermittent demand estimates", IJF 2005):
    Croston's method, which smooths the size of an order (z) and the months between orders
    (p) separately, updating both only in a month with orders, with its bias corrected:
    forecast = (1 − α/2) · z / p, the same for every month ahead. Both start from their
    means over the history's first orders (up to a year's).

    The interval is one month's demand as the model sees it: an order in a month with
    probability 1/p, of a size drawn from the history's order sizes. Its bounds are that
    distribution's quantiles (0 while the chance of no order is above the lower tail), not
    a normal interval around the mean, which a month of zero or several hundred is not."""
    ordered = [index for index, value in enumerate(history) if value > 0]
    sizes = [history[index] for index in ordered]
    start = [index for index in ordered if index < ordered[0] + SEASON_MONTHS]
    size = sum(history[index] for index in start) / len(start)
    interval = (start[-1] - start[0]) / (len(start) - 1) if len(start) > 1 else 1.0
    interval = max(1.0, interval)
    previous = ordered[0]
    for index in ordered[1:]:
        size += SBA_ALPHA * (history[index] - size)
        interval += SBA_ALPHA * (index - previous - interval)
        previous = index
    mean = (1 - SBA_ALPHA / 2) * size / interval
    chance = min(1.0, 1 / interval)

    def quantile(level: float) -> float:
        if level <= 1 - chance:
            return 0.0
        return _size_quantile(sizes, (level - (1 - chance)) / chance)

    tail = (1 - coverage) / 2
    return _bounded(
        ForecastModel.intermittent,
        [mean] * horizon,
        [quantile(tail)] * horizon,
        [quantile(1 - tail)] * horizon,
        coverage,
    )


def forecast_series(
    history: Sequence[float], horizon: int, coverage: float = COVERAGE
) -> MonthlyForecast:
    """The forecast of ``horizon`` months after a style's monthly history.

    Six months or more with orders on average more than 1.32 months apart (intermittent or
    lumpy demand, demand_pattern): SBA. Otherwise smoothing_forecast: ETS with a season
    where two full years allow it, else a level, else the mean. Every model gives an
    interval of ``coverage`` around its forecast.

    A fit depends on nothing but the history, so it is kept for the same history (a
    style's page viewed again, the plan published again in another week of the month): the
    seasonal fit costs most of a second of CPU. It is made for a year ahead at least and
    cut to ``horizon``, so a shorter plan reuses it. Each process keeps its own."""
    if horizon <= 0:
        return MonthlyForecast(ForecastModel.none, [], [], [], coverage)
    kept = _forecast_kept(tuple(history), max(horizon, SEASON_MONTHS), coverage)
    return MonthlyForecast(
        kept.model, kept.mean[:horizon], kept.lower[:horizon], kept.upper[:horizon], coverage
    )


@lru_cache(maxsize=4096)
def _forecast_kept(history: tuple[float, ...], horizon: int, coverage: float) -> MonthlyForecast:
    if not history or not any(history):
        zeros = [0.0] * horizon
        return MonthlyForecast(ForecastModel.none, zeros, zeros, zeros, coverage)
    if len(history) >= LEVEL_FROM_MONTHS and demand_pattern(history).intermittent:
        return sba_forecast(history, horizon, coverage)
    return smoothing_forecast(history, horizon, coverage)


def smoothing_forecast(
    history: Sequence[float], horizon: int, coverage: float = COVERAGE
) -> MonthlyForecast:
    """Two full years or more: ETS(A,N,A), a level and a 12-month season; six months or
    more: ETS(A,N,N), a level alone; fewer: their mean. A fit that fails falls back to the
    next simpler model."""
    if len(history) >= SEASONAL_FROM_MONTHS:
        try:
            return _ets(history, horizon, True, coverage)
        except (ArithmeticError, ValueError):  # numpy's LinAlgError is a ValueError
            pass
    if len(history) >= LEVEL_FROM_MONTHS:
        try:
            return _ets(history, horizon, False, coverage)
        except (ArithmeticError, ValueError):  # numpy's LinAlgError is a ValueError
            pass
    return _mean_forecast(history, horizon, coverage)


def weekly_from_monthly(
    first_week: date,
    weeks: int,
    origin: int,
    monthly: Sequence[float],
    season_end: date | None,
) -> list[float]:
    """A monthly forecast (month ``origin`` first) spread over the weeks from
    ``first_week``: each day takes its month's figure over the month's days; days after
    the season's end take nothing (a style is not reordered after its season)."""
    result = [0.0] * weeks
    for week in range(weeks):
        for offset in range(7):
            day = first_week + timedelta(weeks=week, days=offset)
            if season_end is not None and day > season_end:
                return result
            index = month_number(day) - origin
            if 0 <= index < len(monthly):
                result[week] += monthly[index] / _days_in_month(day)
    return result


def months_until(first_week: date, weeks: int, season_end: date | None) -> int:
    """How many months from the origin (the month of ``first_week``) a plan of ``weeks``
    reaches, cut at the season's end (0 once the season is over)."""
    last = first_week + timedelta(weeks=weeks) - timedelta(days=1)
    if season_end is not None:
        last = min(last, season_end)
    return max(0, month_number(last) - month_number(first_week) + 1)


def reorder_forecast(
    monthly_history: Mapping[int, Mapping[int, int]],
    first_week: date,
    mix: Mapping[int, Mapping[tuple[int, int], int]],
    booked: Mapping[tuple[int, int], Decimal],
    weeks: int,
    season_ends: Mapping[int, date | None],
) -> tuple[list[GarmentDemand], dict[int, ForecastModel]]:
    """Statistical garment demand per style, colour and size for each future week, and
    the model that forecast each style.

    ``monthly_history``: style -> {month_number: pieces ordered}, months before the month
    of ``first_week`` (the origin); ``mix``: style -> {(colourway, size): pieces} of the
    same history, to split a style's forecast by colour and size; ``booked``: (style,
    week) -> garments already in the order book for that week; ``season_ends``: style ->
    the last day of its season (None: no end). The forecast only tops the book up to the
    expected figure, so an order that is already booked is not counted twice.
    """
    origin = month_number(first_week)
    forecast: list[GarmentDemand] = []
    models: dict[int, ForecastModel] = {}
    for style_id, by_month in monthly_history.items():
        season_end = season_ends.get(style_id)
        horizon = months_until(first_week, weeks, season_end)
        monthly = forecast_series(style_series(by_month, origin), horizon)
        models[style_id] = monthly.model
        style_mix = mix.get(style_id) or {}
        mix_total = sum(style_mix.values())
        if mix_total <= 0 or not any(monthly.mean):
            continue
        expected_by_week = weekly_from_monthly(first_week, weeks, origin, monthly.mean, season_end)
        for week, expected_float in enumerate(expected_by_week):
            expected = Decimal(str(round(expected_float, 3))) - booked.get(
                (style_id, week), Decimal(0)
            )
            if expected <= 0:
                continue
            for (colourway_id, size_id), quantity in style_mix.items():
                forecast.append(
                    GarmentDemand(
                        style_id=style_id,
                        colourway_id=colourway_id,
                        size_id=size_id,
                        week=week,
                        firmness=Firmness.statistical,
                        quantity=expected * quantity / mix_total,
                    )
                )
    return forecast, models
