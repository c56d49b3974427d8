"""Typed rows of the suppliers module (partner_portal/records.py): a material purchase order
and its lines, a material, a published forecast and a commitment to it, scorecard weights, BOMs, ship notices, their certificates and receipts, and a BOM line as the
services hand them out. One fetched through the access policy is a ``Visible...`` record
(suppliers/access.py), made only by its fetchers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from partner_portal.catalog.tables import StyleStatus
from partner_portal.records import Record
from suppliers.tables import (
    AcknowledgementStatus,
    CommitmentStatus,
    MaterialKind,
    MaterialUnit,
    PurchaseOrderStatus,
)


class PurchaseOrderRecord(Record, frozen=True):
    """A material purchase order's own columns (a draft has no number yet)."""

    id: int
    uuid: UUID
    number: str | None
    supplier: int
    status: PurchaseOrderStatus
    currency: str
    notes: str
    created_by: int | None
    created_at: datetime
    sent_at: datetime | None


class PurchaseOrderSummary(PurchaseOrderRecord, frozen=True):
    """A purchase order as the lists show it: its supplier's name, how many lines it has,
    how many the supplier has not answered yet, and its value."""

    supplier_name: str
    lines: int
    unanswered: int
    value: Decimal


class PurchaseOrderLineRecord(Record, frozen=True):
    """A purchase order line's own columns, with the supplier's answer once given."""

    id: int
    uuid: UUID
    purchase_order: int
    material: int
    quantity: Decimal
    unit_price: Decimal
    required_date: date
    received_quantity: Decimal
    acknowledgement: AcknowledgementStatus | None
    confirmed_quantity: Decimal | None
    confirmed_date: date | None
    acknowledgement_comment: str
    acknowledged_at: datetime | None


class OrderedMaterial(PurchaseOrderLineRecord, frozen=True):
    """A line as the purchase order page lists it, with its material's code, name and unit."""

    material_code: str
    material_name: str
    unit: MaterialUnit


class MaterialRecord(Record, frozen=True):
    """A material's own columns."""

    id: int
    uuid: UUID
    supplier: int
    code: str
    name: str
    kind: MaterialKind
    unit: MaterialUnit
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
    created_at: datetime
    updated_at: datetime
    version: int


class MaterialEntry(MaterialRecord, frozen=True):
    """A material as the lists and the forecast show it, with its supplier."""

    supplier_name: str
    supplier_uuid: UUID


class ForecastVersionRecord(Record, frozen=True):
    """A published material forecast: its number, its first week and how many weeks."""

    id: int
    uuid: UUID
    number: int
    first_week: date
    weeks: int
    content_hash: str
    published_by: int | None
    published_at: datetime


class CommitmentRecord(Record, frozen=True):
    """A supplier's answer for a material's week, with the requirement it answered."""

    id: int
    uuid: UUID
    supplier: int
    material: int
    week_start: date
    forecast: int
    requirement: Decimal
    status: CommitmentStatus
    quantity: Decimal
    delivery_date: date
    comment: str
    committed_by: int | None
    committed_at: datetime


class ShippedQuantity(Record, frozen=True):
    """A line of a ship notice: how much of which material it announces."""

    ship_notice: int
    quantity: Decimal
    material_code: str


class ShipNoticeEntry(Record, frozen=True):
    """A ship notice as the purchase order page lists it, with its lines (its certificate's
    bytes are read only when downloaded)."""

    id: int
    uuid: UUID
    shipped_on: date
    expected_on: date | None
    carrier: str
    tracking_number: str
    dye_lot: str
    certificate_name: str
    lines: list[ShippedQuantity]


class CertificateRecord(Record, frozen=True):
    """A ship notice's test report or certificate: its name, the type its uploader gave and
    its bytes."""

    certificate_name: str
    certificate_type: str
    certificate: bytes


class ReceiptRecord(Record, frozen=True):
    """Material received on a purchase order line, and how much passed inspection."""

    id: int
    uuid: UUID
    purchase_order_line: int
    supplier: int
    received_on: date
    accepted_quantity: Decimal
    rejected_quantity: Decimal
    quality_note: str
    recorded_by: int | None
    recorded_at: datetime


class BomLineRef(Record, frozen=True):
    """A BOM line with its style's uuid and code (where to go back to after deleting it)."""

    id: int
    uuid: UUID
    style_uuid: UUID
    style_code: str


class ScorecardWeightsRecord(Record, frozen=True):
    """How much each measure counts in a supplier's score; ``id`` None until first saved."""

    id: int | None
    on_time: int
    fill_rate: int
    quality: int
    acknowledgement: int
    commitment: int
    version: int


class SupplierName(Record, frozen=True):
    """A fabric or trim supplier by name: the forms' choices, a scorecard's heading."""

    id: int
    uuid: UUID
    legal_name: str


class ForecastLineRecord(Record, frozen=True):
    """A material's requirement in one week of a published forecast."""

    material: int
    week_start: date
    gross_firm: Decimal
    gross_likely: Decimal
    gross_statistical: Decimal
    net_firm: Decimal
    net_total: Decimal


class BomEntry(Record, frozen=True):
    """A BOM line as its style's page lists it: the material, the colour and size it is
    for (None: all), its consumption and wastage, and what a garment takes with wastage."""

    uuid: UUID
    consumption: Decimal
    wastage_percent: Decimal
    material_code: str
    material_name: str
    unit: MaterialUnit
    colourway_code: str | None
    size_label: str | None
    size_position: int | None
    per_garment: Decimal


class MaterialChoice(Record, frozen=True):
    """A material offered on the BOM form."""

    uuid: UUID
    code: str
    name: str
    unit: MaterialUnit


class ColourwayChoice(Record, frozen=True):
    uuid: UUID
    code: str
    name: str


class SizeChoice(Record, frozen=True):
    id: int
    label: str


class StyleWithBom(Record, frozen=True):
    """A style on the BOM index, with how many BOM lines it has."""

    id: int
    uuid: UUID
    code: str
    name_en: str
    name_zh: str
    name_ko: str
    status: StyleStatus
    bom_lines: int
