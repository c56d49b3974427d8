from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sales: covering indexes for the board's totals, the forecast and the analysis"

# Each index holds every column its query reads (the organisation too, for the visibility
# subquery), so the totals are index walks that never touch the table, and the board's
# (stage, currency) order is the index's, so its totals need no sort (bench/RESULTS.md).
STATEMENTS = (
    "DROP INDEX IF EXISTS sales_opportunity_stage_closed",
    "CREATE INDEX IF NOT EXISTS sales_opportunity_stage_totals "
    "ON sales_opportunity (stage, currency, expected_value, organisation, closed_at)",
    "CREATE INDEX IF NOT EXISTS sales_opportunity_forecast "
    "ON sales_opportunity "
    "(stage, expected_close_date, currency, probability, owner, expected_value, organisation)",
    # Closed opportunities only: the board's recent won and lost, the won/lost analysis.
    "CREATE INDEX IF NOT EXISTS sales_opportunity_closed "
    "ON sales_opportunity "
    "(stage, closed_at, kind, currency, owner, expected_value, organisation, lost_reason) "
    "WHERE closed_at IS NOT NULL",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)

    async def change_indexes():
        for statement in STATEMENTS:
            await engine_finder().run_ddl(statement)

    manager.add_raw(change_indexes)
    return manager
