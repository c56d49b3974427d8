"""Partner health: the brand's tunable settings, monthly order facts and partner metrics
precomputed by a scheduled job, segment treatments, satisfaction surveys and cross-sell
suggestions. Every row about a partner carries its organisation."""

from __future__ import annotations

import uuid
from decimal import Decimal

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    Float,
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

from partner_portal.catalog.tables import Style
from partner_portal.orders.tables import Order
from partner_portal.partners.tables import Organisation, User

MONEY = (16, 2)


class InsightSettings(Table, tablename="insight_settings"):
    """The brand's definitions, one row: what counts as churned, how value is discounted,
    and where the four segment dimensions turn from low to high."""

    id: Serial
    reporting_currency = Varchar(length=3, default="CNY")
    churn_after_days = Integer(default=180)
    annual_discount_rate = Numeric(digits=(5, 4), default=Decimal("0.10"))
    default_margin_percent = Numeric(digits=(5, 2), default=Decimal("40"))
    horizon_quarters = Integer(default=12)
    # High value, potential and loyalty: among this top share of the brand's partners with
    # orders (relative to the brand's own spread, so the segments do not pile up in one).
    high_share_percent = Integer(default=50)
    satisfaction_threshold = Numeric(digits=(4, 2), default=Decimal("7"))
    updated_at = Timestamptz()
    version = Integer(default=1)


class ExchangeRate(Table, tablename="insight_exchange_rate"):
    """Units of the reporting currency per unit of ``currency`` (figures add up across currencies)."""

    id: Serial
    currency = Varchar(length=3, unique=True)
    rate = Numeric(digits=(16, 8))


class StyleCost(Table, tablename="insight_style_cost"):
    """A style's unit cost in the reporting currency; without one the default margin applies."""

    id: Serial
    style = ForeignKey(Style, on_delete=OnDelete.cascade, unique=True)
    unit_cost = Numeric(digits=MONEY)


class PartnerMonth(Table, tablename="insight_partner_month"):
    """A partner's booked orders in one month, in the reporting currency (precomputed)."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    month = Date(index=True)  # the first day of the month
    season_code = Varchar(length=10, default="")
    orders = Integer()
    pieces = Integer()
    revenue = Numeric(digits=MONEY)
    margin = Numeric(digits=MONEY)


class PartnerMetrics(Table, tablename="insight_partner_metrics"):
    """One partner's health as computed on a day; earlier days stay for "moved since"."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    computed_on = Date(index=True)
    first_order_on = Date(null=True, default=None)
    last_order_on = Date(null=True, default=None)
    orders_12m = Integer(default=0)
    revenue_12m = Numeric(digits=MONEY, default=Decimal("0"))
    margin_12m = Numeric(digits=MONEY, default=Decimal("0"))
    # The margin of every past month compounded to today (insights/metrics.py).
    historical_value = Numeric(digits=MONEY, default=Decimal("0"))
    # BG/NBD with Gamma-Gamma (insights/lifetime.py): the orders expected over the horizon,
    # the chance the partner still buys, the margin expected per order, and their product
    # discounted to today; 0 while the brand's history is too short to fit the models.
    predicted_value = Numeric(digits=MONEY, default=Decimal("0"))
    expected_orders = Float(default=0.0)
    alive_probability = Float(default=0.0)
    margin_per_order = Numeric(digits=MONEY, default=Decimal("0"))
    loyalty = Float(default=0.0)
    # The average answer (0-10) less a point per complaint; meaningful only with surveys > 0.
    satisfaction = Float(default=0.0)
    surveys = Integer(default=0)
    complaints = Integer(default=0)
    rfm_recency = Integer(default=0)
    rfm_frequency = Integer(default=0)
    rfm_monetary = Integer(default=0)
    segment = Varchar(length=4, default="")
    churn_risk = Varchar(length=10, default="low")
    churned = Boolean(default=False)


class SegmentTreatment(Table, tablename="insight_segment_treatment"):
    """What the brand does with partners of a segment (code: value, potential, loyalty,
    satisfaction as H/L), and the follow-up it plans for them."""

    id: Serial
    segment = Varchar(length=4, unique=True)
    treatment = Text(default="")
    follow_up_kind = Varchar(length=20, default="call")
    due_in_days = Integer(default=14)


class Survey(Table, tablename="insight_survey"):
    """The satisfaction survey of one delivered order: a secret link, one answer."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    order = ForeignKey(Order, on_delete=OnDelete.cascade, unique=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    recipient = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    token_hash = Varchar(length=64, unique=True)
    sent_at = Timestamptz()
    expires_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None, index=True)
    score = Integer(null=True, default=None)
    comment = Text(default="")


class CrossSell(Table, tablename="insight_cross_sell"):
    """A style a partner does not buy yet that partners who buy ``because_of`` are likelier
    than others to buy (an association rule: confidence and lift), and why."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    style = ForeignKey(Style, on_delete=OnDelete.cascade)
    because_of = ForeignKey(Style, on_delete=OnDelete.cascade)
    buyers_of_both = Integer()
    buyers_of_reason = Integer()
    confidence = Float()
    lift = Float(default=1.0)


class KpiSnapshot(Table, tablename="insight_kpi_snapshot"):
    """The dashboard's figures as the last recomputation left them, for one scope (all
    partners, or one KAM's), period kind and breakdown: the page reads one row instead of
    recomputing every figure from the monthly facts on each request, the drill-down two."""

    id: Serial
    # "<scope>|<period kind>|<breakdown>", e.g. "all|month|tier" or "kam:12|season|"; the
    # same key with "|partners" holds the partners behind each of its figures.
    key = Varchar(length=80, unique=True)
    computed_on = Date()
    payload = Text()
