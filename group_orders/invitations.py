"""Employees' personal links: sending them, printed link sheets, reminders, opening a link."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from group_orders import links
from group_orders.access import VisibleCampaign
from group_orders.campaigns import ENTITY, Client, campaign_by_id, client, is_collecting, today
from group_orders.records import CampaignRecord, EmployeeRecord, LinkSheetEntry
from group_orders.tables import (
    Campaign,
    CampaignStatus,
    Employee,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.notifications.services import enqueue_email, mail_locale, render_email
from partner_portal.settings import current_settings


class Audience(enum.StrEnum):
    """Who a reminder sent by hand goes to."""

    waiting = "waiting"  # people who have not answered (the default)
    everyone = "everyone"  # everyone with an address, asked to be confirmed


def link_url(base_url: str, secret: str, campaign: CampaignRecord, link_key: str) -> str:
    token = links.make_token(secret, link_key, links.link_expiry(campaign.closes_on))
    return f"{base_url.rstrip('/')}/g/{token}"


@access.checked_by_caller("the campaign comes from get_campaign")
async def send_links(
    viewer: Viewer | None,
    campaign: CampaignRecord,
    base_url: str,
    secret: str,
) -> int:
    """E-mail their personal link to each employee with an address who has not been sent
    one yet; the mails go through the outbox in the same transaction."""
    if not is_collecting(campaign, today()) and campaign.status != CampaignStatus.open:
        return 0
    async with write_transaction():
        employees = EmployeeRecord.from_rows(
            await Employee.select(*Employee.all_columns()).where(
                (Employee.campaign == campaign.id)
                & (Employee.email != "")
                & Employee.link_sent_at.is_null()
            )
        )
        their_client = await client(campaign.organisation)
        for employee in employees:
            await mail_link(employee, campaign, their_client, base_url, secret, "group_orders/link")
        if employees:
            await Employee.update({Employee.link_sent_at: utcnow()}).where(
                Employee.id.is_in([employee.id for employee in employees])
            )
            await audit_log.record(
                viewer,
                entity_kind=ENTITY,
                entity_uuid=campaign.uuid,
                organisation_id=campaign.organisation,
                action="send_links",
                summary=f"{len(employees)} links",
            )
    return len(employees)


async def mail_link(
    employee: EmployeeRecord,
    campaign: CampaignRecord,
    their_client: Client,
    base_url: str,
    secret: str,
    template: str,
    **extra: Any,
) -> None:
    """Queue an e-mail to an employee in their own language (the roster's; else their
    company's; else the portal's), with their personal link."""
    locale = mail_locale(employee.locale or their_client.language, current_settings())
    mail = render_email(
        template,
        {
            "employee": employee,
            "campaign": campaign,
            "client": their_client.name,
            "url": link_url(base_url, secret, campaign, employee.link_key),
            **extra,
        },
        locale,
    )
    await enqueue_email(
        kind=template.replace("/", "_"),
        recipient=employee.email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        locale=locale,
    )


async def recipients(campaign: VisibleCampaign, audience: Audience) -> list[EmployeeRecord]:
    """Who a reminder to ``audience`` reaches: people with an e-mail address, by default
    only those who have not answered (the page shows them before anything is sent)."""
    condition = (Employee.campaign == campaign.id) & (Employee.email != "")
    if audience == Audience.waiting:
        condition &= Employee.responded_at.is_null()
    return EmployeeRecord.from_rows(
        await Employee.select(*Employee.all_columns())
        .where(condition)
        .order_by(Employee.department)
        .order_by(Employee.employee_number)
    )


async def remind(
    viewer: Viewer, campaign: VisibleCampaign, base_url: str, secret: str, audience: Audience
) -> int:
    """Send a reminder now to ``audience`` of an open campaign: people who have not
    answered get the reminder, people who have (``everyone``) their link to check their
    choices. Returns how many e-mails are queued."""
    if campaign.status != CampaignStatus.open:
        return 0
    now = utcnow()
    async with write_transaction():
        people = await recipients(campaign, audience)
        their_client = await client(campaign.organisation)
        for person in people:
            template = "group_orders/link" if person.responded_at else "group_orders/reminder"
            await mail_link(person, campaign, their_client, base_url, secret, template)
        if people:
            ids = [person.id for person in people]
            await Employee.update({Employee.reminded_at: now}).where(Employee.id.is_in(ids))
            await Employee.update({Employee.link_sent_at: now}).where(
                Employee.id.is_in(ids) & Employee.link_sent_at.is_null()
            )
            await audit_log.record(
                viewer,
                entity_kind=ENTITY,
                entity_uuid=campaign.uuid,
                organisation_id=campaign.organisation,
                action="remind",
                summary=f"{len(people)} reminders ({audience.value})",
            )
    return len(people)


async def link_sheet(
    campaign: VisibleCampaign, base_url: str, secret: str, everyone: bool = False
) -> list[LinkSheetEntry]:
    """Employees with their personal link and its QR code (SVG), for a printed sheet: those
    without an e-mail address (the links of the others go by mail), or everyone."""
    import segno

    query = Employee.select(*Employee.all_columns()).where(Employee.campaign == campaign.id)
    if not everyone:
        query = query.where(Employee.email == "")
    people = EmployeeRecord.from_rows(
        await query.order_by(Employee.department).order_by(Employee.employee_number)
    )
    entries = []
    for person in people:
        url = link_url(base_url, secret, campaign, person.link_key)
        qr_svg = segno.make(url, error="m").svg_inline(scale=3)
        entries.append(LinkSheetEntry(**person.as_dict(), url=url, qr_svg=qr_svg))
    return entries


@access.system_query("an employee's signed personal link: the token is the key")
async def employee_for_token(
    secret: str, token: str
) -> tuple[EmployeeRecord, CampaignRecord] | None:
    """The employee and campaign a genuine, unexpired link belongs to; None otherwise.

    A link ends with its campaign's links (``links.link_expiry``) even if it was signed
    with a later expiry."""
    now = utcnow()
    link_key = links.read_token(secret, token, now)
    if link_key is None:
        return None
    row = (
        await Employee.select(*Employee.all_columns()).where(Employee.link_key == link_key).first()
    )
    if row is None:
        return None
    employee = EmployeeRecord.from_row(row)
    campaign = await campaign_by_id(employee.campaign)
    if campaign.status == CampaignStatus.cancelled or links.link_expired(campaign.closes_on, now):
        return None
    return employee, campaign


@access.system_query("scheduled job: every open campaign's non-responders")
async def send_reminders(base_url: str, secret: str, now: datetime | None = None) -> int:
    """Remind non-responders of collecting campaigns, at most every ``reminder_days`` of
    their campaign (none when it is 0).

    Each person is claimed with a conditional update inside the transaction that queues
    their mail, so two scheduler processes never remind the same person twice.
    """
    now = now or utcnow()
    campaigns = CampaignRecord.from_rows(
        await Campaign.select(*Campaign.all_columns()).where(
            (Campaign.status == CampaignStatus.open)
            & (Campaign.opens_on <= now.date())
            & (Campaign.closes_on >= now.date())
            & (Campaign.reminder_days > 0)
        )
    )
    sent = 0
    for campaign in campaigns:
        their_client = await client(campaign.organisation)
        cutoff = now - timedelta(days=campaign.reminder_days)
        async with write_transaction():
            claimed = EmployeeRecord.from_rows(
                await Employee.update({Employee.reminded_at: now})
                .where(
                    (Employee.campaign == campaign.id)
                    & (Employee.email != "")
                    & Employee.responded_at.is_null()
                    & Employee.link_sent_at.is_not_null()
                    & (Employee.link_sent_at < cutoff)
                    & (Employee.reminded_at.is_null() | (Employee.reminded_at < cutoff))
                )
                .returning(*Employee.all_columns())
            )
            for employee in claimed:
                await mail_link(
                    employee, campaign, their_client, base_url, secret, "group_orders/reminder"
                )
        sent += len(claimed)
    return sent
