import os
from pathlib import Path

import pytest
from litestar.middleware.csrf import generate_csrf_token

from partner_portal.partners.tables import User
from tests.accounts.helpers import invite_form
from tests.support import PASSWORD, PortalClient

# The key every development install used to share when SECRET_KEY was not set.
FORMER_DEVELOPMENT_KEY = "development-only-secret-key-change-me-please"


async def test_a_post_without_the_csrf_token_is_rejected_and_saves_nothing(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.admin)
    users_before = await User.count()
    response = await client.post("/users/invite", data=invite_form(cast))
    assert response.status_code == 403
    assert await User.count() == users_before


async def test_a_login_without_the_csrf_token_is_rejected(client: PortalClient, cast) -> None:
    await client.get("/login")
    response = await client.post("/login", data={"email": cast.kam.email, "password": "x"})
    assert response.status_code == 403


async def test_a_token_post_without_csrf_creates_no_token(client: PortalClient, cast) -> None:
    from partner_portal.accounts.tables import ApiToken

    await client.log_in(cast.kam)
    response = await client.post("/account/tokens", data={"name": "sneaky"})
    assert response.status_code == 403
    assert await ApiToken.count() == 0


async def test_every_form_on_the_account_pages_carries_the_token(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.admin)
    for url in ("/account", "/account/password", "/account/tokens", "/users/invite"):
        page = (await client.get(url)).text
        assert page.count('method="post"') == page.count('name="_csrf_token"'), url


async def test_a_csrf_token_made_with_the_former_development_key_is_refused(
    database: str, cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partner_portal.app import create_app
    from partner_portal.settings import load_settings

    environment = {name: value for name, value in os.environ.items() if name != "SECRET_KEY"}
    with monkeypatch.context() as in_a_fresh_checkout:
        in_a_fresh_checkout.chdir(tmp_path)
        settings = load_settings(
            {**environment, "THREADLINE_ENV": "development", "DATABASE_URL": database}
        )
    forged = generate_csrf_token(FORMER_DEVELOPMENT_KEY)
    async with PortalClient.for_app(create_app(settings)) as client:
        client.cookies.set("csrftoken", forged)
        response = await client.post(
            "/login",
            data={"email": cast.kam.email, "password": PASSWORD},
            headers={"x-csrftoken": forged},
        )
    assert response.status_code == 403
