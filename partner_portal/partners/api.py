"""JSON API for partners and contacts (/api/v1), for ERPs and scripts.

The same services and access rules as the pages: an invisible row answers 404,
a missing permission 403, bad input 400 with a message per field, and an edit
based on an old version 409 with the changes that got in first. Writes take
exactly the fields of the page forms, so validation lives in one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import FromPath, FromQuery, JSONBody

from partner_portal import access, api
from partner_portal.access import Action, Viewer
from partner_portal.i18n import gettext as _
from partner_portal.partners import contacts, listing, services
from partner_portal.partners.listing import PartnerFilters
from partner_portal.partners.records import ContactRecord
from partner_portal.web import CurrentViewer

API = "/api/v1"


class Address(msgspec.Struct):
    kind: str
    country: str
    region: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    postal_code: str = ""


class PartnerSummary(msgspec.Struct):
    id: UUID
    kind: str
    legal_name: str
    english_name: str
    country: str
    tax_id: str
    tier: str
    status: str
    owner_email: str | None
    parent_distributor_name: str | None
    territories: list[str]
    contact_count: int


class PartnerList(msgspec.Struct):
    items: list[PartnerSummary]
    # Pass as ?cursor= for the next partners; null on the last page.
    next_cursor: str | None


class Partner(msgspec.Struct):
    id: UUID
    kind: str
    legal_name: str
    english_name: str
    country: str
    tax_id: str
    currency: str
    language: str
    tier: str
    status: str
    parent_distributor: UUID | None
    owner: UUID | None
    owner_email: str | None
    phone: str
    email: str
    website: str
    notes: str
    territories: list[str]
    addresses: list[Address]
    version: int
    created_at: datetime
    updated_at: datetime


class PartnerInput(msgspec.Struct, forbid_unknown_fields=True):
    """A new partner, or (PATCH) the fields to change plus the version they are based on."""

    legal_name: str | msgspec.UnsetType = msgspec.UNSET
    kind: str | msgspec.UnsetType = msgspec.UNSET
    country: str | msgspec.UnsetType = msgspec.UNSET
    english_name: str | msgspec.UnsetType = msgspec.UNSET
    tax_id: str | msgspec.UnsetType = msgspec.UNSET
    currency: str | msgspec.UnsetType = msgspec.UNSET
    language: str | msgspec.UnsetType = msgspec.UNSET
    tier: str | msgspec.UnsetType = msgspec.UNSET
    status: str | msgspec.UnsetType = msgspec.UNSET
    parent_distributor: UUID | msgspec.UnsetType | None = msgspec.UNSET
    owner: UUID | msgspec.UnsetType | None = msgspec.UNSET
    phone: str | msgspec.UnsetType = msgspec.UNSET
    email: str | msgspec.UnsetType = msgspec.UNSET
    website: str | msgspec.UnsetType = msgspec.UNSET
    notes: str | msgspec.UnsetType = msgspec.UNSET
    territories: list[str] | msgspec.UnsetType = msgspec.UNSET
    addresses: list[Address] | msgspec.UnsetType = msgspec.UNSET
    version: int | msgspec.UnsetType = msgspec.UNSET


class Contact(msgspec.Struct):
    id: UUID
    partner: UUID
    name: str
    romanised_name: str
    job_title: str
    phone: str
    email: str
    wechat_id: str
    kakao_id: str
    is_primary: bool
    version: int


class ContactList(msgspec.Struct):
    items: list[Contact]
    # Pass as ?cursor= for the next contacts; null on the last page.
    next_cursor: str | None


class ContactInput(msgspec.Struct, forbid_unknown_fields=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    romanised_name: str | msgspec.UnsetType = msgspec.UNSET
    job_title: str | msgspec.UnsetType = msgspec.UNSET
    phone: str | msgspec.UnsetType = msgspec.UNSET
    email: str | msgspec.UnsetType = msgspec.UNSET
    wechat_id: str | msgspec.UnsetType = msgspec.UNSET
    kakao_id: str | msgspec.UnsetType = msgspec.UNSET
    is_primary: bool | msgspec.UnsetType = msgspec.UNSET
    version: int | msgspec.UnsetType = msgspec.UNSET


class TimelineEntry(msgspec.Struct):
    id: UUID
    kind: str
    occurred_at: datetime
    summary: str
    # Brand-internal entries are shown to the brand's users only.
    internal: bool
    author: str | None


class Timeline(msgspec.Struct):
    items: list[TimelineEntry]
    # Pass as ?cursor= for older entries; null on the last page.
    next_cursor: str | None


class TimelineEntryInput(msgspec.Struct, forbid_unknown_fields=True):
    """An interaction to log: what happened (call, visit, meeting, note), when (RFC 3339;
    without an offset, in the caller's time zone; left out: now), what was said, and
    whether it is for the brand's users only (honoured for those who may read such)."""

    kind: Annotated[str, msgspec.Meta(max_length=20)] = ""
    occurred_at: Annotated[str, msgspec.Meta(max_length=40)] = ""
    summary: Annotated[str, msgspec.Meta(max_length=10_000)] = ""
    internal: bool = False


def _timeline_entry(row: Mapping[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        id=row["uuid"],
        kind=row["kind"],
        occurred_at=api.timestamp(row["occurred_at"]),
        summary=row["text"],
        internal=bool(row["internal"]),
        author=row["author_name"],
    )


def _replace_addresses(form: dict[str, Any], data: PartnerInput) -> dict[str, Any]:
    """Saved form values overlaid with an update; an address list sent replaces the old
    one, an empty list clearing it; one left out keeps it."""
    update = api.form_fields(data, RENAMED)
    if data.addresses is not msgspec.UNSET:
        form = {name: value for name, value in form.items() if not name.startswith("address-")}
        update.pop("address", None)  # an empty list, as one form field: no rows
    return {**form, **update}


# The page form names addresses "address-<n>-<field>"; the body has a list "addresses".
RENAMED = {"address": "addresses"}


def _require_version(payload: PartnerInput | ContactInput) -> None:
    if payload.version is msgspec.UNSET:
        raise api.invalid({"version": _("Send the version you are changing (from a GET).")})


async def _partner(viewer: Viewer, partner_uuid: UUID) -> Partner:
    details = await services.partner_360(viewer, partner_uuid)
    row = details.organisation
    return Partner(
        id=row.uuid,
        kind=row.kind,
        legal_name=row.legal_name,
        english_name=row.english_name,
        country=row.country,
        tax_id=row.tax_id,
        currency=row.currency,
        language=row.language,
        tier=row.tier,
        status=row.status,
        parent_distributor=row.parent_uuid,
        owner=row.owner_uuid,
        owner_email=row.owner_email,
        phone=row.phone,
        email=row.email,
        website=row.website,
        notes=row.notes,
        territories=details.territories,
        addresses=[
            Address(**{name: address[name] for name in Address.__struct_fields__})
            for address in details.addresses
        ],
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _contact(row: ContactRecord, partner_uuid: UUID) -> Contact:
    fields = {
        name: getattr(row, name)
        for name in Contact.__struct_fields__
        if name not in ("id", "partner")
    }
    return Contact(id=row.uuid, partner=partner_uuid, **fields)


@api.get(f"{API}/partners", tags=["partners"])
async def list_partners(
    viewer: CurrentViewer,
    q: FromQuery[str] = "",
    kind: FromQuery[str] = "",
    tier: FromQuery[str] = "",
    territory: FromQuery[str] = "",
    status: FromQuery[str] = "",
    owner: FromQuery[str] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> PartnerList:
    """Partners you may see, sorted by legal name; filters as on the list page."""
    position = api.decode_cursor(cursor, (str, int))
    filters = dataclasses.replace(
        PartnerFilters.from_query(
            {
                "q": q,
                "kind": kind,
                "tier": tier,
                "territory": territory,
                "status": status,
                "owner": owner,
            }
        ),
        after=(position[0], position[1]) if position else None,
        limit=limit,
    )
    found = await listing.list_partners(viewer, filters)
    rows = found.rows[:limit]
    last = rows[-1] if rows else None
    return PartnerList(
        items=[
            PartnerSummary(
                id=row["uuid"],
                kind=row["kind"],
                legal_name=row["legal_name"],
                english_name=row["english_name"],
                country=row["country"],
                tax_id=row["tax_id"],
                tier=row["tier"],
                status=row["status"],
                owner_email=row["owner_email"],
                parent_distributor_name=row["parent_name"],
                territories=row["territories"],
                contact_count=row["contact_count"],
            )
            for row in rows
        ],
        next_cursor=api.encode_cursor([last["legal_name"], last["id"]])
        if last and len(found.rows) > limit
        else None,
    )


@api.get(f"{API}/partners/{{partner_id:uuid}}", tags=["partners"])
async def get_partner(viewer: CurrentViewer, partner_id: FromPath[UUID]) -> Partner:
    return await _partner(viewer, partner_id)


@api.post(f"{API}/partners", tags=["partners"], status_code=201)
async def create_partner(viewer: CurrentViewer, data: JSONBody[PartnerInput]) -> Partner:
    """Create a partner; legal_name, kind and country are required."""
    result = await services.create_organisation(viewer, api.form_fields(data, RENAMED))
    if not result.saved:
        raise api.refused(result, RENAMED)
    assert result.uuid is not None
    return await _partner(viewer, result.uuid)


@api.patch(f"{API}/partners/{{partner_id:uuid}}", tags=["partners"])
async def update_partner(
    viewer: CurrentViewer, partner_id: FromPath[UUID], data: JSONBody[PartnerInput]
) -> Partner:
    """Change the fields sent; `version` (from a GET) is required. A field left out keeps
    its value. A list sent replaces the old one whole: `"addresses": []` removes every
    address and `"territories": []` every territory, while leaving `addresses` or
    `territories` out of the body keeps them as they are."""
    organisation = await access.get_organisation(viewer, partner_id, Action.edit_partner)
    _require_version(data)
    saved = await services.form_values(organisation.id)
    result = await services.update_organisation(
        viewer, organisation, _replace_addresses(saved, data)
    )
    if not result.saved:
        raise api.refused(result, RENAMED)
    return await _partner(viewer, partner_id)


@api.get(f"{API}/partners/{{partner_id:uuid}}/timeline", tags=["partners"])
async def partner_timeline(
    viewer: CurrentViewer,
    partner_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> Timeline:
    """Calls, visits, meetings and notes logged on a partner, newest first."""
    organisation = await access.get_organisation(viewer, partner_id)
    position = api.decode_cursor(cursor, (datetime, int))
    after = (position[0], position[1]) if position else None
    rows = await services.timeline_after(viewer, organisation, after, limit)
    shown, next_cursor = api.page_of(
        rows, limit, lambda row: [api.timestamp(row["occurred_at"]), row["id"]]
    )
    return Timeline(items=[_timeline_entry(row) for row in shown], next_cursor=next_cursor)


@api.post(f"{API}/partners/{{partner_id:uuid}}/timeline", tags=["partners"], status_code=201)
async def log_interaction(
    viewer: CurrentViewer, partner_id: FromPath[UUID], data: JSONBody[TimelineEntryInput]
) -> TimelineEntry:
    """Log a call, visit, meeting or note on a partner's timeline, as its page does."""
    organisation = await access.get_organisation(viewer, partner_id, Action.add_timeline_entry)
    entry, errors = await services.add_timeline_entry(
        viewer, organisation.id, api.form_fields(data)
    )
    if entry is None:
        raise api.invalid(errors)
    return _timeline_entry(entry)


@api.get(f"{API}/partners/{{partner_id:uuid}}/contacts", tags=["contacts"])
async def list_contacts(
    viewer: CurrentViewer,
    partner_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> ContactList:
    """The partner's contacts, by name (``is_primary`` marks the main one)."""
    organisation = await access.get_organisation(viewer, partner_id)
    position = api.decode_cursor(cursor, (str, int))
    rows = await services.contacts_after(
        organisation, (position[0], position[1]) if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.name, row.id])
    return ContactList(items=[_contact(row, partner_id) for row in shown], next_cursor=next_cursor)


@api.post(f"{API}/partners/{{partner_id:uuid}}/contacts", tags=["contacts"], status_code=201)
async def create_contact(
    viewer: CurrentViewer, partner_id: FromPath[UUID], data: JSONBody[ContactInput]
) -> Contact:
    organisation = await access.get_organisation(viewer, partner_id, Action.manage_contacts)
    result = await contacts.create_contact(viewer, organisation, api.form_fields(data))
    if not result.saved:
        raise api.refused(result, RENAMED)
    assert result.uuid is not None
    return await _visible_contact(viewer, result.uuid)


async def _visible_contact(viewer: Viewer, contact_id: UUID) -> Contact:
    contact = await access.get_contact(viewer, contact_id, Action.view_partner)
    partner = await services.organisation_details(contact.organisation)
    return _contact(contact, partner.uuid)


@api.get(f"{API}/contacts/{{contact_id:uuid}}", tags=["contacts"])
async def get_contact(viewer: CurrentViewer, contact_id: FromPath[UUID]) -> Contact:
    return await _visible_contact(viewer, contact_id)


@api.patch(f"{API}/contacts/{{contact_id:uuid}}", tags=["contacts"])
async def update_contact(
    viewer: CurrentViewer, contact_id: FromPath[UUID], data: JSONBody[ContactInput]
) -> Contact:
    """Change the fields sent; `version` is required."""
    contact = await access.get_contact(viewer, contact_id, Action.manage_contacts)
    _require_version(data)
    saved = {name: getattr(contact, name) for name in contacts.CONTACT_FIELDS}
    saved["is_primary"] = "on" if contact.is_primary else ""
    result = await contacts.update_contact(viewer, contact, {**saved, **api.form_fields(data)})
    if not result.saved:
        raise api.refused(result, RENAMED)
    return await _visible_contact(viewer, contact_id)


@api.delete(f"{API}/contacts/{{contact_id:uuid}}", tags=["contacts"], status_code=204)
async def delete_contact(viewer: CurrentViewer, contact_id: FromPath[UUID]) -> None:
    contact = await access.get_contact(viewer, contact_id, Action.manage_contacts)
    await contacts.delete_contact(viewer, contact)


partner_api_routes = [
    list_partners,
    get_partner,
    create_partner,
    update_partner,
    partner_timeline,
    log_interaction,
    list_contacts,
    create_contact,
    get_contact,
    update_contact,
    delete_contact,
]
