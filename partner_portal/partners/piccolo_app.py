import os

from piccolo.conf.apps import AppConfig

from partner_portal.partners.tables import (
    Address,
    Contact,
    Organisation,
    PartnerSearch,
    PartnerStatusChange,
    Territory,
    TimelineEntry,
    User,
)

APP_CONFIG = AppConfig(
    app_name="partners",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Organisation,
        User,
        Contact,
        Address,
        Territory,
        TimelineEntry,
        PartnerStatusChange,
        PartnerSearch,
    ],
    migration_dependencies=[],
    commands=[],
)
