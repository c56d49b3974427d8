"""What passes between the brand's buyers and a mill tells the other side, in the portal
and by e-mail, each in their own language: a PO sent (the mill's users and its KAM), the
mill's answers, ship notices and forecast commitments (its KAM and the brand users who
follow the mill or the PO). Counted at a real SMTP server."""

from __future__ import annotations

from datetime import date
from typing import Any

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.events import services as events
from partner_portal.partners.tables import User
from suppliers import forecasting_commitments, purchasing
from suppliers.tables import PurchaseOrder, PurchaseOrderLine
from tests.notifications.conftest import SmtpServer, mail_settings, smtp, smtp_down
from tests.notifications.told import last_notification_id, set_languages, told_since
from tests.suppliers.support import NEEDED, add_purchase_order, make_material
from tests.support import Cast

__all__ = ["mail_settings", "smtp", "smtp_down"]


async def as_(member: Any) -> Any:
    return await viewer_for_user_id(member.id)


async def test_a_po_its_answers_and_its_ship_notice_reach_the_other_side(
    cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    await set_languages(cast)  # the mill's user reads Korean, the staff member Korean
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.other_kam.id)
    shell = await make_material(cast.mill.id, "HF-POP-120")
    po = await add_purchase_order(cast.mill.id, shell["id"], "300", date(2027, 1, 20), "draft")
    order = await PurchaseOrder.select(PurchaseOrder.uuid, PurchaseOrder.number).where(
        PurchaseOrder.id == po
    )
    order_uuid, number = order[0]["uuid"], order[0]["number"]
    [line] = await PurchaseOrderLine.select(PurchaseOrderLine.uuid)

    assert (await purchasing.send_purchase_order(await as_(cast.staff), order_uuid)).saved
    sent = await told_since(0, mail_settings, smtp)
    # The staff member sent it: the mill's user and the mill's KAM hear of it.
    assert sent.users() == {cast.supplier.id, cast.other_kam.id}
    assert set(sent.mails) == {cast.supplier.email, cast.other_kam.email}
    assert f"발주서 {number}" in sent.subject_for(cast.supplier)
    assert f"采购单 {number}" in sent.text_for(cast.other_kam)

    # The staff member follows this PO: they hear of the mill's answers from now on.
    await events.follow(await as_(cast.staff), object_uuid=order_uuid)
    start = await last_notification_id()
    answered = await purchasing.acknowledge_line(
        await as_(cast.supplier),
        line["uuid"],
        {"acknowledgement": "changed", "delivery_date": "2027-01-27", "comment": "染色排队"},
    )
    assert answered.saved, answered.errors
    acknowledged = await told_since(start, mail_settings, smtp)
    assert acknowledged.users() == {cast.other_kam.id, cast.staff.id}
    assert "다른 수량이나 날짜로 수락함" in acknowledged.text_for(cast.staff)
    assert "已接受，但数量或日期有变" in acknowledged.subject_for(cast.other_kam)

    start = await last_notification_id()
    notice = await purchasing.create_ship_notice(
        await as_(cast.supplier),
        order_uuid,
        {
            "shipped_on": "2027-01-12",
            "carrier": "顺丰速运",
            "dye_lot": "L2611-07",
            f"quantity-{line['uuid']}": "300",
        },
    )
    assert notice.saved, notice.errors
    shipped = await told_since(start, mail_settings, smtp)
    assert shipped.users() == {cast.other_kam.id, cast.staff.id}
    assert sum(len(mails) for mails in shipped.mails.values()) == 2
    assert "2027" in shipped.text_for(cast.staff) and "발송했습니다" in shipped.text_for(cast.staff)


async def test_a_commitment_tells_the_mills_kam_and_followers_once(
    cast: Cast, forecast: dict[str, Any], mail_settings: Any, smtp: SmtpServer
) -> None:
    await set_languages(cast)
    await events.follow(await as_(cast.staff), organisation_id=cast.mill.id)
    start = await last_notification_id()

    answer = {"week": NEEDED.isoformat(), "decision": "accepted"}
    for _click in range(2):  # the same answer twice is one answer
        result = await forecasting_commitments.commit_week(
            await as_(cast.supplier), forecast["shell"]["uuid"], answer
        )
        assert result.saved

    told = await told_since(start, mail_settings, smtp)
    assert told.users() == {cast.other_kam.id, cast.staff.id}
    assert set(told.mails) == {cast.other_kam.email, cast.staff.email}
    assert "HF-POP-120" in told.text_for(cast.staff) and "예측" in told.text_for(cast.staff)
    assert "answered the forecast of HF-POP-120" in told.text_for(cast.other_kam)
