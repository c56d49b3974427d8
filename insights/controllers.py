"""Partner health pages: the dashboard with its drill-down and exports, segments and
treatments, satisfaction, settings, and the public survey page. Thin: parse, call a
service, render."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Stream, Template

from insights import figures, metrics, network, segmentation, snapshots, surveys
from insights.access import InsightAction
from insights.network import KpiTable
from insights.snapshots import FigureRef
from partner_portal import access, charts
from partner_portal.access import Viewer
from partner_portal.clock import utcnow
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import gettext as _
from partner_portal.i18n import translate
from partner_portal.inputs import MAX_PAGE, whole_number
from partner_portal.web import (
    CurrentViewer,
    csv_download,
    redirect_after_post,
    render,
    xlsx_download,
)

KPI_ORDER = tuple(metrics.DEFINITIONS)


def _today() -> date:
    return utcnow().date()


def _choices(params: Mapping[str, str]) -> tuple[str, int, str]:
    period = params.get("period", "month")
    period = period if period in network.PERIOD_KINDS else "month"
    count_text = params.get("count", "")
    count = whole_number(count_text, minimum=1, maximum=36) or network.DEFAULT_COUNTS[period]
    dimension = params.get("by", "")
    return period, count, dimension if dimension in network.DIMENSIONS else ""


def _figure(params: Mapping[str, str]) -> FigureRef:
    """The figure a drill-down link (or the follow-up form's copy of it) names."""
    period, count, dimension = _choices(params)
    kpi = params.get("kpi", "active")
    return FigureRef(
        period_kind=period,
        count=count,
        dimension=dimension,
        group=params.get("group", ""),
        window=params.get("window", ""),
        kpi=kpi if kpi in metrics.DEFINITIONS else "active",
    )


def _figure_query(figure: FigureRef, window: str) -> str:
    return urlencode(
        {
            "period": figure.period_kind,
            "count": figure.count,
            "by": figure.dimension,
            "group": figure.group,
            "window": window,
            "kpi": figure.kpi,
        }
    )


# The breakdown shows this many groups a page (every KAM's 8 quarters at once took three
# times the rendering of the 12 months page); the exports hold every group.
GROUPS_PER_PAGE = 2


def _group_page(request: AnyRequest, table: KpiTable) -> tuple[list[tuple[str, str]], int, int]:
    """All partners, then one page of the breakdown's groups; (groups, page, pages)."""
    breakdown = table.groups[1:]
    pages = max(1, math.ceil(len(breakdown) / GROUPS_PER_PAGE))
    page_text = request.query_params.get("page", "")
    page = min(whole_number(page_text, minimum=1, maximum=MAX_PAGE) or 1, pages)
    first = (page - 1) * GROUPS_PER_PAGE
    return [*table.groups[:1], *breakdown[first : first + GROUPS_PER_PAGE]], page, pages


def _chart(table: KpiTable, kpis: Sequence[str], names: Sequence[str] = ()) -> charts.Chart:
    """The figures of all partners for these KPIs, one series each, over the periods."""
    return charts.chart(
        [window.label for window in table.periods],
        [
            [float(table.figure("", window.key, kpi).value or 0) for window in table.periods]
            for kpi in kpis
        ],
        names,
    )


@get("/insights", include_in_schema=False)
async def dashboard(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, InsightAction.view_insights)
    period, count, dimension = _choices(request.query_params)
    table = await snapshots.dashboard_kpis(viewer, period, count, dimension, _today())
    groups, page, pages = _group_page(request, table)
    return render(
        request,
        "insights/dashboard.html",
        {
            "table": table,
            "groups": groups,
            "page": page,
            "pages": pages,
            "breakdown_size": len(table.groups) - 1,
            "first_group": (page - 1) * GROUPS_PER_PAGE + 1,
            "period": period,
            "count": count,
            "dimension": dimension,
            "dimensions": network.DIMENSIONS,
            "kpis": KPI_ORDER,
            "money_kpis": network.MONEY_KPIS,
            "definitions": metrics.DEFINITIONS,
            "seasons_explanation": network.SEASONS_EXPLANATION,
            "revenue_chart": _chart(table, ["revenue"]),
            "partners_chart": _chart(
                table, ["active", "new", "churned"], [_("Active"), _("New"), _("Churned")]
            ),
        },
    )


@get("/insights/partners", include_in_schema=False)
async def drill_down(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """The partners behind one figure, a page at a time, with a form to plan follow-ups for
    the chosen ones or for all of them at once."""
    access.require(viewer, InsightAction.view_insights)
    figure = _figure(request.query_params)
    page_text = request.query_params.get("page", "")
    drill = await snapshots.drill_down(
        viewer, figure, _today(), whole_number(page_text, minimum=1, maximum=MAX_PAGE) or 1
    )
    return render(
        request,
        "insights/drill.html",
        {
            "drill": drill,
            "partners": drill.partners,
            "kpi": figure.kpi,
            "definition": metrics.DEFINITIONS[figure.kpi],
            "window": drill.window,
            "figure_query": _figure_query(figure, drill.window),
            "group_label": dict(drill.table.groups).get(figure.group, ""),
            "back": f"/insights?period={figure.period_kind}&count={figure.count}&by={figure.dimension}",
            "planned": request.query_params.get("planned"),
            "skipped": request.query_params.get("skipped"),
            "errors": {},
            "kinds": segmentation.FOLLOW_UP_KINDS,
        },
    )


@post("/insights/follow-ups", include_in_schema=False)
async def plan_follow_ups(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    access.require(viewer, InsightAction.plan_insight_follow_ups)
    form = await request.form()
    partner_uuids = []
    if form.get("everyone") == "1":
        figure = _figure(dict(parse_qsl(str(form.get("figure", "")))))
        partner_uuids = await snapshots.figure_partner_uuids(viewer, figure, _today())
    for raw in form.getall("partner", []):
        try:
            partner_uuids.append(UUID(str(raw)))
        except ValueError:
            continue
    due_in_days = whole_number(str(form.get("due_in_days", "7")), maximum=365)
    result = await segmentation.plan_follow_ups(
        viewer,
        partner_uuids,
        str(form.get("title", "")),
        str(form.get("kind", "call")),
        7 if due_in_days is None else due_in_days,
        str(form.get("reason", "insights"))[:80],
    )
    back = str(form.get("back", "/insights"))
    if not back.startswith("/insights"):
        back = "/insights"
    if result.errors:
        message = " ".join(result.errors.values())
        return Response(content=message, status_code=400, media_type="text/plain; charset=utf-8")
    separator = "&" if "?" in back else "?"
    return redirect_after_post(
        request, f"{back}{separator}planned={result.created}&skipped={result.already_planned}"
    )


def _export_table(table: KpiTable) -> tuple[list[str], list[dict[str, Any]]]:
    """The dashboard's figures as a header of translated labels and one row per group and
    period; figures stay Decimals (numbers in the file, exact)."""
    kpis = {kpi: translate(metrics.DEFINITIONS[kpi][0]) for kpi in KPI_ORDER}
    group_column, period_column = _("Group"), _("Period")
    header = [group_column, period_column, *kpis.values()]
    rows = [
        {
            group_column: label,
            period_column: window.label,
            **{name: table.figure(group, window.key, kpi).value for kpi, name in kpis.items()},
        }
        for group, label in table.groups
        for window in table.periods
    ]
    return header, rows


async def _dashboard_table(request: AnyRequest, viewer: Viewer) -> KpiTable:
    access.require(viewer, InsightAction.view_insights)
    period, count, dimension = _choices(request.query_params)
    return await snapshots.dashboard_kpis(viewer, period, count, dimension, _today())


@get("/insights/export.csv", include_in_schema=False)
async def export_csv(request: AnyRequest, viewer: CurrentViewer) -> Stream:
    header, rows = _export_table(await _dashboard_table(request, viewer))
    return csv_download(header, rows, "partner-network.csv")


@get("/insights/export.xlsx", include_in_schema=False)
async def export_xlsx(request: AnyRequest, viewer: CurrentViewer) -> Response[bytes]:
    header, rows = _export_table(await _dashboard_table(request, viewer))
    return await xlsx_download(header, rows, "partner-network.xlsx", title="KPIs")


@get("/insights/segments", include_in_schema=False)
async def segments(request: AnyRequest, viewer: CurrentViewer) -> Template:
    overview = await segmentation.segment_overview(viewer)
    return render(
        request, "insights/segments.html", {**overview, "kinds": segmentation.FOLLOW_UP_KINDS}
    )


@post("/insights/treatments", include_in_schema=False)
async def save_treatment(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    segment = data.get("segment", "")
    result = await segmentation.save_treatment(viewer, segment, data)
    if not result.saved:
        return Response(
            content=" ".join(result.errors.values()),
            status_code=400,
            media_type="text/plain; charset=utf-8",
        )
    return redirect_after_post(request, f"/insights/segments#segment-{segment}")


@get("/insights/satisfaction", include_in_schema=False)
async def satisfaction(request: AnyRequest, viewer: CurrentViewer) -> Template:
    results = await surveys.satisfaction_results(viewer, _today())
    return render(request, "insights/satisfaction.html", {"results": results})


async def _settings_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {"values": values, "errors": errors, "fields": figures.SETTING_FIELDS}


@get("/insights/settings", include_in_schema=False)
async def settings_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, InsightAction.manage_insights)
    current = await figures.insight_settings()
    rates = await figures.exchange_rates()
    values = {name: current[name] for name in figures.SETTING_FIELDS}
    values["exchange_rates"] = "\n".join(f"{code} {rate}" for code, rate in sorted(rates.items()))
    return render(request, "insights/settings.html", await _settings_context(values, {}))


@post("/insights/settings", include_in_schema=False)
async def save_settings(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await figures.save_settings(viewer, data)
    if not result.saved:
        return render(
            request,
            "insights/settings.html",
            await _settings_context(dict(data), result.errors),
            status_code=400,
        )
    return redirect_after_post(request, "/insights/settings?saved=1")


@post("/insights/recompute", include_in_schema=False)
async def recompute(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    access.require(viewer, InsightAction.manage_insights)
    await snapshots.recompute_all()
    return redirect_after_post(request, "/insights/segments")


@get("/survey/{token:str}", include_in_schema=False)
async def survey_page(request: AnyRequest, token: FromPath[str]) -> Template:
    view = await surveys.survey_for_token(token)
    status = 404 if view.survey is None else 200
    return render(
        request,
        "insights/survey.html",
        {"view": view, "errors": {}, "token": token},
        status_code=status,
    )


@post("/survey/{token:str}", include_in_schema=False)
async def answer_survey(request: AnyRequest, token: FromPath[str], data: Form) -> Template:
    result = await surveys.answer_survey(token, data.get("score", ""), data.get("comment", ""))
    view = await surveys.survey_for_token(token)
    if not result.saved:
        status = 404 if view.survey is None else 400
        return render(
            request,
            "insights/survey.html",
            {"view": view, "errors": result.errors, "token": token, "values": data},
            status_code=status,
        )
    return render(
        request,
        "insights/survey.html",
        {"view": view, "errors": {}, "token": token, "thanks": True},
    )


insight_routes = [
    dashboard,
    drill_down,
    plan_follow_ups,
    export_csv,
    export_xlsx,
    segments,
    save_treatment,
    satisfaction,
    settings_page,
    save_settings,
    recompute,
    survey_page,
    answer_survey,
]
