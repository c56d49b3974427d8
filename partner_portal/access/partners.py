"""The kernel's rules for partners, their contacts and timeline, and user accounts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from litestar.exceptions import NotFoundException
from piccolo.columns import Column
from piccolo.columns.combination import Combinable
from piccolo.query.methods.select import Select

from partner_portal.access.core import (
    Action,
    ActionSet,
    ScopedTable,
    Viewer,
    fetch_one,
    fetch_prepared,
    narrow,
    scoped,
)
from partner_portal.access.roles import ROLES_FOR_KIND
from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.records import (
    ContactRecord,
    OrganisationDetails,
    OrganisationRecord,
    UserRecord,
)
from partner_portal.partners.tables import (
    Address,
    Contact,
    Organisation,
    PartnerSearch,
    PartnerStatusChange,
    Role,
    Territory,
    TimelineEntry,
    User,
)
from partner_portal.statements import Parameter, Prepared

SCOPED_TABLES = (
    ScopedTable(Organisation, Organisation.id),
    ScopedTable(User, User.organisation),
    ScopedTable(Contact, Contact.organisation),
    ScopedTable(Address, Address.organisation),
    ScopedTable(Territory, Territory.organisation),
    ScopedTable(TimelineEntry, TimelineEntry.organisation),
    ScopedTable(PartnerStatusChange, PartnerStatusChange.organisation),
    ScopedTable(PartnerSearch, PartnerSearch.organisation),
    # The audit log is read whole by brand administrators (view_audit_log), and entry by
    # entry for a row its reader already fetched (what changed since they opened it).
    ScopedTable(AuditEntry, AuditEntry.organisation),
)


class VisibleOrganisation(OrganisationRecord, frozen=True):
    """An organisation get_organisation fetched for a viewer (made nowhere else; its
    details, VisibleOrganisationDetails, are made from one)."""


class VisibleOrganisationDetails(OrganisationDetails, VisibleOrganisation, frozen=True):
    """A VisibleOrganisation with its names, as the partner 360 and its panels get it (made
    only by partners.services.visible_organisation_details, from a VisibleOrganisation)."""


class VisibleContact(ContactRecord, frozen=True):
    """A contact get_contact fetched for a viewer (made nowhere else)."""


class VisibleUser(UserRecord, frozen=True):
    """A user account get_user fetched for a viewer (made nowhere else)."""


def owns_partners_they_create(viewer: Viewer) -> bool:
    """A KAM's new partners are theirs; a brand admin picks the owner (assign_partner_owner)."""
    return viewer.role == Role.kam


def timeline_filter(viewer: Viewer) -> Combinable | None:
    """Timeline entries the viewer may read, on top of the organisation filter."""
    if viewer.can(Action.view_internal_timeline):
        return None
    return TimelineEntry.internal == False  # noqa: E712 (Piccolo builds SQL from ==)


def user_filter(viewer: Viewer) -> Combinable | None:
    """User accounts the viewer may list: a brand admin all, others their own organisation's."""
    if viewer.role == Role.brand_admin:
        return None
    return User.organisation == viewer.organisation_id


@Prepared
def _organisation(viewer: Viewer) -> Select:
    return (
        scoped(Organisation.select(*Organisation.all_columns()), viewer)
        .where(Organisation.uuid == Parameter("uuid"))
        .limit(1)
    )


async def get_organisation(
    viewer: Viewer, organisation_uuid: UUID, action: ActionSet = Action.view_partner
) -> VisibleOrganisation:
    """One organisation the viewer may see (404 otherwise), checked for the action (403)."""
    row = await fetch_prepared(
        viewer, _organisation, "No such partner.", action, "id", uuid=organisation_uuid
    )
    return VisibleOrganisation.from_row(row)


async def get_organisations(
    viewer: Viewer, organisation_uuids: Sequence[UUID], *columns: Column
) -> list[dict[str, Any]]:
    """The organisations of a chosen list, all of which the viewer must see (404 otherwise)."""
    rows = await scoped(Organisation.select(*columns), viewer).where(
        Organisation.uuid.is_in(list(organisation_uuids))
    )
    if len(rows) != len(set(organisation_uuids)):
        raise NotFoundException("No such partner.")
    return list(rows)


async def get_contact(viewer: Viewer, contact_uuid: UUID, action: ActionSet) -> VisibleContact:
    query = scoped(Contact.select(*Contact.all_columns()), viewer, Contact.organisation).where(
        Contact.uuid == contact_uuid
    )
    row = await fetch_one(viewer, query, "No such contact.", action, organisation="organisation")
    return VisibleContact.from_row(row)


async def get_user(viewer: Viewer, user_uuid: UUID, action: ActionSet) -> VisibleUser:
    query = narrow(
        User.select(*User.all_columns(exclude=[User.password_hash])), user_filter(viewer)
    )
    row = await fetch_one(
        viewer, query.where(User.uuid == user_uuid), "No such user.", action, "organisation"
    )
    return VisibleUser.from_row(row)


def assignable_roles(viewer: Viewer, organisation_kind: str) -> Iterable[Role]:
    """Roles the viewer may give a new user of an organisation of this kind."""
    fitting = ROLES_FOR_KIND.get(organisation_kind, frozenset())
    return sorted(fitting, key=lambda role: list(Role).index(role))
