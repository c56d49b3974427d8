"""Who may approve a campaign's order: users of the client chosen on the campaign (when
none are chosen, anyone who runs the campaign, as before)."""

from __future__ import annotations

from collections.abc import Sequence

from group_orders.access import VisibleCampaign
from group_orders.campaigns import ENTITY
from group_orders.records import ApproverCandidate, CampaignRecord
from group_orders.tables import CampaignApprover
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.database import write_transaction
from partner_portal.i18n import format_money
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import User


async def candidates(campaign: VisibleCampaign) -> list[ApproverCandidate]:
    """The client's own active users, each marked whether they are a chosen approver."""
    users = ApproverCandidate.from_rows(
        await User.select(User.id, User.uuid, User.display_name, User.email)
        .where((User.organisation == campaign.organisation) & (User.is_active == True))  # noqa: E712
        .order_by(User.display_name)
    )
    chosen = await chosen_ids(campaign)
    return [user.replace(chosen=user.id in chosen) for user in users]


@access.checked_by_caller("the campaign comes from get_campaign")
async def chosen_ids(campaign: CampaignRecord) -> set[int]:
    rows = await CampaignApprover.select(CampaignApprover.user).where(
        CampaignApprover.campaign == campaign.id
    )
    return {row["user"] for row in rows}


async def may_approve(viewer: Viewer, campaign: CampaignRecord) -> bool:
    chosen = await chosen_ids(campaign)
    return not chosen or viewer.user_id in chosen


async def choose(viewer: Viewer, campaign: VisibleCampaign, user_uuids: Sequence[str]) -> str:
    """Make exactly these of the client's users the campaign's approvers; an error message
    when one is not the client's (nothing saved), else ""."""
    users = {str(user.uuid): user for user in await candidates(campaign)}
    if any(wanted not in users for wanted in user_uuids):
        return _("Approvers are chosen among the client's own users.")
    chosen = [users[wanted] for wanted in dict.fromkeys(user_uuids)]
    if len(chosen) == 1 and campaign.second_approval_above is not None:
        # The second approval must come from a different person.
        return _(
            "Orders above %(amount)s need two approvals by different people: choose at "
            "least two approvers, or none.",
            amount=format_money(campaign.second_approval_above, campaign.currency),
        )
    async with write_transaction():
        await CampaignApprover.delete().where(CampaignApprover.campaign == campaign.id)
        if chosen:
            await CampaignApprover.insert(
                *(
                    CampaignApprover(
                        campaign=campaign.id, organisation=campaign.organisation, user=user.id
                    )
                    for user in chosen
                )
            ).run()
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action="choose_approvers",
            summary=", ".join(user.email for user in chosen) or "anyone who runs it",
        )
    return ""
