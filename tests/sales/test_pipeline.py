"""Opportunities: stage probabilities, moves on the timeline, the weighted forecast, the
won/lost analysis, prospects, the remembered list filters and drafts from won deals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.services import entry_text
from partner_portal.partners.tables import Organisation, TimelineEntry
from sales import forecast as sales_forecast
from sales import opportunities
from sales.access import SalesAction, get_opportunity
from sales.tables import Opportunity, Stage
from tests.sales.support import make_opportunity, viewer
from tests.support import Cast, PortalClient

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def _row(opportunity_uuid: Any) -> dict[str, Any]:
    row = await Opportunity.select().where(Opportunity.uuid == opportunity_uuid).first()
    assert row is not None
    return row


async def test_a_move_takes_the_stage_probability_and_lands_on_the_timeline(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    opportunity = await make_opportunity(cast.kam, cast.distributor_a, title="Jincheng AW27")
    await client.sign_in(cast.kam)

    response = await client.post_form(
        f"/sales/opportunities/{opportunity}/move", {"stage": "proposal", "version": "1"}
    )

    assert response.status_code == 303
    row = await _row(opportunity)
    assert (row["stage"], row["probability"], row["version"]) == ("proposal", Decimal("50"), 2)
    entry = (
        await TimelineEntry.select()
        .where(TimelineEntry.organisation == cast.distributor_a.id)
        .first()
    )
    assert entry is not None and "Jincheng AW27" in entry_text(entry)
    assert entry["internal"] is True
    assert await AuditEntry.exists().where(
        AuditEntry.entity_uuid == opportunity, AuditEntry.action == "move"
    )


async def test_a_move_from_an_old_page_moves_nothing_and_says_who_moved_it(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    opportunity = await make_opportunity(cast.kam, cast.distributor_a)
    await client.sign_in(cast.kam_manager)
    await client.post_form(
        f"/sales/opportunities/{opportunity}/move", {"stage": "qualified", "version": "1"}
    )
    await client.sign_in(cast.kam)

    stale = await client.post_form(
        f"/sales/opportunities/{opportunity}/move", {"stage": "proposal", "version": "1"}
    )

    assert stale.status_code == 409
    assert "lead@brand.test" in stale.text
    assert (await _row(opportunity))["stage"] == "qualified"


async def test_losing_needs_a_reason(client: PortalClient, cast: Cast, frozen_clock: Any) -> None:
    frozen_clock.frozen_at = NOW
    opportunity = await make_opportunity(cast.kam, cast.distributor_a)
    await client.sign_in(cast.kam)

    refused = await client.post_form(f"/sales/opportunities/{opportunity}/move", {"stage": "lost"})
    lost = await client.post_form(
        f"/sales/opportunities/{opportunity}/move",
        {"stage": "lost", "lost_reason": "Price above the local competitor"},
    )

    assert refused.status_code == 400 and "Say why" in refused.text
    assert lost.status_code == 303
    row = await _row(opportunity)
    assert (row["stage"], row["probability"], row["closed_at"]) == ("lost", Decimal("0"), NOW)


async def test_the_brand_admin_changes_stage_defaults_and_later_moves_use_them(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await client.sign_in(cast.admin)
    form = {
        "lead": "5",
        "qualified": "20",
        "proposal": "40",
        "negotiation": "80",
        "decision_days": "5",
        "protection_days": "180",
    }

    bad = await client.post_form("/sales/settings", {**form, "proposal": "140"})
    saved = await client.post_form("/sales/settings", form)

    assert bad.status_code == 400
    assert saved.status_code == 303
    probabilities = await opportunities.stage_probabilities()
    assert probabilities[Stage.proposal] == Decimal("40")
    assert probabilities[Stage.won] == Decimal("100")
    await client.sign_in(cast.kam)
    assert (await client.get("/sales/settings")).status_code == 403


async def test_the_forecast_weighs_each_deal_by_its_probability_per_month_kam_and_team(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    december = await make_opportunity(
        cast.kam, cast.distributor_a, "200000", expected_close_date="2026-12-10"
    )
    await make_opportunity(
        cast.other_kam,
        cast.distributor_b,
        "100000",
        expected_close_date="2026-12-20",
        owner=str(cast.other_kam.uuid),
    )
    # Overdue: counts in the current month.
    await make_opportunity(cast.kam, cast.retailer_a, "50000", expected_close_date="2026-10-01")
    admin = await viewer(cast.admin)
    moved = await get_opportunity(admin, december, SalesAction.manage_opportunities)
    await opportunities.move_opportunity(admin, moved, {"stage": "negotiation"})

    forecast = await sales_forecast.forecast(admin)

    assert forecast.months[:2] == ["2026-11", "2026-12"]
    # 200,000 × 75% + 100,000 × 10%
    assert forecast.cell(forecast.by_month, "CNY", "2026-12").weighted == Decimal("160000.00")
    assert forecast.cell(forecast.by_month, "CNY", "2026-11").weighted == Decimal("5000.00")
    assert forecast.cell(forecast.by_owner, "CNY", "王小明", "total").weighted == Decimal(
        "155000.00"
    )
    # 王小明 is in 陈经理's team; 김민준 manages nobody and is a team of one.
    assert forecast.cell(forecast.by_team, "CNY", "陈经理", "total").weighted == Decimal(
        "155000.00"
    )
    assert forecast.cell(forecast.by_team, "CNY", "김민준", "total").weighted == Decimal("10000.00")
    # A KAM's forecast holds only their partners.
    mine = await sales_forecast.forecast(await viewer(cast.kam))
    assert mine.cell(mine.by_month, "CNY", "total").weighted == Decimal("155000.00")


async def test_won_and_lost_analysis_counts_win_rate_and_reasons(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    kam = await viewer(cast.kam)
    for outcome in ("won", "won", "lost"):
        made = await make_opportunity(cast.kam, cast.distributor_a, "300000")
        opportunity = await get_opportunity(kam, made, SalesAction.manage_opportunities)
        await opportunities.move_opportunity(
            kam, opportunity, {"stage": outcome, "lost_reason": "Delivery too slow"}
        )

    analysis = await sales_forecast.won_lost_analysis(kam)

    assert (analysis.overall.won, analysis.overall.lost) == (2, 1)
    assert analysis.overall.win_rate == Decimal("66.7")
    assert analysis.overall.won_value["CNY"] == Decimal("600000")
    assert analysis.lost_reasons == [("Delivery too slow", 1)]
    await client.sign_in(cast.kam)
    page = await client.get("/sales/forecast")
    assert page.status_code == 200 and "66.7" in page.text


async def test_an_opportunity_on_a_new_prospect_creates_the_organisation_once(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await client.sign_in(cast.kam)
    form = {
        "title": "South China distributor",
        "kind": "new_distributor",
        "prospect_name": "广州南粤服饰贸易有限公司",
        "prospect_kind": "distributor",
        "prospect_country": "CN",
        "expected_value": "1,500,000",
        "expected_close_date": "2027-03-31",
        "idempotency_key": "form-1",
    }

    first = await client.post_form("/sales/opportunities/new", form)
    again = await client.post_form("/sales/opportunities/new", form)

    assert first.status_code == 303 and again.headers["location"] == first.headers["location"]
    prospects = await Organisation.select().where(
        Organisation.legal_name == "广州南粤服饰贸易有限公司"
    )
    assert len(prospects) == 1
    assert (prospects[0]["status"], prospects[0]["owner"]) == ("prospect", cast.kam.id)
    assert await Opportunity.count() == 1


async def test_a_bad_form_saves_nothing_and_shows_the_messages(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)

    response = await client.post_form(
        "/sales/opportunities/new",
        {"title": "", "kind": "tender", "prospect_name": "X", "expected_value": "abc"},
    )

    assert response.status_code == 400
    assert "Give the opportunity a short title." in response.text
    assert await Opportunity.count() == 0
    assert await Organisation.count().where(Organisation.legal_name == "X") == 0


async def test_the_list_remembers_its_filters_and_the_board_groups_by_stage(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await make_opportunity(cast.kam, cast.distributor_a, title="Reorder Jincheng")
    await make_opportunity(cast.kam, cast.bank, title="Bank uniform tender", kind="group_tender")
    await client.sign_in(cast.kam)

    filtered = await client.get("/sales/opportunities/list?kind=group_tender")
    reopened = await client.get("/sales/opportunities/list")
    board = await client.get("/sales/opportunities")

    assert "Bank uniform tender" in filtered.text and "Reorder Jincheng" not in filtered.text
    assert reopened.status_code == 303
    assert reopened.headers["location"] == "/sales/opportunities/list?kind=group_tender"
    assert board.status_code == 200
    assert "Reorder Jincheng" in board.text and "Bank uniform tender" in board.text


async def test_a_card_moved_on_the_board_comes_back_in_its_new_column(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    opportunity = await make_opportunity(cast.kam, cast.distributor_a, title="Jincheng AW27")
    await client.sign_in(cast.kam)

    response = await client.post_form(
        f"/sales/opportunities/{opportunity}/move",
        {"stage": "qualified", "version": "1", "from": "board"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    qualified_column = response.text.split('data-stage="qualified"')[1].split("</section>")[0]
    assert "Jincheng AW27" in qualified_column


async def test_a_won_deal_starts_one_order_draft(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    opportunity = await make_opportunity(cast.kam, cast.bank, kind="group_tender")
    await client.sign_in(cast.kam)
    await client.post_form(f"/sales/opportunities/{opportunity}/move", {"stage": "won"})

    first = await client.post_form(
        f"/sales/opportunities/{opportunity}/draft", {"starter": "order_book"}
    )
    second = await client.post_form(
        f"/sales/opportunities/{opportunity}/draft", {"starter": "order_book"}
    )

    assert first.status_code == 303, first.text
    assert first.headers["location"].startswith("/orders/")
    assert second.headers["location"] == first.headers["location"]
    assert (await _row(opportunity))["draft_link"] == first.headers["location"]


async def test_two_editors_the_second_is_told_what_changed_and_nothing_of_theirs_is_saved(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    opportunity = await make_opportunity(cast.kam, cast.distributor_a, "100000")
    form = {
        "title": "AW27 reorder",
        "kind": "reorder_season",
        "expected_value": "100000",
        "currency": "CNY",
        "expected_close_date": "2026-12-15",
        "version": "1",
    }
    await client.sign_in(cast.kam_manager)
    first = await client.post_form(
        f"/sales/opportunities/{opportunity}/edit", {**form, "expected_value": "150000"}
    )
    await client.sign_in(cast.kam)
    second = await client.post_form(
        f"/sales/opportunities/{opportunity}/edit", {**form, "next_step": "Send samples"}
    )

    assert first.status_code == 303
    assert second.status_code == 409
    assert "lead@brand.test" in second.text and "150000" in second.text
    row = await _row(opportunity)
    assert (row["expected_value"], row["next_step"], row["version"]) == (
        Decimal("150000.00"),
        "",
        2,
    )
    # Sent again with the version the conflict page carries, it saves.
    assert 'name="version" value="2"' in second.text
