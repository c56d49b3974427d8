"""The kernel of the access policy: who is asking, what their role allows (403), which
organisations they may see (404), and the one way to fetch a row for them.

Two questions, answered only through this package:
- which organisations a user may see (``organisation_filter``, ``scoped``), applied to every
  query for a partner-owned row, so a foreign row is never found and answers 404;
- which actions the user's role allows on a row they can see (``allows``, ``require``),
  so a permitted row with a missing permission answers 403.
``fetch_one`` runs a query already limited to what the viewer sees and raises the right one
of the two; every ``get_*`` helper, the kernel's and each module's, goes through it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self, TypeVar
from uuid import UUID

from litestar.exceptions import NotFoundException, PermissionDeniedException
from piccolo.columns import Column, ForeignKey
from piccolo.columns.combination import Combinable
from piccolo.table import Table

from partner_portal.access.roles import (
    BRAND_ROLES,
    ORGANISATION_ADMIN_ONLY,
    OWN_ORGANISATION_ONLY,
    PARTNER_ROLES,
    ROLE_ACTIONS,
)
from partner_portal.partners.tables import Organisation, Role
from partner_portal.statements import Prepared


class ActionSet(enum.StrEnum):
    """The base of every set of actions, the kernel's and each module's: a member is its
    name as the role table (roles.py) spells it, "<area>.<action>", and a one-line meaning
    for docs/ACCESS.md."""

    meaning: str

    def __new__(cls, value: str, meaning: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member


class Action(ActionSet):
    """The kernel's actions: partners, users, the audit log, the catalog, the order book and
    the outbox. Modules declare theirs in their own access.py."""

    view_partner = "partners.view_partner", "See the partners they may see and their pages"
    create_partner = "partners.create_partner", "Add a partner"
    edit_partner = "partners.edit_partner", "Change a partner's record"
    transfer_partners = "partners.transfer_partners", "Hand a KAM's partners to another KAM"
    import_partners = "partners.import_partners", "Import partners from a spreadsheet"
    export_partners = "partners.export_partners", "Export the partner list"
    assign_partner_owner = "partners.assign_partner_owner", "Choose the KAM who owns a partner"
    manage_contacts = "partners.manage_contacts", "Add, change and remove a partner's contacts"
    add_timeline_entry = "partners.add_timeline_entry", "Log a call, visit or note on a partner"
    view_internal_timeline = (
        "partners.view_internal_timeline",
        "Read the brand's internal timeline entries",
    )
    invite_user = "users.invite_user", "Invite a user to an organisation"
    manage_users = "users.manage_users", "Change, deactivate and re-invite user accounts"
    view_audit_log = "audit.view_audit_log", "Read the audit log"
    view_catalog = "catalog.view_catalog", "See the catalog (a partner: active styles only)"
    manage_catalog = (
        "catalog.manage_catalog",
        "Maintain styles, seasons, sizes, prepacks, prices and stock",
    )
    view_price_lists = "catalog.view_price_lists", "See the price lists themselves"
    view_orders = "orders.view_orders", "See the orders of buyers they may see"
    place_order = "orders.place_order", "Enter and submit orders"
    manage_orders = (
        "orders.manage_orders",
        "Confirm, cancel and ship orders; decide change requests",
    )
    export_orders = "orders.export_orders", "Export orders"
    manage_outbox = "notifications.manage_outbox", "See and retry e-mail that failed to send"


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

    def can(self, action: str) -> bool:
        """Whether the role has the action anywhere (to show a button or a menu entry)."""
        if action in ORGANISATION_ADMIN_ONLY and self.role in PARTNER_ROLES:
            return self.is_org_admin
        return action in ROLE_ACTIONS[self.role]


def allows(viewer: Viewer, action: ActionSet, organisation_id: int | None = None) -> bool:
    """Whether the viewer may take the action on a row of the organisation (already visible)."""
    if not viewer.can(action):
        return False
    partner_acting_elsewhere = (
        viewer.role in PARTNER_ROLES and organisation_id != viewer.organisation_id
    )
    return not (action in OWN_ORGANISATION_ONLY and partner_acting_elsewhere)


def require(viewer: Viewer, action: ActionSet, organisation_id: int | None = None) -> None:
    """Raise 403 unless the viewer may take the action."""
    if not allows(viewer, action, organisation_id):
        raise PermissionDeniedException("Your role does not allow this.")


# Built once: following Organisation.owner.manager costs Piccolo ~1 ms per request.
ORGANISATION_COLUMNS: tuple[Column, Column, Column, Column] = (
    Organisation.id,
    Organisation.owner,
    Organisation.owner._.manager,
    Organisation.parent_distributor,
)


def organisation_filter(viewer: Viewer, reference: Any = Organisation) -> Combinable | None:
    """The condition limiting a query to organisations the viewer may see; None means all.

    - brand admins and brand staff: every organisation;
    - a KAM: the partners they own and those owned by their team (users they manage);
    - a distributor: its own organisation and the retailers it serves;
    - every other partner role: its own organisation.
    Every user also sees their own organisation.

    ``reference`` is the Organisation table itself or a foreign key to it, such as
    ``Contact.organisation``. For a foreign key the organisations are a subquery, not a
    condition on the joined organisation: PostgreSQL can then walk the referencing table's
    index per organisation (an order list: 18 ms -> 1 ms over 200,000 orders).
    """
    if viewer.role in (Role.brand_admin, Role.brand_staff):
        return None
    if reference is not Organisation:
        if not isinstance(reference, ForeignKey):
            raise TypeError(f"not an organisation reference: {reference!r}")
        return reference.is_in(  # type: ignore[no-any-return]
            Organisation.select(Organisation.id).where(_visible_organisations(viewer))
        )
    return _visible_organisations(viewer)


def _visible_organisations(viewer: Viewer) -> Combinable:
    """organisation_filter on Organisation itself, for a viewer who does not see them all."""
    own_id, owner, owner_manager, parent = ORGANISATION_COLUMNS
    own = own_id == viewer.organisation_id
    if viewer.role == Role.kam:
        return own | (owner == viewer.user_id) | (owner_manager == viewer.user_id)
    if viewer.role == Role.distributor:
        return own | (parent == viewer.organisation_id)
    return own


def narrow(query: Any, condition: Combinable | None) -> Any:
    """The query limited by a visibility condition (None: the viewer sees every row)."""
    return query if condition is None else query.where(condition)


def scoped(query: Any, viewer: Viewer, reference: Any = Organisation) -> Any:
    """Add the viewer's organisation filter to a Piccolo query."""
    return narrow(query, organisation_filter(viewer, reference))


async def fetch_one(
    viewer: Viewer,
    query: Any,
    missing: str,
    action: ActionSet | None = None,
    organisation: str | None = None,
) -> dict[str, Any]:
    """The row a query already limited to what the viewer may see finds: 404 (``missing``
    says what) when it finds none, then 403 unless the viewer may take ``action``, on the
    organisation in the row's ``organisation`` column when the rule depends on it."""
    return _found(viewer, await query.first(), missing, action, organisation)


async def fetch_prepared(
    viewer: Viewer,
    statement: Prepared,
    missing: str,
    action: ActionSet | None = None,
    organisation: str | None = None,
    **values: Any,
) -> dict[str, Any]:
    """``fetch_one`` for a statement built once (partner_portal/statements.py) whose build
    narrows it for the viewer it is given: the same 404 and 403."""
    return _found(viewer, await statement.first(viewer, **values), missing, action, organisation)


def _found(
    viewer: Viewer,
    row: dict[str, Any] | None,
    missing: str,
    action: ActionSet | None,
    organisation: str | None,
) -> dict[str, Any]:
    if row is None:
        raise NotFoundException(missing)
    if action is not None:
        require(viewer, action, row[organisation] if organisation else None)
    return dict(row)


@dataclass(frozen=True)
class ScopedTable:
    """A table whose rows belong to an organisation, so that every query for them goes
    through this policy: ``by`` is its organisation column (a foreign key to Organisation),
    or the foreign key to the organisation-owned row it is part of (an order's lines).
    ``reason`` instead says why a table that names an organisation is not scoped by it."""

    table: type[Table]
    by: Column | None
    reason: str = ""


Function = TypeVar("Function", bound=Callable[..., Any])


def system_query(reason: str) -> Callable[[Function], Function]:
    """Marks a function whose queries of organisation-scoped rows are not limited to what
    one viewer may see, and says why: work for no viewer (a scheduled job, the e-mail
    sender, a signed link, a demand source) or a lookup the feature needs across
    organisations (an e-mail or tax id registered once, the brand's KAMs as choices).
    tests/portal/test_scoped_queries.py wants this, or an access helper in the statement,
    for every query of a scoped table outside the access policy."""

    def mark(function: Function) -> Function:
        return function

    return mark


def checked_by_caller(reason: str) -> Callable[[Function], Function]:
    """Marks a function that works on rows its callers fetched through the access policy
    (an order's lines once get_order found the order), and says where the check is."""

    def mark(function: Function) -> Function:
        return function

    return mark
