"""Typed rows of the order book (partner_portal/records.py): an order, its lines and its
change requests as the services hand them out. An order fetched through the access policy is
a ``VisibleOrder`` (partner_portal/access/orders.py), made only by its fetchers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from partner_portal.orders.tables import ChangeRequestStatus, OrderChannel, OrderStatus
from partner_portal.records import Record


class OrderRecord(Record, frozen=True):
    """An order's own columns with the names of its buyer, placer and season."""

    id: int
    uuid: UUID
    number: str | None
    buyer: int
    placed_by: int | None
    channel: OrderChannel
    status: OrderStatus
    currency: str
    price_list: int | None
    price_list_name: str
    season: int | None
    ship_to: str
    delivery_window_start: date | None
    delivery_window_end: date | None
    requested_ship_date: date | None
    customer_po: str
    notes: str
    total_quantity: int
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    contract_uuid: UUID | None
    contract_number: str
    contract_discount_percent: Decimal
    payment_terms: str
    credit_limit: Decimal | None
    credit_limit_blocks: bool
    submitted_at: datetime | None
    status_changed_at: datetime
    created_at: datetime
    updated_at: datetime
    version: int
    buyer_name: str
    buyer_uuid: UUID
    placed_by_name: str | None
    season_code: str | None
    # The ERP's number and when it acknowledged the order (None: not yet exported).
    external_ref: str | None = None
    exported_at: datetime | None = None
    # Where a draft came from: a message id and its parameters (JSON text as stored).
    origin_message: str = ""
    origin_params: str = "{}"


class OrderSummary(Record, frozen=True):
    """An order as the lists show it (the order list, a partner's recent orders)."""

    id: int
    uuid: UUID
    number: str | None
    status: OrderStatus
    channel: OrderChannel
    currency: str
    total: Decimal
    total_quantity: int
    customer_po: str
    submitted_at: datetime | None
    created_at: datetime
    requested_ship_date: date | None
    buyer: int
    buyer_uuid: UUID
    buyer_name: str


class OrderLineRecord(Record, frozen=True):
    """A line as the rules and pricing read it: ids, quantity and prices."""

    id: int
    sku: int
    style: int
    colourway: int
    size: int
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    volume_discount_percent: Decimal
    price_list: int | None
    price_fixed: bool
    line_total: Decimal


class OrderPageLine(Record, frozen=True):
    """A line as the order page, the API and the confirmation show it."""

    id: int
    sku: int
    quantity: int
    shipped_quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    volume_discount_percent: Decimal
    price_fixed: bool
    price_list_name: str | None
    line_total: Decimal
    style_uuid: UUID
    style_code: str
    name_en: str
    name_zh: str
    name_ko: str
    colour_code: str
    colour_name: str
    size_label: str
    size_position: int
    barcode: str | None


class StatusStep(Record, frozen=True):
    from_status: OrderStatus | None
    to_status: OrderStatus
    changed_at: datetime
    note: str
    by: str | None


class OrderCommentRecord(Record, frozen=True):
    body: str
    created_at: datetime
    author_name: str | None
    author_organisation: str | None


class ShipmentSummary(Record, frozen=True):
    id: int
    uuid: UUID
    carrier: str
    tracking_number: str
    shipped_on: date
    pieces: int = 0


class ChangeRequestRecord(Record, frozen=True):
    """A change request: ``changes`` holds ``quantities`` (SKU id -> [before, after]) and
    ``requested_ship_date`` ([before, after] ISO dates, or None)."""

    id: int
    uuid: UUID
    order: int
    requested_by: int | None
    requested_at: datetime
    reason: str
    changes: dict[str, Any]
    order_version: int
    status: ChangeRequestStatus
    decided_by: int | None
    decided_at: datetime | None
    decision_note: str


class QuantityChange(Record, frozen=True):
    """One line of a change request as the order page shows it."""

    line: OrderPageLine | None
    before: int
    after: int


class ChangeRequestView(ChangeRequestRecord, frozen=True):
    requested_by_name: str | None
    diff: list[QuantityChange]
    ship_date_change: list[str | None] | None
    # a pending request: the order as accepting it would make it
    preview: ChangePreview | None = None


class VersionLine(Record, frozen=True):
    """One line of an order version, as it was (stored with the version)."""

    sku: int
    style_code: str
    colour_code: str
    size_label: str
    size_position: int
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


class OrderVersionRecord(Record, frozen=True):
    """An order as it stood at submission (number 1) or after an accepted change."""

    number: int
    created_at: datetime
    created_by_name: str | None
    change_request: int | None
    currency: str
    total_quantity: int
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    requested_ship_date: date | None
    lines: list[VersionLine]


class LineComparison(Record, frozen=True):
    """One item in two versions (None: not on that version)."""

    style_code: str
    colour_code: str
    size_label: str
    before: VersionLine | None
    after: VersionLine | None

    @property
    def changed(self) -> bool:
        def figures(line: VersionLine | None) -> tuple[Any, ...]:
            if line is None:
                return ()
            return (line.quantity, line.unit_price, line.discount_percent, line.line_total)

        return figures(self.before) != figures(self.after)


class ChangePreview(Record, frozen=True):
    """What accepting a change request would make of the order: its new figures and what
    the order rules and the stock say about it (both sides read it before the decision)."""

    total_quantity: int
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    warnings: list[str]
    refusals: list[str]
