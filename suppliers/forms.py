"""Input types of the purchasing pages and the supplier portal, and their parsing (shape
only; the choices a field may take are passed in from the database).

Each ``parse_*`` returns ``(value, errors)``: the value is None when any field is wrong,
and ``errors`` maps each wrong field to a message shown beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from partner_portal import inputs, uploads
from partner_portal.catalog.forms import known_currency
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text, whole_number
from suppliers.tables import AcknowledgementStatus, CommitmentStatus, MaterialKind, MaterialUnit

MATERIAL_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{1,39}$")
KINDS = tuple(kind.value for kind in MaterialKind)
UNITS = tuple(unit.value for unit in MaterialUnit)
# Largest quantity a Numeric(14, 3) column holds, rounded down.
MAX_QUANTITY = Decimal("99999999999")
MAX_COMMENT = 1000


def material_quantity(text: str, *, allow_zero: bool = True) -> Decimal | inputs.Invalid:
    """A quantity of a material in its unit ("1,250.5" metres): at most three decimals."""
    return inputs.quantity(text, allow_zero=allow_zero, maximum=MAX_QUANTITY, decimals=3)


def _optional_whole(
    data: Mapping[str, Any], name: str, errors: dict[str, str], maximum: int
) -> int | None:
    text = field_text(data, name, 12)
    if not text:
        return None
    number = whole_number(text, maximum=maximum)
    if number is None:
        errors[name] = _("Enter a whole number from 0 to %(maximum)s.", maximum=maximum)
    return number


@dataclass(frozen=True)
class MaterialInput:
    supplier_id: int
    code: str
    name: str
    kind: str
    unit: str
    composition: str
    weight_gsm: int | None
    width_cm: int | None
    colour: str
    dye_lot: str
    price: Decimal
    currency: str
    lead_time_days: int
    minimum_order: Decimal
    on_hand: Decimal
    version: int | None


def parse_material(
    data: Mapping[str, Any], suppliers: Mapping[str, int]
) -> tuple[MaterialInput | None, dict[str, str]]:
    """A material from the form; ``suppliers`` maps a supplier's UUID to its id."""
    errors: dict[str, str] = {}
    supplier_id = suppliers.get(field_text(data, "supplier", 40))
    if supplier_id is None:
        errors["supplier"] = _("Choose the supplier.")
    code = field_text(data, "code", 40)
    if not MATERIAL_CODE_PATTERN.match(code):
        errors["code"] = _("2 to 40 letters, digits, dots, dashes or slashes, e.g. HF-POP-120.")
    name = field_text(data, "name", 200)
    if not name:
        errors["name"] = _("Enter the material's name.")
    kind = field_text(data, "kind", 10)
    if kind not in KINDS:
        errors["kind"] = _("Choose fabric or trim.")
    unit = field_text(data, "unit", 10)
    if unit not in UNITS:
        errors["unit"] = _("Choose the unit it is bought in.")
    elif kind == MaterialKind.trim and unit != MaterialUnit.piece:
        errors["unit"] = _("Trims are bought by the piece.")
    elif kind == MaterialKind.fabric and unit == MaterialUnit.piece:
        errors["unit"] = _("Fabric is bought by the metre or the kilogram.")
    weight = _optional_whole(data, "weight_gsm", errors, 2000)
    width = _optional_whole(data, "width_cm", errors, 400)
    currency = field_text(data, "currency", 3).upper()
    price: Decimal | None = None
    if not known_currency(currency):
        errors["currency"] = _("Enter an ISO currency code, e.g. CNY.")
    else:
        price = inputs.valid(
            errors, "price", inputs.money(field_text(data, "price", 20) or "0", currency)
        )
    lead_time = _optional_whole(data, "lead_time_days", errors, 365)
    quantities: dict[str, Decimal] = {}
    for name_ in ("minimum_order", "on_hand"):
        quantity = inputs.valid(
            errors, name_, material_quantity(field_text(data, name_, 20) or "0")
        )
        if quantity is not None:
            quantities[name_] = quantity
    version_text = field_text(data, "version", 10)
    version = whole_number(version_text)
    if errors:
        return None, errors
    assert supplier_id is not None and price is not None
    return (
        MaterialInput(
            supplier_id=supplier_id,
            code=code,
            name=name,
            kind=kind,
            unit=unit,
            composition=field_text(data, "composition", 200),
            weight_gsm=weight,
            width_cm=width,
            colour=field_text(data, "colour", 100),
            dye_lot=field_text(data, "dye_lot", 40),
            price=price,
            currency=currency,
            lead_time_days=lead_time or 0,
            minimum_order=quantities["minimum_order"],
            on_hand=quantities["on_hand"],
            version=version,
        ),
        {},
    )


@dataclass(frozen=True)
class BomLineInput:
    material_id: int
    colourway_id: int | None
    size_id: int | None
    consumption: Decimal
    wastage_percent: Decimal


def parse_bom_line(
    data: Mapping[str, Any],
    materials: Mapping[str, int],
    colourways: Mapping[str, int],
    sizes: Mapping[str, int],
) -> tuple[BomLineInput | None, dict[str, str]]:
    """A BOM line; colour and size are optional (empty: every colour / every size)."""
    errors: dict[str, str] = {}
    material_id = materials.get(field_text(data, "material", 40))
    if material_id is None:
        errors["material"] = _("Choose the material.")
    colourway_text = field_text(data, "colourway", 40)
    colourway_id = colourways.get(colourway_text) if colourway_text else None
    if colourway_text and colourway_id is None:
        errors["colourway"] = _("Choose one of the style's colours.")
    size_text = field_text(data, "size", 40)
    size_id = sizes.get(size_text) if size_text else None
    if size_text and size_id is None:
        errors["size"] = _("Choose one of the style's sizes.")
    consumption = inputs.valid(
        errors,
        "consumption",
        material_quantity(field_text(data, "consumption", 20), allow_zero=False),
    )
    if consumption is not None and consumption > 1000:
        errors["consumption"] = _("More than 1000 per garment is surely a typo.")
    wastage = inputs.valid(
        errors, "wastage_percent", material_quantity(field_text(data, "wastage_percent", 10) or "0")
    )
    if wastage is not None and wastage > 100:
        errors["wastage_percent"] = _("Wastage is a percentage from 0 to 100.")
    if errors:
        return None, errors
    assert material_id is not None and consumption is not None and wastage is not None
    return BomLineInput(material_id, colourway_id, size_id, consumption, wastage), {}


@dataclass(frozen=True)
class CommitmentInput:
    week_start: date
    status: str
    quantity: Decimal | None  # None: accept the requirement as it stands
    delivery_date: date | None
    comment: str


def parse_commitment(data: Mapping[str, Any]) -> tuple[CommitmentInput | None, dict[str, str]]:
    """Accept a week's requirement, or propose another quantity and/or date with a comment."""
    errors: dict[str, str] = {}
    week = inputs.date(field_text(data, "week", 10))
    if isinstance(week, inputs.Invalid) or week.weekday() != 0:
        errors["week"] = _("Choose a week of the forecast.")
    status = field_text(data, "decision", 10)
    if status not in (CommitmentStatus.accepted, CommitmentStatus.proposed):
        errors["decision"] = _("Accept the week or propose another quantity or date.")
    comment = field_text(data, "comment", MAX_COMMENT)
    quantity: Decimal | None = None
    delivery: date | None = None
    if status == CommitmentStatus.proposed:
        quantity = inputs.valid(
            errors, "quantity", material_quantity(field_text(data, "quantity", 20))
        )
        delivery = inputs.valid(
            errors,
            "delivery_date",
            inputs.optional_date(field_text(data, "delivery_date", 10)),
            _("Enter a date such as 2027-02-15."),
        )
        if not comment:
            errors["comment"] = _("Tell the brand why you propose something else.")
    if errors or isinstance(week, inputs.Invalid):
        return None, errors
    return CommitmentInput(week, status, quantity, delivery, comment), {}


@dataclass(frozen=True)
class AcknowledgementInput:
    status: str
    quantity: Decimal | None
    delivery_date: date | None
    comment: str


def parse_acknowledgement(
    data: Mapping[str, Any],
) -> tuple[AcknowledgementInput | None, dict[str, str]]:
    """A supplier's answer to a PO line; a change needs the new quantity or date."""
    errors: dict[str, str] = {}
    status = field_text(data, "acknowledgement", 12)
    if status not in {choice.value for choice in AcknowledgementStatus}:
        errors["acknowledgement"] = _("Choose an answer.")
    quantity: Decimal | None = None
    delivery: date | None = None
    quantity_text = field_text(data, "quantity", 20)
    if quantity_text:
        quantity = inputs.valid(errors, "quantity", material_quantity(quantity_text))
    delivery = inputs.valid(
        errors,
        "delivery_date",
        inputs.optional_date(field_text(data, "delivery_date", 10)),
        _("Enter a date such as 2027-02-15."),
    )
    comment = field_text(data, "comment", MAX_COMMENT)
    if status == AcknowledgementStatus.changed and not errors and not (quantity or delivery):
        errors["quantity"] = _("Give the quantity or the date you can deliver instead.")
    if (
        status in (AcknowledgementStatus.rejected, AcknowledgementStatus.backordered)
        and not comment
    ):
        errors["comment"] = _("Tell the brand why.")
    if errors:
        return None, errors
    return AcknowledgementInput(status, quantity, delivery, comment), {}


def parse_forecast_settings(
    data: Mapping[str, Any],
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The planner's choices for a recomputation: horizon, cutting lead time and the share
    of unconfirmed demand expected to hold (as a percentage)."""
    errors: dict[str, str] = {}
    settings: dict[str, Any] = {}
    weeks = _optional_whole(data, "weeks", errors, 52)
    if weeks is not None:
        if weeks < 1:
            errors["weeks"] = _("Plan at least one week.")
        settings["weeks"] = weeks
    cut_lead = _optional_whole(data, "cut_lead_weeks", errors, 26)
    if cut_lead is not None:
        settings["cut_lead_weeks"] = cut_lead
    probability_text = field_text(data, "likely_percent", 6)
    if probability_text:
        percent = inputs.valid({}, "likely_percent", material_quantity(probability_text))
        if percent is None or percent > 100:
            errors["likely_percent"] = _("Enter a percentage from 0 to 100.")
        else:
            settings["likely_probability"] = percent / 100
    if errors:
        return None, errors
    return settings, {}


MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
# Judged by the file's bytes (partner_portal/uploads.py), whatever its name or claimed type.
CERTIFICATE_TYPES = (uploads.PDF, uploads.JPEG, uploads.PNG)


@dataclass(frozen=True)
class ShipNoticeInput:
    shipped_on: date
    expected_on: date | None
    carrier: str
    tracking_number: str
    dye_lot: str
    quantities: dict[str, Decimal]  # PO line UUID -> quantity shipped


def parse_ship_notice(
    data: Mapping[str, Any], line_uuids: list[str], needs_dye_lot: bool
) -> tuple[ShipNoticeInput | None, dict[str, str]]:
    """An advance ship notice: dates, carrier, dye lot and a quantity per PO line
    (fields ``quantity-<line uuid>``; empty means none of that line)."""
    errors: dict[str, str] = {}
    shipped_on = inputs.valid(
        errors,
        "shipped_on",
        inputs.date(field_text(data, "shipped_on", 10)),
        _("Enter the date it left, e.g. 2027-02-15."),
    )
    expected_on = inputs.valid(
        errors,
        "expected_on",
        inputs.optional_date(field_text(data, "expected_on", 10)),
        _("Enter a date such as 2027-02-15."),
    )
    if expected_on and shipped_on and expected_on < shipped_on:
        errors["expected_on"] = _("It cannot arrive before it leaves.")
    carrier = field_text(data, "carrier", 60)
    if not carrier:
        errors["carrier"] = _("Enter the carrier.")
    dye_lot = field_text(data, "dye_lot", 40)
    if needs_dye_lot and not dye_lot:
        errors["dye_lot"] = _("Fabric ships with its dye lot.")
    quantities: dict[str, Decimal] = {}
    for line_uuid in line_uuids:
        text = field_text(data, f"quantity-{line_uuid}", 20)
        if not text:
            continue
        quantity = inputs.valid(errors, f"quantity-{line_uuid}", material_quantity(text))
        if quantity:
            quantities[line_uuid] = quantity
    if not quantities and not any(key.startswith("quantity-") for key in errors):
        errors["quantities"] = _("Enter the quantity shipped of at least one line.")
    if errors:
        return None, errors
    assert shipped_on is not None
    return (
        ShipNoticeInput(
            shipped_on,
            expected_on,
            carrier,
            field_text(data, "tracking_number", 60),
            dye_lot,
            quantities,
        ),
        {},
    )


@dataclass(frozen=True)
class ReceiptInput:
    received_on: date
    accepted_quantity: Decimal
    rejected_quantity: Decimal
    quality_note: str


def parse_receipt(data: Mapping[str, Any]) -> tuple[ReceiptInput | None, dict[str, str]]:
    """Material received on a PO line and the inspection's result."""
    errors: dict[str, str] = {}
    received_on = inputs.valid(
        errors,
        "received_on",
        inputs.date(field_text(data, "received_on", 10)),
        _("Enter the date it arrived, e.g. 2027-02-15."),
    )
    accepted = inputs.valid(
        errors,
        "accepted_quantity",
        material_quantity(field_text(data, "accepted_quantity", 20) or "0"),
    )
    rejected = inputs.valid(
        errors,
        "rejected_quantity",
        material_quantity(field_text(data, "rejected_quantity", 20) or "0"),
    )
    note = field_text(data, "quality_note", MAX_COMMENT)
    if not errors and not (accepted or rejected):
        errors["accepted_quantity"] = _("Enter how much was accepted or rejected.")
    if rejected and not note:
        errors["quality_note"] = _("Say why material was rejected.")
    if errors:
        return None, errors
    assert received_on is not None and accepted is not None and rejected is not None
    return ReceiptInput(received_on, accepted, rejected, note), {}


WEIGHT_NAMES = ("on_time", "fill_rate", "quality", "acknowledgement", "commitment")


def parse_weights(data: Mapping[str, Any]) -> tuple[dict[str, int] | None, dict[str, str]]:
    """Scorecard weights: whole numbers from 0 to 100, not all zero."""
    errors: dict[str, str] = {}
    weights: dict[str, int] = {}
    for name in WEIGHT_NAMES:
        value = _optional_whole(data, name, errors, 100)
        if value is None and name not in errors:
            errors[name] = _("Enter a whole number from 0 to %(maximum)s.", maximum=100)
        elif value is not None:
            weights[name] = value
    if not errors and not any(weights.values()):
        errors["on_time"] = _("At least one measure must count.")
    if errors:
        return None, errors
    return weights, {}
