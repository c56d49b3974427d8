"""Sixteen people writing at once on a real server: no 5xx, and every saved row is found.

Eight signed-in people write timeline notes through the pages and open the partner page
the form redirects to; eight API clients create order drafts and read each one back.
The load is bench/concurrent_writes.py's, a few writes per writer (the script runs it
for a minute).
"""

from __future__ import annotations

import httpx
import pytest

from bench.concurrent_writes import (
    DraftWriter,
    NoteWriter,
    WriteLoad,
    rows_not_found,
    write_concurrently,
)
from bench.run import log_in
from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from tests.orders.support import make_shop
from tests.portal.serve_command import ServeCommand
from tests.support import PASSWORD, Cast, Member, Org

WRITES_EACH = 4


async def note_writers(base_url: str, cast: Cast) -> list[NoteWriter]:
    """Eight sessions, signed in through the login page, each on a partner it may log on."""
    pairs: list[tuple[Member, Org]] = [
        (cast.admin, cast.distributor_a),
        (cast.admin, cast.mill),
        (cast.kam, cast.distributor_a),
        (cast.kam, cast.retailer_a),
        (cast.other_kam, cast.distributor_b),
        (cast.other_kam, cast.mill),
        (cast.staff, cast.bank),
        (cast.staff, cast.retailer_a),
    ]
    writers = []
    for member, partner in pairs:
        async with httpx.AsyncClient(base_url=base_url) as client:
            await log_in(client, member.email, PASSWORD)
            writers.append(NoteWriter(dict(client.cookies.items()), str(partner.uuid)))
    return writers


async def draft_writers(cast: Cast) -> list[DraftWriter]:
    """Eight API clients, each with its own token, ordering for a buyer it may order for."""
    await make_shop(1)
    pairs: list[tuple[Member, Org, str]] = [
        (cast.distributor, cast.distributor_a, "S"),
        (cast.distributor_colleague, cast.distributor_a, "M"),
        (cast.other_distributor, cast.distributor_b, "L"),
        (cast.retailer, cast.retailer_a, "S"),
        (cast.kam, cast.distributor_a, "M"),
        (cast.kam, cast.retailer_a, "L"),
        (cast.other_kam, cast.distributor_b, "S"),
        (cast.admin, cast.distributor_b, "M"),
    ]
    writers = []
    for member, buyer, size in pairs:
        token = await create_api_token(await viewer_for_user_id(member.id), "load")
        line = {"style": "SS27-001", "colour": "BLK", "size": size, "quantity": 3}
        writers.append(DraftWriter(token, str(buyer.uuid), line))
    return writers


def assert_every_write_went_through(load: WriteLoad, missing_rows: list[str]) -> None:
    assert load.server_errors == 0, load.unexpected[:5]
    assert load.unexpected == []
    assert load.missing_after_save == []
    assert len(load.notes) == len(load.drafts) == 8 * WRITES_EACH
    assert missing_rows == []


async def write_at_once_and_check(base_url: str, cast: Cast) -> None:
    notes = await note_writers(base_url, cast)
    drafts = await draft_writers(cast)

    load = await write_concurrently(base_url, notes, drafts, writes_each=WRITES_EACH)

    assert_every_write_went_through(load, await rows_not_found(load))


async def test_sixteen_concurrent_writers_get_no_error_and_every_saved_row_is_found(
    live_server: str, cast: Cast
) -> None:
    await write_at_once_and_check(live_server, cast)


async def test_two_server_processes_on_one_database_lose_no_write(
    database: str, is_postgres: bool, cast: Cast
) -> None:
    if is_postgres:
        pytest.skip("PostgreSQL serves many processes by design; the question is SQLite's")
    serve = ServeCommand(database, "--workers", "2")
    url = await serve.start(processes=2)
    try:
        await write_at_once_and_check(url, cast)
    finally:
        await serve.stop()
