"""Load shedding: past what a process can serve, say so at once instead of queueing for ever.

A web process handles at most ``max_concurrent_requests`` requests at a time. Others wait
for a free slot, at most ``max_queue_ms`` and at most ``max_waiting_requests`` of them;
past either bound the request is answered 503 with ``Retry-After`` straight away, before
any session lookup or query, so a saturated server stays quick to refuse and quick to
recover (without a bound, requests at 400 users waited over 30 s; bench/RESULTS.md).

The limits are per process: N web processes behind a load balancer admit N times as many.
Health checks and static files are never refused, so a balancer does not take a busy but
healthy process out of service.
"""

from __future__ import annotations

import asyncio
import html

import msgspec
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from partner_portal import api, i18n
from partner_portal.i18n import N_
from partner_portal.settings import current_settings

NEVER_REFUSED = ("/healthz", "/readyz", "/static/")
RETRY_AFTER_SECONDS = 5
BUSY = N_("The portal is very busy right now. Please try again in a few seconds.")


class LoadShedder(ASGIMiddleware):
    """The outermost middleware: a bounded number of requests in progress, a bounded wait."""

    scopes = ("http",)  # type: ignore[assignment]

    def __init__(self) -> None:
        self._slots: dict[tuple[asyncio.AbstractEventLoop, int], asyncio.Semaphore] = {}
        self._waiting = 0

    def _semaphore(self, limit: int) -> asyncio.Semaphore:
        # One per event loop and limit: a semaphore belongs to the loop it first waited in
        # (a process has one loop; a test suite starts one per test).
        key = (asyncio.get_running_loop(), limit)
        if key not in self._slots:
            self._slots = {key: asyncio.Semaphore(limit)}
        return self._slots[key]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["path"].startswith(NEVER_REFUSED):
            await next_app(scope, receive, send)
            return
        settings = current_settings()
        slots = self._semaphore(settings.max_concurrent_requests)
        if slots.locked() and self._waiting >= settings.max_waiting_requests:
            await _refuse(scope, send)
            return
        if slots.locked():
            self._waiting += 1
            try:
                await asyncio.wait_for(slots.acquire(), settings.max_queue_ms / 1000)
            except TimeoutError:
                await _refuse(scope, send)
                return
            finally:
                self._waiting -= 1
        else:
            await slots.acquire()  # a free slot: taken at once, without wait_for's timer
        try:
            await next_app(scope, receive, send)
        finally:
            slots.release()

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now (for tests and the health page)."""
        return self._waiting


async def _refuse(scope: Scope, send: Send) -> None:
    """503 in the reader's language (from Accept-Language: nobody is looked up when busy)."""
    headers = dict(scope["headers"])
    accept_language = headers.get(b"accept-language", b"").decode("latin-1")
    locale = i18n.negotiate_locale(accept_language, current_settings().default_locale)
    token = i18n.current_locale.set(locale)
    try:
        message = i18n.gettext(BUSY)
        problem = api.problem(503, message)
    finally:
        i18n.current_locale.reset(token)
    if scope["path"].startswith("/api/"):
        content_type = api.PROBLEM_MEDIA_TYPE.encode()
        body = msgspec.json.encode(problem)
    else:
        content_type = b"text/html; charset=utf-8"
        language = locale.replace("_", "-")
        body = (
            f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>503</title><p>{html.escape(message)}</p></html>"
        ).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 503,
        "headers": [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            (b"cache-control", b"no-store"),
        ],
    }
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(start)
    await send(end)
