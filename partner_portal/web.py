"""Request plumbing shared by every module: who is asking, in which language,
rendering a page or its htmx partial, and turning errors into pages or JSON."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from partner_portal import access, i18n
from partner_portal.accounts import services as accounts
from partner_portal.settings import Settings

logger = logging.getLogger("threadline")

SESSION_COOKIE = "threadline_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else ""


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


class AuthenticationMiddleware(ASGIMiddleware):
    """Puts the signed-in Viewer (or None) on ``request.user`` and sets the request's locale.

    Pages sign in with the session cookie. The JSON API takes a bearer token; it accepts
    the session cookie only for reading, because the API is exempt from CSRF checks.
    """

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        settings: Settings = scope["litestar_app"].state.settings
        address = client_address(connection)
        viewer: access.Viewer | None = None
        authorization = connection.headers.get("authorization", "")
        if authorization.lower().startswith("bearer ") and is_api_path(scope["path"]):
            viewer = await accounts.viewer_for_api_token(authorization[7:].strip(), address)
        else:
            session_token = connection.cookies.get(SESSION_COOKIE)
            cookie_allowed = (
                not is_api_path(scope["path"]) or connection.scope.get("method") in SAFE_METHODS
            )
            if session_token and cookie_allowed:
                viewer = await accounts.viewer_for_session(session_token, address)
        scope["user"] = viewer
        scope["auth"] = None
        locale = (viewer.locale if viewer else "") or i18n.negotiate_locale(
            connection.headers.get("accept-language"), settings.default_locale
        )
        locale_token = i18n.current_locale.set(locale)
        region_token = i18n.current_region_locale.set(
            i18n.regional_format_locale(connection.headers.get("accept-language"), locale)
        )
        zone_token = i18n.current_time_zone.set(
            viewer.time_zone if viewer else settings.default_time_zone
        )
        try:
            await next_app(scope, receive, send)
        finally:
            i18n.current_locale.reset(locale_token)
            i18n.current_region_locale.reset(region_token)
            i18n.current_time_zone.reset(zone_token)


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def add_security_headers(message: Message, scope: Scope) -> None:
    """No framing (click-jacking), no MIME sniffing, no full URLs leaked to other sites."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers") or [])
        headers.extend(SECURITY_HEADERS)
        message["headers"] = headers


def require_viewer(request: Request[Any, Any, Any]) -> access.Viewer:
    """Dependency ``viewer``: the signed-in user, or 401 (a redirect to the log-in page)."""
    viewer = request.scope.get("user")
    if viewer is None:
        raise NotAuthorizedException("Please sign in.")
    return viewer  # type: ignore[no-any-return]


# The handler parameter for the signed-in user: `viewer: CurrentViewer`.
CurrentViewer = NamedDependency[access.Viewer]


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
) -> Template:
    """The full page, or only ``partial`` when htmx asks; such responses vary on HX-Request."""
    name = partial if partial and is_htmx(request) else template
    headers = {"Vary": "HX-Request"} if partial else {}
    return Template(
        template_name=name,
        context={"viewer": request.scope.get("user"), "Action": access.Action, **(context or {})},
        status_code=status_code,
        headers=headers,
    )


async def uploaded_file(request: Request[Any, Any, Any]) -> tuple[dict[str, Any], bytes | None]:
    """The fields of a multipart form and the bytes of its ``file`` field (None if none sent)."""
    form = await request.form()
    upload = form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else None
    return dict(form), content


def redirect_after_post(request: Request[Any, Any, Any], location: str) -> Response[Any]:
    """After a successful form post: htmx follows HX-Redirect, a plain form a 303."""
    if is_htmx(request):
        return Response(content=None, status_code=204, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return is_api_path(request.url.path) or request.url.path in ("/healthz", "/readyz")


def http_exception_handler(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    if _wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": error.detail}
        if getattr(error, "extra", None):
            body["extra"] = error.extra
        return Response(content=body, status_code=status, headers=getattr(error, "headers", None))
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={quote(target)}"
        if is_htmx(request):
            return Response(content=None, status_code=204, headers={"HX-Redirect": location})
        return Redirect(path=location, status_code=303)
    return render(
        request,
        "errors/error.html",
        {"status_code": status, "detail": error.detail},
        status_code=status,
    )


def internal_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    if _wants_json(request):
        return Response(
            content={"status_code": 500, "detail": "Internal server error"}, status_code=500
        )
    return render(request, "errors/error.html", {"status_code": 500, "detail": ""}, status_code=500)
