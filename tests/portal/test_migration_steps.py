"""SQLite refuses to drop a UNIQUE column; migrations first rebuild the table without the
constraint, and every row, index and reference to the table must come through whole."""

from __future__ import annotations

import pytest
from piccolo.querystring import QueryString

from partner_portal.database import current_engine
from partner_portal.migration_steps import drop_unique_on_sqlite


async def _run(statement: str) -> list[dict[str, object]]:
    return list(await current_engine().run_querystring(QueryString(statement)))


async def test_a_unique_column_can_be_dropped_after_the_rebuild_with_nothing_lost(
    database: str, is_postgres: bool
) -> None:
    if is_postgres:
        pytest.skip("PostgreSQL drops a column with its constraint")
    await _run(
        'CREATE TABLE "parcel" ("id" INTEGER PRIMARY KEY NOT NULL, '
        '"label" VARCHAR(20) NOT NULL DEFAULT \'\', "token" VARCHAR(80) UNIQUE DEFAULT null)'
    )
    await _run('CREATE INDEX parcel_label ON "parcel" ("label")')
    await _run(
        'CREATE TABLE "parcel_item" ("id" INTEGER PRIMARY KEY NOT NULL, "parcel" INTEGER '
        'REFERENCES "parcel" ("id") ON DELETE CASCADE)'
    )
    await _run("INSERT INTO parcel (id, label, token) VALUES (1, 'a', 'k1'), (2, 'b', NULL)")
    await _run("INSERT INTO parcel_item (id, parcel) VALUES (10, 1), (11, 1), (12, 2)")

    await drop_unique_on_sqlite("parcel", "token")

    # The rebuild dropped the old table without cascading to the items that refer to it.
    assert await _run("SELECT id, parcel FROM parcel_item ORDER BY id") == [
        {"id": 10, "parcel": 1},
        {"id": 11, "parcel": 1},
        {"id": 12, "parcel": 2},
    ]
    await _run('ALTER TABLE "parcel" DROP COLUMN "token"')
    assert await _run("SELECT id, label FROM parcel ORDER BY id") == [
        {"id": 1, "label": "a"},
        {"id": 2, "label": "b"},
    ]
    indexes = await _run("SELECT name FROM sqlite_master WHERE type = 'index'")
    assert {"name": "parcel_label"} in indexes
    # The items still refer to the rebuilt table, and foreign keys still hold.
    await _run("DELETE FROM parcel WHERE id = 1")
    assert await _run("SELECT id FROM parcel_item ORDER BY id") == [{"id": 12}]
    assert await _run("PRAGMA foreign_keys") == [{"foreign_keys": 1}]
