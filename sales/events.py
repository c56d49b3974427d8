"""What happens on a service case that the other side hears of (partner_portal/events):
the kind of event the sales module records, its message, and ``record_reply``."""

from __future__ import annotations

from partner_portal import messages
from partner_portal.access import Viewer
from partner_portal.events import services as events
from partner_portal.i18n import N_
from partner_portal.registries import EventKind
from sales.records import ServiceCaseRecord

CASE_REPLIED = EventKind("case.replied", N_("Someone answers a service case"))

KINDS = (CASE_REPLIED,)

CASE_REPLIED_MESSAGE = N_("%(person)s answered the case “%(subject)s” (now: %(status)s): %(text)s")
# How much of a reply the notification quotes; the case page has all of it.
QUOTED_CHARACTERS = 300


async def record_reply(viewer: Viewer, case: ServiceCaseRecord, body: str, status: str) -> None:
    """Tell the case's partner, its KAM and the brand users following either of a public
    reply; inside the reply's transaction."""
    quoted = body if len(body) <= QUOTED_CHARACTERS else body[: QUOTED_CHARACTERS - 1] + "…"
    await events.record_event(
        viewer,
        CASE_REPLIED.type,
        organisation_id=case.organisation,
        object_kind="service_case",
        object_uuid=case.uuid,
        message=CASE_REPLIED_MESSAGE,
        params={
            "person": viewer.display_name,
            "subject": case.subject,
            "status": messages.label(status),
            "text": quoted,
        },
        link=f"/sales/cases/{case.uuid}",
        payload={"subject": case.subject, "status": status},
    )
