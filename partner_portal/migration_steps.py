"""Schema changes Piccolo's migrations cannot make on SQLite by themselves."""

from __future__ import annotations

import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from partner_portal.database import PortalSQLiteEngine, current_engine


def drop_unique_column(
    *,
    migration_id: str,
    app_name: str,
    description: str,
    table_class_name: str,
    table: str,
    column: str,
) -> MigrationManager:
    """A migration dropping a UNIQUE column on both databases: on SQLite the table is
    first rebuilt without the constraint (drop_unique_on_sqlite), so not in one
    transaction. Piccolo reads the drop_column when it compares later schemas."""
    manager = MigrationManager(
        migration_id=migration_id,
        app_name=app_name,
        description=description,
        wrap_in_transaction=False,
    )

    async def allow_dropping() -> None:
        await drop_unique_on_sqlite(table, column)

    manager.add_raw(allow_dropping)
    manager.drop_column(
        table_class_name=table_class_name,
        tablename=table,
        column_name=column,
        db_column_name=column,
        schema=None,
    )
    return manager


async def drop_unique_on_sqlite(table: str, column: str) -> None:
    """Let ``column`` of ``table`` be dropped on SQLite, which refuses to drop a column
    declared UNIQUE: the table is rebuilt with the column's UNIQUE removed (SQLite's
    documented way to change a table's definition). Nothing to do on PostgreSQL, where
    dropping the column drops its constraint too.

    Foreign keys are off while the table is swapped (dropping the old table would
    otherwise cascade to the rows that refer to it), and SQLite only switches them off
    outside a transaction: hence drop_unique_column's migration runs without one."""
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
