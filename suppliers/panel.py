"""The supplier's section on the partner 360 page."""

from __future__ import annotations

from dataclasses import dataclass

from partner_portal.access import Viewer, VisibleOrganisationDetails
from suppliers.access import SupplierAction
from suppliers.purchasing import list_purchase_orders
from suppliers.records import MaterialEntry, PurchaseOrderSummary
from suppliers.scorecards import ScoreMonth, scorecards
from suppliers.services import SUPPLIER_KINDS, list_materials


@dataclass(frozen=True)
class SupplierPanel:
    """A supplier's section of its partner 360 (suppliers/_partner_panel.html)."""

    materials: list[MaterialEntry]
    open_orders: list[PurchaseOrderSummary]
    score: ScoreMonth | None


async def partner_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> SupplierPanel | None:
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
    return SupplierPanel(
        materials=materials, open_orders=orders, score=scored[-1] if scored else None
    )
