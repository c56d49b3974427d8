"""Small helpers shared by the account tests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support import Cast, Member, PortalClient

LINK = re.compile(r"/set-password/([A-Za-z0-9_\-]+)")
API_TOKEN = re.compile(r"tl_[A-Za-z0-9_\-]{20,}")


def link_token(response: httpx.Response) -> str:
    """The one-time token in the set-password link a page shows."""
    match = LINK.search(response.text)
    assert match, response.text
    return match.group(1)


def invite_form(cast: Cast, **overrides: Any) -> dict[str, str]:
    form = {
        "email": "New.Buyer@Jincheng.test",
        "display_name": "张伟",
        "organisation": str(cast.distributor_a.uuid),
        "role": "distributor",
        "locale": "zh_Hans",
        "time_zone": "Asia/Shanghai",
    }
    form.update(overrides)
    return form


async def create_api_token(client: PortalClient, name: str = "ERP import") -> str:
    """Create an API token on the tokens page as its owner would; the plain token it shows."""
    response = await client.post_form("/account/tokens", {"name": name})
    assert response.status_code == 200
    match = API_TOKEN.search(response.text)
    assert match, response.text
    return match.group(0)


@asynccontextmanager
async def program_with_token(app: Any, member: Member) -> AsyncIterator[PortalClient]:
    """A program calling the API with a token ``member`` made on the tokens page (in a
    session of their own); the token is checked to work before the program is handed over."""
    async with PortalClient.for_app(app) as browser, PortalClient.for_app(app) as program:
        await browser.sign_in(member)
        program.headers["authorization"] = f"Bearer {await create_api_token(browser)}"
        assert (await program.get("/api/v1/partners")).status_code == 200
        yield program
