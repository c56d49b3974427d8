"""The board's stored stage totals (sales_opportunity_total), kept by triggers on
sales_opportunity in the transaction of every insert, update and delete, and backfilled
from the opportunities there are. After the migration that adds the table, as Piccolo
runs raw steps before table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T00:36:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "opportunity stage totals kept by triggers, backfilled"

KEY = "(organisation, stage, currency)"
BACKFILL = (
    "DELETE FROM sales_opportunity_total",
    "INSERT INTO sales_opportunity_total (organisation, stage, currency, opportunities, "
    "total_value) SELECT organisation, stage, currency, COUNT(*), SUM(expected_value) "
    "FROM sales_opportunity GROUP BY organisation, stage, currency",
)
UNIQUE = (
    f"CREATE UNIQUE INDEX IF NOT EXISTS sales_opportunity_total_key "
    f"ON sales_opportunity_total {KEY}"
)

POSTGRES = (
    UNIQUE,
    """
CREATE OR REPLACE FUNCTION sales_opportunity_total_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The row an opportunity leaves exists (it was counted there): only subtract. On a
  -- partner's deletion the cascade may have removed it already: then nothing to do.
  IF TG_OP <> 'INSERT' THEN
    UPDATE sales_opportunity_total
       SET opportunities = opportunities - 1, total_value = total_value - OLD.expected_value
     WHERE organisation = OLD.organisation AND stage = OLD.stage AND currency = OLD.currency;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO sales_opportunity_total (organisation, stage, currency, opportunities,
                                         total_value)
    VALUES (NEW.organisation, NEW.stage, NEW.currency, 1, NEW.expected_value)
    ON CONFLICT (organisation, stage, currency) DO UPDATE
       SET opportunities = sales_opportunity_total.opportunities + 1,
           total_value = sales_opportunity_total.total_value + EXCLUDED.total_value;
  END IF;
  RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS sales_opportunity_total ON sales_opportunity",
    """
CREATE TRIGGER sales_opportunity_total
AFTER INSERT OR DELETE OR UPDATE OF organisation, stage, currency, expected_value
ON sales_opportunity FOR EACH ROW EXECUTE FUNCTION sales_opportunity_total_keep()""",
    *BACKFILL,
)
POSTGRES_BACKWARDS = (
    "DROP TRIGGER IF EXISTS sales_opportunity_total ON sales_opportunity",
    "DROP FUNCTION IF EXISTS sales_opportunity_total_keep()",
    "DROP INDEX IF EXISTS sales_opportunity_total_key",
)

_SUBTRACT = (
    "UPDATE sales_opportunity_total SET opportunities = opportunities - 1, "
    "total_value = total_value - OLD.expected_value WHERE organisation = OLD.organisation "
    "AND stage = OLD.stage AND currency = OLD.currency;"
)
_ADD = (
    "INSERT OR IGNORE INTO sales_opportunity_total (organisation, stage, currency, "
    "opportunities, total_value) VALUES (NEW.organisation, NEW.stage, NEW.currency, 0, 0); "
    "UPDATE sales_opportunity_total SET opportunities = opportunities + 1, "
    "total_value = total_value + NEW.expected_value WHERE organisation = NEW.organisation "
    "AND stage = NEW.stage AND currency = NEW.currency;"
)
SQLITE = (
    UNIQUE,
    "CREATE TRIGGER IF NOT EXISTS sales_opportunity_total_insert AFTER INSERT ON "
    f"sales_opportunity BEGIN {_ADD} END",
    "CREATE TRIGGER IF NOT EXISTS sales_opportunity_total_delete AFTER DELETE ON "
    f"sales_opportunity BEGIN {_SUBTRACT} END",
    "CREATE TRIGGER IF NOT EXISTS sales_opportunity_total_update AFTER UPDATE OF "
    f"organisation, stage, currency, expected_value ON sales_opportunity BEGIN {_SUBTRACT} "
    f"{_ADD} END",
    *BACKFILL,
)
SQLITE_BACKWARDS = (
    "DROP TRIGGER IF EXISTS sales_opportunity_total_insert",
    "DROP TRIGGER IF EXISTS sales_opportunity_total_delete",
    "DROP TRIGGER IF EXISTS sales_opportunity_total_update",
    "DROP INDEX IF EXISTS sales_opportunity_total_key",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)

    async def run(statements_for_engine: dict[str, tuple[str, ...]]) -> None:
        engine = engine_finder()
        for statement in statements_for_engine[engine.engine_type]:
            await engine.run_ddl(statement)

    async def create() -> None:
        await run({"postgres": POSTGRES, "sqlite": SQLITE})

    async def drop() -> None:
        await run({"postgres": POSTGRES_BACKWARDS, "sqlite": SQLITE_BACKWARDS})

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
