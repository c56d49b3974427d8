from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from partner_portal.migration_steps import drop_unique_on_sqlite

ID = "2026-12-06T07:30:45:454152"
VERSION = "1.38.0"
DESCRIPTION = "suppliers: idempotency keys live in idempotent_request, per user"


async def forwards():
    # Not in one transaction: SQLite rebuilds the table with foreign keys off first.
    manager = MigrationManager(
        migration_id=ID,
        app_name="suppliers",
        description=DESCRIPTION,
        wrap_in_transaction=False,
    )

    async def allow_dropping_the_key():
        await drop_unique_on_sqlite("material_ship_notice", "idempotency_key")

    manager.add_raw(allow_dropping_the_key)

    manager.drop_column(
        table_class_name="ShipNotice",
        tablename="material_ship_notice",
        column_name="idempotency_key",
        db_column_name="idempotency_key",
        schema=None,
    )

    return manager
