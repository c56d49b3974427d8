from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:34:34:000000"
VERSION = "1.38.0"
DESCRIPTION = "distributors: the minimum order value moves to its per-currency table"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="distributors", description=DESCRIPTION
    )

    async def keep_the_minimum_set_so_far():
        # Runs before the columns are dropped: the one minimum set so far, in its currency.
        await engine_finder().run_ddl(
            "INSERT INTO order_minimum (currency, amount, updated_at) "
            "SELECT currency, amount, updated_at FROM order_rule "
            "WHERE kind = 'min_order_value' AND amount IS NOT NULL"
        )

    manager.add_raw(keep_the_minimum_set_so_far)

    manager.drop_column(
        table_class_name="OrderRule",
        tablename="order_rule",
        column_name="amount",
        db_column_name="amount",
        schema=None,
    )

    manager.drop_column(
        table_class_name="OrderRule",
        tablename="order_rule",
        column_name="currency",
        db_column_name="currency",
        schema=None,
    )

    return manager
