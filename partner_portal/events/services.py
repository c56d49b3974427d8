"""Domain events: a module records what happened, in the transaction of the change, and
the kernel tells the people concerned.

    await events.record_event(viewer, "order.submitted", organisation_id=order.buyer,
        object_kind="order", object_uuid=order.uuid, link=f"/orders/{order.uuid}",
        message=N_("Order %(number)s was submitted"), params={"number": order.number},
        payload={"number": order.number, "total": str(order.total)})

The event row is the one record of it: from it the same transaction writes a bell
notification for every person concerned and queues their e-mail (or holds it for their
daily digest), each as their choices say. Because all of it commits or rolls back with
the change, a change that is rolled back tells nobody and a committed one tells each
person once; no second process ever fans an event out again. Webhook deliveries read the
same rows later as their outbox (ids increase; ``events_after``).

Who is concerned, for an event about a partner organisation:
- the partner's active users (unless the kind is for the brand only);
- the partner's owning KAM and the brand users who follow the partner or the object
  (unless the kind is for the partners only);
never the person who caused it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from operator import or_
from typing import Any
from uuid import UUID

from partner_portal import access, messages
from partner_portal.access import Viewer
from partner_portal.clock import utcnow
from partner_portal.database import current_engine, write_transaction
from partner_portal.events.records import EventRecord
from partner_portal.events.tables import DomainEvent, Following
from partner_portal.notifications import inbox, preferences
from partner_portal.notifications.services import mail_user
from partner_portal.notifications.tables import Choice, NotificationMail
from partner_portal.partners.tables import Organisation, User
from partner_portal.registries import EventKind, registry
from partner_portal.settings import Settings, current_settings

EVENT_EMAIL = "event"  # templates/emails/event.*: one notification written as an e-mail


async def record_event(
    actor: Viewer | None,
    event_type: str,
    *,
    organisation_id: int,
    object_kind: str,
    object_uuid: UUID | None,
    message: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    payload: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> UUID:
    """Record an event of a registered kind and tell everyone concerned; returns its UUID.

    Call it INSIDE the write_transaction() of the change. ``message`` is a message id
    marked with N_ and ``params`` its parameters (partner_portal/messages.py); ``payload``
    is what a machine reads of it (webhooks): plain JSON values."""
    if not current_engine().transaction_exists():
        raise RuntimeError("record_event must run inside the write_transaction() of its change")
    kind = registry.event_kinds[event_type]
    stored_params = messages.plain_params(params or {})
    [row] = await DomainEvent.insert(
        DomainEvent(
            type=event_type,
            organisation=organisation_id,
            actor_organisation=actor.organisation_id if actor else None,
            actor=actor.user_id if actor else None,
            object_kind=object_kind,
            object_uuid=object_uuid,
            link=link,
            message=message,
            params=stored_params,
            payload=messages.plain_params(payload or {}),
            created_at=utcnow(),
        )
    ).returning(DomainEvent.id, DomainEvent.uuid)
    await _tell(
        kind,
        row["id"],
        organisation_id,
        object_uuid,
        actor,
        message,
        stored_params,
        link,
        settings or current_settings(),
    )
    return UUID(str(row["uuid"]))


@access.system_query("the people an event concerns, on both sides of the partnership")
async def recipients(
    kind: EventKind, organisation_id: int, object_uuid: UUID | None, actor: Viewer | None
) -> list[dict[str, Any]]:
    """The active users an event of ``kind`` about ``organisation_id`` reaches."""
    conditions: list[Any] = []
    if kind.audience != "brand":
        conditions.append(User.organisation == organisation_id)
    if kind.audience != "partners":
        owner = (
            await Organisation.select(Organisation.owner)
            .where(Organisation.id == organisation_id)
            .first()
        )
        followers = await _followers(organisation_id, object_uuid)
        brand_side = set(followers) | ({owner["owner"]} if owner and owner["owner"] else set())
        if brand_side:
            conditions.append(User.id.is_in(sorted(brand_side)))
    if not conditions:
        return []
    query = User.select(User.id, User.email, User.display_name, User.locale, User.time_zone).where(
        reduce(or_, conditions),
        User.is_active == True,  # noqa: E712
    )
    if actor is not None:
        query = query.where(User.id != actor.user_id)
    return await query.order_by(User.id)


@access.system_query("the brand users following a partner or an object, for an event")
async def _followers(organisation_id: int, object_uuid: UUID | None) -> list[int]:
    subject: Any = Following.organisation == organisation_id
    if object_uuid is not None:
        subject = subject | (Following.object_uuid == object_uuid)
    rows = await Following.select(Following.user).where(subject)
    return [row["user"] for row in rows]


async def _tell(
    kind: EventKind,
    event_id: int,
    organisation_id: int,
    object_uuid: UUID | None,
    actor: Viewer | None,
    message: str,
    params: dict[str, Any],
    link: str,
    settings: Settings,
) -> None:
    people = await recipients(kind, organisation_id, object_uuid, actor)
    ids = [person["id"] for person in people]
    chosen = await preferences.choices(kind.type, ids)
    waiting_for_digest = await preferences.digest_users(ids)
    told = []
    for person in people:
        choice = chosen[person["id"]]
        if choice == Choice.off:
            continue
        mail = NotificationMail.none
        if choice == Choice.email:
            mail = (
                NotificationMail.digest
                if person["id"] in waiting_for_digest
                else NotificationMail.sent
            )
        told.append((person, mail))
    await inbox.notify(
        *(
            inbox.NewNotification(
                user_id=person["id"],
                kind=kind.type,
                message=message,
                params=params,
                link=link,
                event_id=event_id,
                mail=mail,
            )
            for person, mail in told
        )
    )
    for person, mail in told:
        if mail == NotificationMail.sent:
            await mail_user(
                person,
                kind.type,
                EVENT_EMAIL,
                {
                    "name": person["display_name"],
                    "message": message,
                    "params": params,
                    "link": f"{settings.base_url}{link}" if link else "",
                },
                settings,
            )


# --- following ---------------------------------------------------------------------------


def _subject_key(user_id: int, organisation_id: int | None, object_uuid: UUID | None) -> str:
    return f"{user_id}:{organisation_id if organisation_id is not None else object_uuid}"


@access.checked_by_caller("the partner or object its caller fetched through access")
async def follow(
    viewer: Viewer, *, organisation_id: int | None = None, object_uuid: UUID | None = None
) -> None:
    """The viewer (a brand user) hears of the events of a partner, or of one object.

    The caller fetched the partner or the object through the access policy."""
    if (organisation_id is None) == (object_uuid is None):
        raise ValueError("follow a partner or an object, one of them")
    async with write_transaction():
        await Following.insert(
            Following(
                user=viewer.user_id,
                organisation=organisation_id,
                object_uuid=object_uuid,
                user_subject=_subject_key(viewer.user_id, organisation_id, object_uuid),
                created_at=utcnow(),
            )
        ).on_conflict(target=Following.user_subject, action="DO NOTHING")


@access.checked_by_caller("the partner or object its caller fetched through access")
async def unfollow(
    viewer: Viewer, *, organisation_id: int | None = None, object_uuid: UUID | None = None
) -> None:
    async with write_transaction():
        await Following.delete().where(
            Following.user_subject == _subject_key(viewer.user_id, organisation_id, object_uuid)
        )


@access.checked_by_caller("the partner or object its caller fetched through access")
async def is_following(
    viewer: Viewer, *, organisation_id: int | None = None, object_uuid: UUID | None = None
) -> bool:
    return bool(
        await Following.exists().where(
            Following.user_subject == _subject_key(viewer.user_id, organisation_id, object_uuid)
        )
    )


# --- the outbox --------------------------------------------------------------------------


@access.system_query("the outbox of every event, for deliveries to integration clients")
async def events_after(last_id: int, limit: int = 100) -> list[EventRecord]:
    """Events recorded after the one with id ``last_id``, oldest first (a webhook
    delivery's reading of the outbox; it keeps the last id it took)."""
    rows = await (
        DomainEvent.select(
            DomainEvent.id,
            DomainEvent.uuid,
            DomainEvent.type,
            DomainEvent.organisation._.uuid.as_alias("organisation_uuid"),
            DomainEvent.organisation,
            DomainEvent.actor_organisation,
            DomainEvent.object_kind,
            DomainEvent.object_uuid,
            DomainEvent.link,
            DomainEvent.payload,
            DomainEvent.created_at,
        )
        .where(DomainEvent.id > last_id)
        .order_by(DomainEvent.id)
        .limit(limit)
        .output(load_json=True)
    )
    return EventRecord.from_rows(rows)
