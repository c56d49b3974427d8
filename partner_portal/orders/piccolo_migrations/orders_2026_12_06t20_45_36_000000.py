from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T20:45:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders: lines priced from a list name it and the volume break they carry"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    async def name_each_lines_list():
        # Before contracts took a discount, a catalog-priced line's whole discount was the
        # volume break of the order's list: a change reprices it with that list's breaks.
        await engine_finder().run_ddl(
            "UPDATE sales_order_line SET "
            "price_list = (SELECT o.price_list FROM sales_order o "
            'WHERE o.id = sales_order_line."order"), '
            "volume_discount_percent = discount_percent "
            "WHERE price_fixed = false"
        )

    manager.add_raw(name_each_lines_list)
    return manager
