"""Order upload: a spreadsheet (xlsx or CSV) in the documented template, one row per
style, colour and size, becomes a draft order, or nothing with the problems by row and
column. And reorder: a past order copied into a new draft at today's prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from distributors.access import DistributorAction
from distributors.publishing import list_line_sheets
from distributors.services import MatrixStyle, channel_for, load_styles, sheet_style_ids
from partner_portal import access, inputs
from partner_portal.access import Action, Viewer
from partner_portal.catalog.tables import Sku, StyleStatus
from partner_portal.clock import utcnow
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_, format_date, format_money
from partner_portal.i18n import gettext as _
from partner_portal.orders import services as orders
from partner_portal.orders.services import MAX_LINE_QUANTITY, LineRequest, OrderDraft
from partner_portal.orders.tables import OrderLine
from partner_portal.spreadsheets import RowError, read_rows

COLUMNS = ("style", "colour", "size", "quantity")
# When the viewer sees no line sheet to take an example from: the shape of the rows.
TEMPLATE_EXAMPLE = (
    {"style": "SS27-SH-001", "colour": "WHT", "size": "M", "quantity": "24"},
    {"style": "SS27-SH-001", "colour": "WHT", "size": "L", "quantity": "12"},
)
# Example quantities: even and 30 pieces in all, so the usual minimums and multiples hold.
EXAMPLE_QUANTITIES = ("12", "12", "6")


async def template_rows(viewer: Viewer) -> list[dict[str, str]]:
    """The template's example rows, made from a style the viewer may order (the first of
    the first published line sheet it sees), so the downloaded template passes the upload's
    own check as it is."""
    sheets = (
        await list_line_sheets(viewer) if viewer.can(DistributorAction.view_line_sheets) else []
    )
    for sheet in sheets:
        if not sheet.published:
            continue
        for style in await load_styles(viewer, (await sheet_style_ids(sheet.id))[:5], None):
            cells = [
                (colour, size)
                for colour in style.colours
                for size in style.sizes
                if style.sku(colour["id"], size["id"]) is not None
            ]
            if len(cells) >= len(EXAMPLE_QUANTITIES):
                return [
                    {
                        "style": style.code,
                        "colour": colour["code"],
                        "size": size["label"],
                        "quantity": quantity,
                    }
                    for (colour, size), quantity in zip(cells, EXAMPLE_QUANTITIES, strict=False)
                ]
    return [dict(row) for row in TEMPLATE_EXAMPLE]


@dataclass
class UploadResult:
    order_uuid: UUID | None = None
    errors: list[RowError] = field(default_factory=list)
    lines: int = 0

    @property
    def ok(self) -> bool:
        return self.order_uuid is not None


async def _sku_index(style_codes: set[str]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(style code, colour code, size label) -> the SKU, for the styles a file names;
    colour codes and size labels compared without case (one query)."""
    if not style_codes:
        return {}
    rows = await Sku.select(
        Sku.id,
        Sku.style._.code.as_alias("style_code"),
        Sku.style._.status.as_alias("style_status"),
        Sku.colourway._.code.as_alias("colour_code"),
        Sku.colourway._.name.as_alias("colour_name"),
        Sku.size._.label.as_alias("size_label"),
    ).where(Sku.style._.code.is_in(sorted(style_codes)))
    index: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        for colour in {row["colour_code"], row["colour_name"]} - {""}:
            index[(row["style_code"].upper(), colour.upper(), row["size_label"].upper())] = row
    return index


async def import_order(
    viewer: Viewer, buyer: dict[str, Any], content: bytes, season_id: int | None = None
) -> UploadResult:
    """Read every row; any problem anywhere saves nothing and names the row and column.
    A clean file becomes one draft for the buyer, priced at today's prices."""
    access.require(viewer, Action.place_order)
    rows, problems = await read_rows(content, COLUMNS, COLUMNS)
    if problems:
        return UploadResult(errors=problems)
    index = await _sku_index({row["style"].strip().upper() for row in rows if row["style"]})
    known_styles = {key[0] for key in index}
    errors: list[RowError] = []
    lines: list[LineRequest] = []
    for row in rows:
        number = int(row["_row"])
        style = row["style"].strip().upper()
        colour = row["colour"].strip().upper()
        size = row["size"].strip().upper()
        quantity = row["quantity"].strip().replace(",", "")
        for column in COLUMNS:
            if not row[column].strip():
                errors.append(RowError(number, column, _("This cell is empty.")))
        if not row["style"].strip():
            continue
        if style not in known_styles:
            errors.append(RowError(number, "style", _("No style has this code.")))
            continue
        sku = index.get((style, colour, size))
        if colour and size and sku is None:
            colours = {key[1] for key in index if key[0] == style}
            if colour not in colours:
                errors.append(RowError(number, "colour", _("The style has no such colour.")))
            else:
                errors.append(RowError(number, "size", _("The style has no such size.")))
        elif sku is not None and sku["style_status"] != StyleStatus.active:
            errors.append(RowError(number, "style", _("This style cannot be ordered.")))
        parsed = inputs.quantity(quantity, maximum=MAX_LINE_QUANTITY)
        pieces = None if isinstance(parsed, inputs.Invalid) else parsed
        if quantity and pieces is None:
            errors.append(
                RowError(number, "quantity", _("Enter whole pieces from 1 to 1,000,000."))
            )
        elif sku is not None and pieces is not None:
            lines.append(LineRequest(sku["id"], pieces))
    if errors:
        return UploadResult(errors=errors)
    result = await orders.create_draft(
        viewer,
        OrderDraft(
            buyer_id=buyer["id"],
            channel=channel_for(buyer, viewer),
            lines=lines,
            season_id=season_id,
            origin_message=N_("Uploaded from a spreadsheet."),
        ),
    )
    if not result.saved:
        return UploadResult(
            errors=[RowError(0, "", message) for message in sorted(set(result.errors.values()))]
        )
    return UploadResult(order_uuid=result.uuid, lines=len(lines))


async def reorder(viewer: Viewer, order_uuid: UUID) -> SaveResult:
    """A new draft with a past order's items and quantities, for the same buyer, at today's
    prices. Items of styles that can no longer be ordered are left out."""
    past = await access.get_order(viewer, order_uuid, Action.place_order)
    buyer = await access.get_buyer(viewer, past.buyer)
    rows = (
        await OrderLine.select(
            OrderLine.sku,
            OrderLine.quantity,
            OrderLine.style._.status.as_alias("style_status"),
        )
        .where(OrderLine.order == past.id)
        .order_by(OrderLine.id)
    )
    lines = [
        LineRequest(row["sku"], row["quantity"])
        for row in rows
        if row["style_status"] == StyleStatus.active
    ]
    if not lines:
        return SaveResult(errors={"lines": _("None of this order's styles can be ordered now.")})
    start = past.delivery_window_start
    still_to_come = start is not None and start >= utcnow().date()
    return await orders.create_draft(
        viewer,
        OrderDraft(
            buyer_id=buyer["id"],
            channel=channel_for(buyer, viewer),
            lines=lines,
            season_id=past.season,
            ship_to=past.ship_to,
            # Read later by others (the brand's staff too): in each reader's language.
            origin_message=N_("Reorder of %(number)s"),
            origin_params={"number": past.number or ""},
            # Pre-booked for a window still to come: the same window; else at once.
            delivery_window_start=past.delivery_window_start if still_to_come else None,
            delivery_window_end=past.delivery_window_end if still_to_come else None,
        ),
    )


async def reorder_changes(
    viewer: Viewer, past_uuid: UUID, draft: access.VisibleOrder, styles: list[MatrixStyle]
) -> list[str]:
    """What differs between a past order and the draft reordering it, in the reader's
    language: items left out, prices that moved, and (for an at-once order) cells with
    less stock than the quantity."""
    past = await access.get_order(viewer, past_uuid, Action.place_order)
    past_lines = await (
        OrderLine.select(
            OrderLine.sku,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.style._.code.as_alias("style_code"),
            OrderLine.size,
            OrderLine.size._.label.as_alias("size_label"),
        )
        .where(OrderLine.order == past.id)
        .order_by(OrderLine.id)
    )
    shown = {sku_id: style for style in styles for sku_id in style.skus.values()}
    changes: list[str] = []
    left_out = sorted({line["style_code"] for line in past_lines if line["sku"] not in shown})
    if left_out:
        changes.append(_("No longer offered, left out: %(codes)s", codes=", ".join(left_out)))
    moved: dict[tuple[str, Decimal, Decimal], list[str]] = {}
    for line in past_lines:
        style = shown.get(line["sku"])
        today = style.size_prices.get(line["size"]) if style else None
        if today is not None and today != line["unit_price"]:
            labels = moved.setdefault((line["style_code"], line["unit_price"], today), [])
            if line["size_label"] not in labels:
                labels.append(line["size_label"])
    for (code, then, now), labels in moved.items():
        style = next(style for style in styles if style.code == code)
        scale = [size["label"] for size in style.sizes]
        changes.append(
            _(
                "%(code)s %(sizes)s: %(then)s then, %(now)s today",
                code=code,
                # in the size scale's order (S/M/L), whatever order the lines were typed in
                sizes="/".join(sorted(labels, key=scale.index)),
                then=format_money(then, draft.currency),
                now=format_money(now, draft.currency),
            )
        )
    if past.delivery_window_start is not None and draft.delivery_window_start is None:
        changes.append(
            _(
                "The delivery window of %(date)s has passed: this draft is for delivery at once.",
                date=format_date(past.delivery_window_start),
            )
        )
    if draft.delivery_window_start is None:
        short = [
            f"{line['style_code']} {line['size_label']}"
            for line in past_lines
            if line["sku"] in shown
            and shown[line["sku"]].stock.get(line["sku"], 0) < line["quantity"]
        ]
        if short:
            changes.append(
                _(
                    "Less in stock now than ordered: %(items)s",
                    items=", ".join(list(dict.fromkeys(short))[:12]),
                )
            )
    return changes
