import os

from piccolo.conf.apps import AppConfig

from partner_portal.notifications.tables import (
    MailOptOut,
    MailServerStatus,
    Notification,
    OutboxEmail,
)

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[OutboxEmail, Notification, MailOptOut, MailServerStatus],
    migration_dependencies=["partner_portal.partners.piccolo_app"],
    commands=[],
)
