"""Group-order campaigns (docs/ARCHITECTURE.md §3, issue 7): a corporate client's uniform campaign,
the items it offers, its roster of employees and each employee's choices.

Every row carries the client organisation, so access.py scopes all of them the same way.
The consolidated order lives in the kernel's order book; a campaign keeps its UUID.
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

from piccolo.columns import (
    UUID,
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

MONEY = (14, 2)


class CampaignStatus(enum.StrEnum):
    open = "open"  # collecting sizes between opens_on and closes_on
    closed = "closed"  # closed (on its date or early); waiting for approval
    ordered = "ordered"  # approved and consolidated into one order
    cancelled = "cancelled"


class EntitlementKind(enum.StrEnum):
    allotment = "allotment"  # N pieces of each item, paid by the company
    allowance = "allowance"  # a budget in money per employee


class OverAllowance(enum.StrEnum):
    employee_pays = "employee_pays"
    refused = "refused"


class PriceSource(enum.StrEnum):
    price_list = "price_list"  # the client's catalog price list (its own, else its tier's)
    contract = "contract"  # the price list less the discount of the contract in force


class DeliveryMode(enum.StrEnum):
    bulk = "bulk"
    per_department = "per_department"
    per_site = "per_site"


class Campaign(Table, tablename="group_campaign"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    status = Varchar(length=20, choices=CampaignStatus, default=CampaignStatus.open, index=True)
    entitlement = Varchar(length=20, choices=EntitlementKind, default=EntitlementKind.allotment)
    allowance = Numeric(digits=MONEY, null=True, default=None)
    over_allowance = Varchar(length=20, choices=OverAllowance, default=OverAllowance.employee_pays)
    currency = Varchar(length=3)
    price_source = Varchar(length=20, choices=PriceSource, default=PriceSource.price_list)
    # With prices from the contract: its discount and the contract, read through the
    # kernel's terms registry when the campaign was last saved.
    contract_discount_percent = Numeric(digits=(5, 2), null=True, default=None)
    contract_uuid = UUID(null=True, default=None)
    opens_on = Date()
    closes_on = Date()
    delivery_mode = Varchar(length=20, choices=DeliveryMode, default=DeliveryMode.bulk)
    ship_to = Text(default="")
    # The minimum total quantity before production starts (the "tipping point").
    tipping_point = Integer(default=0)
    # Orders above this amount need a second approver; None: one approval suffices.
    second_approval_above = Numeric(digits=MONEY, null=True, default=None)
    first_approved_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    first_approved_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    # The consolidated order in the order book (by UUID: the order book owns that row).
    order_uuid = UUID(null=True, default=None)
    notes = Text(default="")
    # Non-responders are reminded at most this often while the campaign collects (0: never).
    reminder_days = Integer(default=3)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class CampaignItem(Table, tablename="group_campaign_item"):
    """A style in one colour offered to (some of) the roster."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    campaign = ForeignKey(Campaign, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.restrict)
    colourway = ForeignKey(Colourway, on_delete=OnDelete.restrict)
    # Pieces per employee: the entitlement under an allotment, the most one may pick otherwise.
    allotment = Integer(default=1)
    # Only employees of this gender are offered the item ("" = everyone).
    gender = Varchar(length=10, default="")
    # Only employees with this role are offered the item ("" = every role).
    job_role = Varchar(length=100, default="")
    logo = Varchar(length=200, default="")
    logo_price = Numeric(digits=MONEY, default=Decimal("0"))
    position = Integer(default=0)


class CategoryAllotment(Table, tablename="group_campaign_category_allotment"):
    """At most N pieces per employee of one catalog category (shirts...), across every item
    of that category the campaign offers; beside the per-item allotment and the allowance."""

    id: Serial
    campaign = ForeignKey(Campaign, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    category = Varchar(length=20)
    allotment = Integer()


class Employee(Table, tablename="group_campaign_employee"):
    """A person on a campaign's roster; no account, a personal link instead."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    campaign = ForeignKey(Campaign, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    employee_number = Varchar(length=40)
    name = Varchar(length=120)
    department = Varchar(length=100, default="")
    site = Varchar(length=100, default="")
    email = Varchar(length=254, default="")
    gender = Varchar(length=10, default="")
    job_role = Varchar(length=100, default="")
    locale = Varchar(length=10, default="")
    # The random part of the personal link; replacing it revokes every link sent before.
    link_key = Varchar(length=40, unique=True)
    link_sent_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)
    responded_at = Timestamptz(null=True, default=None)
    # Set when the client admin entered the sizes for this person.
    entered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    height_cm = Integer(null=True, default=None)
    chest_cm = Integer(null=True, default=None)
    waist_cm = Integer(null=True, default=None)
    created_at = Timestamptz()


class Choice(Table, tablename="group_campaign_choice"):
    """One employee's pick of one item: a size and a quantity, priced when chosen."""

    id: Serial
    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(CampaignItem, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    size = ForeignKey(Size, on_delete=OnDelete.restrict)
    quantity = Integer()
    # The garment's price for the client plus the logo, per piece.
    unit_price = Numeric(digits=MONEY)
    chosen_at = Timestamptz()


class CampaignApprover(Table, tablename="group_campaign_approver"):
    """A user of the client who may approve the campaign's order. When a campaign names
    approvers, only they approve it (the first and the second approval alike)."""

    id: Serial
    campaign = ForeignKey(Campaign, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
