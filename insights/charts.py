"""What the server-drawn bar charts need beyond their numbers: a value axis with round
ticks (templates/insights/_charts.html draws them)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    labels: list[str]
    # One list of values per series, each as long as the labels.
    series: list[list[float]]
    names: list[str]
    top: float
    ticks: list[float]


def round_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def chart(
    labels: Sequence[str], series: Sequence[Sequence[float]], names: Sequence[str] = ()
) -> Chart:
    """A chart of these series with a value axis from 0 to a round top, in quarters."""
    top = round_top(max((value for values in series for value in values), default=0.0))
    return Chart(
        labels=list(labels),
        series=[list(values) for values in series],
        names=list(names),
        top=top,
        ticks=[top * step / 4 for step in range(5)],
    )
