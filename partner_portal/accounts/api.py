"""JSON API (/api/v1/users) for the people who manage user accounts, with the rules of the
Users page (accounts/users.py): a brand administrator sees every organisation's users, a
partner organisation's admin those of their own organisation, anyone else is refused
(403); a user outside what the caller manages is not found (404)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import FromPath, QueryParameter

from partner_portal import api
from partner_portal.accounts import users
from partner_portal.accounts.forms import parse_user_filters
from partner_portal.web import CurrentViewer

API = "/api/v1/users"


class User(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    role: str
    organisation: UUID
    organisation_name: str
    # May invite and manage the users of their own (partner) organisation.
    is_org_admin: bool
    # "active", "invited" (no password set yet) or "deactivated", as the Users page says.
    status: str
    locale: str
    time_zone: str
    # A key-account manager's manager.
    manager: UUID | None
    last_login_at: datetime | None
    created_at: datetime
    version: int


class UserList(msgspec.Struct):
    items: list[User]
    # Pass as ?cursor= for the next users; null on the last page.
    next_cursor: str | None


def _user(row: dict[str, Any]) -> User:
    if not row["is_active"]:
        status = "deactivated"
    elif not row["has_password"]:
        status = "invited"
    else:
        status = "active"
    return User(
        id=row["uuid"],
        email=row["email"],
        display_name=row["display_name"],
        role=row["role"],
        organisation=row["organisation_uuid"],
        organisation_name=row["organisation_name"],
        is_org_admin=bool(row["is_org_admin"]),
        status=status,
        locale=row["locale"],
        time_zone=row["time_zone"],
        manager=row["manager_uuid"],
        last_login_at=api.timestamp(row["last_login_at"]) if row["last_login_at"] else None,
        created_at=api.timestamp(row["created_at"]),
        version=row["version"],
    )


@api.get(API, tags=["users"])
async def api_users(
    viewer: CurrentViewer,
    organisation: Annotated[
        str, QueryParameter(max_length=40, description="An organisation's id (brand admins).")
    ] = "",
    role: Annotated[str, QueryParameter(max_length=40)] = "",
    active: Annotated[
        str, QueryParameter(max_length=1, description="1: active only; 0: deactivated only.")
    ] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> UserList:
    """The users you manage, by name; filters as on the Users page."""
    position = api.decode_cursor(cursor, (str, int))
    filters = parse_user_filters({"organisation": organisation, "role": role, "active": active})
    rows = await users.users_after(
        viewer, filters, (position[0], position[1]) if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row["display_name"], row["id"]])
    return UserList(items=[_user(row) for row in shown], next_cursor=next_cursor)


@api.get(f"{API}/{{user_id:uuid}}", tags=["users"])
async def api_user(viewer: CurrentViewer, user_id: FromPath[UUID]) -> User:
    return _user(await users.user_details(viewer, user_id))


user_api_routes = [api_users, api_user]
