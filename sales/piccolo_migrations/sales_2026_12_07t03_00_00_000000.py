from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sales: the board's cards by partner, stage and close date"

# The board's first cards of each column for a KAM: the opportunities of the partners they
# see (a subquery of organisations), of one stage, by close date. Walked per partner, this
# index gives each partner's cards of a stage in order, so a column costs a few index
# entries per partner instead of a bitmap over every opportunity of the stage.
CREATE = (
    "CREATE INDEX IF NOT EXISTS sales_opportunity_board "
    "ON sales_opportunity (organisation, stage, expected_close_date, id)"
)
DROP = "DROP INDEX IF EXISTS sales_opportunity_board"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)

    async def create() -> None:
        await engine_finder().run_ddl(CREATE)

    async def drop() -> None:
        await engine_finder().run_ddl(DROP)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
