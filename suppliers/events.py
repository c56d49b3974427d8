"""What happens between the brand's buyers and a supplier that the other side hears of
(partner_portal/events): the kinds of event the suppliers module records, their messages,
and ``record``, the one way its services record them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from partner_portal import messages
from partner_portal.access import Viewer
from partner_portal.events import services as events
from partner_portal.i18n import N_
from partner_portal.registries import EventKind

PO_SENT = EventKind("po.sent", N_("A purchase order is sent to a supplier"))
PO_ACKNOWLEDGED = EventKind("po.acknowledged", N_("A supplier answers a purchase order line"))
SHIP_NOTICE = EventKind("po.ship_notice", N_("A supplier announces a shipment"))
COMMITMENT = EventKind("commitment.changed", N_("A supplier answers the forecast"))

KINDS = (PO_SENT, PO_ACKNOWLEDGED, SHIP_NOTICE, COMMITMENT)

PO_SENT_MESSAGE = N_("Purchase order %(number)s was sent to you")
PO_ACKNOWLEDGED_MESSAGE = N_("%(person)s answered a line of purchase order %(number)s: %(answer)s")
SHIP_NOTICE_MESSAGE = N_("%(person)s shipped goods on purchase order %(number)s on %(date)s")
COMMITMENT_MESSAGE = N_("%(person)s answered the forecast of %(material)s for the week of %(week)s")
COMMITMENTS_MESSAGE = N_("%(person)s accepted %(count)s weeks of the forecast of %(material)s")

# A supplier's answers to a purchase order line (AcknowledgementStatus), as people read them.
ANSWERS = {
    "accepted": N_("accepted"),
    "changed": N_("accepted with another quantity or date"),
    "rejected": N_("rejected"),
    "backordered": N_("backordered"),
}


async def record(
    viewer: Viewer,
    kind: EventKind,
    *,
    supplier_id: int,
    object_kind: str,
    object_uuid: UUID,
    link: str,
    message: str,
    **params: Any,
) -> None:
    """Tell the supplier's users, its KAM and the brand users following either what
    happened; call inside the transaction of the change."""
    await events.record_event(
        viewer,
        kind.type,
        organisation_id=supplier_id,
        object_kind=object_kind,
        object_uuid=object_uuid,
        message=message,
        params={"person": viewer.display_name, **params},
        link=link,
        payload=messages.plain_params(params),
    )


def answer(status: str) -> dict[str, Any]:
    """An acknowledgement's answer as a parameter translated for each reader."""
    return messages.nested(ANSWERS[status])
