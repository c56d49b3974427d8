"""What one request's write transaction means for the other requests, on either database:
reads go on meanwhile and see only what is committed; a write cancelled half-way (the
client went away) saves nothing and lets the next write in."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest

from partner_portal.database import write_transaction
from partner_portal.partners.tables import Organisation
from tests.support import Cast


def as_another_request(coroutine: Any) -> asyncio.Task[Any]:
    """Run ``coroutine`` as a separate request would: outside this task's transaction."""
    return asyncio.create_task(coroutine, context=contextvars.Context())


async def legal_name(organisation_id: int) -> str:
    row = (
        await Organisation.select(Organisation.legal_name)
        .where(Organisation.id == organisation_id)
        .first()
    )
    assert row is not None
    return str(row["legal_name"])


async def test_a_read_goes_on_during_a_write_and_sees_only_what_is_committed(
    database: str, cast: Cast
) -> None:
    async with write_transaction():
        await Organisation.update({Organisation.legal_name: "未提交的名字"}).where(
            Organisation.id == cast.mill.id
        )
        seen_meanwhile = await as_another_request(legal_name(cast.mill.id))

    assert seen_meanwhile == cast.mill.legal_name
    assert await legal_name(cast.mill.id) == "未提交的名字"


async def test_a_write_cancelled_half_way_saves_nothing_and_the_next_write_goes_in(
    database: str, cast: Cast
) -> None:
    inside = asyncio.Event()
    never = asyncio.Event()

    async def interrupted() -> None:
        async with write_transaction():
            await Organisation.update({Organisation.legal_name: "半途而废"}).where(
                Organisation.id == cast.mill.id
            )
            inside.set()
            await never.wait()

    request = as_another_request(interrupted())
    await inside.wait()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    async with write_transaction():
        await Organisation.update({Organisation.legal_name: "华东银行总行"}).where(
            Organisation.id == cast.bank.id
        )

    assert await legal_name(cast.mill.id) == cast.mill.legal_name
    assert await legal_name(cast.bank.id) == "华东银行总行"
