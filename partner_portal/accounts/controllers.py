"""Sign-in pages (log in and out, set a password from an invitation), user
management (/users) and the signed-in user's own account (/account)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from partner_portal import access, i18n
from partner_portal.access import Action, Viewer
from partner_portal.accounts import forms, services, users
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import Role
from partner_portal.registries import NavEntry
from partner_portal.settings import SUPPORTED_LOCALES
from partner_portal.web import (
    SESSION_COOKIE,
    CurrentViewer,
    client_address,
    local_path,
    redirect_after_post,
    render,
)

# Marks a browser an account signed in from, which then gets its own allowance of log-in
# attempts (services.log_in); it signs nobody in.
KNOWN_DEVICE_COOKIE = "threadline_device"
KNOWN_DEVICE_DAYS = 365
LANGUAGE_COOKIE_DAYS = 365

# The signed-in user (web.require_viewer: 401 -> the log-in page).


def _safe_next(target: str | None) -> str:
    """Only follow a local path after log-in, never another site."""
    return local_path(target) or "/"


@get("/login", include_in_schema=False)
async def login_page(
    request: AnyRequest, next: FromQuery[str | None] = None
) -> Template | Redirect:
    if request.user is not None:
        return Redirect(path=_safe_next(next))
    return render(
        request, "accounts/login.html", {"next": _safe_next(next), "email": "", "error": None}
    )


@get("/language/{locale:str}", include_in_schema=False)
async def choose_language(
    request: AnyRequest, locale: FromPath[str], next: FromQuery[str | None] = None
) -> Redirect:
    """Read the portal in this language on this browser until signed in (a signed-in user's
    own setting on the account page wins), then go back to the page the reader was on."""
    if not i18n.chosen_locale(locale):
        raise NotFoundException("No such language.")
    response = Redirect(path=_safe_next(next), status_code=303)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        locale,
        max_age=LANGUAGE_COOKIE_DAYS * 86400,
        secure=request.app.state.settings.secure_cookies,
        samesite="lax",
    )
    return response


@post("/login", include_in_schema=False)
async def login_submit(request: AnyRequest, data: Form) -> Response[Any]:
    settings = request.app.state.settings
    email = data.get("email", "")
    result = await services.log_in(
        settings,
        email=email,
        password=data.get("password", ""),
        ip_address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
        known_device=request.cookies.get(KNOWN_DEVICE_COOKIE, ""),
    )
    next_path = _safe_next(data.get("next"))
    if result.session_token is None:
        return render(
            request,
            "accounts/login.html",
            {"next": next_path, "email": email, "error": result.error},
            status_code=400,
        )
    response = Redirect(path=next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        max_age=settings.session_days * 86400,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        result.known_device,
        max_age=KNOWN_DEVICE_DAYS * 86400,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )
    return response


@post("/logout", include_in_schema=False)
async def logout(request: AnyRequest) -> Redirect:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await services.log_out(token)
    response = Redirect(path="/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@get("/set-password/{token:str}", include_in_schema=False)
async def set_password_page(request: AnyRequest, token: FromPath[str]) -> Template:
    invited = await services.invitation_user(token)
    if invited is None:
        return render(request, "accounts/invitation_invalid.html", status_code=404)
    return render(
        request, "accounts/set_password.html", {"invited": invited, "token": token, "error": None}
    )


@post("/set-password/{token:str}", include_in_schema=False)
async def set_password_submit(
    request: AnyRequest, token: FromPath[str], data: Form
) -> Response[Any]:
    invited = await services.invitation_user(token)
    if invited is None:
        return render(request, "accounts/invitation_invalid.html", status_code=404)
    problem = services.password_problem(data.get("password", ""), data.get("confirmation", ""))
    if problem is None and not await services.accept_invitation(token, data.get("password", "")):
        problem = _("This link has already been used or has expired.")
    if problem:
        return render(
            request,
            "accounts/set_password.html",
            {"invited": invited, "token": token, "error": problem},
            status_code=400,
        )
    return Redirect(path="/login?password_set=1", status_code=303)


# --- user management -------------------------------------------------------------

USER_LIST = "users"
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Ho_Chi_Minh",
    "Asia/Bangkok",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "UTC",
)


def _filters_query(filters: forms.UserFilters) -> str:
    pairs = {
        "organisation": str(filters.organisation_uuid or ""),
        "role": filters.role,
        "active": filters.active,
    }
    return urlencode({key: value for key, value in pairs.items() if value})


@get("/users", include_in_schema=False)
async def users_page(
    request: AnyRequest, viewer: CurrentViewer, clear: FromQuery[str] = ""
) -> Response[Any]:
    users.require_people_manager(viewer)
    params = {key: value for key, value in request.query_params.items() if key != "clear"}
    filters = forms.parse_user_filters(params)
    if clear:
        await services.remember_filters(viewer, USER_LIST, "")
    elif not params:
        saved = await services.saved_filters(viewer, USER_LIST)
        if saved:
            return Redirect(path=f"/users?{saved}")
    else:
        await services.remember_filters(viewer, USER_LIST, _filters_query(filters))
    is_brand_admin = viewer.can(Action.manage_users)
    return render(
        request,
        "accounts/users.html",
        {
            "users": await users.list_users(viewer, filters),
            "filters": filters,
            "organisations": await users.organisation_choices(viewer) if is_brand_admin else [],
            "roles": list(Role),
            "limit": users.USER_LIST_LIMIT,
        },
        partial="accounts/_user_rows.html",
    )


async def _invite_context(
    viewer: Viewer, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    organisations = await users.organisation_choices(viewer)
    kinds = {row["kind"] for row in organisations}
    roles = [
        role
        for role in Role
        if any(role in access.ROLES_FOR_KIND.get(kind, frozenset()) for kind in kinds)
    ]
    return {
        "organisations": organisations,
        "roles": roles,
        "managers": await users.kam_choices() if viewer.can(Action.manage_users) else [],
        "locales": SUPPORTED_LOCALES,
        "time_zones": COMMON_TIME_ZONES,
        "values": values,
        "errors": errors,
    }


@get("/users/invite", include_in_schema=False)
async def invite_page(
    request: AnyRequest, viewer: CurrentViewer, organisation: FromQuery[str] = ""
) -> Template:
    users.require_people_manager(viewer)
    context = await _invite_context(viewer, {}, {})
    choices = context["organisations"]
    chosen = organisation or (str(choices[0]["uuid"]) if len(choices) == 1 else "")
    context["values"] = {
        "organisation": chosen,
        "time_zone": request.app.state.settings.default_time_zone,
    }
    return render(request, "accounts/invite.html", context)


@post("/users/invite", include_in_schema=False)
async def invite_submit(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Template:
    users.require_people_manager(viewer)
    parsed, errors = forms.parse_invite(data)
    if parsed is not None:
        result = await users.invite_user(request.app.state.settings, viewer, parsed)
        errors = result.errors
        if not errors:
            return render(request, "accounts/invited.html", {"result": result})
    context = await _invite_context(viewer, dict(data), errors)
    return render(request, "accounts/invite.html", context, status_code=400)


def _user_page(
    request: AnyRequest,
    viewer: Viewer,
    user: dict[str, Any],
    *,
    error: str | None = None,
    link: str | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "accounts/user.html",
        {
            "user": user,
            "error": error,
            "link": link,
            "is_self": user["id"] == viewer.user_id,
            "can_edit": viewer.can(Action.manage_users),
        },
        status_code=status_code,
    )


@get("/users/{user_id:uuid}", include_in_schema=False)
async def user_page(
    request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[UUID]
) -> Template:
    user = await users.user_details(viewer, user_id)
    return _user_page(request, viewer, user)


@post("/users/{user_id:uuid}/deactivate", include_in_schema=False)
async def deactivate_user(
    request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[UUID]
) -> Response[Any]:
    error = await users.set_active(viewer, user_id, active=False)
    if error:
        user = await users.user_details(viewer, user_id)
        return _user_page(request, viewer, user, error=error, status_code=400)
    return redirect_after_post(request, f"/users/{user_id}")


@post("/users/{user_id:uuid}/reactivate", include_in_schema=False)
async def reactivate_user(
    request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[UUID]
) -> Response[Any]:
    error = await users.set_active(viewer, user_id, active=True)
    if error:
        user = await users.user_details(viewer, user_id)
        return _user_page(request, viewer, user, error=error, status_code=400)
    return redirect_after_post(request, f"/users/{user_id}")


@post("/users/{user_id:uuid}/new-link", include_in_schema=False)
async def new_link(request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[UUID]) -> Template:
    link = await users.reissue_link(request.app.state.settings, viewer, user_id)
    user = await users.user_details(viewer, user_id)
    return _user_page(request, viewer, user, link=link)


async def _edit_context(
    viewer: Viewer,
    user: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    conflict: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "user": user,
        "roles": list(access.assignable_roles(viewer, user["organisation_kind"])),
        "managers": await users.kam_choices(exclude_user_id=user["id"]),
        "values": values,
        "errors": errors,
        "conflict": conflict or [],
    }


def _edit_values(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": user["role"],
        "manager": str(user["manager_uuid"] or ""),
        "is_org_admin": "1" if user["is_org_admin"] else "",
        "version": str(user["version"]),
    }


async def _editable_user(viewer: Viewer, user_id: UUID) -> dict[str, Any]:
    """A user whose role the viewer may edit: 404 unless visible, then 403 unless brand admin."""
    await access.get_user(viewer, user_id, Action.manage_users)
    return await users.user_details(viewer, user_id)


@get("/users/{user_id:uuid}/edit", include_in_schema=False)
async def edit_user_page(
    request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[UUID]
) -> Template:
    user = await _editable_user(viewer, user_id)
    context = await _edit_context(viewer, user, _edit_values(user), {})
    return render(request, "accounts/user_edit.html", context)


@post("/users/{user_id:uuid}/edit", include_in_schema=False)
async def edit_user_submit(
    request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[UUID], data: Form
) -> Response[Any]:
    user = await _editable_user(viewer, user_id)
    parsed, errors = forms.parse_edit_user(data)
    conflict: list[str] = []
    if parsed is not None:
        result = await users.edit_user(viewer, user_id, parsed)
        if result.ok:
            return redirect_after_post(request, f"/users/{user_id}")
        errors, conflict = result.errors, result.conflict
    values = dict(data)
    if conflict:
        # Show what is stored now, so the second writer sees the other change.
        user = await users.user_details(viewer, user_id)
        values = _edit_values(user)
    context = await _edit_context(viewer, user, values, errors, conflict)
    return render(request, "accounts/user_edit.html", context, status_code=409 if conflict else 400)


# --- my account --------------------------------------------------------------------


async def _account_page(
    request: AnyRequest,
    viewer: Viewer,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    me = await users.my_account(viewer)
    return render(
        request,
        "accounts/account.html",
        {
            "me": me,
            "values": values or {"locale": me["locale"], "time_zone": me["time_zone"]},
            "errors": errors or {},
            "locales": SUPPORTED_LOCALES,
            "time_zones": COMMON_TIME_ZONES,
        },
        status_code=status_code,
    )


@get("/account", include_in_schema=False)
async def account_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return await _account_page(request, viewer)


@post("/account/preferences", include_in_schema=False)
async def preferences_submit(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    parsed, errors = forms.parse_preferences(data)
    if parsed is None:
        return await _account_page(
            request, viewer, values=dict(data), errors=errors, status_code=400
        )
    await users.update_preferences(viewer, parsed)
    return redirect_after_post(request, "/account?saved=1")


@get("/account/password", include_in_schema=False)
async def password_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return render(request, "accounts/password.html", {"errors": {}})


@post("/account/password", include_in_schema=False)
async def password_submit(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    parsed, errors = forms.parse_password_change(data)
    if parsed is not None:
        problem = await services.change_password(
            viewer,
            parsed.current,
            parsed.new,
            parsed.confirmation,
            keep_session_token=request.cookies.get(SESSION_COOKIE),
        )
        if problem is None:
            return redirect_after_post(request, "/account?password_changed=1")
        wrong_current = problem == _("The current password is wrong.")
        errors = {"current" if wrong_current else "password": problem}
    return render(request, "accounts/password.html", {"errors": errors}, status_code=400)


async def _tokens_page(
    request: AnyRequest,
    viewer: Viewer,
    *,
    new_token: str | None = None,
    name: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": await services.list_api_tokens(viewer),
            "new_token": new_token,
            "name": name,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@get("/account/tokens", include_in_schema=False)
async def tokens_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return await _tokens_page(request, viewer)


@post("/account/tokens", include_in_schema=False)
async def token_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Template:
    name, errors = forms.parse_token_name(data)
    if name is None:
        return await _tokens_page(
            request, viewer, name=data.get("name", ""), errors=errors, status_code=400
        )
    token = await services.create_api_token(viewer, name)
    # The plain token is shown on this response only; it is stored hashed.
    return await _tokens_page(request, viewer, new_token=token, name=name)


@post("/account/tokens/{token_id:uuid}/revoke", include_in_schema=False)
async def token_revoke(
    request: AnyRequest, viewer: CurrentViewer, token_id: FromPath[UUID]
) -> Response[Any]:
    if not await services.revoke_api_token(viewer, token_id):
        raise NotFoundException("No such token.")
    return redirect_after_post(request, "/account/tokens?revoked=1")


account_routes = [
    login_page,
    choose_language,
    login_submit,
    logout,
    set_password_page,
    set_password_submit,
    users_page,
    invite_page,
    invite_submit,
    user_page,
    deactivate_user,
    reactivate_user,
    new_link,
    edit_user_page,
    edit_user_submit,
    account_page,
    preferences_submit,
    password_page,
    password_submit,
    tokens_page,
    token_create,
    token_revoke,
]

users_navigation = NavEntry(
    key="users",
    order=110,
    label=N_("Users"),
    path="/users",
    actions=(Action.invite_user, Action.manage_users),
)
