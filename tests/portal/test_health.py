"""/healthz says the process answers; /readyz says whether it can serve: its database
answers and has run every migration in the code. A load balancer that watches /readyz
sends no traffic to a node whose database is gone (issue 14, finding 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from piccolo.apps.migrations.tables import Migration

from partner_portal.database import close_database, current_engine, open_database
from tests.conftest import _free_port
from tests.support import PortalClient


@pytest.fixture
async def unreachable_database(
    database: str, is_postgres: bool, work_dir: Path
) -> AsyncIterator[None]:
    """The engine pointed at a database that cannot be reached, for the test's length:
    PostgreSQL at a port nothing listens on, SQLite at a file in a missing directory."""
    engine: Any = current_engine()
    if is_postgres:
        config = engine.config
        await engine.close_connection_pool()
        engine.config = {"dsn": f"postgresql://postgres@127.0.0.1:{_free_port()}/gone"}
        try:
            # The server starts as it would (its pool) although the database is down.
            started_pool = await open_database()
            yield
            await close_database(started_pool)
        finally:
            engine.config = config
            await engine.start_connection_pool(min_size=1, max_size=4)
        return
    await engine.use_file(str(work_dir / "no-such-directory" / "portal.sqlite3"))
    try:
        yield
    finally:
        await engine.use_file(database.removeprefix("sqlite:///"))


async def test_a_healthy_node_is_alive_and_ready(client: PortalClient) -> None:
    alive = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["problems"] == []


async def test_a_node_whose_database_is_unreachable_is_alive_but_not_ready(
    client: PortalClient, unreachable_database: None
) -> None:
    alive = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert alive.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    (problem,) = ready.json()["problems"]
    assert problem.startswith("the database does not answer")


async def test_a_node_whose_database_has_not_run_a_migration_is_not_ready(
    client: PortalClient, database: str
) -> None:
    row_id = Migration._meta.primary_key
    newest = await Migration.select().order_by(row_id, ascending=False).first()
    assert newest is not None
    await Migration.delete().where(row_id == newest["id"])
    try:
        ready = await client.get("/readyz")
    finally:
        # PostgreSQL keeps the migration table between tests.
        await Migration.insert(Migration(**newest)).run()

    assert ready.status_code == 503
    assert ready.json()["problems"] == ["1 migration(s) not run: run `threadline migrate`"]
    assert ready.json()["pending_migrations"] == [f"{newest['app_name']} {newest['name']}"]
