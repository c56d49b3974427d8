"""The agenda's partner filter: a menu while the viewer sees few partners, else a search
field on the partners' names (the partner list's search), and a badge naming the partner
a link chose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler import agenda
from tests.scheduler.support import follow_up
from tests.support import PortalClient

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
MENU = '<select name="partner"'
SEARCH = 'name="partner_name"'


@pytest.fixture
async def agendas(cast, frozen_clock) -> None:
    """A follow-up due today at each of five partners, the kam's and the other kam's."""
    frozen_clock.frozen_at = NOW
    soon = NOW + timedelta(hours=3)
    await follow_up(cast.distributor_a, cast.kam, soon, title="锦程的电话")
    await follow_up(cast.retailer_a, cast.kam, soon, title="衣尚的拜访")
    await follow_up(cast.bank, cast.kam, soon, title="银行的会议")
    await follow_up(cast.distributor_b, cast.other_kam, soon, title="서울 방문")
    await follow_up(cast.mill, cast.other_kam, soon, title="纺织的电话")


async def test_a_kam_with_few_partners_picks_one_from_a_menu(
    client: PortalClient, cast, agendas
) -> None:
    await client.log_in(cast.kam)

    page = (await client.get("/agenda")).text

    assert MENU in page and SEARCH not in page
    assert f'value="{cast.bank.uuid}"' in page
    assert cast.distributor_b.legal_name not in page


async def test_a_kam_with_many_partners_types_a_name_instead_of_a_menu(
    client: PortalClient, cast, agendas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agenda, "PARTNER_MENU_LIMIT", 2)
    await client.log_in(cast.kam)

    page = (await client.get("/agenda")).text
    typed = await client.get(
        "/agenda", params={"partner_name": "杭州"}, headers={"HX-Request": "true"}
    )
    calendar = (await client.get("/agenda/calendar", params={"partner_name": "杭州"})).text

    assert SEARCH in page and MENU not in page
    assert f'<option value="{cast.bank.uuid}"' not in page
    assert "衣尚的拜访" in typed.text
    assert "锦程的电话" not in typed.text and "银行的会议" not in typed.text
    assert "衣尚的拜访" in calendar and "锦程的电话" not in calendar
    assert 'value="杭州"' in calendar


@pytest.mark.parametrize(
    ("typed", "found", "left_out"),
    [
        ("锦程", "锦程的电话", "银行的会议"),
        ("서울", "서울 방문", "锦程的电话"),
        ("east china", "银行的会议", "서울 방문"),
    ],
)
async def test_a_typed_name_narrows_the_agenda_in_each_language(
    client: PortalClient, cast, agendas, typed: str, found: str, left_out: str
) -> None:
    await client.log_in(cast.admin)  # everyone's agenda, every partner

    page = (await client.get("/agenda", params={"partner_name": typed})).text

    assert found in page and left_out not in page


async def test_a_name_finds_only_partners_the_kam_sees(
    client: PortalClient, cast, agendas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agenda, "PARTNER_MENU_LIMIT", 2)
    await client.log_in(cast.kam)

    page = (await client.get("/agenda", params={"partner_name": "서울", "owner": "team"})).text

    assert "서울 방문" not in page and "Nothing here." in page


async def test_a_link_to_a_partners_agenda_names_it_with_a_badge_to_clear(
    client: PortalClient, cast, agendas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agenda, "PARTNER_MENU_LIMIT", 2)
    await client.log_in(cast.kam)

    page = (await client.get("/agenda", params={"partner": str(cast.bank.uuid)})).text

    assert MENU not in page
    assert f'<input type="hidden" name="partner" value="{cast.bank.uuid}">' in page
    assert f'<span class="badge">{cast.bank.legal_name} <a href="/agenda?"' in page
    assert "银行的会议" in page
    assert "锦程的电话" not in page and "衣尚的拜访" not in page


@pytest.mark.parametrize("menu_limit", [40, 2])
async def test_a_link_to_a_partner_the_kam_does_not_see_shows_an_empty_agenda(
    client: PortalClient, cast, agendas, monkeypatch: pytest.MonkeyPatch, menu_limit: int
) -> None:
    monkeypatch.setattr(agenda, "PARTNER_MENU_LIMIT", menu_limit)
    await client.log_in(cast.kam)

    response = await client.get(
        "/agenda", params={"partner": str(cast.distributor_b.uuid), "owner": "team"}
    )

    assert response.status_code == 200
    assert "서울 방문" not in response.text and "锦程的电话" not in response.text
    assert cast.distributor_b.legal_name not in response.text
