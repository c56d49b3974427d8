import os

from piccolo.conf.apps import AppConfig

from webhooks.tables import OutboxCursor, WebhookDelivery, WebhookEndpoint

APP_CONFIG = AppConfig(
    app_name="webhooks",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[WebhookEndpoint, WebhookDelivery, OutboxCursor],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.events.piccolo_app",
    ],
    commands=[],
)
