"""Partner search through its indexes on both databases (partners/search.py).

SQLite: an FTS5 trigram index of the partner search text, so that a search of three
characters or more is an index lookup, as the pg_trgm index makes it on PostgreSQL. An
external-content table over partner_search (no second copy of the text), kept by triggers
on partner_search, which the triggers on organisation and contact rewrite; filled from the
rows there are.

PostgreSQL: partner_search_grams (a CJK search of one or two characters) declared as
costly as it is. At the default cost the planner computed it for every partner rather
than read its GIN index whenever a search matched many partners: 服饰 (860 of 2,033
bench partners) took 16 s as a scan, 20 ms through the index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partner search: SQLite FTS5 trigram index; the CJK grams function's cost"

_DELETE = (
    "INSERT INTO partner_search_fts (partner_search_fts, rowid, body) "
    "VALUES ('delete', OLD.organisation, OLD.body);"
)
_INSERT = "INSERT INTO partner_search_fts (rowid, body) VALUES (NEW.organisation, NEW.body);"

SQLITE = (
    # case_sensitive 0: found whatever the case, as ILIKE finds it on PostgreSQL.
    "CREATE VIRTUAL TABLE IF NOT EXISTS partner_search_fts USING fts5(body, "
    "content='partner_search', content_rowid='organisation', "
    "tokenize='trigram case_sensitive 0')",
    "CREATE TRIGGER IF NOT EXISTS partner_search_fts_insert AFTER INSERT ON partner_search "
    f"BEGIN {_INSERT} END",
    "CREATE TRIGGER IF NOT EXISTS partner_search_fts_delete AFTER DELETE ON partner_search "
    f"BEGIN {_DELETE} END",
    "CREATE TRIGGER IF NOT EXISTS partner_search_fts_update AFTER UPDATE ON partner_search "
    f"BEGIN {_DELETE} {_INSERT} END",
    "INSERT INTO partner_search_fts (partner_search_fts) VALUES ('rebuild')",
)
POSTGRES = ("ALTER FUNCTION partner_search_grams(text) COST 10000",)
POSTGRES_BACKWARDS = ("ALTER FUNCTION partner_search_grams(text) COST 100",)
SQLITE_BACKWARDS = (
    "DROP TRIGGER IF EXISTS partner_search_fts_insert",
    "DROP TRIGGER IF EXISTS partner_search_fts_delete",
    "DROP TRIGGER IF EXISTS partner_search_fts_update",
    "DROP TABLE IF EXISTS partner_search_fts",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

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
