"""Reading a page or the API again writes nothing (issue 14, finding 1: when every API
request wrote the token's "last used", every read waited for, and failed on, the write
lock). A token's use is noted at most every few minutes; a list opened again with the
same filters keeps them without writing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from partner_portal.accounts.services import (
    TOKEN_USE_PRECISION,
    create_api_token,
    viewer_for_user_id,
)
from partner_portal.accounts.tables import ApiToken
from partner_portal.database import current_engine
from tests.support import Cast, PortalClient

WRITES = ("INSERT", "UPDATE", "DELETE")


async def writes_while_getting(
    client: PortalClient, url: str, monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> list[str]:
    """The write statements the server runs while answering GET ``url`` (which must be 200)."""
    # Patched on the class: the PostgreSQL engine has slots, not an instance dict.
    engine_class = type(current_engine())
    original = engine_class.run_querystring
    writes: list[str] = []

    async def recording(self: Any, querystring: Any, *args: Any, **options: Any) -> Any:
        statement = str(querystring).lstrip()
        if statement.upper().startswith(WRITES):
            writes.append(statement[:80])
        return await original(self, querystring, *args, **options)

    monkeypatch.setattr(engine_class, "run_querystring", recording)
    try:
        response = await client.get(url, **kwargs)
    finally:
        monkeypatch.setattr(engine_class, "run_querystring", original)
    assert response.status_code == 200, response.text
    return writes


async def test_an_api_token_notes_its_use_once_every_few_minutes(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    token = await create_api_token(await viewer_for_user_id(cast.kam.id), "erp")
    bearer = {"headers": {"Authorization": f"Bearer {token}"}}

    first = await writes_while_getting(client, "/api/v1/partners", monkeypatch, **bearer)
    frozen_clock.frozen_at += TOKEN_USE_PRECISION - timedelta(seconds=1)
    soon_after = await writes_while_getting(client, "/api/v1/partners", monkeypatch, **bearer)
    noted_first = await ApiToken.select(ApiToken.last_used_at).first()
    frozen_clock.frozen_at += timedelta(seconds=1)
    later = await writes_while_getting(client, "/api/v1/partners", monkeypatch, **bearer)
    noted_later = await ApiToken.select(ApiToken.last_used_at).first()

    assert len(first) == 1 and soon_after == [] and len(later) == 1
    assert noted_first == {"last_used_at": datetime(2027, 3, 1, 9, 0, tzinfo=UTC)}
    assert noted_later == {"last_used_at": frozen_clock.frozen_at}


@pytest.mark.parametrize(
    "url",
    ["/users?role=kam", "/partners?kind=retailer", "/orders?status=draft"],
)
async def test_a_list_opened_again_with_the_same_filters_writes_nothing(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    await client.sign_in(cast.admin)

    first = await writes_while_getting(client, url, monkeypatch)
    again = await writes_while_getting(client, url, monkeypatch)
    reopened = await client.get(url.split("?")[0])

    assert first != [] and again == []
    assert reopened.headers["location"].endswith(url)
