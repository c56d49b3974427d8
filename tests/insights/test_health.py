"""Network KPIs, lifetime value, segments and cross-sell on the hand-counted history of
tests/insights/support.py."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from insights import figures, network, segmentation, snapshots
from insights.tables import PartnerMetrics
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.audit import services as audit_log
from tests.insights.support import TODAY, book, make_history, tune
from tests.support import Cast


async def kpis_for(user: Any, dimension: str = "") -> network.KpiTable:
    return await network.kpis(
        await viewer_for_user_id(user.id), "month", 3, dimension, TODAY.date()
    )


async def test_revenue_margin_and_order_figures_per_month(cast: Cast, frozen_clock: Any) -> None:
    await make_history(cast, frozen_clock)
    await figures.refresh_facts()

    table = await kpis_for(cast.admin)

    assert [window.key for window in table.periods] == ["2026-01", "2026-02", "2026-03"]
    assert table.figure("", "2026-01", "revenue").value == Decimal("1104.00")
    assert table.figure("", "2026-01", "margin").value == Decimal("441.60")  # 40% default margin
    assert table.figure("", "2026-01", "average_order_value").value == Decimal("552.00")
    assert table.figure("", "2026-02", "revenue").value == Decimal("1600.00")
    assert table.figure("", "2026-02", "order_frequency").value == 1.0
    assert table.figure("", "2026-02", "margin_per_partner").value == Decimal("320.00")
    assert table.figure("", "2026-03", "active").value == 0


async def test_new_and_churned_partners_and_their_rates(cast: Cast, frozen_clock: Any) -> None:
    await make_history(cast, frozen_clock)
    await tune(churn_after_days=30)
    await figures.refresh_facts()

    table = await kpis_for(cast.admin)

    assert table.figure("", "2026-01", "new").partners == {
        cast.distributor_a.id,
        cast.distributor_b.id,
    }
    february_new = table.figure("", "2026-02", "new")
    assert february_new.partners == {cast.retailer_a.id} and february_new.rate == 0.5
    # Ordered within 30 days of 1 Feb, nothing in the 30 days before 1 March.
    february_churn = table.figure("", "2026-02", "churned")
    assert february_churn.partners == {cast.distributor_b.id} and february_churn.rate == 0.5
    # Its last booked order was 10 Feb (the unconfirmed one of 20 Feb does not count).
    assert table.figure("", "2026-03", "churned").partners == {cast.distributor_a.id}


async def test_tier_upgrades_come_from_the_audit_log(cast: Cast, frozen_clock: Any) -> None:
    await make_history(cast, frozen_clock)
    frozen_clock.frozen_at = datetime(2026, 2, 5, tzinfo=UTC)
    await audit_log.record(
        None,
        entity_kind="organisation",
        entity_uuid=cast.distributor_b.uuid,
        organisation_id=cast.distributor_b.id,
        action="edit",
        changes={"tier": ["silver", "gold"]},
    )
    frozen_clock.frozen_at = TODAY
    await figures.refresh_facts()

    table = await kpis_for(cast.admin)

    assert table.figure("", "2026-02", "upgraded").partners == {cast.distributor_b.id}
    assert table.figure("", "2026-02", "downgraded").value == 0


async def test_a_kam_counts_only_their_partners(cast: Cast, frozen_clock: Any) -> None:
    await make_history(cast, frozen_clock)
    await figures.refresh_facts()

    table = await kpis_for(cast.kam, dimension="tier")

    assert table.figure("", "2026-01", "revenue").value == Decimal("1000.00")
    assert table.figure("tier:gold", "2026-02", "revenue").value == Decimal("500.00")
    assert table.figure("tier:standard", "2026-02", "revenue").value == Decimal("1100.00")
    assert "tier:silver" not in dict(table.groups)


async def test_lifetime_value_segment_and_rfm_of_each_partner(
    cast: Cast, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)

    await snapshots.recompute_all(TODAY.date())
    await snapshots.recompute_all(TODAY.date())  # twice a day keeps one snapshot
    rows = {
        row["organisation"]: row
        for row in await PartnerMetrics.select(*PartnerMetrics.all_columns())
    }

    assert len(rows) == 4  # distributor_a, distributor_b, retailer_a, bank
    mine = rows[cast.distributor_a.id]
    # Margins 400 (2 months ago) and 200 (last month), compounded at 10% a year.
    assert mine["historical_value"] == Decimal("608.00")
    # Three partners with orders cannot carry the lifetime models: nothing is predicted.
    assert mine["predicted_value"] == Decimal("0.00") and mine["expected_orders"] == 0
    assert (await figures.lifetime_model()) == {"partners": 3}
    assert mine["revenue_12m"] == Decimal("1500.00")
    # Value is the historical value: high for the top half of the three partners with
    # orders, rank 2 = ceil(0.5 × 3) and above: 608.00 and retailer_a's 440 of February,
    # 443.51 today; distributor_b's 41.60 is low.
    assert rows[cast.retailer_a.id]["historical_value"] == Decimal("443.51")
    assert rows[cast.retailer_a.id]["segment"][0] == "H"
    assert rows[cast.distributor_b.id]["segment"][0] == "L"
    # Nobody answered a survey: satisfaction is not known, not assumed.
    assert {row["segment"][3] for row in rows.values()} == {"-"}
    # Of three partners with orders: second most recent (33 days), highest revenue.
    assert (mine["rfm_recency"], mine["rfm_monetary"]) == (4, 5)
    assert (
        rows[cast.bank.id]["last_order_on"] is None and rows[cast.bank.id]["churn_risk"] == "high"
    )


async def test_cross_sell_never_offers_what_is_in_an_open_order(
    cast: Cast, frozen_clock: Any
) -> None:
    shop = await make_history(cast, frozen_clock)
    # distributor_a also buys the second style; distributor_b and retailer_a buy only the
    # first, and distributor_b has the second in an order not confirmed yet.
    await book(cast, frozen_clock, shop, datetime(2026, 3, 1, tzinfo=UTC), cast.distributor,
               cast.distributor_a, "M", 3, style=1)  # fmt: skip
    await book(cast, frozen_clock, shop, datetime(2026, 3, 2, tzinfo=UTC), cast.other_distributor,
               cast.distributor_b, "M", 2, style=1, confirm=False)  # fmt: skip

    # Three baskets: of the three buyers of the first style, one buys the second (lift 1).
    await figures.recompute_cross_sell(
        TODAY.date(), minimum_support=1, minimum_confidence=0.3, minimum_lift=1.0
    )
    for_retailer = await segmentation.cross_sell_for(cast.retailer_a.id)

    assert [
        (row["style_code"], row["reason_code"], row["buyers_of_both"], row["buyers_of_reason"])
        for row in for_retailer
    ] == [("SS27-002", "SS27-001", 1, 3)]
    assert await segmentation.cross_sell_for(cast.distributor_b.id) == []
    assert await segmentation.cross_sell_for(cast.distributor_a.id) == []  # it has both
    # A style bought by a third of all partners and a third of the first's buyers: no lift.
    await figures.recompute_cross_sell(TODAY.date(), minimum_support=1, minimum_lift=1.2)
    assert await segmentation.cross_sell_for(cast.retailer_a.id) == []
