"""Follow-ups move with their partners when a brand admin gives the partners to another
KAM (registry.owned_work; the transfer itself is partners/ownership.py)."""

from __future__ import annotations

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.i18n import N_
from partner_portal.registries import HandoverItem, OwnedWork
from scheduler.records import MovedFollowUp
from scheduler.tables import FollowUp, FollowUpState


@access.system_query("ownership transfer (brand admins): the moving partners' follow-ups")
async def open_follow_ups(partner_ids: list[int], old_owner_id: int | None) -> list[HandoverItem]:
    """The old owner's open follow-ups on the partners, soonest first."""
    if old_owner_id is None or not partner_ids:
        return []
    rows = MovedFollowUp.from_rows(
        await FollowUp.select(FollowUp.organisation, FollowUp.uuid, FollowUp.title)
        .where(
            FollowUp.organisation.is_in(partner_ids),
            FollowUp.owner == old_owner_id,
            FollowUp.state == FollowUpState.open.value,
        )
        .order_by(FollowUp.due_at)
    )
    return [HandoverItem(row.organisation, row.title, f"/follow-ups/{row.uuid}") for row in rows]


@access.system_query("ownership transfer (brand admins): the moving partners' follow-ups")
async def move_follow_ups(
    viewer: Viewer, partner_ids: list[int], old_owner_id: int | None, new_owner_id: int
) -> int:
    """Give the old owner's open follow-ups on the partners (repeating ones included: the
    series follows its current occurrence) to the new owner, audited; how many."""
    if old_owner_id is None or not partner_ids:
        return 0
    now = utcnow()
    moved = MovedFollowUp.from_rows(
        await FollowUp.update(
            {
                FollowUp.owner: new_owner_id,
                FollowUp.updated_at: now,
                FollowUp.version: FollowUp.version + 1,
            }
        )
        .where(
            FollowUp.organisation.is_in(partner_ids),
            FollowUp.owner == old_owner_id,
            FollowUp.state == FollowUpState.open.value,
        )
        .returning(FollowUp.uuid, FollowUp.organisation, FollowUp.title)
    )
    for row in moved:
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=row.uuid,
            organisation_id=row.organisation,
            action="transfer",
            changes={"owner": [old_owner_id, new_owner_id]},
            summary=row.title[:200],
        )
    return len(moved)


FOLLOW_UPS = OwnedWork(
    key="follow_ups",
    label=N_("Open follow-ups"),
    open_items=open_follow_ups,
    move=move_follow_ups,
)
