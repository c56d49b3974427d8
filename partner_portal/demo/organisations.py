"""Demo organisations, users, contacts, addresses, territories and timeline."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from partner_portal import messages
from partner_portal.demo.network import (
    BRAND,
    BRAND_USERS,
    PARTNERS,
    Partner,
    Place,
    currency_for,
    job_family,
    locale_for,
    partner_role,
    tax_id_for,
    time_zone_for,
)
from partner_portal.demo.people import (
    JOB_TITLES,
    Person,
    make_person,
    make_uscc,
    messaging_ids,
    mobile_phone,
    office_phone,
    seeded_uuid,
)
from partner_portal.demo.rows import insert_returning_ids
from partner_portal.demo.timeline import TIMELINE_DAYS, is_internal, timeline_kind, timeline_text
from partner_portal.i18n import N_
from partner_portal.partners.tables import (
    Address,
    AddressKind,
    Contact,
    InteractionKind,
    Organisation,
    OrganisationKind,
    PartnerStatus,
    PartnerStatusChange,
    Role,
    Territory,
    Tier,
    TimelineEntry,
    User,
)


def _address(organisation_id: int, kind: AddressKind, place: Place) -> Address:
    return Address(
        organisation=organisation_id,
        kind=kind,
        country=place.country,
        region=place.region,
        city=place.city,
        district=place.district,
        street=place.street,
        postal_code=place.postal_code,
    )


# A random moment between ``low`` and ``high`` days before now.
Ago = Callable[[float, float], datetime]


@dataclass
class _PartnerRows:
    """The rows of every partner, inserted together once all are drawn."""

    addresses: list[Address] = field(default_factory=list)
    territories: list[Territory] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    # Each partner's status history: its status since its creation, or active until the
    # day a dormant or churned one was moved (the timeline's system entry says when).
    statuses: list[PartnerStatusChange] = field(default_factory=list)


async def load_organisations(
    rng: random.Random, now: datetime, password_hash: str
) -> dict[str, int]:
    """The brand, its users, the partners with their users, contacts, addresses,
    territories, timeline and status history. Each step draws from ``rng`` in turn, so
    the demo stays the same from one load to the next."""

    def ago(days_low: float, days_high: float) -> datetime:
        return now - timedelta(seconds=rng.uniform(days_low * 86_400, days_high * 86_400))

    brand_id = await _insert_brand(rng, now)
    user_ids = await _insert_brand_users(rng, ago, brand_id, password_hash)
    org_ids, created_at = await _insert_partners(rng, now, ago, user_ids)
    rows = _PartnerRows(addresses=[_address(brand_id, AddressKind.office, BRAND.place)])
    for partner in PARTNERS:
        org_id = org_ids[partner.key]
        rows.addresses.append(_address(org_id, AddressKind.office, partner.place))
        if partner.warehouse is not None:
            rows.addresses.append(_address(org_id, AddressKind.warehouse, partner.warehouse))
        rows.territories.extend(
            Territory(organisation=org_id, region_code=c) for c in partner.territories
        )
        people = _draw_people(rng, ago, partner, org_id, password_hash, rows)
        _draw_timeline(rng, ago, partner, org_id, people, user_ids, rows)
        _status_history(rng, ago, partner, org_id, created_at[partner.key], user_ids, rows)

    await Address.insert(*rows.addresses).run()
    if rows.territories:
        await Territory.insert(*rows.territories).run()
    await User.insert(*rows.users).run()
    await Contact.insert(*rows.contacts).run()
    await TimelineEntry.insert(*rows.timeline).run()
    await PartnerStatusChange.insert(*rows.statuses).run()
    return {
        "organisations": 1 + len(PARTNERS),
        "users": len(BRAND_USERS) + len(rows.users),
        "contacts": len(rows.contacts),
        "timeline": len(rows.timeline),
    }


async def _insert_brand(rng: random.Random, now: datetime) -> int:
    brand_uuid = seeded_uuid(rng)
    brand_created = now - timedelta(days=900)
    brand_ids = await insert_returning_ids(
        Organisation,
        [
            Organisation(
                uuid=brand_uuid,
                kind=BRAND.kind,
                legal_name=BRAND.legal_name,
                english_name=BRAND.english_name,
                country="CN",
                tax_id=make_uscc(rng, BRAND.place.division),
                currency="CNY",
                language="zh_Hans",
                tier=Tier.standard,
                status=PartnerStatus.active,
                phone=office_phone(rng, "CN", BRAND.place.area_code),
                email=f"info@{BRAND.domain}",
                website=f"https://www.{BRAND.domain}",
                notes=BRAND.notes,
                created_at=brand_created,
                updated_at=brand_created,
            )
        ],
    )
    return brand_ids[brand_uuid]


async def _insert_brand_users(
    rng: random.Random, ago: Ago, brand_id: int, password_hash: str
) -> dict[str, int]:
    """The brand's users, managers first so their team members can point at them; their
    ids by BRAND_USERS key."""
    user_ids: dict[str, int] = {}
    for wave in (False, True):
        rows: list[User] = []
        keys: dict[uuid.UUID, str] = {}
        for key, local, name, _romanised, role, manager, locale in BRAND_USERS:
            if bool(manager) != wave:
                continue
            row_uuid = seeded_uuid(rng)
            keys[row_uuid] = key
            rows.append(
                User(
                    uuid=row_uuid,
                    email=f"{local}@{BRAND.domain}",
                    display_name=name,
                    password_hash=password_hash,
                    role=role,
                    organisation=brand_id,
                    is_org_admin=role is Role.brand_admin,
                    manager=user_ids[manager] if manager else None,
                    locale=locale,
                    time_zone="Asia/Seoul" if locale == "ko" else "Asia/Shanghai",
                    created_at=ago(300, 800),
                )
            )
        for row_uuid, row_id in (await insert_returning_ids(User, rows)).items():
            user_ids[keys[row_uuid]] = row_id
    return user_ids


async def _insert_partners(
    rng: random.Random, now: datetime, ago: Ago, user_ids: dict[str, int]
) -> tuple[dict[str, int], dict[str, datetime]]:
    """The partners, those without a parent first, then the retailers under them; their
    ids and creation times by PARTNERS key."""
    org_ids: dict[str, int] = {}
    created_at: dict[str, datetime] = {}
    for wave in (False, True):
        rows_org: list[Organisation] = []
        org_keys: dict[uuid.UUID, str] = {}
        for partner in PARTNERS:
            if bool(partner.parent) != wave:
                continue
            row_uuid = seeded_uuid(rng)
            org_keys[row_uuid] = partner.key
            created = ago(60, 720) if partner.status is not PartnerStatus.prospect else ago(20, 40)
            created_at[partner.key] = created
            rows_org.append(
                Organisation(
                    uuid=row_uuid,
                    kind=partner.kind,
                    legal_name=partner.legal_name,
                    english_name=partner.english_name,
                    country=partner.country,
                    tax_id=tax_id_for(rng, partner),
                    currency=currency_for(partner.country),
                    language=locale_for(partner.country),
                    tier=partner.tier,
                    status=partner.status,
                    parent_distributor=org_ids[partner.parent] if partner.parent else None,
                    owner=user_ids[partner.owner],
                    phone=office_phone(rng, partner.country, partner.place.area_code),
                    email=f"info@{partner.domain}",
                    website=f"https://www.{partner.domain}" if rng.random() < 0.7 else "",
                    notes=partner.notes,
                    created_at=created,
                    updated_at=created + (now - created) * rng.uniform(0.3, 0.95),
                )
            )
        for row_uuid, row_id in (await insert_returning_ids(Organisation, rows_org)).items():
            org_ids[org_keys[row_uuid]] = row_id
    return org_ids, created_at


def _draw_people(
    rng: random.Random,
    ago: Ago,
    partner: Partner,
    org_id: int,
    password_hash: str,
    rows: _PartnerRows,
) -> list[Person]:
    """Two to four contacts of the partner, the first of them its admin user."""
    country = partner.country
    people = [make_person(rng, country) for _ in range(rng.randint(2, 4))]
    titles = rng.sample(JOB_TITLES[(country, job_family(partner.kind))], k=len(people))
    for index, (person, title) in enumerate(zip(people, titles, strict=True)):
        wechat, kakao = messaging_ids(rng, person, country)
        rows.contacts.append(
            Contact(
                uuid=seeded_uuid(rng),
                organisation=org_id,
                name=person.name,
                romanised_name=person.romanised,
                job_title=title,
                phone=mobile_phone(rng, country),
                email=f"{person.slug}@{partner.domain}",
                wechat_id=wechat,
                kakao_id=kakao,
                is_primary=index == 0,
                created_at=ago(30, 400),
            )
        )
    admin = people[0]
    rows.users.append(
        User(
            uuid=seeded_uuid(rng),
            email=f"{partner.login}@{partner.domain}",
            display_name=admin.name,
            password_hash=password_hash,
            role=partner_role(partner.kind),
            organisation=org_id,
            is_org_admin=True,
            locale=locale_for(country),
            time_zone=time_zone_for(country),
            created_at=ago(30, 400),
        )
    )
    return people


def _draw_timeline(
    rng: random.Random,
    ago: Ago,
    partner: Partner,
    org_id: int,
    people: list[Person],
    user_ids: dict[str, int],
    rows: _PartnerRows,
) -> None:
    """Three to twelve timeline entries by the partner's owner, their manager or (with
    suppliers) purchasing; nothing recent for a dormant or churned partner."""
    owner_id = user_ids[partner.owner]
    managers = {key: manager for key, _l, _n, _r, _role, manager, _loc in BRAND_USERS}
    manager_key = managers.get(partner.owner, "")
    staff = [user_ids["staff_li"], user_ids["staff_zhao"]]
    entries = rng.randint(3, 5) if partner.status is PartnerStatus.prospect else rng.randint(6, 12)
    for _ in range(entries):
        kind = timeline_kind(rng)
        if partner.status is PartnerStatus.churned and kind is InteractionKind.visit:
            kind = InteractionKind.call
        occurred = ago(0.1, TIMELINE_DAYS)
        if partner.status in (PartnerStatus.dormant, PartnerStatus.churned):
            occurred = ago(70, TIMELINE_DAYS)  # nothing recent: that is why they are dormant
        roll = rng.random()
        if (
            partner.kind in (OrganisationKind.fabric_supplier, OrganisationKind.trim_supplier)
            and roll < 0.35
        ):
            author = rng.choice(staff)  # purchasing talks to the mills too
        elif manager_key and roll > 0.9:
            author = user_ids[manager_key]
        else:
            author = owner_id
        contact = rng.choice(people).name
        rows.timeline.append(
            TimelineEntry(
                uuid=seeded_uuid(rng),
                organisation=org_id,
                kind=kind,
                occurred_at=occurred,
                author=author,
                summary=timeline_text(
                    rng, kind, partner.country, partner.kind, contact, occurred.year
                ),
                internal=is_internal(rng, kind),
                created_at=occurred + timedelta(minutes=rng.randint(1, 240)),
            )
        )


def _status_history(
    rng: random.Random,
    ago: Ago,
    partner: Partner,
    org_id: int,
    since: datetime,
    user_ids: dict[str, int],
    rows: _PartnerRows,
) -> None:
    """The partner's status since its creation; a dormant or churned one was active until
    a system entry of its timeline moved it."""
    if partner.status in (PartnerStatus.dormant, PartnerStatus.churned):
        changed = ago(20, 60)
        rows.timeline.append(
            TimelineEntry(
                uuid=seeded_uuid(rng),
                organisation=org_id,
                kind=InteractionKind.system,
                occurred_at=changed,
                author=user_ids[partner.owner],
                summary=N_("Status changed to %(status)s."),
                params={"status": messages.label(partner.status.value)},
                internal=True,
                created_at=changed,
            )
        )
        rows.statuses.append(
            PartnerStatusChange(
                organisation=org_id,
                valid_from=since,
                status=PartnerStatus.active,
                tier=partner.tier,
            )
        )
        since = changed
    rows.statuses.append(
        PartnerStatusChange(
            organisation=org_id, valid_from=since, status=partner.status, tier=partner.tier
        )
    )
