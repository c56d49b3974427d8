from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders: a buyer's orders newest first, with and without a status"

# Order lists are scoped to the buyers a user may see and read newest first (keyset
# paging by id), often for one status: these indexes hand each buyer's orders over in
# that order, so a page reads 51 rows per buyer instead of every order of the status.
STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS sales_order_buyer_newest ON sales_order (buyer, id)",
    "CREATE INDEX IF NOT EXISTS sales_order_buyer_status_newest "
    "ON sales_order (buyer, status, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    async def add_indexes():
        for statement in STATEMENTS:
            await engine_finder().run_ddl(statement)

    manager.add_raw(add_indexes)
    return manager
