"""The typed rows group-order services hand out (partner_portal/records.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from partner_portal.records import Record


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
