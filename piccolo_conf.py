"""Piccolo's configuration: every module's app, and the process's engine.

A composition root: when Piccolo's own commands start the process, nothing has installed
the settings yet, so they are read here; under the portal's roots (create_app, the
threadline command) the engine they chose is used as it is.
"""

from piccolo.conf.apps import AppRegistry

from partner_portal import settings
from partner_portal.database import current_engine

if not settings.is_installed():
    settings.install(settings.load_settings())

DB = current_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.accounts.piccolo_app",
        "partner_portal.audit.piccolo_app",
        "partner_portal.events.piccolo_app",
        "partner_portal.notifications.piccolo_app",
        "partner_portal.catalog.piccolo_app",
        "partner_portal.orders.piccolo_app",
        "insights.piccolo_app",
        "contracts.piccolo_app",
        "suppliers.piccolo_app",
        "sales.piccolo_app",
        "group_orders.piccolo_app",
        "scheduler.piccolo_app",
        "distributors.piccolo_app",
        "webhooks.piccolo_app",
    ]
)
