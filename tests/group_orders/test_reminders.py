"""Reminders reach the right people: non-responders by default, shown before sending;
everyone only when confirmed; automatically at the interval the campaign sets. The
e-mails are counted at a real SMTP server."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from group_orders import invitations
from group_orders.records import CampaignRecord
from partner_portal.notifications.services import send_due
from tests.group_orders.support import (
    NOW,
    add_people,
    choice_form,
    items,
    make_campaign,
    make_uniform,
    token_for,
)
from tests.notifications.conftest import SmtpServer
from tests.support import Cast, PortalClient


async def _delivered(settings: Any, smtp: SmtpServer) -> list[EmailMessage]:
    report = await send_due(settings, "group-orders-test")
    return await smtp.mailbox.wait_for(report.sent)


async def _one_answered(
    client: PortalClient, cast: Cast, settings: Any, **values: Any
) -> CampaignRecord:
    """Three people with addresses, E1 has answered."""
    campaign = await make_campaign(cast, await make_uniform(), **values)
    people = await add_people(
        campaign, ("E1", "王小明", "零售"), ("E2", "李秀英", "运营"), ("E3", "김민준", "운항")
    )
    first = next(person for person in people if person.employee_number == "E1")
    offered = await items(campaign)
    await client.post_form(
        f"/g/{token_for(campaign, first, settings.secret_key)}",
        {**choice_form(offered, {0: ("175/92A", 1)}), "action": "save"},
    )
    return campaign


async def test_the_reminder_goes_to_non_responders_shown_before_it_is_sent(
    client: PortalClient,
    cast: Cast,
    settings: Any,
    mail_settings: Any,
    smtp: SmtpServer,
    frozen_clock: Any,
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _one_answered(client, cast, settings)
    await client.sign_in(cast.client)
    roster = await client.get(f"/group-orders/{campaign.uuid}/roster?lang=en")
    assert "Remind people who have not answered" in roster.text
    preview = await client.get(f"/group-orders/{campaign.uuid}/remind?lang=en")
    assert "2 people will get an e-mail" in preview.text
    assert "李秀英" in preview.text and "김민준" in preview.text and "王小明" not in preview.text
    assert await _delivered(mail_settings, smtp) == []  # looking sends nothing
    sent = await client.post_form(f"/group-orders/{campaign.uuid}/remind", {"who": "waiting"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("reminded=2")
    messages = await _delivered(mail_settings, smtp)
    assert sorted(message["To"] for message in messages) == ["e2@bank.test", "e3@bank.test"]


async def test_e_mailing_everyone_asks_for_confirmation_first(
    client: PortalClient,
    cast: Cast,
    settings: Any,
    mail_settings: Any,
    smtp: SmtpServer,
    frozen_clock: Any,
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _one_answered(client, cast, settings)
    await client.sign_in(cast.client)
    preview = await client.get(f"/group-orders/{campaign.uuid}/remind?who=everyone&lang=en")
    assert "3 people will get an e-mail" in preview.text
    assert "1 of them have already answered" in preview.text
    refused = await client.post_form(f"/group-orders/{campaign.uuid}/remind", {"who": "everyone"})
    assert refused.status_code == 400 and "Tick the box to confirm" in refused.text
    assert await _delivered(mail_settings, smtp) == []
    confirmed = await client.post_form(
        f"/group-orders/{campaign.uuid}/remind", {"who": "everyone", "confirm": "yes"}
    )
    assert confirmed.status_code == 303
    messages = await _delivered(mail_settings, smtp)
    assert sorted(message["To"] for message in messages) == [
        "e1@bank.test",
        "e2@bank.test",
        "e3@bank.test",
    ]


async def test_automatic_reminders_follow_the_campaigns_interval(
    client: PortalClient,
    cast: Cast,
    settings: Any,
    mail_settings: Any,
    smtp: SmtpServer,
    frozen_clock: Any,
) -> None:
    frozen_clock.frozen_at = NOW
    weekly = await _one_answered(client, cast, settings, reminder_days=7)
    assert await invitations.send_links(None, weekly, "http://portal.test", "s" * 40) == 3
    await _delivered(mail_settings, smtp)
    later = NOW + timedelta(days=5)
    assert await invitations.send_reminders("http://portal.test", "s" * 40, later) == 0
    week_on = NOW + timedelta(days=8)
    assert await invitations.send_reminders("http://portal.test", "s" * 40, week_on) == 2
    assert await invitations.send_reminders("http://portal.test", "s" * 40, week_on) == 0
    messages = await _delivered(mail_settings, smtp)
    assert len(messages) == 3 + 2  # the links, then one reminder to each non-responder


async def test_a_campaign_without_automatic_reminders_sends_none(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    quiet = await _one_answered(client, cast, settings, reminder_days=0)
    await invitations.send_links(None, quiet, "http://portal.test", "s" * 40)
    later = NOW + timedelta(days=12)
    assert await invitations.send_reminders("http://portal.test", "s" * 40, later) == 0


async def test_the_interval_is_a_setting_of_the_campaign_form(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    from group_orders import campaigns

    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await client.sign_in(cast.client)
    form = await client.get(f"/group-orders/{campaign.uuid}/edit?lang=en")
    assert 'name="reminder_days"' in form.text and 'value="3"' in form.text
    values = campaigns.campaign_form_values(campaign, {})
    too_long = await client.post_form(
        f"/group-orders/{campaign.uuid}/edit?lang=en", {**values, "reminder_days": "45"}
    )
    assert too_long.status_code == 400 and "Enter a whole number from 0 to 30." in too_long.text
    assert (await campaigns.campaign_by_id(campaign.id)).reminder_days == 3
    saved = await client.post_form(
        f"/group-orders/{campaign.uuid}/edit", {**values, "reminder_days": "7"}
    )
    assert saved.status_code == 303
    assert (await campaigns.campaign_by_id(campaign.id)).reminder_days == 7
    roster = await client.get(f"/group-orders/{campaign.uuid}/roster?lang=en")
    assert "reminded automatically every 7 days" in roster.text


async def test_people_without_a_language_are_reminded_in_their_companys(
    client: PortalClient,
    cast: Cast,
    settings: Any,
    mail_settings: Any,
    smtp: SmtpServer,
    frozen_clock: Any,
) -> None:
    """The roster gives no language: the bank's own (Chinese), not English."""
    frozen_clock.frozen_at = NOW
    campaign = await _one_answered(client, cast, settings)
    await client.sign_in(cast.client)
    await client.post_form(f"/group-orders/{campaign.uuid}/remind", {"who": "waiting"})
    messages = await _delivered(mail_settings, smtp)
    assert len(messages) == 2
    for message in messages:
        body = message.get_body().get_content()  # type: ignore[union-attr]
        assert "，您好：" in body, body
