"""Distributor bulk ordering: line sheets the brand publishes, the brand's order rules,
and the credit figures the credit-limit rule reads."""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

from piccolo.columns import (
    UUID,
    Boolean,
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

from partner_portal.catalog.tables import Season, Style
from partner_portal.partners.tables import Organisation, Tier


class LineSheet(Table, tablename="line_sheet"):
    """A season's styles the brand shows to chosen tiers or partners; unpublished sheets
    are seen by the brand only."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    season = ForeignKey(Season, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=120)
    notes = Text(default="")
    published = Boolean(default=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class LineSheetStyle(Table, tablename="line_sheet_style"):
    id: Serial
    line_sheet = ForeignKey(LineSheet, on_delete=OnDelete.cascade, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    position = Integer(default=0)


class LineSheetAudience(Table, tablename="line_sheet_audience"):
    """Who a sheet is published to: every partner of a tier, or one partner."""

    id: Serial
    line_sheet = ForeignKey(LineSheet, on_delete=OnDelete.cascade, index=True)
    tier = Varchar(length=20, choices=Tier, null=True, default=None)
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.cascade, index=True)


class RuleKind(enum.StrEnum):
    min_style_quantity = "min_style_quantity"
    order_multiple = "order_multiple"
    min_order_value = "min_order_value"
    credit_limit = "credit_limit"
    at_once_stock = "at_once_stock"
    pre_book_capacity = "pre_book_capacity"


class OrderRule(Table, tablename="order_rule"):
    """One of the brand's order rules; ``blocking`` rules stop submission, the others warn.

    ``quantity`` is the minimum per style or the multiple; the minimum order value has an
    amount per currency (MinimumOrderValue)."""

    id: Serial
    kind = Varchar(length=30, choices=RuleKind, unique=True)
    enabled = Boolean(default=False)
    blocking = Boolean(default=False)
    quantity = Integer(null=True, default=None)
    updated_at = Timestamptz()
    version = Integer(default=1)


class MinimumOrderValue(Table, tablename="order_minimum"):
    """The minimum order value in one currency the brand sells in (the min_order_value
    rule's figure): an order is held to the minimum of its own currency, if there is one."""

    id: Serial
    currency = Varchar(length=3, unique=True)
    amount = Numeric(digits=(14, 2))
    updated_at = Timestamptz()


class PartnerCredit(Table, tablename="partner_credit"):
    """What a partner owes on invoices (kept by the brand's finance people) and the credit
    limit used when no contract sets one."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, unique=True, index=True)
    credit_limit = Numeric(digits=(14, 2), null=True, default=None)
    unpaid_amount = Numeric(digits=(14, 2), default=Decimal("0"))
    updated_at = Timestamptz()
    version = Integer(default=1)
