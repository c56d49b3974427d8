"""Service case pages: the list, opening a case (with photos), a case, replies and
triage; the knowledge base of answers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from partner_portal import access, idempotency, uploads
from partner_portal.accounts import services as accounts
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import current_locale
from partner_portal.i18n import gettext as _
from partner_portal.partners import picker
from partner_portal.web import CurrentViewer, is_htmx, redirect_after_post, render
from sales import cases, knowledge
from sales.access import (
    SalesAction,
    VisibleArticle,
    get_article,
    get_case_photo,
    get_service_case,
    may_triage_case,
)
from sales.cases import CaseFilters
from sales.tables import CaseKind, CasePriority, CaseStatus


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
    # A partner opens a case for itself; the brand picks the partner.
    partners = (
        await picker.partner_picker(
            viewer, values.get("organisation"), picker.query_text(request.query_params)
        )
        if viewer.is_brand
        else None
    )
    return render(
        request,
        "sales/case_form.html",
        {
            "values": values,
            "errors": errors,
            "partner_picker_choices": partners,
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
        "idempotency_key": idempotency.new_key(),
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
            "values": values or {"idempotency_key": idempotency.new_key()},
            "triage_errors": triage_errors or {},
            "next_statuses": cases.ALLOWED_STATUS[view.case.status],
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
        content=photo.data,
        media_type=photo.content_type,
        headers={
            "Cache-Control": "private, max-age=86400",
            **uploads.download_headers(photo.filename, "inline"),
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
    article: VisibleArticle,
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
    values = {
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "version": article.version,
    }
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


case_routes = [
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
]
