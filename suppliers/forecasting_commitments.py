"""Suppliers' weekly commitments to the published material forecast: one week answered
(its requirement accepted, or another quantity or date proposed with a comment), or every
open week accepted at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from partner_portal import messages
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import (
    is_sqlite,
    write_transaction,
)
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from suppliers import events, forms
from suppliers.access import SupplierAction, VisibleMaterial, get_material
from suppliers.forecasting_view import latest_versions
from suppliers.tables import (
    Commitment,
    CommitmentStatus,
    ForecastLine,
    Material,
)


async def _lock_material(material: VisibleMaterial) -> None:
    """Serialise answers for one material (SQLite's IMMEDIATE transaction already does)."""
    if not is_sqlite():
        await Material.raw("SELECT id FROM material WHERE id = {} FOR UPDATE", material.id)


async def commit_week(viewer: Viewer, material_uuid: UUID, data: Mapping[str, Any]) -> SaveResult:
    """A supplier's answer for one week of one of its materials in the current forecast.

    Accepting commits the week's requirement on the week's date; a proposal gives another
    quantity and/or date with a comment. Answering the same again changes nothing (a
    double click or a retried API call); a different answer replaces the last one, audited.
    """
    material = await get_material(viewer, material_uuid, SupplierAction.answer_as_supplier)
    answer, errors = forms.parse_commitment(data)
    if answer is None:
        return SaveResult(errors=errors)
    current, _previous = await latest_versions()
    if current is None or not (
        current.first_week
        <= answer.week_start
        < current.first_week + timedelta(weeks=current.weeks)
    ):
        return SaveResult(errors={"week": _("Choose a week of the current forecast.")})
    async with write_transaction():
        await _lock_material(material)
        line = await (
            ForecastLine.select(ForecastLine.net_total)
            .where(
                (ForecastLine.forecast == current.id)
                & (ForecastLine.material == material.id)
                & (ForecastLine.week_start == answer.week_start)
            )
            .first()
        )
        requirement = line["net_total"] if line else Decimal(0)
        # The commitment's columns by name: its audit entry and its row are written from them.
        values: dict[str, Any] = {
            "status": answer.status,
            "quantity": answer.quantity if answer.quantity is not None else requirement,
            "delivery_date": answer.delivery_date or answer.week_start,
            "comment": answer.comment,
            "requirement": requirement,
            "forecast": current.id,
        }
        existing = await (
            Commitment.select(*Commitment.all_columns())
            .where(
                (Commitment.material == material.id) & (Commitment.week_start == answer.week_start)
            )
            .first()
        )
        if existing is not None:
            changes = audit_log.changes_between(existing, values)
            if not changes:
                return SaveResult(uuid=existing["uuid"])
            await Commitment.update(
                {
                    **{getattr(Commitment, name): value for name, value in values.items()},
                    Commitment.committed_by: viewer.user_id,
                    Commitment.committed_at: utcnow(),
                }
            ).where(Commitment.id == existing["id"])
            commitment_uuid = existing["uuid"]
        else:
            changes = audit_log.changes_between({}, values)
            row = (
                await Commitment.insert(
                    Commitment(
                        supplier=material.supplier,
                        material=material.id,
                        week_start=answer.week_start,
                        committed_by=viewer.user_id,
                        committed_at=utcnow(),
                        **values,
                    )
                )
                .returning(Commitment.uuid)
                .run()
            )
            commitment_uuid = row[0]["uuid"]
        await audit_log.record(
            viewer,
            entity_kind="material_commitment",
            entity_uuid=commitment_uuid,
            organisation_id=material.supplier,
            action="update" if existing else "create",
            changes=changes,
            summary=f"{material.code} {answer.week_start.isoformat()}",
        )
        await events.record(
            viewer,
            events.COMMITMENT,
            supplier_id=material.supplier,
            object_kind="material",
            object_uuid=material.uuid,
            link="/suppliers/forecast",
            message=events.COMMITMENT_MESSAGE,
            material=material.code,
            week=messages.on_date(answer.week_start),
        )
    return SaveResult(uuid=commitment_uuid)


async def accept_open_weeks(viewer: Viewer, material_uuid: UUID) -> int:
    """Accept every week of the material in the current forecast that has a requirement and
    no answer yet (proposals already made stay as they are); how many were accepted.
    Pressing it again accepts nothing more."""
    material = await get_material(viewer, material_uuid, SupplierAction.answer_as_supplier)
    current, _previous = await latest_versions()
    if current is None:
        return 0
    async with write_transaction():
        await _lock_material(material)
        lines = await ForecastLine.select(ForecastLine.week_start, ForecastLine.net_total).where(
            (ForecastLine.forecast == current.id)
            & (ForecastLine.material == material.id)
            & (ForecastLine.net_total > 0)
        )
        answered = {
            row["week_start"]
            for row in await Commitment.select(Commitment.week_start).where(
                Commitment.material == material.id
            )
        }
        open_lines = [line for line in lines if line["week_start"] not in answered]
        if not open_lines:
            return 0
        now = utcnow()
        rows = (
            await Commitment.insert(
                *(
                    Commitment(
                        supplier=material.supplier,
                        material=material.id,
                        week_start=line["week_start"],
                        forecast=current.id,
                        requirement=line["net_total"],
                        status=CommitmentStatus.accepted.value,
                        quantity=line["net_total"],
                        delivery_date=line["week_start"],
                        committed_by=viewer.user_id,
                        committed_at=now,
                    )
                    for line in open_lines
                )
            )
            .returning(Commitment.uuid)
            .run()
        )
        for row, line in zip(rows, open_lines, strict=True):
            await audit_log.record(
                viewer,
                entity_kind="material_commitment",
                entity_uuid=row["uuid"],
                organisation_id=material.supplier,
                action="create",
                changes={"status": [None, "accepted"], "quantity": [None, str(line["net_total"])]},
                summary=f"{material.code} {line['week_start'].isoformat()}",
            )
        if open_lines:
            await events.record(
                viewer,
                events.COMMITMENT,
                supplier_id=material.supplier,
                object_kind="material",
                object_uuid=material.uuid,
                link="/suppliers/forecast",
                message=events.COMMITMENTS_MESSAGE,
                material=material.code,
                count=len(open_lines),
            )
    return len(open_lines)
