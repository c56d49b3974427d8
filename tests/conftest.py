"""Shared fixtures: a database per test, the app, a client, and the fixed cast.

The suite runs on SQLite by default and on PostgreSQL with ``--database=postgresql``
(TEST_DATABASE_URL names the database). SQLite: the migrated template file is copied
for each test. PostgreSQL: migrated once, tables truncated before each test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.http_receiver import receiver  # noqa: F401 (a fixture for every test)
from tests.support import Cast, Demo, PortalClient, build_cast

POSTGRES_ONLY_REASON = "needs PostgreSQL: set TEST_DATABASE_URL (CI does)"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="which database the suite runs on (PostgreSQL from TEST_DATABASE_URL)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Piccolo binds the engine on first use, so the URL is fixed before any test module imports it.
    # One directory per run, so runs side by side do not delete each other's databases.
    work_dir = Path(os.environ.get("TEST_WORK_DIR", "var/test")) / f"run-{os.getpid()}"
    work_dir.mkdir(parents=True)
    config.stash[WORK_DIR] = work_dir
    if config.getoption("--database") == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL", "")
        if not url:
            raise pytest.UsageError("--database=postgresql needs TEST_DATABASE_URL")
        os.environ["DATABASE_URL"] = _database_of_this_worker(url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{work_dir / 'template.sqlite3'}"
    os.environ["THREADLINE_ENV"] = "test"
    # The run's own key: nothing in the suite may depend on a key known in advance.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)
    # Uploaded pictures and issued PDFs of this run stay in its work directory.
    os.environ["MEDIA_DIR"] = str(work_dir / "media")
    os.environ.setdefault("BASE_URL", "http://testserver")
    # Tests fire a hundred requests at once on a machine shared with other test processes;
    # they test what happens to those requests, not load shedding (test_load_shedding.py
    # sets its own limits), so none is refused for waiting.
    os.environ["MAX_QUEUE_MS"] = "60000"
    # The suite's composition root: the process's settings (and so its engine) come from here.
    from partner_portal.settings import install, load_settings

    install(load_settings())


WORK_DIR = pytest.StashKey[Path]()


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker truncates its own PostgreSQL database (the named one
    with the worker's suffix, created if missing), so workers never empty each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import asyncio

    import asyncpg

    base, _, name = url.rpartition("/")
    worker_url = f"{base}/{name}_{worker}"

    async def create() -> None:
        connection = await asyncpg.connect(f"{base}/postgres")
        try:
            exists = await connection.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", f"{name}_{worker}"
            )
            if not exists:
                await connection.execute(f'CREATE DATABASE "{name}_{worker}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return worker_url


def pytest_unconfigure(config: pytest.Config) -> None:
    if WORK_DIR in config.stash:
        shutil.rmtree(config.stash[WORK_DIR], ignore_errors=True)


@pytest.fixture(scope="session")
def work_dir(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.stash[WORK_DIR]


@pytest.fixture(scope="session")
def is_postgres(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--database") == "postgresql")


@pytest.fixture(scope="session")
async def migrated_database(is_postgres: bool) -> AsyncIterator[None]:
    from partner_portal.cli import migrate
    from partner_portal.database import current_engine

    engine = current_engine()
    if is_postgres:
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    await migrate()
    if is_postgres:
        await engine.start_connection_pool(min_size=1, max_size=4)  # type: ignore[call-arg]
    yield
    if is_postgres:
        await engine.close_connection_pool()  # type: ignore[attr-defined]


@pytest.fixture
async def database(
    migrated_database: None, is_postgres: bool, work_dir: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """A fresh, migrated, empty database for this test; yields its DATABASE_URL."""
    from partner_portal.database import current_engine

    engine = current_engine()
    if is_postgres:
        await engine.run_ddl(EMPTY_EVERY_TABLE)
        yield os.environ["DATABASE_URL"]
        return
    path = work_dir / f"{request.node.name[:60].replace('/', '_')}-{id(request)}.sqlite3"
    shutil.copyfile(work_dir / "template.sqlite3", path)
    await engine.use_file(str(path))  # type: ignore[attr-defined]
    yield f"sqlite:///{path}"
    await engine.close()  # type: ignore[attr-defined]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# Deleting a test's few rows costs ~15 ms where TRUNCATE of the ~90 tables cost ~400 ms per test
# (TRUNCATE makes new files for every table). Foreign-key triggers are off while deleting
# (replica role; the suite connects as a superuser) so the order of tables does not matter,
# and sequences that moved start again at 1, as TRUNCATE ... RESTART IDENTITY did.
EMPTY_EVERY_TABLE = """
DO $$
DECLARE
    name text;
BEGIN
    SET LOCAL session_replication_role = replica;
    FOR name IN
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'
    LOOP
        EXECUTE format('DELETE FROM %I', name);
    END LOOP;
    FOR name IN
        SELECT sequencename FROM pg_sequences
        WHERE schemaname = 'public' AND last_value IS NOT NULL
    LOOP
        PERFORM setval(quote_ident(name)::regclass, 1, false);
    END LOOP;
END $$
"""


@dataclass
class DemoSnapshot:
    summary: str
    media_dir: Path
    sqlite_file: Path | None = None
    postgres_tables: dict[str, bytes] = field(default_factory=dict)


@pytest.fixture(scope="session")
def demo_snapshots() -> list[DemoSnapshot]:
    return []


@pytest.fixture
async def demo(
    database: str, is_postgres: bool, work_dir: Path, demo_snapshots: list[DemoSnapshot]
) -> Demo:
    """The full demo data set in this test's database.

    Loading it takes ~20 s, so each worker loads it once, keeps a copy of the rows (the file
    on SQLite; every table's rows in COPY's binary format on PostgreSQL) and restores that
    copy for the next test that asks (under a second). The pictures stay in one directory.
    """
    from partner_portal.app import PLUGINS, register_plugins
    from partner_portal.demo import load_demo_data

    if demo_snapshots:
        snapshot = demo_snapshots[0]
        if is_postgres:
            await _restore_postgres_rows(snapshot.postgres_tables)
        else:
            assert snapshot.sqlite_file is not None
            await _restore_sqlite_file(snapshot.sqlite_file, database)
        return Demo(snapshot.summary, snapshot.media_dir)
    register_plugins()
    media_dir = work_dir / "demo-media"
    summary = await load_demo_data(only_if_empty=True, plugins=PLUGINS, media_dir=media_dir)
    snapshot = DemoSnapshot(summary, media_dir)
    if is_postgres:
        snapshot.postgres_tables = await _copy_postgres_rows()
    else:
        snapshot.sqlite_file = work_dir / "demo.sqlite3"
        await _copy_sqlite_file(database, snapshot.sqlite_file)
    demo_snapshots.append(snapshot)
    return Demo(summary, media_dir)


async def _copy_sqlite_file(database: str, copy: Path) -> None:
    from partner_portal.database import current_engine

    engine = current_engine()
    path = database.removeprefix("sqlite:///")
    await engine.close()  # type: ignore[attr-defined]
    await asyncio.to_thread(_vacuum_into, path, copy)
    await engine.use_file(path)  # type: ignore[attr-defined]


def _vacuum_into(path: str, copy: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("VACUUM INTO ?", (str(copy),))
    connection.close()


async def _restore_sqlite_file(copy: Path, database: str) -> None:
    from partner_portal.database import current_engine

    engine = current_engine()
    path = database.removeprefix("sqlite:///")
    await engine.close()  # type: ignore[attr-defined]
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, path)
    await engine.use_file(path)  # type: ignore[attr-defined]


async def _copy_postgres_rows() -> dict[str, bytes]:
    import io

    from partner_portal.database import current_engine

    engine = current_engine()
    rows: dict[str, bytes] = {}
    async with engine.pool.acquire() as connection:  # type: ignore[attr-defined]
        names = await connection.fetch(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
        for record in names:
            buffer = io.BytesIO()
            await connection.copy_from_table(record["tablename"], output=buffer, format="binary")
            rows[record["tablename"]] = buffer.getvalue()
    return rows


async def _restore_postgres_rows(rows: dict[str, bytes]) -> None:
    import io

    from partner_portal.database import current_engine

    engine = current_engine()
    pool = engine.pool  # type: ignore[attr-defined]
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SET LOCAL session_replication_role = replica")
        for table, content in rows.items():
            await connection.copy_to_table(table, source=io.BytesIO(content), format="binary")
        await connection.execute(RESTART_SEQUENCES_AFTER_THEIR_ROWS)


# After rows were copied in with their ids, each sequence continues after its column's highest.
RESTART_SEQUENCES_AFTER_THEIR_ROWS = """
DO $$
DECLARE
    owned record;
BEGIN
    FOR owned IN
        SELECT sequence.relname AS sequence_name, owner.relname AS table_name,
               column_.attname AS column_name
        FROM pg_class sequence
        JOIN pg_depend link ON link.objid = sequence.oid AND link.deptype = 'a'
        JOIN pg_class owner ON owner.oid = link.refobjid
        JOIN pg_attribute column_
            ON column_.attrelid = owner.oid AND column_.attnum = link.refobjsubid
        WHERE sequence.relkind = 'S'
    LOOP
        EXECUTE format(
            'SELECT setval(%L, COALESCE((SELECT max(%I) FROM %I), 0) + 1, false)',
            owned.sequence_name, owned.column_name, owned.table_name
        );
    END LOOP;
END $$
"""


@pytest.fixture(scope="session", autouse=True)
def _registries_filled() -> None:
    """Every module's plugin fills the kernel's registries, as the composition roots do
    before anything runs: a service called without the app (recording a domain event of
    a module's kind, checking an order) finds them filled whatever ran before it."""
    from partner_portal.app import register_plugins

    register_plugins()


@pytest.fixture(autouse=True)
def _suite_settings_again_after_each_test() -> Iterator[None]:
    """A test that builds an app with settings of its own installs them (as create_app
    does); the next test starts from the suite's again."""
    from partner_portal import settings

    suite_settings = settings.current_settings()
    yield
    settings.install(suite_settings)


@pytest.fixture
def settings(database: str):  # type: ignore[no-untyped-def]
    from partner_portal.settings import load_settings

    # Tests change users straight in the database between requests, as another process
    # would: the viewer cache (accounts/session_cache.py) is off here, and on in its tests.
    return load_settings(
        {
            **os.environ,
            "DATABASE_URL": database,
            "LOGIN_MAX_FAILURES": "5",
            "SESSION_CACHE_SECONDS": "0",
        }
    )


@pytest.fixture(scope="session")
def built_apps() -> dict[tuple[object, ...], Any]:
    return {}


@pytest.fixture
def app(settings, built_apps: dict[tuple[object, ...], Any]):  # type: ignore[no-untyped-def]
    """The portal with this test's settings.

    Building it costs ~0.5 s (Litestar inspects every handler's signature), so each worker
    builds it once per set of values the build reads and hands each test its own settings,
    which handlers read from app.state at request time.
    """
    from partner_portal.app import create_app
    from partner_portal.settings import install

    read_at_build = (settings.secret_key, settings.secure_cookies, settings.template_auto_reload)
    if read_at_build not in built_apps:
        built_apps[read_at_build] = create_app(settings)
    built = built_apps[read_at_build]
    built.state.settings = install(settings)
    return built


@pytest.fixture
async def client(app) -> AsyncIterator[PortalClient]:  # type: ignore[no-untyped-def]
    async with PortalClient.for_app(app) as portal_client:
        yield portal_client


@pytest.fixture
async def cast(database: str) -> Cast:
    return await build_cast()


@pytest.fixture
def frozen_clock() -> AsyncIterator[object]:  # type: ignore[misc]
    from partner_portal.clock import clock

    yield clock
    clock.frozen_at = None


CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def live_server(app, settings) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """This test's portal served over HTTP by uvicorn in the test's event loop; yields its URL.

    The app is the test's own (already built, on this test's database); a `threadline serve`
    subprocess took 5-15 s to start on a busy machine. tests/portal/test_serve.py runs the
    real command once.
    """
    import dataclasses
    import socket

    import uvicorn

    # The socket listens before uvicorn starts: a browser that connects first simply waits
    # in the backlog until the server accepts, so nothing has to poll for readiness.
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    url = f"http://127.0.0.1:{listening.getsockname()[1]}"
    from partner_portal.settings import install

    app.state.settings = install(dataclasses.replace(settings, base_url=url))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield url
    finally:
        server.should_exit = True
        await serving
        listening.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    # Generous waits: on a busy 2-CPU CI machine htmx's answer can take a few seconds.
    expect.set_options(timeout=15_000)
    context = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    opened = await context.new_page()
    yield opened
    await context.close()
