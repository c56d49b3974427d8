"""Deal registrations and cases page through the API with a cursor, as every list of the
API does: each page in the list's order, none twice, none left out (cases with the same
deadline too), and a cursor not made by the portal is a 400 problem on ``cursor``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.sales.support import open_case, register_deal
from tests.support import Cast, PortalClient, cursor_pages, problem_fields


async def test_registrations_page_newest_first(client: PortalClient, cast: Cast) -> None:
    made = [
        str(await register_deal(cast.distributor, f"Customer {number}", "CN-SH"))
        for number in range(5)
    ]
    await client.sign_in(cast.distributor)

    pages = await cursor_pages(client, "/api/v1/deal-registrations")

    assert pages == [made[4:2:-1], made[2:0:-1], made[:1]]
    forged = await client.get("/api/v1/deal-registrations", params={"cursor": "not-ours"})
    assert problem_fields(forged) == {"cursor": "invalid"}


async def test_cases_page_by_deadline_even_when_deadlines_are_equal(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
    urgent = str(await open_case(cast.distributor, subject="Urgent", priority="urgent"))
    # Opened in the same instant with the same priority: one deadline, ordered by id.
    normal = [str(await open_case(cast.distributor, subject=f"Case {n}")) for n in range(4)]
    await client.sign_in(cast.distributor)

    pages = await cursor_pages(client, "/api/v1/cases")

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [case for page in pages for case in page] == [urgent, *normal]
    forged = await client.get("/api/v1/cases", params={"cursor": "eyJ4IjoxfQ"})
    assert problem_fields(forged) == {"cursor": "invalid"}
