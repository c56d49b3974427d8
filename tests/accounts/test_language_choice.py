"""A reader on someone else's browser (an English laptop at a trade fair) chooses the
language of the sign-in page; once signed in, their own setting wins."""

from __future__ import annotations

from partner_portal.i18n import LANGUAGE_COOKIE
from partner_portal.partners.tables import User
from tests.support import PortalClient

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


async def test_the_sign_in_page_links_every_language_in_its_own_name(
    client: PortalClient,
) -> None:
    page = await client.get("/login", headers=ENGLISH_BROWSER)
    assert 'href="/language/zh_Hans?next=' in page.text
    assert ">简体中文</a>" in page.text and ">한국어</a>" in page.text
    assert '<strong lang="en" aria-current="true">English</strong>' in page.text


async def test_choosing_korean_turns_the_sign_in_page_korean_on_an_english_browser(
    client: PortalClient,
) -> None:
    chosen = await client.get("/language/ko?next=/login", headers=ENGLISH_BROWSER)
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/login"
    assert client.cookies[LANGUAGE_COOKIE] == "ko"
    page = await client.get("/login", headers=ENGLISH_BROWSER)
    assert '<html lang="ko">' in page.text
    assert "로그인" in page.text


async def test_a_signed_in_users_own_language_wins_over_the_choice(
    client: PortalClient, cast
) -> None:
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.kam.id)
    await client.get("/language/ko?next=/login")
    await client.log_in(cast.kam)
    page = await client.get("/account", headers=ENGLISH_BROWSER)
    assert '<html lang="zh-Hans">' in page.text


async def test_a_user_who_follows_the_browser_keeps_the_language_chosen_on_it(
    client: PortalClient, cast
) -> None:
    await User.update({User.locale: ""}).where(User.id == cast.kam.id)
    await client.get("/language/ko?next=/login")
    await client.log_in(cast.kam)
    page = await client.get("/account", headers=ENGLISH_BROWSER)
    assert '<html lang="ko">' in page.text


async def test_an_unknown_language_is_a_404_and_sets_nothing(client: PortalClient) -> None:
    response = await client.get("/language/fr?next=/login")
    assert response.status_code == 404
    assert LANGUAGE_COOKIE not in client.cookies


async def test_the_choice_never_sends_the_reader_to_another_site(client: PortalClient) -> None:
    response = await client.get("/language/zh_Hans?next=https://evil.example/")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
