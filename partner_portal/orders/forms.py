"""Input types of the order pages and the order API, and their parsing (shape only, no
database: SKUs named by code are looked up in partner_portal.orders.queries).

Each ``parse_*`` returns ``(value, errors)``: the value is None when any field is
wrong, and ``errors`` maps each wrong field to a message shown beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from partner_portal import inputs
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text, whole_number
from partner_portal.orders.services import DETAIL_COLUMNS, MAX_LINE_QUANTITY, ShipmentInput
from partner_portal.orders.tables import OrderStatus

# The new-order page starts with this many empty line rows; "More rows" adds as many.
ENTRY_ROWS = 8
MAX_ENTRY_ROWS = 400
DATE_FIELDS = ("delivery_window_start", "delivery_window_end", "requested_ship_date")
TEXT_LIMITS = {"ship_to": 1000, "customer_po": 60, "notes": 4000}
ROW_FIELD = re.compile(r"^line-(\d+)-(style|colour|size|quantity)$")


@dataclass(frozen=True)
class EnteredLine:
    """One line as a person or an ERP names it: style code, colour code, size label."""

    row: int
    style: str
    colour: str
    size: str
    quantity: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.style, self.colour, self.size)


def line_quantity(text: str, allow_zero: bool = False) -> int | inputs.Invalid:
    """A whole number of pieces an order line may hold."""
    return inputs.quantity(text, allow_zero=allow_zero, maximum=MAX_LINE_QUANTITY)


def parse_details(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Ship-to, PO number, notes and dates of an order (the draft details form)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        values[name] = inputs.valid(errors, name, inputs.text(data.get(name), limit=limit))
    for name in DATE_FIELDS:
        values[name] = inputs.valid(errors, name, inputs.optional_date(data.get(name)))
    assert set(values) == set(DETAIL_COLUMNS)
    return (None if errors else values), errors


def parse_version(data: Mapping[str, Any]) -> int | None:
    return whole_number(field_text(data, "version"))


def entry_row_count(data: Mapping[str, Any]) -> int:
    """How many line rows the submitted form had (the form grows with "More rows")."""
    rows = [int(match.group(1)) for name in data if (match := ROW_FIELD.match(name))]
    return min(max(rows, default=-1) + 1, MAX_ENTRY_ROWS)


def parse_entered_lines(data: Mapping[str, Any]) -> tuple[list[EnteredLine], dict[str, str]]:
    """The well-formed line rows of the new-order form, and errors named by row and field
    (line-3-quantity) for half-filled ones; empty rows are skipped. The well-formed rows
    come back even beside errors, so their SKUs can be checked in the same round."""
    lines: list[EnteredLine] = []
    errors: dict[str, str] = {}
    for row in range(entry_row_count(data)):
        style = field_text(data, f"line-{row}-style").upper()
        colour = field_text(data, f"line-{row}-colour").upper()
        size = field_text(data, f"line-{row}-size").upper()
        quantity_text = field_text(data, f"line-{row}-quantity")
        if not (style or colour or size or quantity_text):
            continue
        for name, value in (("style", style), ("colour", colour), ("size", size)):
            if not value:
                errors[f"line-{row}-{name}"] = _("Required.")
        quantity = inputs.valid(
            errors,
            f"line-{row}-quantity",
            line_quantity(quantity_text),
            _("A whole number from 1 to 1,000,000."),
        )
        if not any(key.startswith(f"line-{row}-") for key in errors):
            assert quantity is not None
            lines.append(EnteredLine(row, style, colour, size, quantity))
    if not lines and not errors:
        errors["lines"] = _("Enter at least one line: style, colour, size and quantity.")
    return lines, errors


def parse_status(data: Mapping[str, Any]) -> tuple[tuple[OrderStatus, str] | None, dict[str, str]]:
    """The status to move to, and the note that goes with it."""
    try:
        to_status = OrderStatus(field_text(data, "to_status"))
    except ValueError:
        return None, {"status": _("Choose a step.")}
    note = field_text(data, "note")
    if len(note) > 1000:
        return None, {"note": _("At most %(limit)s characters.", limit=1000)}
    return (to_status, note), {}


def parse_shipment(data: Mapping[str, Any]) -> tuple[ShipmentInput | None, dict[str, str]]:
    """Carrier, tracking number, date, and pieces per order line (fields ``ship-<line id>``)."""
    errors: dict[str, str] = {}
    carrier = field_text(data, "carrier")
    tracking = field_text(data, "tracking_number")
    if not carrier:
        errors["carrier"] = _("Name the carrier.")
    elif len(carrier) > 60:
        errors["carrier"] = _("At most %(limit)s characters.", limit=60)
    if len(tracking) > 60:
        errors["tracking_number"] = _("At most %(limit)s characters.", limit=60)
    shipped_on = inputs.valid(errors, "shipped_on", inputs.date(data.get("shipped_on")))
    quantities: dict[int, int] = {}
    for name in data:
        if not (isinstance(name, str) and name.startswith("ship-")):
            continue
        line_id = whole_number(name.removeprefix("ship-"))
        text = field_text(data, name)
        if line_id is None or not text:
            continue
        quantity = inputs.valid(
            errors,
            f"line-{line_id}",
            line_quantity(text, allow_zero=True),
            _("A whole number from 0 to 1,000,000."),
        )
        if quantity:
            quantities[line_id] = quantity
    if errors:
        return None, errors
    assert shipped_on is not None
    return ShipmentInput(carrier, tracking, shipped_on, quantities), {}


@dataclass(frozen=True)
class ChangeRequestInput:
    quantities: dict[int, int]  # SKU id -> the quantity the buyer asks for (0 removes)
    requested_ship_date: date | None
    reason: str
    version: int


def parse_change_request(
    data: Mapping[str, Any],
) -> tuple[ChangeRequestInput | None, dict[str, str]]:
    """New quantities per SKU (fields ``qty-<sku id>``), a ship date and the reason."""
    errors: dict[str, str] = {}
    quantities: dict[int, int] = {}
    for name in data:
        if not (isinstance(name, str) and name.startswith("qty-")):
            continue
        sku_id = whole_number(name.removeprefix("qty-"))
        text = field_text(data, name)
        if sku_id is None or not text:
            continue
        quantity = inputs.valid(
            errors,
            f"sku-{sku_id}",
            line_quantity(text, allow_zero=True),
            _("A whole number from 0 to 1,000,000."),
        )
        if quantity is not None:
            quantities[sku_id] = quantity
    ship_date = inputs.valid(
        errors, "requested_ship_date", inputs.optional_date(data.get("requested_ship_date"))
    )
    reason = field_text(data, "reason")
    if not reason:
        errors["reason"] = _("Say why, so the brand can decide.")
    elif len(reason) > 2000:
        errors["reason"] = _("At most %(limit)s characters.", limit=2000)
    version = parse_version(data)
    if version is None:
        errors["version"] = _("The form is out of date; reload it.")
    if errors:
        return None, errors
    assert version is not None
    return ChangeRequestInput(quantities, ship_date, reason, version), {}


def parse_uuid(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except (ValueError, AttributeError):
        return None
