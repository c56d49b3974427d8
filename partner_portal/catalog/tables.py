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

from partner_portal.partners.tables import Organisation, Tier, User


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
    # The style's id in the brand's ERP (unique: an index made by the migration).
    external_ref = Varchar(length=60, null=True, default=None)
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
    # Sold in an earlier season too (line sheets filter new styles from carry-overs).
    carry_over = Boolean(default=False)
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
    # The SKU's id in the brand's ERP (unique: an index made by the migration).
    external_ref = Varchar(length=60, null=True, default=None)


class PriceList(Table, tablename="price_list"):
    """Prices in one currency; ``tier`` is the partner tier it applies to (None: any tier).

    With an ``organisation`` the list is that partner's own: its prices override the
    tier's for the styles (and sizes) it prices, and it has no tier.
    """

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    name = Varchar(length=100)
    currency = Varchar(length=3)
    tax_inclusive = Boolean(default=False)
    tier = Varchar(length=20, choices=Tier, null=True, default=None)
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    # Bumped by every save of the price sheet, so two editors do not overwrite each other.
    version = Integer(default=1)


class Price(Table, tablename="price"):
    """A style's price on a list; with a size it overrides the style's price for that size."""

    id: Serial
    price_list = ForeignKey(PriceList, on_delete=OnDelete.cascade, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    size = ForeignKey(Size, null=True, on_delete=OnDelete.cascade, default=None)
    wholesale = Numeric(digits=(12, 2), default=Decimal("0"))
    suggested_retail = Numeric(digits=(12, 2), null=True, default=None)


class VolumeBreak(Table, tablename="volume_break"):
    """From ``min_quantity`` units of one style in an order, the list's prices are
    ``discount_percent`` lower (the highest break reached applies)."""

    id: Serial
    price_list = ForeignKey(PriceList, on_delete=OnDelete.cascade, index=True)
    min_quantity = Integer()
    discount_percent = Numeric(digits=(5, 2))


class Prepack(Table, tablename="prepack"):
    """A named size ratio over a scale (1-2-2-1), ordered in whole packs."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    size_scale = ForeignKey(SizeScale, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=50)
    created_at = Timestamptz()


class PrepackSize(Table, tablename="prepack_size"):
    """How many pieces of one size a pack holds (sizes left out hold none)."""

    id: Serial
    prepack = ForeignKey(Prepack, on_delete=OnDelete.cascade, index=True)
    size = ForeignKey(Size, on_delete=OnDelete.cascade)
    quantity = Integer()


class DeliveryWindow(Table, tablename="delivery_window"):
    """A drop of a season (SS27 drop 1: 1–15 Feb) that pre-book orders are delivered in."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    season = ForeignKey(Season, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=50)
    starts_on = Date()
    ends_on = Date()


class SkuStock(Table, tablename="sku_stock"):
    """At-once stock of a SKU: ``at_once`` pieces on hand (as the ERP last said, less what
    shipped since), ``reserved`` of them held by submitted orders (the order book's
    stock_reservation rows); available to sell is the difference."""

    id: Serial
    sku = ForeignKey(Sku, on_delete=OnDelete.cascade, unique=True, index=True)
    at_once = Integer(default=0)
    reserved = Integer(default=0)
    updated_at = Timestamptz()


class PreBookAvailability(Table, tablename="pre_book_availability"):
    """A SKU's pre-book capacity in one delivery window: ``quantity`` pieces the brand will
    make for it, ``booked`` of them taken by submitted orders; the rest can be pre-booked."""

    id: Serial
    sku = ForeignKey(Sku, on_delete=OnDelete.cascade, index=True)
    delivery_window = ForeignKey(DeliveryWindow, on_delete=OnDelete.cascade, index=True)
    quantity = Integer(default=0)
    booked = Integer(default=0)
    updated_at = Timestamptz()


class StyleImage(Table, tablename="style_image"):
    """A picture of a style; the file lives under MEDIA_DIR at ``path`` (relative)."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    path = Varchar(length=200)
    content_type = Varchar(length=20)
    width = Integer()
    height = Integer()
    byte_size = Integer()
    position = Integer(default=1)
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz()


class Fit(enum.StrEnum):
    """How a style is cut for one gender (its size chart says so)."""

    regular = "regular"
    slim = "slim"
    relaxed = "relaxed"


class SizeChart(Table, tablename="size_chart"):
    """A style's size chart for one gender (men, women or unisex) and the fit it is cut
    in: per size, the body it fits and the garment's length and sleeve, in cm (docs/
    DOMAIN.md, "Sizes"). At most one chart per style and gender (a unique index)."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade, index=True)
    gender = Varchar(length=10, choices=Gender)
    fit = Varchar(length=10, choices=Fit, default=Fit.regular)
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz()


class SizeChartRow(Table, tablename="size_chart_row"):
    """One size of a chart: its measurements in cm (None where the chart gives none)."""

    id: Serial
    chart = ForeignKey(SizeChart, on_delete=OnDelete.cascade, index=True)
    size = ForeignKey(Size, on_delete=OnDelete.cascade)
    # The body the size fits.
    height = Numeric(digits=(4, 1), null=True, default=None)
    chest = Numeric(digits=(4, 1), null=True, default=None)
    waist = Numeric(digits=(4, 1), null=True, default=None)
    hip = Numeric(digits=(4, 1), null=True, default=None)
    # The garment itself.
    length = Numeric(digits=(4, 1), null=True, default=None)
    sleeve = Numeric(digits=(4, 1), null=True, default=None)
