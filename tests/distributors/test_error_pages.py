"""A buyer who meets an error page (a file too big to upload, an address that is not
there, a page their role may not open, a fault of ours) keeps the portal's menu in their
language and is offered the same ways on: back to the page that led there, and the start
page."""

from __future__ import annotations

import re

import httpx
import pytest

from distributors import services
from partner_portal.partners.tables import User
from partner_portal.spreadsheets import UPLOAD_BYTES
from tests.support import Cast, PortalClient

UPLOAD_PAGE = "http://testserver/distributors/upload"


@pytest.fixture
async def chinese_buyer(client: PortalClient, cast: Cast, database: str) -> PortalClient:
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    await client.sign_in(cast.distributor)
    return client


def ways_on(response: httpx.Response) -> list[str]:
    """The links the error page offers under its message."""
    page = response.text
    assert "订货单" in page and "退出登录" in page  # the menu, and the way out
    section = re.search(r'<section class="error-page">(.*?)</section>', page, re.S)
    assert section is not None
    return re.findall(r'<a class="button[^"]*" href="([^"]+)">', section.group(1))


async def test_a_file_too_big_answers_with_the_menu_and_the_way_back_to_the_form(
    chinese_buyer: PortalClient,
) -> None:
    # As a browser sends the upload form: the CSRF token in the body, the form's page as
    # the referrer.
    response = await chinese_buyer.post(
        "/distributors/upload",
        data={"_csrf_token": await chinese_buyer.csrf_token()},
        files={"file": ("order.csv", b"x" * (UPLOAD_BYTES + 1))},
        headers={"referer": UPLOAD_PAGE},
    )
    assert response.status_code == 413
    assert "MB" in response.text and "Not found" not in response.text
    assert ways_on(response) == [UPLOAD_PAGE, "/"]


async def test_every_error_page_offers_the_same_ways_on(
    chinese_buyer: PortalClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    came_from = {"referer": "http://testserver/line-sheets"}
    not_found = await chinese_buyer.get("/line-sheets/no-such-sheet", headers=came_from)
    assert not_found.status_code == 404
    forbidden = await chinese_buyer.get("/distributors/rules", headers=came_from)
    assert forbidden.status_code == 403

    async def broken(*arguments: object) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(services, "chosen_buyer", broken)
    failed = await chinese_buyer.get("/distributors/upload", headers=came_from)
    assert failed.status_code == 500
    for response in (not_found, forbidden, failed):
        assert ways_on(response) == ["http://testserver/line-sheets", "/"]


async def test_no_way_back_to_another_site_or_to_the_page_itself(
    chinese_buyer: PortalClient,
) -> None:
    for referrer in ("https://elsewhere.example/", "http://testserver/nowhere"):
        response = await chinese_buyer.get("/nowhere", headers={"referer": referrer})
        assert response.status_code == 404
        assert ways_on(response) == ["/"]
