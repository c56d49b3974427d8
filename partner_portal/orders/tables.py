"""The order book: every sales order of every channel (docs/ARCHITECTURE.md §3), its lines, its
status history, change requests, shipments and the comment thread between buyer
and brand. An order belongs to its buyer organisation; who sees it is decided in
partner_portal.access (order_filter).
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partner_portal.catalog.tables import (
    Colourway,
    DeliveryWindow,
    PriceList,
    Season,
    Size,
    Sku,
    Style,
)
from partner_portal.partners.tables import Organisation, User


class OrderStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    confirmed = "confirmed"
    in_production = "in_production"
    partially_shipped = "partially_shipped"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    rejected = "rejected"


class OrderChannel(enum.StrEnum):
    distributor = "distributor"
    retailer = "retailer"
    group = "group"
    rep_entered = "rep_entered"


class ChangeRequestStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


MONEY = (14, 2)


class Order(Table, tablename="sales_order"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    # "SO-" and a number from the order's id; readable on the phone and on paper.
    number = Varchar(length=20, unique=True, null=True, default=None)
    buyer = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    placed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    channel = Varchar(length=20, choices=OrderChannel, default=OrderChannel.distributor)
    status = Varchar(length=20, choices=OrderStatus, default=OrderStatus.draft, index=True)
    currency = Varchar(length=3)
    price_list = ForeignKey(PriceList, null=True, on_delete=OnDelete.set_null)
    price_list_name = Varchar(length=100, default="")
    season = ForeignKey(Season, null=True, on_delete=OnDelete.set_null)
    ship_to = Text(default="")
    delivery_window_start = Date(null=True, default=None)
    delivery_window_end = Date(null=True, default=None)
    requested_ship_date = Date(null=True, default=None)
    customer_po = Varchar(length=60, default="")
    # The ERP's number for the order, given when it acknowledges the order (unique: an
    # index made by the migration, as SQLite cannot add a UNIQUE column), and when.
    external_ref = Varchar(length=60, null=True, default=None)
    exported_at = Timestamptz(null=True, default=None)
    notes = Text(default="")
    # Where a draft came from ("Reorder of %(number)s", an upload), as a message id with
    # its parameters, shown in each reader's language (messages.py); notes stay the buyer's.
    origin_message = Varchar(length=300, default="")
    origin_params = JSON(default="{}")
    total_quantity = Integer(default=0)
    subtotal = Numeric(digits=MONEY, default=Decimal("0"))
    discount_total = Numeric(digits=MONEY, default=Decimal("0"))
    total = Numeric(digits=MONEY, default=Decimal("0"))
    # The terms of the buyer's contract in force (registry.terms_for) when the order was
    # last priced: a draft takes them again at each repricing, a submitted order keeps them
    # whatever the contract says later. No contract: no uuid, empty texts, no discount.
    contract_uuid = UUID(null=True, default=None)
    contract_number = Varchar(length=40, default="")
    contract_discount_percent = Numeric(digits=(5, 2), default=Decimal("0"))
    payment_terms = Text(default="")
    credit_limit = Numeric(digits=MONEY, null=True, default=None)
    credit_limit_blocks = Boolean(default=False)
    submitted_at = Timestamptz(null=True, default=None)
    status_changed_at = Timestamptz(index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class OrderLine(Table, tablename="sales_order_line"):
    id: Serial
    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    sku = ForeignKey(Sku, on_delete=OnDelete.restrict, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.restrict, index=True)
    colourway = ForeignKey(Colourway, on_delete=OnDelete.restrict)
    size = ForeignKey(Size, on_delete=OnDelete.restrict)
    quantity = Integer()
    unit_price = Numeric(digits=MONEY)
    discount_percent = Numeric(digits=(5, 2), default=Decimal("0"))
    # Of discount_percent, the volume break of the list that priced the line (the rest is
    # the contract's discount, Order.contract_discount_percent): a changed quantity is
    # repriced with the breaks of this list.
    volume_discount_percent = Numeric(digits=(5, 2), default=Decimal("0"))
    price_list = ForeignKey(PriceList, null=True, default=None, on_delete=OnDelete.set_null)
    line_total = Numeric(digits=MONEY)
    # A price the placer fixed (a campaign's price with its logo option, a rep's deal)
    # stays as it is at submission; catalog prices are taken again on the day of submission.
    price_fixed = Boolean(default=False)
    shipped_quantity = Integer(default=0)


class OrderStatusChange(Table, tablename="sales_order_status_change"):
    id: Serial
    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    from_status = Varchar(length=20, null=True, default=None)
    to_status = Varchar(length=20)
    changed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz()
    note = Text(default="")


class OrderComment(Table, tablename="sales_order_comment"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    body = Text()
    created_at = Timestamptz()


class ChangeRequest(Table, tablename="sales_order_change_request"):
    """The buyer's proposed changes after submission: ``changes`` holds the proposed
    quantities by SKU id and dates; the brand accepts or declines."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    requested_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    requested_at = Timestamptz()
    reason = Text(default="")
    changes = JSON(default="{}")
    # The order version the buyer looked at: accepting a request made against an older
    # version would overwrite what happened since.
    order_version = Integer()
    status = Varchar(length=20, choices=ChangeRequestStatus, default=ChangeRequestStatus.pending)
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")


class Shipment(Table, tablename="shipment"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    carrier = Varchar(length=60)
    tracking_number = Varchar(length=60, default="")
    shipped_on = Date()
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class ShipmentLine(Table, tablename="shipment_line"):
    id: Serial
    shipment = ForeignKey(Shipment, on_delete=OnDelete.cascade, index=True)
    order_line = ForeignKey(OrderLine, on_delete=OnDelete.cascade, index=True)
    quantity = Integer()


class StockReservation(Table, tablename="stock_reservation"):
    """Pieces an order holds: at-once stock of a SKU (no window) or pre-book capacity of a
    SKU in a delivery window. Pieces a pending change request adds are held under the
    request until the brand decides. sku_stock.reserved and pre_book_availability.booked
    are the sums of these rows, changed in the same transactions (orders.services.stock)."""

    id: Serial
    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    change_request = ForeignKey(
        ChangeRequest, null=True, default=None, on_delete=OnDelete.cascade, index=True
    )
    sku = ForeignKey(Sku, on_delete=OnDelete.restrict, index=True)
    delivery_window = ForeignKey(
        DeliveryWindow, null=True, default=None, on_delete=OnDelete.cascade
    )
    quantity = Integer()


class OrderVersion(Table, tablename="sales_order_version"):
    """What a submitted order said: version 1 as submitted, then one per accepted change
    request, each with its lines (``lines``: style, colour, size, quantity, prices, as
    shown then) and totals, so any two versions can be compared line by line."""

    id: Serial
    order = ForeignKey(Order, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    change_request = ForeignKey(ChangeRequest, null=True, default=None, on_delete=OnDelete.set_null)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    currency = Varchar(length=3)
    total_quantity = Integer()
    subtotal = Numeric(digits=MONEY)
    discount_total = Numeric(digits=MONEY)
    total = Numeric(digits=MONEY)
    requested_ship_date = Date(null=True, default=None)
    lines = JSON(default="[]")
