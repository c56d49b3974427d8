import os

from piccolo.conf.apps import AppConfig

from suppliers.tables import (
    BomLine,
    Commitment,
    ForecastLine,
    ForecastVersion,
    Material,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ScorecardWeights,
    ShipNotice,
    ShipNoticeLine,
)

APP_CONFIG = AppConfig(
    app_name="suppliers",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Material,
        BomLine,
        ForecastVersion,
        ForecastLine,
        Commitment,
        PurchaseOrder,
        PurchaseOrderLine,
        ShipNotice,
        ShipNoticeLine,
        Receipt,
        ScorecardWeights,
    ],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.catalog.piccolo_app",
    ],
    commands=[],
)
