"""What the server-drawn bar charts need beyond their numbers: a value axis with round
ticks, and, where a series is uncertain, a range per bar (a forecast's prediction
interval). templates/_charts.html draws them as SVG with the numbers again in a table
(the text alternative); insights' health charts and suppliers' reorder forecast use them.
A chart is drawn once per what it shows (``bar_chart``, fragments.RenderedOnce): the same
figures for the next reader are the same SVG, and its macro cost more than the rest of
partner 360's scorecard."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from partner_portal.fragments import RenderedOnce

# Labels under the bars: at most about this many, every n-th one shown.
MAX_LABELS = 13


@dataclass(frozen=True)
class Chart:
    """Tuples throughout, so that a chart is a key of the charts drawn already."""

    labels: tuple[str, ...]
    # One tuple of values per series, each as long as the labels (None: no bar).
    series: tuple[tuple[float | None, ...], ...]
    names: tuple[str, ...]
    top: float
    ticks: tuple[float, ...]
    # Per label, the (low, high) of a range drawn across its bars, or None.
    ranges: tuple[tuple[float, float] | None, ...] = field(default_factory=tuple)
    range_name: str = ""
    # Show every n-th label under the bars (the table names them all).
    label_every: int = 1


def round_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def chart(
    labels: Sequence[str],
    series: Sequence[Sequence[float | None]],
    names: Sequence[str] = (),
    ranges: Sequence[tuple[float, float] | None] = (),
    range_name: str = "",
) -> Chart:
    """A chart of these series with a value axis from 0 to a round top, in quarters."""
    highest = max(
        [value for values in series for value in values if value is not None]
        + [high for bounds in ranges if bounds is not None for high in bounds[1:]],
        default=0.0,
    )
    top = round_top(highest)
    return Chart(
        labels=tuple(labels),
        series=tuple(tuple(values) for values in series),
        names=tuple(names),
        top=top,
        ticks=tuple(top * step / 4 for step in range(5)),
        ranges=tuple(ranges),
        range_name=range_name,
        label_every=max(1, math.ceil(len(labels) / MAX_LABELS)),
    )


DRAWN = RenderedOnce("_chart_bars.html", kept=500)


@pass_context
def bar_chart(
    context: Context,
    chart: Chart,
    title: str,
    money: bool = False,
    currency: str = "",
    small: bool = False,
    table: bool = False,
    period: str | None = None,
) -> Markup:
    """``{{ bar_chart(chart, title, ...) }}``: templates/_charts.html's ``bars``, drawn once
    per chart, title and options in the reader's language."""
    options = {
        "chart": chart,
        "title": title,
        "money": money,
        "currency": currency,
        "small": small,
        "table": table,
        "period": period,
    }
    key = (chart, str(title), money, currency, small, table, str(period) if period else None)
    return DRAWN.render(context.environment, key, options)
