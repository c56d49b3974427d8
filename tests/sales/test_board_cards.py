"""The board shows each column's first cards (one statement for all of them) and the rest
of a column on demand ("Show more", after the last card shown); the opportunity list pages
by key ("Next", "First page") without counting every opportunity. Partners the viewer may
not see never show, on any of them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from sales import pipeline
from sales.tables import Opportunity
from tests.support import Cast, Org, PortalClient, queries_during

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def add_opportunities(
    partner: Org, stage: str, titles_and_days: list[tuple[str, int]]
) -> None:
    """Opportunities of one stage, closing ``days`` after NOW (won and lost: closed ``days``
    before NOW), straight into the table."""
    closed = stage in ("won", "lost")
    await Opportunity.insert(
        *(
            Opportunity(
                organisation=partner.id,
                title=title,
                kind="reorder_season",
                expected_value=Decimal("1000"),
                currency="CNY",
                expected_close_date=(NOW + timedelta(days=days)).date(),
                stage=stage,
                probability=Decimal("10"),
                closed_at=NOW - timedelta(days=days) if closed else None,
                created_at=NOW,
                updated_at=NOW,
            )
            for title, days in titles_and_days
        )
    ).run()


def column_titles(html: str, stage: str | None = None) -> list[str]:
    """The card titles in a board column (or in a fragment of cards), in page order."""
    if stage is not None:
        html = html.split(f'data-stage="{stage}"')[1].split("</section>")[0]
    return re.findall(r'<h3><a href="/sales/opportunities/[^"]+">([^<]+)</a></h3>', html)


def more_link(html: str) -> str | None:
    found = re.search(r'hx-get="(/sales/opportunities/column\?[^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


async def test_a_column_shows_its_first_cards_and_the_rest_on_demand(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    monkeypatch.setattr(pipeline, "BOARD_CARDS_PER_STAGE", 3)
    await add_opportunities(
        cast.distributor_a, "lead", [(f"Lead {day:02}", day) for day in (9, 3, 7, 1, 5)]
    )
    await add_opportunities(cast.retailer_a, "lead", [("Lead 04 retailer", 4)])
    # Another KAM's partner: never on this KAM's board, however far one pages.
    await add_opportunities(cast.distributor_b, "lead", [("Lead 02 not mine", 2)])
    await add_opportunities(
        cast.distributor_a, "won", [(f"Won {days}d ago", days) for days in (20, 2, 10, 40)]
    )
    await client.sign_in(cast.kam)

    board = await client.get("/sales/opportunities")
    first_leads = column_titles(board.text, "lead")
    lead_column = board.text.split('data-stage="lead"')[1].split("</section>")[0]
    more = await client.get(more_link(lead_column) or "", headers={"HX-Request": "true"})
    rest = more_link(more.text)

    assert board.status_code == 200 and more.status_code == 200
    assert first_leads == ["Lead 01", "Lead 03", "Lead 04 retailer"]
    assert column_titles(more.text) == ["Lead 05", "Lead 07", "Lead 09"]
    assert rest is None  # the last cards: no more to ask for
    # Closed deals: the last 30 days only, the latest closed first.
    won_column = board.text.split('data-stage="won"')[1].split("</section>")[0]
    assert column_titles(won_column) == ["Won 2d ago", "Won 10d ago", "Won 20d ago"]
    assert more_link(won_column) is None
    assert "not mine" not in board.text + more.text


async def test_show_more_pages_a_closed_column_latest_first_and_keeps_the_filters(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    monkeypatch.setattr(pipeline, "BOARD_CARDS_PER_STAGE", 2)
    await add_opportunities(
        cast.distributor_a, "lost", [(f"Lost {days}d ago", days) for days in (1, 2, 3, 4, 5)]
    )
    await add_opportunities(cast.bank, "lost", [("Bank deal 3d ago", 3)])
    await client.sign_in(cast.kam)

    board = await client.get("/sales/opportunities?q=Lost")
    seen = column_titles(board.text, "lost")
    link = more_link(board.text.split('data-stage="lost"')[1])
    while link:
        assert "q=Lost" in link
        page = await client.get(link, headers={"HX-Request": "true"})
        seen += column_titles(page.text)
        link = more_link(page.text)

    assert seen == [f"Lost {days}d ago" for days in (1, 2, 3, 4, 5)]


async def test_the_board_reads_every_columns_cards_in_one_query(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    await client.sign_in(cast.kam)
    await add_opportunities(cast.distributor_a, "lead", [("Lead", 1)])

    async def queries_for_board() -> int:
        count, response = await queries_during(
            lambda: client.get("/sales/opportunities"), monkeypatch
        )
        assert response.status_code == 200
        return count  # type: ignore[no-any-return]

    await client.get("/sales/opportunities")  # whatever a first visit reads once
    one_column = await queries_for_board()
    for stage in ("qualified", "proposal", "negotiation", "won", "lost"):
        await add_opportunities(cast.distributor_a, stage, [(stage.title(), 1)])
    every_column = await queries_for_board()

    assert every_column == one_column


async def test_a_forged_show_more_link_is_refused_with_a_message(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)

    for query in (
        "stage=lead&cards_after=yesterday,1",
        "stage=won&cards_after=2026-11-01,99" + "9" * 30,
        "stage=nope",
    ):
        response = await client.get(f"/sales/opportunities/column?{query}")
        assert response.status_code == 400, query
        assert "This link is out of date" in response.text


async def test_the_list_pages_by_key_without_a_count(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    monkeypatch.setattr(pipeline, "LIST_PAGE_SIZE", 2)
    # Two on the same day: the id decides their order, and neither is skipped or repeated.
    await add_opportunities(
        cast.distributor_a, "proposal", [("Day 3", 3), ("Day 1", 1), ("Day 2a", 2)]
    )
    await add_opportunities(cast.retailer_a, "won", [("Day 2b", 2), ("Day 5", 5)])
    await add_opportunities(cast.distributor_b, "lead", [("Day 4 not mine", 4)])
    await client.sign_in(cast.kam)

    url: str | None = "/sales/opportunities/list?stage="
    pages = []
    while url:
        response = await client.get(url)
        assert response.status_code == 200
        pages.append(column_titles_in_list(response.text))
        found = re.search(
            r'href="(/sales/opportunities/list\?[^"]*after=[^"]+)">Next', response.text
        )
        url = found.group(1).replace("&amp;", "&") if found else None
    last_page = response.text

    assert pages == [["Day 1", "Day 2a"], ["Day 2b", "Day 3"], ["Day 5"]]
    assert "First page" in last_page and "Page " not in last_page


def column_titles_in_list(html: str) -> list[str]:
    return re.findall(r'<a href="/sales/opportunities/[^"]+"><strong>([^<]+)</strong></a>', html)


async def test_a_card_kept_from_an_earlier_visit_shows_a_move_at_once_with_each_readers_token(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await add_opportunities(cast.distributor_a, "qualified", [("Autumn reorder", 5)])
    await client.log_in(cast.kam)
    before = (await client.get("/sales/opportunities")).text
    await Opportunity.update({Opportunity.stage: "proposal", Opportunity.version: 2}).where(
        Opportunity.title == "Autumn reorder"
    )
    after = (await client.get("/sales/opportunities")).text
    client.cookies.clear()  # another browser: another CSRF token
    await client.log_in(cast.kam_manager)
    other_browser = (await client.get("/sales/opportunities")).text

    assert column_titles(before, "qualified") == ["Autumn reorder"]
    assert column_titles(after, "qualified") == []
    assert column_titles(after, "proposal") == ["Autumn reorder"]
    assert 'name="version" value="2"' in after
    tokens = [
        set(re.findall(r'name="_csrf_token" value="([^"]+)"', page))
        for page in (after, other_browser)
    ]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
