"""A style's reorder forecast as its page shows it: the monthly order history, the
forecast to the end of the plan or of the style's season, whichever comes first, its
prediction interval and the model used. The arithmetic is planning.forecast_series, the
same the material plan uses (forecasting.compute_requirements); this only gathers one
style's history and lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from partner_portal import charts
from partner_portal.access import Viewer, VisibleStyle, narrow, require, style_filter
from partner_portal.catalog.tables import Season, Style
from partner_portal.clock import utcnow
from partner_portal.i18n import N_, format_date_skeleton, format_number
from partner_portal.i18n import gettext as _
from suppliers import planning
from suppliers.access import SupplierAction, get_forecast_style
from suppliers.forecasting import ForecastSettings, history_window, order_history, season_ends
from suppliers.planning import ForecastModel, MonthlyForecast

# What each model is, in words, for the page.
MODEL_NAMES = {
    ForecastModel.seasonal: N_("Seasonal exponential smoothing, ETS(A,N,A), 12-month season"),
    ForecastModel.level: N_("Simple exponential smoothing, ETS(A,N,N): a level, no season"),
    ForecastModel.intermittent: N_(
        "Intermittent demand, SBA: the size of an order and the months between orders"
    ),
    ForecastModel.mean: N_("The mean of the months ordered"),
    ForecastModel.none: N_("No forecast: no orders in the history"),
}
MODEL_REASONS = {
    ForecastModel.seasonal: N_(
        "%(months)d months of history: two full years or more, so the season is fitted."
    ),
    ForecastModel.level: N_(
        "%(months)d months of history: fewer than the %(needed)d a season needs, so only "
        "the level is fitted."
    ),
    ForecastModel.intermittent: N_(
        "Orders in %(ordered)d of %(months)d months, on average %(apart)s months apart: "
        "smoothing the empty months in with the others would forecast a little every "
        "month, so the size of an order and the time between orders are forecast apart. "
        "The interval is a month with no order up to a large one."
    ),
    ForecastModel.mean: N_(
        "%(months)d months of history: too few to fit a model, so their mean is used."
    ),
    ForecastModel.none: N_("The style has no orders in the last %(window)d months."),
}


@dataclass(frozen=True)
class MonthRow:
    month: date
    label: str
    ordered: float | None
    forecast: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class StyleForecastView:
    style: VisibleStyle
    season_code: str
    season_end: date | None
    origin: date
    history: list[MonthRow]
    forecast: MonthlyForecast
    months_forecast: list[MonthRow]
    history_months: int
    pattern: planning.DemandPattern
    chart: charts.Chart

    @property
    def model_name(self) -> str:
        return _(MODEL_NAMES[self.forecast.model])

    @property
    def model_reason(self) -> str:
        return _(
            MODEL_REASONS[self.forecast.model],
            months=self.history_months,
            needed=planning.SEASONAL_FROM_MONTHS,
            window=ForecastSettings().history_months,
            ordered=self.pattern.months_ordered,
            apart=format_number(round(self.pattern.adi, 2)),
        )

    @property
    def origin_label(self) -> str:
        return _label(self.origin)

    @property
    def season_over(self) -> bool:
        return self.season_end is not None and self.season_end < self.origin

    @property
    def forecast_total(self) -> float:
        return sum(self.forecast.mean)


def _label(month: date) -> str:
    return format_date_skeleton(month, "yM")


async def style_forecast(viewer: Viewer, style_uuid: UUID) -> StyleForecastView:
    """The page of one style's reorder forecast (404 for a style the viewer may not see,
    403 without the action: suppliers.access.get_forecast_style)."""
    style = await get_forecast_style(viewer, style_uuid)
    settings = ForecastSettings()
    first_week = planning.monday_of(utcnow().date())
    start, origin_day = history_window(first_week, settings)
    monthly, _mix = await order_history(start, origin_day, style.id)
    season_end = (await season_ends(style.id)).get(style.id)
    season = await Season.select(Season.code).where(Season.id == style.season).first()
    origin = planning.month_number(first_week)
    series = planning.style_series(monthly.get(style.id, {}), origin)
    horizon = planning.months_until(first_week, settings.garment_weeks, season_end)
    forecast = planning.forecast_series(series, horizon)
    first = origin - len(series)
    history = [
        MonthRow(
            planning.month_of(first + index),
            _label(planning.month_of(first + index)),
            value,
            None,
            None,
            None,
        )
        for index, value in enumerate(series)
    ]
    ahead = [
        MonthRow(
            planning.month_of(origin + index),
            _label(planning.month_of(origin + index)),
            None,
            round(forecast.mean[index], 1),
            round(forecast.lower[index], 1),
            round(forecast.upper[index], 1),
        )
        for index in range(len(forecast.mean))
    ]
    rows = history + ahead
    chart = charts.chart(
        [row.label for row in rows],
        [[row.ordered for row in rows], [row.forecast for row in rows]],
        [_("Ordered"), _("Forecast")],
        ranges=[
            (row.lower, row.upper) if row.lower is not None and row.upper is not None else None
            for row in rows
        ],
        range_name=_("%(percent)d%% prediction interval", percent=round(forecast.coverage * 100)),
    )
    return StyleForecastView(
        style=style,
        season_code=season["code"] if season else "",
        season_end=season_end,
        origin=planning.month_of(origin),
        history=history,
        forecast=forecast,
        months_forecast=ahead,
        history_months=len(series),
        pattern=planning.demand_pattern(series),
        chart=chart,
    )


@dataclass(frozen=True)
class StyleReorders:
    """A style in the index of reorder forecasts: pieces ordered in the last year."""

    uuid: UUID
    code: str
    name_en: str
    name_zh: str
    name_ko: str
    pieces_last_year: int
    months_ordered: int


async def style_index(viewer: Viewer) -> list[StyleReorders]:
    """Every style the viewer may see with its orders of the last 12 months (the most
    ordered first), linking to each style's forecast; fitting happens on the style's page."""
    require(viewer, SupplierAction.view_reorder_forecast)
    settings = ForecastSettings()
    first_week = planning.monday_of(utcnow().date())
    start, origin_day = history_window(first_week, settings)
    monthly, _mix = await order_history(start, origin_day)
    origin = planning.month_number(first_week)
    styles = await narrow(
        Style.select(Style.id, Style.uuid, Style.code, Style.name_en, Style.name_zh, Style.name_ko),
        style_filter(viewer),
    )
    rows = []
    for style in styles:
        by_month = monthly.get(style["id"], {})
        rows.append(
            StyleReorders(
                uuid=style["uuid"],
                code=style["code"],
                name_en=style["name_en"],
                name_zh=style["name_zh"],
                name_ko=style["name_ko"],
                pieces_last_year=sum(
                    quantity for month, quantity in by_month.items() if month >= origin - 12
                ),
                months_ordered=sum(1 for quantity in by_month.values() if quantity),
            )
        )
    return sorted(rows, key=lambda row: (-row.pieces_last_year, row.code))
