"""Contract pages: the list, a contract with its versions and the accept / countersign /
decline forms, the terms form, the renewal list, templates and clauses. Thin: parse,
call a service, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from contracts import (
    acceptance,
    comparison,
    documents,
    drafting,
    forms,
    library,
    lifecycle,
    printing,
    rendering,
    sealing,
    states,
    verification,
)
from contracts.acceptance import Client
from contracts.access import (
    ContractAction,
    VisibleContract,
    VisibleTemplate,
    get_clause,
    get_contract,
    get_signature,
    get_template,
    get_version,
)
from contracts.drafting import ContractFilters
from contracts.markup import ALLOWED_TAGS
from contracts.states import ContractError
from contracts.tables import SignatureSide
from partner_portal import access, idempotency
from partner_portal.access import Viewer
from partner_portal.clock import utcnow
from partner_portal.edits import SaveResult
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import gettext as _
from partner_portal.partners import picker
from partner_portal.uploads import PDF, detect_type
from partner_portal.web import CurrentViewer, redirect_after_post, render, uploaded_file

# What the template and clause forms explain: the variables and the markup a text may use.
TEXT_HELP: dict[str, Any] = {
    "variables": rendering.VARIABLES,
    "allowed_markup": sorted(ALLOWED_TAGS),
}


def _client(request: AnyRequest, viewer: Viewer) -> Client:
    return Client(
        ip_address=viewer.ip_address or (request.client.host if request.client else ""),
        user_agent=request.headers.get("user-agent", ""),
    )


def pdf_response(content: bytes, filename: str, inline: bool) -> Response[bytes]:
    """A PDF the browser shows in place (the contract page frames it) or saves."""
    disposition = "inline" if inline else "attachment"
    return Response(
        content=content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            # Lets the contract page show the PDF in a frame; the portal's X-Frame-Options
            # DENY still applies everywhere else (frame-ancestors takes precedence).
            "Content-Security-Policy": "frame-ancestors 'self'",
            "Cache-Control": "private, max-age=3600",
        },
    )


@get("/contracts", include_in_schema=False)
async def contract_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    filters = ContractFilters.from_query(request.query_params)
    rows = await drafting.list_contracts(viewer, filters)
    return render(
        request,
        "contracts/list.html",
        {
            "rows": rows,
            "filters": filters,
            "statuses": [status.value for status in states.S],
            "kinds": forms.KINDS,
            "label": states.label,
        },
        partial="contracts/_rows.html",
    )


@get("/contracts/renewals", include_in_schema=False)
async def renewal_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    today = utcnow().date()
    rows = await lifecycle.renewals_due(viewer, today)
    return render(
        request, "contracts/renewals.html", {"rows": rows, "today": today, "label": states.label}
    )


async def _detail(
    request: AnyRequest,
    viewer: Viewer,
    contract_id: UUID,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form: str = "",
    status_code: int = 200,
) -> Template:
    view = await drafting.contract_view(viewer, contract_id)
    pending_code = (
        await acceptance.pending_code(viewer, view.contract) if view.can["accept"] else None
    )
    return render(
        request,
        "contracts/detail.html",
        {
            "view": view,
            "contract": view.contract,
            "errors": errors or {},
            "values": values or {},
            "form": form,
            "pending_code": pending_code,
            "label": states.label,
        },
        status_code=status_code,
    )


@get("/contracts/{contract_id:uuid}", include_in_schema=False)
async def contract_detail(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID]
) -> Template:
    return await _detail(request, viewer, contract_id)


@get("/contracts/new", include_in_schema=False)
async def contract_new(
    request: AnyRequest, viewer: CurrentViewer, partner: FromQuery[UUID | None] = None
) -> Template:
    access.require(viewer, ContractAction.manage_contracts)
    if partner is None:
        # From the contract list: choose the partner first (a GET form back to this page).
        partners = await drafting.partners_for_new_contract(
            viewer, picker.query_text(request.query_params)
        )
        return render(request, "contracts/choose_partner.html", {"partners": partners})
    choices = await drafting.new_contract_choices(viewer, partner)
    return render(request, "contracts/new.html", {**choices, "errors": {}, "label": states.label})


@post("/contracts/new", include_in_schema=False)
async def contract_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    access.require(viewer, ContractAction.manage_contracts)
    try:
        partner_uuid = UUID(data.get("partner", ""))
    except ValueError:
        raise ClientException("Open a partner and choose New contract there.") from None
    try:
        template_uuid: UUID | None = UUID(data.get("template", ""))
    except ValueError:
        template_uuid = None
    result = await drafting.create_contract(viewer, partner_uuid, template_uuid)
    if result.saved:
        return redirect_after_post(request, f"/contracts/{result.uuid}/edit")
    choices = await drafting.new_contract_choices(viewer, partner_uuid)
    return render(
        request,
        "contracts/new.html",
        {**choices, "errors": result.errors, "label": states.label},
        status_code=400,
    )


def _edit_values(contract: VisibleContract) -> dict[str, Any]:
    return {
        "title": contract.title,
        "version": str(contract.version),
        **contract.terms,
    }


async def _edit_page(
    request: AnyRequest,
    contract: VisibleContract,
    values: dict[str, Any],
    errors: dict[str, str],
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "contracts/edit.html",
        {
            "contract": contract,
            "values": values,
            "errors": errors,
            "conflicts": conflicts or [],
            "term_fields": forms.fields_for(contract.kind),
            "currencies": forms.CURRENCIES,
            "tiers": forms.TIERS,
            "label": states.label,
        },
        status_code=status_code,
    )


@get("/contracts/{contract_id:uuid}/edit", include_in_schema=False)
async def contract_edit(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID]
) -> Template:
    contract = await get_contract(viewer, contract_id, ContractAction.manage_contracts)
    return await _edit_page(request, contract, _edit_values(contract), {})


@post("/contracts/{contract_id:uuid}/edit", include_in_schema=False)
async def contract_update(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID], data: Form
) -> Response[Any]:
    contract = await get_contract(viewer, contract_id, ContractAction.manage_contracts)
    result = await drafting.update_contract(viewer, contract, data)
    if result.saved:
        return redirect_after_post(request, f"/contracts/{contract_id}", done="contract_saved")
    values, status_code = result.form_again(data)
    return await _edit_page(request, contract, values, result.errors, result.conflicts, status_code)


@post("/contracts/{contract_id:uuid}/issue", include_in_schema=False)
async def contract_issue(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID]
) -> Response[Any]:
    contract = await get_contract(viewer, contract_id, ContractAction.manage_contracts)
    try:
        await drafting.issue_contract(viewer, contract)
    except ContractError as error:
        return await _detail(
            request, viewer, contract_id, {"issue": str(error)}, form="issue", status_code=409
        )
    return redirect_after_post(request, f"/contracts/{contract_id}", done="contract_issued")


async def _decide_once(
    request: AnyRequest,
    viewer: Viewer,
    contract_id: UUID,
    data: dict[str, str],
    decide: Callable[[], Awaitable[SaveResult]],
    form: str,
    landing: str = "",
    done: str = "",
) -> Response[Any]:
    """A signature step (send a code, confirm, countersign, decline), answered once per
    idempotency key: back to the contract when done, else its page with the form's errors."""

    async def respond() -> Response[Any]:
        result = await decide()
        if result.saved:
            return redirect_after_post(request, f"/contracts/{contract_id}{landing}", done=done)
        return await _detail(
            request, viewer, contract_id, result.errors, dict(data), form=form, status_code=400
        )

    return await idempotency.respond_once(
        request, viewer, data.get(idempotency.KEY_FIELD, ""), respond
    )


@post("/contracts/{contract_id:uuid}/accept", include_in_schema=False)
async def contract_accept(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """The partner's "accept": e-mails a one-time code; the acceptance waits for it."""
    contract = await get_contract(viewer, contract_id, ContractAction.accept_contract)
    return await _decide_once(
        request,
        viewer,
        contract_id,
        data,
        lambda: acceptance.request_acceptance(viewer, contract, data),
        form="sign",
        landing="#confirm",
    )


@post("/contracts/{contract_id:uuid}/accept/confirm", include_in_schema=False)
async def contract_accept_confirm(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID], data: Form
) -> Response[Any]:
    contract = await get_contract(viewer, contract_id, ContractAction.accept_contract)
    client = _client(request, viewer)
    return await _decide_once(
        request,
        viewer,
        contract_id,
        data,
        lambda: acceptance.confirm_acceptance(viewer, contract, data, client),
        form="confirm",
        done="contract_signed_partner",
    )


@post("/contracts/{contract_id:uuid}/countersign", include_in_schema=False)
async def contract_countersign(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID], data: Form
) -> Response[Any]:
    contract = await get_contract(viewer, contract_id, ContractAction.countersign_contract)
    client = _client(request, viewer)
    return await _decide_once(
        request,
        viewer,
        contract_id,
        data,
        lambda: acceptance.sign(viewer, contract, data, client, SignatureSide.brand),
        form="sign",
        done="contract_signed_brand",
    )


@post("/contracts/{contract_id:uuid}/decline", include_in_schema=False)
async def contract_decline(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID], data: Form
) -> Response[Any]:
    contract = await get_contract(viewer, contract_id)
    client = _client(request, viewer)
    return await _decide_once(
        request,
        viewer,
        contract_id,
        data,
        lambda: acceptance.decline(viewer, contract, data, client),
        form="decline",
        done="contract_declined",
    )


@post("/contracts/{contract_id:uuid}/terminate", include_in_schema=False)
async def contract_terminate(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID], data: Form
) -> Response[Any]:
    contract = await get_contract(viewer, contract_id, ContractAction.manage_contracts)
    result = await acceptance.terminate(viewer, contract, data)
    if result.saved:
        return redirect_after_post(request, f"/contracts/{contract_id}", done="contract_terminated")
    return await _detail(
        request, viewer, contract_id, result.errors, dict(data), form="terminate", status_code=400
    )


@post("/contracts/{contract_id:uuid}/renew", include_in_schema=False)
async def contract_renew(
    request: AnyRequest, viewer: CurrentViewer, contract_id: FromPath[UUID]
) -> Response[Any]:
    contract = await get_contract(viewer, contract_id, ContractAction.manage_contracts)
    result = await acceptance.renew(viewer, contract)
    if result.saved:
        return redirect_after_post(
            request, f"/contracts/{result.uuid}/edit", done="contract_renewed"
        )
    return await _detail(request, viewer, contract_id, result.errors, form="renew", status_code=409)


@get("/contracts/{contract_id:uuid}/compare", include_in_schema=False)
async def contract_compare(
    request: AnyRequest,
    viewer: CurrentViewer,
    contract_id: FromPath[UUID],
    old: FromQuery[str | None] = None,
    new: FromQuery[str | None] = None,
    changes: FromQuery[str | None] = None,
) -> Template:
    """The redline of two issued versions, for the brand and the partner alike."""
    compared = await comparison.version_comparison(viewer, contract_id, old, new)
    asked = bool(old or new)
    return render(
        request,
        "contracts/compare.html",
        {
            "comparison": compared,
            "contract": compared.contract,
            "only_changes": changes == "only",
            "status_is_error": asked,
            "text_lang": printing.html_lang(compared.contract.language),
        },
        status_code=400 if compared.problem and asked else 200,
    )


@get("/contracts/versions/{version_id:uuid}/pdf", include_in_schema=False)
async def version_pdf(
    viewer: CurrentViewer, version_id: FromPath[UUID], inline: FromQuery[bool] = False
) -> Response[bytes]:
    contract, version = await get_version(viewer, version_id)
    content = documents.read_pdf(version.pdf_path)
    return pdf_response(content, f"{contract.number}-v{version.number}.pdf", inline)


@get("/contracts/signatures/{signature_id:uuid}/pdf", include_in_schema=False)
async def sealed_pdf(viewer: CurrentViewer, signature_id: FromPath[UUID]) -> Response[bytes]:
    """The accepted (or countersigned) PDF as the platform sealed it, with its certificate
    of completion."""
    contract, signature = await get_signature(viewer, signature_id)
    if not signature.sealed_pdf_path:
        raise NotFoundException("This signature has no sealed PDF.")
    content = documents.read_pdf(signature.sealed_pdf_path)
    name = f"{contract.number}-v{signature.version_number}-{signature.decision}.pdf"
    return pdf_response(content, name, inline=False)


# ---------------------------------------------------------------------------
# Verifying a sealed PDF: public, for anyone holding one


def _verify_page(
    request: AnyRequest,
    result: verification.Verification | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "contracts/verify.html",
        {
            "result": result,
            "error": error,
            "limit_mb": sealing.VERIFY_UPLOAD_BYTES // (1024 * 1024),
        },
        status_code=status_code,
    )


@get("/contracts/verify", include_in_schema=False)
async def verify_page(request: AnyRequest) -> Template:
    return _verify_page(request)


@post(
    "/contracts/verify",
    include_in_schema=False,
    request_max_body_size=sealing.VERIFY_UPLOAD_BYTES + 64 * 1024,
)
async def verify_upload(request: AnyRequest) -> Template:
    """Anyone may check a PDF; the answer says whether it is a sealed acceptance."""
    _fields, content = await uploaded_file(request)
    if not content or detect_type(content, (PDF,)) is None:
        return _verify_page(request, error=_("Choose a PDF file to check."), status_code=400)
    result = await verification.verify_upload(content)
    return _verify_page(request, result, status_code=200 if result.genuine else 422)


@get("/contracts/signing-certificate.pem", include_in_schema=False)
async def signing_certificate() -> Response[bytes]:
    """The certificate the portal signs accepted contracts with (PEM)."""
    return Response(
        await sealing.certificate_pem(),
        media_type="application/x-pem-file",
        headers={"Content-Disposition": 'attachment; filename="threadline-signing.pem"'},
    )


# ---------------------------------------------------------------------------
# Templates and clauses (brand admins)


def _template_context(
    values: dict[str, Any],
    errors: dict[str, str],
    template: VisibleTemplate | None = None,
    conflicts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "template": template,
        "conflicts": conflicts or [],
        "kinds": forms.KINDS,
        "languages": forms.LANGUAGES,
        **TEXT_HELP,
        "label": states.label,
    }


@get("/contracts/templates", include_in_schema=False)
async def template_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, ContractAction.manage_contract_templates)
    return render(
        request,
        "contracts/templates.html",
        {
            "templates": await library.list_templates(viewer),
            "clauses": await library.list_clauses(),
            "label": states.label,
        },
    )


@get("/contracts/templates/new", include_in_schema=False)
async def template_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, ContractAction.manage_contract_templates)
    values = {"kind": "distribution", "language": "en", "is_active": "on"}
    return render(request, "contracts/template_form.html", _template_context(values, {}))


@post("/contracts/templates/new", include_in_schema=False)
async def template_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await library.save_template(viewer, None, data)
    if result.saved:
        return redirect_after_post(request, f"/contracts/templates/{result.uuid}/edit")
    return render(
        request,
        "contracts/template_form.html",
        _template_context(dict(data), result.errors),
        status_code=400,
    )


@get("/contracts/templates/{template_id:uuid}/edit", include_in_schema=False)
async def template_edit(
    request: AnyRequest, viewer: CurrentViewer, template_id: FromPath[UUID]
) -> Template:
    template = await get_template(viewer, template_id)
    return render(
        request,
        "contracts/template_form.html",
        _template_context(_template_values(template), {}, template),
    )


def _template_values(template: VisibleTemplate) -> dict[str, Any]:
    return {**template.as_dict(), "is_active": "on" if template.is_active else ""}


@post("/contracts/templates/{template_id:uuid}/edit", include_in_schema=False)
async def template_update(
    request: AnyRequest, viewer: CurrentViewer, template_id: FromPath[UUID], data: Form
) -> Response[Any]:
    template = await get_template(viewer, template_id)
    result = await library.save_template(viewer, template, data)
    if result.saved:
        return redirect_after_post(request, f"/contracts/templates/{template_id}/edit?saved=1")
    values, status_code = result.form_again(data)
    return render(
        request,
        "contracts/template_form.html",
        _template_context(values, result.errors, template, result.conflicts),
        status_code=status_code,
    )


@get("/contracts/templates/{template_id:uuid}/preview", include_in_schema=False)
async def template_preview(
    request: AnyRequest, viewer: CurrentViewer, template_id: FromPath[UUID]
) -> Response[Any]:
    template = await get_template(viewer, template_id)
    try:
        pdf = await library.preview_template(viewer, template)
    except ContractError as error:  # a template saved before today's checks
        return render(
            request,
            "contracts/template_form.html",
            _template_context(_template_values(template), {"body": str(error)}, template),
            status_code=409,
        )
    return pdf_response(pdf.content, "preview.pdf", inline=True)


@get("/contracts/clauses/new", include_in_schema=False)
async def clause_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, ContractAction.manage_contract_templates)
    return render(
        request,
        "contracts/clause_form.html",
        {"values": {}, "errors": {}, "clause": None, **TEXT_HELP},
    )


@post("/contracts/clauses/new", include_in_schema=False)
async def clause_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await library.save_clause(viewer, None, data)
    if result.saved:
        return redirect_after_post(request, "/contracts/templates#clauses")
    return render(
        request,
        "contracts/clause_form.html",
        {
            "values": dict(data),
            "errors": result.errors,
            "clause": None,
            **TEXT_HELP,
        },
        status_code=400,
    )


@get("/contracts/clauses/{clause_id:uuid}/edit", include_in_schema=False)
async def clause_edit(
    request: AnyRequest, viewer: CurrentViewer, clause_id: FromPath[UUID]
) -> Template:
    clause = await get_clause(viewer, clause_id)
    bodies = await library.clause_bodies()
    values = {**clause.as_dict(), "body": bodies.get(clause.key, "")}
    return render(
        request,
        "contracts/clause_form.html",
        {
            "values": values,
            "errors": {},
            "clause": clause,
            **TEXT_HELP,
        },
    )


@post("/contracts/clauses/{clause_id:uuid}/edit", include_in_schema=False)
async def clause_update(
    request: AnyRequest, viewer: CurrentViewer, clause_id: FromPath[UUID], data: Form
) -> Response[Any]:
    clause = await get_clause(viewer, clause_id)
    # The key names the clause in templates: it never changes.
    result = await library.save_clause(viewer, clause, {**data, "key": clause.key})
    if result.saved:
        return redirect_after_post(request, "/contracts/templates#clauses")
    return render(
        request,
        "contracts/clause_form.html",
        {
            "values": {**data, "key": clause.key},
            "errors": result.errors,
            "clause": clause,
            **TEXT_HELP,
        },
        status_code=400,
    )


contract_routes = [
    contract_list,
    renewal_list,
    contract_new,
    contract_create,
    template_list,
    template_new,
    template_create,
    template_edit,
    template_update,
    template_preview,
    clause_new,
    clause_create,
    clause_edit,
    clause_update,
    contract_detail,
    contract_edit,
    contract_update,
    contract_issue,
    contract_accept,
    contract_accept_confirm,
    contract_countersign,
    contract_decline,
    contract_terminate,
    contract_renew,
    contract_compare,
    version_pdf,
    sealed_pdf,
    verify_page,
    verify_upload,
    signing_certificate,
]
