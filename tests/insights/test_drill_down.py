"""From a dashboard figure to the partners behind it, and the breakdown a page at a time."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from insights import controllers, figures, network, snapshots
from partner_portal.accounts.services import viewer_for_user_id
from scheduler.tables import FollowUp
from tests.insights.support import TODAY, book, make_history, tune
from tests.support import Cast, PortalClient

COUNTED = ("active", "new", "churned", "upgraded", "downgraded")


async def test_the_drill_down_lists_exactly_the_partners_the_figure_counts(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    shop = await make_history(cast, frozen_clock)
    await tune(churn_after_days=30)
    await snapshots.recompute_all(TODAY.date())
    # Booked after the job ran: the dashboard shows the stored figures until the next run,
    # and the drill-down the partners stored with them.
    await book(
        cast,
        frozen_clock,
        shop,
        datetime(2026, 2, 25, tzinfo=UTC),
        cast.other_distributor,
        cast.distributor_b,
        "M",
        1,
    )
    frozen_clock.frozen_at = TODAY
    await figures.refresh_facts()

    for user in (cast.admin, cast.kam):
        viewer = await viewer_for_user_id(user.id)
        for period_kind, count, dimension in (("month", 3, "kind"), ("season", 2, "kam")):
            shown = await snapshots.dashboard_kpis(
                viewer, period_kind, count, dimension, TODAY.date()
            )
            assert shown.computed_on == TODAY.date()
            for (group, window, kpi), figure in shown.figures.items():
                drill = await snapshots.drill_down(
                    viewer,
                    snapshots.FigureRef(period_kind, count, dimension, group, window, kpi),
                    TODAY.date(),
                )
                if kpi in COUNTED:
                    assert drill.total == len(drill.partners) == figure.value
                assert bool(drill.partners) == figure.drillable
    admin = await viewer_for_user_id(cast.admin.id)
    live = await network.kpis(admin, "month", 3, "", TODAY.date())
    await client.sign_in(cast.admin)
    page = await client.get("/insights/partners?period=month&count=3&kpi=active&window=2026-02")

    assert live.figure("", "2026-02", "active").value == 3  # with the late order
    assert page.text.count('name="partner"') == 2
    assert cast.distributor_a.legal_name in page.text
    assert cast.retailer_a.legal_name in page.text
    assert cast.distributor_b.legal_name not in page.text


async def test_without_stored_figures_the_drill_down_lists_the_computed_ones(
    cast: Cast, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await figures.refresh_facts()
    kam = await viewer_for_user_id(cast.kam.id)

    drill = await snapshots.drill_down(
        kam, snapshots.FigureRef("month", 3, "", "", "", "new"), TODAY.date()
    )

    assert drill.table.computed_on is None and drill.window == "2026-03"
    assert drill.partners == []
    february = await snapshots.drill_down(
        kam, snapshots.FigureRef("month", 3, "", "", "2026-02", "new"), TODAY.date()
    )
    assert [row["id"] for row in february.partners] == [cast.retailer_a.id]


def headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


async def test_the_breakdown_shows_a_page_of_groups_and_the_export_holds_them_all(
    cast: Cast, client: PortalClient, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())
    monkeypatch.setattr(controllers, "GROUPS_PER_PAGE", 1)
    await client.sign_in(cast.admin)

    first = await client.get("/insights?period=quarter&count=8&by=kam")
    second = await client.get("/insights?period=quarter&count=8&by=kam&page=2")
    beyond = await client.get("/insights?period=quarter&count=8&by=kam&page=99")
    exported = await client.get("/insights/export.csv?period=quarter&count=8&by=kam")

    assert headings(first.text) == ["All partners", "王小明"]
    assert "Groups 1–1 of 2; the exports hold every group." in first.text
    assert "page=2" in first.text
    assert headings(second.text) == ["All partners", "김민준"]
    assert headings(beyond.text) == headings(second.text)
    groups = {row[0] for row in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert {"All partners", "김민준", "王小明"} <= groups


async def test_a_long_drill_down_is_paged_and_follow_ups_can_take_everyone_behind_the_figure(
    cast: Cast, client: PortalClient, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())
    monkeypatch.setattr(snapshots, "DRILL_PAGE_SIZE", 1)
    await client.sign_in(cast.kam)
    figure = "period=month&count=3&by=&group=&window=2026-02&kpi=active"

    first = await client.get(f"/insights/partners?{figure}")
    second = await client.get(f"/insights/partners?{figure}&page=2")
    listed = [
        [
            name
            for name in (cast.distributor_a.legal_name, cast.retailer_a.legal_name)
            if name in page.text
        ]
        for page in (first, second)
    ]
    planned = await client.post_form(
        "/insights/follow-ups",
        {
            "partner": str(cast.distributor_a.uuid),
            "everyone": "1",
            "figure": figure,
            "title": "Thank them",
            "kind": "call",
            "due_in_days": "3",
            "reason": "active-2026-02",
        },
    )

    assert "Partners behind this figure: 2" in first.text and "Page 1 of 2" in first.text
    assert len(listed[0]) == len(listed[1]) == 1 and listed[0] != listed[1]
    assert "planned=2" in planned.headers["location"]
    assert {row["organisation"] for row in await FollowUp.select(FollowUp.organisation)} == {
        cast.distributor_a.id,
        cast.retailer_a.id,
    }
