"""What happens to an order that its parties hear of (partner_portal/events): the kinds
of event the order book records and the messages they are told in."""

from __future__ import annotations

from partner_portal.i18n import N_
from partner_portal.registries import EventKind

SUBMITTED = EventKind("order.submitted", N_("An order is submitted"))
CHANGE_REQUESTED = EventKind("order.change_requested", N_("A change to an order is asked for"))
CHANGE_DECIDED = EventKind("order.change_decided", N_("A change to an order is decided"))
COMMENTED = EventKind("order.commented", N_("Someone comments on an order"))
CONFIRMED = EventKind("order.confirmed", N_("An order is confirmed"))
SHIPPED = EventKind("order.shipped", N_("An order is shipped"))
DELIVERED = EventKind("order.delivered", N_("An order is delivered"))
STOPPED = EventKind("order.stopped", N_("An order is rejected or cancelled"))

KINDS = (
    SUBMITTED,
    CHANGE_REQUESTED,
    CHANGE_DECIDED,
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
