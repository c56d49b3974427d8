"""An ERP's order pull costs the database a fixed number of queries per page: a page of
fifty orders with their lines takes as many as a page of one (the lines of every order on
the page are read together)."""

from __future__ import annotations

from typing import Any

import pytest

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import OrderChannel
from tests.catalog.test_import_query_count import queries_during
from tests.orders.support import make_shop
from tests.support import Cast, PortalClient
from tests.webhooks.support import token_for


async def test_a_page_of_fifty_orders_costs_the_queries_of_a_page_of_one(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await make_shop(1)
    [style] = shop.styles
    distributor = await viewer_for_user_id(cast.distributor.id)

    async def submit(count: int) -> None:
        for number in range(count):
            draft = await services.create_draft(
                distributor,
                OrderDraft(
                    buyer_id=cast.distributor_a.id,
                    channel=OrderChannel.distributor,
                    customer_po=f"PO-{number}",
                    lines=[style.line("BLK", "S", 1), style.line("WHT", "M", 2)],
                ),
            )
            assert draft.uuid is not None, draft.errors
            assert (await services.submit_order(distributor, draft.uuid)).saved

    erp = await token_for(cast.admin)

    async def pulled() -> tuple[int, list[dict[str, Any]]]:
        async def pull() -> list[dict[str, Any]]:
            answer = await client.get("/api/v1/erp/orders?limit=50", headers=erp)
            assert answer.status_code == 200, answer.text
            return answer.json()["items"]  # type: ignore[no-any-return]

        return await queries_during(pull, monkeypatch)

    await submit(1)
    await pulled()  # the token is read once, then cached
    one, [order] = await pulled()
    assert [line["quantity"] for line in order["lines"]] == [1, 2]
    await submit(49)
    fifty, orders = await pulled()

    assert len(orders) == 50
    assert all(len(order["lines"]) == 2 for order in orders)
    assert fifty == one
