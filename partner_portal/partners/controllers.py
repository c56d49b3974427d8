"""Partner pages: the list, the partner 360, forms for partners and contacts, the
timeline, ownership transfer, CSV export and import. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.accounts import services as accounts
from partner_portal.clock import utcnow
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import N_
from partner_portal.inputs import PageNumber
from partner_portal.partners import (
    contacts,
    csv_io,
    forms,
    list_rows,
    listing,
    ownership,
    picker,
    services,
)
from partner_portal.partners.choices import form_choices
from partner_portal.partners.listing import PartnerFilters
from partner_portal.partners.records import OrganisationRecord
from partner_portal.registries import HomeTile, NavEntry
from partner_portal.spreadsheets import UPLOAD_BYTES
from partner_portal.web import (
    csv_download,
    is_htmx,
    local_path,
    redirect_after_post,
    render,
    uploaded_file,
)

CurrentViewer = NamedDependency[Viewer]


# ---------------------------------------------------------------------------
# The list


@get("/partners", include_in_schema=False)
async def partner_list(request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
    """The list; opened without a query string it comes back with the last filters used."""
    saved = await accounts.saved_filters(viewer, services.LIST_NAME)
    if not request.url.query and saved and not is_htmx(request):
        return Redirect(path=f"/partners?{saved}", status_code=303)
    filters = PartnerFilters.from_query(request.query_params)
    if request.url.query and filters.query_string() != saved:
        await accounts.remember_filters(viewer, services.LIST_NAME, filters.query_string())
    page = await listing.list_partners(viewer, filters)
    # Live search swaps only the rows: the filter form's choices are not needed then.
    choices = {} if is_htmx(request) else await listing.filter_choices(viewer)
    return render(
        request,
        "partners/list.html",
        {
            "result": page,
            "filters": filters,
            "choices": choices,
            # each row's "log a call" (where the viewer's role logs interactions at all)
            "can_log_calls": viewer.can(Action.add_timeline_entry),
            "partner_row": list_rows.partner_row,
        },
        partial="partners/_rows.html",
    )


@get("/partners/choices", include_in_schema=False, cache=False)
async def partner_choices(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """A form's partner picker, as its search field is typed in: the matching partners the
    viewer sees, as options (partners/picker.py)."""
    text = picker.query_text(request.query_params)
    kinds = picker.known_kinds(request.query_params.getall("kind", []))
    return render(
        request,
        "partners/_picker_options.html",
        {"matches": await picker.matching(viewer, text, kinds), "query": text},
    )


# ---------------------------------------------------------------------------
# Create and edit


async def _form_context(
    viewer: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    organisation: access.VisibleOrganisation | None = None,
    conflicts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    choices = await form_choices(viewer, organisation.owner if organisation else None)
    return {
        "values": values,
        "errors": errors,
        "organisation": organisation,
        "conflicts": conflicts or [],
        "distributors": choices.distributors,
        "owners": choices.owners,
        "kinds": forms.PARTNER_KINDS,
        "tiers": ("platinum", "gold", "silver", "standard"),
        "statuses": ("prospect", "active", "dormant", "churned"),
        "languages": forms.LANGUAGES,
        "address_kinds": ("office", "billing", "shipping", "warehouse"),
        "address_slots": services.address_slots(values),
        "address_fields": forms.ADDRESS_FIELDS,
    }


@get("/partners/new", include_in_schema=False)
async def partner_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.create_partner)
    values: dict[str, Any] = {
        "kind": "distributor",
        "country": "CN",
        "currency": "CNY",
        "language": "zh_Hans",
        "tier": "standard",
        "status": "prospect",
        "owner": str(viewer.user_uuid) if access.owns_partners_they_create(viewer) else "",
        "address-0-country": "CN",
    }
    return render(request, "partners/form.html", await _form_context(viewer, values, {}))


@post("/partners/new", include_in_schema=False)
async def partner_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await services.create_organisation(viewer, data)
    if result.saved:
        return redirect_after_post(request, f"/partners/{result.uuid}")
    return render(
        request,
        "partners/form.html",
        await _form_context(viewer, dict(data), result.errors),
        status_code=400,
    )


@get("/partners/{partner_id:uuid}", include_in_schema=False)
async def partner_detail(
    request: AnyRequest,
    viewer: CurrentViewer,
    partner_id: FromPath[UUID],
    timeline_page: PageNumber = 1,
) -> Template:
    """The partner 360: details, contacts, addresses, territories, timeline, module panels."""
    view = await services.partner_360(viewer, partner_id, timeline_page)
    context = await _detail_context(viewer, view)
    return render(request, "partners/detail.html", context)


async def _detail_context(
    viewer: Viewer,
    view: services.Partner360,
    entry_values: dict[str, Any] | None = None,
    entry_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    organisation_id = view.organisation.id
    context: dict[str, Any] = {
        "view": view,
        "partner": view.organisation,
        "can_edit": access.allows(viewer, Action.edit_partner, organisation_id),
        "can_manage_contacts": access.allows(viewer, Action.manage_contacts, organisation_id),
        "can_log": access.allows(viewer, Action.add_timeline_entry, organisation_id),
        "can_transfer": access.allows(viewer, Action.transfer_partners, organisation_id),
        "entry_form": entry_values or services.blank_timeline_form(viewer),
        "entry_errors": entry_errors or {},
        "entry_kinds": forms.ENTRY_KINDS,
        "transfer_targets": [],
    }
    if context["can_transfer"]:
        context["transfer_targets"] = (await ownership.transfer_choices())["targets"]
    return context


@get("/partners/{partner_id:uuid}/edit", include_in_schema=False)
async def partner_edit(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID]
) -> Template:
    organisation = await access.get_organisation(viewer, partner_id, Action.edit_partner)
    values = await services.form_values(organisation.id)
    return render(
        request, "partners/form.html", await _form_context(viewer, values, {}, organisation)
    )


@post("/partners/{partner_id:uuid}/edit", include_in_schema=False)
async def partner_update(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID], data: Form
) -> Response[Any]:
    organisation = await access.get_organisation(viewer, partner_id, Action.edit_partner)
    result = await services.update_organisation(viewer, organisation, data)
    if result.saved:
        return redirect_after_post(request, f"/partners/{partner_id}")
    values, status_code = result.form_again(data)
    return render(
        request,
        "partners/form.html",
        await _form_context(viewer, values, result.errors, organisation, result.conflicts),
        status_code=status_code,
    )


# ---------------------------------------------------------------------------
# Contacts


def _contact_context(
    partner: OrganisationRecord,
    values: dict[str, Any],
    errors: dict[str, str],
    contact: access.VisibleContact | None = None,
    conflicts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "partner": partner,
        "values": values,
        "errors": errors,
        "contact": contact,
        "conflicts": conflicts or [],
    }


@get("/partners/{partner_id:uuid}/contacts/new", include_in_schema=False)
async def contact_new(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID]
) -> Template:
    partner = await access.get_organisation(viewer, partner_id, Action.manage_contacts)
    return render(request, "partners/contact_form.html", _contact_context(partner, {}, {}))


@post("/partners/{partner_id:uuid}/contacts/new", include_in_schema=False)
async def contact_create(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID], data: Form
) -> Response[Any]:
    partner = await access.get_organisation(viewer, partner_id, Action.manage_contacts)
    result = await contacts.create_contact(viewer, partner, data)
    if result.saved:
        return redirect_after_post(request, f"/partners/{partner_id}#contacts")
    return render(
        request,
        "partners/contact_form.html",
        _contact_context(partner, dict(data), result.errors),
        status_code=400,
    )


async def _contact_and_partner(
    viewer: Viewer, contact_id: UUID
) -> tuple[access.VisibleContact, OrganisationRecord]:
    contact = await access.get_contact(viewer, contact_id, Action.manage_contacts)
    partner = await services.organisation_details(contact.organisation)
    return contact, partner


@get("/contacts/{contact_id:uuid}/edit", include_in_schema=False)
async def contact_edit(
    request: AnyRequest, viewer: CurrentViewer, contact_id: FromPath[UUID]
) -> Template:
    contact, partner = await _contact_and_partner(viewer, contact_id)
    return render(
        request,
        "partners/contact_form.html",
        _contact_context(partner, contact.as_dict(), {}, contact),
    )


@post("/contacts/{contact_id:uuid}/edit", include_in_schema=False)
async def contact_update(
    request: AnyRequest, viewer: CurrentViewer, contact_id: FromPath[UUID], data: Form
) -> Response[Any]:
    contact, partner = await _contact_and_partner(viewer, contact_id)
    result = await contacts.update_contact(viewer, contact, data)
    if result.saved:
        return redirect_after_post(request, f"/partners/{partner.uuid}#contacts")
    values, status_code = result.form_again(data)
    return render(
        request,
        "partners/contact_form.html",
        _contact_context(partner, values, result.errors, contact, result.conflicts),
        status_code=status_code,
    )


@post("/contacts/{contact_id:uuid}/delete", include_in_schema=False)
async def contact_delete(
    request: AnyRequest, viewer: CurrentViewer, contact_id: FromPath[UUID]
) -> Response[Any]:
    contact, partner = await _contact_and_partner(viewer, contact_id)
    await contacts.delete_contact(viewer, contact)
    return redirect_after_post(request, f"/partners/{partner.uuid}#contacts")


# ---------------------------------------------------------------------------
# Timeline


@get("/partners/{partner_id:uuid}/log-call", include_in_schema=False)
async def log_call_form(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID]
) -> Template:
    """A partner's "Log a call" form, drawn when a row of the list asks for it: htmx puts
    it in the row, opened; without JavaScript it is a page of its own. Drawing the form
    in every row was about a fifth of the list's render."""
    organisation = await access.get_organisation(viewer, partner_id, Action.add_timeline_entry)
    back = local_path(request.query_params.get("next")) or "/partners"
    return render(
        request,
        "partners/log_call.html",
        {
            "organisation": organisation,
            "call_partner": organisation.uuid,
            "call_next": back,
            "call_id": str(organisation.uuid),
            "call_open": True,
        },
        partial="partners/_log_call.html",
    )


@post("/partners/{partner_id:uuid}/timeline", include_in_schema=False)
async def timeline_add(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """Log an interaction. htmx gets the new entry to put on top of the timeline
    (or the form with its errors in place); a plain form goes back to the 360 page."""
    organisation = await access.get_organisation(viewer, partner_id, Action.add_timeline_entry)
    entry, errors = await services.add_timeline_entry(viewer, organisation.id, data)
    if entry is not None:
        if is_htmx(request):
            return render(
                request,
                "partners/_timeline_entry.html",
                {
                    "entry": entry,
                    "oob": True,
                    "partner": organisation,
                    "entry_form": services.blank_timeline_form(viewer),
                    "entry_errors": {},
                    "entry_kinds": forms.ENTRY_KINDS,
                },
            )
        # The quick "log a call" forms of the agenda and the partner list go back there.
        back = local_path(data.get("next")) or f"/partners/{partner_id}#timeline"
        return Redirect(path=back, status_code=303)
    entry_values = {**dict(data), "internal": forms.is_checked(data.get("internal"))}
    if is_htmx(request):
        # htmx swaps only 2xx answers: the form with its messages replaces the form.
        response = render(
            request,
            "partners/_timeline_form.html",
            {
                "partner": organisation,
                "entry_form": entry_values,
                "entry_errors": errors,
                "entry_kinds": forms.ENTRY_KINDS,
            },
        )
        response.headers.update({"HX-Retarget": "#timeline-form", "HX-Reswap": "outerHTML"})
        return response
    view = await services.partner_360(viewer, partner_id)
    return render(
        request,
        "partners/detail.html",
        await _detail_context(viewer, view, entry_values, errors),
        status_code=400,
    )


# ---------------------------------------------------------------------------
# Ownership transfer


@get("/partners/transfer", include_in_schema=False)
async def transfer_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.transfer_partners)
    return render(
        request,
        "partners/transfer.html",
        {"choices": await ownership.transfer_choices(), "values": {}, "errors": {}},
    )


@post("/partners/transfer", include_in_schema=False)
async def transfer_all(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    """Move every partner of one KAM to another: first the list of what moves, then the move."""
    result = await ownership.transfer_partners(
        viewer,
        data.get("to_owner", ""),
        from_owner=data.get("from_owner", ""),
        confirmed=data.get("confirm") == "yes",
    )
    if result.errors:
        return render(
            request,
            "partners/transfer.html",
            {
                "choices": await ownership.transfer_choices(),
                "values": data,
                "errors": result.errors,
            },
            status_code=400,
        )
    if result.confirming:
        return render(
            request,
            "partners/transfer_confirm.html",
            {"result": result, "action": "/partners/transfer", "values": data},
        )
    return render(
        request,
        "partners/transfer.html",
        {
            "choices": await ownership.transfer_choices(),
            "values": {},
            "errors": {},
            "moved": result.moved,
            "work_moved": result.work_moved,
        },
    )


@post("/partners/{partner_id:uuid}/transfer", include_in_schema=False)
async def transfer_one(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await ownership.transfer_partners(
        viewer,
        data.get("to_owner", ""),
        partner_uuid=partner_id,
        confirmed=data.get("confirm") == "yes",
    )
    if result.errors:
        view = await services.partner_360(viewer, partner_id)
        context = await _detail_context(viewer, view)
        context["transfer_errors"] = result.errors
        return render(request, "partners/detail.html", context, status_code=400)
    if result.confirming:
        return render(
            request,
            "partners/transfer_confirm.html",
            {"result": result, "action": f"/partners/{partner_id}/transfer", "values": data},
        )
    return redirect_after_post(request, f"/partners/{partner_id}")


# ---------------------------------------------------------------------------
# CSV


def _stamp() -> str:
    return utcnow().strftime("%Y%m%d")


@get("/partners/export.csv", include_in_schema=False)
async def partners_export(request: AnyRequest, viewer: CurrentViewer) -> Stream:
    filters = PartnerFilters.from_query(request.query_params)
    rows = await csv_io.export_partners(viewer, filters)
    return csv_download(csv_io.PARTNER_EXPORT_COLUMNS, rows, f"partners-{_stamp()}.csv")


@get("/contacts/export.csv", include_in_schema=False)
async def contacts_export(request: AnyRequest, viewer: CurrentViewer) -> Stream:
    filters = PartnerFilters.from_query(request.query_params)
    rows = await csv_io.export_contacts(viewer, filters)
    return csv_download(csv_io.CONTACT_EXPORT_COLUMNS, rows, f"contacts-{_stamp()}.csv")


@get("/partners/import-template.csv", include_in_schema=False)
async def import_template(viewer: CurrentViewer, kind: FromQuery[str] = "partners") -> Stream:
    """The import template: the header and one example row."""
    access.require(viewer, Action.import_partners)
    if kind == "contacts":
        return csv_download(
            csv_io.CONTACT_COLUMNS, [csv_io.CONTACT_EXAMPLE], "contacts-template.csv"
        )
    return csv_download(csv_io.PARTNER_COLUMNS, [csv_io.PARTNER_EXAMPLE], "partners-template.csv")


def _import_context(**extra: Any) -> dict[str, Any]:
    return {
        "partner_columns": csv_io.PARTNER_COLUMNS,
        "partner_required": csv_io.PARTNER_REQUIRED,
        "contact_columns": csv_io.CONTACT_COLUMNS,
        "contact_required": csv_io.CONTACT_REQUIRED,
        "result": None,
        "file_kind": "partners",
        "missing_file": False,
        **extra,
    }


@get("/partners/import", include_in_schema=False)
async def import_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.import_partners)
    return render(request, "partners/import.html", _import_context())


@post("/partners/import", include_in_schema=False, request_max_body_size=UPLOAD_BYTES)
async def import_submit(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """Import partners or contacts from an uploaded CSV: all rows or none."""
    access.require(viewer, Action.import_partners)
    form, content = await uploaded_file(request)
    file_kind = "contacts" if form.get("file_kind") == "contacts" else "partners"
    if content is None:
        return render(
            request,
            "partners/import.html",
            _import_context(file_kind=file_kind, missing_file=True),
            status_code=400,
        )
    if file_kind == "contacts":
        result = await csv_io.import_contacts(viewer, content)
    else:
        result = await csv_io.import_partners(viewer, content)
    return render(
        request,
        "partners/import.html",
        _import_context(file_kind=file_kind, result=result),
        status_code=200 if result.ok else 400,
    )


partner_routes = [
    partner_list,
    partner_choices,
    partner_new,
    partner_create,
    partner_detail,
    partner_edit,
    partner_update,
    contact_new,
    contact_create,
    contact_edit,
    contact_update,
    contact_delete,
    log_call_form,
    timeline_add,
    transfer_page,
    transfer_all,
    transfer_one,
    partners_export,
    contacts_export,
    import_template,
    import_page,
    import_submit,
]

# Every signed-in user sees some partners: their own organisation at least.
partner_navigation = NavEntry(key="partners", order=20, label=N_("Partners"), path="/partners")
partners_home_tile = HomeTile(key="partners", order=100, label=N_("Partners"), path="/partners")
