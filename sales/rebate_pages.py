"""Rebate pages: the overview of balances, a partner's ledger and its manual entries,
the programmes and their tiers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from partner_portal import access, idempotency
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.web import CurrentViewer, redirect_after_post, render
from sales import forms, rebates
from sales.access import SalesAction, VisibleRebateProgramme


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
            "values": values or {"idempotency_key": idempotency.new_key()},
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
    programme: VisibleRebateProgramme | None = None,
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


rebate_routes = [
    rebate_overview,
    rebate_ledger,
    rebate_entry,
    programme_new,
    programme_create,
    programme_edit,
    programme_update,
]
