"""A web process remembers a signed-in viewer for a few seconds (accounts/session_cache.py):
signing out, a new password, deactivation and a new role take effect at once in the
process that made the change; anything else within the cache's seconds."""

from __future__ import annotations

import os
from typing import Any

import pytest

from partner_portal.accounts import session_cache
from partner_portal.accounts.tables import Session
from partner_portal.web import SESSION_COOKIE
from tests.support import PASSWORD, PortalClient

SECONDS = 5


@pytest.fixture
def settings(database: str):  # type: ignore[no-untyped-def]
    from partner_portal.settings import load_settings

    return load_settings(
        {**os.environ, "DATABASE_URL": database, "SESSION_CACHE_SECONDS": str(SECONDS)}
    )


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    session_cache.clear()
    yield
    session_cache.clear()


async def test_a_session_ended_elsewhere_is_honoured_within_the_cache_seconds(
    client: PortalClient, cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.sign_in(cast.kam)
    assert (await client.get("/account")).status_code == 200
    # Another process (or an operator) ends the session in the database: this process
    # still knows the viewer for at most SECONDS, then looks again.
    await Session.delete().where(Session.user == cast.kam.id)
    assert (await client.get("/account")).status_code == 200
    later = session_cache.clock() + SECONDS
    monkeypatch.setattr(session_cache, "clock", lambda: later)
    assert (await client.get("/account")).status_code == 303


async def test_signing_out_takes_effect_at_once(client: PortalClient, cast) -> None:
    await client.sign_in(cast.kam)
    assert (await client.get("/account")).status_code == 200
    cookie = client.cookies[SESSION_COOKIE]
    assert (await client.post_form("/logout")).status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie)
    assert (await client.get("/account")).status_code == 303


async def test_deactivation_and_a_new_password_end_other_sessions_at_once(
    app, client: PortalClient, cast
) -> None:
    async with PortalClient.for_app(app) as kam_browser:
        await kam_browser.sign_in(cast.kam)
        assert (await kam_browser.get("/account")).status_code == 200
        await client.sign_in(cast.admin)
        assert (await client.post_form(f"/users/{cast.kam.uuid}/deactivate")).status_code == 303
        assert (await kam_browser.get("/account")).status_code == 303

    async with PortalClient.for_app(app) as phone:
        await phone.sign_in(cast.staff)
        assert (await phone.get("/account")).status_code == 200
        await client.log_in(cast.staff)
        changed = await client.post_form(
            "/account/password",
            {
                "current": PASSWORD,
                "password": "a new long password",
                "confirmation": "a new long password",
            },
        )
        assert changed.status_code == 303
        assert (await phone.get("/account")).status_code == 303
        assert (await client.get("/account")).status_code == 200


async def test_a_new_role_applies_to_the_next_request(app, client: PortalClient, cast) -> None:
    async with PortalClient.for_app(app) as staff_browser:
        await staff_browser.sign_in(cast.staff)
        assert (await staff_browser.get("/users")).status_code == 403
        await client.sign_in(cast.admin)
        edited = await client.post_form(
            f"/users/{cast.staff.uuid}/edit", {"role": "brand_admin", "version": "1"}
        )
        assert edited.status_code == 303, edited.text
        assert (await staff_browser.get("/users")).status_code == 200
