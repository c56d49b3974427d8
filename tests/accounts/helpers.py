"""Small helpers shared by the account tests."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support import Cast

LINK = re.compile(r"/set-password/([A-Za-z0-9_\-]+)")


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
