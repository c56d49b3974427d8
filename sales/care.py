"""Care reminders: moments the brand defines to look after a partner after an order
("90 days after delivery: check sell-through and offer replenishment"; "14 days before
the delivery window ends: remind of the return and exchange window"). The scheduled
job plans a follow-up for the partner's KAM and, where the event has a message, puts it
on the bell of the partner's users; each event fires once per order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from uuid import UUID

from partner_portal import access, inputs
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from partner_portal.notifications.inbox import NewNotification, notify
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import Organisation, User
from sales import forms
from sales.access import SalesAction, get_care_event
from sales.records import BuyerOrder, CareEventRecord
from sales.tables import CareEvent, CareReminder, CareTrigger
from scheduler import services as follow_ups

# The message to partners in each reader's language (a user's locale -> its column).
MESSAGE_COLUMNS = {
    "zh_Hans": "partner_message_zh",
    "ko": "partner_message_ko",
    "en": "partner_message_en",
}


def message_for(event: CareEventRecord, locale: str | None) -> str:
    """The event's message for a reader of ``locale``: in their language, else in English;
    never in a third language they may not read (empty: they are not told)."""
    own = getattr(event, MESSAGE_COLUMNS[locale]) if locale in MESSAGE_COLUMNS else ""
    return str(own or event.partner_message_en)


# A new event does not fire for orders delivered long before it existed.
CATCH_UP = timedelta(days=30)
WINDOW_STATUSES = (
    OrderStatus.partially_shipped.value,
    OrderStatus.shipped.value,
    OrderStatus.delivered.value,
)


async def events() -> list[CareEventRecord]:
    return CareEventRecord.from_rows(await CareEvent.select().order_by(CareEvent.name))


async def create_event(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """Define a care event (the brand's administrators)."""
    access.require(viewer, SalesAction.manage_sales_settings)
    errors = forms.Errors()
    name = field_text(data, "name", 120)
    if not name:
        errors.add("name", _("Name the care event."))
    trigger = field_text(data, "trigger", 20)
    if trigger not in CareTrigger.__members__:
        errors.add("trigger", _("Choose when the event happens."))
    days = inputs.valid(
        errors.messages,
        "days",
        inputs.quantity(data.get("days"), maximum=730),
        _("Enter a number of days from 1 to 730."),
    )
    title = field_text(data, "follow_up_title", 200)
    if not title:
        errors.add("follow_up_title", _("Say what the KAM should do."))
    if not errors.ok or days is None:
        return SaveResult(errors=errors.messages)
    stored: dict[str, Any] = {
        "name": name,
        "trigger": trigger,
        "days": days,
        "follow_up_title": title,
        **{column: field_text(data, column, 2000) for column in MESSAGE_COLUMNS.values()},
    }
    async with write_transaction():
        row = await CareEvent.insert(CareEvent(**stored, active=True, version=1)).returning(
            CareEvent.uuid
        )
        await audit_log.record(
            viewer,
            entity_kind="care_event",
            entity_uuid=row[0]["uuid"],
            organisation_id=viewer.organisation_id,
            action="create",
            changes=audit_log.changes_between({}, stored),
            summary=name,
        )
    return SaveResult(uuid=row[0]["uuid"])


async def toggle_event(viewer: Viewer, event_uuid: UUID, version: int | None) -> SaveResult:
    """Pause or resume an event; a stale version changes nothing."""
    event = await get_care_event(viewer, event_uuid)
    opened = version if version is not None else event.version
    async with write_transaction():
        updated = await update_if_version(CareEvent, event.id, opened, {"active": not event.active})
        if updated:
            await audit_log.record(
                viewer,
                entity_kind="care_event",
                entity_uuid=event_uuid,
                organisation_id=viewer.organisation_id,
                action="update",
                changes={
                    "active": [event.active, not event.active],
                    "version": [opened, updated],
                },
                summary=event.name,
            )
    if not updated:
        return SaveResult(
            conflicts=await audit_log.changes_since(event_uuid, opened),
            current_version=event.version,
        )
    return SaveResult(uuid=event_uuid)


@access.system_query("the care job: every partner's delivered orders")
async def _due_orders(event: CareEventRecord) -> list[BuyerOrder]:
    now = utcnow()
    columns = (Order.uuid, Order.number, Order.buyer)
    if event.trigger == CareTrigger.after_delivery:
        fire_before = now - timedelta(days=event.days)
        return BuyerOrder.from_rows(
            await Order.select(*columns).where(
                Order.status == OrderStatus.delivered.value,
                Order.status_changed_at <= fire_before,
                Order.status_changed_at > fire_before - CATCH_UP,
            )
        )
    today = now.date()
    return BuyerOrder.from_rows(
        await Order.select(*columns).where(
            Order.status.is_in(list(WINDOW_STATUSES)),
            Order.delivery_window_end >= today,
            Order.delivery_window_end <= today + timedelta(days=event.days),
        )
    )


async def run_care_reminders() -> str:
    """Scheduled: fire every active care event for the orders it is due for, once per
    order (a unique guard row claimed with INSERT ... ON CONFLICT DO NOTHING)."""
    fired = 0
    active = await CareEvent.select().where(CareEvent.active == True)  # noqa: E712
    for event in CareEventRecord.from_rows(active):
        due = await _due_orders(event)
        if not due:
            continue
        async with write_transaction():
            claimed = await (
                CareReminder.insert(
                    *(
                        CareReminder(
                            event=event.id,
                            organisation=order.buyer,
                            order_uuid=order.uuid,
                            source_key=f"care:{event.id}:{order.uuid}",
                            created_at=utcnow(),
                        )
                        for order in due
                    )
                )
                .on_conflict(target=CareReminder.source_key, action="DO NOTHING")
                .returning(CareReminder.order_uuid)
            )
            fresh_uuids = {row["order_uuid"] for row in claimed}
            fresh = [order for order in due if order.uuid in fresh_uuids]
            await _remind(event, fresh)
        fired += len(fresh)
    return f"{fired} care reminders"


@access.system_query("the care job: reminds every partner concerned")
async def _remind(event: CareEventRecord, orders: list[BuyerOrder]) -> None:
    if not orders:
        return
    buyer_ids = sorted({order.buyer for order in orders})
    owners = {
        row["id"]: row["owner"]
        for row in await Organisation.select(Organisation.id, Organisation.owner).where(
            Organisation.id.is_in(buyer_ids)
        )
    }
    now = utcnow()
    await follow_ups.insert_rule_follow_ups(
        [
            follow_ups.RuleFollowUp(
                rule_key=f"sales.care.{event.id}",
                episode=str(order.uuid),
                organisation_id=order.buyer,
                owner_id=owners[order.buyer],
                title=f"{event.follow_up_title} ({order.number or ''})".strip(),
                due_at=now + timedelta(days=3),
                subject_kind="order",
                subject_uuid=order.uuid,
            )
            for order in orders
            if owners.get(order.buyer)
        ]
    )
    if not any(getattr(event, column) for column in MESSAGE_COLUMNS.values()):
        return
    users: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in await User.select(User.id, User.organisation, User.locale).where(
        User.organisation.is_in(buyer_ids),
        User.is_active == True,  # noqa: E712
    ):
        message = message_for(event, row["locale"])
        if message:
            users[row["organisation"]].append((row["id"], message))
    # The brand's own words, chosen for each reader's language; shown as written.
    await notify(
        *(
            NewNotification(
                user_id=user_id,
                kind="sales_care",
                message=f"{message} ({order.number or ''})",
                link=f"/orders/{order.uuid}",
            )
            for order in orders
            for user_id, message in users[order.buyer]
        )
    )
