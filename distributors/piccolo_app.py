import os

from piccolo.conf.apps import AppConfig

from distributors.tables import (
    LineSheet,
    LineSheetAudience,
    LineSheetStyle,
    MinimumOrderValue,
    OrderRule,
    PartnerCredit,
)

APP_CONFIG = AppConfig(
    app_name="distributors",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        LineSheet,
        LineSheetStyle,
        LineSheetAudience,
        OrderRule,
        MinimumOrderValue,
        PartnerCredit,
    ],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.catalog.piccolo_app",
    ],
    commands=[],
)
