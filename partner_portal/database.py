"""The database engine: SQLite by default, PostgreSQL in production.

SQLite (WAL mode) is safe here under concurrency, in one process and across several
(`threadline serve --workers N`):

- One writer. Every transaction, and every write statement outside one, holds the
  engine's write lock for its whole length and begins IMMEDIATE on the one writer
  connection: writers in this process queue on the lock, writers in other processes on
  SQLite's busy timeout, instead of failing with "database is locked".
- Readers of their own. A read outside a transaction borrows one of a few reader
  connections for that one statement, run and fetched in a single call on the
  connection's thread, so its snapshot ends with the statement: it sees every write
  committed before it started, and no other request ever reads through it meanwhile.
  Readers are query_only, so a write sent down the read path fails loudly.

Connections stay open between requests (a new connection per query cost about three
times as much on a list page); their threads are daemons, so a process that never closes
the engine (a CLI command, a killed server) still exits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import warnings
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast
from urllib.parse import urlsplit

import aiosqlite
from piccolo.columns.base import Column
from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.engine.sqlite import dict_factory as sqlite_dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

from partner_portal.settings import current_settings
from partner_portal.statements import Parameter

SQLITE_BUSY_TIMEOUT_SECONDS = 15
# Reads run in parallel on up to this many connections (each has a thread, and SQLite
# lets go of the GIL while it reads): enough that one slow report does not hold up pages.
SQLITE_READER_CONNECTIONS = 4
# Connections read the file through a shared memory map instead of each copying pages
# into a cache of its own: with several readers this cost a list page 10-20% less CPU
# (bench/RESULTS.md, 2026-12-06). Address space, not memory: the OS shares the pages.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)

# Piccolo warns that SQLite runs ILIKE as LIKE; that is what we want (LIKE ignores ASCII
# case in SQLite, and Chinese and Korean have none).
warnings.filterwarnings("ignore", message="SQLite doesn't support ILIKE")

# Statements that only read: SELECT, VALUES, EXPLAIN, and WITH ... SELECT. Anything else
# (a write, DDL, a PRAGMA) takes the write path, which is correct for a read too.
_READ_STATEMENT = re.compile(r"\s*\(*\s*(SELECT|VALUES|EXPLAIN|WITH)\b", re.IGNORECASE)
_WRITE_KEYWORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def only_reads(sql: str) -> bool:
    """Whether a statement only reads (and may run on a reader connection)."""
    match = _READ_STATEMENT.match(sql)
    if match is None:
        return False
    return match.group(1).upper() != "WITH" or _WRITE_KEYWORD.search(sql) is None


@dataclass
class _Connections:
    """The SQLite connections of one event loop: the writer, its lock, the idle readers."""

    loop: asyncio.AbstractEventLoop
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    opening_writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    free_readers: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(SQLITE_READER_CONNECTIONS)
    )
    writer: aiosqlite.Connection | None = None
    idle_readers: list[aiosqlite.Connection] = field(default_factory=list)

    def every_connection(self) -> list[aiosqlite.Connection]:
        return [*([self.writer] if self.writer else []), *self.idle_readers]


class PortalSQLiteEngine(SQLiteEngine):
    """SQLite in WAL mode: one locked writer, a few readers (see the module's docstring)."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        self._connections: _Connections | None = None

    async def get_connection(self) -> aiosqlite.Connection:
        """A new connection with the portal's settings (the caller owns and closes it)."""
        connection = aiosqlite.connect(**self.connection_kwargs)
        # aiosqlite's worker thread is not a daemon: a connection that is never closed
        # (a CLI command, a killed server) would keep Python from exiting.
        connection._thread.daemon = True
        await connection
        connection.row_factory = sqlite_dict_factory  # type: ignore[assignment]
        await _fetch_all(connection, "PRAGMA foreign_keys = ON", None)
        await _fetch_all(connection, "PRAGMA synchronous = NORMAL", None)
        await _fetch_all(connection, f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}", None)
        return connection

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        """Every transaction is a write transaction: it holds the write lock, IMMEDIATE."""
        return _WriteTransaction(self, TransactionType.immediate, allow_nested)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        """A statement outside a transaction: a read on a reader, a write in a transaction
        of its own. (Called directly inside a transaction, as a migration's raw step does,
        it runs in that transaction: waiting for the write lock there would wait forever.)"""
        current = self.current_transaction.get()
        if current is not None:
            return await _fetch_all(current.connection, query, args)
        if only_reads(query):
            async with self._reader() as reader:
                return await _fetch_all(reader, query, args)
        async with self.transaction() as transaction:
            rows = await _fetch_all(transaction.connection, query, args)
        return rows

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        # (Piccolo's version also sets a PRAGMA before every statement; ours are set once.)
        return await _fetch_all(connection, query, args)

    def _current_connections(self) -> _Connections:
        loop = asyncio.get_running_loop()
        if self._connections is not None and self._connections.loop is not loop:
            # A second asyncio.run() in one process: the old loop's locks cannot be used
            # here, and its connections are let go (their threads close them).
            for connection in self._connections.every_connection():
                connection.stop()
            self._connections = None
        if self._connections is None:
            self._connections = _Connections(loop)
        return self._connections

    async def _writer(self, connections: _Connections) -> aiosqlite.Connection:
        """The writer connection, opened first of all: it puts the file in WAL mode."""
        if connections.writer is None:
            async with connections.opening_writer:
                if connections.writer is None:
                    writer = await self.get_connection()
                    try:
                        await _fetch_all(writer, "PRAGMA journal_mode = WAL", None)
                    except BaseException:
                        await writer.close()
                        raise
                    connections.writer = writer
        return connections.writer

    def _discard_writer(self, connections: _Connections) -> None:
        """Close a writer left in an unknown state (closing rolls back what it left open);
        the next transaction opens a new one."""
        writer, connections.writer = connections.writer, None
        if writer is not None:
            writer.stop()

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        """A reader connection for one statement, used by no one else meanwhile."""
        connections = self._current_connections()
        async with connections.free_readers:
            if connections.idle_readers:
                reader = connections.idle_readers.pop()
            else:
                await self._writer(connections)
                reader = await self.get_connection()
                await _fetch_all(reader, "PRAGMA query_only = ON", None)
            try:
                yield reader
            finally:
                if connections is self._connections:
                    connections.idle_readers.append(reader)
                else:  # the engine was closed meanwhile
                    reader.stop()

    async def close(self) -> None:
        """Close every connection (a test's database file can then be deleted)."""
        connections, self._connections = self._connections, None
        if connections is not None:
            for connection in connections.every_connection():
                await connection.close()

    async def use_file(self, path: str) -> None:
        """Point the engine at another database file (tests give each test its own)."""
        await self.close()
        self.path = path


async def _fetch_all(
    connection: aiosqlite.Connection, query: str, args: list[Any] | None
) -> list[dict[str, Any]]:
    """Run a statement and read it to its end in one call on the connection's thread, so
    that no other statement runs on that connection in between."""
    rows = await connection.execute_fetchall(query, args or [])
    return cast(list[dict[str, Any]], rows)


class _WriteTransaction(SQLiteTransaction):
    """A transaction on the writer connection, holding the engine's write lock throughout."""

    __slots__ = ("_connections",)
    engine: PortalSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        connections = self.engine._current_connections()
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_SECONDS):
                await connections.write_lock.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError(
                f"database is locked: another write held it for {SQLITE_BUSY_TIMEOUT_SECONDS}s"
            ) from None
        try:
            self.connection = await self.engine._writer(connections)
            await _fetch_all(self.connection, f"BEGIN {self.transaction_type.value}", None)
        except BaseException:
            connections.write_lock.release()
            raise
        self._connections = connections
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is None:
                if not self._committed and not self._rolled_back:
                    await self.commit()
            elif not self._rolled_back:
                await self.rollback()
        except BaseException:
            # COMMIT or ROLLBACK failed (or was cancelled half-way): the writer's state is
            # unknown, so it goes, and with it whatever it left open.
            self.engine._discard_writer(self._connections)
            if exception is None:
                raise
        finally:
            self.engine.current_transaction.reset(self.context)
            self._connections.write_lock.release()
        return exception is None


def engine_from_url(url: str) -> Engine:
    """Build the Piccolo engine for a DATABASE_URL (sqlite:///file or postgresql://...)."""
    if url.startswith("sqlite:///"):
        return PortalSQLiteEngine(path=url.removeprefix("sqlite:///"))
    if urlsplit(url).scheme in ("postgres", "postgresql"):
        # Piccolo would otherwise try to create the uuid-ossp extension, which needs
        # a superuser; UUIDs are generated in Python.
        return PostgresEngine(config={"dsn": url}, extensions=())
    raise ValueError(f"unsupported DATABASE_URL {url!r}")


# The process's engine: one per process (SQLite's one writer is one engine's lock).
_engine: Engine | None = None


def current_engine() -> Engine:
    """The engine for the installed settings' DATABASE_URL, made on first use; piccolo_conf
    hands this same engine to Piccolo, so tables and migrations use it too."""
    global _engine
    if _engine is None:
        _engine = engine_from_url(current_settings().database_url)
    return _engine


def is_sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def contains_text(column: Any, text: str) -> Any:
    """A case-insensitive substring match on ``column`` for a search box: ILIKE on
    PostgreSQL; LIKE on SQLite, which already ignores case for Latin letters (and has no
    ILIKE: Piccolo would fall back with a warning)."""
    pattern = f"%{text}%"
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


def one_of(column: Any, ids: Iterable[int] | Parameter) -> Any:
    """``column`` is one of these ids, sent as ONE parameter whatever their number: an
    array with ``= ANY`` on PostgreSQL, a JSON list read by ``json_each`` on SQLite.
    Piccolo's ``is_in`` binds one parameter per id, and building a query with thousands
    of them cost a line sheet most of its time (issue 21). In a prepared statement the ids
    are a ``Parameter``, given when it runs. A column reached through a join is named by
    its join's alias, as Piccolo names it in the rest of the statement."""
    name = column._meta.get_full_name(with_alias=False)
    if isinstance(ids, Parameter):
        return WhereRaw(one_of_sql(name), Parameter(ids.name, list_parameter))
    return WhereRaw(one_of_sql(name), list_parameter(ids))


def one_of_sql(expression: str) -> str:
    """The same test in raw SQL, for ``raw()`` queries: ``expression`` is one of the ids
    in the parameter ``{}`` made by ``list_parameter``."""
    if is_sqlite():
        return f"{expression} IN (SELECT value FROM json_each({{}}))"
    return f"{expression} = ANY({{}})"


def list_parameter(ids: Iterable[int]) -> Any:
    wanted = sorted({int(value) for value in ids})
    return json.dumps(wanted) if is_sqlite() else wanted


def one_of_text(column: Any, values: Iterable[str] | Parameter) -> Any:
    """``column`` is one of these strings (codes, barcodes, references, kinds), sent as ONE
    parameter as ``one_of`` sends ids (a ``Parameter`` in a prepared statement)."""
    name = column._meta.get_full_name(with_alias=False)
    if isinstance(values, Parameter):
        return WhereRaw(one_of_sql(name), Parameter(values.name, text_list_parameter))
    return WhereRaw(one_of_sql(name), text_list_parameter(values))


def text_list_parameter(values: Iterable[str]) -> Any:
    wanted = sorted(set(values))
    return json.dumps(wanted) if is_sqlite() else wanted


def json_rows(columns: dict[str, str], alias: str = "v") -> str:
    """The rows of one JSON parameter ``{}`` (a list of objects, e.g. from
    ``msgspec.json.encode(rows).decode()``) as a table ``alias`` with these columns (name ->
    PostgreSQL type: integer, text, numeric, boolean, uuid), for set-based raw statements:
    ``json_each`` on SQLite, ``jsonb_to_recordset`` on PostgreSQL. Thousands of rows cost
    one statement and one parameter, never one per row."""
    if is_sqlite():
        picked = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name in columns)
        return f"(SELECT {picked} FROM json_each({{}})) AS {alias}"
    typed = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    return f"jsonb_to_recordset(CAST({{}} AS jsonb)) AS {alias}({typed})"


def write_transaction() -> Any:
    """A transaction for changes: on SQLite it waits for the write lock and begins
    IMMEDIATE, so it never fails half-way for want of the lock."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def after_position(
    columns: Sequence[Column], position: Sequence[Any], *, descending: bool = False
) -> Any:
    """Keyset paging: the condition for rows after ``position`` (the values of ``columns``
    of the last row shown) in the ascending order of ``columns`` (descending: all of them
    descending), the last of which is unique: (a > x) OR (a = x AND b > y)... A page then
    costs the same wherever it starts (no OFFSET); the API hands the position out as an
    opaque cursor (api.encode_cursor)."""
    condition: Any = None
    for index in reversed(range(len(columns))):
        later = columns[index] < position[index] if descending else columns[index] > position[index]
        condition = (
            later
            if condition is None
            else later | ((columns[index] == position[index]) & condition)
        )
    return condition


async def claim_due(
    table: type[Table],
    *,
    due: Any,
    order_by: Sequence[Column],
    batch: int,
    claim: Mapping[Column | str, Any],
    still_due: Any,
    returning: Sequence[Column],
) -> list[dict[str, Any]]:
    """Inside the caller's write transaction: take up to ``batch`` rows that are ``due``
    (oldest first by ``order_by``) for this worker by setting ``claim`` on them, and return
    their ``returning`` columns in that order. Any number of workers may claim at once;
    none ever takes a row another took.

    PostgreSQL: the candidates are locked with FOR UPDATE SKIP LOCKED, so a concurrent
    claimer passes over them and takes the next ones instead of waiting. SQLite: the
    IMMEDIATE write transaction already serialises claimers. Either way the update only
    takes rows still ``still_due`` (the claim's own condition, on the table's columns
    only: ``due`` may also look at joined tables), so a row is claimed once.
    """
    key = table._meta.primary_key._meta.name
    if key not in {column._meta.name for column in returning}:
        returning = (*returning, table._meta.primary_key)
    candidates = table.select(table._meta.primary_key).where(due).order_by(*order_by).limit(batch)
    if not is_sqlite():
        candidates = candidates.lock_rows(skip_locked=True, of=(table,))
    ids = [row[key] for row in await candidates]
    if not ids:
        return []
    claimed = await (
        table.update(dict(claim))
        .where(table._meta.primary_key.is_in(ids), still_due)
        .returning(*returning)
    )
    position = {row_id: index for index, row_id in enumerate(ids)}
    return sorted(claimed, key=lambda row: position[row[key]])


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
    """Start what the engine needs to serve requests; True if a pool was started here.

    The PostgreSQL pool opens its connections when requests need them, so the server
    starts (and answers /healthz, while /readyz says what is wrong) when the database
    is down, and serves as soon as it is back.
    """
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            return False
        await engine.start_connection_pool(
            min_size=0,
            max_size=POOL_SIZE,
            reset=_keep_session_as_it_is,
            statement_cache_size=STATEMENTS_KEPT_PER_CONNECTION,
        )
        return True
    return False


# Connections per web process: N processes hold N times as many (docs/SCALING.md).
POOL_SIZE = 10
# asyncpg keeps each connection's statements prepared, the 100 used last by default; the
# benchmark's mix alone sends 109 different ones (bench/RESULTS.md, issue 21), so with the
# default a connection kept evicting and preparing again, each time a round trip and a
# plan in PostgreSQL and asyncpg's own work. A few hundred simple plans are a few MB a
# connection.
STATEMENTS_KEPT_PER_CONNECTION = 500


async def _keep_session_as_it_is(connection: Any) -> None:
    """What a connection goes through on its way back to the pool, besides asyncpg's own
    rollback of a transaction left open: nothing. asyncpg's default sends "SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL" after every query run
    outside a transaction, a second round trip that cost more than the query (0.07-0.18 ms
    of this process's CPU and 0.06-0.08 ms of PostgreSQL's per query; bench/RESULTS.md).
    The portal leaves nothing on a session to undo: no SET outside a transaction (SET
    LOCAL ends with it), advisory locks only per transaction (pg_advisory_xact_lock), no
    LISTEN, no cursor outside a transaction."""


async def close_database(started_pool: bool) -> None:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        if started_pool:
            await engine.close_connection_pool()
    elif isinstance(engine, PortalSQLiteEngine):
        await engine.close()


@cache
def code_migrations() -> frozenset[tuple[str, str]]:
    """Every migration in the code, as (app name, migration id), as Piccolo finds them."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    finder = BaseMigrationManager()
    return frozenset(
        (module.APP_CONFIG.app_name, migration_id)
        for module in finder.get_app_modules()
        for migration_id in finder.get_migration_modules(
            module.APP_CONFIG.resolved_migrations_folder_path
        )
    )


async def readiness() -> dict[str, Any]:
    """What /readyz reports: ready when the database answers within
    READINESS_TIMEOUT_SECONDS and has run every migration in the code.

    ``problems`` says what is wrong, in words for whoever runs the server; the errors'
    details (addresses, paths) go to the log, not to the public answer.
    """
    engine = current_engine()
    report: dict[str, Any] = {
        "status": "ready",
        "database": "sqlite" if isinstance(engine, SQLiteEngine) else "postgresql",
        "problems": [],
    }
    step = "the database does not answer"
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await engine.run_querystring(QueryString("SELECT 1 AS answer"))
            step = "the migration table cannot be read: run `threadline migrate`"
            ran = await engine.run_querystring(QueryString("SELECT app_name, name FROM migration"))
    except TimeoutError:
        report["problems"].append(f"{step} (no answer within {READINESS_TIMEOUT_SECONDS:g} s)")
    except Exception as error:  # readiness reports any failure instead of raising it
        logger.warning("not ready: %s", step, exc_info=True)
        report["problems"].append(f"{step} ({type(error).__name__})")
    else:
        pending = sorted(code_migrations() - {(row["app_name"], row["name"]) for row in ran})
        if pending:
            report["problems"].append(
                f"{len(pending)} migration(s) not run: run `threadline migrate`"
            )
            report["pending_migrations"] = [f"{app} {migration}" for app, migration in pending]
    if report["problems"]:
        report["status"] = "unavailable"
    return report
