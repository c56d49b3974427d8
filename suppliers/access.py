"""Who sees and answers purchasing: materials, BOMs, material forecasts, commitments,
purchase orders, ship notices and receipts.

Brand staff do the purchasing (docs/ARCHITECTURE.md §2); a supplier's users read the forecast and POs
of their own materials and answer them. KAMs sell and take no part in purchasing; a brand
administrator may see everything but speaks for no supplier.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.exceptions import NotFoundException
from piccolo.columns.combination import Combinable

from partner_portal.access import (
    ActionSet,
    ScopedTable,
    Viewer,
    VisibleStyle,
    fetch_one,
    get_style,
    narrow,
    require,
)
from suppliers.records import (
    BomLineRef,
    CertificateRecord,
    MaterialRecord,
    PurchaseOrderLineRecord,
    PurchaseOrderRecord,
)
from suppliers.tables import (
    BomLine,
    Commitment,
    ForecastLine,
    Material,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
)


class SupplierAction(ActionSet):
    view_materials = "suppliers.view_materials", "See materials, forecasts and purchase orders"
    manage_purchasing = (
        "suppliers.manage_purchasing",
        "Maintain materials and BOMs; forecast, order and receive",
    )
    answer_as_supplier = (
        "suppliers.answer_as_supplier",
        "Commit to forecasts and answer purchase orders for the supplier",
    )
    view_reorder_forecast = (
        "suppliers.view_reorder_forecast",
        "See a style's reorder forecast: its order history, forecast and interval",
    )


# Purchasing rows carry their supplier's organisation.
SCOPED_TABLES = (
    ScopedTable(Material, Material.supplier),
    ScopedTable(ForecastLine, ForecastLine.supplier),
    ScopedTable(Commitment, Commitment.supplier),
    ScopedTable(PurchaseOrder, PurchaseOrder.supplier),
    ScopedTable(PurchaseOrderLine, PurchaseOrderLine.purchase_order),
    ScopedTable(ShipNotice, ShipNotice.supplier),
    ScopedTable(ShipNoticeLine, ShipNoticeLine.ship_notice),
    ScopedTable(Receipt, Receipt.supplier),
)


def supplier_row_filter(viewer: Viewer, reference: Any) -> Combinable | None:
    """Purchasing rows (materials, forecast lines, commitments, POs: ``reference`` is the
    row's supplier column) the viewer may see: the brand's purchasers all, a supplier's
    users their own organisation's, anyone else none."""
    if not viewer.can(SupplierAction.view_materials):
        return reference < 0  # type: ignore[no-any-return]
    if viewer.is_brand:
        return None
    return reference == viewer.organisation_id  # type: ignore[no-any-return]


async def get_forecast_style(viewer: Viewer, style_uuid: UUID) -> VisibleStyle:
    """A style whose reorder forecast the viewer reads: a style they may see (404
    otherwise), for the brand's users with view_reorder_forecast (403 for anyone else: a
    style's orders across all buyers are the brand's business, not a partner's)."""
    return await get_style(viewer, style_uuid, SupplierAction.view_reorder_forecast)


def scoped_supplier_rows(query: Any, viewer: Viewer, reference: Any) -> Any:
    return narrow(query, supplier_row_filter(viewer, reference))


class VisibleMaterial(MaterialRecord, frozen=True):
    """A material the viewer may see: made only by get_material. A subclass rather than a
    NewType: mypy (2.4) crashes on a NewType of a msgspec struct."""


class VisiblePurchaseOrder(PurchaseOrderRecord, frozen=True):
    """A material purchase order the viewer may see: made only by the fetchers below."""


class VisiblePurchaseOrderLine(PurchaseOrderLineRecord, frozen=True):
    """A line of a purchase order the viewer may see: made only by get_purchase_order_line."""


class VisibleCertificate(CertificateRecord, frozen=True):
    """The certificate of a ship notice the viewer may see: made only by get_certificate."""


class VisibleBomLine(BomLineRef, frozen=True):
    """A BOM line the viewer may change: made only by get_bom_line."""


async def get_material(viewer: Viewer, material_uuid: UUID, action: ActionSet) -> VisibleMaterial:
    """One material the viewer may see (404 otherwise), checked for the action (403)."""
    query = scoped_supplier_rows(
        Material.select(*Material.all_columns()), viewer, Material.supplier
    ).where(Material.uuid == material_uuid)
    row = await fetch_one(viewer, query, "No such material.", action, "supplier")
    return VisibleMaterial.from_row(row)


def scoped_purchase_orders(query: Any, viewer: Viewer) -> Any:
    """Material purchase orders the viewer may see: the supplier's rows, and for a
    supplier's users never the brand's drafts (status "draft", its working copies)."""
    query = scoped_supplier_rows(query, viewer, PurchaseOrder.supplier)
    if not viewer.is_brand:
        query = query.where(PurchaseOrder.status != "draft")
    return query


async def get_purchase_order(
    viewer: Viewer, order_uuid: UUID, action: ActionSet
) -> VisiblePurchaseOrder:
    """One material purchase order the viewer may see (404 otherwise; a supplier never sees
    the brand's drafts), checked for the action (403)."""
    query = scoped_purchase_orders(PurchaseOrder.select(*PurchaseOrder.all_columns()), viewer)
    query = query.where(PurchaseOrder.uuid == order_uuid)
    row = await fetch_one(viewer, query, "No such purchase order.", action, "supplier")
    return VisiblePurchaseOrder.from_row(row)


async def get_purchase_order_line(
    viewer: Viewer, line_uuid: UUID, action: ActionSet
) -> tuple[VisiblePurchaseOrderLine, VisiblePurchaseOrder]:
    """A purchase order line and its order, if the viewer may see the order (404
    otherwise), checked for the action (403)."""
    query = PurchaseOrderLine.select(
        *PurchaseOrderLine.all_columns(),
        PurchaseOrderLine.purchase_order._.uuid.as_alias("order_uuid"),
    ).where(PurchaseOrderLine.uuid == line_uuid)
    line = await fetch_one(viewer, query, "No such purchase order line.")
    order = await get_purchase_order(viewer, line["order_uuid"], action)
    return VisiblePurchaseOrderLine.from_row(line), order


async def get_certificate(viewer: Viewer, notice_uuid: UUID) -> VisibleCertificate:
    """A ship notice's test report or certificate (its name, type and bytes), for whoever
    may see the notice's supplier rows (404 otherwise, or when it has none)."""
    query = scoped_supplier_rows(
        ShipNotice.select(
            ShipNotice.certificate_name, ShipNotice.certificate_type, ShipNotice.certificate
        ),
        viewer,
        ShipNotice.supplier,
    ).where(ShipNotice.uuid == notice_uuid)
    row = await query.first()
    if row is None or row["certificate"] is None:
        raise NotFoundException("No such certificate.")
    return VisibleCertificate.from_row(row)


async def get_bom_line(
    viewer: Viewer, line_uuid: UUID, action: ActionSet = SupplierAction.manage_purchasing
) -> VisibleBomLine:
    """One BOM line with its style's uuid and code, for the brand's purchasers: 403 for
    everyone else, then 404."""
    require(viewer, action)
    query = BomLine.select(
        BomLine.id,
        BomLine.uuid,
        BomLine.style._.uuid.as_alias("style_uuid"),
        BomLine.style._.code.as_alias("style_code"),
    ).where(BomLine.uuid == line_uuid)
    return VisibleBomLine.from_row(await fetch_one(viewer, query, "No such BOM line."))
