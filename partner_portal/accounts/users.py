"""User management: listing, inviting, re-issuing links, (de)activating and editing
users, the signed-in user's own preferences, and ``threadline create-user``.

Who may do what is asked of access.py: brand administrators manage every user;
a partner organisation's admin manages the users of their own organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar.exceptions import PermissionDeniedException

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.accounts import services, session_cache
from partner_portal.accounts.forms import (
    EditUserInput,
    Errors,
    InviteInput,
    PreferencesInput,
    UserFilters,
    parse_email,
)
from partner_portal.accounts.tables import Invitation
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.notifications.services import enqueue_email, mail_locale, render_email
from partner_portal.partners.tables import Organisation, OrganisationKind, Role, User
from partner_portal.records import Record
from partner_portal.settings import Settings, current_settings

USER_LIST_LIMIT = 500


def people_action(viewer: Viewer) -> Action:
    """The action that guards managing a user's account for this viewer.

    Brand administrators hold ``manage_users``; a partner organisation's admin manages
    their own organisation's users through ``invite_user``, which access.py already
    limits to organisation admins and to their own organisation.
    """
    return Action.manage_users if viewer.can(Action.manage_users) else Action.invite_user


def may_manage_people(viewer: Viewer) -> bool:
    return viewer.can(Action.manage_users) or viewer.can(Action.invite_user)


def require_people_manager(viewer: Viewer) -> None:
    """403 unless the viewer manages users somewhere (the Users menu entry)."""
    if not may_manage_people(viewer):
        raise PermissionDeniedException("Your role does not allow this.")


def _user_columns() -> tuple[Any, ...]:
    return (
        User.id,
        User.uuid,
        User.email,
        User.display_name,
        User.role,
        User.is_org_admin,
        User.is_active,
        User.locale,
        User.time_zone,
        User.created_at,
        User.last_login_at,
        User.version,
        User.password_hash,
        User.organisation.uuid.as_alias("organisation_uuid"),
        User.organisation.legal_name.as_alias("organisation_name"),
        User.organisation.kind.as_alias("organisation_kind"),
        User.manager._.uuid.as_alias("manager_uuid"),
        User.manager._.display_name.as_alias("manager_name"),
        User.manager._.email.as_alias("manager_email"),
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A user row for pages: whether a password is set, never its hash."""
    row = dict(row)
    row["has_password"] = bool(row.pop("password_hash", ""))
    return row


def _managed_users(viewer: Viewer, filters: UserFilters) -> Any:
    """The query of the users the viewer may manage (403 for a viewer who manages nobody),
    filtered, with their organisation."""
    require_people_manager(viewer)
    query = access.narrow(User.select(*_user_columns()), access.user_filter(viewer))
    if filters.organisation_uuid:
        query = query.where(User.organisation.uuid == filters.organisation_uuid)
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.active:
        query = query.where(User.is_active == (filters.active == "1"))
    return query


async def list_users(viewer: Viewer, filters: UserFilters) -> list[dict[str, Any]]:
    """The users the viewer may manage, filtered, in one query with their organisation."""
    query = (
        _managed_users(viewer, filters)
        .order_by(User.organisation.legal_name)
        .order_by(User.display_name)
    )
    return [_public(row) for row in await query.limit(USER_LIST_LIMIT)]


async def users_after(
    viewer: Viewer, filters: UserFilters, after: tuple[str, int] | None, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` of the users the viewer may manage, by name, after the (name, id)
    of the last one of the previous page (the API's pages)."""
    query = _managed_users(viewer, filters)
    if after is not None:
        name, user_id = after
        query = query.where(
            (User.display_name > name) | ((User.display_name == name) & (User.id > user_id))
        )
    rows = await query.order_by(User.display_name).order_by(User.id).limit(limit)
    return [_public(row) for row in rows]


async def organisation_choices(viewer: Viewer) -> list[dict[str, Any]]:
    """Organisations the viewer may invite users to, brand first, then by name."""
    query = access.scoped(
        Organisation.select(
            Organisation.id, Organisation.uuid, Organisation.legal_name, Organisation.kind
        ),
        viewer,
    ).order_by(Organisation.legal_name)
    rows = [row for row in await query if access.allows(viewer, Action.invite_user, row["id"])]
    return sorted(rows, key=lambda row: row["kind"] != OrganisationKind.brand)


@access.system_query("the brand's KAMs, as a KAM's manager")
async def kam_choices(exclude_user_id: int | None = None) -> list[dict[str, Any]]:
    """Active key-account managers, for choosing a KAM's manager."""
    query = (
        User.select(User.id, User.uuid, User.display_name, User.email)
        .where(User.role == Role.kam, User.is_active == True)  # noqa: E712
        .order_by(User.display_name)
    )
    rows = await query
    return [row for row in rows if row["id"] != exclude_user_id]


@access.system_query("the brand's KAMs, as a KAM's manager")
async def _manager_id(
    role: Role, manager_uuid: UUID | None, errors: Errors, user_id: int | None = None
) -> int | None:
    """The id of a KAM's manager (another active KAM); errors for anything else."""
    if manager_uuid is None:
        return None
    if role != Role.kam:
        errors["manager"] = _("Only key-account managers have a manager.")
        return None
    row = await (
        User.select(User.id)
        .where(User.uuid == manager_uuid, User.role == Role.kam, User.is_active == True)  # noqa: E712
        .first()
    )
    if row is None or row["id"] == user_id:
        errors["manager"] = _("The manager must be another key-account manager.")
        return None
    return int(row["id"])


def _role_fits(role: Role, organisation_kind: str) -> bool:
    return role in access.ROLES_FOR_KIND.get(organisation_kind, frozenset())


class Invitee(Record, frozen=True):
    """Who a set-password link goes to."""

    id: int
    email: str
    display_name: str
    locale: str
    time_zone: str


async def _enqueue_invitation(
    settings: Settings,
    user: Invitee,
    organisation_name: str,
    inviter: Viewer | None,
    token: str,
    renewed: bool = False,
) -> None:
    """Queue the set-password link as an e-mail to the user, in their language.

    Call inside the transaction that creates the invitation, so the mail goes out
    if and only if the link exists.
    """
    locale = mail_locale(user.locale, settings)
    time_zone = user.time_zone or settings.default_time_zone
    rendered = render_email(
        "invitation",
        {
            "name": user.display_name,
            "inviter": inviter.display_name if inviter else "",
            "organisation": organisation_name,
            "link": services.invitation_link(settings, token),
            "expires_at": utcnow() + timedelta(hours=settings.invitation_hours),
            "renewed": renewed,
            "time_zone": time_zone,
        },
        locale,
        time_zone,
    )
    await enqueue_email(
        kind="invitation",
        recipient=user.email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        locale=locale,
        user_id=user.id,
    )


@dataclass
class InviteResult:
    errors: Errors = field(default_factory=dict)
    user_uuid: UUID | None = None
    link: str = ""
    email: str = ""
    display_name: str = ""


@access.system_query("e-mail addresses are unique across organisations")
async def invite_user(settings: Settings, viewer: Viewer, data: InviteInput) -> InviteResult:
    """Create a user without a password and a one-time set-password link for them.

    The organisation is fetched through access.py (404 if invisible, 403 unless the
    viewer may invite there); the role must fit its kind. User, invitation and audit
    entry and the invitation e-mail (in the invitee's language) are written in one
    transaction; the link is also returned to show on screen.
    """
    organisation = await access.get_organisation(viewer, data.organisation_uuid, Action.invite_user)
    errors: Errors = {}
    if data.role not in access.assignable_roles(viewer, organisation.kind):
        errors["role"] = _("This role does not fit an organisation of this kind.")
    manager_id = await _manager_id(data.role, data.manager_uuid, errors)
    if errors:
        return InviteResult(errors=errors)
    is_org_admin = data.is_org_admin and organisation.kind != OrganisationKind.brand
    async with write_transaction():
        if await User.exists().where(User.email == data.email):
            return InviteResult(errors={"email": _("A user with this e-mail already exists.")})
        created = (
            await User.insert(
                User(
                    email=data.email,
                    display_name=data.display_name,
                    role=data.role,
                    organisation=organisation.id,
                    is_org_admin=is_org_admin,
                    manager=manager_id,
                    locale=data.locale,
                    time_zone=data.time_zone,
                    created_at=utcnow(),
                )
            )
            .returning(User.id, User.uuid)
            .run()
        )
        user_id, user_uuid = created[0]["id"], created[0]["uuid"]
        token = await services.create_invitation(settings, user_id, viewer)
        await _enqueue_invitation(
            settings,
            Invitee(
                id=user_id,
                email=data.email,
                display_name=data.display_name,
                locale=data.locale,
                time_zone=data.time_zone,
            ),
            organisation.legal_name,
            viewer,
            token,
        )
        await audit_log.record(
            viewer,
            entity_kind="user",
            entity_uuid=user_uuid,
            organisation_id=organisation.id,
            action="invite",
            changes=audit_log.changes_between(
                {},
                {
                    "email": data.email,
                    "display_name": data.display_name,
                    "role": data.role,
                    "is_org_admin": is_org_admin,
                },
            ),
            summary=data.email,
        )
    return InviteResult(
        user_uuid=user_uuid,
        link=services.invitation_link(settings, token),
        email=data.email,
        display_name=data.display_name,
    )


@access.checked_by_caller("get_user found the user just before")
async def user_details(viewer: Viewer, user_uuid: UUID) -> dict[str, Any]:
    """One user the viewer manages (404 if invisible, 403 if they may not manage them)."""
    await access.get_user(viewer, user_uuid, people_action(viewer))
    row = await User.select(*_user_columns()).where(User.uuid == user_uuid).first()
    assert row is not None  # get_user found it a moment ago; users are never deleted here
    return _public(row)


async def reissue_link(settings: Settings, viewer: Viewer, user_uuid: UUID) -> str:
    """A new one-time set-password link for a user, also queued as an e-mail to them;
    earlier unused links stop working."""
    user = await access.get_user(viewer, user_uuid, people_action(viewer))
    organisation = await (
        Organisation.select(Organisation.legal_name)
        .where(Organisation.id == user.organisation)
        .first()
    )
    async with write_transaction():
        # Marking the older links used (rather than deleting them) keeps the history.
        await Invitation.update({Invitation.used_at: utcnow()}).where(
            Invitation.user == user.id, Invitation.used_at.is_null()
        )
        token = await services.create_invitation(settings, user.id, viewer)
        await _enqueue_invitation(
            settings,
            Invitee(
                id=user.id,
                email=user.email,
                display_name=user.display_name,
                locale=user.locale,
                time_zone=user.time_zone,
            ),
            organisation["legal_name"] if organisation else "",
            viewer,
            token,
            renewed=True,
        )
        await audit_log.record(
            viewer,
            entity_kind="user",
            entity_uuid=user_uuid,
            organisation_id=user.organisation,
            action="new_link",
            summary=user.email,
        )
    return services.invitation_link(settings, token)


async def set_active(viewer: Viewer, user_uuid: UUID, active: bool) -> str | None:
    """Deactivate (ending every session, revoking every API token) or reactivate a user;
    an error message or None."""
    user = await access.get_user(viewer, user_uuid, people_action(viewer))
    if user.id == viewer.user_id:
        return _("You cannot deactivate your own account.")
    async with write_transaction():
        changed = await (
            User.update({User.is_active: active, User.version: User.version + 1})
            .where(User.id == user.id, User.is_active == (not active))
            .returning(User.id)
        )
        if not changed:
            return None
        ended = {} if active else await services.end_sign_ins(user.id)
        await audit_log.record(
            viewer,
            entity_kind="user",
            entity_uuid=user_uuid,
            organisation_id=user.organisation,
            action="reactivate" if active else "deactivate",
            changes={"is_active": [not active, active], **ended},
            summary=user.email,
        )
    session_cache.forget_user(user.id)
    return None


@dataclass
class EditResult:
    errors: Errors = field(default_factory=dict)
    conflict: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflict


async def edit_user(viewer: Viewer, user_uuid: UUID, data: EditUserInput) -> EditResult:
    """Change a user's role, manager and organisation-admin flag (brand administrators).

    Optimistic locking: the update applies only to the version the form was loaded
    with; otherwise the result names the fields someone else changed meanwhile.
    """
    user = await access.get_user(viewer, user_uuid, Action.manage_users)
    organisation = await (
        Organisation.select(Organisation.kind).where(Organisation.id == user.organisation).first()
    )
    kind = organisation["kind"] if organisation else ""
    errors: Errors = {}
    if not _role_fits(data.role, kind):
        errors["role"] = _("This role does not fit an organisation of this kind.")
    elif user.id == viewer.user_id and data.role != user.role:
        errors["role"] = _("You cannot change your own role.")
    manager_id = await _manager_id(data.role, data.manager_uuid, errors, user.id)
    if errors:
        return EditResult(errors=errors)
    is_org_admin = data.is_org_admin and kind != OrganisationKind.brand
    if data.role != Role.kam:
        manager_id = None
    before = await _editable(user.id)
    async with write_transaction():
        updated = await update_if_version(
            User,
            user.id,
            data.version,
            {User.role: data.role, User.is_org_admin: is_org_admin, User.manager: manager_id},
        )
        if updated is None:
            changed = [
                name
                for name, (mine, theirs) in {
                    "role": (data.role, before["role"]),
                    "is_org_admin": (is_org_admin, before["is_org_admin"]),
                    "manager": (manager_id, before["manager_id"]),
                }.items()
                if str(mine) != str(theirs)
            ]
            return EditResult(conflict=changed or ["version"])
        after = await _editable(user.id)
        changes = audit_log.changes_between(
            {k: v for k, v in before.items() if k != "manager_id"},
            {k: v for k, v in after.items() if k != "manager_id"},
        )
        await audit_log.record(
            viewer,
            entity_kind="user",
            entity_uuid=user_uuid,
            organisation_id=user.organisation,
            action="update",
            changes=changes,
            summary=user.email,
        )
    session_cache.forget_user(user.id)
    return EditResult()


@access.checked_by_caller("the user comes from get_user")
async def _editable(user_id: int) -> dict[str, Any]:
    row = await (
        User.select(
            User.role,
            User.is_org_admin,
            User.manager.as_alias("manager_id"),
            User.manager._.email.as_alias("manager"),
        )
        .where(User.id == user_id)
        .first()
    )
    assert row is not None
    return row


@access.checked_by_caller("the viewer's own account")
async def my_account(viewer: Viewer) -> dict[str, Any]:
    """The signed-in user's own profile, with their organisation."""
    row = await User.select(*_user_columns()).where(User.id == viewer.user_id).first()
    assert row is not None  # the viewer was loaded from this row for this request
    return _public(row)


@access.checked_by_caller("the viewer's own account")
async def update_preferences(viewer: Viewer, data: PreferencesInput) -> None:
    """Save the viewer's language ("" follows the browser) and time zone."""
    async with write_transaction():
        before = await (
            User.select(User.locale, User.time_zone).where(User.id == viewer.user_id).first()
        )
        after = {"locale": data.locale, "time_zone": data.time_zone}
        changes = audit_log.changes_between(before or {}, after)
        if not changes:
            return
        await User.update(
            {
                User.locale: data.locale,
                User.time_zone: data.time_zone,
                User.version: User.version + 1,
            }
        ).where(User.id == viewer.user_id)
        await audit_log.record(
            viewer,
            entity_kind="user",
            entity_uuid=viewer.user_uuid,
            organisation_id=viewer.organisation_id,
            action="update",
            changes=changes,
            summary=viewer.email,
        )
    session_cache.forget_user(viewer.user_id)


@access.system_query("threadline create-user: any organisation, by name or UUID")
async def _cli_organisation(role: Role, organisation: str) -> dict[str, Any]:
    columns = (Organisation.id, Organisation.legal_name, Organisation.kind)
    organisation = organisation.strip()
    if not organisation:
        if role not in access.BRAND_ROLES:
            raise ValueError(f"--organisation is required for the role {role.value}")
        brand = await (
            Organisation.select(*columns)
            .where(Organisation.kind == OrganisationKind.brand)
            .order_by(Organisation.id)
            .first()
        )
        if brand is None:
            raise ValueError(
                "there is no brand organisation yet: run `threadline demo-data` "
                "or create the brand first"
            )
        return brand
    try:
        condition = Organisation.uuid == UUID(organisation)
    except ValueError:
        condition = Organisation.legal_name == organisation
    rows = await Organisation.select(*columns).where(condition).limit(2)
    if not rows:
        raise ValueError(f"no organisation with the legal name or UUID {organisation!r}")
    if len(rows) > 1:
        raise ValueError(f"several organisations are called {organisation!r}; give its UUID")
    return rows[0]


@access.system_query("threadline create-user: e-mail addresses are unique everywhere")
async def create_user_from_cli(
    email: str, display_name: str, role: str, organisation: str, password: str
) -> str:
    """Create a user for ``threadline create-user``; the message to print.

    With a password the account is ready at once; without one the message holds a
    one-time set-password link. Raises ValueError with a clear message on bad input.
    """
    settings = current_settings()
    errors: Errors = {}
    email = parse_email(email, errors)
    if errors:
        raise ValueError(f"not a usable e-mail address: {email!r}")
    display_name = display_name.strip()
    if not display_name or len(display_name) > 120:
        raise ValueError("the name must be 1 to 120 characters")
    try:
        user_role = Role(role.strip())
    except ValueError:
        raise ValueError(
            f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}"
        ) from None
    if password:
        problem = services.password_problem(password, password)
        if problem:
            raise ValueError(problem)
    org = await _cli_organisation(user_role, organisation)
    if not _role_fits(user_role, org["kind"]):
        fitting = ", ".join(sorted(access.ROLES_FOR_KIND.get(org["kind"], frozenset())))
        raise ValueError(
            f"the role {user_role.value} does not fit {org['legal_name']} "
            f"(a {org['kind']}); fitting roles: {fitting}"
        )
    async with write_transaction():
        if await User.exists().where(User.email == email):
            raise ValueError(f"a user with the e-mail {email} already exists")
        created = (
            await User.insert(
                User(
                    email=email,
                    display_name=display_name,
                    password_hash=services.hash_password(password) if password else "",
                    role=user_role,
                    organisation=org["id"],
                    is_org_admin=org["kind"] != OrganisationKind.brand,
                    time_zone=settings.default_time_zone,
                    created_at=utcnow(),
                )
            )
            .returning(User.id, User.uuid)
            .run()
        )
        token = (
            "" if password else await services.create_invitation(settings, created[0]["id"], None)
        )
        if token:
            await _enqueue_invitation(
                settings,
                Invitee(
                    id=created[0]["id"],
                    email=email,
                    display_name=display_name,
                    locale="",
                    time_zone=settings.default_time_zone,
                ),
                org["legal_name"],
                None,
                token,
            )
        await audit_log.record(
            None,
            entity_kind="user",
            entity_uuid=created[0]["uuid"],
            organisation_id=org["id"],
            action="create",
            changes={"email": [None, email], "role": [None, user_role.value]},
            summary="threadline create-user",
        )
    who = f"{display_name} <{email}> ({user_role.value}, {org['legal_name']})"
    if password:
        return f"Created {who}. They can sign in with the given password."
    return (
        f"Created {who}. Send them this one-time link to choose a password "
        f"(valid {settings.invitation_hours} hours): {services.invitation_link(settings, token)}\n"
        "It is also queued as an e-mail to them (`threadline send-mail` delivers it)."
    )
