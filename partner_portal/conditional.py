"""What travels: a page the browser already holds costs no transfer, and text is gzipped.

Every successful GET answer sent in one piece (pages, htmx fragments, JSON; not streamed
exports, not files) gets a weak ETag made from its body and ``Cache-Control: private,
no-cache``: the browser keeps its copy, asks again each time with ``If-None-Match``, and
gets 304 with no body when nothing it would see has changed. Pages are per viewer, so
only the viewer's own browser keeps them (``private``); a URL answers htmx with a
fragment and a browser with the page, so they are cached apart (``Vary: HX-Request``).

Text answers in one piece over 1 KiB are compressed for clients that accept it, unless
``settings.gzip_level`` is 0 (left to a reverse proxy): in brotli at quality 2 where the
client takes it (every current browser over HTTPS), else gzip at ``gzip_level``. Measured
on the portal's pages (bench/RESULTS.md), brotli 2 costs about 3 µs of CPU per KB against
gzip 1's 7 and makes them 5-15 % smaller. The tag is made from the uncompressed body and
the compressed one has no timestamp, so the same page keeps the same tag in any encoding. (Litestar's own
compression runs inside every middleware, so the tag would be taken of gzip bytes that
change each second; it is not used.) Static files are hashed and immutable
(templating.static_url) and are served as they are.
"""

from __future__ import annotations

import gzip
import hashlib

import brotli
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from partner_portal.settings import current_settings

TEXT_TYPES = (b"text/", b"application/json", b"application/problem+json")
SMALLEST_COMPRESSED = 1024
BROTLI_QUALITY = 2


def body_etag(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class ConditionalGet(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["path"].startswith("/static/"):
            await next_app(scope, receive, send)
            return
        request_headers = dict(scope["headers"])
        is_get = scope.get("method") == "GET"
        asked_tags = _tags(request_headers.get(b"if-none-match", b""))
        level = current_settings().gzip_level
        encoding = _encoding(request_headers.get(b"accept-encoding", b"")) if level else None
        held: HTTPResponseStartEvent | None = None

        async def send_finished(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                if _is_text(message):
                    held = message  # until the body is known
                else:
                    await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            start, held = held, None
            if message.get("more_body", False):
                await send(start)  # streamed: sent as it comes
                await send(message)
                return
            body = message.get("body", b"")
            headers = MutableScopeHeaders.from_message(start)
            if (
                is_get
                and start["status"] == 200
                and "no-store" not in headers.get("cache-control", "")
                # An answer that sets a cookie (a new CSRF token, a session) belongs to that
                # cookie: a 304 could pair the browser's older copy with the new cookie.
                and "set-cookie" not in headers
            ):
                etag = body_etag(body)
                headers["etag"] = etag
                headers.setdefault("cache-control", "private, no-cache")
                _vary_on(headers, "HX-Request")
                if etag in asked_tags:
                    await _send_not_modified(send, start)
                    return
            if (
                encoding is not None
                and len(body) >= SMALLEST_COMPRESSED
                and "content-encoding" not in headers
            ):
                if encoding == "br":
                    body = brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
                else:
                    body = gzip.compress(body, compresslevel=level, mtime=0)
                headers["content-encoding"] = encoding
                headers["content-length"] = str(len(body))
                _vary_on(headers, "Accept-Encoding")
            await send(start)
            finished: HTTPResponseBodyEvent = {
                "type": "http.response.body",
                "body": body,
                "more_body": False,
            }
            await send(finished)

        await next_app(scope, receive, send_finished)


def _encoding(accept_encoding: bytes) -> str | None:
    """The encoding to send: "br" or "gzip" if the client takes it (not refused with q=0),
    brotli first; None for neither."""
    taken = set()
    for part in accept_encoding.decode("latin-1").lower().split(","):
        name, _semicolon, parameters = part.partition(";")
        if _quality(parameters) > 0:
            taken.add(name.strip())
    return next((name for name in ("br", "gzip") if name in taken), None)


def _quality(parameters: str) -> float:
    name, _equals, value = parameters.strip().partition("=")
    if name.strip() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 0.0


def _vary_on(headers: MutableScopeHeaders, name: str) -> None:
    present = [part.strip().lower() for part in headers.get("vary", "").split(",")]
    if name.lower() not in present:
        headers["vary"] = ", ".join(filter(None, [headers.get("vary", ""), name]))


def _is_text(start: HTTPResponseStartEvent) -> bool:
    content_type = dict(start.get("headers") or []).get(b"content-type", b"")
    return bytes(content_type).startswith(TEXT_TYPES)


async def _send_not_modified(send: Send, start: HTTPResponseStartEvent) -> None:
    not_modified: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 304,
        "headers": [
            (name, value)
            for name, value in start["headers"]
            if bytes(name).lower() not in (b"content-length", b"content-type")
        ],
    }
    empty: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
    await send(not_modified)
    await send(empty)


def _tags(if_none_match: bytes) -> set[str]:
    return {tag.strip() for tag in if_none_match.decode("latin-1").split(",") if tag.strip()}
