"""Domain events: one recorded event tells the people concerned on both sides, each in
their own language, in the portal and by e-mail as they chose, exactly once."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from partner_portal import messages
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.database import write_transaction
from partner_portal.events import services as events
from partner_portal.events.tables import DomainEvent
from partner_portal.notifications import inbox, preferences
from partner_portal.notifications.services import send_due
from partner_portal.notifications.tables import Choice, Notification, OutboxEmail
from partner_portal.orders import events as order_events
from partner_portal.partners.tables import User
from tests.support import Cast, PortalClient


class Refused(Exception):
    """Raised inside a transaction to roll it back."""


async def set_languages(cast: Cast) -> None:
    """The distributor reads Chinese, their colleague Korean, the KAM English."""
    for member, locale in (
        (cast.distributor, "zh_Hans"),
        (cast.distributor_colleague, "ko"),
        (cast.kam, "en"),
        (cast.staff, "ko"),
    ):
        await User.update({User.locale: locale}).where(User.id == member.id)


async def submit_event(cast: Cast, settings: Any, number: str = "SO-0000042") -> None:
    """The distributor submits an order: the event the order book records."""
    viewer = await viewer_for_user_id(cast.distributor.id)
    async with write_transaction():
        await events.record_event(
            viewer,
            order_events.SUBMITTED.type,
            organisation_id=cast.distributor_a.id,
            object_kind="order",
            object_uuid=None,
            message=order_events.SUBMITTED_MESSAGE,
            params={
                "buyer": cast.distributor_a.legal_name,
                "number": number,
                "total": messages.money(Decimal("1234.50"), "CNY"),
            },
            link="/orders",
            payload={"number": number},
            settings=settings,
        )


async def texts_of(client: PortalClient, member: Any) -> str:
    await client.log_in(member)
    page = await client.get("/notifications")
    assert page.status_code == 200
    return page.text


async def test_an_event_reaches_the_partners_users_and_its_kam_in_their_languages(
    app: Any, client: PortalClient, cast: Cast, mail_settings: Any, smtp: Any
) -> None:
    await set_languages(cast)
    await submit_event(cast, mail_settings)

    told = {row["user"] for row in await Notification.select(Notification.user)}
    # the colleague and the KAM; not the distributor who submitted, not other partners
    assert told == {cast.distributor_colleague.id, cast.kam.id}

    assert "提交了订单" not in await texts_of(client, cast.distributor)
    korean = await texts_of(client, cast.distributor_colleague)
    assert "SO-0000042" in korean and "주문" in korean and "submitted" not in korean
    english = await texts_of(client, cast.kam)
    assert "上海锦程贸易有限公司 submitted order SO-0000042" in english

    report = await send_due(mail_settings, "sender")
    assert report.sent == 2
    by_recipient = {message["To"]: message for message in smtp.mailbox.messages}
    assert set(by_recipient) == {cast.distributor_colleague.email, cast.kam.email}
    assert "주문" in by_recipient[cast.distributor_colleague.email]["Subject"]
    assert "submitted order SO-0000042" in by_recipient[cast.kam.email]["Subject"]


async def test_brand_users_following_a_partner_hear_of_its_events(
    app: Any, client: PortalClient, cast: Cast, settings: Any
) -> None:
    await set_languages(cast)
    staff = await viewer_for_user_id(cast.staff.id)
    await events.follow(staff, organisation_id=cast.distributor_a.id)
    await events.follow(staff, organisation_id=cast.distributor_a.id)  # twice is once

    await submit_event(cast, settings)

    assert await inbox.unread_count(cast.staff.id) == 1
    korean = await texts_of(client, cast.staff)
    assert "SO-0000042" in korean and "주문" in korean
    assert await inbox.unread_count(cast.other_kam.id) == 0

    await events.unfollow(staff, organisation_id=cast.distributor_a.id)
    await submit_event(cast, settings, number="SO-0000043")
    assert await inbox.unread_count(cast.staff.id) == 1


async def test_a_rolled_back_change_tells_nobody(
    app: Any, cast: Cast, mail_settings: Any, smtp: Any
) -> None:
    with pytest.raises(Refused):
        async with write_transaction():
            viewer = await viewer_for_user_id(cast.distributor.id)
            await events.record_event(
                viewer,
                order_events.SUBMITTED.type,
                organisation_id=cast.distributor_a.id,
                object_kind="order",
                object_uuid=None,
                message=order_events.SUBMITTED_MESSAGE,
                params={"buyer": "x", "number": "SO-1", "total": "1"},
                settings=mail_settings,
            )
            raise Refused

    assert await DomainEvent.count() == 0
    assert await Notification.count() == 0
    assert await OutboxEmail.count() == 0
    assert (await send_due(mail_settings, "sender")).sent == 0
    assert smtp.mailbox.messages == []


async def test_two_senders_at_once_deliver_each_e_mail_once(
    app: Any, cast: Cast, mail_settings: Any, smtp: Any
) -> None:
    for number in range(5):
        await submit_event(cast, mail_settings, number=f"SO-00001{number:02d}")

    first, second = await asyncio.gather(
        send_due(mail_settings, "sender-1", batch=2), send_due(mail_settings, "sender-2", batch=2)
    )

    assert first.sent + second.sent == 10
    assert len(smtp.mailbox.messages) == 10
    assert len({message["Message-ID"] for message in smtp.mailbox.messages}) == 10


async def test_each_user_chooses_how_a_kind_of_event_reaches_them(
    app: Any, cast: Cast, mail_settings: Any, smtp: Any
) -> None:
    kind = order_events.SUBMITTED.type
    await preferences.set_choices(cast.kam.id, {kind: Choice.in_app})
    await preferences.set_choices(cast.distributor_colleague.id, {kind: Choice.off})

    await submit_event(cast, mail_settings)

    assert await inbox.unread_count(cast.kam.id) == 1
    assert await inbox.unread_count(cast.distributor_colleague.id) == 0
    assert (await send_due(mail_settings, "sender")).sent == 0


async def test_an_event_for_the_brand_only_does_not_reach_the_partner(
    app: Any, cast: Cast, settings: Any
) -> None:
    from partner_portal.registries import EventKind, registry

    registry.add_event_kind(EventKind("test.brand_only", "Brand only", audience="brand"))
    viewer = await viewer_for_user_id(cast.distributor.id)
    try:
        async with write_transaction():
            await events.record_event(
                viewer,
                "test.brand_only",
                organisation_id=cast.distributor_a.id,
                object_kind="order",
                object_uuid=None,
                message="Brand only",
                settings=settings,
            )
    finally:
        del registry.event_kinds["test.brand_only"]

    assert {row["user"] for row in await Notification.select(Notification.user)} == {cast.kam.id}
    [event] = await events.events_after(0)
    assert event.type == "test.brand_only"
    assert event.organisation_uuid == cast.distributor_a.uuid
    assert await events.events_after(event.id) == []


async def test_the_partners_start_page_lists_their_latest_notifications(
    app: Any, client: PortalClient, cast: Cast, mail_settings: Any
) -> None:
    await set_languages(cast)
    await submit_event(cast, mail_settings, number="SO-0000077")
    await client.log_in(cast.distributor_colleague)
    home = await client.get("/")
    assert home.status_code == 200
    assert "SO-0000077" in home.text
    assert "읽지 않음" in home.text  # unread, in the colleague's Korean
