"""The database engine: SQLite by default, PostgreSQL in production.

Piccolo's SQLite engine opens a new connection (and thread) for every query
outside a transaction. Here statements outside a transaction share one
persistent autocommit connection instead (about three times faster for a list
page), and every write runs in an IMMEDIATE transaction so concurrent writers
queue on the busy timeout instead of failing half-way.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from typing import Any
from urllib.parse import urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.engine.sqlite import dict_factory as sqlite_dict_factory
from piccolo.table import Table

SQLITE_BUSY_TIMEOUT_SECONDS = 15

# Piccolo warns that SQLite runs ILIKE as LIKE; that is what we want (LIKE ignores ASCII
# case in SQLite, and Chinese and Korean have none).
warnings.filterwarnings("ignore", message="SQLite doesn't support ILIKE")


class PortalSQLiteEngine(SQLiteEngine):
    """SQLite in WAL mode with one shared connection for autocommit statements."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        self._shared: aiosqlite.Connection | None = None
        self._shared_opening: asyncio.Lock | None = None

    async def get_connection(self, daemon: bool = False) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        # aiosqlite's worker thread is not a daemon: a shared connection that is
        # never closed (a CLI command, a killed server) would keep Python from exiting.
        connection._thread.daemon = daemon
        await connection
        connection.row_factory = sqlite_dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    async def _shared_connection(self) -> aiosqlite.Connection:
        if self._shared is not None:
            return self._shared
        if self._shared_opening is None:
            self._shared_opening = asyncio.Lock()
        async with self._shared_opening:
            if self._shared is None:
                connection = await self.get_connection(daemon=True)
                await connection.execute("PRAGMA journal_mode = WAL")
                self._shared = connection
        return self._shared

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        connection = await self._shared_connection()
        async with connection.execute(query, args or []) as cursor:
            return [dict(row) for row in await cursor.fetchall()]

    async def close(self) -> None:
        """Close the shared connection; its worker thread would otherwise keep the process alive."""
        shared, self._shared = self._shared, None
        self._shared_opening = None
        if shared is not None:
            await shared.close()

    async def use_file(self, path: str) -> None:
        """Point the engine at another database file (tests give each test its own)."""
        await self.close()
        self.path = path


def engine_from_url(url: str) -> Engine:
    """Build the Piccolo engine for a DATABASE_URL (sqlite:///file or postgresql://...)."""
    if url.startswith("sqlite:///"):
        return PortalSQLiteEngine(path=url.removeprefix("sqlite:///"))
    if urlsplit(url).scheme in ("postgres", "postgresql"):
        # Piccolo would otherwise try to create the uuid-ossp extension, which needs
        # a superuser; UUIDs are generated in Python.
        return PostgresEngine(config={"dsn": url}, extensions=())
    raise ValueError(f"unsupported DATABASE_URL {url!r}")


def current_engine() -> Engine:
    from piccolo_conf import DB

    return DB


def is_sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def contains_text(column: Any, text: str) -> Any:
    """A case-insensitive substring match on ``column`` for a search box: ILIKE on
    PostgreSQL; LIKE on SQLite, which already ignores case for Latin letters (and has no
    ILIKE: Piccolo would fall back with a warning)."""
    pattern = f"%{text}%"
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


def write_transaction() -> Any:
    """A transaction for changes: IMMEDIATE on SQLite so the write lock is taken up front."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def update_if_version(
    table: type[Table], row_id: int, opened_version: int, values: dict[Any, Any]
) -> int | None:
    """Optimistic locking: apply ``values`` to one row only if it is still at the version
    the editor opened, and bump the version.

    Returns the new version, or None when someone else saved first (nothing is written;
    audit.services.changes_since tells what they changed). Call inside write_transaction().
    """
    version: Any = table._meta.get_column_by_name("version")
    updated = await (
        table.update({**values, version: version + 1})
        .where(table._meta.primary_key == row_id, version == opened_version)
        .returning(version)
    )
    return updated[0]["version"] if updated else None


async def open_database() -> bool:
    """Start what the engine needs to serve requests; True if a pool was started here."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            return False
        await engine.start_connection_pool(min_size=2, max_size=10)
        return True
    return False


async def close_database(started_pool: bool) -> None:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        if started_pool:
            await engine.close_connection_pool()
    elif isinstance(engine, PortalSQLiteEngine):
        await engine.close()


async def database_state() -> dict[str, Any]:
    """What /healthz reports: the engine kind, whether a query works and how long it took."""
    engine = current_engine()
    kind = "sqlite" if isinstance(engine, SQLiteEngine) else "postgresql"
    started = time.perf_counter()
    try:
        await engine.run_querystring(_select_one())
    except Exception as error:  # the health check reports any failure instead of raising it
        return {"engine": kind, "ok": False, "error": type(error).__name__}
    return {
        "engine": kind,
        "ok": True,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def _select_one() -> Any:
    from piccolo.querystring import QueryString

    return QueryString("SELECT 1 AS ok")
