"""The partner network: the partner 360, editing organisations, the timeline (the list
is in listing.py, contacts in contacts.py, the choices of the partner form and how its
references resolve in choices.py, ownership transfer in ownership.py). Visibility
always comes from partner_portal.access, and every change writes an audit entry in its
own write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from babel import Locale
from piccolo.query.methods.select import Select

from partner_portal import access, i18n, messages
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.partners import events as partner_events
from partner_portal.partners import forms
from partner_portal.partners.choices import ResolvedOrganisation, form_choices, resolve_organisation
from partner_portal.partners.forms import OrganisationInput
from partner_portal.partners.records import ContactRecord, OrganisationDetails
from partner_portal.partners.tables import (
    Address,
    Contact,
    InteractionKind,
    Organisation,
    OrganisationKind,
    Territory,
    TimelineEntry,
)
from partner_portal.registries import PartnerPanel, registry
from partner_portal.statements import Parameter, Prepared

TIMELINE_PAGE_SIZE = 20
LIST_NAME = "partners"
# Countries whose addresses are written large-to-small, and locales that read them so.
LARGE_TO_SMALL_LOCALES = frozenset({"zh_Hans", "ko"})

ORGANISATION_FIELDS = (
    "legal_name",
    "english_name",
    "kind",
    "country",
    "tax_id",
    "currency",
    "language",
    "tier",
    "status",
    "phone",
    "email",
    "website",
    "notes",
)


# ---------------------------------------------------------------------------
# Addresses


def format_address(address: Mapping[str, Any], locale: str | None = None) -> str:
    """An address printed in the locale's order.

    Chinese and Korean write large-to-small (country, region, city, district, street,
    postal code); English small-to-large (street, district, city region postal code, country).
    """
    locale = locale or i18n.current_locale.get()
    babel_locale = Locale.parse("zh_Hans_CN" if locale == "zh_Hans" else locale)
    country = babel_locale.territories.get(address.get("country") or "", address.get("country"))
    parts = [address.get(name) or "" for name in ("region", "city", "district", "street")]
    region, city, district, street = parts
    if city == region:
        # Municipalities (上海市, 서울특별시) are their own province: write them once.
        region = ""
    postal = address.get("postal_code") or ""
    if locale in LARGE_TO_SMALL_LOCALES:
        words = [country, region, city, district, street, postal]
        return " ".join(word for word in words if word)
    city_line = " ".join(word for word in (city, region, postal) if word)
    return ", ".join(word for word in (street, district, city_line, country) if word)


# ---------------------------------------------------------------------------
# The partner 360


@dataclass
class Partner360:
    organisation: access.VisibleOrganisationDetails
    addresses: list[dict[str, Any]]
    territories: list[str]
    contacts: list[ContactRecord]
    timeline: list[dict[str, Any]]
    timeline_page: int
    timeline_has_more: bool
    retailers: list[dict[str, Any]]
    # Whether the parent distributor's own page is open to the viewer (a link, or just a name).
    parent_visible: bool = False
    # each panel with the record its load() returned (its template's context)
    panels: list[tuple[PartnerPanel, object]] = field(default_factory=list)


# The partner 360's organisation columns, joins included, built once: Piccolo spends
# most of a millisecond building each joined column, on every partner page.
DETAIL_COLUMNS = (
    *Organisation.all_columns(),
    Organisation.owner._.display_name.as_alias("owner_name"),
    Organisation.owner._.email.as_alias("owner_email"),
    Organisation.owner._.uuid.as_alias("owner_uuid"),
    Organisation.parent_distributor._.legal_name.as_alias("parent_name"),
    Organisation.parent_distributor._.uuid.as_alias("parent_uuid"),
)
TIMELINE_COLUMNS = (
    TimelineEntry.id,
    TimelineEntry.uuid,
    TimelineEntry.kind,
    TimelineEntry.occurred_at,
    TimelineEntry.summary,
    TimelineEntry.params,
    TimelineEntry.internal,
    TimelineEntry.author._.display_name.as_alias("author_name"),
)


@Prepared
@access.checked_by_caller("organisation_details' organisation comes from get_organisation")
def _organisation_details() -> Select:
    return (
        Organisation.select(*DETAIL_COLUMNS)
        .where(Organisation.id == Parameter("organisation"))
        .limit(1)
    )


@Prepared
@access.checked_by_caller("partner_360's organisation comes from get_organisation")
def _addresses_of() -> Select:
    return (
        Address.select(*Address.all_columns())
        .where(Address.organisation == Parameter("organisation"))
        .order_by(Address.id)
    )


@Prepared
@access.checked_by_caller("partner_360's organisation comes from get_organisation")
def _territories_of() -> Select:
    return (
        Territory.select(Territory.region_code)
        .where(Territory.organisation == Parameter("organisation"))
        .order_by(Territory.region_code)
    )


@Prepared
@access.checked_by_caller("partner_360's organisation comes from get_organisation")
def _contacts_of() -> Select:
    """Main contact first, then by name."""
    return (
        Contact.select(*Contact.all_columns())
        .where(Contact.organisation == Parameter("organisation"))
        .order_by(Contact.is_primary, ascending=False)
        .order_by(Contact.name)
    )


@access.checked_by_caller("the organisation comes from get_organisation or get_contact")
async def _details_row(organisation_id: int) -> dict[str, Any]:
    row = await _organisation_details.first(organisation=organisation_id)
    assert row is not None
    return row


@access.checked_by_caller("the organisation comes from get_organisation or get_contact")
async def organisation_details(organisation_id: int) -> OrganisationDetails:
    """The organisation with its owner's and parent distributor's names."""
    return OrganisationDetails.from_row(await _details_row(organisation_id))


async def visible_organisation_details(
    organisation: access.VisibleOrganisation,
) -> access.VisibleOrganisationDetails:
    """The details of an organisation get_organisation fetched for the viewer."""
    return access.VisibleOrganisationDetails.from_row(await _details_row(organisation.id))


def _timeline_query(viewer: Viewer, visible_organisation: access.VisibleOrganisation) -> Any:
    """An organisation's timeline entries the viewer may read, newest first.

    ``visible_organisation`` is a row from access.get_organisation, so the organisation
    is already known to be visible; partner users never see internal entries
    (access.timeline_filter).
    """
    query = TimelineEntry.select(*TIMELINE_COLUMNS).where(
        TimelineEntry.organisation == visible_organisation.id
    )
    condition = access.timeline_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    return query.order_by(TimelineEntry.occurred_at, TimelineEntry.id, ascending=False)


def entry_text(row: Mapping[str, Any]) -> str:
    """What a timeline entry says to the current reader: a person's entry as written; an
    entry the portal wrote (a system note, a case opened) as its stored message, in the
    reader's language."""
    params = messages.loaded_params(row.get("params"))
    if row["kind"] == InteractionKind.system.value or params:
        return messages.render(row["summary"], params)
    return str(row["summary"])


def _with_text(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["text"] = entry_text(row)
    return rows


async def _timeline_entries(
    viewer: Viewer, visible_organisation: access.VisibleOrganisation, page: int = 1
) -> tuple[list[dict[str, Any]], bool]:
    """A page of an organisation's timeline, newest first, and whether older entries exist."""
    rows = await (
        _timeline_query(viewer, visible_organisation)
        .limit(TIMELINE_PAGE_SIZE + 1)
        .offset((max(1, page) - 1) * TIMELINE_PAGE_SIZE)
    )
    return _with_text(rows[:TIMELINE_PAGE_SIZE]), len(rows) > TIMELINE_PAGE_SIZE


async def timeline_after(
    viewer: Viewer,
    visible_organisation: access.VisibleOrganisation,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The ``limit`` entries older than ``after`` (an entry's time and id), and one more,
    which tells the caller there is a next page (the API's keyset paging)."""
    query = _timeline_query(viewer, visible_organisation)
    if after is not None:
        moment, entry_id = after
        query = query.where(
            (TimelineEntry.occurred_at < moment)
            | ((TimelineEntry.occurred_at == moment) & (TimelineEntry.id < entry_id))
        )
    return _with_text(await query.limit(limit + 1))


@access.checked_by_caller("the organisation its caller fetched with get_organisation")
async def contacts_after(
    organisation: access.VisibleOrganisation, after: tuple[str, int] | None, limit: int
) -> list[ContactRecord]:
    """Up to ``limit`` of the organisation's contacts by name, after the (name, id) of the
    last one of the previous page (the API's keyset paging)."""
    query = Contact.select(*Contact.all_columns()).where(Contact.organisation == organisation.id)
    if after is not None:
        name, contact_id = after
        query = query.where(
            (Contact.name > name) | ((Contact.name == name) & (Contact.id > contact_id))
        )
    return ContactRecord.from_rows(
        await query.order_by(Contact.name).order_by(Contact.id).limit(limit)
    )


async def partner_360(viewer: Viewer, partner_uuid: UUID, timeline_page: int = 1) -> Partner360:
    """Everything the partner 360 page shows; 404 if the viewer may not see the partner."""
    found = await access.get_organisation(viewer, partner_uuid)
    organisation = await visible_organisation_details(found)
    addresses = await _addresses_of.rows(organisation=found.id)
    for address in addresses:
        address["printed"] = format_address(address)
    territories = [row["region_code"] for row in await _territories_of.rows(organisation=found.id)]
    # The organisation passed access.get_organisation above: its rows need no second filter.
    contacts = ContactRecord.from_rows(await _contacts_of.rows(organisation=found.id))
    timeline, has_more = await _timeline_entries(viewer, found, timeline_page)
    retailers: list[dict[str, Any]] = []
    if organisation.kind == OrganisationKind.distributor:
        retailers = await (
            access.scoped(
                Organisation.select(
                    Organisation.uuid, Organisation.legal_name, Organisation.status
                ),
                viewer,
            )
            .where(Organisation.parent_distributor == found.id)
            .order_by(Organisation.legal_name)
        )
    parent_visible = organisation.parent_distributor is not None and bool(
        await access.scoped(Organisation.count(), viewer).where(
            Organisation.id == organisation.parent_distributor
        )
    )
    panels = []
    for panel in registry.ordered_partner_panels():
        context = await panel.load(viewer, organisation)
        if context is not None:
            panels.append((panel, context))
    return Partner360(
        organisation=organisation,
        addresses=addresses,
        territories=territories,
        contacts=contacts,
        timeline=timeline,
        timeline_page=max(1, timeline_page),
        timeline_has_more=has_more,
        retailers=retailers,
        parent_visible=parent_visible,
        panels=panels,
    )


# ---------------------------------------------------------------------------
# Creating and editing organisations


def _organisation_values(resolved: ResolvedOrganisation) -> dict[str, Any]:
    values = resolved.values
    return {
        **{name: getattr(values, name) for name in ORGANISATION_FIELDS},
        "parent_distributor": resolved.parent_distributor_id,
        "owner": resolved.owner_id,
    }


@access.checked_by_caller("the organisation comes from get_organisation (or was just created)")
async def _snapshot(organisation_id: int) -> dict[str, Any]:
    """What the audit log keeps of an organisation: its fields, with names for references."""
    row = await organisation_details(organisation_id)
    addresses = (
        await Address.select(*Address.all_columns())
        .where(Address.organisation == organisation_id)
        .order_by(Address.id)
    )
    territories = (
        await Territory.select(Territory.region_code)
        .where(Territory.organisation == organisation_id)
        .order_by(Territory.region_code)
    )
    return {
        **{name: getattr(row, name) for name in ORGANISATION_FIELDS},
        "parent_distributor": row.parent_name,
        "owner": row.owner_email,
        "territories": " ".join(territory["region_code"] for territory in territories),
        "addresses": [format_address(address, "en") for address in addresses],
        "version": row.version,
    }


@access.checked_by_caller("the organisation comes from get_organisation (or was just created)")
async def _replace_places(organisation_id: int, values: OrganisationInput) -> None:
    await Address.delete().where(Address.organisation == organisation_id)
    await Territory.delete().where(Territory.organisation == organisation_id)
    if values.addresses:
        await Address.insert(
            *(
                Address(
                    organisation=organisation_id,
                    kind=address.kind,
                    country=address.country,
                    region=address.region,
                    city=address.city,
                    district=address.district,
                    street=address.street,
                    postal_code=address.postal_code,
                )
                for address in values.addresses
            )
        ).run()
    if values.territories:
        await Territory.insert(
            *(
                Territory(organisation=organisation_id, region_code=code)
                for code in values.territories
            )
        ).run()


async def insert_organisation(viewer: Viewer, resolved: ResolvedOrganisation) -> UUID:
    """Save a new organisation with its places and its audit entry; call inside a write transaction."""
    now = utcnow()
    row = (
        await Organisation.insert(
            Organisation(
                **_organisation_values(resolved), created_at=now, updated_at=now, version=1
            )
        )
        .returning(Organisation.id, Organisation.uuid)
        .run()
    )
    organisation_id, organisation_uuid = row[0]["id"], row[0]["uuid"]
    await _replace_places(organisation_id, resolved.values)
    await audit_log.record(
        viewer,
        entity_kind="organisation",
        entity_uuid=organisation_uuid,
        organisation_id=organisation_id,
        action="create",
        changes=audit_log.changes_between({}, await _snapshot(organisation_id)),
        summary=resolved.values.legal_name,
    )
    return organisation_uuid  # type: ignore[no-any-return]


@access.system_query("a tax id is registered once across every organisation")
async def tax_id_holders(tax_ids: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The organisations already registered under these (country, tax id) pairs.

    A partner is entered once: a second record with the same tax id is refused, even
    when the first belongs to a partner the user cannot see (the message names none).
    """
    wanted = {pair for pair in tax_ids if pair[1]}
    if not wanted:
        return {}
    rows = await Organisation.select(
        Organisation.id, Organisation.country, Organisation.tax_id
    ).where(Organisation.tax_id.is_in(sorted({tax_id for _country, tax_id in wanted})))
    return {
        (row["country"], row["tax_id"]): row["id"]
        for row in rows
        if (row["country"], row["tax_id"]) in wanted
    }


TAX_ID_TAKEN = N_("Another partner is already registered with this tax id.")


async def _tax_id_taken(values: OrganisationInput, organisation_id: int | None = None) -> bool:
    holder = (await tax_id_holders([(values.country, values.tax_id)])).get(
        (values.country, values.tax_id)
    )
    return holder is not None and holder != organisation_id


async def create_organisation(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """Create a partner from the new-partner form (Action.create_partner)."""
    access.require(viewer, Action.create_partner)
    values, errors = forms.parse_organisation(data)
    if values is None:
        return SaveResult(errors=errors)
    resolved, errors = resolve_organisation(viewer, values, await form_choices(viewer))
    if resolved is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        # Checked inside the write transaction, so two people saving at once cannot both pass.
        if await _tax_id_taken(values):
            return SaveResult(errors={"tax_id": _(TAX_ID_TAKEN)})
        organisation_uuid = await insert_organisation(viewer, resolved)
    return SaveResult(uuid=organisation_uuid)


async def update_organisation(
    viewer: Viewer, organisation: access.VisibleOrganisation, data: Mapping[str, Any]
) -> SaveResult:
    """Save the edit form (Action.edit_partner) unless someone saved since it was opened.

    The form carries the version it was opened at; a stale version saves nothing and
    returns the audit entries of the edits that got in first.
    """
    values, errors = forms.parse_organisation(data)
    if values is None:
        return SaveResult(errors=errors)
    resolved, errors = resolve_organisation(
        viewer,
        values,
        await form_choices(viewer, organisation.owner),
        existing=organisation,
    )
    if resolved is None:
        return SaveResult(errors=errors)
    opened_version = values.version if values.version is not None else organisation.version
    async with write_transaction():
        if await _tax_id_taken(values, organisation.id):
            return SaveResult(errors={"tax_id": _(TAX_ID_TAKEN)})
        before = await _snapshot(organisation.id)
        updated = await update_if_version(
            Organisation,
            organisation.id,
            opened_version,
            {**_organisation_values(resolved), Organisation.updated_at: utcnow()},
        )
        if updated:
            await _replace_places(organisation.id, resolved.values)
            after = await _snapshot(organisation.id)
            changes = audit_log.changes_between(before, after)
            await audit_log.record(
                viewer,
                entity_kind="organisation",
                entity_uuid=organisation.uuid,
                organisation_id=organisation.id,
                action="update",
                changes=changes,
                summary=resolved.values.legal_name,
            )
            changed = set(changes) - {"version", "updated_at"}
            if changed:
                await partner_events.record_updated(
                    viewer, organisation, resolved.values.legal_name, changed
                )
    if not updated:
        return SaveResult(
            conflicts=await audit_log.changes_since(organisation.uuid, opened_version),
            current_version=before["version"],
        )
    return SaveResult(uuid=organisation.uuid)


@access.checked_by_caller("the organisation comes from get_organisation")
async def form_values(organisation_id: int) -> dict[str, Any]:
    """The edit form's field values for a saved organisation."""
    row = await organisation_details(organisation_id)
    values: dict[str, Any] = {name: getattr(row, name) for name in ORGANISATION_FIELDS}
    values["parent_distributor"] = str(row.parent_uuid or "")
    values["owner"] = str(row.owner_uuid or "")
    values["version"] = row.version
    territories = (
        await Territory.select(Territory.region_code)
        .where(Territory.organisation == organisation_id)
        .order_by(Territory.region_code)
    )
    values["territories"] = " ".join(territory["region_code"] for territory in territories)
    addresses = (
        await Address.select(*Address.all_columns())
        .where(Address.organisation == organisation_id)
        .order_by(Address.id)
    )
    for index, address in enumerate(addresses):
        for name in forms.ADDRESS_FIELDS:
            values[f"address-{index}-{name}"] = address[name]
    return values


def address_slots(values: Mapping[str, Any]) -> int:
    """How many address field groups the form shows: the filled ones plus blanks."""
    filled = [
        index
        for index in range(forms.MAX_ADDRESSES)
        if any(values.get(f"address-{index}-{name}") for name in forms.ADDRESS_FIELDS[2:])
    ]
    return min(forms.MAX_ADDRESSES, (max(filled) + 1 if filled else 0) + forms.BLANK_ADDRESSES)


# ---------------------------------------------------------------------------
# The timeline


async def add_timeline_entry(
    viewer: Viewer, organisation_id: int, data: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Log a call, visit, meeting or note; the saved entry as the timeline shows it, or errors.

    ``organisation_id`` is of an organisation the caller fetched through the access policy
    (a partner, or the partner of a row it fetched). The time is typed in the viewer's zone
    and stored in UTC. Only users who may read internal entries can write one.
    """
    access.require(viewer, Action.add_timeline_entry, organisation_id)
    values, errors = forms.parse_timeline_entry(data, viewer.time_zone, utcnow())
    if values is None:
        return None, errors
    internal = values.internal and viewer.can(Action.view_internal_timeline)
    async with write_transaction():
        entry = await _insert_entry(
            viewer, organisation_id, values.kind, values.occurred_at, values.summary, internal
        )
        await audit_log.record(
            viewer,
            entity_kind="timeline_entry",
            entity_uuid=entry["uuid"],
            organisation_id=organisation_id,
            action="create",
            changes=audit_log.changes_between(
                {},
                {
                    "kind": values.kind,
                    "occurred_at": values.occurred_at,
                    "summary": values.summary,
                    "internal": internal,
                },
            ),
            summary=values.summary[:200],
        )
    return entry, {}


async def add_worded_note(
    viewer: Viewer,
    organisation_id: int,
    message: str,
    params: Mapping[str, Any],
    *,
    internal: bool,
) -> None:
    """A note the portal words about the viewer's action (a deal registration decided, an
    opportunity moved), stored as a message id with its parameters so that the brand's
    and the partner's users each read it in their own language. ``params`` must not be
    empty (that is how a worded note is told from a typed one); call it inside the
    action's transaction."""
    access.require(viewer, Action.add_timeline_entry, organisation_id)
    stored = messages.plain_params(params)
    async with write_transaction():
        entry = await _insert_entry(
            viewer, organisation_id, InteractionKind.note.value, utcnow(), message, internal, stored
        )
        await audit_log.record(
            viewer,
            entity_kind="timeline_entry",
            entity_uuid=entry["uuid"],
            organisation_id=organisation_id,
            action="create",
            summary_message=message,
            summary_params=stored,
        )


async def _insert_entry(
    viewer: Viewer,
    organisation_id: int,
    kind: str,
    occurred_at: datetime,
    summary: str,
    internal: bool,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    row = (
        await TimelineEntry.insert(
            TimelineEntry(
                organisation=organisation_id,
                kind=kind,
                occurred_at=occurred_at,
                author=viewer.user_id,
                summary=summary,
                params=dict(params or {}),
                internal=internal,
                created_at=utcnow(),
            )
        )
        .returning(TimelineEntry.uuid)
        .run()
    )
    entry = {
        "uuid": row[0]["uuid"],
        "kind": kind,
        "occurred_at": occurred_at,
        "summary": summary,
        "params": dict(params or {}),
        "internal": internal,
        "author_name": viewer.display_name,
    }
    entry["text"] = entry_text(entry)
    return entry


def blank_timeline_form(viewer: Viewer) -> dict[str, Any]:
    """The log-an-interaction form's starting values: a call, now, internal for brand users."""
    return {
        "kind": InteractionKind.call.value,
        "occurred_at": forms.local_input_value(utcnow(), viewer.time_zone),
        "summary": "",
        "internal": viewer.can(Action.view_internal_timeline),
    }
