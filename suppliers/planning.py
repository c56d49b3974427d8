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

FORECAST_METHOD = "simple_exponential_smoothing"


def smoothed_level(history: Sequence[float], alpha: float | None = None) -> tuple[float, float]:
    """(level, alpha) of simple exponential smoothing over weekly order quantities.

    The level after each week is α × that week's quantity + (1 − α) × the level before;
    the forecast for every future week is the last level. With no ``alpha`` statsmodels
    picks the one that minimises the squared one-week-ahead errors of the history.
    """
    if not history:
        return 0.0, alpha or 0.0
    if len(history) < 3 or not any(history):
        # Too short to fit: the mean is the honest estimate.
        return sum(history) / len(history), alpha or 0.0
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    with warnings.catch_warnings():
        # Short or flat series make the optimiser warn about convergence; the fit stands.
        warnings.simplefilter("ignore")
        if len(history) >= 10:
            model = SimpleExpSmoothing(list(history), initialization_method="heuristic")
        else:
            # Too few weeks for statsmodels' start-up heuristic: start from the first week.
            model = SimpleExpSmoothing(
                list(history), initialization_method="known", initial_level=history[0]
            )
        if alpha is None and len(history) >= 10:
            fitted = model.fit(optimized=True)
        else:
            fitted = model.fit(smoothing_level=alpha or 0.3, optimized=False)
    level = float(fitted.forecast(1)[0])
    return (max(0.0, level) if math.isfinite(level) else 0.0), float(
        fitted.params["smoothing_level"]
    )


def reorder_forecast(
    weekly_history: Mapping[int, Mapping[int, int]],
    history_weeks: int,
    mix: Mapping[int, Mapping[tuple[int, int], int]],
    booked: Mapping[tuple[int, int], Decimal],
    weeks: int,
    alpha: float | None = None,
) -> list[GarmentDemand]:
    """Statistical garment demand per style, colour and size for each future week.

    ``weekly_history``: style -> {week index in the history window: quantity ordered};
    ``mix``: style -> {(colourway, size): quantity} of the same history, to split a style's
    forecast by colour and size; ``booked``: (style, week) -> garments already in the order
    book for that week. The forecast only tops the book up to the smoothed level, so an
    order that is already booked is not counted twice.
    """
    forecast: list[GarmentDemand] = []
    for style_id, by_week in weekly_history.items():
        first = min(by_week)
        series = [float(by_week.get(index, 0)) for index in range(first, history_weeks)]
        level, _ = smoothed_level(series, alpha)
        if level <= 0:
            continue
        style_mix = mix.get(style_id) or {}
        mix_total = sum(style_mix.values())
        if mix_total <= 0:
            continue
        for week in range(weeks):
            expected = Decimal(str(round(level, 3))) - booked.get((style_id, week), Decimal(0))
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
    return forecast
