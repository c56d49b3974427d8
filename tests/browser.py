"""For the browser tests: sign in through the real login form, and keep screenshots of what
a user would see (var/screenshots/<name>.png) to look at after a run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.async_api import Page, ViewportSize, expect

from partner_portal import i18n
from tests.support import PASSWORD, Member

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


async def sign_in(page: Page, live_server: str, member: Member) -> None:
    """Sign in as a person would, ending any earlier session in this browser context.

    The earlier page is left first: a request it still had in flight (a lazy-loaded panel,
    the bell) could otherwise answer after the cookies are cleared and set the earlier
    CSRF cookie again under the new sign-in form, which the server then refuses (403)."""
    await page.goto("about:blank")
    await page.context.clear_cookies()
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-mail").fill(member.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@contextmanager
def reading_in(locale: str) -> Iterator[None]:
    """Format and translate as a reader of that language would see it."""
    token = i18n.current_locale.set(locale)
    try:
        yield
    finally:
        i18n.current_locale.reset(token)


def translated(locale: str, message: str, **variables: object) -> str:
    """A message as the catalogue words it in that language, failing when the catalogue has
    no translation (a page still in English would otherwise pass the check)."""
    with reading_in(locale):
        text = i18n.gettext(message, **variables)
    english = message % variables if variables else message
    assert text != english, f"no {locale} translation of {message!r}"
    return text
