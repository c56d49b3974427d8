from partner_portal.accounts.tables import Session
from partner_portal.web import SESSION_COOKIE
from tests.support import PASSWORD, PortalClient


async def test_it_signs_in_with_the_right_password(client: PortalClient, cast) -> None:
    response = await client.post_form("/login", {"email": cast.kam.email, "password": PASSWORD})
    assert response.status_code == 303
    assert SESSION_COOKIE in client.cookies
    assert (await client.get("/account")).status_code == 200


async def test_it_accepts_the_email_in_any_case(client: PortalClient, cast) -> None:
    response = await client.post_form(
        "/login", {"email": "  KAM@Brand.Test ", "password": PASSWORD}
    )
    assert response.status_code == 303


async def test_a_wrong_password_shows_a_message_and_starts_no_session(
    client: PortalClient, cast
) -> None:
    response = await client.post_form("/login", {"email": cast.kam.email, "password": "nope"})
    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.text
    assert await Session.count() == 0
    assert SESSION_COOKIE not in client.cookies


async def test_an_unknown_email_gets_the_same_message(client: PortalClient, cast) -> None:
    response = await client.post_form("/login", {"email": "who@x.test", "password": PASSWORD})
    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.text


async def test_logout_ends_the_session(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    old_cookie = client.cookies[SESSION_COOKIE]
    response = await client.post_form("/logout")
    assert response.status_code == 303
    assert await Session.count() == 0

    client.cookies.set(SESSION_COOKIE, old_cookie)
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_it_only_follows_local_next_paths(client: PortalClient, cast) -> None:
    response = await client.post_form(
        "/login",
        {"email": cast.kam.email, "password": PASSWORD, "next": "//evil.test/x"},
    )
    assert response.headers["location"] == "/"
