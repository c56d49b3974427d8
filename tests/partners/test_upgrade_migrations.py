"""Upgrading a database that already holds partners: every migration since runs, and the
partners get their status history (the backfill once ran before its table existed)."""

import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Migrates the partners app as it stood on 2026-11-23, adds a partner as a user of that
# version would have, then runs every migration as `threadline migrate` does.
UPGRADE = """
import asyncio, sys
sys.path.insert(0, {repo!r})
from partner_portal.settings import install, load_settings
install(load_settings())

async def main():
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.engine import engine_finder
    first = await run_forwards(app_name="partners", migration_id="2026-11-23T12:05:00:000000")
    assert first.success, first.message
    await engine_finder().run_ddl(
        "INSERT INTO organisation (uuid, legal_name, kind, status, tier, created_at) VALUES "
        "('0b6f2d6e-1111-4c3a-9a55-000000000001', '杭州织造', 'distributor', 'active', 'gold', "
        "'2026-01-01T00:00:00+00:00')"
    )
    result = await run_forwards(app_name="all")
    assert result.success, result.message

asyncio.run(main())
"""


def test_a_database_with_partners_upgrades_and_gets_their_status_history(tmp_path: Path) -> None:
    database = tmp_path / "upgraded.sqlite3"
    environment = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin"}
    upgrade = subprocess.run(
        [sys.executable, "-c", UPGRADE.format(repo=str(REPO))],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    with sqlite3.connect(database) as connection:
        history = connection.execute(
            "SELECT partner_status_change.status, partner_status_change.tier "
            "FROM partner_status_change "
            "JOIN organisation ON organisation.id = partner_status_change.organisation "
            "WHERE organisation.legal_name = '杭州织造'"
        ).fetchall()
    assert history == [("active", "gold")]
