"""The sales e-mails, delivered through the real outbox to a real SMTP server: the SLA
escalation to whoever answers for the case, the deal registration decision to the
partner's user who registered, and the brand's case replies to the partner's user who
opened the case; each in the recipient's language, each one they may turn off."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from partner_portal.notifications.preferences import set_choices
from partner_portal.notifications.services import send_due
from partner_portal.notifications.tables import Choice
from partner_portal.partners.tables import User
from partner_portal.registries import registry
from sales import cases
from tests.notifications.conftest import SmtpServer
from tests.sales.support import open_case, register_deal
from tests.sales.test_cases import shanghai
from tests.support import Cast, Member, PortalClient


async def _delivered(settings: Any, smtp: SmtpServer, count: int) -> list[EmailMessage]:
    report = await send_due(settings, "sales-test")
    assert report.sent == count
    return await smtp.mailbox.wait_for(count)


async def _writes_in(member: Member, locale: str) -> None:
    await User.update({User.locale: locale}).where(User.id == member.id)


async def test_an_escalation_mails_the_partners_kam_in_their_language(
    cast: Cast, frozen_clock: Any, mail_settings: Any, smtp: SmtpServer
) -> None:
    await _writes_in(cast.kam, "zh_Hans")
    frozen_clock.frozen_at = shanghai("2026-11-23T10:00")
    await open_case(cast.distributor, priority="urgent", subject="Collar seams open")

    frozen_clock.frozen_at = shanghai("2026-11-23T10:30")
    await cases.run_escalations()

    [message] = await _delivered(mail_settings, smtp, 1)
    assert message["To"] == cast.kam.email
    assert str(message["Subject"]) == "服务工单即将超出时限：Collar seams open"
    assert "/sales/cases/" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_the_registering_partner_hears_of_approval_and_the_rival_of_the_conflict(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    await _writes_in(cast.distributor, "zh_Hans")
    first = await register_deal(cast.distributor, customer="Shanghai First Hospital")
    await register_deal(cast.other_distributor, customer="Shanghai First Hospital")
    await client.sign_in(cast.kam)

    await client.post_form(
        f"/sales/registrations/{first}/decide", {"decision": "approve", "version": "1"}
    )

    messages = {message["To"]: message for message in await _delivered(mail_settings, smtp, 2)}
    assert str(messages[cast.distributor.email]["Subject"]) == (
        "报备已批准：Shanghai First Hospital"
    )
    rival = messages[cast.other_distributor.email]
    assert "another claim" in str(rival["Subject"])
    assert "another partner's claim" in rival.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_a_rejection_tells_the_partner_why(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    claim = await register_deal(cast.retailer)
    await client.sign_in(cast.kam)

    await client.post_form(
        f"/sales/registrations/{claim}/decide",
        {"decision": "reject", "note": "A direct account of the brand", "version": "1"},
    )

    [message] = await _delivered(mail_settings, smtp, 1)
    assert message["To"] == cast.retailer.email
    assert "rejected" in str(message["Subject"])
    assert "A direct account of the brand" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_the_brands_replies_reach_the_partner_who_opened_the_case_not_its_notes(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    case = await open_case(cast.distributor, subject="Wrong sizes in carton 3")
    await client.sign_in(cast.kam)

    await client.post_form(
        f"/sales/cases/{case}/reply", {"body": "Ask QC about batch 7", "internal": "on"}
    )
    await client.post_form(f"/sales/cases/{case}/reply", {"body": "A new carton ships today."})
    await client.sign_in(cast.distributor)
    await client.post_form(f"/sales/cases/{case}/reply", {"body": "Thank you"})

    [message] = await _delivered(mail_settings, smtp, 1)
    assert message["To"] == cast.distributor.email
    assert str(message["Subject"]) == "Reply on your case: Wrong sizes in carton 3"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "A new carton ships today." in text
    assert "batch 7" not in text


async def test_a_partner_who_turned_case_replies_off_gets_none(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    assert cases.MAIL_REPLY in registry.email_kinds
    await set_choices(cast.distributor.id, {cases.MAIL_REPLY: Choice.off})
    case = await open_case(cast.distributor)
    await client.sign_in(cast.kam)

    await client.post_form(f"/sales/cases/{case}/reply", {"body": "We are on it."})

    assert (await send_due(mail_settings, "sales-test")).sent == 0
