"""The list page runs the same number of queries for one row as for a full page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partner_portal.partners.tables import Contact, Organisation, Territory
from tests.support import Cast, PortalClient, queries_during


async def queries_for(client: PortalClient, url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    count, response = await queries_during(lambda: client.get(url), monkeypatch)
    assert response.status_code == 200
    return count  # type: ignore[no-any-return]


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
