"""The sales e-mails, delivered through the real outbox to a real SMTP server: the SLA
escalation to whoever answers for the case, the deal registration decision to the
partner's user who registered, and case replies to the other side; each in the
recipient's language, each one they may turn off."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from partner_portal.notifications.preferences import set_choices
from partner_portal.notifications.services import send_due
from partner_portal.notifications.tables import Choice
from partner_portal.partners.tables import User
from partner_portal.registries import registry
from sales import case_escalation, events
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
    await case_escalation.run_escalations()

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


async def test_case_replies_reach_the_other_side_in_their_language_never_the_notes(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    await _writes_in(cast.distributor, "zh_Hans")
    await _writes_in(cast.distributor_colleague, "ko")
    case = await open_case(cast.distributor, subject="Wrong sizes in carton 3")
    await client.sign_in(cast.kam)

    await client.post_form(
        f"/sales/cases/{case}/reply", {"body": "Ask QC about batch 7", "internal": "on"}
    )
    assert (await send_due(mail_settings, "sales-test")).sent == 0
    await client.post_form(f"/sales/cases/{case}/reply", {"body": "A new carton ships today."})
    partner_side = {message["To"]: message for message in await _delivered(mail_settings, smtp, 2)}
    await client.sign_in(cast.distributor)
    await client.post_form(f"/sales/cases/{case}/reply", {"body": "Thank you"})
    await send_due(mail_settings, "sales-test")
    brand_side = {message["To"]: message for message in (await smtp.mailbox.wait_for(4))[2:]}

    assert set(partner_side) == {cast.distributor.email, cast.distributor_colleague.email}
    chinese = partner_side[cast.distributor.email]
    assert "答复了工单“Wrong sizes in carton 3”" in str(chinese["Subject"])
    text = chinese.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "A new carton ships today." in text and f"/sales/cases/{case}" in text
    assert "batch 7" not in text
    assert "문의 “Wrong sizes in carton 3”에 답했습니다" in str(
        partner_side[cast.distributor_colleague.email]["Subject"]
    )
    # the partner's reply: its KAM and the opener's colleague
    assert set(brand_side) == {cast.kam.email, cast.distributor_colleague.email}
    assert "Thank you" in str(brand_side[cast.kam.email]["Subject"])


async def test_a_partner_who_turned_case_replies_off_gets_none(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    assert events.CASE_REPLIED.type in registry.event_kinds
    await set_choices(cast.distributor.id, {events.CASE_REPLIED.type: Choice.off})
    case = await open_case(cast.distributor)
    await client.sign_in(cast.kam)

    await client.post_form(f"/sales/cases/{case}/reply", {"body": "We are on it."})

    [message] = await _delivered(mail_settings, smtp, 1)
    assert message["To"] == cast.distributor_colleague.email
