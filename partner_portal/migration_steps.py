"""Schema changes Piccolo's migrations cannot make on SQLite by themselves."""

from __future__ import annotations

import re

from partner_portal.database import PortalSQLiteEngine, current_engine


async def drop_unique_on_sqlite(table: str, column: str) -> None:
    """Let ``column`` of ``table`` be dropped on SQLite, which refuses to drop a column
    declared UNIQUE: the table is rebuilt with the column's UNIQUE removed (SQLite's
    documented way to change a table's definition). Nothing to do on PostgreSQL, where
    dropping the column drops its constraint too.

    Run it as a raw step of a migration made with ``wrap_in_transaction=False``, before
    its drop_column: foreign keys must be off while the table is swapped (dropping the
    old table would otherwise cascade to the rows that refer to it), and SQLite only
    switches them off outside a transaction."""
    engine = current_engine()
    if not isinstance(engine, PortalSQLiteEngine):
        return
    connection = await engine.get_connection()
    try:
        await connection.execute("PRAGMA foreign_keys = OFF")
        await connection.execute("BEGIN IMMEDIATE")
        async with connection.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
            (table,),
        ) as cursor:
            schema = [dict(row) for row in await cursor.fetchall()]
        (definition,) = [row["sql"] for row in schema if row["type"] == "table"]
        indexes = [row["sql"] for row in schema if row["type"] == "index"]
        unique_column = re.compile(rf'("{re.escape(column)}" [^,"]*?) UNIQUE\b')
        if not unique_column.search(definition):
            await connection.execute("ROLLBACK")
            return
        rebuilt = f"{table}__rebuilt"
        await connection.execute(
            unique_column.sub(r"\1", definition, count=1).replace(
                f'CREATE TABLE "{table}"', f'CREATE TABLE "{rebuilt}"', 1
            )
        )
        await connection.execute(f'INSERT INTO "{rebuilt}" SELECT * FROM "{table}"')
        await connection.execute(f'DROP TABLE "{table}"')
        await connection.execute(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
        for index in indexes:
            await connection.execute(index)
        async with connection.execute("PRAGMA foreign_key_check") as cursor:
            broken = list(await cursor.fetchall())
        if broken:
            await connection.execute("ROLLBACK")
            raise RuntimeError(f"rebuilding {table} would break foreign keys: {broken[:5]}")
        await connection.execute("COMMIT")
    finally:
        await connection.close()
    # The engine's shared connection would check the drop against the table as it knew it.
    await engine.close()
