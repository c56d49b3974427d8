"""A small, hand-countable order history for the partner health tests (today: 15 March 2026).

- 10 Jan: distributor_a books 10 × 100 CNY = 1,000 (gold prices).
- 12 Jan: distributor_b books 1 × 20,000 KRW = 104 CNY at 0.0052.
- 10 Feb: distributor_a books 5 × 100 = 500.
- 15 Feb: retailer_a books 10 × 110 = 1,100 (any-tier prices).
- 20 Feb: distributor_a submits 100 pieces the brand has not confirmed: not revenue.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders import services as orders
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import OrderChannel, OrderStatus
from tests.orders.support import Shop, make_shop
from tests.support import Cast

TODAY = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)


async def book(
    cast: Cast,
    clock: Any,
    shop: Shop,
    when: datetime,
    user: Any,
    buyer: Any,
    size: str,
    quantity: int,
    confirm: bool = True,
    style: int = 0,
) -> Any:
    clock.frozen_at = when
    result = await orders.place_order(
        await viewer_for_user_id(user.id),
        OrderDraft(
            buyer_id=buyer.id,
            channel=OrderChannel.distributor,
            lines=[shop.styles[style].line("BLK", size, quantity)],
        ),
    )
    assert result.uuid is not None, result.errors
    if confirm:
        await orders.change_status(
            await viewer_for_user_id(cast.admin.id), result.uuid, OrderStatus.confirmed
        )
    return result.uuid


async def make_history(cast: Cast, clock: Any) -> Shop:
    shop = await make_shop()
    await book(
        cast,
        clock,
        shop,
        datetime(2026, 1, 10, tzinfo=UTC),
        cast.distributor,
        cast.distributor_a,
        "S",
        10,
    )
    await book(
        cast,
        clock,
        shop,
        datetime(2026, 1, 12, tzinfo=UTC),
        cast.other_distributor,
        cast.distributor_b,
        "M",
        1,
    )
    await book(
        cast,
        clock,
        shop,
        datetime(2026, 2, 10, tzinfo=UTC),
        cast.distributor,
        cast.distributor_a,
        "S",
        5,
    )
    await book(
        cast,
        clock,
        shop,
        datetime(2026, 2, 15, tzinfo=UTC),
        cast.retailer,
        cast.retailer_a,
        "S",
        10,
    )
    await book(
        cast,
        clock,
        shop,
        datetime(2026, 2, 20, tzinfo=UTC),
        cast.distributor,
        cast.distributor_a,
        "L",
        100,
        confirm=False,
    )
    clock.frozen_at = TODAY
    return shop


async def tune(**values: Any) -> None:
    """Change the brand's insight settings (made with their defaults first)."""
    from insights import figures
    from insights.tables import InsightSettings

    await figures.insight_settings()
    await InsightSettings.update(
        {InsightSettings._meta.get_column_by_name(name): value for name, value in values.items()},
        force=True,
    )
