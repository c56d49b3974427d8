"""The typed rows group-order services hand out (partner_portal/records.py). One fetched
through the access policy for a viewer is a ``Visible...`` record (group_orders/access.py:
``VisibleCampaign``, ``VisibleEmployee``), made only by its fetchers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict
from uuid import UUID

from group_orders.sizing import BodyFit
from partner_portal.catalog.size_charts import SizeChartRecord, chart_for
from partner_portal.records import Record

# A campaign, its client and its approvers.


class CampaignRecord(Record, frozen=True):
    """A campaign as services, controllers and templates read it (every column)."""

    id: int
    uuid: UUID
    organisation: int
    name: str
    status: str
    entitlement: str
    allowance: Decimal | None
    over_allowance: str
    currency: str
    price_source: str
    contract_discount_percent: Decimal | None
    contract_uuid: UUID | None
    opens_on: date
    closes_on: date
    delivery_mode: str
    ship_to: str
    tipping_point: int
    second_approval_above: Decimal | None
    first_approved_by: int | None
    first_approved_at: datetime | None
    closed_at: datetime | None
    order_uuid: UUID | None
    notes: str
    reminder_days: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class CampaignSummary(CampaignRecord, frozen=True):
    """A campaign in a list: its client's name and how many of its roster have answered."""

    client_name: str = ""
    roster: int = 0
    responded: int = 0


class CampaignClient(Record, frozen=True):
    """A corporate client the viewer may run a campaign for (the campaign form's choices),
    and the currency its campaigns are in."""

    id: int
    uuid: UUID
    legal_name: str
    currency: str


class ApproverCandidate(Record, frozen=True):
    """One of the client's active users, and whether the campaign names them an approver."""

    id: int
    uuid: UUID
    display_name: str
    email: str
    chosen: bool = False


# What a campaign offers.


class SizeOption(TypedDict):
    """A size an item comes in: its label, the body it fits and the client's price (the
    logo included; None when the price list has none). A typed dictionary, not a record,
    while bench/group_orders_campaign.py reads it as one (size["id"])."""

    id: int
    label: str
    fit: BodyFit
    price: Decimal | None


class OfferedItem(Record, frozen=True):
    """An item with what the pages need: names, sizes with their body fits and prices."""

    id: int
    uuid: UUID
    style_id: int
    colourway_id: int
    style_code: str
    names: dict[str, str]
    colour: str
    category: str
    allotment: int
    gender: str
    job_role: str
    logo: str
    logo_price: Decimal
    sizes: list[SizeOption]
    # The style's size charts (men, women, unisex), from the catalog.
    charts: list[SizeChartRecord]

    def chart_for(self, gender: str) -> SizeChartRecord | None:
        """The chart for a person of ``gender`` ("" unknown); an item offered to one
        gender only is sized by that gender's chart."""
        return chart_for(self.charts, self.gender or gender)

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["en"]

    def size_label(self, size_id: int) -> str:
        return next((size["label"] for size in self.sizes if size["id"] == size_id), "")

    def price_of(self, size_id: int) -> Decimal | None:
        return next((size["price"] for size in self.sizes if size["id"] == size_id), None)


# Its roster and what people chose.


class EmployeeRecord(Record, frozen=True):
    """A person on a campaign's roster (every column)."""

    id: int
    uuid: UUID
    campaign: int
    organisation: int
    employee_number: str
    name: str
    department: str
    site: str
    email: str
    gender: str
    job_role: str
    locale: str
    link_key: str
    link_sent_at: datetime | None
    reminded_at: datetime | None
    responded_at: datetime | None
    entered_by: int | None
    height_cm: int | None
    chest_cm: int | None
    waist_cm: int | None
    created_at: datetime


class LinkSheetEntry(EmployeeRecord, frozen=True):
    """A person on the printed link sheet: their personal link and its QR code (SVG)."""

    url: str
    qr_svg: str


class ChosenPieces(Record, frozen=True):
    """What one person chose of one item: a size, how many and at what price each."""

    employee: int
    item: int
    size: int
    quantity: int
    unit_price: Decimal


class ChoiceRecord(ChosenPieces, frozen=True):
    """A choice's every column."""

    id: int
    organisation: int
    chosen_at: datetime


class NumberedChoice(ChosenPieces, frozen=True):
    """A choice with its id and its person's employee number (the API's responses)."""

    id: int
    employee_number: str


class CategoryLeft(Record, frozen=True):
    """A category with a per-person limit on the employee's page: allowed, chosen, left."""

    category: str
    allotment: int
    chosen: int
    left: int
    error: str


# Its figures and the totals review.


class CountedPerson(Record, frozen=True):
    """A person of the roster as the campaign's figures count them: where they work and
    whether they have answered."""

    id: int
    department: str
    site: str
    responded_at: datetime | None


class DepartmentCount(Record, frozen=True):
    """How many of a department are on the roster and how many have answered."""

    department: str
    roster: int
    responded: int


class ReviewLine(TypedDict):
    """A line of the totals review: an item in a size at a price, how many and the amount.
    A typed dictionary while tests/group_orders/test_review.py reads it as one."""

    item: OfferedItem
    size: str
    unit_price: Decimal
    quantity: int
    amount: Decimal


class GroupTotals(TypedDict):
    """A department's or site's totals in the review: its roster, who answered, the
    pieces and who pays them. A typed dictionary while tests/group_orders/test_review.py
    reads it as one."""

    name: str
    roster: int
    responded: int
    pieces: int
    company_pays: Decimal
    employee_pays: Decimal


# What it produces: API responses, payroll lines, the packing list.


class ResponseRow(Record, frozen=True):
    """One person's choice of one item, named as the API gives it (style, colour, size)."""

    employee: int
    id: int
    employee_number: str
    style_code: str
    colour: str
    size: str
    quantity: int
    unit_price: Decimal


class PayrollLine(Record, frozen=True):
    """What payroll deducts from one employee: their share above the allowance."""

    department: str
    employee_number: str
    name: str
    pieces: int
    total: Decimal
    company_pays: Decimal
    employee_pays: Decimal
    currency: str


class PackedPiece(Record, frozen=True):
    """An item packed for a person: which, in what size and how many."""

    item: OfferedItem
    size: str
    quantity: int


class PackedPerson(EmployeeRecord, frozen=True):
    """A person in a parcel of the packing list, with the pieces packed for them."""

    picks: list[PackedPiece]


class Parcel(Record, frozen=True):
    """A parcel of the packing list (a department's, a site's, or the one of a bulk
    delivery: name ""), its people and how many pieces it holds."""

    name: str
    people: list[PackedPerson]
    pieces: int
