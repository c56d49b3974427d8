"""Reorder forecast backtest (issue 19): how well monthly booked pieces per style are
forecast on the demo history, against the seasonal naive forecast.

For each style with booked orders in at least MINIMUM_MONTHS months, the last HOLDOUT
months are held out and forecast from the months before by

1. seasonal naive: the same month a year earlier;
2. ETS(A,N,N), simple exponential smoothing (statsmodels ETSModel), a level alone;
3. ETS(A,N,A) with a 12-month season, where two full years precede the forecast origin
   (fewer cannot separate the season from the noise);
4. SBA (suppliers.planning.sba_forecast): Croston's method with the Syntetos–Boylan
   correction, for every style;
5. smoothing only (suppliers.planning.smoothing_forecast): the portal's choice before SBA
   (the seasonal model where two full years of the style's history allow it, else the
   level, else the mean);
6. the reorder forecast as the portal runs it (suppliers.planning.forecast_series: SBA for
   intermittent or lumpy histories by the ADI/CV² rule, else 5.).

For 5. and 6.: how often the held-out months fall inside the 80% prediction interval and
the CPU time of the fit per style. Each style's demand class (smooth, erratic,
intermittent, lumpy: ADI 1.32, CV² 0.49, over the months before the origin) is counted.

Errors per style: MASE (mean absolute error over the in-sample mean absolute error of the
seasonal naive forecast, m = 12) and sMAPE (mean of 2|F − A| / (|F| + |A|), in %), then
averaged over the styles. Reads a SQLite database the demo data was loaded into:

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/threadline migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/threadline demo-data
    .venv/bin/python bench/forecast_backtest.py /tmp/demo.sqlite3

Prints a Markdown report (append it to bench/RESULTS.md).
"""

from __future__ import annotations

import sqlite3
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from statistics import mean

import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HOLDOUT = 6
SEASON = 12
MINIMUM_MONTHS = 18
BOOKED = ("confirmed", "in_production", "partially_shipped", "shipped", "delivered")


def monthly_pieces(path: str) -> dict[str, list[float]]:
    """Booked pieces per style code and whole month, from the first month of any booking
    to the last month before this one (months without orders are 0)."""
    connection = sqlite3.connect(path)
    rows = connection.execute(
        f"""SELECT s.code, strftime('%Y-%m', o.submitted_at), SUM(l.quantity)
            FROM sales_order_line l JOIN sales_order o ON o.id = l."order"
            JOIN style s ON s.id = l.style
            WHERE o.status IN ({", ".join("?" for _ in BOOKED)}) AND o.submitted_at IS NOT NULL
              AND strftime('%Y-%m', o.submitted_at) < strftime('%Y-%m', 'now')
            GROUP BY 1, 2""",
        BOOKED,
    ).fetchall()
    months = sorted({month for _code, month, _pieces in rows})
    index = {month: position for position, month in enumerate(months)}
    series: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(months))
    for code, month, pieces in rows:
        series[code][index[month]] = float(pieces)
    return dict(series)


def seasonal_naive(train: list[float], horizon: int) -> list[float]:
    return [train[len(train) - SEASON + step % SEASON] for step in range(horizon)]


def ets(train: list[float], horizon: int, seasonal: bool) -> list[float]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(
            numpy.asarray(train),
            error="add",
            trend=None,
            seasonal="add" if seasonal else None,
            seasonal_periods=SEASON if seasonal else None,
        )
        fitted = model.fit(disp=False)
    return [float(value) for value in fitted.forecast(horizon)]


def mase(train: list[float], actual: list[float], forecast: list[float]) -> float | None:
    scale = mean(abs(train[i] - train[i - SEASON]) for i in range(SEASON, len(train)))
    if scale == 0:
        return None
    return mean(abs(a - f) for a, f in zip(actual, forecast, strict=True)) / scale


def smape(actual: list[float], forecast: list[float]) -> float:
    return 100 * mean(
        0.0 if a == f == 0 else 2 * abs(f - a) / (abs(f) + abs(a))
        for a, f in zip(actual, forecast, strict=True)
    )


def demand_class(history: list[float]) -> str:
    from suppliers.planning import LUMPY_CV2, demand_pattern

    pattern = demand_pattern(history)
    if pattern.intermittent:
        return "lumpy" if pattern.lumpy else "intermittent"
    return "erratic" if pattern.cv2 >= LUMPY_CV2 else "smooth"


def main(path: str) -> None:
    from suppliers.planning import (
        MonthlyForecast,
        forecast_series,
        sba_forecast,
        smoothing_forecast,
    )

    series = monthly_pieces(path)
    errors: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    models: dict[str, int] = defaultdict(int)
    classes: dict[str, int] = defaultdict(int)
    inside: dict[str, int] = defaultdict(int)
    fit_seconds: dict[str, list[float]] = defaultdict(list)
    months_held = styles = 0
    for pieces in series.values():
        if sum(1 for value in pieces if value) < MINIMUM_MONTHS or len(pieces) <= HOLDOUT + SEASON:
            continue
        styles += 1
        train, actual = pieces[:-HOLDOUT], pieces[-HOLDOUT:]
        # The portal's forecasts fit from the style's first month with orders.
        history = train[train.index(next(value for value in train if value)) :]
        classes[demand_class(history)] += 1
        fitted: dict[str, MonthlyForecast] = {}
        for name, fit in (
            ("smoothing only (the choice before SBA)", smoothing_forecast),
            ("the portal's forecast (forecast_series)", forecast_series),
        ):
            started = time.process_time()
            fitted[name] = fit(history, HOLDOUT)
            fit_seconds[name].append(time.process_time() - started)
        portal = fitted["the portal's forecast (forecast_series)"]
        models[portal.model.value] += 1
        methods = {
            "seasonal naive": seasonal_naive(train, HOLDOUT),
            "ETS(A,N,N)": ets(train, HOLDOUT, seasonal=False),
        }
        if len(train) >= 2 * SEASON:
            methods["ETS(A,N,A), 12 months"] = ets(train, HOLDOUT, seasonal=True)
        methods["SBA, every style"] = sba_forecast(history, HOLDOUT, portal.coverage).mean
        months_held += HOLDOUT
        for name, forecast in fitted.items():
            methods[name] = forecast.mean
            inside[name] += sum(
                low <= value <= high
                for value, low, high in zip(actual, forecast.lower, forecast.upper, strict=True)
            )
        for name, forecast_values in methods.items():
            scaled = mase(train, actual, forecast_values)
            if scaled is not None:
                errors[name]["mase"].append(scaled)
            errors[name]["smape"].append(smape(actual, forecast_values))
    months = len(next(iter(series.values()), []))
    print(
        f"{styles} styles with orders in at least {MINIMUM_MONTHS} of {months} months; "
        f"the last {HOLDOUT} months held out. Demand classes before the origin: "
        f"{dict(sorted(classes.items()))}.\n"
    )
    print("| method | styles | MASE (mean) | sMAPE % (mean) |")
    print("|---|---:|---:|---:|")
    for name, values in errors.items():
        print(
            f"| {name} | {len(values['smape'])} | {mean(values['mase']):.2f} | "
            f"{mean(values['smape']):.1f} |"
        )
    print(f"\nThe portal's forecast chose {dict(sorted(models.items()))}.")
    for name, seconds in fit_seconds.items():
        print(
            f"- {name}: {inside[name]} of {months_held} held-out months "
            f"({100 * inside[name] / max(1, months_held):.0f}%) inside its 80% prediction "
            f"interval; {1000 * mean(seconds or [0.0]):.1f} ms of CPU per style (mean)."
        )
    if not any("12 months" in name for name in errors):
        print(
            f"\nETS(A,N,A) was not fitted: {months - HOLDOUT} months precede the origin, "
            f"{2 * SEASON} are needed."
        )


if __name__ == "__main__":
    main(sys.argv[1])
