from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sales: the board's closed cards by partner, stage and close time"

# The board's closed columns (won and lost in the last days) for a KAM: the opportunities
# of the partners they see, of one stage, closed since a time. SQLite walks the partners
# (sales_opportunity_board) and, without this index, read every closed opportunity of each
# partner to keep the recent ones: 20 ms of a team lead's board for its totals and 23 for
# its cards, 3 and 6 with it (bench/RESULTS.md, 2026-12-07). PostgreSQL reads the recent
# ones by (stage, closed_at) already and may use this one per partner too.
CREATE = (
    "CREATE INDEX IF NOT EXISTS sales_opportunity_board_closed "
    "ON sales_opportunity (organisation, stage, closed_at, id)"
)
DROP = "DROP INDEX IF EXISTS sales_opportunity_board_closed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)

    async def create() -> None:
        await engine_finder().run_ddl(CREATE)

    async def drop() -> None:
        await engine_finder().run_ddl(DROP)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
