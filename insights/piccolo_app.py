import os

from piccolo.conf.apps import AppConfig

from insights.tables import (
    CrossSell,
    ExchangeRate,
    InsightSettings,
    KpiSnapshot,
    PartnerMetrics,
    PartnerMonth,
    SegmentTreatment,
    StyleCost,
    Survey,
)

APP_CONFIG = AppConfig(
    app_name="insights",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        InsightSettings,
        ExchangeRate,
        StyleCost,
        PartnerMonth,
        PartnerMetrics,
        SegmentTreatment,
        Survey,
        CrossSell,
        KpiSnapshot,
    ],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.catalog.piccolo_app",
        "partner_portal.orders.piccolo_app",
    ],
    commands=[],
)
