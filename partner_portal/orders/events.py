"""What happens to an order that its parties hear of (partner_portal/events): the kinds
of event the order book records, the messages they are told in, and ``record``, the one
way the order book's services record them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from partner_portal import messages
from partner_portal.access import Viewer
from partner_portal.events import services as events
from partner_portal.i18n import N_
from partner_portal.orders.records import OrderRecord
from partner_portal.orders.tables import OrderStatus
from partner_portal.registries import EventKind

SUBMITTED = EventKind("order.submitted", N_("An order is submitted"))
CHANGE_REQUESTED = EventKind("order.change_requested", N_("A change to an order is asked for"))
CHANGE_DECIDED = EventKind("order.change_decided", N_("A change to an order is declined"))
# An accepted change: the order's lines or dates are now different (a new version).
CHANGED = EventKind("order.changed", N_("An order is changed"))
COMMENTED = EventKind("order.commented", N_("Someone comments on an order"))
CONFIRMED = EventKind("order.confirmed", N_("An order is confirmed"))
SHIPPED = EventKind("order.shipped", N_("An order is shipped"))
DELIVERED = EventKind("order.delivered", N_("An order is delivered"))
STOPPED = EventKind("order.stopped", N_("An order is rejected or cancelled"))

KINDS = (
    SUBMITTED,
    CHANGE_REQUESTED,
    CHANGE_DECIDED,
    CHANGED,
    COMMENTED,
    CONFIRMED,
    SHIPPED,
    DELIVERED,
    STOPPED,
)

SUBMITTED_MESSAGE = N_("%(buyer)s submitted order %(number)s (%(total)s)")
CHANGE_REQUESTED_MESSAGE = N_("%(buyer)s asks to change order %(number)s")
CHANGE_ACCEPTED_MESSAGE = N_("The change to order %(number)s was accepted")
CHANGE_DECLINED_MESSAGE = N_("The change to order %(number)s was declined")
COMMENTED_MESSAGE = N_("%(author)s commented on order %(number)s")
STATUS_MESSAGE = N_("Order %(number)s is now: %(status)s")
STATUS_NOTE_MESSAGE = N_("Order %(number)s is now: %(status)s. Note: %(note)s")

# The steps of the status flow its parties hear of, and as which kind.
STATUS_KINDS = {
    OrderStatus.confirmed: CONFIRMED,
    OrderStatus.partially_shipped: SHIPPED,
    OrderStatus.shipped: SHIPPED,
    OrderStatus.delivered: DELIVERED,
    OrderStatus.rejected: STOPPED,
    OrderStatus.cancelled: STOPPED,
}


async def record(
    viewer: Viewer,
    kind: EventKind,
    order: OrderRecord,
    message: str,
    payload: Mapping[str, Any] | None = None,
    **params: Any,
) -> None:
    """Tell the order's buyer, its KAM and the brand users following either what happened;
    ``params`` fill ``message`` beside the order's number and buyer; ``payload`` adds to
    what webhooks receive. Call inside the transaction of the change."""
    await events.record_event(
        viewer,
        kind.type,
        organisation_id=order.buyer,
        object_kind="order",
        object_uuid=order.uuid,
        message=message,
        params={"number": order.number, "buyer": order.buyer_name, **params},
        link=f"/orders/{order.uuid}",
        payload={"number": order.number, **messages.plain_params(params), **(payload or {})},
    )


async def record_status(viewer: Viewer, order: OrderRecord, to_status: str, note: str) -> None:
    """Tell the order's parties of a step its status took, if it is one they hear of (a
    draft thrown away concerns nobody)."""
    kind = STATUS_KINDS.get(OrderStatus(to_status))
    if kind is None or order.status == OrderStatus.draft:
        return
    if note.strip():
        await record(
            viewer, kind, order, STATUS_NOTE_MESSAGE, status=messages.label(to_status),
            note=note.strip(),
        )  # fmt: skip
    else:
        await record(viewer, kind, order, STATUS_MESSAGE, status=messages.label(to_status))
