"""Typed rows of the catalog: styles, their pictures, price lists and the reference data
(seasons, size scales, prepacks, delivery windows).

The access policy's fetchers hand out the Visible types (partner_portal/access/catalog.py).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from partner_portal.catalog.tables import Category, Gender, SizeScaleKind, StyleStatus
from partner_portal.partners.tables import Tier
from partner_portal.records import Record


class StyleRecord(Record, frozen=True):
    """A style (a garment design); its SKUs are its colourways in its scale's sizes."""

    id: int
    uuid: UUID
    code: str
    season: int
    collection: int | None
    category: Category
    gender: Gender
    name_en: str
    name_zh: str
    name_ko: str
    fabric_composition: str
    care: str
    size_scale: int
    status: StyleStatus
    carry_over: bool
    created_at: datetime
    updated_at: datetime
    version: int


class StyleImageRecord(Record, frozen=True):
    """A picture of a style, with the style's public id."""

    id: int
    uuid: UUID
    style: int
    style_uuid: UUID
    path: str
    content_type: str
    width: int
    height: int
    byte_size: int
    position: int
    uploaded_by: int | None
    uploaded_at: datetime


class PriceListRecord(Record, frozen=True):
    """A price list: general, for a tier, or one partner's own (``organisation``)."""

    id: int
    uuid: UUID
    name: str
    currency: str
    tax_inclusive: bool
    tier: Tier | None
    organisation: int | None
    created_at: datetime
    version: int


class SeasonRecord(Record, frozen=True):
    id: int
    uuid: UUID
    code: str
    name: str
    order_window_start: date | None
    order_window_end: date | None
    created_at: datetime


class SizeScaleRecord(Record, frozen=True):
    id: int
    uuid: UUID
    code: str
    name: str
    kind: SizeScaleKind


class PrepackRecord(Record, frozen=True):
    """A fixed pack of sizes of one scale (its sizes are rows of PrepackSize)."""

    id: int
    uuid: UUID
    size_scale: int
    name: str
    created_at: datetime


class DeliveryWindowRecord(Record, frozen=True):
    """A drop of a season that pre-booked goods are delivered in."""

    id: int
    uuid: UUID
    season: int
    name: str
    starts_on: date
    ends_on: date
