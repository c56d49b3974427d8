import os

from piccolo.conf.apps import AppConfig

from partner_portal.catalog.tables import (
    Collection,
    Colourway,
    Price,
    PriceList,
    Season,
    Size,
    SizeScale,
    Sku,
    Style,
)

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Season, Collection, SizeScale, Size, Style, Colourway, Sku, PriceList, Price],
    migration_dependencies=["partner_portal.partners.piccolo_app"],
    commands=[],
)
