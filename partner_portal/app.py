"""create_app(settings): the one composition root. Every module is wired here."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from types import ModuleType
from typing import Any

from litestar import Litestar, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from contracts import plugin as contracts_plugin
from distributors import plugin as distributors_plugin
from group_orders import plugin as group_orders_plugin
from insights import plugin as insights_plugin
from partner_portal import database, i18n, web
from partner_portal.accounts.api import user_api_routes
from partner_portal.accounts.controllers import account_routes, users_navigation
from partner_portal.audit.controllers import audit_navigation, audit_routes
from partner_portal.catalog import stock_events
from partner_portal.catalog.api import catalog_api_routes
from partner_portal.catalog.bulk_api import bulk_api_routes
from partner_portal.catalog.controllers import catalog_navigation, catalog_routes
from partner_portal.catalog.style_api import style_api_routes
from partner_portal.conditional import ConditionalGet
from partner_portal.external_refs import external_ref_routes
from partner_portal.handler_types import AnyRequest
from partner_portal.notifications.controllers import notification_routes
from partner_portal.notifications.home import latest_notifications
from partner_portal.orders import plugin as orders_plugin
from partner_portal.partners import events as partner_events
from partner_portal.partners.api import partner_api_routes
from partner_portal.partners.controllers import (
    partner_navigation,
    partner_routes,
    partners_home_tile,
)
from partner_portal.registries import HomeSection, registry
from partner_portal.settings import Settings, install, load_settings
from partner_portal.shedding import LoadShedder
from partner_portal.templating import STATIC_DIR, create_environment
from sales import plugin as sales_plugin
from scheduler import plugin as scheduler_plugin
from suppliers import plugin as suppliers_plugin
from webhooks import plugin as webhooks_plugin

# Every module that plugs into the kernel: each plugin.py has ``routes`` and
# ``register(registry)`` and may have ``async def load_demo_data(rng, now) -> dict[str, int]``.
# The one place that imports modules (docs/ARCHITECTURE.md §3: the composition root).
PLUGINS: tuple[ModuleType, ...] = (
    orders_plugin,
    distributors_plugin,
    suppliers_plugin,
    sales_plugin,
    insights_plugin,
    group_orders_plugin,
    scheduler_plugin,
    contracts_plugin,
    webhooks_plugin,
)


notifications_home_section = HomeSection(
    key="notifications", order=90, template="notifications/_home.html", load=latest_notifications
)


def register_plugins() -> None:
    """Let the kernel's apps and every module fill the kernel's registries (idempotent:
    entries are keyed)."""
    for entry in (partner_navigation, catalog_navigation, users_navigation, audit_navigation):
        registry.add_nav_entry(entry)
    registry.add_home_tile(partners_home_tile)
    registry.add_home_section(notifications_home_section)
    for kind in (*partner_events.KINDS, *stock_events.KINDS):
        registry.add_event_kind(kind)
    for plugin in PLUGINS:
        plugin.register(registry)


@get("/healthz", include_in_schema=False, cache=False)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. No database, so it stays cheap (the benchmarks'
    trivial route) and a database outage does not get the process restarted."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False, cache=False)
async def readyz() -> Response[dict[str, Any]]:
    """Readiness, for load balancers: 200 when the database answers and its schema is
    current, else 503 with what is wrong, so that no traffic is sent here meanwhile."""
    report = await database.readiness()
    return Response(report, status_code=200 if report["status"] == "ready" else 503)


@get("/", include_in_schema=False, cache=False)
async def home(request: AnyRequest) -> Redirect | Template:
    """A partner's users land on what needs them now, in sections the modules fill; the
    brand's users on the first start-page link their role reaches."""
    if request.user is None:
        return Redirect(path="/login")
    if not request.user.is_brand:
        sections = await registry.home_sections_for(request.user)
        return web.render(request, "home.html", {"sections": sections})
    return Redirect(path=registry.home_tiles_for(request.user)[0].path)


def create_app(settings: Settings | None = None) -> Litestar:
    """The web app for ``settings`` (read from the environment when not given), which become
    the process's settings: the engine, the services and the scheduler use these."""
    settings = install(settings or load_settings())
    register_plugins()
    environment = create_environment(auto_reload=settings.template_auto_reload)
    i18n.load_catalogues()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        started_pool = await database.open_database()
        try:
            # Services modules run beside the web process (the in-process scheduler host).
            async with AsyncExitStack() as services:
                for service in registry.lifespan_services.values():
                    await services.enter_async_context(service(settings))
                yield
        finally:
            await database.close_database(started_pool)

    app = Litestar(
        route_handlers=[
            healthz,
            readyz,
            home,
            *account_routes,
            *partner_routes,
            *audit_routes,
            *catalog_routes,
            *bulk_api_routes,
            *external_ref_routes,
            *notification_routes,
            *partner_api_routes,
            *user_api_routes,
            *catalog_api_routes,
            *style_api_routes,
            *(route for plugin in PLUGINS for route in plugin.routes),
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                cache_control=CacheControlHeader(max_age=31_536_000, public=True),
                include_in_schema=False,
            ),
        ],
        dependencies={"viewer": Provide(web.require_viewer, sync_to_thread=False)},
        middleware=[
            LoadShedder(),
            ConditionalGet(),
            web.AuthenticationMiddleware(),
            web.RequestGuard(),
        ],
        after_exception=[web.identify_unrouted_reader],
        before_send=[web.add_security_headers],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            exclude=["^/api/"],
        ),
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        exception_handlers={
            HTTPException: web.http_exception_handler,
            Exception: web.internal_error_handler,
        },
        openapi_config=OpenAPIConfig(
            title="Threadline API",
            version="1",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
            description="Threadline's JSON API for integration clients. Errors are RFC 9457 "
            "problems (application/problem+json); lists page with an opaque cursor; money is a "
            "decimal string with the currency's own decimals; times are RFC 3339 with an offset.",
            security=[{"bearer": []}],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="An API token made under My account.",
                    )
                }
            ),
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        lifespan=[lifespan],
        debug=False,
    )
    app.state.settings = settings
    return app


def served_app() -> Litestar:
    """The app of one `threadline serve` process: ``create_app`` from the environment, and
    everything it made (modules, routes, catalogues, settings) set aside from the garbage
    collector. Those objects live as long as the process; left in the collector's oldest
    generation, each full collection walked all ~310,000 of them (170 ms of CPU, every few
    hundred requests, the request that triggered it waiting); frozen, a full collection
    walks what requests made since (about 1 ms). Not in ``create_app``: a test process
    makes an app per test, and what it froze would never be collected.

    The youngest generation is collected after 20,000 new objects instead of 700: a page
    makes thousands (rows, records, template output) that reference counting frees
    anyway, so at 700 the collector ran several times a request for almost nothing (0.2
    ms of a 6 ms page under the mixed load; 0.02 at 20,000, bench/RESULTS.md). What a
    request leaves in cycles waits a little longer to be freed."""
    app = create_app()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS_BEFORE_COLLECTION, *gc.get_threshold()[1:])
    return app


YOUNG_OBJECTS_BEFORE_COLLECTION = 20_000
