"""Ownership transfer: moving partners from one KAM to another, with audit entries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Count

from partner_portal import access
from partner_portal.access import Action, Viewer, VisibleOrganisation
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.partners.choices import owner_rows
from partner_portal.partners.tables import (
    InteractionKind,
    Organisation,
    OrganisationKind,
    TimelineEntry,
)
from partner_portal.registries import HandoverItem, registry

# ---------------------------------------------------------------------------
# Ownership transfer


@access.system_query("brand administrators (transfer_partners) move every KAM's partners")
async def transfer_choices() -> dict[str, list[dict[str, Any]]]:
    """Who partners can move from (anyone who owns some, also people who left) and to."""
    owning = await (
        Organisation.select(Organisation.owner, Count(alias="count"))
        .where(Organisation.owner.is_not_null(), Organisation.kind != OrganisationKind.brand.value)
        .group_by(Organisation.owner)
    )
    counts = {row["owner"]: row["count"] for row in owning}
    everyone = await owner_rows(include_inactive=True)
    sources = [dict(row, count=counts[row["id"]]) for row in everyone if row["id"] in counts]
    return {"sources": sources, "targets": [row for row in everyone if row["is_active"]]}


@dataclass(frozen=True)
class WorkToMove:
    """One module's open work on the moving partners (registry.owned_work)."""

    label: str
    items: list[HandoverItem]


@dataclass
class TransferResult:
    moved: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    # Before the move (not confirmed yet): the partners and the open work that would move.
    partners: list[dict[str, Any]] = field(default_factory=list)
    work: list[WorkToMove] = field(default_factory=list)
    target_name: str = ""
    # After it: how much open work moved, by its label.
    work_moved: dict[str, int] = field(default_factory=dict)

    @property
    def confirming(self) -> bool:
        return not self.errors and not self.moved and bool(self.partners)


def _transfer_errors(
    choices: Mapping[str, Any],
    organisation: VisibleOrganisation | None,
    target: Mapping[str, Any] | None,
    from_owner: str,
) -> dict[str, str]:
    """What is wrong with the form: no KAM to take over, no KAM to move from, or a move to
    the owner the partners already have."""
    errors: dict[str, str] = {}
    if target is None:
        errors["to_owner"] = _("Choose the key-account manager who takes the partners over.")
    if organisation is not None:
        if target is not None and organisation.owner == target["id"]:
            errors["to_owner"] = _("This partner is already theirs.")
        return errors
    source = next(
        (row for row in choices["sources"] if from_owner and str(row["uuid"]) == from_owner),
        None,
    )
    if source is None:
        errors["from_owner"] = _("Choose whose partners to move.")
    elif target is not None and source["id"] == target["id"]:
        errors["to_owner"] = _("Choose someone else than the current owner.")
    return errors


async def _partners_moving(
    viewer: Viewer, organisation_id: int | None, from_owner: str
) -> list[dict[str, Any]]:
    """The partner, or every partner of the KAM, with what the move records of each."""
    query = access.scoped(
        Organisation.select(
            Organisation.id,
            Organisation.uuid,
            Organisation.legal_name,
            Organisation.version,
            Organisation.owner,
            Organisation.owner._.display_name.as_alias("owner_name"),
            Organisation.owner._.email.as_alias("owner_email"),
        ),
        viewer,
    ).where(Organisation.kind != OrganisationKind.brand.value)
    if organisation_id is not None:
        return await query.where(Organisation.id == organisation_id)
    return await query.where(Organisation.owner._.uuid == UUID(from_owner))


@access.checked_by_caller("transfer_partners: the rows come from the scoped _partners_moving")
async def _record_move(
    viewer: Viewer, moving: list[dict[str, Any]], target: Mapping[str, Any]
) -> None:
    """The new owner on each partner (a new version, so open edit forms notice), a
    timeline entry and an audit entry each."""
    now = utcnow()
    await Organisation.update(
        {
            Organisation.owner: target["id"],
            Organisation.updated_at: now,
            Organisation.version: Organisation.version + 1,
        }
    ).where(Organisation.id.is_in([row["id"] for row in moving]))
    await TimelineEntry.insert(
        *(
            TimelineEntry(
                organisation=row["id"],
                kind=InteractionKind.system.value,
                occurred_at=now,
                author=viewer.user_id,
                # Written without words, so it reads the same in every reader's
                # language (the entry outlives the mover's language choice).
                summary=f"KAM: {row['owner_name'] or '—'} → {target['display_name']}",
                internal=True,
                created_at=now,
            )
            for row in moving
        )
    ).run()
    for row in moving:
        await audit_log.record(
            viewer,
            entity_kind="organisation",
            entity_uuid=row["uuid"],
            organisation_id=row["id"],
            action="transfer",
            changes={
                "owner": [row["owner_email"], target["email"]],
                "version": [row["version"], row["version"] + 1],
            },
            summary=row["legal_name"],
        )


async def transfer_partners(
    viewer: Viewer,
    to_owner: str,
    *,
    partner_uuid: UUID | None = None,
    from_owner: str = "",
    confirmed: bool = False,
) -> TransferResult:
    """Move one partner, or every partner of a KAM, to another KAM in one transaction,
    with the open work the old owner kept for them (registry.owned_work: follow-ups,
    opportunities, cases...). Unless ``confirmed``, nothing moves: the result lists the
    partners and that work, for the confirmation page.

    Brand admins only. Each moved partner gets a system timeline entry and an audit
    entry; only the owner (and the version, so open edit forms notice) changes.
    """
    # One partner: 404 unless visible, then 403 unless allowed; all of a KAM's: 403.
    organisation = None
    if partner_uuid is not None:
        organisation = await access.get_organisation(viewer, partner_uuid, Action.transfer_partners)
    else:
        access.require(viewer, Action.transfer_partners)
    choices = await transfer_choices()
    target = next(
        (row for row in choices["targets"] if to_owner and str(row["uuid"]) == to_owner), None
    )
    errors = _transfer_errors(choices, organisation, target, from_owner)
    if errors or target is None:
        return TransferResult(errors=errors)
    async with write_transaction():
        # Read inside the transaction, so a partner created meanwhile moves too.
        moving = await _partners_moving(
            viewer, organisation.id if organisation is not None else None, from_owner
        )
        if not moving:
            return TransferResult()
        by_old_owner: dict[int | None, list[int]] = {}
        for row in moving:
            by_old_owner.setdefault(row["owner"], []).append(row["id"])
        if not confirmed:
            return TransferResult(
                partners=moving,
                work=await _work_to_move(by_old_owner),
                target_name=target["display_name"],
            )
        work_moved = {
            work.label: sum(
                [
                    await work.move(viewer, partner_ids, old, target["id"])
                    for old, partner_ids in by_old_owner.items()
                ]
            )
            for work in registry.owned_work.values()
        }
        await _record_move(viewer, moving, target)
    return TransferResult(moved=len(moving), work_moved=work_moved)


async def _work_to_move(by_old_owner: dict[int | None, list[int]]) -> list[WorkToMove]:
    listed = []
    for work in registry.owned_work.values():
        items = [
            item
            for old, partner_ids in by_old_owner.items()
            for item in await work.open_items(partner_ids, old)
        ]
        listed.append(WorkToMove(work.label, items))
    return listed
