"""The partner health pages and API as the brand's users see them."""

from __future__ import annotations

import re
from typing import Any

from insights import figures, network, segmentation, snapshots
from partner_portal.accounts.services import viewer_for_user_id
from scheduler.tables import FollowUp
from tests.insights.support import TODAY, make_history, tune
from tests.support import Cast, PortalClient


async def test_the_dashboard_shows_figures_with_their_definitions(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await figures.refresh_facts()
    await client.sign_in(cast.kam)

    page = await client.get("/insights?period=month&count=3&by=tier")

    assert page.status_code == 200
    assert "Partners whose first booked order ever falls in the period" in page.text
    assert "<svg" in page.text
    assert "1,000.00" in page.text  # January revenue of the KAM's gold distributor


async def test_drilling_into_churn_lists_the_partners_and_plans_follow_ups_once(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await tune(churn_after_days=30)
    await snapshots.recompute_all(TODAY.date())
    await client.sign_in(cast.kam)

    drill = await client.get("/insights/partners?period=month&count=3&kpi=churned&window=2026-03")
    form = {
        "partner": str(cast.distributor_a.uuid),
        "title": "Win back",
        "kind": "call",
        "due_in_days": "3",
        "reason": "churned-2026-03",
        "back": "/insights/partners?kpi=churned&window=2026-03",
    }
    planned = await client.post_form("/insights/follow-ups", form)
    again = await client.post_form("/insights/follow-ups", form)

    assert cast.distributor_a.legal_name in drill.text
    assert cast.retailer_a.legal_name not in drill.text
    assert planned.status_code == 303 and "planned=1" in planned.headers["location"]
    assert "planned=0&skipped=1" in again.headers["location"]
    follow_ups = await FollowUp.select(FollowUp.title, FollowUp.owner, FollowUp.organisation)
    assert follow_ups == [
        {"title": "Win back", "owner": cast.kam.id, "organisation": cast.distributor_a.id}
    ]


async def test_follow_ups_for_partners_a_kam_cannot_see_are_refused(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await client.sign_in(cast.kam)

    response = await client.post_form(
        "/insights/follow-ups",
        {
            "partner": str(cast.distributor_b.uuid),
            "title": "Poach",
            "kind": "call",
            "due_in_days": "3",
        },
    )

    assert response.status_code == 404
    assert await FollowUp.count() == 0


async def test_the_360_page_shows_health_to_the_brand_and_not_to_the_partner(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())

    await client.sign_in(cast.kam)
    brand_view = await client.get(f"/partners/{cast.distributor_a.uuid}")
    client.cookies.clear()
    await client.sign_in(cast.distributor)
    partner_view = await client.get(f"/partners/{cast.distributor_a.uuid}")

    assert "panel-health" in brand_view.text and "Lifetime value" in brand_view.text
    assert "panel-health" not in partner_view.text


async def test_bad_settings_are_refused_with_a_message(cast: Cast, client: PortalClient) -> None:
    await client.sign_in(cast.admin)
    form = {name: str(value) for name, value in (await figures.insight_settings()).items()}

    response = await client.post_form(
        "/insights/settings", {**form, "churn_after_days": "abc", "exchange_rates": "KRW"}
    )

    assert response.status_code == 400
    assert "Enter a number." in response.text
    assert "KRW 0.0052" in response.text
    assert (await figures.insight_settings())["churn_after_days"] == 180


async def test_the_api_gives_kpis_and_a_partners_health_to_the_brand_only(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())
    await client.sign_in(cast.kam)

    kpis = (await client.get("/api/v1/insights/kpis?count=3")).json()
    health = (await client.get(f"/api/v1/insights/partners/{cast.distributor_a.uuid}")).json()
    client.cookies.clear()
    await client.sign_in(cast.distributor)
    own = await client.get(f"/api/v1/insights/partners/{cast.distributor_a.uuid}")

    january = kpis["groups"][0]["periods"][0]
    assert (january["period"], january["revenue"], january["new"]) == ("2026-01", "1000.00", 1)
    assert health["metrics"]["revenue_12m"] == "1500.00"
    assert own.status_code == 403


async def test_the_api_pages_the_segment_list_by_cursor(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())
    admin = await viewer_for_user_id(cast.admin.id)
    overview = await segmentation.segment_overview(admin)
    everyone = {
        str(partner["uuid"]) for members in overview["segments"].values() for partner in members
    }
    await client.sign_in(cast.admin)

    pages = [(await client.get("/api/v1/insights/segments?limit=3")).json()]
    while pages[-1]["next_cursor"]:
        cursor = pages[-1]["next_cursor"]
        pages.append(
            (await client.get(f"/api/v1/insights/segments?limit=3&cursor={cursor}")).json()
        )
    forged = await client.get("/api/v1/insights/segments?cursor=bm90IGEgY3Vyc29y")

    listed = [item["partner"] for page in pages for item in page["items"]]
    assert len(everyone) == 4 and [len(page["items"]) for page in pages] == [3, 1]
    assert sorted(listed) == sorted(everyone)  # none twice, none missed
    assert forged.status_code == 400
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["errors"][0]["field"] == "cursor"


async def test_the_dashboard_reads_the_figures_the_job_stored(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    from partner_portal.accounts.services import viewer_for_user_id

    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())
    kam = await viewer_for_user_id(cast.kam.id)

    stored = await snapshots.dashboard_kpis(kam, "month", 3, "tier", TODAY.date())
    live = await network.kpis(kam, "month", 3, "tier", TODAY.date())

    assert stored.computed_on == TODAY.date() and live.computed_on is None
    assert stored.groups == live.groups
    for key, figure in live.figures.items():
        assert (stored.figures[key].value, stored.figures[key].rate) == (figure.value, figure.rate)
        assert stored.figures[key].drillable == bool(figure.partners)
    await client.sign_in(cast.kam)
    page = await client.get("/insights?period=month&count=3")
    assert "Figures as of the last computation" in page.text and "1,000.00" in page.text


async def test_stored_figures_speak_the_readers_language(cast: Cast, frozen_clock: Any) -> None:
    from partner_portal import i18n
    from partner_portal.accounts.services import viewer_for_user_id

    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())  # the job writes in the default language
    token = i18n.current_locale.set("ko")
    try:
        stored = await snapshots.dashboard_kpis(
            await viewer_for_user_id(cast.kam.id), "month", 3, "", TODAY.date()
        )
        expected = i18n.gettext("All partners")
    finally:
        i18n.current_locale.reset(token)

    assert stored.computed_on is not None
    assert stored.groups[0] == ("", expected) and expected != "All partners"


def _definition(page: str, term: str) -> str:
    """The text of the <dd> after the panel's <dt>``term``</dt>, tags and spaces folded."""
    found = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", page, re.DOTALL)
    assert found is not None, term
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


async def test_the_health_panel_explains_its_codes_and_assumes_no_satisfaction(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    from partner_portal.partners.tables import User

    await make_history(cast, frozen_clock)
    await snapshots.recompute_all(TODAY.date())

    await client.sign_in(cast.kam)
    english = (await client.get(f"/partners/{cast.distributor_a.uuid}")).text
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.kam.id)
    client.cookies.clear()
    await client.sign_in(cast.kam)
    chinese = (await client.get(f"/partners/{cast.distributor_a.uuid}")).text
    segments = (await client.get("/insights/segments")).text

    # Nobody answered a survey: no score, no low satisfaction, and the code says so.
    assert _definition(english, "Satisfaction") == "No survey yet"
    assert "satisfaction not surveyed yet" in english
    # RFM in words: second most recent of three, frequency and revenue the highest.
    assert "Recency 4, frequency 5, monetary 5, each of 5" in english
    # Three partners cannot carry the lifetime models, and the page says why.
    assert "the models need the order history of at least 8 partners; the brand has 3" in english
    # The revenue chart has a value axis and its numbers as a table.
    assert 'class="grid"' in english and "<caption>Revenue by month" in english
    assert "满意度尚未调查" in chinese and "尚无调查" in chinese
    assert "代码含义" in segments
