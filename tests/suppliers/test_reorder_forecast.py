"""A style's reorder forecast: seasonal where two full years of history allow it, a level
or a mean where they do not (and the page says which), never past the style's season,
always with a prediction interval around it; and its page, in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from partner_portal.partners.tables import User
from suppliers import planning
from suppliers.planning import ForecastModel, forecast_series
from tests.suppliers.support import NOW, add_order, make_style
from tests.support import Cast, PortalClient

# Pieces per month, January to December: spring sells, midsummer and winter are quiet.
SEASON = [20.0, 30.0, 60.0, 90.0, 80.0, 50.0, 30.0, 20.0, 40.0, 60.0, 50.0, 30.0]
# Three years of it, each year a little off (+2, −2, 0 pieces) so there is noise to fit.
THREE_YEARS = [value + offset for offset in (2.0, -2.0, 0.0) for value in SEASON]


def test_a_seasonal_history_is_forecast_month_by_month_from_its_season() -> None:
    forecast = forecast_series(THREE_YEARS, 12)

    assert forecast.model == ForecastModel.seasonal
    # Each month comes out as that month of the years before, within a few pieces.
    for month, expected in enumerate(SEASON):
        assert abs(forecast.mean[month] - expected) < 5, (month, forecast.mean[month])
    # April is forecast busier than January and than midsummer.
    assert forecast.mean[3] > forecast.mean[0] + 50 and forecast.mean[3] > forecast.mean[7] + 50


def test_the_interval_holds_the_forecast_and_never_goes_below_zero() -> None:
    noisy = [value * (1.3 if index % 5 == 0 else 0.8) for index, value in enumerate(THREE_YEARS)]
    for history in (THREE_YEARS, noisy, noisy[:14], [12.0, 0.0, 30.0, 4.0]):
        forecast = forecast_series(history, 6)
        for low, value, high in zip(forecast.lower, forecast.mean, forecast.upper, strict=True):
            assert 0 <= low <= value <= high
        # Real noise gives a real interval.
        assert forecast.upper[0] - forecast.lower[0] > 1
    assert forecast_series(noisy, 6).coverage == 0.8


def test_a_short_history_falls_back_to_a_level_then_to_the_mean() -> None:
    assert forecast_series(THREE_YEARS[:23], 3).model == ForecastModel.level
    assert forecast_series(THREE_YEARS[:6], 3).model == ForecastModel.level
    # Three months: their mean, 20, with 20 ± z(0.9) · s · √(1 + 1/3), s = 10.
    short = forecast_series([10.0, 20.0, 30.0], 2)
    assert short.model == ForecastModel.mean
    assert short.mean == [20.0, 20.0]
    assert round(short.lower[0], 2) == 5.20 and round(short.upper[0], 2) == 34.80
    assert forecast_series([], 2).model == ForecastModel.none
    assert forecast_series([0.0, 0.0], 2).mean == [0.0, 0.0]


def test_the_forecast_stops_at_the_end_of_the_season() -> None:
    monday = date(2027, 1, 25)  # the week of 25–31 January, then 1–7 February
    assert planning.months_until(monday, 2, date(2027, 1, 31)) == 1
    assert planning.months_until(monday, 2, None) == 2
    assert planning.months_until(monday, 2, date(2026, 12, 31)) == 0
    origin = planning.month_number(monday)
    weeks = planning.weekly_from_monthly(monday, 2, origin, [310.0, 280.0], date(2027, 1, 31))
    assert weeks == [70.0, 0.0]
    assert planning.weekly_from_monthly(monday, 2, origin, [310.0, 280.0], None) == [70.0, 70.0]


async def test_a_kam_reads_a_styles_forecast_in_chinese(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW  # 6 January 2027
    shirt = await make_style()
    # Two full years and more (October 2024 to December 2026) of the season above.
    for months_ago in range(27, 0, -1):
        number = planning.month_number(date(2027, 1, 1)) - months_ago
        month = planning.month_of(number)
        pieces = int(SEASON[month.month - 1])
        await add_order(
            cast.distributor_a.id, shirt, {("BLK", "M"): pieces},
            status="delivered", submitted_at=datetime(month.year, month.month, 10, tzinfo=UTC),
        )  # fmt: skip
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.kam.id)
    await client.log_in(cast.kam)

    index = await client.get("/suppliers/reorders")
    assert index.status_code == 200, index.headers
    assert f"/suppliers/reorders/{shirt.style_uuid}" in index.text
    page = await client.get(f"/suppliers/reorders/{shirt.style_uuid}")

    assert page.status_code == 200
    text = page.text
    assert "季节性指数平滑" in text  # the seasonal model, named
    assert "27 个月的历史" in text  # and why it was chosen
    assert "<svg" in text and 'role="img"' in text  # the chart, with its text alternative
    assert "80% 预测区间" in text
    assert '<th scope="row">2027/4</th>' in text  # April among the months forecast
    # A partner's user sees the style in the catalog, not its orders across all buyers.
    await client.log_in(cast.distributor)
    assert (await client.get(f"/suppliers/reorders/{shirt.style_uuid}")).status_code == 403
