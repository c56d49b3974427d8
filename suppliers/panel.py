"""The supplier's section on the partner 360 page."""

from __future__ import annotations

from typing import Any

from partner_portal.access import Viewer, VisibleOrganisationDetails
from suppliers.access import SupplierAction
from suppliers.purchasing import list_purchase_orders
from suppliers.scorecards import scorecards
from suppliers.services import SUPPLIER_KINDS, list_materials


async def partner_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> dict[str, Any] | None:
    """A supplier's materials, open POs and latest score on its partner page (for those who
    see purchasing); nothing for other kinds of partner."""
    if organisation.kind not in SUPPLIER_KINDS or not viewer.can(SupplierAction.view_materials):
        return None
    materials = await list_materials(viewer, organisation.id)
    orders = [
        order
        for order in await list_purchase_orders(viewer)
        if order.supplier == organisation.id and order.status == "sent"
    ]
    cards = await scorecards(viewer, supplier_id=organisation.id)
    scored = [month for card in cards for month in card.months if month.score is not None]
    return {
        "materials": materials,
        "open_orders": orders,
        "score": scored[-1] if scored else None,
    }
