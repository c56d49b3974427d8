"""Tell PostgreSQL what partner_search_grams costs. Declared at the default cost of a
SQL function, the planner chose to compute it for every partner (about 3 ms each on a
partner with ten contacts: 6.5 s for a two-character search over 2,000 partners) instead
of reading the GIN index built on it (18 ms). At a high cost it reads the index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partner_search_grams declared expensive, so searches use its index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def declare(cost: int) -> None:
        engine = engine_finder()
        if engine.engine_type == "postgres":
            await engine.run_ddl(f"ALTER FUNCTION partner_search_grams(text) COST {cost}")

    async def expensive() -> None:
        await declare(10_000)

    async def default() -> None:
        await declare(100)

    manager.add_raw(expensive)
    manager.add_raw_backwards(default)
    return manager
