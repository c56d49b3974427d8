"""A campaign's milestones tell the client's users and its KAM (and the brand users who
follow the client), never the one who acted, each in their own language, in the portal
and by e-mail: counted at a real SMTP server."""

from __future__ import annotations

from typing import Any

from group_orders import campaigns
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.events import services as events
from partner_portal.partners.tables import User
from tests.group_orders.support import NOW, make_campaign, make_uniform
from tests.notifications.conftest import SmtpServer
from tests.notifications.told import last_notification_id, told_since
from tests.support import Cast, PortalClient


async def test_closing_and_reopening_a_campaign_tells_the_other_side(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.client.id)
    await User.update({User.locale: "ko"}).where(User.id == cast.staff.id)
    await events.follow(await viewer_for_user_id(cast.staff.id), organisation_id=cast.bank.id)
    campaign = await make_campaign(cast, await make_uniform())

    closed = await campaigns.close_campaign(await viewer_for_user_id(cast.kam.id), campaign)
    assert closed
    told = await told_since(0, mail_settings, smtp)
    assert told.users() == {cast.client.id, cast.staff.id}
    assert told.text_for(cast.client) == "活动 Spring uniforms 已截止：不再收集尺码"
    assert "캠페인 Spring uniforms 마감" in told.subject_for(cast.staff)

    start = await last_notification_id()
    await client.sign_in(cast.client)
    reopened = await client.post_form(
        f"/group-orders/{campaign.uuid}/extend", {"closes_on": "2027-12-31"}
    )
    assert reopened.status_code == 303
    again = await told_since(start, mail_settings, smtp)
    assert again.users() == {cast.kam.id, cast.staff.id}
    assert again.text_for(cast.kam) == "Campaign Spring uniforms was reopened"
    assert set(again.mails) == {cast.kam.email, cast.staff.email}
