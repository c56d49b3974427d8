"""The demo data: a pipeline in every stage, registrations with a conflict, cases near
and past their SLA, a rebate programme with a year of ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from sales import cases
from sales.tables import DealRegistration, LedgerEntry, Opportunity, ServiceCase
from tests.support import Demo


async def test_the_demo_shows_every_part_of_sales(demo: Demo) -> None:
    assert "36 opportunities" in demo.summary
    stages = {row["stage"] for row in await Opportunity.select(Opportunity.stage)}
    assert stages == {"lead", "qualified", "proposal", "negotiation", "won", "lost"}
    assert await DealRegistration.count().where(DealRegistration.conflict_with.is_not_null()) == 1
    now = datetime.now(UTC)
    states = {cases.sla_state(row, now) for row in await ServiceCase.select()}
    assert {"breached", "at_risk", "ok"} <= states
    assert await LedgerEntry.count() >= 48
