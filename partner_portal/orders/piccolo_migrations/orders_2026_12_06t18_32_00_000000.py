from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T18:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders: open orders hold the stock and pre-book capacity they need"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    async def hold_what_open_orders_need():
        # Orders submitted before holds existed hold their pieces from now on (see recount()).
        from partner_portal.orders.services.stock import recount_statements

        for statement in recount_statements():
            await engine_finder().run_ddl(statement)

    manager.add_raw(hold_what_open_orders_need)
    return manager
