"""Body measurements behind each size and a size suggestion from height, chest and waist
(docs/DOMAIN.md, "Sizes"): GB/T 1335 labels carry height/girth, Korean KS labels a girth, kids'
labels a height, and alpha and EU sizes follow the body chart below. Where the style has a
size chart for the person's gender (partner_portal/catalog/size_charts.py), the chart
decides instead (``chart_fit``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from partner_portal.catalog.size_charts import SizeChartRecord
from partner_portal.inputs import whole_number

# Bottoms are sized by the waist, everything else by the chest.
WAIST_CATEGORIES = frozenset({"trousers", "skirts"})

# Body measurements (cm) an alpha size fits: height, chest, waist.
ALPHA_CHART: dict[str, tuple[int, int, int]] = {
    "XS": (158, 82, 66),
    "S": (163, 86, 70),
    "M": (168, 92, 76),
    "L": (173, 98, 82),
    "XL": (178, 104, 88),
    "XXL": (183, 110, 94),
    "3XL": (186, 116, 100),
}
GB_LABEL = re.compile(r"^(\d{2,3})/(\d{2,3})([YABC])?$")


@dataclass(frozen=True)
class BodyFit:
    """The body a size fits; None where the size system says nothing about a measure."""

    label: str
    height: float | None
    chest: float | None
    waist: float | None


def body_fit(label: str, scale_kind: str, category: str) -> BodyFit:
    """What body measurements a size label stands for, in its size system."""
    by_waist = category in WAIST_CATEGORIES
    text = label.strip().upper()
    match = GB_LABEL.match(text)
    if match:
        height, girth = int(match.group(1)), int(match.group(2))
        return BodyFit(label, height, None if by_waist else girth, girth if by_waist else None)
    if text in ALPHA_CHART:
        height, chest, waist = ALPHA_CHART[text]
        return BodyFit(label, height, chest, waist)
    number = whole_number(text)
    if number is not None:
        if scale_kind == "kids":
            return BodyFit(label, number, None, None)
        if scale_kind == "numeric" and number < 70:
            # EU sizes are half the chest (48 fits a 96 cm chest); trousers half the hip.
            return BodyFit(label, None, None if by_waist else number * 2, None)
        return BodyFit(label, None, None if by_waist else number, number if by_waist else None)
    return BodyFit(label, None, None, None)


def chart_fit(fit: BodyFit, chart: SizeChartRecord | None, size_id: int) -> BodyFit:
    """The body a size fits by the style's chart for the person: where the chart gives
    height, chest or waist, those of its values (a measure it leaves out does not decide
    the size); a chart of garment measures only leaves the label's body."""
    given = {measure.code for measure in chart.measures} if chart else set()
    if chart is None or not given & {"height", "chest", "waist"}:
        return fit
    line = chart.line_for(size_id)

    def measure(code: str) -> float | None:
        value = line.values.get(code) if line else None
        return None if value is None else float(value)

    return BodyFit(fit.label, measure("height"), measure("chest"), measure("waist"))


def suggest_size(
    fits: Sequence[BodyFit],
    height: float | None = None,
    chest: float | None = None,
    waist: float | None = None,
) -> str | None:
    """The label whose body is closest to the person's, counted in size steps (height
    5 cm, girths 4 cm); the girth counts double as it decides the fit. None without
    a measurement the size system uses."""
    best: tuple[float, int, str] | None = None
    for position, fit in enumerate(fits):
        distance = 0.0
        used = False
        for wanted, offered, step, weight in (
            (height, fit.height, 5, 1),
            (chest, fit.chest, 4, 2),
            (waist, fit.waist, 4, 2),
        ):
            if wanted is not None and offered is not None:
                # Between two sizes, take the larger: a tight uniform is worn less.
                distance += weight * abs(wanted - offered) / step - (
                    0.01 if offered > wanted else 0
                )
                used = True
        if used and (best is None or (distance, position) < best[:2]):
            best = (distance, position, fit.label)
    return best[2] if best else None
