import os

from piccolo.conf.apps import AppConfig

from partner_portal.notifications.tables import (
    DigestClaim,
    MailServerStatus,
    Notification,
    NotificationPreference,
    OutboxEmail,
)

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        OutboxEmail,
        Notification,
        NotificationPreference,
        MailServerStatus,
        DigestClaim,
    ],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.events.piccolo_app",
    ],
    commands=[],
)
