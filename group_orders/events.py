"""A campaign's milestones its client and the brand hear of (partner_portal/events): the
kind of event group orders record, its messages, and ``record``."""

from __future__ import annotations

from group_orders.records import CampaignRecord
from partner_portal.access import Viewer
from partner_portal.events import services as events
from partner_portal.i18n import N_
from partner_portal.registries import EventKind

MILESTONE = EventKind(
    "campaign.milestone", N_("A group campaign closes, reopens, is approved, ordered or cancelled")
)

KINDS = (MILESTONE,)

# The audited actions of a campaign (campaigns.change_if) that are milestones, as told.
MESSAGES = {
    "close": N_("Campaign %(name)s closed: sizes are no longer collected"),
    "extend": N_("Campaign %(name)s was extended"),
    "reopen": N_("Campaign %(name)s was reopened"),
    "cancel": N_("Campaign %(name)s was cancelled"),
    "first_approval": N_("Campaign %(name)s has its first approval"),
    "approve": N_("Campaign %(name)s was approved and ordered"),
}


async def record(viewer: Viewer | None, campaign: CampaignRecord, action: str) -> None:
    """Tell the client's users, its KAM and the brand users following either of a
    milestone (``action`` one of MESSAGES; others are none); inside the change's
    transaction."""
    message = MESSAGES.get(action)
    if message is None:
        return
    await events.record_event(
        viewer,
        MILESTONE.type,
        organisation_id=campaign.organisation,
        object_kind="campaign",
        object_uuid=campaign.uuid,
        message=message,
        params={"name": campaign.name},
        link=f"/group-orders/{campaign.uuid}",
        payload={"name": campaign.name, "milestone": action},
    )
