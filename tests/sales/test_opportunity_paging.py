"""The opportunities API pages by key with an opaque cursor, soonest close first, as the
other lists of the API do."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from tests.sales.support import make_opportunity
from tests.support import Cast, Member, PortalClient, problem_messages

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


async def test_the_opportunities_api_pages_by_cursor_soonest_close_first(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    made = [
        await make_opportunity(
            cast.kam, cast.distributor_a, title=f"Deal {day}", expected_close_date=f"2027-01-{day}"
        )
        for day in ("20", "10", "10", "30", "05")
    ]
    headers = await token_for(cast.kam)

    first = await client.get("/api/v1/opportunities?limit=2", headers=headers)
    cursor = first.json()["next_cursor"]
    second = await client.get(f"/api/v1/opportunities?limit=2&cursor={cursor}", headers=headers)
    last = await client.get(
        f"/api/v1/opportunities?limit=2&cursor={second.json()['next_cursor']}", headers=headers
    )
    forged = await client.get("/api/v1/opportunities?cursor=bm90IGEgY3Vyc29y", headers=headers)

    pages = [page.json()["items"] for page in (first, second, last)]
    dates = [item["expected_close_date"] for page in pages for item in page]
    assert dates == ["2027-01-05", "2027-01-10", "2027-01-10", "2027-01-20", "2027-01-30"]
    assert sorted(item["id"] for page in pages for item in page) == sorted(map(str, made))
    assert last.json()["next_cursor"] is None
    assert forged.status_code == 400 and "cursor" in problem_messages(forged)
