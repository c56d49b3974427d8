import os

from piccolo.conf.apps import AppConfig

from group_orders.tables import (
    Campaign,
    CampaignApprover,
    CampaignItem,
    CategoryAllotment,
    Choice,
    Employee,
)

APP_CONFIG = AppConfig(
    app_name="group_orders",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Campaign, CampaignItem, CategoryAllotment, Employee, Choice, CampaignApprover],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.catalog.piccolo_app",
    ],
    commands=[],
)
