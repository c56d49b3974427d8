"""The board's open columns read the stored stage totals (sales_opportunity_total, kept by
the database in each change's transaction): after creates, edits, moves, wins, losses and
deletes they equal a fresh sum over the opportunities, for every viewer."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from partner_portal.access import Viewer
from sales import opportunities, pipeline
from sales.access import SalesAction, get_opportunity, scoped_opportunities
from sales.tables import OPEN_STAGES, Opportunity, OpportunityTotal, Stage
from tests.sales.support import make_opportunity, viewer
from tests.support import Cast


async def _fresh_sums(who: Viewer) -> dict[Stage, tuple[int, dict[str, Decimal]]]:
    """Count and value per currency of each open stage, summed from the opportunities."""
    rows = await scoped_opportunities(
        Opportunity.select(Opportunity.stage, Opportunity.currency, Opportunity.expected_value),
        who,
    )
    counts: dict[Stage, int] = defaultdict(int)
    values: dict[Stage, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        stage = Stage(row["stage"])
        if stage in OPEN_STAGES:
            counts[stage] += 1
            values[stage][row["currency"]] += Decimal(row["expected_value"])
    return {stage: (counts[stage], dict(values[stage])) for stage in OPEN_STAGES}


async def _board_sums(who: Viewer) -> dict[Stage, tuple[int, dict[str, Decimal]]]:
    columns = await pipeline.board(who, pipeline.OpportunityFilters())
    return {
        column.stage: (column.count, dict(column.values))
        for column in columns
        if column.stage in OPEN_STAGES
    }


async def _move(who: Viewer, uuid: Any, stage: str, reason: str = "") -> None:
    opportunity = await get_opportunity(who, uuid, SalesAction.manage_opportunities)
    result = await opportunities.move_opportunity(
        who,
        opportunity,
        {"stage": stage, "version": str(opportunity.version), "lost_reason": reason},
    )
    assert result.saved, result.errors


async def _edit(who: Viewer, uuid: Any, **changes: str) -> None:
    opportunity = await get_opportunity(who, uuid, SalesAction.manage_opportunities)
    card = await pipeline.opportunity_view(who, uuid)
    result = await opportunities.update_opportunity(
        who, opportunity, {**opportunities.form_values(card), **changes}
    )
    assert result.saved, result.errors


async def test_the_board_totals_equal_a_fresh_sum_after_every_kind_of_change(
    cast: Cast,
) -> None:
    kam, other_kam, admin = (
        await viewer(cast.kam),
        await viewer(cast.other_kam),
        await viewer(cast.admin),
    )
    first = await make_opportunity(cast.kam, cast.distributor_a, "120000.50")
    second = await make_opportunity(cast.kam, cast.retailer_a, "80000")
    third = await make_opportunity(cast.kam, cast.bank, "45000", currency="USD")
    korean = await make_opportunity(cast.other_kam, cast.distributor_b, "90000000", currency="KRW")
    doomed = await make_opportunity(cast.other_kam, cast.mill, "30000")
    await make_opportunity(cast.kam, cast.distributor_a, "999.99", kind="new_distributor")

    await _move(kam, first, "qualified")
    await _move(kam, first, "proposal")
    await _move(kam, second, "won")
    await _move(kam, third, "negotiation")
    await _move(kam, third, "lost", reason="price")
    await _move(other_kam, korean, "proposal")
    await _edit(kam, first, expected_value="150000", currency="EUR")
    await _edit(other_kam, korean, expected_value="95000000")
    await Opportunity.delete().where(Opportunity.uuid == doomed)

    for who in (admin, kam, other_kam):
        assert await _board_sums(who) == await _fresh_sums(who)
    board = await _board_sums(admin)
    assert board[Stage.proposal] == (
        2,
        {"EUR": Decimal("150000.00"), "KRW": Decimal("95000000.00")},
    )
    assert board[Stage.lead] == (1, {"CNY": Decimal("999.99")})
    assert board[Stage.negotiation] == (0, {})


async def test_the_stored_totals_match_the_opportunities_row_for_row(cast: Cast) -> None:
    kam = await viewer(cast.kam)
    uuid = await make_opportunity(cast.kam, cast.distributor_a, "1000")
    await make_opportunity(cast.kam, cast.distributor_a, "2000")
    await _move(kam, uuid, "won")
    stored = {
        (row["organisation"], row["stage"], row["currency"]): (
            row["opportunities"],
            Decimal(str(row["total_value"])).quantize(Decimal("0.01")),
        )
        for row in await OpportunityTotal.select()
        if row["opportunities"]
    }
    assert stored == {
        (cast.distributor_a.id, "lead", "CNY"): (1, Decimal("2000.00")),
        (cast.distributor_a.id, "won", "CNY"): (1, Decimal("1000.00")),
    }


async def test_a_filtered_board_still_sums_only_what_the_filter_keeps(cast: Cast) -> None:
    admin = await viewer(cast.admin)
    await make_opportunity(cast.kam, cast.distributor_a, "1000", kind="group_tender")
    await make_opportunity(cast.kam, cast.distributor_a, "2000")
    columns = await pipeline.board(admin, pipeline.OpportunityFilters(kind="group_tender"))
    lead = next(column for column in columns if column.stage == Stage.lead)
    assert (lead.count, lead.values) == (1, {"CNY": Decimal("1000.00")})


async def test_a_partner_user_sees_no_totals(cast: Cast) -> None:
    await make_opportunity(cast.kam, cast.distributor_a, "1000")
    distributor = await viewer(cast.distributor)
    totals = await pipeline._stored_totals(distributor, OPEN_STAGES)
    assert totals == []
