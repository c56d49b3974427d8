import os

from piccolo.conf.apps import AppConfig

from partner_portal.events.tables import DomainEvent, Following

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[DomainEvent, Following],
    migration_dependencies=["partner_portal.partners.piccolo_app"],
    commands=[],
)
