"""Materials, bills of materials, published material forecasts, suppliers' commitments
and material purchase orders (docs/ARCHITECTURE.md §3, suppliers/).

Every row a supplier may see carries the supplier organisation (``supplier``), and
partner_portal.access decides who sees it. A material is one supplier's article (a
mill's article number is its own), so a second source is a second material.
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

from piccolo.columns import (
    JSON,
    UUID,
    Bytea,
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

from partner_portal.catalog.tables import Colourway, Size, Style
from partner_portal.partners.tables import Organisation, User

QUANTITY = (14, 3)
MONEY = (14, 4)


class MaterialKind(enum.StrEnum):
    fabric = "fabric"
    trim = "trim"


class MaterialUnit(enum.StrEnum):
    # Woven fabric by the metre, knit often by the kilogram, trims by the piece (docs/DOMAIN.md).
    metre = "metre"
    kilogram = "kilogram"
    piece = "piece"


class CommitmentStatus(enum.StrEnum):
    accepted = "accepted"
    proposed = "proposed"


class PurchaseOrderStatus(enum.StrEnum):
    draft = "draft"
    sent = "sent"
    closed = "closed"
    cancelled = "cancelled"


class Material(Table, tablename="material"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    supplier = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=40, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=10, choices=MaterialKind)
    unit = Varchar(length=10, choices=MaterialUnit)
    composition = Varchar(length=200, default="")
    weight_gsm = Integer(null=True, default=None)
    width_cm = Integer(null=True, default=None)
    colour = Varchar(length=100, default="")
    dye_lot = Varchar(length=40, default="")
    price = Numeric(digits=MONEY, default=Decimal("0"))
    currency = Varchar(length=3, default="CNY")
    lead_time_days = Integer(default=0)
    minimum_order = Numeric(digits=QUANTITY, default=Decimal("0"))
    on_hand = Numeric(digits=QUANTITY, default=Decimal("0"))
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class BomLine(Table, tablename="bom_line"):
    """How much of a material one garment of a style takes. A line with a colourway or a
    size applies to that colour or size only; the most specific line wins."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    material = ForeignKey(Material, on_delete=OnDelete.restrict, index=True)
    colourway = ForeignKey(Colourway, null=True, default=None, on_delete=OnDelete.cascade)
    size = ForeignKey(Size, null=True, default=None, on_delete=OnDelete.cascade)
    consumption = Numeric(digits=(10, 4))
    wastage_percent = Numeric(digits=(5, 2), default=Decimal("0"))


class ForecastVersion(Table, tablename="material_forecast"):
    """One published computation of material requirements; never changed afterwards."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    number = Integer(unique=True)
    first_week = Date()
    weeks = Integer()
    parameters = JSON(default="{}")
    # Of the lines, so a recomputation that changes nothing publishes nothing.
    content_hash = Varchar(length=64)
    published_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    published_at = Timestamptz()


class ForecastLine(Table, tablename="material_forecast_line"):
    """A material's requirement in one week: gross by how firm, and net of stock and POs."""

    id: Serial
    forecast = ForeignKey(ForecastVersion, on_delete=OnDelete.cascade, index=True)
    material = ForeignKey(Material, on_delete=OnDelete.cascade, index=True)
    supplier = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    week_start = Date()
    gross_firm = Numeric(digits=QUANTITY, default=Decimal("0"))
    gross_likely = Numeric(digits=QUANTITY, default=Decimal("0"))
    gross_statistical = Numeric(digits=QUANTITY, default=Decimal("0"))
    net_firm = Numeric(digits=QUANTITY, default=Decimal("0"))
    net_total = Numeric(digits=QUANTITY, default=Decimal("0"))


class Commitment(Table, tablename="material_commitment"):
    """A supplier's answer for a material's week: accepted, or other quantity/date proposed.

    One per material and week; a later answer replaces it (audited), so the brand always
    compares the latest requirement with the latest answer.
    """

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    supplier = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    material = ForeignKey(Material, on_delete=OnDelete.cascade, index=True)
    week_start = Date()
    forecast = ForeignKey(ForecastVersion, on_delete=OnDelete.cascade)
    requirement = Numeric(digits=QUANTITY)
    status = Varchar(length=10, choices=CommitmentStatus)
    quantity = Numeric(digits=QUANTITY)
    delivery_date = Date()
    comment = Text(default="")
    committed_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    committed_at = Timestamptz()


class AcknowledgementStatus(enum.StrEnum):
    accepted = "accepted"
    changed = "changed"  # accepted with another quantity or date
    rejected = "rejected"
    backordered = "backordered"


class PurchaseOrder(Table, tablename="material_purchase_order"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    number = Varchar(length=20, unique=True, null=True, default=None)
    supplier = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=10, choices=PurchaseOrderStatus, default=PurchaseOrderStatus.draft)
    currency = Varchar(length=3)
    notes = Text(default="")
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)


class PurchaseOrderLine(Table, tablename="material_purchase_order_line"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    purchase_order = ForeignKey(PurchaseOrder, on_delete=OnDelete.cascade, index=True)
    material = ForeignKey(Material, on_delete=OnDelete.restrict, index=True)
    quantity = Numeric(digits=QUANTITY)
    unit_price = Numeric(digits=MONEY)
    required_date = Date()
    received_quantity = Numeric(digits=QUANTITY, default=Decimal("0"))
    # The supplier's answer; with "changed", the quantity and date it will deliver instead.
    acknowledgement = Varchar(length=12, choices=AcknowledgementStatus, null=True, default=None)
    confirmed_quantity = Numeric(digits=QUANTITY, null=True, default=None)
    confirmed_date = Date(null=True, default=None)
    acknowledgement_comment = Text(default="")
    acknowledged_at = Timestamptz(null=True, default=None)


class ShipNotice(Table, tablename="material_ship_notice"):
    """An advance ship notice: what the supplier dispatched against a PO, in which dye lot,
    how it travels, with its test report or certificate."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    purchase_order = ForeignKey(PurchaseOrder, on_delete=OnDelete.cascade, index=True)
    supplier = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    shipped_on = Date()
    expected_on = Date(null=True, default=None)
    dye_lot = Varchar(length=40, default="")
    carrier = Varchar(length=60, default="")
    tracking_number = Varchar(length=60, default="")
    certificate_name = Varchar(length=200, default="")
    certificate_type = Varchar(length=100, default="")
    certificate = Bytea(null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class ShipNoticeLine(Table, tablename="material_ship_notice_line"):
    id: Serial
    ship_notice = ForeignKey(ShipNotice, on_delete=OnDelete.cascade, index=True)
    purchase_order_line = ForeignKey(PurchaseOrderLine, on_delete=OnDelete.cascade, index=True)
    quantity = Numeric(digits=QUANTITY)


class Receipt(Table, tablename="material_receipt"):
    """Material the brand received on a PO line, and how much of it passed inspection."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    purchase_order_line = ForeignKey(PurchaseOrderLine, on_delete=OnDelete.cascade, index=True)
    supplier = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    received_on = Date(index=True)
    accepted_quantity = Numeric(digits=QUANTITY)
    rejected_quantity = Numeric(digits=QUANTITY, default=Decimal("0"))
    quality_note = Text(default="")
    recorded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz()


class ScorecardWeights(Table, tablename="supplier_scorecard_weights"):
    """How much each measure counts in a supplier's overall score (one row, the brand's)."""

    id: Serial
    on_time = Integer(default=30)
    fill_rate = Integer(default=25)
    quality = Integer(default=25)
    acknowledgement = Integer(default=10)
    commitment = Integer(default=10)
    updated_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
