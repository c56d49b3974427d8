"""Network KPIs per season (SS/AW) on the hand-counted history of tests/insights/support.py
(today 15 March 2026; orders on 10 and 12 January, 10 and 15 February)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from insights import figures, network, snapshots
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog import services as catalog
from tests.insights.support import TODAY, make_history, tune
from tests.support import Cast, PortalClient


def spans(periods: list[network.Period]) -> list[tuple[str, date, date]]:
    return [(period.key, period.start, period.last_day) for period in periods]


def test_without_catalog_dates_seasons_are_the_halves_of_the_year() -> None:
    assert spans(network.season_periods(date(2026, 3, 15), 3, {})) == [
        ("SS25", date(2025, 1, 1), date(2025, 6, 30)),
        ("AW25", date(2025, 7, 1), date(2025, 12, 31)),
        ("SS26", date(2026, 1, 1), date(2026, 6, 30)),
    ]


def test_a_season_starts_in_the_month_its_order_window_opens_and_ends_when_the_next_starts() -> (
    None
):
    # The demo's SS27 books from 1 September 2026: AW26 ends there.
    assert spans(network.season_periods(date(2026, 11, 23), 2, {"SS27": date(2026, 9, 1)})) == [
        ("AW26", date(2026, 7, 1), date(2026, 8, 31)),
        ("SS27", date(2026, 9, 1), date(2027, 6, 30)),
    ]
    # AW27 opening in January 2027 leaves SS27 (from 1 January by convention) no months.
    assert [
        period.key
        for period in network.season_periods(date(2027, 3, 1), 3, {"AW27": date(2027, 1, 1)})
    ] == ["SS26", "AW26", "AW27"]
    # Whatever the catalog says, the seasons never overlap: each ends where the next starts.
    odd = network.season_periods(date(2027, 3, 1), 6, {"SS27": date(2024, 5, 1)})
    assert all(earlier.end == later.start for earlier, later in pairwise(odd))


async def test_season_figures_by_the_convention(cast: Cast, frozen_clock: Any) -> None:
    await make_history(cast, frozen_clock)
    await figures.refresh_facts()
    admin = await viewer_for_user_id(cast.admin.id)

    table = await network.kpis(admin, "season", 2, "", TODAY.date())

    assert [period.key for period in table.periods] == ["AW25", "SS26"]
    assert table.figure("", "AW25", "active").value == 0
    # SS26 (January to June): all four booked orders, 1,000 + 104 + 500 + 1,100 CNY.
    assert table.figure("", "SS26", "revenue").value == Decimal("2704.00")
    assert table.figure("", "SS26", "margin").value == Decimal("1081.60")  # 40% default
    assert table.figure("", "SS26", "active").value == 3
    assert table.figure("", "SS26", "margin_per_partner").value == Decimal("360.53")
    assert table.figure("", "SS26", "order_frequency").value == 1.33  # 4 orders, 3 partners
    assert table.figure("", "SS26", "average_order_value").value == Decimal("676.00")
    new = table.figure("", "SS26", "new")
    assert (new.value, new.rate) == (3, 1.0)
    # Nobody had ordered in the 180 days before 1 January: nobody could churn.
    churned = table.figure("", "SS26", "churned")
    assert (churned.value, churned.rate) == (0, None)


async def test_season_figures_follow_the_catalogs_order_window(
    cast: Cast, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await catalog.create_season(
        None, "SS26", "Spring/Summer 2026", (date(2026, 2, 3), date(2026, 2, 27))
    )
    await tune(churn_after_days=30)
    await figures.refresh_facts()
    admin = await viewer_for_user_id(cast.admin.id)

    table = await network.kpis(admin, "season", 2, "", TODAY.date())

    assert spans(table.periods) == [
        ("AW25", date(2025, 7, 1), date(2026, 1, 31)),
        ("SS26", date(2026, 2, 1), date(2026, 6, 30)),
    ]
    # AW25 now holds January: 1,000 + 104.
    assert table.figure("", "AW25", "revenue").value == Decimal("1104.00")
    assert table.figure("", "AW25", "average_order_value").value == Decimal("552.00")
    assert table.figure("", "AW25", "new").partners == {
        cast.distributor_a.id,
        cast.distributor_b.id,
    }
    # SS26 from February: 500 + 1,100 by distributor_a and retailer_a (new).
    assert table.figure("", "SS26", "revenue").value == Decimal("1600.00")
    assert table.figure("", "SS26", "margin_per_partner").value == Decimal("320.00")
    assert table.figure("", "SS26", "average_order_value").value == Decimal("800.00")
    new = table.figure("", "SS26", "new")
    assert (new.partners, new.rate) == ({cast.retailer_a.id}, 0.5)
    # Both January buyers were live on 1 February; by today (15 March) neither has
    # ordered in 30 days (distributor_a last on 10 February).
    churned = table.figure("", "SS26", "churned")
    assert churned.partners == {cast.distributor_a.id, cast.distributor_b.id}
    assert churned.rate == 1.0


async def test_seasons_are_stored_and_offered_by_the_dashboard_drill_down_exports_and_api(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())
    kam = await viewer_for_user_id(cast.kam.id)
    stored = await snapshots.dashboard_kpis(kam, "season", 2, "tier", TODAY.date())
    live = await network.kpis(kam, "season", 2, "tier", TODAY.date())
    await client.sign_in(cast.admin)

    page = await client.get("/insights?period=season&count=2")
    drill = await client.get("/insights/partners?period=season&count=2&kpi=active&window=SS26")
    exported = await client.get("/insights/export.csv?period=season&count=2")
    api = (await client.get("/api/v1/insights/kpis?period=season&count=2")).json()

    assert stored.computed_on == TODAY.date()
    assert spans(stored.periods) == spans(live.periods)
    assert {key: figure.value for key, figure in stored.figures.items()} == {
        key: figure.value for key, figure in live.figures.items()
    }
    assert '<option value="season" selected>' in page.text
    assert "SS26" in page.text and "2,704.00" in page.text
    assert "Each season runs until the next one starts." in page.text
    for partner in (cast.distributor_a, cast.distributor_b, cast.retailer_a):
        assert partner.legal_name in drill.text
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    revenue = rows[0].index("Revenue")
    assert [(row[1], row[revenue]) for row in rows[1:]] == [
        ("AW25", "0.00"),
        ("SS26", "2704.00"),
    ]
    spring = api["groups"][0]["periods"][1]
    assert (spring["period"], spring["starts_on"], spring["ends_on"]) == (
        "SS26",
        "2026-01-01",
        "2026-06-30",
    )
    assert (spring["revenue"], spring["active"], spring["new_rate"]) == ("2704.00", 3, 1.0)
