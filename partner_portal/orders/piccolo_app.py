import os

from piccolo.conf.apps import AppConfig

from partner_portal.orders.tables import (
    ChangeRequest,
    Order,
    OrderComment,
    OrderLine,
    OrderStatusChange,
    OrderVersion,
    Shipment,
    ShipmentLine,
    StockReservation,
)

APP_CONFIG = AppConfig(
    app_name="orders",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Order,
        OrderLine,
        OrderStatusChange,
        OrderComment,
        ChangeRequest,
        Shipment,
        ShipmentLine,
        StockReservation,
        OrderVersion,
    ],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.catalog.piccolo_app",
    ],
    commands=[],
)
