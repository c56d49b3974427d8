"""Deal registration pages: the list, registering a deal, a registration and the
brand's decision."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from partner_portal import access, idempotency
from partner_portal.accounts import services as accounts
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.web import CurrentViewer, is_htmx, redirect_after_post, render
from sales import registrations
from sales.access import (
    SalesAction,
    get_deal_registration,
    may_register_deal,
    require_deal_registrant,
)
from sales.tables import RegistrationStatus


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
        {"values": {"currency": "CNY", "idempotency_key": idempotency.new_key()}, "errors": {}},
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


registration_routes = [
    registration_list,
    registration_new,
    registration_create,
    registration_detail,
    registration_decide,
]
