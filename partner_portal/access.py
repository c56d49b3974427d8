"""Who may see which rows and do what: the one visibility policy (DESIGN.md §2).

Two questions, answered only here:
- which organisations a user may see (``organisation_filter``), applied to every
  query for a partner-owned row, so a foreign row is never found and answers 404;
- which actions the user's role allows on a row they can see (``allows``),
  so a permitted row with a missing permission answers 403.
The ``get_*`` helpers fetch one row for a user and raise the right one of the two.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar.exceptions import NotFoundException, PermissionDeniedException
from piccolo.columns import Column, ForeignKey
from piccolo.columns.combination import Combinable

from partner_portal.catalog.tables import PriceList, Season, SizeScale, Style, StyleStatus
from partner_portal.partners.tables import Contact, Organisation, Role, TimelineEntry, User

BRAND_ROLES = frozenset({Role.brand_admin, Role.kam, Role.brand_staff})
PARTNER_ROLES = frozenset({Role.distributor, Role.retailer, Role.supplier, Role.group_client})


class Action(enum.StrEnum):
    view_partner = "view_partner"
    create_partner = "create_partner"
    edit_partner = "edit_partner"
    transfer_partners = "transfer_partners"
    import_partners = "import_partners"
    export_partners = "export_partners"
    manage_contacts = "manage_contacts"
    add_timeline_entry = "add_timeline_entry"
    view_internal_timeline = "view_internal_timeline"
    invite_user = "invite_user"
    manage_users = "manage_users"
    view_audit_log = "view_audit_log"
    assign_partner_owner = "assign_partner_owner"
    view_catalog = "view_catalog"
    manage_catalog = "manage_catalog"
    view_price_lists = "view_price_lists"


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.brand_admin: frozenset(Action),
    Role.kam: frozenset(
        {
            Action.view_partner,
            Action.create_partner,
            Action.edit_partner,
            Action.export_partners,
            Action.manage_contacts,
            Action.add_timeline_entry,
            Action.view_internal_timeline,
            Action.view_catalog,
            Action.view_price_lists,
        }
    ),
    # Brand staff are the merchandisers: they manage the catalog.
    Role.brand_staff: frozenset(
        {
            Action.view_partner,
            Action.export_partners,
            Action.add_timeline_entry,
            Action.view_internal_timeline,
            Action.view_catalog,
            Action.manage_catalog,
            Action.view_price_lists,
        }
    ),
    **{
        role: frozenset(
            {
                Action.view_partner,
                Action.manage_contacts,
                Action.invite_user,
                Action.view_catalog,
            }
        )
        for role in PARTNER_ROLES
    },
}

# Actions a partner's user may take only on their own organisation (not, say, on the
# retailers a distributor serves), and user invitations only by the organisation's admin.
OWN_ORGANISATION_ONLY = frozenset({Action.manage_contacts, Action.invite_user, Action.manage_users})
ORGANISATION_ADMIN_ONLY = frozenset({Action.invite_user})

# Which user role fits which kind of organisation.
ROLES_FOR_KIND: dict[str, frozenset[Role]] = {
    "brand": BRAND_ROLES,
    "distributor": frozenset({Role.distributor}),
    "retailer": frozenset({Role.retailer}),
    "fabric_supplier": frozenset({Role.supplier}),
    "trim_supplier": frozenset({Role.supplier}),
    "group_client": frozenset({Role.group_client}),
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user as the policy sees them, with where the request came from."""

    user_id: int
    user_uuid: UUID
    email: str
    display_name: str
    role: Role
    organisation_id: int
    is_org_admin: bool
    locale: str
    time_zone: str
    ip_address: str = ""

    @property
    def is_brand(self) -> bool:
        return self.role in BRAND_ROLES

    def can(self, action: Action) -> bool:
        """Whether the role has the action anywhere (to show a button or a menu entry)."""
        if action in ORGANISATION_ADMIN_ONLY and self.role in PARTNER_ROLES:
            return self.is_org_admin
        return action in ROLE_ACTIONS[self.role]


def owns_partners_they_create(viewer: Viewer) -> bool:
    """A KAM's new partners are theirs; a brand admin picks the owner (assign_partner_owner)."""
    return viewer.role == Role.kam


def allows(viewer: Viewer, action: Action, organisation_id: int | None = None) -> bool:
    """Whether the viewer may take the action on a row of the organisation (already visible)."""
    if not viewer.can(action):
        return False
    partner_acting_elsewhere = (
        viewer.role in PARTNER_ROLES and organisation_id != viewer.organisation_id
    )
    return not (action in OWN_ORGANISATION_ONLY and partner_acting_elsewhere)


def require(viewer: Viewer, action: Action, organisation_id: int | None = None) -> None:
    """Raise 403 unless the viewer may take the action."""
    if not allows(viewer, action, organisation_id):
        raise PermissionDeniedException("Your role does not allow this.")


def _organisation_columns(reference: Any) -> tuple[Column, Column, Column, Column]:
    """(id, owner, owner's manager, parent distributor) of the organisation a reference leads to.

    ``reference`` is the Organisation table itself or a foreign key to it, such as
    ``Contact.organisation``; Piccolo turns the second into joins.
    """
    if reference is Organisation:
        return (
            Organisation.id,
            Organisation.owner,
            Organisation.owner.manager,  # type: ignore[union-attr]
            Organisation.parent_distributor,
        )
    if isinstance(reference, ForeignKey):
        return (
            reference,
            reference.owner,
            reference.owner.manager,  # type: ignore[union-attr]
            reference.parent_distributor,
        )
    raise TypeError(f"not an organisation reference: {reference!r}")


def organisation_filter(viewer: Viewer, reference: Any = Organisation) -> Combinable | None:
    """The condition limiting a query to organisations the viewer may see; None means all.

    - brand admins and brand staff: every organisation;
    - a KAM: the partners they own and those owned by their team (users they manage);
    - a distributor: its own organisation and the retailers it serves;
    - every other partner role: its own organisation.
    Every user also sees their own organisation.
    """
    if viewer.role in (Role.brand_admin, Role.brand_staff):
        return None
    own_id, owner, owner_manager, parent = _organisation_columns(reference)
    own = own_id == viewer.organisation_id
    if viewer.role == Role.kam:
        return own | (owner == viewer.user_id) | (owner_manager == viewer.user_id)
    if viewer.role == Role.distributor:
        return own | (parent == viewer.organisation_id)
    return own


def scoped(query: Any, viewer: Viewer, reference: Any = Organisation) -> Any:
    """Add the viewer's organisation filter to a Piccolo query."""
    condition = organisation_filter(viewer, reference)
    return query if condition is None else query.where(condition)


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


def _not_found(what: str) -> NotFoundException:
    return NotFoundException(f"No such {what}.")


async def get_organisation(
    viewer: Viewer, organisation_uuid: UUID, action: Action = Action.view_partner
) -> dict[str, Any]:
    """One organisation the viewer may see (404 otherwise), checked for the action (403)."""
    query = scoped(Organisation.select(*Organisation.all_columns()), viewer).where(
        Organisation.uuid == organisation_uuid
    )
    row = await query.first()
    if row is None:
        raise _not_found("partner")
    require(viewer, action, row["id"])
    return row


async def get_contact(viewer: Viewer, contact_uuid: UUID, action: Action) -> dict[str, Any]:
    query = scoped(Contact.select(*Contact.all_columns()), viewer, Contact.organisation).where(
        Contact.uuid == contact_uuid
    )
    row = await query.first()
    if row is None:
        raise _not_found("contact")
    require(viewer, action, row["organisation"])
    return row


async def get_user(viewer: Viewer, user_uuid: UUID, action: Action) -> dict[str, Any]:
    query = User.select(*User.all_columns()).where(User.uuid == user_uuid)
    condition = user_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise _not_found("user")
    require(viewer, action, row["organisation"])
    return row


def style_filter(viewer: Viewer) -> Combinable | None:
    """Catalog styles the viewer may see: the brand's users all, partner users active ones.

    Catalog rows belong to the brand, so no organisation filter applies to them.
    """
    if viewer.is_brand:
        return None
    return Style.status == StyleStatus.active.value


async def get_style(
    viewer: Viewer, style_uuid: UUID, action: Action = Action.view_catalog
) -> dict[str, Any]:
    """One style the viewer may see (404 otherwise), checked for the action (403)."""
    query = Style.select(*Style.all_columns()).where(Style.uuid == style_uuid)
    condition = style_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise _not_found("style")
    require(viewer, action)
    return row


async def get_price_list(
    viewer: Viewer, price_list_uuid: UUID, action: Action = Action.view_price_lists
) -> dict[str, Any]:
    """One price list (only the brand's users see price lists as such), checked for the action."""
    require(viewer, Action.view_price_lists)
    row = (
        await PriceList.select(*PriceList.all_columns())
        .where(PriceList.uuid == price_list_uuid)
        .first()
    )
    if row is None:
        raise _not_found("price list")
    require(viewer, action)
    return row


async def get_season(
    viewer: Viewer, season_uuid: UUID, action: Action = Action.manage_catalog
) -> dict[str, Any]:
    """One season, for the catalog's managers (403 for everyone else, then 404)."""
    require(viewer, action)
    row = await Season.select(*Season.all_columns()).where(Season.uuid == season_uuid).first()
    if row is None:
        raise _not_found("season")
    return row


async def get_size_scale(
    viewer: Viewer, scale_uuid: UUID, action: Action = Action.manage_catalog
) -> dict[str, Any]:
    """One size scale, for the catalog's managers (403 for everyone else, then 404)."""
    require(viewer, action)
    row = await (
        SizeScale.select(*SizeScale.all_columns()).where(SizeScale.uuid == scale_uuid).first()
    )
    if row is None:
        raise _not_found("size scale")
    return row


def assignable_roles(viewer: Viewer, organisation_kind: str) -> Iterable[Role]:
    """Roles the viewer may give a new user of an organisation of this kind."""
    fitting = ROLES_FOR_KIND.get(organisation_kind, frozenset())
    return sorted(fitting, key=lambda role: list(Role).index(role))
