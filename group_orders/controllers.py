"""Campaign pages for the client admin and the KAM, and the employee's personal link page.
Thin: parse, call a service, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Stream, Template

from group_orders import (
    approvals,
    approvers,
    campaigns,
    choices,
    deadlines,
    forms,
    invitations,
    offer,
    reports,
    rosters,
)
from group_orders.access import GroupOrderAction, VisibleCampaign, get_campaign, get_employee
from group_orders.records import EmployeeRecord
from group_orders.tables import CampaignStatus
from partner_portal import i18n, idempotency
from partner_portal.access import Viewer
from partner_portal.catalog.tables import Category
from partner_portal.clock import utcnow
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import gettext as _
from partner_portal.inputs import MAX_PAGE, whole_number
from partner_portal.pdf import html_to_pdf
from partner_portal.settings import SUPPORTED_LOCALES, current_settings
from partner_portal.spreadsheets import UPLOAD_BYTES
from partner_portal.web import (
    CurrentViewer,
    csv_download,
    redirect_after_post,
    render,
    uploaded_file,
    xlsx_download,
)

MANAGE = GroupOrderAction.manage_group_campaigns


def _base(campaign_uuid: UUID) -> str:
    return f"/group-orders/{campaign_uuid}"


@get("/group-orders", include_in_schema=False)
async def campaign_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    rows = await campaigns.list_campaigns(viewer)
    return render(request, "group_orders/list.html", {"campaigns": rows})


async def _campaign_form(
    request: AnyRequest,
    viewer: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    campaign: VisibleCampaign | None = None,
    status_code: int = 200,
) -> Template:
    clients = [] if campaign else await campaigns.client_choices(viewer)
    return render(
        request,
        "group_orders/form.html",
        {
            "values": values,
            "errors": errors,
            "campaign": campaign,
            "clients": clients,
            "categories": [(category, forms.category_field(category)) for category in Category],
        },
        status_code=status_code,
    )


@get("/group-orders/new", include_in_schema=False)
async def campaign_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    today = utcnow().date()
    values = {
        "entitlement": "allotment",
        "over_allowance": "employee_pays",
        "delivery_mode": "bulk",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat(),
        "tipping_point": "0",
        "price_source": "price_list",
    }
    return await _campaign_form(request, viewer, values, {})


@post("/group-orders/new", include_in_schema=False)
async def campaign_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await campaigns.create_campaign(viewer, data)
    if result.saved and result.uuid:
        return redirect_after_post(request, _base(result.uuid))
    return await _campaign_form(request, viewer, dict(data), result.errors, status_code=400)


async def _detail(
    request: AnyRequest,
    viewer: Viewer,
    campaign: VisibleCampaign,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    progress = await approvals.progress(campaign)
    context = {
        "campaign": campaign,
        "progress": progress,
        "per_category": await campaigns.category_allotments(campaign.id),
        "client_name": await campaigns.client_name(campaign.organisation),
        "collecting": campaigns.is_collecting(campaign, campaigns.today()),
        "today": campaigns.today(),
        "may_manage": viewer.can(MANAGE),
        "item_values": {"allotment": "1"},
        "item_errors": {},
        "deadline_errors": {},
        **extra,
    }
    return render(request, "group_orders/detail.html", context, status_code=status_code)


@get("/group-orders/{campaign_id:uuid}", include_in_schema=False)
async def campaign_detail(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    campaign = await get_campaign(viewer, campaign_id)
    return await _detail(request, viewer, campaign, notice=request.query_params.get("notice", ""))


@get("/group-orders/{campaign_id:uuid}/edit", include_in_schema=False)
async def campaign_edit(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    allotments = await campaigns.category_allotments(campaign.id)
    return await _campaign_form(
        request, viewer, campaigns.campaign_form_values(campaign, allotments), {}, campaign
    )


@post("/group-orders/{campaign_id:uuid}/edit", include_in_schema=False)
async def campaign_update(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    result = await campaigns.update_campaign(viewer, campaign, data)
    if result.saved:
        return redirect_after_post(request, _base(campaign_id))
    values, status_code = result.form_again(data)
    return await _campaign_form(
        request, viewer, values, result.errors, campaign, status_code=status_code
    )


@post("/group-orders/{campaign_id:uuid}/items", include_in_schema=False)
async def item_add(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    result = await offer.add_item(viewer, campaign, data)
    if result.saved:
        return redirect_after_post(request, _base(campaign_id) + "#items")
    return await _detail(
        request,
        viewer,
        campaign,
        status_code=400,
        item_values=dict(data),
        item_errors=result.errors,
    )


@post("/group-orders/{campaign_id:uuid}/close", include_in_schema=False)
async def campaign_close(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    await campaigns.close_campaign(viewer, campaign)
    return redirect_after_post(request, _base(campaign_id) + "?notice=closed")


async def _review(
    request: AnyRequest,
    viewer: Viewer,
    campaign: VisibleCampaign,
    status_code: int = 200,
    approval_error: str = "",
    approvers_error: str = "",
) -> Template:
    context = {
        "campaign": campaign,
        "review": await approvals.review(campaign),
        "client_name": await campaigns.client_name(campaign.organisation),
        "today": campaigns.today(),
        "may_manage": viewer.can(MANAGE),
        "approval_error": approval_error,
        "approver_choices": await approvers.candidates(campaign),
        "approvers_error": approvers_error,
        # Approving twice from one drawn page (a double click) approves once.
        "idempotency_key": idempotency.new_key(),
    }
    return render(request, "group_orders/review.html", context, status_code=status_code)


@get("/group-orders/{campaign_id:uuid}/review", include_in_schema=False)
async def campaign_review(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    return await _review(request, viewer, campaign)


@post("/group-orders/{campaign_id:uuid}/approvers", include_in_schema=False)
async def approvers_choose(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Response[Any]:
    """Choose which of the client's users approve the campaign's order."""
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    form = await request.form()
    error = await approvers.choose(viewer, campaign, [str(v) for v in form.getall("approver", [])])
    if error:
        return await _review(request, viewer, campaign, status_code=400, approvers_error=error)
    return redirect_after_post(request, f"{_base(campaign_id)}/review")


@post("/group-orders/{campaign_id:uuid}/approve", include_in_schema=False)
async def campaign_approve(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)

    async def approve() -> Response[Any]:
        approval = await approvals.approve(viewer, campaign, data.get("reviewed") or "")
        if approval.error:
            current = await get_campaign(viewer, campaign_id, MANAGE)
            return await _review(
                request, viewer, current, status_code=400, approval_error=approval.error
            )
        notice = "first_approval" if approval.waiting_for_second else "ordered"
        return redirect_after_post(request, _base(campaign_id) + f"?notice={notice}")

    return await idempotency.respond_once(
        request, viewer, data.get(idempotency.KEY_FIELD, ""), approve
    )


@post("/group-orders/{campaign_id:uuid}/send-links", include_in_schema=False)
async def links_send(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    settings = current_settings()
    count = await invitations.send_links(viewer, campaign, settings.base_url, settings.secret_key)
    return redirect_after_post(request, f"{_base(campaign_id)}/roster?sent={count}")


def _audience(value: str | None) -> invitations.Audience:
    everyone = value == invitations.Audience.everyone
    return invitations.Audience.everyone if everyone else invitations.Audience.waiting


async def _reminder_preview(
    request: AnyRequest,
    campaign: VisibleCampaign,
    audience: invitations.Audience,
    error: str = "",
    status_code: int = 200,
) -> Template:
    people = await invitations.recipients(campaign, audience)
    return render(
        request,
        "group_orders/remind.html",
        {
            "campaign": campaign,
            "audience": audience,
            "people": people,
            "answered": sum(1 for person in people if person.responded_at),
            # The table names the first of them; a roster may hold 20,000 people.
            "shown": 300,
            "error": error,
        },
        status_code=status_code,
    )


@get("/group-orders/{campaign_id:uuid}/remind", include_in_schema=False)
async def reminder_preview(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    """Who a reminder will reach, before it is sent."""
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    return await _reminder_preview(request, campaign, _audience(request.query_params.get("who")))


@post("/group-orders/{campaign_id:uuid}/remind", include_in_schema=False)
async def reminder_send(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    audience = _audience(data.get("who"))
    if audience == invitations.Audience.everyone and data.get("confirm") != "yes":
        error = _("Tick the box to confirm that everyone, including people who answered, gets it.")
        return await _reminder_preview(request, campaign, audience, error, status_code=400)
    settings = current_settings()
    count = await invitations.remind(
        viewer, campaign, settings.base_url, settings.secret_key, audience
    )
    return redirect_after_post(request, f"{_base(campaign_id)}/roster?reminded={count}")


@post("/group-orders/{campaign_id:uuid}/extend", include_in_schema=False)
async def campaign_extend(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """Extend an open campaign or reopen a closed one until a new date."""
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    settings = current_settings()
    result = await deadlines.extend(
        viewer, campaign, data.get("closes_on") or "", settings.base_url, settings.secret_key
    )
    if not result.saved:
        return await _detail(
            request, viewer, campaign, status_code=400, deadline_errors=result.errors
        )
    return redirect_after_post(request, _base(campaign_id) + "?notice=extended")


@post("/group-orders/{campaign_id:uuid}/cancel", include_in_schema=False)
async def campaign_cancel(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    settings = current_settings()
    result = await deadlines.cancel(
        viewer,
        campaign,
        data.get("reason") or "",
        data.get("confirm") == "yes",
        settings.base_url,
        settings.secret_key,
    )
    if not result.saved:
        return await _detail(
            request, viewer, campaign, status_code=400, deadline_errors=result.errors
        )
    return redirect_after_post(request, _base(campaign_id) + "?notice=cancelled")


@get("/group-orders/{campaign_id:uuid}/link-sheet", include_in_schema=False)
async def link_sheet(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    settings = current_settings()
    everyone = request.query_params.get("who") == "all"
    rows = await invitations.link_sheet(
        campaign, settings.base_url, settings.secret_key, everyone=everyone
    )
    return render(
        request,
        "group_orders/link_sheet.html",
        {"campaign": campaign, "rows": rows, "everyone": everyone},
    )


@get("/group-orders/{campaign_id:uuid}/packing-list", include_in_schema=False)
async def packing_list(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    context = await _packing_context(viewer, campaign_id)
    return render(request, "group_orders/packing_list.html", context)


async def _packing_context(viewer: Viewer, campaign_id: UUID) -> dict[str, Any]:
    """The packing list page's and PDF's context: the campaign, its parcels, its client."""
    campaign = await get_campaign(viewer, campaign_id)
    return {
        "campaign": campaign,
        "groups": await reports.packing_list(campaign),
        "client_name": await campaigns.client_name(campaign.organisation),
    }


def _download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@get("/group-orders/{campaign_id:uuid}/packing-list.pdf", include_in_schema=False)
async def packing_list_pdf(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Response[bytes]:
    context = await _packing_context(viewer, campaign_id)
    engine = request.app.template_engine
    assert engine is not None
    template = engine.get_template("group_orders/packing_list_pdf.html")
    pdf = await html_to_pdf(template.render(**context))
    return _download(pdf, "application/pdf", "packing-list.pdf")


@get("/group-orders/{campaign_id:uuid}/packing-list.xlsx", include_in_schema=False)
async def packing_list_xlsx(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Response[bytes]:
    parcels = await reports.packing_list(await get_campaign(viewer, campaign_id))
    rows = reports.packing_list_rows(parcels, i18n.current_locale.get())
    return await xlsx_download(
        reports.PACKING_COLUMNS, rows, "packing-list.xlsx", title="Packing list"
    )


@get("/group-orders/{campaign_id:uuid}/payroll.xlsx", include_in_schema=False)
async def payroll_xlsx(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Response[bytes]:
    """Each employee's share above the allowance, by department, for payroll to deduct."""
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    rows = [line.as_dict() for line in await reports.payroll_deductions(campaign)]
    return await xlsx_download(
        reports.PAYROLL_COLUMNS, rows, "payroll-deductions.xlsx", title="Payroll deductions"
    )


# ---------------------------------------------------------------------------
# Roster


async def _roster_page(
    request: AnyRequest,
    campaign: VisibleCampaign,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    query = request.query_params
    page_text = query.get("page") or "1"
    context = {
        "campaign": campaign,
        "roster": await rosters.roster_page(
            campaign,
            search=query.get("q") or "",
            waiting_only=query.get("waiting") == "1",
            page=whole_number(page_text, minimum=1, maximum=MAX_PAGE) or 1,
        ),
        "values": {},
        "errors": {},
        "columns": forms.EMPLOYEE_COLUMNS,
        "required": forms.EMPLOYEE_REQUIRED,
        "open": campaign.status == CampaignStatus.open,
        "sent": request.query_params.get("sent"),
        "reminded": request.query_params.get("reminded"),
        **extra,
    }
    return render(request, "group_orders/roster.html", context, status_code=status_code)


@get("/group-orders/{campaign_id:uuid}/roster", include_in_schema=False)
async def roster_page(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    return await _roster_page(request, campaign)


@post("/group-orders/{campaign_id:uuid}/roster", include_in_schema=False)
async def roster_add(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID], data: Form
) -> Response[Any]:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    result = await rosters.add_employee(viewer, campaign, data)
    if result.saved:
        return redirect_after_post(request, f"{_base(campaign_id)}/roster#add")
    return await _roster_page(
        request, campaign, status_code=400, values=dict(data), errors=result.errors
    )


@post(
    "/group-orders/{campaign_id:uuid}/roster/import",
    include_in_schema=False,
    request_max_body_size=UPLOAD_BYTES,
)
async def roster_import(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Template:
    campaign = await get_campaign(viewer, campaign_id, MANAGE)
    form, content = await uploaded_file(request)
    if not content:
        return await _roster_page(request, campaign, status_code=400, missing_file=True)
    upload = form.get("file")
    filename = str(getattr(upload, "filename", "") or "")
    result = await rosters.import_roster(viewer, campaign, content, filename)
    return await _roster_page(
        request, campaign, status_code=200 if result.ok else 400, result=result
    )


@get("/group-orders/{campaign_id:uuid}/roster-template.csv", include_in_schema=False)
async def roster_template(
    request: AnyRequest, viewer: CurrentViewer, campaign_id: FromPath[UUID]
) -> Stream:
    await get_campaign(viewer, campaign_id, MANAGE)
    return csv_download(forms.EMPLOYEE_COLUMNS, [rosters.ROSTER_EXAMPLE], "roster.csv")


@get("/group-orders/employees/{employee_id:uuid}", include_in_schema=False)
async def employee_edit(
    request: AnyRequest, viewer: CurrentViewer, employee_id: FromPath[UUID]
) -> Template:
    employee, campaign = await get_employee(viewer, employee_id, MANAGE)
    values = {**employee.as_dict(), "language": employee.locale}
    return render(
        request,
        "group_orders/employee.html",
        {"employee": employee, "campaign": campaign, "values": values, "errors": {}},
    )


@post("/group-orders/employees/{employee_id:uuid}", include_in_schema=False)
async def employee_update(
    request: AnyRequest, viewer: CurrentViewer, employee_id: FromPath[UUID], data: Form
) -> Response[Any]:
    employee, campaign = await get_employee(viewer, employee_id, MANAGE)
    result = await rosters.update_employee(viewer, employee, data)
    if result.saved:
        return redirect_after_post(request, f"{_base(campaign.uuid)}/roster")
    return render(
        request,
        "group_orders/employee.html",
        {"employee": employee, "campaign": campaign, "values": dict(data), "errors": result.errors},
        status_code=400,
    )


@post("/group-orders/employees/{employee_id:uuid}/remove", include_in_schema=False)
async def employee_remove(
    request: AnyRequest, viewer: CurrentViewer, employee_id: FromPath[UUID]
) -> Response[Any]:
    employee, campaign = await get_employee(viewer, employee_id, MANAGE)
    await rosters.remove_employee(viewer, employee)
    return redirect_after_post(request, f"{_base(campaign.uuid)}/roster")


@get("/group-orders/employees/{employee_id:uuid}/choices", include_in_schema=False)
async def choices_for_someone(
    request: AnyRequest, viewer: CurrentViewer, employee_id: FromPath[UUID]
) -> Template:
    employee, campaign = await get_employee(viewer, employee_id, MANAGE)
    form = await choices.choice_form(employee, campaign)
    return render(request, "group_orders/enter_choices.html", {"form": form})


@post("/group-orders/employees/{employee_id:uuid}/choices", include_in_schema=False)
async def choices_enter(
    request: AnyRequest, viewer: CurrentViewer, employee_id: FromPath[UUID], data: Form
) -> Response[Any]:
    employee, campaign = await get_employee(viewer, employee_id, MANAGE)
    if data.get("action") == "suggest":
        form = await choices.suggestion_form(employee, campaign, data)
        return render(request, "group_orders/enter_choices.html", {"form": form})
    form = await choices.save_choices(employee, campaign, data, entered_by=viewer)
    if not form.errors:
        return redirect_after_post(request, f"{_base(campaign.uuid)}/roster")
    return render(request, "group_orders/enter_choices.html", {"form": form}, status_code=400)


# ---------------------------------------------------------------------------
# The employee's personal link (no account: the token is the only key)


def _use_language(employee: EmployeeRecord, wanted: str | None) -> str:
    locale = wanted if wanted in SUPPORTED_LOCALES else employee.locale or ""
    if locale in SUPPORTED_LOCALES:
        # Dates and numbers follow the page's language, not the phone's regional settings.
        i18n.current_locale.set(locale)
        i18n.current_region_locale.set(None)
    return i18n.current_locale.get()


def _link_error(request: AnyRequest) -> Template:
    # One page for wrong, tampered and expired links alike: it tells nothing about which.
    return render(request, "group_orders/link_error.html", {}, status_code=404)


@get("/g/{token:str}", include_in_schema=False, cache=False)
async def employee_page(
    request: AnyRequest, token: FromPath[str], lang: FromQuery[str | None] = None
) -> Template:
    found = await invitations.employee_for_token(current_settings().secret_key, token)
    if found is None:
        return _link_error(request)
    employee, campaign = found
    locale = _use_language(employee, lang)
    form = await choices.choice_form(employee, campaign)
    return render(
        request,
        "group_orders/employee_page.html",
        {"form": form, "token": token, "locale": locale, "lang": lang or ""},
    )


@post("/g/{token:str}", include_in_schema=False)
async def employee_submit(
    request: AnyRequest,
    token: FromPath[str],
    data: Form,
    lang: FromQuery[str | None] = None,
) -> Template:
    found = await invitations.employee_for_token(current_settings().secret_key, token)
    if found is None:
        return _link_error(request)
    employee, campaign = found
    locale = _use_language(employee, lang)
    if data.get("action") == "suggest":
        form = await choices.suggestion_form(employee, campaign, data)
        status_code = 200
    else:
        form = await choices.save_choices(employee, campaign, data)
        status_code = 400 if form.errors else 200
    return render(
        request,
        "group_orders/employee_page.html",
        {"form": form, "token": token, "locale": locale, "lang": lang or ""},
        status_code=status_code,
    )


group_order_routes = [
    campaign_list,
    campaign_new,
    campaign_create,
    campaign_detail,
    campaign_edit,
    campaign_update,
    item_add,
    campaign_close,
    campaign_review,
    approvers_choose,
    campaign_approve,
    links_send,
    campaign_extend,
    campaign_cancel,
    reminder_preview,
    reminder_send,
    link_sheet,
    packing_list,
    packing_list_pdf,
    packing_list_xlsx,
    payroll_xlsx,
    roster_page,
    roster_add,
    roster_import,
    roster_template,
    employee_edit,
    employee_update,
    employee_remove,
    choices_for_someone,
    choices_enter,
    employee_page,
    employee_submit,
]
