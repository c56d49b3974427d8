"""database.claim_due, the one way workers take due rows (the e-mail outbox, webhook
deliveries, follow-up reminders): claimers at the same moment never take the same row, on
SQLite (one writer at a time) and PostgreSQL (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from partner_portal.database import claim_due, is_sqlite, write_transaction
from partner_portal.notifications.tables import MailState, OutboxEmail

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _due_rows(count: int) -> list[int]:
    rows = await OutboxEmail.insert(
        *(
            OutboxEmail(
                kind="test",
                recipient=f"buyer{number}@jincheng.test",
                subject=f"订单 {number}",
                body_text="您的订单已确认。",
                next_attempt_at=NOW - timedelta(minutes=number),
                created_at=NOW,
            )
            for number in range(count)
        )
    ).returning(OutboxEmail.id)
    return [row["id"] for row in rows]


async def _claim(worker: str, batch: int) -> list[int]:
    async with write_transaction():
        return await _claim_in_transaction(worker, batch)


async def _claim_in_transaction(worker: str, batch: int) -> list[int]:
    claimed = await claim_due(
        OutboxEmail,
        due=(OutboxEmail.state == MailState.due) & (OutboxEmail.next_attempt_at <= NOW),
        order_by=(OutboxEmail.next_attempt_at, OutboxEmail.id),
        batch=batch,
        claim={OutboxEmail.state: MailState.sending, OutboxEmail.claimed_by: worker},
        still_due=OutboxEmail.state == MailState.due,
        returning=(OutboxEmail.subject,),
    )
    return [row["id"] for row in claimed]


async def test_claimers_at_once_take_every_due_row_once(database: str) -> None:
    made = await _due_rows(12)

    taken = await asyncio.gather(*(_claim(f"worker-{number}", 3) for number in range(6)))

    every = [row_id for claimed in taken for row_id in claimed]
    assert sorted(every) == sorted(made)  # each row once: none twice, none left
    owners = {
        row["id"]: row["claimed_by"]
        for row in await OutboxEmail.select(OutboxEmail.id, OutboxEmail.claimed_by)
    }
    for number, claimed in enumerate(taken):
        assert all(owners[row_id] == f"worker-{number}" for row_id in claimed)


async def test_a_claim_takes_the_oldest_due_rows_first(database: str) -> None:
    made = await _due_rows(5)  # each later row was due a minute earlier

    first = await _claim("worker-1", 2)
    second = await _claim("worker-2", 10)

    assert first == [made[4], made[3]]
    assert second == [made[2], made[1], made[0]]
    assert await _claim("worker-3", 10) == []


async def test_a_claimer_passes_over_rows_another_still_holds(database: str) -> None:
    """PostgreSQL: while one claimer's transaction holds its rows, a second claims the
    next ones at once rather than waiting (SQLite has one writer: the second waits)."""
    if is_sqlite():
        pytest.skip("SQLite lets one writer in at a time: the first test shows it")
    made = await _due_rows(4)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first_claimer() -> list[int]:
        async with write_transaction():
            claimed = await _claim_in_transaction("worker-1", 2)
            holding.set()
            await release.wait()
        return claimed

    first = asyncio.create_task(first_claimer())
    await holding.wait()
    second = await asyncio.wait_for(_claim("worker-2", 10), timeout=60)  # never blocks
    release.set()

    assert await first == [made[3], made[2]]
    assert second == [made[1], made[0]]
