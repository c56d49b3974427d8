"""Sign-in pages: log in and out, set a password from an invitation."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from partner_portal.accounts import services
from partner_portal.i18n import gettext as _
from partner_portal.web import SESSION_COOKIE, client_address, render

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    """Only follow a local path after log-in, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@get("/login", include_in_schema=False)
async def login_page(
    request: Request[Any, Any, Any], next: FromQuery[str | None] = None
) -> Template | Redirect:
    if request.user is not None:
        return Redirect(path=_safe_next(next))
    return render(
        request, "accounts/login.html", {"next": _safe_next(next), "email": "", "error": None}
    )


@post("/login", include_in_schema=False)
async def login_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    settings = request.app.state.settings
    email = data.get("email", "")
    result = await services.log_in(
        settings,
        email=email,
        password=data.get("password", ""),
        ip_address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
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
    return response


@post("/logout", include_in_schema=False)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await services.log_out(token)
    response = Redirect(path="/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@get("/set-password/{token:str}", include_in_schema=False)
async def set_password_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    invited = await services.invitation_user(token)
    if invited is None:
        return render(request, "accounts/invitation_invalid.html", status_code=404)
    return render(
        request, "accounts/set_password.html", {"invited": invited, "token": token, "error": None}
    )


@post("/set-password/{token:str}", include_in_schema=False)
async def set_password_submit(
    request: Request[Any, Any, Any], token: FromPath[str], data: Form
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


account_routes = [login_page, login_submit, logout, set_password_page, set_password_submit]
