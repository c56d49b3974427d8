"""Demo organisations, users, contacts, addresses, territories and timeline."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from partner_portal import messages
from partner_portal.demo.network import (
    BRAND,
    BRAND_USERS,
    PARTNERS,
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


async def load_organisations(
    rng: random.Random, now: datetime, password_hash: str
) -> dict[str, int]:
    def ago(days_low: float, days_high: float) -> datetime:
        return now - timedelta(seconds=rng.uniform(days_low * 86_400, days_high * 86_400))

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
    brand_id = brand_ids[brand_uuid]

    # Brand users: managers first, so their team members can point at them.
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

    # Partners: those without a parent first, then the retailers under them.
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

    addresses = [_address(brand_id, AddressKind.office, BRAND.place)]
    territories: list[Territory] = []
    partner_users: list[User] = []
    contacts: list[Contact] = []
    timeline: list[TimelineEntry] = []
    # Each partner's status history: its status since its creation, or active until the
    # day a dormant or churned one was moved (the timeline's system entry says when).
    statuses: list[PartnerStatusChange] = []
    staff = [user_ids["staff_li"], user_ids["staff_zhao"]]
    managers = {key: manager for key, _l, _n, _r, _role, manager, _loc in BRAND_USERS}
    for partner in PARTNERS:
        org_id = org_ids[partner.key]
        country = partner.country
        addresses.append(_address(org_id, AddressKind.office, partner.place))
        if partner.warehouse is not None:
            addresses.append(_address(org_id, AddressKind.warehouse, partner.warehouse))
        territories.extend(
            Territory(organisation=org_id, region_code=c) for c in partner.territories
        )

        people = [make_person(rng, country) for _ in range(rng.randint(2, 4))]
        titles = rng.sample(JOB_TITLES[(country, job_family(partner.kind))], k=len(people))
        for index, (person, title) in enumerate(zip(people, titles, strict=True)):
            wechat, kakao = messaging_ids(rng, person, country)
            contacts.append(
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
        partner_users.append(
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

        owner_id = user_ids[partner.owner]
        manager_key = managers.get(partner.owner, "")
        entries = (
            rng.randint(3, 5) if partner.status is PartnerStatus.prospect else rng.randint(6, 12)
        )
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
            timeline.append(
                TimelineEntry(
                    uuid=seeded_uuid(rng),
                    organisation=org_id,
                    kind=kind,
                    occurred_at=occurred,
                    author=author,
                    summary=timeline_text(rng, kind, country, partner.kind, contact, occurred.year),
                    internal=is_internal(rng, kind),
                    created_at=occurred + timedelta(minutes=rng.randint(1, 240)),
                )
            )
        since = created_at[partner.key]
        if partner.status in (PartnerStatus.dormant, PartnerStatus.churned):
            changed = ago(20, 60)
            timeline.append(
                TimelineEntry(
                    uuid=seeded_uuid(rng),
                    organisation=org_id,
                    kind=InteractionKind.system,
                    occurred_at=changed,
                    author=owner_id,
                    summary=N_("Status changed to %(status)s."),
                    params={"status": messages.label(partner.status.value)},
                    internal=True,
                    created_at=changed,
                )
            )
            statuses.append(
                PartnerStatusChange(
                    organisation=org_id,
                    valid_from=since,
                    status=PartnerStatus.active,
                    tier=partner.tier,
                )
            )
            since = changed
        statuses.append(
            PartnerStatusChange(
                organisation=org_id, valid_from=since, status=partner.status, tier=partner.tier
            )
        )

    await Address.insert(*addresses).run()
    if territories:
        await Territory.insert(*territories).run()
    await User.insert(*partner_users).run()
    await Contact.insert(*contacts).run()
    await TimelineEntry.insert(*timeline).run()
    await PartnerStatusChange.insert(*statuses).run()
    return {
        "organisations": 1 + len(PARTNERS),
        "users": len(BRAND_USERS) + len(partner_users),
        "contacts": len(contacts),
        "timeline": len(timeline),
    }
