"""Bulk inserts the demo loaders share."""

from __future__ import annotations

import uuid
from typing import Any


async def insert_returning_ids(table: type[Any], rows: list[Any]) -> dict[uuid.UUID, int]:
    """Bulk insert rows that carry a uuid; map uuid -> id."""
    if not rows:
        return {}
    result = await table.insert(*rows).returning(table.id, table.uuid).run()
    return {uuid.UUID(str(row["uuid"])): row["id"] for row in result}
