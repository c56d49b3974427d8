"""Typed rows of the partner network: organisations (``OrganisationDetails`` with the names
of its owner and parent distributor), their contacts and user accounts.

The access policy's fetchers hand out the Visible types (partner_portal/access/partners.py).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from partner_portal.partners.tables import OrganisationKind, PartnerStatus, Role, Tier
from partner_portal.records import Record


class OrganisationRecord(Record, frozen=True):
    """An organisation: the brand or one of its partners."""

    id: int
    uuid: UUID
    kind: OrganisationKind
    legal_name: str
    english_name: str
    country: str
    tax_id: str
    currency: str
    language: str
    tier: Tier
    status: PartnerStatus
    parent_distributor: int | None
    owner: int | None
    phone: str
    email: str
    website: str
    notes: str
    created_at: datetime
    updated_at: datetime
    version: int


class OrganisationDetails(OrganisationRecord, frozen=True):
    """An organisation with the names of its owner and parent distributor (the partner 360,
    its edit form, the audit log's snapshot)."""

    owner_name: str | None
    owner_email: str | None
    owner_uuid: UUID | None
    parent_name: str | None
    parent_uuid: UUID | None


class ContactRecord(Record, frozen=True):
    """A person at a partner the brand talks to (not a user account)."""

    id: int
    uuid: UUID
    organisation: int
    name: str
    romanised_name: str
    job_title: str
    phone: str
    email: str
    wechat_id: str
    kakao_id: str
    is_primary: bool
    created_at: datetime
    version: int


class UserRecord(Record, frozen=True):
    """A user account; never carries the password hash."""

    id: int
    uuid: UUID
    email: str
    display_name: str
    role: Role
    organisation: int
    is_org_admin: bool
    manager: int | None
    locale: str
    time_zone: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None
    version: int
