"""Every hook and guard the app registers runs on the event loop. Litestar runs a plain
function given as a lifecycle hook or a guard in its thread pool (it wraps it in
``AsyncCallable``): the security-headers hook, written as one, sent every message of every
response through a thread, about a sixth of the server's CPU under the mixed load
(bench/RESULTS.md), and no other test would notice."""

from __future__ import annotations

from litestar import Litestar
from litestar.handlers.http_handlers import HTTPRouteHandler
from litestar.utils.sync import AsyncCallable

HOOKS = ("before_request", "after_request", "after_response")


def _sent_to_threads(app: Litestar) -> list[str]:
    found = [
        f"before_send {hook.func.__qualname__}"
        for hook in app.before_send
        if isinstance(hook, AsyncCallable)
    ]
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            callables: list[tuple[str, object]] = [
                ("guard", guard) for guard in handler.resolve_guards()
            ]
            for layer in handler.ownership_layers:
                callables.extend((name, getattr(layer, name, None)) for name in HOOKS)
            found.extend(
                f"{kind} {hook.func.__qualname__} on {route.path}"
                for kind, hook in callables
                if isinstance(hook, AsyncCallable)
            )
    return found


def test_no_hook_or_guard_is_sent_to_a_thread(app: Litestar) -> None:
    assert app.before_send, "the app adds its security headers in a before_send hook"
    assert any(
        handler.resolve_guards()
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if isinstance(handler, HTTPRouteHandler)
    ), "the API guards its catalogue and order routes"
    assert _sent_to_threads(app) == []
