"""Unique pairs of the catalog's new tables, as unique indexes (SQLite cannot add a
table constraint after CREATE TABLE, which is how Piccolo adds them)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T14:29:40:763811"
VERSION = "1.38.0"
DESCRIPTION = "unique pairs: volume breaks, prepacks, delivery windows, pre-book"

INDEXES = (
    ("volume_break_list_quantity", "volume_break", "price_list, min_quantity"),
    ("prepack_scale_name", "prepack", "size_scale, name"),
    ("prepack_size_pair", "prepack_size", "prepack, size"),
    ("delivery_window_season_name", "delivery_window", "season, name"),
    ("pre_book_sku_window", "pre_book_availability", "sku, delivery_window"),
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="catalog", description=DESCRIPTION
    )

    async def run():
        engine = engine_finder()
        for name, table, columns in INDEXES:
            await engine._run_in_new_connection(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})'
            )

    async def run_backwards():
        engine = engine_finder()
        for name, _table, _columns in INDEXES:
            await engine._run_in_new_connection(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)

    return manager
