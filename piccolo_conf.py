"""Piccolo's configuration: the engine from DATABASE_URL and every module's app."""

from piccolo.conf.apps import AppRegistry

from partner_portal.database import engine_from_url
from partner_portal.settings import load_settings

DB = engine_from_url(load_settings().database_url)

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
    ]
)
