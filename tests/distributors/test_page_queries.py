"""A line sheet and its order grid read each thing once (issue 21): the sheet's styles and
colourways serve both the filters and the cards, the season comes with the sheet, the buyer
is found among whom the viewer may order for, the grid rules need no minimum order values."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.distributors.support import make_sheet
from tests.support import Cast, PortalClient

FROM_TABLE = re.compile(r'\bFROM "(\w+)"')


async def tables_read(
    call: Callable[[], Awaitable[httpx.Response]], monkeypatch: pytest.MonkeyPatch
) -> Counter[str]:
    """How many statements read each table first (their FROM) while ``call`` runs."""
    from partner_portal.database import current_engine

    engine_class = type(current_engine())  # the class: PostgreSQL's engine has slots
    original = engine_class.run_querystring
    read: Counter[str] = Counter()

    async def recording(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        found = FROM_TABLE.search(str(querystring))
        read[found.group(1) if found else "?"] += 1
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", recording)
    try:
        response = await call()
    finally:
        monkeypatch.setattr(engine_class, "run_querystring", original)
    assert response.status_code == 200
    return read


@pytest.mark.parametrize("page", ["", "/order"])
async def test_a_sheet_and_its_grid_read_each_thing_once(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    sheet = await make_sheet(style_count=9)
    await client.sign_in(cast.distributor)
    url = f"/line-sheets/{sheet.uuid}{page}"
    await client.get(url)  # the first visit may remember things
    read = await tables_read(lambda: client.get(url), monkeypatch)
    assert read["style"] == 1 and read["colourway"] == 1, read
    assert read["season"] == 0 and read["order_minimum"] == 0, read
    # Once for whom the buyer may order for (their own organisation among them), once for
    # its prices' tier and currency.
    assert read["organisation"] == 2, read
