"""The brand's catalog: seasons and collections, size scales, styles with their
colourways and SKUs, and price lists with prices. Catalog rows belong to the brand,
not to a partner; who sees which of them is decided in partner_portal.access.
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

from piccolo.columns import (
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

from partner_portal.partners.tables import Tier


class SizeScaleKind(enum.StrEnum):
    alpha = "alpha"
    numeric = "numeric"
    kids = "kids"
    one_size = "one_size"
    china_gb = "china_gb"
    korea_ks = "korea_ks"


class StyleStatus(enum.StrEnum):
    draft = "draft"
    active = "active"
    discontinued = "discontinued"


class Category(enum.StrEnum):
    shirts = "shirts"
    tops = "tops"
    trousers = "trousers"
    skirts = "skirts"
    dresses = "dresses"
    knitwear = "knitwear"
    outerwear = "outerwear"
    uniform = "uniform"
    accessories = "accessories"


class Gender(enum.StrEnum):
    women = "women"
    men = "men"
    unisex = "unisex"
    kids = "kids"


class Season(Table, tablename="season"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    code = Varchar(length=10, unique=True)
    name = Varchar(length=100, default="")
    order_window_start = Date(null=True, default=None)
    order_window_end = Date(null=True, default=None)
    created_at = Timestamptz()


class Collection(Table, tablename="collection"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    season = ForeignKey(Season, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)


class SizeScale(Table, tablename="size_scale"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    code = Varchar(length=30, unique=True)
    name = Varchar(length=100)
    kind = Varchar(length=20, choices=SizeScaleKind)


class Size(Table, tablename="size"):
    """One size of a scale; ``position`` orders the scale (XS before S, 165/84A before 170/88A)."""

    id: Serial
    # Not "scale": its index would be named size_scale, like the table.
    size_scale = ForeignKey(SizeScale, on_delete=OnDelete.cascade, index=True)
    label = Varchar(length=20)
    position = Integer()


class Style(Table, tablename="style"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    code = Varchar(length=30, unique=True)
    season = ForeignKey(Season, on_delete=OnDelete.restrict, index=True)
    collection = ForeignKey(Collection, null=True, on_delete=OnDelete.set_null, index=True)
    category = Varchar(length=20, choices=Category, index=True)
    gender = Varchar(length=10, choices=Gender, default=Gender.unisex)
    name_en = Varchar(length=200, default="")
    name_zh = Varchar(length=200, default="")
    name_ko = Varchar(length=200, default="")
    fabric_composition = Varchar(length=200, default="")
    care = Text(default="")
    size_scale = ForeignKey(SizeScale, on_delete=OnDelete.restrict)
    status = Varchar(length=20, choices=StyleStatus, default=StyleStatus.draft, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class Colourway(Table, tablename="colourway"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    code = Varchar(length=20)
    name = Varchar(length=100, default="")


class Sku(Table, tablename="sku"):
    """One orderable item: a style in one colour and one size."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    colourway = ForeignKey(Colourway, on_delete=OnDelete.cascade, index=True)
    size = ForeignKey(Size, on_delete=OnDelete.restrict)
    barcode = Varchar(length=13, null=True, default=None, unique=True)


class PriceList(Table, tablename="price_list"):
    """Prices in one currency; ``tier`` is the partner tier it applies to (None: any tier)."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    name = Varchar(length=100)
    currency = Varchar(length=3)
    tax_inclusive = Boolean(default=False)
    tier = Varchar(length=20, choices=Tier, null=True, default=None)
    created_at = Timestamptz()


class Price(Table, tablename="price"):
    """A style's price on a list; with a size it overrides the style's price for that size."""

    id: Serial
    price_list = ForeignKey(PriceList, on_delete=OnDelete.cascade, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    size = ForeignKey(Size, null=True, on_delete=OnDelete.cascade, default=None)
    wholesale = Numeric(digits=(12, 2), default=Decimal("0"))
    suggested_retail = Numeric(digits=(12, 2), null=True, default=None)
