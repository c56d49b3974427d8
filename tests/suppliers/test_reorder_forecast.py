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


# Orders in 4 of 9 months: 40, then 60 three months later, 50 two later, 30 three later.
SPARSE = [40.0, 0.0, 0.0, 60.0, 0.0, 50.0, 0.0, 0.0, 30.0]


def test_a_sparse_history_is_classed_by_adi_and_cv2() -> None:
    pattern = planning.demand_pattern(SPARSE)
    # Orders in months 0, 3, 5 and 8: on average 8 / 3 months apart.
    assert pattern.months_ordered == 4 and round(pattern.adi, 4) == 2.6667
    # Sizes 40, 60, 50, 30: mean 45, variance 125, CV² = 125 / 45² = 0.0617 (regular).
    assert round(pattern.cv2, 4) == 0.0617
    assert pattern.intermittent and not pattern.lumpy
    assert planning.demand_pattern([40.0, 0.0, 0.0, 60.0, 0.0, 500.0, 0.0, 0.0, 3.0]).lumpy
    # A style ordered every month is smooth, whatever its season.
    assert not planning.demand_pattern(THREE_YEARS).intermittent
    # Two orders cannot tell an interval between orders.
    assert not planning.demand_pattern([40.0, 0.0, 0.0, 0.0, 0.0, 30.0]).intermittent


def test_a_sparse_history_is_forecast_by_sba_worked_by_hand() -> None:
    """z and p start at the means (45 pieces, 8/3 months), then with α = 0.1 at each order:
    month 3: z = 45 + 0.1·(60 − 45) = 46.5,      p = 2.6667 + 0.1·(3 − 2.6667) = 2.7
    month 5: z = 46.5 + 0.1·(50 − 46.5) = 46.85, p = 2.7 + 0.1·(2 − 2.7) = 2.63
    month 8: z = 46.85 + 0.1·(30 − 46.85) = 45.165, p = 2.63 + 0.1·(3 − 2.63) = 2.667
    forecast = (1 − 0.1/2) · 45.165 / 2.667 = 16.09 pieces a month.
    The interval: an order in a month with chance 1/2.667 = 0.375, so the 10% quantile is
    no order (0), and the 90% one is the (0.9 − 0.625)/0.375 = 0.733 quantile of the sizes
    30, 40, 50, 60: position 2.2, 50 + 0.2·10 = 52."""
    forecast = forecast_series(SPARSE, 3)
    assert forecast.model == ForecastModel.intermittent
    assert [round(value, 2) for value in forecast.mean] == [16.09] * 3
    assert forecast.lower == [0.0] * 3
    assert [round(value, 1) for value in forecast.upper] == [52.0] * 3


async def _seasonal_orders(cast: Cast, shirt: Any) -> None:
    """Two full years and more (October 2024 to December 2026) of the season above."""
    for months_ago in range(27, 0, -1):
        number = planning.month_number(date(2027, 1, 1)) - months_ago
        month = planning.month_of(number)
        pieces = int(SEASON[month.month - 1])
        await add_order(
            cast.distributor_a.id, shirt, {("BLK", "M"): pieces},
            status="delivered", submitted_at=datetime(month.year, month.month, 10, tzinfo=UTC),
        )  # fmt: skip


async def test_a_styles_page_viewed_again_keeps_its_fit_until_its_history_changes(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: Any
) -> None:
    """The seasonal fit costs most of a second of CPU: a second view of the same history
    does not fit again; a new order in a past month makes a new history, fitted anew."""
    frozen_clock.frozen_at = NOW
    shirt = await make_style()
    await _seasonal_orders(cast, shirt)
    fitted: list[int] = []
    fit = planning._ets

    def counted(history: Any, *arguments: Any) -> Any:
        fitted.append(len(history))
        return fit(history, *arguments)

    monkeypatch.setattr(planning, "_ets", counted)
    planning._forecast_kept.cache_clear()
    await client.log_in(cast.staff)
    address = f"/suppliers/reorders/{shirt.style_uuid}"
    for _view in range(2):
        page = await client.get(address)
        assert page.status_code == 200 and "ETS(A,N,A)" in page.text
    assert fitted == [27]

    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 500},
        status="delivered", submitted_at=datetime(2026, 12, 20, tzinfo=UTC),
    )  # fmt: skip
    assert (await client.get(address)).status_code == 200
    assert fitted == [27, 27]


async def test_a_merchandiser_reads_a_styles_forecast_in_chinese_and_a_kam_does_not(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW  # 6 January 2027
    shirt = await make_style()
    await _seasonal_orders(cast, shirt)
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.staff.id)
    await client.log_in(cast.staff)

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
    # A KAM sees only their own partners' orders, so not a style's orders across all
    # buyers; neither does a partner's user, who sees the style in the catalog.
    await client.log_in(cast.kam)
    assert (await client.get(f"/suppliers/reorders/{shirt.style_uuid}")).status_code == 403
    assert (await client.get("/suppliers/reorders")).status_code == 403
    await client.log_in(cast.distributor)
    assert (await client.get(f"/suppliers/reorders/{shirt.style_uuid}")).status_code == 403


async def test_an_intermittent_styles_page_names_sba_and_why(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW  # 6 January 2027: the history ends in December 2026
    shirt = await make_style()
    origin = planning.month_number(date(2027, 1, 1))
    for index, pieces in enumerate(SPARSE):
        if pieces:
            month = planning.month_of(origin - len(SPARSE) + index)
            await add_order(
                cast.distributor_a.id, shirt, {("BLK", "M"): int(pieces)},
                status="delivered", submitted_at=datetime(month.year, month.month, 10, tzinfo=UTC),
            )  # fmt: skip
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.staff.id)
    await client.log_in(cast.staff)
    text = (await client.get(f"/suppliers/reorders/{shirt.style_uuid}")).text
    assert "间歇性需求 SBA" in text
    assert "9 个月中有 4 个月有订单，平均每 2.67 个月一次" in text
    assert '<th scope="row">2027/1</th><td class="num">16</td><td class="num">0</td>' in text
