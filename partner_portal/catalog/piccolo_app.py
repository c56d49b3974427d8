import os

from piccolo.conf.apps import AppConfig

from partner_portal.catalog.tables import (
    Collection,
    Colourway,
    DeliveryWindow,
    PreBookAvailability,
    Prepack,
    PrepackSize,
    Price,
    PriceList,
    Season,
    Size,
    SizeChart,
    SizeChartRow,
    SizeScale,
    Sku,
    SkuStock,
    Style,
    StyleImage,
    VolumeBreak,
)

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Season,
        Collection,
        SizeScale,
        Size,
        Style,
        Colourway,
        Sku,
        PriceList,
        Price,
        VolumeBreak,
        Prepack,
        PrepackSize,
        DeliveryWindow,
        SkuStock,
        PreBookAvailability,
        StyleImage,
        SizeChart,
        SizeChartRow,
    ],
    migration_dependencies=["partner_portal.partners.piccolo_app"],
    commands=[],
)
