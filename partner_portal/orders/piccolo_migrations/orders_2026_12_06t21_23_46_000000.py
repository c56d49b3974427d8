"""External references unique where given, as unique indexes (SQLite cannot add a
UNIQUE column); after the migration that adds the columns, as Piccolo runs raw steps first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:23:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "external references unique where given"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="orders", description=DESCRIPTION
    )

    indexes = (('sales_order_external_ref', 'sales_order'),)

    async def unique_references():
        engine = engine_finder()
        for name, table in indexes:
            await engine.run_ddl(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "{table}" (external_ref)'
            )

    async def drop_unique_references():
        engine = engine_finder()
        for name, _table in indexes:
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(unique_references)
    manager.add_raw_backwards(drop_unique_references)

    return manager
