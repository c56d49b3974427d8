"""Sales beyond orders: the opportunity pipeline, partners' deal registrations, service
cases with their conversation, and the rebate and points ledger.

Every partner-owned row carries its organisation; who sees it is decided in
partner_portal.access (the sales section). Orders are referred to by their UUID and
number rather than a foreign key, so this module's migrations do not depend on the
order book's.
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

from piccolo.columns import (
    UUID,
    Boolean,
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

from partner_portal.catalog.tables import Season, Style
from partner_portal.partners.tables import Organisation, User

MONEY = (14, 2)
PERCENT = (5, 2)


class OpportunityKind(enum.StrEnum):
    new_distributor = "new_distributor"
    reorder_season = "reorder_season"
    group_tender = "group_tender"
    private_label = "private_label"


class Stage(enum.StrEnum):
    lead = "lead"
    qualified = "qualified"
    proposal = "proposal"
    negotiation = "negotiation"
    won = "won"
    lost = "lost"


OPEN_STAGES = (Stage.lead, Stage.qualified, Stage.proposal, Stage.negotiation)
CLOSED_STAGES = (Stage.won, Stage.lost)


class StageProbability(Table, tablename="sales_stage_probability"):
    """The brand's default win probability of a stage (percent); a missing row means the
    built-in default."""

    id: Serial
    stage = Varchar(length=20, choices=Stage, unique=True)
    probability = Numeric(digits=PERCENT)
    version = Integer(default=1)


class Opportunity(Table, tablename="sales_opportunity"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    kind = Varchar(length=20, choices=OpportunityKind)
    expected_value = Numeric(digits=MONEY, default=Decimal("0"))
    currency = Varchar(length=3, default="CNY")
    expected_close_date = Date(index=True)
    stage = Varchar(length=20, choices=Stage, default=Stage.lead, index=True)
    # Percent; set from the stage's default on every move, editable on the form.
    probability = Numeric(digits=PERCENT, default=Decimal("10"))
    lost_reason = Text(default="")
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    competitors = Text(default="")
    next_step = Text(default="")
    closed_at = Timestamptz(null=True, default=None, index=True)
    # Where the draft a won tender started lives (an order or a group campaign page).
    draft_link = Varchar(length=200, default="")
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    idempotency_key = Varchar(length=80, null=True, default=None, unique=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class OpportunityTotal(Table, tablename="sales_opportunity_total"):
    """How many opportunities a partner has in a stage and currency, and their expected
    value: kept by the database's triggers on sales_opportunity in the transaction of every
    insert, update and delete (whoever writes), so the board reads a few rows per partner
    instead of summing every open opportunity (pipeline.board). Unique per (organisation,
    stage, currency): an index made by the migration that adds the triggers."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    stage = Varchar(length=20, choices=Stage)
    currency = Varchar(length=3)
    opportunities = Integer(default=0)
    total_value = Numeric(digits=(18, 2), default=Decimal("0"))


class SalesPolicy(Table, tablename="sales_policy"):
    """The brand's deal-registration terms (one row; absent means the defaults)."""

    id: Serial
    decision_days = Integer(default=5)
    protection_days = Integer(default=180)
    version = Integer(default=1)


class RegistrationStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    expired = "expired"


class DealRegistration(Table, tablename="sales_deal_registration"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    end_customer = Varchar(length=200)
    # The customer's name folded (case, spaces, punctuation) so two spellings meet.
    customer_key = Varchar(length=200, index=True)
    region = Varchar(length=10, index=True)
    expected_quantity = Integer(default=0)
    expected_value = Numeric(digits=MONEY, default=Decimal("0"))
    currency = Varchar(length=3, default="CNY")
    styles = Text(default="")
    notes = Text(default="")
    status = Varchar(length=20, choices=RegistrationStatus, default="pending", index=True)
    # The earlier live claim on the same customer and region this one collides with.
    conflict_with: ForeignKey[DealRegistration] = ForeignKey(
        "self", null=True, on_delete=OnDelete.set_null
    )
    decision_due_at = Timestamptz()
    escalated_at = Timestamptz(null=True, default=None)
    protected_until = Date(null=True, default=None)
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    submitted_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    idempotency_key = Varchar(length=80, null=True, default=None, unique=True)
    created_at = Timestamptz()
    version = Integer(default=1)


class CaseKind(enum.StrEnum):
    complaint = "complaint"
    quality_defect = "quality_defect"
    wrong_shipment = "wrong_shipment"
    alteration_request = "alteration_request"
    question = "question"


class CasePriority(enum.StrEnum):
    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"


class CaseStatus(enum.StrEnum):
    new = "new"
    in_progress = "in_progress"
    waiting_on_partner = "waiting_on_partner"
    resolved = "resolved"
    closed = "closed"


class ServiceCase(Table, tablename="sales_case"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    subject = Varchar(length=200)
    kind = Varchar(length=20, choices=CaseKind)
    priority = Varchar(length=10, choices=CasePriority, default="normal", index=True)
    status = Varchar(length=20, choices=CaseStatus, default="new", index=True)
    order_number = Varchar(length=20, default="")
    style = ForeignKey(Style, null=True, on_delete=OnDelete.set_null)
    opened_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    first_response_due_at = Timestamptz()
    resolution_due_at = Timestamptz(index=True)
    first_responded_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    escalated_at = Timestamptz(null=True, default=None)
    idempotency_key = Varchar(length=80, null=True, default=None, unique=True)
    created_at = Timestamptz(index=True)
    updated_at = Timestamptz()
    version = Integer(default=1)


class KnowledgeArticle(Table, tablename="sales_knowledge_article"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    language = Varchar(length=10, index=True)
    title = Varchar(length=200)
    body = Text()
    updated_at = Timestamptz()
    version = Integer(default=1)


class CaseMessage(Table, tablename="sales_case_message"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    case = ForeignKey(ServiceCase, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    body = Text()
    # Internal notes are the brand's; the partner never sees them.
    internal = Boolean(default=False)
    # A knowledge-base answer the agent linked into the reply.
    article = ForeignKey(KnowledgeArticle, null=True, on_delete=OnDelete.set_null)
    idempotency_key = Varchar(length=80, null=True, default=None, unique=True)
    created_at = Timestamptz()


class RebateProgramme(Table, tablename="sales_rebate_programme"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    name = Varchar(length=120)
    season = ForeignKey(Season, null=True, on_delete=OnDelete.set_null)
    starts_on = Date()
    ends_on = Date()
    currency = Varchar(length=3, default="CNY")
    # Points earned per 100 of order value delivered.
    points_per_hundred = Numeric(digits=(8, 2), default=Decimal("1"))
    points_expiry_days = Integer(default=365)
    active = Boolean(default=True)
    version = Integer(default=1)


class RebateTier(Table, tablename="sales_rebate_tier"):
    id: Serial
    programme = ForeignKey(RebateProgramme, on_delete=OnDelete.cascade, index=True)
    threshold = Numeric(digits=MONEY)
    percent = Numeric(digits=PERCENT)


class LedgerKind(enum.StrEnum):
    earned = "earned"
    reversed = "reversed"
    bonus = "bonus"
    adjusted = "adjusted"
    expired = "expired"
    redeemed_credit = "redeemed_credit"
    redeemed_marketing = "redeemed_marketing"
    volume_rebate = "volume_rebate"


class LedgerEntry(Table, tablename="sales_ledger_entry"):
    """One movement of a partner's points (or a volume rebate amount), traceable to the
    order or decision behind it."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    programme = ForeignKey(RebateProgramme, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=LedgerKind)
    points = Numeric(digits=MONEY, default=Decimal("0"))
    amount = Numeric(digits=MONEY, default=Decimal("0"))
    order_uuid = UUID(null=True, default=None, index=True)
    order_number = Varchar(length=20, default="")
    note = Text(default="")
    expires_on = Date(null=True, default=None)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    # What the entry is for ("earn:<programme>:<order>"...): an order earns once.
    source_key = Varchar(length=120, unique=True)
    occurred_at = Timestamptz(index=True)


class CareTrigger(enum.StrEnum):
    after_delivery = "after_delivery"
    before_window_end = "before_window_end"


class CareEvent(Table, tablename="sales_care_event"):
    """A moment the brand looks after its partners: "90 days after delivery, check
    sell-through and offer replenishment"; the scheduler plans a follow-up for the KAM
    and, with a message, tells the partner."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    name = Varchar(length=120)
    trigger = Varchar(length=20, choices=CareTrigger)
    days = Integer(default=90)
    follow_up_title = Varchar(length=200)
    # What the partner's users read, in each language (the message of a reader's own
    # language, else the English one; none: they are not told).
    partner_message_zh = Text(default="")
    partner_message_ko = Text(default="")
    partner_message_en = Text(default="")
    active = Boolean(default=True)
    version = Integer(default=1)


class CareReminder(Table, tablename="sales_care_reminder"):
    """One care event fired for one order: the guard that makes the job fire it once."""

    id: Serial
    event = ForeignKey(CareEvent, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    order_uuid = UUID()
    source_key = Varchar(length=120, unique=True)
    created_at = Timestamptz()


class CasePhoto(Table, tablename="sales_case_photo"):
    """A photo sent with a case message (a defect, a wrong label...), kept in the database
    so every web process serves it; it belongs to the case's organisation."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    case = ForeignKey(ServiceCase, on_delete=OnDelete.cascade, index=True)
    message = ForeignKey(CaseMessage, null=True, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=40)
    data = Bytea()
    size = Integer()
    created_at = Timestamptz()
