"""Sales pages: the pipeline board, list, forecast and settings; deal registrations;
service cases and the knowledge base; the rebate ledger. Thin: parse, call a service,
render."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from partner_portal import access, uploads
from partner_portal.accounts import services as accounts
from partner_portal.i18n import N_, current_locale
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.web import (
    CurrentViewer,
    RefusedInput,
    is_htmx,
    redirect_after_post,
    render,
)
from sales import (
    care,
    cases,
    forms,
    knowledge,
    opportunities,
    pipeline,
    rebates,
    registrations,
)
from sales import forecast as sales_forecast
from sales.access import (
    SalesAction,
    get_article,
    get_case_photo,
    get_deal_registration,
    get_opportunity,
    get_service_case,
    may_register_deal,
    may_triage_case,
    require_deal_registrant,
)
from sales.cases import CaseFilters
from sales.pipeline import OpportunityFilters
from sales.tables import (
    OPEN_STAGES,
    CareTrigger,
    CaseKind,
    CasePriority,
    CaseStatus,
    RegistrationStatus,
    Stage,
)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
AnyRequest = Request[Any, Any, Any]


# A "Show more" or "Next" link whose position the pipeline did not write.
STALE_LINK = N_("This link is out of date: open the board or the list again.")


def _new_key() -> str:
    """An idempotency key for a form: sending the same form twice saves once."""
    return uuid.uuid4().hex


# ---------------------------------------------------------------------------
# Pipeline


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
    return render(request, "sales/_board_cards.html", {"column": column, "filters": filters})


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
    opportunity: dict[str, Any] | None = None,
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
            "choices": await opportunities.form_choices(viewer),
        },
        status_code=status_code,
    )


@get("/sales/opportunities/new", include_in_schema=False)
async def opportunity_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SalesAction.manage_opportunities)
    values = opportunities.blank_form(viewer)
    values["organisation"] = str(request.query_params.get("partner") or "")
    values["idempotency_key"] = _new_key()
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
                {"columns": await pipeline.board(viewer, filters), "filters": filters},
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


# ---------------------------------------------------------------------------
# Deal registrations


@get("/sales/registrations", include_in_schema=False)
async def registration_list(request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
    """The list; opened without a query string it comes back with the last filter used."""
    access.require(viewer, SalesAction.view_deal_registrations)
    saved = await accounts.saved_filters(viewer, registrations.LIST_NAME)
    if not request.url.query and saved and not is_htmx(request):
        return Redirect(path=f"/sales/registrations?{saved}", status_code=303)
    status = str(request.query_params.get("status") or "")[:20]
    if request.url.query and f"status={status}" != saved:
        await accounts.remember_filters(viewer, registrations.LIST_NAME, f"status={status}")
    rows = await registrations.list_registrations(viewer, status)
    return render(
        request,
        "sales/registrations.html",
        {
            "rows": rows,
            "status": status,
            "statuses": list(RegistrationStatus),
            "may_register": may_register_deal(viewer),
        },
        partial="sales/_registration_rows.html",
    )


@get("/sales/registrations/new", include_in_schema=False)
async def registration_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    require_deal_registrant(viewer)
    return render(
        request,
        "sales/registration_form.html",
        {"values": {"currency": "CNY", "idempotency_key": _new_key()}, "errors": {}},
    )


@post("/sales/registrations/new", include_in_schema=False)
async def registration_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await registrations.submit_registration(viewer, data, data.get("idempotency_key", ""))
    if result.saved:
        return redirect_after_post(request, f"/sales/registrations/{result.uuid}")
    return render(
        request,
        "sales/registration_form.html",
        {"values": dict(data), "errors": result.errors},
        status_code=400,
    )


@get("/sales/registrations/{registration_id:uuid}", include_in_schema=False)
async def registration_detail(
    request: AnyRequest, viewer: CurrentViewer, registration_id: FromPath[UUID]
) -> Template:
    view = await registrations.registration_view(viewer, registration_id)
    return render(request, "sales/registration.html", {"view": view, "errors": {}, "values": {}})


@post("/sales/registrations/{registration_id:uuid}/decide", include_in_schema=False)
async def registration_decide(
    request: AnyRequest, viewer: CurrentViewer, registration_id: FromPath[UUID], data: Form
) -> Response[Any]:
    row = await get_deal_registration(
        viewer, registration_id, SalesAction.decide_deal_registrations
    )
    result = await registrations.decide(viewer, row, data)
    if result.saved:
        return redirect_after_post(request, f"/sales/registrations/{registration_id}")
    view = await registrations.registration_view(viewer, registration_id)
    return render(
        request,
        "sales/registration.html",
        {
            "view": view,
            "errors": result.errors,
            "values": dict(data),
            "conflicts": result.conflicts,
        },
        status_code=409 if result.conflicts else 400,
    )


# ---------------------------------------------------------------------------
# Service cases


@get("/sales/cases", include_in_schema=False)
async def case_list(request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
    access.require(viewer, SalesAction.view_cases)
    saved = await accounts.saved_filters(viewer, cases.LIST_NAME)
    if not request.url.query and saved and not is_htmx(request):
        return Redirect(path=f"/sales/cases?{saved}", status_code=303)
    filters = CaseFilters.from_query(request.query_params)
    if request.url.query and filters.query_string() != saved:
        await accounts.remember_filters(viewer, cases.LIST_NAME, filters.query_string())
    return render(
        request,
        "sales/cases.html",
        {
            "rows": await cases.list_cases(viewer, filters),
            "filters": filters,
            "statuses": list(CaseStatus),
            "priorities": list(CasePriority),
        },
        partial="sales/_case_rows.html",
    )


async def _case_form(
    request: AnyRequest,
    viewer: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    partners = (await opportunities.form_choices(viewer))["partners"] if viewer.is_brand else []
    return render(
        request,
        "sales/case_form.html",
        {
            "values": values,
            "errors": errors,
            "partners": partners,
            "kinds": list(CaseKind),
            "priorities": list(CasePriority),
        },
        status_code=status_code,
    )


@get("/sales/cases/new", include_in_schema=False)
async def case_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SalesAction.open_case)
    values = {
        "priority": "normal",
        "kind": str(request.query_params.get("kind") or ""),
        "order_number": str(request.query_params.get("order") or ""),
        "organisation": str(request.query_params.get("partner") or ""),
        "idempotency_key": _new_key(),
    }
    return await _case_form(request, viewer, values, {})


async def _form_with_photos(request: AnyRequest) -> tuple[dict[str, str], list[cases.Photo]]:
    """The fields of a case form (multipart, or plain when no file input was sent) and
    its attached photos; an empty file input attaches nothing."""
    form = await request.form()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    photos = []
    for upload in form.getall("photos") if "photos" in form else []:
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read()
            if content:
                photos.append(cases.Photo(upload.filename, content))
    return fields, photos


@post("/sales/cases/new", include_in_schema=False)
async def case_create(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    data, photos = await _form_with_photos(request)
    result = await cases.open_case(viewer, data, data.get("idempotency_key", ""), photos)
    if result.saved:
        return redirect_after_post(request, f"/sales/cases/{result.uuid}")
    return await _case_form(request, viewer, dict(data), result.errors, 400)


async def _case_page(
    request: AnyRequest,
    viewer: Any,
    case_id: UUID,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    triage_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    view = await cases.case_view(viewer, case_id)
    return render(
        request,
        "sales/case.html",
        {
            "view": view,
            "errors": errors or {},
            "values": values or {"idempotency_key": _new_key()},
            "triage_errors": triage_errors or {},
            "next_statuses": cases.ALLOWED_STATUS[CaseStatus(view.case["status"])],
            "priorities": list(CasePriority),
            "workers": await cases.case_workers() if may_triage_case(viewer) else [],
        },
        status_code=status_code,
    )


@get("/sales/cases/{case_id:uuid}", include_in_schema=False)
async def case_detail(
    request: AnyRequest, viewer: CurrentViewer, case_id: FromPath[UUID]
) -> Template:
    return await _case_page(request, viewer, case_id)


@post("/sales/cases/{case_id:uuid}/reply", include_in_schema=False)
async def case_reply(
    request: AnyRequest, viewer: CurrentViewer, case_id: FromPath[UUID]
) -> Response[Any]:
    row = await get_service_case(viewer, case_id, SalesAction.view_cases)
    data, photos = await _form_with_photos(request)
    result = await cases.reply(viewer, row, data, data.get("idempotency_key", ""), photos)
    if result.saved:
        return redirect_after_post(request, f"/sales/cases/{case_id}#latest")
    return await _case_page(
        request,
        viewer,
        case_id,
        dict(data),
        result.errors
        or {"body": _("Someone answered meanwhile; read their message and reply again.")},
        status_code=409 if result.conflicts else 400,
    )


@post("/sales/cases/{case_id:uuid}/triage", include_in_schema=False)
async def case_triage(
    request: AnyRequest, viewer: CurrentViewer, case_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """Change the priority or the agent of a case (the brand's case workers)."""
    row = await get_service_case(viewer, case_id, SalesAction.work_cases)
    result = await cases.triage(viewer, row, data)
    if result.saved:
        return redirect_after_post(request, f"/sales/cases/{case_id}#latest")
    return await _case_page(
        request,
        viewer,
        case_id,
        triage_errors=result.errors
        or {"priority": _("Someone changed the case meanwhile; check it and try again.")},
        status_code=409 if result.conflicts else 400,
    )


@get("/sales/cases/{case_id:uuid}/photos/{photo_id:uuid}", include_in_schema=False)
async def case_photo(
    viewer: CurrentViewer, case_id: FromPath[UUID], photo_id: FromPath[UUID]
) -> Response[bytes]:
    photo = await get_case_photo(viewer, case_id, photo_id)
    return Response(
        content=bytes(photo["data"]),
        media_type=photo["content_type"],
        headers={
            "Cache-Control": "private, max-age=86400",
            **uploads.download_headers(photo["filename"], "inline"),
        },
    )


@get("/sales/answers", include_in_schema=False)
async def answers(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SalesAction.view_cases)
    words = str(request.query_params.get("q") or "")[:100]
    language = current_locale.get()
    return render(
        request,
        "sales/answers.html",
        {
            "articles": await knowledge.search_articles(language, words),
            "q": words,
            "values": {"language": language},
            "errors": {},
        },
        partial="sales/_answer_rows.html",
    )


@post("/sales/answers", include_in_schema=False)
async def answer_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await knowledge.save_article(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/sales/answers")
    return render(
        request,
        "sales/answers.html",
        {
            "articles": await knowledge.search_articles(current_locale.get(), ""),
            "q": "",
            "values": dict(data),
            "errors": result.errors,
        },
        status_code=400,
    )


async def _answer_form(
    request: AnyRequest,
    article: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "sales/answer_form.html",
        {
            "article": article,
            "values": values,
            "errors": errors,
            "conflicts": conflicts or [],
        },
        status_code=status_code,
    )


@get("/sales/answers/{article_id:uuid}/edit", include_in_schema=False)
async def answer_edit(
    request: AnyRequest, viewer: CurrentViewer, article_id: FromPath[UUID]
) -> Template:
    article = await get_article(viewer, article_id)
    values = {name: article[name] for name in ("title", "body", "language", "version")}
    return await _answer_form(request, article, values, {})


@post("/sales/answers/{article_id:uuid}/edit", include_in_schema=False)
async def answer_update(
    request: AnyRequest, viewer: CurrentViewer, article_id: FromPath[UUID], data: Form
) -> Response[Any]:
    article = await get_article(viewer, article_id)
    result = await knowledge.update_article(viewer, article, data)
    if result.saved:
        return redirect_after_post(request, "/sales/answers")
    values, status = result.form_again(data)
    return await _answer_form(request, article, values, result.errors, result.conflicts, status)


# ---------------------------------------------------------------------------
# Rebates


@get("/sales/rebates", include_in_schema=False)
async def rebate_overview(request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
    access.require(viewer, SalesAction.view_rebates)
    if not viewer.is_brand:
        return Redirect(path=f"/sales/rebates/{await rebates.own_partner_uuid(viewer)}")
    return render(
        request,
        "sales/rebates.html",
        {"balances": await rebates.balances(viewer), "programmes": await rebates.programmes()},
    )


async def _ledger_page(
    request: AnyRequest,
    viewer: Any,
    partner_id: UUID,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    view = await rebates.ledger_view(viewer, partner_id)
    return render(
        request,
        "sales/ledger.html",
        {
            "view": view,
            "values": values or {"idempotency_key": _new_key()},
            "errors": errors or {},
            "kinds": forms.MANUAL_KINDS,
        },
        status_code=400 if errors else 200,
    )


@get("/sales/rebates/{partner_id:uuid}", include_in_schema=False)
async def rebate_ledger(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID]
) -> Template:
    return await _ledger_page(request, viewer, partner_id)


@post("/sales/rebates/{partner_id:uuid}/entries", include_in_schema=False)
async def rebate_entry(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID], data: Form
) -> Response[Any]:
    view = await rebates.ledger_view(viewer, partner_id)
    result = await rebates.add_entry(
        viewer, view.partner, data.get("programme", ""), data, data.get("idempotency_key", "")
    )
    if result.saved:
        return redirect_after_post(request, f"/sales/rebates/{partner_id}")
    return await _ledger_page(request, viewer, partner_id, dict(data), result.errors)


@get("/sales/rebates/programmes/new", include_in_schema=False)
async def programme_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SalesAction.manage_rebates)
    values = {"currency": "CNY", "points_per_hundred": "1", "points_expiry_days": "365"}
    return await _programme_form(request, values, {})


@post("/sales/rebates/programmes/new", include_in_schema=False)
async def programme_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await rebates.create_programme(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/sales/rebates")
    return await _programme_form(request, dict(data), result.errors, status_code=400)


async def _programme_form(
    request: AnyRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    programme: dict[str, Any] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "sales/programme_form.html",
        {
            "values": values,
            "errors": errors,
            "programme": programme,
            "conflicts": conflicts or [],
        },
        status_code=status_code,
    )


@get("/sales/rebates/programmes/{programme_id:uuid}/edit", include_in_schema=False)
async def programme_edit(
    request: AnyRequest, viewer: CurrentViewer, programme_id: FromPath[UUID]
) -> Template:
    programme = await rebates.programme(viewer, programme_id)
    return await _programme_form(request, rebates.programme_form(programme), {}, programme)


@post("/sales/rebates/programmes/{programme_id:uuid}/edit", include_in_schema=False)
async def programme_update(
    request: AnyRequest, viewer: CurrentViewer, programme_id: FromPath[UUID], data: Form
) -> Response[Any]:
    programme = await rebates.programme(viewer, programme_id)
    result = await rebates.update_programme(viewer, programme, data)
    if result.saved:
        return redirect_after_post(request, "/sales/rebates")
    values, status = result.form_again(data)
    return await _programme_form(
        request, values, result.errors, programme, result.conflicts, status
    )


async def _care_page(
    request: AnyRequest,
    viewer: Any,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    access.require(viewer, SalesAction.manage_sales_settings)
    return render(
        request,
        "sales/care.html",
        {
            "events": await care.events(),
            "triggers": list(CareTrigger),
            "message_columns": list(care.MESSAGE_COLUMNS.items()),
            "values": values or {"trigger": "after_delivery", "days": "90"},
            "errors": errors or {},
            "conflicts": conflicts or [],
        },
        status_code=status_code,
    )


@get("/sales/care", include_in_schema=False)
async def care_events(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return await _care_page(request, viewer)


@post("/sales/care", include_in_schema=False)
async def care_event_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await care.create_event(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/sales/care")
    return await _care_page(request, viewer, dict(data), result.errors, status_code=400)


@post("/sales/care/{event_id:uuid}/toggle", include_in_schema=False)
async def care_event_toggle(
    request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await care.toggle_event(viewer, event_id, whole_number(data.get("version")))
    if result.saved:
        return redirect_after_post(request, "/sales/care")
    return await _care_page(request, viewer, conflicts=result.conflicts, status_code=409)


sales_routes = [
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
    registration_list,
    registration_new,
    registration_create,
    registration_detail,
    registration_decide,
    case_list,
    case_new,
    case_create,
    case_detail,
    case_reply,
    case_triage,
    case_photo,
    answers,
    answer_create,
    answer_edit,
    answer_update,
    rebate_overview,
    rebate_ledger,
    rebate_entry,
    programme_new,
    programme_create,
    programme_edit,
    programme_update,
    care_events,
    care_event_create,
    care_event_toggle,
]
