"""A campaign that misses its minimum or its closing date: extended, reopened or
cancelled, and every employee told in their own language."""

from __future__ import annotations

from group_orders.access import VisibleCampaign
from group_orders.campaigns import change_if, client, today
from group_orders.invitations import mail_link
from group_orders.records import CampaignRecord, EmployeeRecord
from group_orders.tables import Campaign, CampaignStatus, Employee
from partner_portal import access, inputs
from partner_portal.access import Viewer
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _

MOST_REASON_CHARACTERS = 500


@access.checked_by_caller("the campaign comes from get_campaign")
async def _tell_everyone(
    campaign: CampaignRecord, base_url: str, secret: str, template: str, **extra: object
) -> int:
    """Queue ``template`` to every employee with an address (inside the change's
    transaction); returns how many."""
    people = EmployeeRecord.from_rows(
        await Employee.select(*Employee.all_columns()).where(
            (Employee.campaign == campaign.id) & (Employee.email != "")
        )
    )
    their_client = await client(campaign.organisation)
    for person in people:
        await mail_link(person, campaign, their_client, base_url, secret, template, **extra)
    return len(people)


async def extend(
    viewer: Viewer, campaign: VisibleCampaign, closes_text: str, base_url: str, secret: str
) -> SaveResult:
    """Give employees until a later closing date: an open campaign is extended, a closed
    one (not yet ordered) reopened, its approvals so far void as the figures may change."""
    closes_on = inputs.date(closes_text)
    if isinstance(closes_on, inputs.Invalid):
        return SaveResult(errors={"closes_on": _("Enter a date such as 2027-03-31.")})
    extending_open = campaign.status == CampaignStatus.open
    if closes_on < today() or (extending_open and closes_on <= campaign.closes_on):
        return SaveResult(
            errors={"closes_on": _("Choose a closing date after the current one and not past.")}
        )
    if campaign.status not in (CampaignStatus.open, CampaignStatus.closed):
        return SaveResult(
            errors={"closes_on": _("An ordered or cancelled campaign cannot reopen.")}
        )
    reopened = campaign.status == CampaignStatus.closed
    async with write_transaction():
        changed = await change_if(
            viewer,
            campaign,
            {
                Campaign.status: CampaignStatus.open,
                Campaign.closes_on: closes_on,
                Campaign.closed_at: None,
                Campaign.first_approved_by: None,
                Campaign.first_approved_at: None,
                Campaign.updated_at: utcnow(),
                Campaign.version: Campaign.version + 1,
            },
            Campaign.status == campaign.status,
            action="reopen" if reopened else "extend",
            summary=f"until {closes_on.isoformat()}",
        )
        if not changed:
            return SaveResult(errors={"closes_on": _("Someone else changed this campaign first.")})
        await _tell_everyone(
            campaign.replace(closes_on=closes_on, status=CampaignStatus.open),
            base_url,
            secret,
            "group_orders/extended",
            reopened=reopened,
        )
    return SaveResult(uuid=campaign.uuid)


async def cancel(
    viewer: Viewer,
    campaign: VisibleCampaign,
    reason: str,
    confirmed: bool,
    base_url: str,
    secret: str,
) -> SaveResult:
    """Cancel a campaign that is not ordered: nothing is ordered, links stop working and
    every employee is told (with the reason the client gives, as written)."""
    reason = reason.strip()
    if not confirmed:
        return SaveResult(errors={"confirm": _("Tick the box to confirm the cancellation.")})
    if len(reason) > MOST_REASON_CHARACTERS:
        return SaveResult(
            errors={"reason": _("At most %(count)s characters.", count=MOST_REASON_CHARACTERS)}
        )
    if campaign.status not in (CampaignStatus.open, CampaignStatus.closed):
        return SaveResult(errors={"confirm": _("An ordered campaign can no longer be cancelled.")})
    async with write_transaction():
        changed = await change_if(
            viewer,
            campaign,
            {
                Campaign.status: CampaignStatus.cancelled,
                Campaign.updated_at: utcnow(),
                Campaign.version: Campaign.version + 1,
            },
            Campaign.status == campaign.status,
            action="cancel",
            summary=reason or "Cancelled",
        )
        if not changed:
            return SaveResult(errors={"confirm": _("Someone else changed this campaign first.")})
        await _tell_everyone(campaign, base_url, secret, "group_orders/cancelled", reason=reason)
    return SaveResult(uuid=campaign.uuid)
