"""The pipeline's pages: the board and its columns' "Show more", the list, an
opportunity, its form and its moves, the forecast and the sales settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from partner_portal import access, idempotency
from partner_portal.accounts import services as accounts
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.partners import picker
from partner_portal.web import CurrentViewer, RefusedInput, is_htmx, redirect_after_post, render
from sales import board_cards, opportunities, pipeline, registrations
from sales import forecast as sales_forecast
from sales.access import SalesAction, get_opportunity
from sales.pipeline import OpportunityFilters
from sales.records import OpportunityDetail
from sales.tables import OPEN_STAGES, Stage

# A "Show more" or "Next" link whose position the pipeline did not write.
STALE_LINK = N_("This link is out of date: open the board or the list again.")


@get("/sales/opportunities", include_in_schema=False)
async def opportunity_board(request: AnyRequest, viewer: CurrentViewer) -> Template:
    filters = OpportunityFilters.from_query(request.query_params)
    columns = await pipeline.board(viewer, filters)
    return render(
        request,
        "sales/board.html",
        {
            "columns": columns,
            "filters": filters,
            "choices": await pipeline.filter_choices(viewer),
            "board_card": board_cards.board_card,
        },
        partial="sales/_board.html",
    )


@get("/sales/opportunities/column", include_in_schema=False)
async def opportunity_board_more(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """A board column's next cards, after the card its "Show more" named (htmx)."""
    access.require(viewer, SalesAction.view_opportunities)
    params = request.query_params
    stage = params.get("stage", "")
    position = (
        pipeline.parse_position(Stage(stage), str(params.get("cards_after", "")))
        if stage in Stage.__members__
        else None
    )
    if position is None:
        raise RefusedInput(_(STALE_LINK))
    filters = OpportunityFilters.from_query(params)
    column = await pipeline.more_cards(viewer, filters, Stage(stage), position)
    return render(
        request,
        "sales/_board_cards.html",
        {"column": column, "filters": filters, "board_card": board_cards.board_card},
    )


@get("/sales/opportunities/list", include_in_schema=False)
async def opportunity_list(request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
    """The list; opened without a query string it comes back with the last filters used."""
    access.require(viewer, SalesAction.view_opportunities)
    saved = await accounts.saved_filters(viewer, pipeline.LIST_NAME)
    if not request.url.query and saved and not is_htmx(request):
        return Redirect(path=f"/sales/opportunities/list?{saved}", status_code=303)
    filters = OpportunityFilters.from_query(request.query_params)
    if request.query_params.get("after") and filters.after is None:
        raise RefusedInput(_(STALE_LINK))
    if request.url.query and filters.query_string() != saved:
        await accounts.remember_filters(viewer, pipeline.LIST_NAME, filters.query_string())
    page = await pipeline.list_opportunities(viewer, filters)
    return render(
        request,
        "sales/opportunity_list.html",
        {"result": page, "filters": filters, "choices": await pipeline.filter_choices(viewer)},
        partial="sales/_opportunity_rows.html",
    )


async def _opportunity_form(
    request: AnyRequest,
    viewer: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    opportunity: OpportunityDetail | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "sales/opportunity_form.html",
        {
            "values": values,
            "errors": errors,
            "opportunity": opportunity,
            "conflicts": conflicts or [],
            "choices": await opportunities.form_choices(
                viewer, values.get("organisation"), picker.query_text(request.query_params)
            ),
        },
        status_code=status_code,
    )


@get("/sales/opportunities/new", include_in_schema=False)
async def opportunity_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SalesAction.manage_opportunities)
    values = opportunities.blank_form(viewer)
    values["organisation"] = str(request.query_params.get("partner") or "")
    values["idempotency_key"] = idempotency.new_key()
    return await _opportunity_form(request, viewer, values, {})


@post("/sales/opportunities/new", include_in_schema=False)
async def opportunity_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await opportunities.create_opportunity(viewer, data, data.get("idempotency_key", ""))
    if result.saved:
        return redirect_after_post(request, f"/sales/opportunities/{result.uuid}")
    return await _opportunity_form(request, viewer, dict(data), result.errors, status_code=400)


@get("/sales/opportunities/{opportunity_id:uuid}", include_in_schema=False)
async def opportunity_detail(
    request: AnyRequest, viewer: CurrentViewer, opportunity_id: FromPath[UUID]
) -> Template:
    view = await pipeline.opportunity_view(viewer, opportunity_id)
    return render(
        request,
        "sales/opportunity.html",
        {"opportunity": view, "stages": list(Stage), "errors": {}, "values": {}},
    )


@get("/sales/opportunities/{opportunity_id:uuid}/edit", include_in_schema=False)
async def opportunity_edit(
    request: AnyRequest, viewer: CurrentViewer, opportunity_id: FromPath[UUID]
) -> Template:
    await get_opportunity(viewer, opportunity_id, SalesAction.manage_opportunities)
    view = await pipeline.opportunity_view(viewer, opportunity_id)
    return await _opportunity_form(request, viewer, opportunities.form_values(view), {}, view)


@post("/sales/opportunities/{opportunity_id:uuid}/edit", include_in_schema=False)
async def opportunity_update(
    request: AnyRequest, viewer: CurrentViewer, opportunity_id: FromPath[UUID], data: Form
) -> Response[Any]:
    row = await get_opportunity(viewer, opportunity_id, SalesAction.manage_opportunities)
    result = await opportunities.update_opportunity(viewer, row, data)
    if result.saved:
        return redirect_after_post(request, f"/sales/opportunities/{opportunity_id}")
    values, status = result.form_again(data)
    view = await pipeline.opportunity_view(viewer, opportunity_id)
    return await _opportunity_form(
        request, viewer, values, result.errors, view, result.conflicts, status
    )


@post("/sales/opportunities/{opportunity_id:uuid}/move", include_in_schema=False)
async def opportunity_move(
    request: AnyRequest, viewer: CurrentViewer, opportunity_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """Move a card. From the board (htmx) the board comes back redrawn; from the
    opportunity's page, the page."""
    row = await get_opportunity(viewer, opportunity_id, SalesAction.manage_opportunities)
    result = await opportunities.move_opportunity(viewer, row, data)
    if result.saved and data.get("from") == "board":
        if is_htmx(request):
            filters = OpportunityFilters.from_query(data)
            return render(
                request,
                "sales/board.html",
                {
                    "columns": await pipeline.board(viewer, filters),
                    "filters": filters,
                    "board_card": board_cards.board_card,
                },
                partial="sales/_board.html",
            )
        return redirect_after_post(request, "/sales/opportunities")
    if result.saved:
        return redirect_after_post(request, f"/sales/opportunities/{opportunity_id}")
    view = await pipeline.opportunity_view(viewer, opportunity_id)
    return render(
        request,
        "sales/opportunity.html",
        {
            "opportunity": view,
            "stages": list(Stage),
            "errors": result.errors,
            "values": dict(data),
            "conflicts": result.conflicts,
        },
        status_code=409 if result.conflicts else 400,
    )


@post("/sales/opportunities/{opportunity_id:uuid}/draft", include_in_schema=False)
async def opportunity_start_draft(
    request: AnyRequest, viewer: CurrentViewer, opportunity_id: FromPath[UUID], data: Form
) -> Response[Any]:
    row = await get_opportunity(viewer, opportunity_id, SalesAction.manage_opportunities)
    link = await opportunities.start_draft(viewer, row, data.get("starter", ""))
    return redirect_after_post(request, link)


@get("/sales/forecast", include_in_schema=False)
async def forecast(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return render(
        request,
        "sales/forecast.html",
        {
            "forecast": await sales_forecast.forecast(viewer),
            "analysis": await sales_forecast.won_lost_analysis(viewer),
        },
    )


async def _settings_page(
    request: AnyRequest,
    viewer: Any,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    saved: bool = False,
) -> Template:
    access.require(viewer, SalesAction.manage_sales_settings)
    probabilities = await opportunities.stage_probabilities()
    terms = await registrations.policy()
    defaults = {
        **{stage.value: str(value) for stage, value in probabilities.items()},
        "decision_days": terms.decision_days,
        "protection_days": terms.protection_days,
    }
    return render(
        request,
        "sales/settings.html",
        {
            "values": {**defaults, **(values or {})},
            "errors": errors or {},
            "stages": OPEN_STAGES,
            "saved": saved,
        },
        status_code=400 if errors else 200,
    )


@get("/sales/settings", include_in_schema=False)
async def sales_settings(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return await _settings_page(request, viewer, saved=request.query_params.get("saved") == "1")


@post("/sales/settings", include_in_schema=False)
async def sales_settings_save(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    errors = await registrations.save_settings(viewer, data)
    if errors:
        return await _settings_page(request, viewer, errors, dict(data))
    return redirect_after_post(request, "/sales/settings?saved=1")


pipeline_routes = [
    opportunity_board,
    opportunity_board_more,
    opportunity_list,
    opportunity_new,
    opportunity_create,
    opportunity_detail,
    opportunity_edit,
    opportunity_update,
    opportunity_move,
    opportunity_start_draft,
    forecast,
    sales_settings,
    sales_settings_save,
]
