"""Typed rows of the distributors module (partner_portal/records.py), as the services hand
them out: a line sheet, its season, a line sheet as the lists show it, a style as a sheet
reads it, the running cart's draft, the sheet form's choices, the retailers a distributor
serves, territory holders and partners' credit figures. A sheet or a cart fetched through
the access policy is a ``VisibleLineSheet`` or a ``VisibleCart`` (distributors/access.py),
made only by get_line_sheet and find_cart.

A grid's colours, sizes and SKUs stay dictionaries: a sheet has thousands of cells, and a
record each would cost the grid's page more than it reads (issue 21)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from partner_portal.records import Record


class LineSheetRecord(Record, frozen=True):
    """A line sheet's own columns with its season's code and name (None: the season is
    gone)."""

    id: int
    uuid: UUID
    season: int
    title: str
    notes: str
    published: bool
    created_at: datetime
    updated_at: datetime
    version: int
    season_code: str | None
    season_name: str | None


class LineSheetListing(Record, frozen=True):
    """A line sheet as the lists show it: its season's code (a season with sheets is not
    deleted) and how many styles it has."""

    id: int
    uuid: UUID
    title: str
    published: bool
    updated_at: datetime
    season_code: str
    style_count: int


class SheetStyleRow(Record, frozen=True):
    """A style's own columns as a line sheet's filters and cards start from them
    (services.STYLE_COLUMNS)."""

    id: int
    uuid: UUID
    code: str
    name_en: str
    name_zh: str
    name_ko: str
    fabric_composition: str
    season: int
    size_scale: int
    category: str
    gender: str
    carry_over: bool


class CartOrder(Record, frozen=True):
    """The draft a line sheet's cards add to, with its totals (access.CART_COLUMNS)."""

    id: int
    uuid: UUID
    total_quantity: int
    total: Decimal
    currency: str
    version: int


class ServedRetailer(Record, frozen=True):
    """A retailer a distributor serves, with its open orders' count and value."""

    id: int
    uuid: UUID
    legal_name: str
    status: str
    tier: str
    currency: str
    open_orders: int
    open_value: Decimal


class TerritoryHolder(Record, frozen=True):
    """A distributor or retailer as one of its territory rows names it (the territory
    conflicts page): the region and the organisation holding it."""

    region_code: str
    id: int
    uuid: UUID
    legal_name: str
    kind: str
    parent_distributor: int | None


class PartnerCreditRow(Record, frozen=True):
    """A buying partner with the credit figures kept here (none yet: no limit, nothing
    unpaid, version 0), and what was typed into its row when saving it was refused."""

    id: int
    uuid: UUID
    legal_name: str
    kind: str
    currency: str
    credit_limit: Decimal | None
    unpaid_amount: Decimal
    version: int
    typed: dict[str, str] = {}


class SheetSeason(Record, frozen=True):
    """The season a line sheet shows on every page of it."""

    id: int
    code: str
    name: str


class SeasonChoice(Record, frozen=True):
    """A season the sheet form offers."""

    uuid: UUID
    code: str
    name: str


class AudienceChoice(Record, frozen=True):
    """A buying partner the sheet form offers to publish to."""

    uuid: UUID
    legal_name: str
    kind: str
