"""Every step of an order tells exactly the people concerned on both sides (the buyer's
users, its KAM, brand users following the partner), never the one who took it, in the
portal and by e-mail, each in their own language: counted at a real SMTP server."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.events import services as events
from partner_portal.orders import services
from partner_portal.orders.services import LineRequest, OrderDraft, ShipmentInput
from partner_portal.orders.tables import Order, OrderChannel, OrderLine, OrderStatus
from tests.notifications.conftest import SmtpServer, mail_settings, smtp, smtp_down
from tests.notifications.told import last_notification_id, set_languages, told_since
from tests.orders.support import Shop, make_shop
from tests.support import Cast

__all__ = ["mail_settings", "smtp", "smtp_down"]


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop()


@pytest.fixture
async def order(cast: Cast, shop: Shop) -> dict[str, Any]:
    """A draft of the distributor's; the staff member follows the distributor; everyone
    reads their own language (zh distributor, ko colleague and staff, en KAM)."""
    await set_languages(cast)
    await events.follow(
        await viewer_for_user_id(cast.staff.id), organisation_id=cast.distributor_a.id
    )
    first = shop.styles[0]
    result = await services.create_draft(
        await viewer_for_user_id(cast.distributor.id),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[first.line("BLK", "S", 10), LineRequest(first.skus[("WHT", "M")], 4)],
        ),
    )
    assert result.saved
    row = await Order.select(Order.uuid, Order.number).where(Order.uuid == result.uuid).first()
    assert row is not None
    return row


async def as_(member: Any) -> Any:
    return await viewer_for_user_id(member.id)


async def test_a_submitted_order_tells_the_buyers_colleagues_its_kam_and_followers(
    cast: Cast, order: dict[str, Any], mail_settings: Any, smtp: SmtpServer
) -> None:
    number = order["number"]
    assert (await services.submit_order(await as_(cast.distributor), order["uuid"])).saved

    told = await told_since(0, mail_settings, smtp)

    assert told.users() == {cast.distributor_colleague.id, cast.kam.id, cast.staff.id}
    assert set(told.mails) == {
        cast.distributor_colleague.email,
        cast.kam.email,
        cast.staff.email,
    }
    assert told.text_for(cast.kam) == (
        f"上海锦程贸易有限公司 submitted order {number} (CN¥1,400.00)"
    )
    korean = told.text_for(cast.staff)
    assert number in korean and "주문" in korean and "submitted" not in korean
    assert "주문" in told.subject_for(cast.distributor_colleague)
    assert told.subject_for(cast.kam) == told.text_for(cast.kam)


async def test_the_brands_steps_tell_the_buyer_side_in_chinese_and_korean(
    cast: Cast, order: dict[str, Any], mail_settings: Any, smtp: SmtpServer
) -> None:
    number = order["number"]
    await services.submit_order(await as_(cast.distributor), order["uuid"])
    await told_since(0, mail_settings, smtp)
    buyer_side = {cast.distributor.id, cast.distributor_colleague.id}

    start = await last_notification_id()
    await services.change_status(
        await as_(cast.kam), order["uuid"], OrderStatus.confirmed, note="船期 3月1日"
    )
    confirmed = await told_since(start, mail_settings, smtp)
    assert confirmed.users() == buyer_side | {cast.staff.id}
    assert len([m for mails in confirmed.mails.values() for m in mails]) == 3
    chinese = confirmed.text_for(cast.distributor)
    assert number in chinese and "已确认" in chinese and "船期 3月1日" in chinese
    assert "확정" in confirmed.text_for(cast.distributor_colleague)
    body = confirmed.mails[cast.distributor.email][0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "船期 3月1日" in body and f"/orders/{order['uuid']}" in body

    start = await last_notification_id()
    lines = [row["id"] for row in await OrderLine.select(OrderLine.id).order_by(OrderLine.id)]
    await services.record_shipment(
        await as_(cast.staff),
        order["uuid"],
        ShipmentInput("SF Express", "SF1", date(2027, 2, 1), {lines[0]: 10}),
    )
    shipped = await told_since(start, mail_settings, smtp)
    # The staff member shipped it: the buyer's users and the KAM hear of it, not them.
    assert shipped.users() == buyer_side | {cast.kam.id}
    assert "부분 출고" in shipped.text_for(cast.distributor_colleague)
    assert "部分发货" in shipped.text_for(cast.distributor)
    assert "partially shipped" in shipped.text_for(cast.kam).lower()

    start = await last_notification_id()
    await services.record_shipment(
        await as_(cast.staff),
        order["uuid"],
        ShipmentInput("SF Express", "SF2", date(2027, 2, 2), {lines[1]: 4}),
    )
    await services.change_status(await as_(cast.kam), order["uuid"], OrderStatus.delivered)
    last_two = await told_since(start, mail_settings, smtp)
    assert len(last_two.texts[cast.distributor.id]) == 2
    assert len(last_two.mails[cast.distributor.email]) == 2
    assert "已送达" in last_two.texts[cast.distributor.id][1]


async def test_comments_and_change_requests_reach_the_other_side_once(
    cast: Cast, shop: Shop, order: dict[str, Any], mail_settings: Any, smtp: SmtpServer
) -> None:
    number = order["number"]
    await services.submit_order(await as_(cast.distributor), order["uuid"])
    await told_since(0, mail_settings, smtp)
    others = {cast.distributor_colleague.id, cast.kam.id, cast.staff.id}

    start = await last_notification_id()
    await services.add_comment(await as_(cast.distributor), order["uuid"], "请加急")
    commented = await told_since(start, mail_settings, smtp)
    assert commented.users() == others
    assert sum(len(mails) for mails in commented.mails.values()) == 3
    assert "commented on order" in commented.text_for(cast.kam)

    start = await last_notification_id()
    version = await Order.select(Order.version).where(Order.uuid == order["uuid"]).first()
    assert version is not None
    request = await services.request_change(
        await as_(cast.distributor),
        order["uuid"],
        {shop.styles[0].skus[("BLK", "S")]: 12},
        None,
        "",
        version["version"],
    )
    assert request.uuid is not None
    asked = await told_since(start, mail_settings, smtp)
    assert asked.users() == others
    assert "asks to change order" in asked.text_for(cast.kam)

    start = await last_notification_id()
    await services.decide_change(await as_(cast.kam), request.uuid, accept=False)
    declined = await told_since(start, mail_settings, smtp)
    assert declined.users() == {cast.distributor.id, cast.distributor_colleague.id, cast.staff.id}
    assert number in declined.text_for(cast.distributor)
    assert "거절" in declined.text_for(cast.distributor_colleague)
    assert set(declined.mails) == {
        cast.distributor.email,
        cast.distributor_colleague.email,
        cast.staff.email,
    }


async def test_a_refused_submission_tells_nobody(
    cast: Cast, order: dict[str, Any], mail_settings: Any, smtp: SmtpServer
) -> None:
    await services.submit_order(await as_(cast.distributor), order["uuid"])
    await told_since(0, mail_settings, smtp)
    start = await last_notification_id()

    second = await services.submit_order(await as_(cast.distributor_colleague), order["uuid"])

    assert not second.saved
    nothing = await told_since(start, mail_settings, smtp)
    assert nothing.texts == {} and nothing.mails == {}
