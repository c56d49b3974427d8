"""The list page runs the same number of queries for one row as for a full page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from partner_portal.database import current_engine
from partner_portal.partners.tables import Contact, Organisation, Territory
from tests.support import Cast, PortalClient


async def queries_for(client: PortalClient, url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    # Patched on the class: the PostgreSQL engine has slots, not an instance dict.
    engine_class = type(current_engine())
    original = engine_class.run_querystring
    count = 0

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    response = await client.get(url)
    monkeypatch.setattr(engine_class, "run_querystring", original)
    assert response.status_code == 200
    return count


async def test_a_full_page_costs_no_more_queries_than_one_row(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.sign_in(cast.admin)
    url = "/partners?kind=retailer"
    await client.get(url)  # the first visit also remembers the filters
    with_one_row = await queries_for(client, url, monkeypatch)

    now = datetime.now(UTC)
    rows = (
        await Organisation.insert(
            *(
                Organisation(
                    kind="retailer",
                    legal_name=f"零售店 {number:03}",
                    created_at=now,
                    updated_at=now,
                    parent_distributor=cast.distributor_a.id,
                    owner=cast.kam.id,
                )
                for number in range(60)
            )
        )
        .returning(Organisation.id)
        .run()
    )
    await Contact.insert(
        *(
            Contact(organisation=row["id"], name="店长", is_primary=True, created_at=now)
            for row in rows
        )
    ).run()
    await Territory.insert(
        *(Territory(organisation=row["id"], region_code="CN-ZJ") for row in rows)
    ).run()

    with_full_page = await queries_for(client, url, monkeypatch)
    page = await client.get(url)
    assert page.text.count('href="/partners/') >= 50
    assert with_full_page == with_one_row
