from partner_portal.partners.tables import User
from tests.support import PortalClient


async def test_the_account_page_shows_the_profile(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    page = await client.get("/account")
    assert page.status_code == 200
    for text in ("王小明", cast.kam.email, "锦绣服饰有限公司", "Key-account manager"):
        assert text in page.text


async def test_choosing_a_language_saves_it_and_changes_the_page_language(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/account/preferences", {"locale": "zh_Hans", "time_zone": "Asia/Seoul"}
    )
    assert response.status_code == 303
    row = await User.select(User.locale, User.time_zone).where(User.id == cast.kam.id).first()
    assert row == {"locale": "zh_Hans", "time_zone": "Asia/Seoul"}
    page = await client.get("/account")
    assert '<html lang="zh-Hans">' in page.text


async def test_follow_my_browser_uses_the_accept_language_header(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.kam)
    await client.post_form("/account/preferences", {"locale": "ko", "time_zone": "Asia/Seoul"})
    await client.post_form("/account/preferences", {"locale": "", "time_zone": "Asia/Seoul"})
    row = await User.select(User.locale).where(User.id == cast.kam.id).first()
    assert row == {"locale": ""}
    page = await client.get("/account", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    assert '<html lang="ko">' in page.text


async def test_bad_preferences_re_render_with_errors(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/account/preferences", {"locale": "fr", "time_zone": "Nowhere/Land"}
    )
    assert response.status_code == 400
    assert "Choose a language from the list." in response.text
    assert "Enter a time zone like" in response.text
    row = await User.select(User.locale).where(User.id == cast.kam.id).first()
    assert row == {"locale": ""}
