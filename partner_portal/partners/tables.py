"""The partner network: organisations, the people who log in for them, their
contacts, addresses, territories and the timeline of interactions.

Users live here beside organisations because each points at the other (a user
belongs to an organisation; an organisation has an owner KAM): one Piccolo app
keeps the migrations free of a cycle.
"""

from __future__ import annotations

import enum
import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    LazyTableReference,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class OrganisationKind(enum.StrEnum):
    brand = "brand"
    fabric_supplier = "fabric_supplier"
    trim_supplier = "trim_supplier"
    distributor = "distributor"
    retailer = "retailer"
    group_client = "group_client"


class Tier(enum.StrEnum):
    platinum = "platinum"
    gold = "gold"
    silver = "silver"
    standard = "standard"


class PartnerStatus(enum.StrEnum):
    prospect = "prospect"
    active = "active"
    dormant = "dormant"
    churned = "churned"


class Role(enum.StrEnum):
    brand_admin = "brand_admin"
    kam = "kam"
    brand_staff = "brand_staff"
    distributor = "distributor"
    retailer = "retailer"
    supplier = "supplier"
    group_client = "group_client"


class InteractionKind(enum.StrEnum):
    call = "call"
    visit = "visit"
    email = "email"
    meeting = "meeting"
    complaint = "complaint"
    note = "note"
    system = "system"


class AddressKind(enum.StrEnum):
    office = "office"
    billing = "billing"
    shipping = "shipping"
    warehouse = "warehouse"


class Organisation(Table, tablename="organisation"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    # The organisation's id in the brand's ERP (unique: an index made by the migration).
    external_ref = Varchar(length=60, null=True, default=None)
    kind = Varchar(length=20, choices=OrganisationKind, index=True)
    legal_name = Varchar(length=200, index=True)
    english_name = Varchar(length=200, default="")
    country = Varchar(length=2, default="CN")
    tax_id = Varchar(length=40, default="")
    currency = Varchar(length=3, default="CNY")
    language = Varchar(length=10, default="zh_Hans")
    tier = Varchar(length=20, choices=Tier, default=Tier.standard, index=True)
    status = Varchar(length=20, choices=PartnerStatus, default=PartnerStatus.prospect, index=True)
    parent_distributor: ForeignKey[Organisation] = ForeignKey(
        LazyTableReference("Organisation", module_path=__name__),
        null=True,
        on_delete=OnDelete.set_null,
        index=True,
    )
    owner: ForeignKey[User] = ForeignKey(
        LazyTableReference("User", module_path=__name__),
        null=True,
        on_delete=OnDelete.set_null,
        index=True,
    )
    phone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    website = Varchar(length=200, default="")
    notes = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class User(Table, tablename="app_user"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=120)
    password_hash = Varchar(length=200, default="")
    role = Varchar(length=20, choices=Role, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    is_org_admin = Boolean(default=False)
    manager: ForeignKey[User] = ForeignKey(
        LazyTableReference("User", module_path=__name__),
        null=True,
        on_delete=OnDelete.set_null,
        index=True,
    )
    locale = Varchar(length=10, default="")
    time_zone = Varchar(length=40, default="Asia/Shanghai")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class Contact(Table, tablename="contact"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    romanised_name = Varchar(length=120, default="")
    job_title = Varchar(length=120, default="")
    phone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    wechat_id = Varchar(length=60, default="")
    kakao_id = Varchar(length=60, default="")
    is_primary = Boolean(default=False)
    created_at = Timestamptz()
    version = Integer(default=1)


class Address(Table, tablename="address"):
    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=AddressKind, default=AddressKind.office)
    country = Varchar(length=2)
    region = Varchar(length=100, default="")
    city = Varchar(length=100, default="")
    district = Varchar(length=100, default="")
    street = Varchar(length=200, default="")
    postal_code = Varchar(length=20, default="")


class Territory(Table, tablename="territory"):
    """A region (ISO 3166-2 code, e.g. CN-SH or KR-11) assigned to an organisation."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    region_code = Varchar(length=10, index=True)


class TimelineEntry(Table, tablename="timeline_entry"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=InteractionKind)
    occurred_at = Timestamptz(index=True)
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    # What someone wrote, as written; or, for an entry the portal writes (a rule's note,
    # a case opened), a message id whose parameters are in ``params``, read in each
    # reader's language (partner_portal/messages.py).
    summary = Text()
    params = JSON(default="{}")
    # Internal entries are the brand's own notes; the partner's users never see them.
    internal = Boolean(default=True)
    created_at = Timestamptz()


class PartnerStatusChange(Table, tablename="partner_status_change"):
    """A partner's status and tier from a moment on: a row at its creation and one on every
    change of either (written with the change's audit entry, partners/history.py), so
    figures can count each period's partners as they were then."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    valid_from = Timestamptz(index=True)
    status = Varchar(length=20, choices=PartnerStatus)
    tier = Varchar(length=20, choices=Tier)


class PartnerSearch(Table, tablename="partner_search"):
    """What the partner list's search box searches, one row per organisation: its legal
    and English names, tax id and contacts' names and e-mails, one a line. Written only by
    the database's triggers on organisation and contact, in the transaction of each change
    (partners/search.py; the triggers are in the migration that backfilled the rows)."""

    id: Serial
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, unique=True)
    body = Text(default="")
