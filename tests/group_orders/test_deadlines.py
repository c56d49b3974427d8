"""A campaign that misses its minimum or its date: extended, reopened or cancelled, and
each employee told in their own language (e-mails counted at a real SMTP server)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from group_orders import campaigns
from group_orders.records import CampaignRecord
from group_orders.tables import Campaign, Employee
from partner_portal.notifications.services import send_due
from tests.group_orders.support import NOW, add_people, make_campaign, make_uniform, token_for
from tests.notifications.conftest import SmtpServer
from tests.support import Cast, PortalClient


async def _delivered(settings: Any, smtp: SmtpServer) -> dict[str, EmailMessage]:
    report = await send_due(settings, "group-orders-test")
    return {message["To"]: message for message in await smtp.mailbox.wait_for(report.sent)}


async def _three_languages(cast: Cast, **values: Any) -> tuple[CampaignRecord, list[Any]]:
    campaign = await make_campaign(cast, await make_uniform(), tipping_point=50, **values)
    people = await add_people(
        campaign, ("E1", "王小明", "零售"), ("E2", "김민준", "운항"), ("E3", "Ann Lee", "IT")
    )
    for number, locale in (("E1", "zh_Hans"), ("E2", "ko"), ("E3", "en")):
        await Employee.update({Employee.locale: locale}).where(
            (Employee.campaign == campaign.id) & (Employee.employee_number == number)
        )
    return campaign, people


async def test_a_closed_campaign_below_its_minimum_reopens_and_everyone_hears_in_their_language(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, _people = await _three_languages(cast)
    await Campaign.update({Campaign.status: "closed"}).where(Campaign.id == campaign.id)
    await client.sign_in(cast.client)
    page = await client.get(f"/group-orders/{campaign.uuid}?lang=en")
    assert "has not reached its minimum of 50 pieces" in page.text
    assert "Reopen until this date" in page.text
    past = await client.post_form(
        f"/group-orders/{campaign.uuid}/extend",
        {"closes_on": (NOW.date() - timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 400 and "Choose a closing date after the current one" in past.text
    assert await _delivered(mail_settings, smtp) == {}
    new_date = NOW.date() + timedelta(days=20)
    reopened = await client.post_form(
        f"/group-orders/{campaign.uuid}/extend", {"closes_on": new_date.isoformat()}
    )
    assert reopened.status_code == 303
    current = await campaigns.campaign_by_id(campaign.id)
    assert (current.status, current.closes_on) == ("open", new_date)
    mails = await _delivered(mail_settings, smtp)
    # every employee, and the client's KAM (the campaign's milestone, as a notification)
    assert sorted(mails) == ["e1@bank.test", "e2@bank.test", "e3@bank.test", "kam@brand.test"]
    assert "重新开放" in mails["e1@bank.test"].get_body().get_content()  # type: ignore[union-attr]
    assert "다시 열었습니다" in mails["e2@bank.test"].get_body().get_content()  # type: ignore[union-attr]
    assert "has reopened" in mails["e3@bank.test"].get_body().get_content()  # type: ignore[union-attr]
    assert "/g/" in mails["e1@bank.test"].get_body().get_content()  # type: ignore[union-attr]


async def test_an_open_campaign_is_extended_to_a_later_date_only(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, _people = await _three_languages(cast)
    await client.sign_in(cast.client)
    earlier = await client.post_form(
        f"/group-orders/{campaign.uuid}/extend", {"closes_on": campaign.closes_on.isoformat()}
    )
    assert earlier.status_code == 400
    later = campaign.closes_on + timedelta(days=7)
    extended = await client.post_form(
        f"/group-orders/{campaign.uuid}/extend", {"closes_on": later.isoformat()}
    )
    assert extended.status_code == 303
    assert (await campaigns.campaign_by_id(campaign.id)).closes_on == later
    mails = await _delivered(mail_settings, smtp)
    assert "has extended" in mails["e3@bank.test"].get_body().get_content()  # type: ignore[union-attr]
    assert len(mails) == 4  # the three employees and the client's KAM


async def test_a_cancelled_campaign_tells_everyone_and_its_links_stop_working(
    client: PortalClient,
    cast: Cast,
    settings: Any,
    mail_settings: Any,
    smtp: SmtpServer,
    frozen_clock: Any,
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, people = await _three_languages(cast)
    await client.sign_in(cast.client)
    unconfirmed = await client.post_form(f"/group-orders/{campaign.uuid}/cancel", {"reason": "x"})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
    assert (await campaigns.campaign_by_id(campaign.id)).status == "open"
    cancelled = await client.post_form(
        f"/group-orders/{campaign.uuid}/cancel",
        {"reason": "预算冻结 / budget freeze", "confirm": "yes"},
    )
    assert cancelled.status_code == 303
    assert (await campaigns.campaign_by_id(campaign.id)).status == "cancelled"
    mails = await _delivered(mail_settings, smtp)
    assert len(mails) == 4  # the three employees and the client's KAM
    assert "cancelled" in str(mails["kam@brand.test"]["Subject"])
    chinese = mails["e1@bank.test"].get_body().get_content()  # type: ignore[union-attr]
    assert "已取消" in chinese and "预算冻结" in chinese
    assert "취소" in mails["e2@bank.test"]["Subject"]
    link = await client.get(f"/g/{token_for(campaign, people[0], settings.secret_key)}")
    assert link.status_code != 200


async def test_an_open_campaign_past_its_date_below_its_minimum_is_extended_and_collects_again(
    client: PortalClient,
    cast: Cast,
    settings: Any,
    mail_settings: Any,
    smtp: SmtpServer,
    frozen_clock: Any,
) -> None:
    """Nobody closed it: its date passed with too few pieces. Extended, the links work
    for choosing again and everyone hears of the new date in their language."""
    frozen_clock.frozen_at = NOW
    campaign, people = await _three_languages(cast, today=NOW.date() - timedelta(days=20))
    await client.sign_in(cast.client)
    page = await client.get(f"/group-orders/{campaign.uuid}?lang=en")
    assert "has not reached its minimum of 50 pieces" in page.text
    assert "Extend until this date" in page.text and "Cancel the campaign" in page.text
    link = f"/g/{token_for(campaign, people[0], settings.secret_key)}?lang=en"
    assert "not open for choices now" in (await client.get(link)).text
    new_date = NOW.date() + timedelta(days=10)
    extended = await client.post_form(
        f"/group-orders/{campaign.uuid}/extend", {"closes_on": new_date.isoformat()}
    )
    assert extended.status_code == 303
    assert "Save my choices" in (await client.get(link)).text
    mails = await _delivered(mail_settings, smtp)
    assert sorted(mails) == ["e1@bank.test", "e2@bank.test", "e3@bank.test", "kam@brand.test"]
    assert "延长" in mails["e1@bank.test"].get_body().get_content()  # type: ignore[union-attr]
    assert "연장" in mails["e2@bank.test"].get_body().get_content()  # type: ignore[union-attr]
