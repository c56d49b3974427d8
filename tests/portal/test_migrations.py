"""`threadline migrate` brings an empty database of either kind to the current schema."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import POSTGRES_ONLY_REASON

EXPECTED_TABLES = {
    "organisation",
    "app_user",
    "contact",
    "timeline_entry",
    "user_session",
    "audit_entry",
}


def run_migrate(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partner_portal.cli", "migrate"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_migrates_an_empty_sqlite_file_and_a_second_run_changes_nothing(work_dir: Path) -> None:
    path = work_dir / "fresh-migrate.sqlite3"
    first = run_migrate(f"sqlite:///{path}")
    assert first.returncode == 0, first.stderr
    second = run_migrate(f"sqlite:///{path}")
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(path) as connection:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert tables >= EXPECTED_TABLES


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason=POSTGRES_ONLY_REASON)
def test_it_migrates_an_empty_postgresql_database() -> None:
    server = urlsplit(os.environ["TEST_DATABASE_URL"])
    maintenance = urlunsplit(server._replace(path="/postgres"))
    # Named after the suite's own database, so suites run side by side never share it.
    name = f"{server.path.lstrip('/')}_migrate_check"
    fresh = urlunsplit(server._replace(path=f"/{name}"))
    for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", maintenance, "-qc", statement], check=True, capture_output=True)
    try:
        result = run_migrate(fresh)
        assert result.returncode == 0, result.stderr
        listed = subprocess.run(
            ["psql", fresh, "-Atc", "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"],
            check=True,
            capture_output=True,
            text=True,
        )
        assert set(listed.stdout.split()) >= EXPECTED_TABLES
        assert run_migrate(fresh).returncode == 0
    finally:
        subprocess.run(
            ["psql", maintenance, "-qc", f'DROP DATABASE IF EXISTS "{name}"'],
            capture_output=True,
        )
