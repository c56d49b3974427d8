"""A partner's contacts: adding, editing (with optimistic locking) and deleting them,
each change with its audit entry in its write transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.partners import forms
from partner_portal.partners.forms import ContactInput
from partner_portal.partners.tables import Contact

CONTACT_FIELDS = (
    "name",
    "romanised_name",
    "job_title",
    "phone",
    "email",
    "wechat_id",
    "kakao_id",
    "is_primary",
)


def _contact_values(values: ContactInput) -> dict[str, Any]:
    return {name: getattr(values, name) for name in CONTACT_FIELDS}


@access.checked_by_caller("contacts of an organisation from get_organisation")
async def _clear_other_primaries(organisation_id: int, keep_id: int) -> None:
    await Contact.update({Contact.is_primary: False}).where(
        Contact.organisation == organisation_id, Contact.id != keep_id
    )


async def insert_contact(viewer: Viewer, organisation_id: int, values: ContactInput) -> UUID:
    """Save a new contact with its audit entry; call inside a write transaction."""
    row = (
        await Contact.insert(
            Contact(
                organisation=organisation_id,
                **_contact_values(values),
                created_at=utcnow(),
                version=1,
            )
        )
        .returning(Contact.id, Contact.uuid)
        .run()
    )
    if values.is_primary:
        await _clear_other_primaries(organisation_id, row[0]["id"])
    await audit_log.record(
        viewer,
        entity_kind="contact",
        entity_uuid=row[0]["uuid"],
        organisation_id=organisation_id,
        action="create",
        changes=audit_log.changes_between({}, {**_contact_values(values), "version": 1}),
        summary=values.name,
    )
    return row[0]["uuid"]  # type: ignore[no-any-return]


async def create_contact(
    viewer: Viewer, organisation: access.VisibleOrganisation, data: Mapping[str, Any]
) -> SaveResult:
    """Add a contact to an organisation the viewer may manage contacts of."""
    access.require(viewer, Action.manage_contacts, organisation.id)
    values, errors = forms.parse_contact(data)
    if values is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        contact_uuid = await insert_contact(viewer, organisation.id, values)
    return SaveResult(uuid=contact_uuid)


@access.checked_by_caller("the contact comes from get_contact")
async def update_contact(
    viewer: Viewer, contact: access.VisibleContact, data: Mapping[str, Any]
) -> SaveResult:
    """Save a contact's edit form; a stale version saves nothing (like organisations)."""
    values, errors = forms.parse_contact(data)
    if values is None:
        return SaveResult(errors=errors)
    opened_version = values.version if values.version is not None else contact.version
    async with write_transaction():
        before = (
            await Contact.select(*Contact.all_columns()).where(Contact.id == contact.id).first()
        )
        assert before is not None
        updated = await update_if_version(
            Contact, contact.id, opened_version, _contact_values(values)
        )
        if updated:
            if values.is_primary:
                await _clear_other_primaries(contact.organisation, contact.id)
            await audit_log.record(
                viewer,
                entity_kind="contact",
                entity_uuid=contact.uuid,
                organisation_id=contact.organisation,
                action="update",
                changes=audit_log.changes_between(
                    before, {**_contact_values(values), "version": updated}
                ),
                summary=values.name,
            )
    if not updated:
        return SaveResult(
            conflicts=await audit_log.changes_since(contact.uuid, opened_version),
            current_version=before["version"],
        )
    return SaveResult(uuid=contact.uuid)


@access.checked_by_caller("the contact comes from get_contact")
async def delete_contact(viewer: Viewer, contact: access.VisibleContact) -> None:
    """Delete a contact, keeping its last values in the audit log."""
    async with write_transaction():
        await Contact.delete().where(Contact.id == contact.id)
        await audit_log.record(
            viewer,
            entity_kind="contact",
            entity_uuid=contact.uuid,
            organisation_id=contact.organisation,
            action="delete",
            changes=audit_log.changes_between(
                {name: getattr(contact, name) for name in CONTACT_FIELDS},
                dict.fromkeys(CONTACT_FIELDS),
            ),
            summary=contact.name,
        )
