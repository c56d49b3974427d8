"""External references: the ids the brand's ERP gives partners and styles, set through the
API so that the ERP can match its records to ours. Unique where given (a unique index per
table); null clears one. Orders get theirs when the ERP acknowledges them
(orders/services/export.py)."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar.params import FromPath, JSONBody
from piccolo.table import Table

from partner_portal import access, api
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Style
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import Organisation
from partner_portal.web import CurrentViewer

REFERENCE_LENGTH = 60
REFERENCE_WANTED = N_("Give the ERP's reference (1 to %(n)s characters).")


class ReferenceIn(msgspec.Struct, forbid_unknown_fields=True):
    # Missing: refused (422) after the row is found; null clears the reference.
    external_ref: str | msgspec.UnsetType | None = msgspec.UNSET


class Reference(msgspec.Struct):
    id: UUID
    external_ref: str | None


@access.system_query("an external reference is unique across the table, whoever may see the row")
async def _taken(table: type[Table], reference: str, row_id: int) -> bool:
    column = table._meta.get_column_by_name("external_ref")
    own_id = table._meta.primary_key
    return bool(await table.exists().where(column == reference, own_id != row_id))


@access.checked_by_caller("the partner or style its caller fetched through access")
async def set_reference(
    viewer: Viewer, table: type[Table], row_id: int, row_uuid: UUID, value: str | None
) -> None:
    """Set a row's external reference; a value not accepted is a 422, a reference another
    row has a 409 (problems on the field ``external_ref``)."""
    reference = value.strip() if value is not None else None
    if reference is not None and (
        not 0 < len(reference) <= REFERENCE_LENGTH or not reference.isprintable()
    ):
        raise api.field_refused(422, "external_ref", _(REFERENCE_WANTED, n=REFERENCE_LENGTH))
    async with write_transaction():
        if reference is not None and await _taken(table, reference, row_id):
            raise api.field_refused(
                409,
                "external_ref",
                _("Another record has the reference %(ref)s.", ref=reference),
                "conflict",
            )
        column = table._meta.get_column_by_name("external_ref")
        await table.update({column: reference}).where(table._meta.primary_key == row_id)
        await audit_log.record(
            viewer,
            entity_kind=table._meta.tablename,
            entity_uuid=row_uuid,
            organisation_id=row_id if table is Organisation else None,
            action="update",
            changes={"external_ref": [None, reference]},
        )


async def _answer(
    viewer: Viewer, table: type[Table], row_id: int, row_uuid: UUID, data: ReferenceIn | None
) -> Reference:
    """Set the reference a call sends on the row its handler fetched through access."""
    if data is None or data.external_ref is msgspec.UNSET:
        raise api.field_refused(422, "external_ref", _(REFERENCE_WANTED, n=REFERENCE_LENGTH))
    await set_reference(viewer, table, row_id, row_uuid, data.external_ref)
    reference = data.external_ref.strip() if data.external_ref is not None else None
    return Reference(id=row_uuid, external_ref=reference)


@api.put("/api/v1/partners/{partner_id:uuid}/external-ref", tags=["erp"], status_code=200)
async def partner_reference(
    viewer: CurrentViewer, partner_id: FromPath[UUID], data: JSONBody[ReferenceIn | None] = None
) -> Reference:
    """The partner's id in the brand's ERP (null clears it)."""
    partner = await access.get_organisation(viewer, partner_id, Action.edit_partner)
    return await _answer(viewer, Organisation, partner.id, partner.uuid, data)


@api.put("/api/v1/styles/{style_id:uuid}/external-ref", tags=["erp"], status_code=200)
async def style_reference(
    viewer: CurrentViewer, style_id: FromPath[UUID], data: JSONBody[ReferenceIn | None] = None
) -> Reference:
    """The style's id in the brand's ERP (null clears it)."""
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    return await _answer(viewer, Style, style.id, style.uuid, data)


external_ref_routes = [partner_reference, style_reference]
