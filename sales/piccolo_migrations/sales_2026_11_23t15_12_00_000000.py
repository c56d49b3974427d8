from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T15:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sales: indexes for the board's columns and the open-case list"

# The board asks each stage for its first cards by close date (or, closed, the latest
# closed); the case list for open cases by resolution deadline. With 100,000
# opportunities and 200,000 cases these are index walks instead of sorts (bench/RESULTS.md).
INDEXES = (
    "CREATE INDEX IF NOT EXISTS sales_opportunity_stage_close "
    "ON sales_opportunity (stage, expected_close_date)",
    # Covers the board's totals per stage and currency, open (the whole stage) and
    # closed (since a date), without reading the table.
    "CREATE INDEX IF NOT EXISTS sales_opportunity_stage_closed "
    "ON sales_opportunity (stage, closed_at, currency, expected_value)",
    "CREATE INDEX IF NOT EXISTS sales_case_status_due ON sales_case (status, resolution_due_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)

    async def create_indexes():
        for statement in INDEXES:
            await engine_finder().run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
