"""Open opportunities, cases and pending deal registrations move with their partners when
a brand admin gives the partners to another KAM (registry.owned_work; the transfer itself
is partners/ownership.py)."""

from __future__ import annotations

from typing import Any

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.i18n import N_
from partner_portal.registries import HandoverItem, OwnedWork
from sales.cases import OPEN_STATUSES
from sales.tables import OPEN_STAGES, DealRegistration, Opportunity, RegistrationStatus, ServiceCase


@access.system_query("ownership transfer (brand admins): the moving partners' opportunities")
async def open_opportunities(
    partner_ids: list[int], old_owner_id: int | None
) -> list[HandoverItem]:
    if old_owner_id is None or not partner_ids:
        return []
    rows = (
        await Opportunity.select(Opportunity.organisation, Opportunity.uuid, Opportunity.title)
        .where(*_open_opportunities(partner_ids, old_owner_id))
        .order_by(Opportunity.expected_close_date)
    )
    return [
        HandoverItem(row["organisation"], row["title"], f"/sales/opportunities/{row['uuid']}")
        for row in rows
    ]


@access.system_query("ownership transfer (brand admins): the moving partners' opportunities")
async def move_opportunities(
    viewer: Viewer, partner_ids: list[int], old_owner_id: int | None, new_owner_id: int
) -> int:
    if old_owner_id is None or not partner_ids:
        return 0
    moved = await (
        Opportunity.update(
            {
                Opportunity.owner: new_owner_id,
                Opportunity.updated_at: utcnow(),
                Opportunity.version: Opportunity.version + 1,
            }
        )
        .where(*_open_opportunities(partner_ids, old_owner_id))
        .returning(Opportunity.uuid, Opportunity.organisation, Opportunity.title)
    )
    await _audit(viewer, "opportunity", moved, "title", old_owner_id, new_owner_id)
    return len(moved)


def _open_opportunities(partner_ids: list[int], owner_id: int) -> tuple[Any, ...]:
    return (
        Opportunity.organisation.is_in(partner_ids),
        Opportunity.owner == owner_id,
        Opportunity.stage.is_in([stage.value for stage in OPEN_STAGES]),
    )


@access.system_query("ownership transfer (brand admins): the moving partners' service cases")
async def open_cases(partner_ids: list[int], old_owner_id: int | None) -> list[HandoverItem]:
    """The open cases the old owner works on, and the unassigned ones (the partner's KAM
    answers those, so they follow the partner)."""
    if not partner_ids:
        return []
    worked_by: Any = ServiceCase.assignee.is_null()
    if old_owner_id is not None:
        worked_by = worked_by | (ServiceCase.assignee == old_owner_id)
    rows = (
        await ServiceCase.select(ServiceCase.organisation, ServiceCase.uuid, ServiceCase.subject)
        .where(
            ServiceCase.organisation.is_in(partner_ids),
            ServiceCase.status.is_in([status.value for status in OPEN_STATUSES]),
            worked_by,
        )
        .order_by(ServiceCase.resolution_due_at)
    )
    return [
        HandoverItem(row["organisation"], row["subject"], f"/sales/cases/{row['uuid']}")
        for row in rows
    ]


@access.system_query("ownership transfer (brand admins): the moving partners' service cases")
async def move_cases(
    viewer: Viewer, partner_ids: list[int], old_owner_id: int | None, new_owner_id: int
) -> int:
    """Give the old owner's open cases on the partners to the new owner; the unassigned
    ones need no change. How many cases now follow the new owner."""
    following = len(await open_cases(partner_ids, old_owner_id))
    if old_owner_id is None or not partner_ids:
        return following
    moved = await (
        ServiceCase.update(
            {
                ServiceCase.assignee: new_owner_id,
                ServiceCase.updated_at: utcnow(),
                ServiceCase.version: ServiceCase.version + 1,
            }
        )
        .where(
            ServiceCase.organisation.is_in(partner_ids),
            ServiceCase.status.is_in([status.value for status in OPEN_STATUSES]),
            ServiceCase.assignee == old_owner_id,
        )
        .returning(ServiceCase.uuid, ServiceCase.organisation, ServiceCase.subject)
    )
    await _audit(viewer, "service_case", moved, "subject", old_owner_id, new_owner_id)
    return following


@access.system_query("ownership transfer (brand admins): the moving partners' registrations")
async def pending_registrations(
    partner_ids: list[int], old_owner_id: int | None
) -> list[HandoverItem]:
    """Pending deal registrations: the partner's KAM decides them, so the new owner will."""
    if not partner_ids:
        return []
    rows = (
        await DealRegistration.select(
            DealRegistration.organisation, DealRegistration.uuid, DealRegistration.end_customer
        )
        .where(
            DealRegistration.organisation.is_in(partner_ids),
            DealRegistration.status == RegistrationStatus.pending.value,
        )
        .order_by(DealRegistration.decision_due_at)
    )
    return [
        HandoverItem(
            row["organisation"], row["end_customer"], f"/sales/registrations/{row['uuid']}"
        )
        for row in rows
    ]


async def move_registrations(
    viewer: Viewer, partner_ids: list[int], old_owner_id: int | None, new_owner_id: int
) -> int:
    """Nothing to change: a registration's decider is its partner's KAM."""
    return len(await pending_registrations(partner_ids, old_owner_id))


async def _audit(
    viewer: Viewer,
    kind: str,
    rows: list[dict[str, Any]],
    name: str,
    old_owner_id: int,
    new_owner_id: int,
) -> None:
    for row in rows:
        await audit_log.record(
            viewer,
            entity_kind=kind,
            entity_uuid=row["uuid"],
            organisation_id=row["organisation"],
            action="transfer",
            changes={"owner": [old_owner_id, new_owner_id]},
            summary=row[name][:200],
        )


OWNED_WORK = (
    OwnedWork("opportunities", N_("Open opportunities"), open_opportunities, move_opportunities),
    OwnedWork("cases", N_("Open service cases"), open_cases, move_cases),
    OwnedWork(
        "registrations",
        N_("Pending deal registrations"),
        pending_registrations,
        move_registrations,
    ),
)
