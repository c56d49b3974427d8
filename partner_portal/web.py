"""Request plumbing shared by every module: who is asking, in which language,
rendering a page or its htmx partial, and turning errors into pages or JSON."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, HTTPException, NotAuthorizedException
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect, Stream, Template
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from partner_portal import access, api, i18n, inputs, spreadsheets
from partner_portal.accounts import services as accounts
from partner_portal.handler_types import AnyRequest
from partner_portal.i18n import gettext as _
from partner_portal.registries import registry
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
        tokens = await identify_reader(scope)
        await next_app(scope, receive, send)
        # Reset only after a normal answer: an error raised by a later middleware (the request
        # guard's 413, say) is rendered by Litestar's outer exception handler after this returns,
        # and its page must still speak the reader's language. The next request sets all three.
        i18n.current_locale.reset(tokens[0])
        i18n.current_region_locale.reset(tokens[1])
        i18n.current_time_zone.reset(tokens[2])


async def identify_reader(scope: Scope) -> tuple[Any, Any, Any]:
    """Find the viewer (scope["user"]) and set the reader's language, regional formats and
    time zone; returns the context variables' tokens."""
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
    locale = (
        (viewer.locale if viewer else "")
        or i18n.chosen_locale(connection.cookies.get(i18n.LANGUAGE_COOKIE))
        or i18n.negotiate_locale(connection.headers.get("accept-language"), settings.default_locale)
    )
    return (
        i18n.current_locale.set(locale),
        i18n.current_region_locale.set(
            i18n.regional_format_locale(connection.headers.get("accept-language"), locale)
        ),
        i18n.current_time_zone.set(viewer.time_zone if viewer else settings.default_time_zone),
    )


async def identify_unrouted_reader(error: Exception, scope: Scope) -> None:
    """An address no route matches fails before any middleware runs: find the reader here
    (Litestar calls this before the error handler), so its 404 page speaks their language
    and shows their menu."""
    if scope.get("type") == "http" and "user" not in scope:
        await identify_reader(scope)


class RefusedInput(ClientException):
    """A request refused with a message for the person who sent it, already in their
    language (the error page and the API show ``detail``; the details of other HTTP errors
    are not for users). 400 unless given another status (413 too big, 503 too slow);
    ``extra`` may name the parameter."""


BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RequestGuard(ASGIMiddleware):
    """Refuses, before any handler runs, what would fail at the database rather than in a
    form's checks: a NUL byte in the path, the query string, a header or cookie, a form
    field (or an uploaded file's name) or a JSON string; an integer in a JSON body beyond
    64 bits (see partner_portal/inputs.py). Runs inside AuthenticationMiddleware, so the
    message is in the reader's language.

    The form and the body it reads stay cached on the request, so handlers read them again
    without reading the network twice.
    """

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: AnyRequest = Request(scope, receive)
        await refuse_unstorable_input(request)
        await next_app(scope, receive, send)


async def refuse_unstorable_input(request: AnyRequest) -> None:
    """Raise RefusedInput (400) for a NUL byte or an out-of-range JSON integer anywhere in
    the request. Raw bytes are looked at first: only those that may decode to a NUL are
    parsed to name the parameter, so a usual request costs a few substring searches."""
    scope = request.scope
    if "\x00" in scope["path"]:
        raise _nul_refused("path")
    if inputs.may_hold_nul(scope["query_string"]):
        _refuse_nul_in(request.query_params.multi_items())
    for name, value in scope["headers"]:
        if b"\x00" in value:
            raise _nul_refused(name.decode("latin-1"))
        if name == b"cookie" and inputs.may_hold_nul(value):
            _refuse_nul_in(request.cookies.items())
    if request.method not in BODY_METHODS:
        return
    content_type = request.content_type[0]
    if content_type == RequestEncodingType.MULTI_PART or (
        content_type == RequestEncodingType.URL_ENCODED
        and inputs.may_hold_nul(await request.body())
    ):
        form = await request.form()
        _refuse_nul_in(
            (name, value.filename if isinstance(value, UploadFile) else value)
            for name, value in form.multi_items()
        )
    elif content_type == "application/json" or content_type.endswith("+json"):
        _refuse_unstorable_json(await request.body())


def _refuse_nul_in(pairs: Iterable[tuple[str, Any]]) -> None:
    parameter = inputs.first_with_nul(pairs)
    if parameter is not None:
        raise _nul_refused(parameter)


def _refuse_unstorable_json(body: bytes) -> None:
    if not inputs.json_may_be_unstorable(body):
        return
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return  # the handler answers malformed JSON with its own 400
    if inputs.holds_nul(document):
        raise _nul_refused("body")
    if inputs.holds_huge_integer(document):
        raise RefusedInput(
            detail=_("A number in the request is too large to be stored."),
            extra={"parameter": "body", "problem": "integer beyond 64 bits"},
        )


def _nul_refused(parameter: str) -> RefusedInput:
    return RefusedInput(
        detail=_(
            "The request contains a NUL character, which cannot be stored. Remove it and try again."
        ),
        extra={"parameter": parameter, "problem": "NUL character"},
    )


# Pages run only the portal's own scripts and styles (static files: no inline <script>,
# no on...= handlers, no style="" attributes, no eval; htmx is told so in base.html), send
# forms only to the portal, and are framed by no one.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
).encode()
# No page needs the camera (photos are chosen with the file input), microphone, position...
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
).encode()
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", PERMISSIONS_POLICY),
    (b"content-security-policy", CONTENT_SECURITY_POLICY),
)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """No framing (click-jacking), no MIME sniffing, no full URLs leaked to other sites, no
    script but the portal's own, no camera or microphone. A response that sets one of these
    headers itself keeps its own (the contract PDF lets the contract page frame it).

    A coroutine although it never waits: Litestar runs a plain function given as a hook in
    its thread pool, a thread hop for every message of every response."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers") or [])
        names = {bytes(name).lower() for name, _value in headers}
        headers.extend(header for header in SECURITY_HEADERS if header[0] not in names)
        message["headers"] = headers


def require_viewer(request: AnyRequest) -> access.Viewer:
    """Dependency ``viewer``: the signed-in user, or 401 (a redirect to the log-in page)."""
    viewer = request.scope.get("user")
    if viewer is None:
        raise NotAuthorizedException("Please sign in.")
    return viewer  # type: ignore[no-any-return]


# The handler parameter for the signed-in user: `viewer: CurrentViewer`.
CurrentViewer = NamedDependency[access.Viewer]


def is_htmx(request: AnyRequest) -> bool:
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def render(
    request: AnyRequest,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
) -> Template:
    """The full page, or only ``partial`` when htmx asks; such responses vary on HX-Request."""
    name = partial if partial and is_htmx(request) else template
    headers = {"Vary": "HX-Request"} if partial else {}
    return Template(
        template_name=name,
        context={
            "viewer": request.scope.get("user"),
            "done_notice": notice_for(request),
            **(context or {}),
        },
        status_code=status_code,
        headers=headers,
    )


async def uploaded_file(request: AnyRequest) -> tuple[dict[str, Any], bytes | None]:
    """The fields of a multipart form and the bytes of its ``file`` field (None if none sent).

    Routes that take uploads set ``request_max_body_size=spreadsheets.UPLOAD_BYTES``: a
    larger body is refused (413) before it is read, with a page that states the limit."""
    form = await request.form()
    upload = form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else None
    return dict(form), content


def _refuse(refusal: spreadsheets.Refusal, status_code: int = 400) -> RefusedInput:
    return RefusedInput(detail=refusal.text(), status_code=status_code)


def csv_download(header: Sequence[str], rows: Sequence[Mapping[str, Any]], filename: str) -> Stream:
    """A CSV download (formula-safe, see partner_portal.spreadsheets), written and sent a
    hundred rows at a time so other requests are served in between."""
    refusal = spreadsheets.export_refusal(rows)
    if refusal is not None:
        raise _refuse(refusal)

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in spreadsheets.csv_chunks(header, rows):
            yield chunk.encode()
            await asyncio.sleep(0)  # the other requests' turn

    return Stream(chunks(), media_type=spreadsheets.CSV_MEDIA_TYPE, headers=_attachment(filename))


async def xlsx_download(
    header: Sequence[str], rows: Sequence[Mapping[str, Any]], filename: str, title: str = ""
) -> Response[bytes]:
    """An xlsx download (formula-safe), written in a worker process."""
    content = await spreadsheets.xlsx_file(header, rows, title)
    if isinstance(content, spreadsheets.Refusal):
        raise _refuse(content, 503 if content.message == spreadsheets.EXPORT_TOO_SLOW else 400)
    return Response(content, media_type=spreadsheets.XLSX_MEDIA_TYPE, headers=_attachment(filename))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def local_path(target: Any) -> str | None:
    """A path on this site to go to after a form (a ``next`` field), or None: never another
    site ("//host" and "/\\host" are other sites to a browser), never unbounded."""
    text = str(target or "")
    if text.startswith("/") and not text.startswith(("//", "/\\")) and len(text) <= 2000:
        return text
    return None


def redirect_after_post(request: AnyRequest, location: str, done: str = "") -> Response[Any]:
    """After a successful form post: htmx follows HX-Redirect, a plain form a 303. ``done``
    names the success message (a key of ``registry.notices``) the next page shows."""
    if done:
        location = with_notice(location, done)
    if is_htmx(request):
        return Response(content=None, status_code=204, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


def with_notice(location: str, key: str) -> str:
    """The address with ?done=<key> before its #fragment."""
    path, hash_mark, fragment = location.partition("#")
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}done={quote(key)}{hash_mark}{fragment}"


def notice_for(request: AnyRequest) -> str:
    """The success message a redirect asked this page to show, in the reader's language."""
    key = request.query_params.get("done", "")
    text = registry.notices.get(key) if key else None
    return i18n.gettext(text) if text else ""


def _wants_json(request: AnyRequest) -> bool:
    return request.url.path in ("/healthz", "/readyz")


def http_exception_handler(request: AnyRequest, error: HTTPException) -> Response[Any]:
    status = error.status_code
    if is_api_path(request.url.path):
        return api.problem_response(error)
    if _wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": error.detail}
        return Response(content=body, status_code=status, headers=getattr(error, "headers", None))
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={quote(target)}"
        if is_htmx(request):
            return Response(content=None, status_code=204, headers={"HX-Redirect": location})
        return Redirect(path=location, status_code=303)
    message = error.detail if isinstance(error, RefusedInput) else ""
    if status == 413:
        limit = request.route_handler.resolve_request_max_body_size() or 0
        message = i18n.gettext(
            spreadsheets.UPLOAD_TOO_BIG, limit=i18n.format_number(limit // spreadsheets.MB)
        )
    return render(
        request,
        "errors/error.html",
        {"status_code": status, "detail": error.detail, "message": message},
        status_code=status,
    )


def internal_error_handler(request: AnyRequest, error: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    if is_api_path(request.url.path):
        return api.server_error_response()
    if _wants_json(request):
        return Response(
            content={"status_code": 500, "detail": "Internal server error"}, status_code=500
        )
    return render(request, "errors/error.html", {"status_code": 500, "detail": ""}, status_code=500)
