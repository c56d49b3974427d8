"""One size chart per style and gender, one row per chart and size, as unique indexes;
after the migration that adds the tables, as Piccolo runs raw steps first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T00:20:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "size charts unique per style and gender, rows unique per size"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="catalog", description=DESCRIPTION
    )

    indexes = (
        ("size_chart_style_gender", "size_chart", "style, gender"),
        ("size_chart_row_chart_size", "size_chart_row", "chart, size"),
    )

    async def unique_charts():
        engine = engine_finder()
        for name, table, columns in indexes:
            await engine.run_ddl(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})'
            )

    async def drop_unique_charts():
        engine = engine_finder()
        for name, _table, _columns in indexes:
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(unique_charts)
    manager.add_raw_backwards(drop_unique_charts)

    return manager
