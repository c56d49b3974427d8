"""Log-in throttling holds under parallel guessing, and a stranger cannot lock the owner out.

Every attempt claims its place in counters kept in the database before the password is
checked; the tests count the password verifications the portal really runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from partner_portal.accounts import services
from partner_portal.accounts.controllers import KNOWN_DEVICE_COOKIE
from partner_portal.accounts.tables import LoginFailure, LoginThrottle
from partner_portal.web import SESSION_COOKIE
from tests.support import PASSWORD, Cast, Member, PortalClient

ATTACKER = "203.0.113.66"
OWNER_ADDRESS = "198.51.100.7"
WRONG = "Wrong e-mail or password."
TRY_AGAIN_IN_TEN_MINUTES = "Too many failed attempts. Try again in 10 minutes."


class CountingHasher(PasswordHasher):
    """The real Argon2 hasher, keeping a list of the passwords it was asked to verify."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Any:
        self.verified.append(str(password))
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    counting = CountingHasher()
    monkeypatch.setattr(services, "_hasher", lambda environment: counting)
    yield counting


async def _fail(settings: Any, email: str, address: str, times: int) -> list[str | None]:
    results = [
        await services.log_in(settings, email, "not the password", address, "script")
        for _attempt in range(times)
    ]
    return [result.error for result in results]


async def _wrong_passwords(browser: PortalClient, email: str, times: int) -> httpx.Response:
    """Post the log-in form ``times`` with a wrong password, as a person would; the last answer."""
    for _attempt in range(times):
        response = await browser.post_form("/login", {"email": email, "password": "guess"})
    return response


async def _sign_in_and_out(browser: PortalClient, member: Member) -> None:
    """After this the browser holds the member's known-device cookie, and no session."""
    await browser.log_in(member)
    await browser.post_form("/logout")
    assert SESSION_COOKIE not in browser.cookies


async def test_thirty_parallel_wrong_guesses_check_only_the_allowed_number(
    settings: Any, cast: Cast, hasher: CountingHasher
) -> None:
    guesses = [
        services.log_in(settings, cast.kam.email, f"guess {number}", ATTACKER, "script")
        for number in range(30)
    ]
    results = await asyncio.gather(*guesses)

    assert len(hasher.verified) == settings.login_max_failures == 5
    assert await LoginFailure.count() == 5
    assert all(result.session_token is None for result in results)
    assert sum(result.error == WRONG for result in results) == 5
    assert sum(result.error != WRONG for result in results) == 25


async def test_thirty_parallel_guesses_through_a_real_server_check_only_the_allowed_number(
    live_server: str, cast: Cast, hasher: CountingHasher
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as attacker:
        await attacker.get("/login")
        token = attacker.cookies["csrftoken"]
        responses = await asyncio.gather(
            *(
                attacker.post(
                    "/login",
                    data={"email": cast.kam.email, "password": f"guess {number}"},
                    headers={"x-csrftoken": token},
                )
                for number in range(30)
            )
        )

    assert len(hasher.verified) == 5
    assert await LoginFailure.count() == 5
    assert {response.status_code for response in responses} == {400}
    assert sum(WRONG in response.text for response in responses) == 5
    assert sum("Too many failed attempts" in response.text for response in responses) == 25


async def test_a_strangers_failures_from_elsewhere_do_not_stop_the_owner(
    settings: Any, cast: Cast, hasher: CountingHasher
) -> None:
    errors = await _fail(settings, cast.kam.email, ATTACKER, 50)
    assert errors[:5] == [WRONG] * 5
    assert len(hasher.verified) == 5

    result = await services.log_in(settings, cast.kam.email, PASSWORD, OWNER_ADDRESS, "Firefox")
    assert result.session_token is not None


async def test_a_stranger_at_the_owners_address_cannot_lock_out_the_owners_known_browser(
    app: Any, client: PortalClient, cast: Cast
) -> None:
    # The owner signed in from this browser before.
    await _sign_in_and_out(client, cast.kam)

    # Someone behind the same office address (the test clients all come from 127.0.0.1).
    async with PortalClient.for_app(app) as stranger, PortalClient.for_app(app) as new_browser:
        response = await _wrong_passwords(stranger, cast.kam.email, 50)
        assert "Too many failed attempts" in response.text
        # A browser the owner never used here waits, like the stranger...
        response = await new_browser.post_form(
            "/login", {"email": cast.kam.email, "password": PASSWORD}
        )
        assert response.status_code == 400
        assert "Too many failed attempts" in response.text

    # ...but the owner's own browser signs in.
    response = await client.post_form("/login", {"email": cast.kam.email, "password": PASSWORD})
    assert response.status_code == 303


async def test_a_known_browser_counts_only_for_its_own_account(
    app: Any, client: PortalClient, cast: Cast
) -> None:
    async with PortalClient.for_app(app) as stranger:
        # The stranger's own account makes their browser known, for that account only.
        await _sign_in_and_out(stranger, cast.staff)
        response = await _wrong_passwords(stranger, cast.kam.email, 10)
        assert "Too many failed attempts" in response.text

        stranger.cookies.set(KNOWN_DEVICE_COOKIE, "made-up.value")
        response = await stranger.post_form(
            "/login", {"email": cast.kam.email, "password": PASSWORD}
        )
        assert "Too many failed attempts" in response.text


async def test_a_known_browser_has_its_own_allowance_then_waits_too(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2025, 3, 3, 9, 5, tzinfo=UTC)
    await _sign_in_and_out(client, cast.kam)
    assert WRONG in (await _wrong_passwords(client, cast.kam.email, 5)).text
    response = await client.post_form("/login", {"email": cast.kam.email, "password": PASSWORD})
    assert response.status_code == 400
    assert TRY_AGAIN_IN_TEN_MINUTES in response.text


async def test_the_refusal_reads_the_same_whatever_the_reason_and_says_when(
    app: Any, settings: Any, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2025, 3, 3, 9, 5, tzinfo=UTC)
    # Too many failures for one account from one address.
    (*_, for_the_account) = await _fail(settings, cast.kam.email, ATTACKER, 6)
    # Too many failures from one address, over many accounts (25 = 5 × 5).
    for number in range(25):
        await _fail(settings, f"nobody{number}@x.test", OWNER_ADDRESS, 1)
    (for_the_address,) = await _fail(settings, cast.staff.email, OWNER_ADDRESS, 1)
    # Too many failures on a known browser.
    async with PortalClient.for_app(app) as browser:
        await _sign_in_and_out(browser, cast.other_kam)
        response = await _wrong_passwords(browser, cast.other_kam.email, 6)
    assert for_the_account == for_the_address == TRY_AGAIN_IN_TEN_MINUTES
    assert TRY_AGAIN_IN_TEN_MINUTES in response.text


async def test_the_wait_ends_with_the_window(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2025, 3, 3, 9, 14, tzinfo=UTC)
    assert WRONG in (await _wrong_passwords(client, cast.kam.email, 5)).text
    response = await client.post_form("/login", {"email": cast.kam.email, "password": PASSWORD})
    assert "Too many failed attempts. Try again in 1 minute." in response.text

    frozen_clock.frozen_at += timedelta(minutes=1)
    response = await client.post_form("/login", {"email": cast.kam.email, "password": PASSWORD})
    assert response.status_code == 303


async def test_the_wait_is_per_account_from_an_address(settings: Any, cast: Cast) -> None:
    await _fail(settings, cast.kam.email, ATTACKER, 5)
    result = await services.log_in(settings, cast.staff.email, PASSWORD, ATTACKER, "script")
    assert result.session_token is not None


async def test_addresses_of_one_ipv6_network_count_as_one(settings: Any, cast: Cast) -> None:
    for host in range(1, 6):
        await _fail(settings, cast.kam.email, f"2001:db8:1:2::{host:x}", 1)
    (error,) = await _fail(settings, cast.kam.email, "2001:db8:1:2:ffff::9", 1)
    assert error is not None and "Too many failed attempts" in error
    other_network = await services.log_in(
        settings, cast.kam.email, PASSWORD, "2001:db8:1:3::1", "script"
    )
    assert other_network.session_token is not None


async def test_signing_in_successfully_uses_up_no_allowance(settings: Any, cast: Cast) -> None:
    # An office where everyone signs in from one address in the morning.
    for _morning in range(30):
        result = await services.log_in(settings, cast.kam.email, PASSWORD, OWNER_ADDRESS, "Edge")
        assert result.session_token is not None


async def test_an_unknown_email_costs_a_password_check_like_a_known_one(
    settings: Any, cast: Cast, hasher: CountingHasher
) -> None:
    # Otherwise a quick answer would tell that no account has this address.
    result = await services.log_in(settings, "nobody@x.test", PASSWORD, ATTACKER, "script")
    assert result.error == WRONG
    assert len(hasher.verified) == 1


async def test_counters_of_past_windows_are_cleared_away(
    settings: Any, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    await _fail(settings, cast.kam.email, ATTACKER, 1)
    frozen_clock.frozen_at += timedelta(minutes=15)
    await _fail(settings, cast.kam.email, ATTACKER, 1)
    assert await LoginThrottle.count() == 4  # this window's two counters and the last's

    frozen_clock.frozen_at += timedelta(minutes=15)
    await _fail(settings, cast.kam.email, ATTACKER, 1)
    kept = await LoginThrottle.select(LoginThrottle.window_start)
    assert {row["window_start"] for row in kept} == {
        datetime(2025, 3, 3, 9, 15, tzinfo=UTC),
        datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
    }
