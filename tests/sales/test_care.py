"""Care reminders: an event the brand defines fires once per order, as a follow-up for
the partner's KAM and, with a message, a notification for the partner's users."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from partner_portal.notifications.tables import Notification
from partner_portal.orders.tables import Order
from partner_portal.partners.tables import User
from sales import care
from scheduler.tables import FollowUp
from tests.sales.support import make_order, viewer
from tests.support import Cast, PortalClient

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


async def test_ninety_days_after_delivery_the_kam_and_the_partner_are_reminded_once(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await client.sign_in(cast.admin)
    response = await client.post_form(
        "/sales/care",
        {
            "name": "Sell-through check",
            "trigger": "after_delivery",
            "days": "90",
            "follow_up_title": "Check sell-through, offer replenishment",
            "partner_message_zh": "本季卖得怎么样？您的客户经理会来电。",
            "partner_message_en": "How is the season selling? Your KAM will call.",
        },
    )
    assert response.status_code == 303
    order = await make_order(cast.distributor_a, "100000.00")
    await Order.update({Order.status_changed_at: NOW - timedelta(days=91)}).where(
        Order.id == order["id"]
    )
    # Delivered only 10 days ago: not due yet.
    await make_order(cast.retailer_a, "50000.00")

    assert await care.run_care_reminders() == "1 care reminders"
    assert await care.run_care_reminders() == "0 care reminders"

    [follow_up] = await FollowUp.select().where(FollowUp.subject_uuid == order["uuid"])
    assert follow_up["owner"] == cast.kam.id
    assert follow_up["title"].startswith("Check sell-through")
    told = await Notification.select().where(Notification.kind == "sales_care")
    assert {row["user"] for row in told} == {cast.distributor.id, cast.distributor_colleague.id}


async def test_each_partner_user_reads_the_care_message_of_their_language_never_a_third(
    cast: Cast, frozen_clock: Any
) -> None:
    """The colleague reads Korean: with no Korean message they get the English one, never
    the Chinese one; written in Korean too, they get that."""
    frozen_clock.frozen_at = NOW
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    await User.update({User.locale: "ko"}).where(User.id == cast.distributor_colleague.id)
    messages = {
        "partner_message_zh": "本季卖得怎么样？",
        "partner_message_en": "How is the season selling?",
    }
    for number, extra in enumerate(({}, {"partner_message_ko": "이번 시즌 판매는 어떠세요?"})):
        saved = await care.create_event(
            await viewer(cast.admin),
            {
                "name": f"Sell-through {number}",
                "trigger": "after_delivery",
                "days": "90",
                "follow_up_title": "Check sell-through",
                **messages,
                **extra,
            },
        )
        assert saved.saved, saved.errors
    order = await make_order(cast.distributor_a, "100000.00")
    await Order.update({Order.status_changed_at: NOW - timedelta(days=91)}).where(
        Order.id == order["id"]
    )

    assert await care.run_care_reminders() == "2 care reminders"

    told = await Notification.select(Notification.user, Notification.message).where(
        Notification.kind == "sales_care"
    )
    by_user: dict[int, list[str]] = {}
    for row in told:
        by_user.setdefault(row["user"], []).append(row["message"].rsplit(" (", 1)[0])
    assert sorted(by_user[cast.distributor.id]) == ["本季卖得怎么样？", "本季卖得怎么样？"]
    assert sorted(by_user[cast.distributor_colleague.id]) == [
        "How is the season selling?",
        "이번 시즌 판매는 어떠세요?",
    ]


async def test_before_the_delivery_window_ends_the_partner_is_reminded_of_returns(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await care.create_event(
        await viewer(cast.admin),
        {
            "name": "Returns window",
            "trigger": "before_window_end",
            "days": "14",
            "follow_up_title": "Remind of the exchange window",
        },
    )
    order = await make_order(cast.retailer_a, "20000.00", status="shipped")
    await Order.update({Order.delivery_window_end: date(2026, 6, 25)}).where(
        Order.id == order["id"]
    )

    assert await care.run_care_reminders() == "1 care reminders"
    assert await FollowUp.count().where(FollowUp.subject_uuid == order["uuid"]) == 1


async def test_a_care_event_form_with_mistakes_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)

    response = await client.post_form("/sales/care", {"name": "", "trigger": "x", "days": "0"})

    assert response.status_code == 400
    assert "Name the care event." in response.text
    assert await care.events() == []
