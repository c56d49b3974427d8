"""What happens to a partner's record that its people hear of (partner_portal/events): the
kind, its message and ``record``, the one way the partner services record it."""

from __future__ import annotations

from collections.abc import Iterable

from partner_portal.access import Viewer, VisibleOrganisation
from partner_portal.events import services as events
from partner_portal.i18n import N_
from partner_portal.registries import EventKind

UPDATED = EventKind("partner.updated", N_("A partner's details are changed"))

KINDS = (UPDATED,)

UPDATED_MESSAGE = N_("%(person)s changed the details of %(partner)s")


async def record_updated(
    viewer: Viewer, organisation: VisibleOrganisation, name: str, fields: Iterable[str]
) -> None:
    """Tell the partner's users, its KAM and the brand users following it that its record
    changed, and which fields (for webhooks); call inside the transaction of the change."""
    await events.record_event(
        viewer,
        UPDATED.type,
        organisation_id=organisation.id,
        object_kind="partner",
        object_uuid=organisation.uuid,
        message=UPDATED_MESSAGE,
        params={"person": viewer.display_name, "partner": name},
        link=f"/partners/{organisation.uuid}",
        payload={"fields": sorted(fields)},
    )
