"""Distributor pages: line sheets (the brand publishes, buyers read and print them), the
matrix order grid, order upload, reorder, retailers, territory conflicts, order rules and
credit figures. Thin: parse, call a service, render."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from distributors import (
    delivery,
    grid_blocks,
    network,
    publishing,
    rules,
    services,
    sheet_cards,
    sheets,
    upload,
)
from distributors.access import DistributorAction, VisibleLineSheet, get_line_sheet
from distributors.forms import matrix_details, uuid_or_none, version_of
from distributors.services import Grid, MatrixDetails
from partner_portal import access, idempotency
from partner_portal.access import BUYING_KINDS, Action, Viewer
from partner_portal.catalog.images import stored_file
from partner_portal.clock import utcnow
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import format_number
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.orders import services as orders
from partner_portal.partners import picker
from partner_portal.pdf import PDF_MEDIA_TYPE, DocumentPictures, render_pdf
from partner_portal.spreadsheets import UPLOAD_BYTES
from partner_portal.web import (
    CurrentViewer,
    RefusedInput,
    csv_download,
    is_htmx,
    redirect_after_post,
    render,
    uploaded_file,
    xlsx_download,
)

OptionalText = FromQuery[str | None]


# ---------------------------------------------------------------------------
# Line sheets


@get("/line-sheets", include_in_schema=False)
async def sheet_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    sheets = await publishing.list_line_sheets(viewer)
    return render(request, "distributors/sheets.html", {"sheets": sheets})


async def _sheet_form(
    request: AnyRequest,
    viewer: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    sheet: VisibleLineSheet | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "distributors/sheet_form.html",
        {
            "values": values,
            "errors": errors,
            "sheet": sheet,
            "conflicts": conflicts or [],
            "choices": await publishing.sheet_choices(viewer),
        },
        status_code=status_code,
    )


@get("/line-sheets/new", include_in_schema=False)
async def sheet_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, DistributorAction.manage_line_sheets)
    values = {"tiers": set(), "partners": set(), "published": False, "version": 0}
    return await _sheet_form(request, viewer, values, {})


@post("/line-sheets/new", include_in_schema=False)
async def sheet_create(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    access.require(viewer, DistributorAction.manage_line_sheets)
    data = publishing.sheet_input(await request.form())
    result = await publishing.save_line_sheet(viewer, None, data)
    if result.saved:
        return redirect_after_post(request, f"/line-sheets/{result.uuid}", done="line_sheet_saved")
    values = publishing.sheet_form_values(data)
    return await _sheet_form(request, viewer, values, result.errors, status_code=400)


@get("/line-sheets/{sheet_id:uuid}/edit", include_in_schema=False)
async def sheet_edit(
    request: AnyRequest, viewer: CurrentViewer, sheet_id: FromPath[UUID]
) -> Template:
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.manage_line_sheets)
    return await _sheet_form(request, viewer, await publishing.sheet_values(sheet), {}, sheet)


@post("/line-sheets/{sheet_id:uuid}/edit", include_in_schema=False)
async def sheet_update(
    request: AnyRequest, viewer: CurrentViewer, sheet_id: FromPath[UUID]
) -> Response[Any]:
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.manage_line_sheets)
    data = publishing.sheet_input(await request.form())
    result = await publishing.save_line_sheet(viewer, sheet, data)
    if result.saved:
        return redirect_after_post(request, f"/line-sheets/{sheet_id}", done="line_sheet_saved")
    values = publishing.sheet_form_values(data)
    status_code = 400
    if result.current_version is not None:
        values["version"] = result.current_version
        status_code = 409
    return await _sheet_form(
        request, viewer, values, result.errors, sheet, result.conflicts, status_code
    )


@get("/line-sheets/{sheet_id:uuid}", include_in_schema=False)
async def sheet_detail(
    request: AnyRequest, viewer: CurrentViewer, sheet_id: FromPath[UUID], buyer: OptionalText = None
) -> Template:
    """The sheet's cards, a page at a time: htmx asks for the next page as the buyer scrolls."""
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.view_line_sheets)
    filters = sheets.read_filters(request.query_params)
    page = await sheets.sheet_page(viewer, sheet, uuid_or_none(buyer), filters)
    return render(
        request,
        "distributors/sheet.html",
        await _sheet_context(viewer, page),
        partial="distributors/_cards.html",
    )


async def _sheet_context(viewer: Viewer, page: sheets.SheetPage, **extra: Any) -> dict[str, Any]:
    may_order = viewer.can(Action.place_order) and page.buyer is not None
    return {
        "page": page,
        "rules": await rules.grid_rules(),
        "may_order": may_order,
        "cart": (
            await sheets.cart_of(viewer, page.buyer, page.sheet.season) if may_order else None
        ),
        "page_sheet_uuid": page.sheet.uuid,
        "sheet_card": sheet_cards.sheet_card,
        **extra,
    }


@post("/line-sheets/{sheet_id:uuid}/cart", include_in_schema=False)
async def sheet_cart_add(
    request: AnyRequest, viewer: CurrentViewer, sheet_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """A card's "add to order": into the buyer's cart draft; htmx gets the cart back with
    what was added, a plain form the sheet again with the message on top."""
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.view_line_sheets)
    access.require(viewer, Action.place_order)
    buyer = await services.chosen_buyer(viewer, uuid_or_none(data.get("buyer")))
    if buyer is None:
        raise RefusedInput(_("Choose whom the order is for first."))
    addition = sheets.CartAddition(
        style=str(data.get("style", "")),
        colour=str(data.get("colour", "")),
        prepack=str(data.get("prepack", "")),
        packs=str(data.get("packs", "")),
    )
    result = await sheets.add_to_cart(viewer, sheet, buyer, addition)
    message = (
        _(
            "Added %(count)s pieces of %(style)s to your order.",
            count=format_number(result.added),
            style=result.style_code,
        )
        if result.added
        else ""
    )
    if is_htmx(request):
        return render(
            request,
            "distributors/_cart.html",
            {
                "cart": result.cart,
                "cart_message": message,
                "cart_error": result.error,
                "page_sheet_uuid": sheet.uuid,
            },
            status_code=200 if not result.error else 400,
        )
    filters = sheets.read_filters(dict(parse_qsl(str(data.get("filters", ""))[:1000])))
    page = await sheets.sheet_page(viewer, sheet, buyer["uuid"], filters)
    context = await _sheet_context(viewer, page, cart_message=message, cart_error=result.error)
    return render(
        request, "distributors/sheet.html", context, status_code=400 if result.error else 200
    )


@get("/line-sheets/{sheet_id:uuid}/pdf", include_in_schema=False)
async def sheet_pdf(
    request: AnyRequest, viewer: CurrentViewer, sheet_id: FromPath[UUID], buyer: OptionalText = None
) -> Response[bytes]:
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.view_line_sheets)
    view = await services.sheet_view(viewer, sheet, uuid_or_none(buyer))
    media_dir = Path(request.app.state.settings.media_dir)
    # WeasyPrint reads the pictures from disk (the page's URLs need a signed-in session),
    # and only these: the PDF's fetcher serves a document the pictures it was given.
    pictures = DocumentPictures()
    images = {
        style.id: pictures.url(stored_file(media_dir, style.image_path))
        for style in view.styles
        if style.image_path
    }
    content = await render_pdf(
        "distributors/sheet_pdf.html",
        {
            "view": view,
            "images": images,
            "viewer": viewer,
            "brand_name": await publishing.brand_name(),
            "today": utcnow().date(),
        },
        pictures,
    )
    season_code = view.season.code if view.season else ""
    filename = f"line-sheet-{season_code}-{sheet_id}.pdf"
    return Response(
        content=content,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# ---------------------------------------------------------------------------
# The matrix grid


async def _matrix(
    request: AnyRequest,
    viewer: Viewer,
    *,
    sheet: VisibleLineSheet | None,
    order: access.VisibleOrder | None,
    buyer: dict[str, Any] | None,
    texts: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    details: MatrixDetails | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
    reorder_of: UUID | None = None,
    batch: str | None = None,
    buyers: list[dict[str, Any]] | None = None,
) -> Template:
    """The grid page. As first drawn it shows the styles already ordered and the first few
    others, and tells htmx where the next batch is (``?batch=<start>`` answers only that
    batch); answering a post (``texts``: what was typed) it draws every style. ``buyers``:
    whom the viewer may order for, when the caller has read them already."""
    style_ids = await services.sheet_style_ids(sheet.id) if sheet else []
    saved_texts: dict[str, str] = {}
    draft_styles: list[int] = []
    if order is not None:
        draft_styles, saved_texts = await services.draft_quantities(order)
        style_ids = list(dict.fromkeys([*style_ids, *draft_styles]))
    # A batch's start, from the "more" block's address; anything else asks for no styles.
    start = (whole_number(batch, minimum=1, maximum=100_000) or len(style_ids) + 1) if batch else 0
    drawn = (
        services.grid_batch(style_ids, draft_styles, start)
        if texts is None
        else services.GridBatch(style_ids)
    )
    styles = await services.load_styles(viewer, drawn.style_ids, buyer["id"] if buyer else None)
    more = (
        {"left": drawn.left, "url": _with_query(request, batch=str(drawn.next_start))}
        if drawn.next_start is not None
        else None
    )
    if start:
        return await _grid_batch(request, viewer, styles, buyer, more)
    grid_texts = saved_texts if texts is None else {**saved_texts, **texts}
    grid = services.read_grid(styles, grid_texts) if buyer else Grid()
    windows = await services.windows_for(styles)
    if details is None:
        details = await services.details_of(order, windows)
    totals = await services.totals_for(
        viewer, styles, grid, buyer, services.window_start(windows, details.window_uuid)
    )
    if buyers is None:
        buyers = await services.buyer_choices(viewer) if order is None else []
    ship_to = (
        await delivery.ship_to_choices(viewer, buyer, order.ship_to if order else "")
        if buyer
        else []
    )
    return render(
        request,
        "distributors/matrix.html",
        {
            "sheet": sheet,
            "order": order,
            "buyer": buyer,
            "buyers": buyers,
            "styles": styles,
            "texts": grid_texts,
            "errors": {**grid.errors, **(errors or {})},
            "totals": totals,
            "windows": windows,
            "details": details,
            "version": order.version if order else 0,
            # Every drawn grid is a new request: sending it twice saves or submits once.
            "idempotency_key": idempotency.new_key(),
            "conflicts": conflicts or [],
            "rules": await rules.grid_rules(),
            "ship_to": ship_to,
            "ship_to_value": delivery.chosen_ship_to(ship_to, details.ship_to),
            "reorder_changes": (
                await upload.reorder_changes(viewer, reorder_of, order, styles)
                if reorder_of and order
                else None
            ),
            "quantities": grid.quantities,
            # The cells show the draft as saved (not a refused form's typed texts).
            "as_saved": order is not None and texts is None,
            "more": more,
            "grid_style": grid_blocks.grid_style,
        },
        status_code=status_code,
    )


async def _grid_batch(
    request: AnyRequest,
    viewer: Viewer,
    styles: list[services.MatrixStyle],
    buyer: dict[str, Any] | None,
    more: dict[str, Any] | None,
) -> Template:
    """A later batch of a grid's styles: none of them is ordered yet (a draft's are drawn
    with the page), so their cells and totals start empty."""
    return render(
        request,
        "distributors/_grid_styles.html",
        {
            "styles": styles,
            "texts": {},
            "errors": {},
            "quantities": {},
            "totals": await services.totals_for(viewer, styles, Grid(), buyer),
            "windows": await services.windows_for(styles),
            "details": MatrixDetails(),
            "rules": await rules.grid_rules(),
            "more": more,
            "grid_style": grid_blocks.grid_style,
        },
    )


def _with_query(request: AnyRequest, **values: str) -> str:
    """This page's address with some query parameters set (a success notice left out)."""
    query = {name: value for name, value in request.query_params.items() if name != "done"}
    return f"{request.url.path}?{urlencode({**query, **values})}"


@get("/line-sheets/{sheet_id:uuid}/order", include_in_schema=False)
async def sheet_order(
    request: AnyRequest,
    viewer: CurrentViewer,
    sheet_id: FromPath[UUID],
    buyer: OptionalText = None,
    batch: OptionalText = None,
) -> Template:
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.view_line_sheets)
    access.require(viewer, Action.place_order)
    chosen, buyers = await services.buyer_and_choices(viewer, uuid_or_none(buyer))
    return await _matrix(
        request, viewer, sheet=sheet, order=None, buyer=chosen, batch=batch, buyers=buyers
    )


@get("/distributors/drafts/{order_id:uuid}", include_in_schema=False)
async def draft_matrix(
    request: AnyRequest,
    viewer: CurrentViewer,
    order_id: FromPath[UUID],
    sheet: OptionalText = None,
    reorder_of: OptionalText = None,
    batch: OptionalText = None,
) -> Template:
    order = await services.draft_for_grid(viewer, order_id)
    # Reopened from a link that names no sheet, the draft is drawn in its sheet's whole grid.
    sheet_uuid = uuid_or_none(sheet) or await sheets.sheet_of_draft(viewer, order)
    sheet_row = (
        await get_line_sheet(viewer, sheet_uuid, DistributorAction.view_line_sheets)
        if sheet_uuid
        else None
    )
    buyer = await access.get_buyer(viewer, order.buyer)
    return await _matrix(
        request,
        viewer,
        sheet=sheet_row,
        order=order,
        buyer=dict(buyer),
        reorder_of=uuid_or_none(reorder_of),
        batch=batch,
    )


@post("/distributors/matrix", include_in_schema=False)
async def matrix_post(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    """Save the grid into a draft, or save and submit it, or (``intent=apply``) only fill
    the cells from a pasted block or prepacks and show the grid again (``intent=more``,
    the button of a grid drawn in batches when no script fetches them: every style).

    Saving and submitting happen once per drawn grid (its idempotency key): a double
    click or a reload of the answer gets the first answer, landing on the same draft or
    the submitted order."""
    access.require(viewer, Action.place_order)
    form = dict(await request.form())
    changes = form.get("intent", "save") not in ("apply", "more")
    key = str(form.get(idempotency.KEY_FIELD, "")) if changes else ""
    return await idempotency.respond_once(
        request, viewer, key, lambda: _matrix_sent(request, viewer, form)
    )


async def _matrix_sent(request: AnyRequest, viewer: Viewer, form: dict[str, Any]) -> Response[Any]:
    intent = str(form.get("intent", "save"))
    sheet_uuid = uuid_or_none(form.get("sheet"))
    sheet = (
        await get_line_sheet(viewer, sheet_uuid, DistributorAction.view_line_sheets)
        if sheet_uuid
        else None
    )
    order_uuid = uuid_or_none(form.get("order"))
    order = await services.draft_for_grid(viewer, order_uuid) if order_uuid else None
    if order is not None:
        buyer: dict[str, Any] | None = dict(await access.get_buyer(viewer, order.buyer))
    else:
        buyer = await services.chosen_buyer(viewer, uuid_or_none(form.get("buyer")))
    details = matrix_details(form)
    page: dict[str, Any] = {
        "sheet": sheet,
        "order": order,
        "buyer": buyer,
        "details": details,
    }
    if buyer is None:
        return await _matrix(
            request,
            viewer,
            **page,
            errors={"buyer": _("Choose whom the order is for.")},
            status_code=400,
        )
    style_ids = await services.sheet_style_ids(sheet.id) if sheet else []
    if order is not None:
        style_ids = [*style_ids, *(await services.draft_quantities(order))[0]]
    # Only the styles the page drew were sent: a draft's other lines are kept as saved.
    drawn = services.drawn_styles(list(dict.fromkeys(style_ids)), form)
    styles = await services.load_styles(viewer, drawn, buyer["id"])
    grid = services.read_grid(styles, form)
    if intent in ("apply", "more"):
        # Fill cells from a paste or prepacks, or (without the script) draw every style.
        return await _matrix(request, viewer, **page, texts=grid.texts)
    windows = await services.windows_for(styles)
    saved = await delivery.save_by_window(
        viewer, buyer, styles, grid, details, order, version_of(form), windows, details.ship_to
    )
    result = saved.result
    if not result.saved:
        if result.current_version is not None and order is not None:
            order = order.replace(version=result.current_version)
            page["order"] = order
        return await _matrix(
            request,
            viewer,
            **page,
            texts=grid.texts,
            errors=result.errors,
            conflicts=result.conflicts,
            status_code=409 if result.current_version is not None else 400,
        )
    main_uuid = result.uuid
    assert main_uuid is not None
    every = [main_uuid, *saved.split_off]
    split = "split?ids=" + ",".join(str(uuid) for uuid in every)
    if intent != "submit":
        if saved.split_off:
            return redirect_after_post(request, f"/distributors/{split}", done="drafts_split")
        back = f"/distributors/drafts/{main_uuid}" + (f"?sheet={sheet.uuid}" if sheet else "")
        return redirect_after_post(request, back, done="draft_saved")
    submitted = await orders.submit_order(viewer, main_uuid)
    if not submitted.saved:
        page["order"] = await services.draft_for_grid(viewer, main_uuid)
        return await _matrix(
            request, viewer, **page, texts=grid.texts, errors=submitted.errors, status_code=400
        )
    for uuid in saved.split_off:
        await orders.submit_order(viewer, uuid)
    if saved.split_off:
        return redirect_after_post(request, f"/distributors/{split}", done="orders_submitted")
    return redirect_after_post(request, f"/orders/{main_uuid}", done="order_submitted")


@get("/distributors/split", include_in_schema=False)
async def split_page(
    request: AnyRequest, viewer: CurrentViewer, ids: OptionalText = None
) -> Template:
    """The orders a grid was split into, one per delivery window, each with its PO number,
    state and a way on (its page, or its grid while a draft)."""
    uuids = [uuid for text in (ids or "").split(",")[:20] if (uuid := uuid_or_none(text))]
    found = await delivery.split_orders(viewer, uuids)
    return render(request, "distributors/split.html", {"orders": found})


# ---------------------------------------------------------------------------
# Upload and reorder


async def _upload_page(
    request: AnyRequest,
    viewer: Viewer,
    result: upload.UploadResult | None = None,
    buyer_uuid: str = "",
    missing_file: bool = False,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "distributors/upload.html",
        {
            "result": result,
            # Whom the order is for: a menu when few, a search field past 40 (the brand's
            # staff see every buying partner).
            "buyers": await picker.partner_picker(
                viewer, buyer_uuid, picker.query_text(request.query_params), BUYING_KINDS
            ),
            "buyer_uuid": buyer_uuid,
            "missing_file": missing_file,
            "columns": upload.COLUMNS,
            "example": await upload.template_rows(viewer),
        },
        status_code=status_code,
    )


@get("/distributors/upload", include_in_schema=False)
async def upload_form(
    request: AnyRequest, viewer: CurrentViewer, buyer: OptionalText = None
) -> Template:
    access.require(viewer, Action.place_order)
    if not buyer:
        # A partner's user orders for their own organisation unless they choose otherwise.
        own = await services.chosen_buyer(viewer, None)
        buyer = str(own["uuid"]) if own else ""
    return await _upload_page(request, viewer, buyer_uuid=buyer)


@get("/distributors/upload/template", include_in_schema=False)
async def upload_template(viewer: CurrentViewer, format: FromQuery[str] = "xlsx") -> Response[Any]:
    access.require(viewer, Action.place_order)
    rows = await upload.template_rows(viewer)
    if format == "csv":
        return csv_download(upload.COLUMNS, rows, "order-template.csv")
    return await xlsx_download(upload.COLUMNS, rows, "order-template.xlsx", title="Order")


@post("/distributors/upload", include_in_schema=False, request_max_body_size=UPLOAD_BYTES)
async def upload_post(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    access.require(viewer, Action.place_order)
    fields, content = await uploaded_file(request)
    buyer_text = str(fields.get("buyer", ""))
    buyer = await services.chosen_buyer(viewer, uuid_or_none(buyer_text))
    if not content:
        return await _upload_page(
            request, viewer, buyer_uuid=buyer_text, missing_file=True, status_code=400
        )
    if buyer is None:
        result = upload.UploadResult(
            errors=[upload.RowError(0, "", _("Choose whom the order is for."))]
        )
        return await _upload_page(request, viewer, result, buyer_text, status_code=400)
    result = await upload.import_order(viewer, buyer, content)
    if result.ok:
        return redirect_after_post(
            request, f"/distributors/drafts/{result.order_uuid}", done="upload_draft"
        )
    return await _upload_page(request, viewer, result, buyer_text, status_code=400)


@post("/distributors/reorder/{order_id:uuid}", include_in_schema=False)
async def reorder(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Response[Any]:
    """A new draft from a past order; a double click (the page's key sent twice) makes one."""
    form = await request.form()
    key = str(form.get(idempotency.KEY_FIELD, ""))
    return await idempotency.respond_once(
        request, viewer, key, lambda: _reorder(request, viewer, order_id)
    )


async def _reorder(request: AnyRequest, viewer: Viewer, order_id: UUID) -> Response[Any]:
    result = await upload.reorder(viewer, order_id)
    if result.saved:
        return redirect_after_post(
            request,
            f"/distributors/drafts/{result.uuid}?reorder_of={order_id}",
            done="reorder_draft",
        )
    return render(
        request,
        "distributors/message.html",
        {
            "title": _("Reorder"),
            "messages": list(result.errors.values()),
            "back": f"/orders/{order_id}",
        },
        status_code=400,
    )


# ---------------------------------------------------------------------------
# Retailers, territory conflicts, rules, credit


@get("/distributors/retailers", include_in_schema=False)
async def retailers(request: AnyRequest, viewer: CurrentViewer) -> Template:
    network_view = await network.retailer_network(viewer)
    sheets = (
        await publishing.list_line_sheets(viewer)
        if viewer.can(DistributorAction.view_line_sheets)
        else []
    )
    return render(
        request, "distributors/retailers.html", {"network": network_view, "sheets": sheets}
    )


@get("/distributors/conflicts", include_in_schema=False)
async def conflicts(request: AnyRequest, viewer: CurrentViewer) -> Template:
    found = await network.territory_conflicts(viewer)
    return render(request, "distributors/conflicts.html", {"conflicts": found})


@get("/distributors/rules", include_in_schema=False)
async def rules_form(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, DistributorAction.manage_order_rules)
    loaded = await rules.load_rules()
    return render(
        request,
        "distributors/rules.html",
        {
            "rules": loaded,
            "values": rules.rule_form_values(loaded),
            "currencies": await rules.selling_currencies(),
            "errors": {},
        },
    )


@post("/distributors/rules", include_in_schema=False)
async def rules_save(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    access.require(viewer, DistributorAction.manage_order_rules)
    result = await rules.save_rules(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/distributors/rules?saved=1")
    return render(
        request,
        "distributors/rules.html",
        {
            "rules": await rules.load_rules(),
            "values": dict(data),
            "currencies": await rules.selling_currencies(),
            "errors": result.errors,
        },
        status_code=400,
    )


@get("/distributors/credit", include_in_schema=False)
async def credit_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, DistributorAction.manage_partner_credit)
    return render(
        request,
        "distributors/credit.html",
        {"partners": await rules.credit_rows(viewer), "errors": {}, "failed": None},
    )


@post("/distributors/credit/{partner_id:uuid}", include_in_schema=False)
async def credit_save(
    request: AnyRequest, viewer: CurrentViewer, partner_id: FromPath[UUID], data: Form
) -> Response[Any]:
    organisation = await access.get_organisation(
        viewer, partner_id, DistributorAction.manage_partner_credit
    )
    result = await rules.save_credit(viewer, organisation, data)
    if result.saved:
        return redirect_after_post(
            request, f"/distributors/credit#p-{partner_id}", done="credit_saved"
        )
    partners = [
        (
            partner.replace(typed=dict(data))
            if partner.id == organisation.id and result.current_version is None
            else partner
        )
        for partner in await rules.credit_rows(viewer)
    ]
    return render(
        request,
        "distributors/credit.html",
        {"partners": partners, "errors": result.errors, "failed": partner_id},
        status_code=409 if result.current_version is not None else 400,
    )


distributor_routes: list[Any] = [
    sheet_list,
    sheet_new,
    sheet_create,
    sheet_edit,
    sheet_update,
    sheet_detail,
    sheet_cart_add,
    sheet_pdf,
    sheet_order,
    draft_matrix,
    matrix_post,
    split_page,
    upload_form,
    upload_template,
    upload_post,
    reorder,
    retailers,
    conflicts,
    rules_form,
    rules_save,
    credit_list,
    credit_save,
]
