"""The suppliers module's routes in the access matrix (tests/portal/test_access_matrix.py).

Purchasing is the brand's admins' and staff's (docs/ARCHITECTURE.md §2: brand_staff buy); a
supplier's users see and answer for their own materials only; KAMs, buyers and
corporate clients have no part in it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tests.access_matrix import Route, Subject, SubjectContext, only

PURCHASERS = frozenset({"admin", "staff"})
MATERIAL_READERS = PURCHASERS | {"supplier"}
# Suppliers' rows are seen by the brand's purchasers and by the supplier itself.
SEES_MATERIALS = {
    "admin": {"mill", "other_mill"},
    "staff": {"mill", "other_mill"},
    "supplier": {"mill"},
}


def on_material(allowed: frozenset[str] | set[str]) -> Any:
    def rule(member: str, target: str | None) -> int | str:
        if str(target) not in SEES_MATERIALS.get(member, set()):
            return 404
        return "ok" if member in allowed else 403

    return rule


ROUTES: dict[str, Route] = {
    "GET /suppliers/materials": Route(only(MATERIAL_READERS)),
    "GET /suppliers/materials/new": Route(only(PURCHASERS)),
    "POST /suppliers/materials/new": Route(only(PURCHASERS)),
    "GET /suppliers/materials/{material_id:uuid}/edit": Route(on_material(PURCHASERS), "material"),
    "POST /suppliers/materials/{material_id:uuid}/edit": Route(on_material(PURCHASERS), "material"),
    "GET /suppliers/boms": Route(only(PURCHASERS)),
    "GET /suppliers/boms/{style_id:uuid}": Route(only(PURCHASERS), "style"),
    "POST /suppliers/boms/{style_id:uuid}": Route(only(PURCHASERS), "style"),
    "POST /suppliers/bom-lines/{line_id:uuid}/delete": Route(only(PURCHASERS), "bom_line"),
    "GET /suppliers/forecast": Route(only(MATERIAL_READERS)),
    "GET /suppliers/forecast.xlsx": Route(only(MATERIAL_READERS)),
    "POST /suppliers/forecast/recompute": Route(only(PURCHASERS)),
    "POST /suppliers/materials/{material_id:uuid}/commitments": Route(
        on_material({"supplier"}), "material"
    ),
    "GET /suppliers/purchase-orders": Route(only(MATERIAL_READERS)),
    "POST /suppliers/purchase-orders/draft": Route(only(PURCHASERS)),
    "GET /suppliers/purchase-orders/{order_id:uuid}": Route(
        on_material(MATERIAL_READERS), "purchase_order"
    ),
    "POST /suppliers/purchase-orders/{order_id:uuid}/send": Route(
        on_material(PURCHASERS), "purchase_order"
    ),
    "POST /suppliers/purchase-orders/{order_id:uuid}/lines": Route(
        on_material(PURCHASERS), "purchase_order"
    ),
    "POST /suppliers/purchase-orders/{order_id:uuid}/cancel": Route(
        on_material(PURCHASERS), "purchase_order"
    ),
    "POST /suppliers/purchase-order-lines/{line_id:uuid}/acknowledge": Route(
        on_material({"supplier"}), "purchase_order_line"
    ),
    "POST /suppliers/purchase-orders/{order_id:uuid}/ship-notices": Route(
        on_material({"supplier"}), "purchase_order"
    ),
    "GET /suppliers/ship-notices/{notice_id:uuid}/certificate": Route(
        on_material(MATERIAL_READERS), "ship_notice"
    ),
    "POST /suppliers/purchase-order-lines/{line_id:uuid}/receipts": Route(
        on_material(PURCHASERS), "purchase_order_line"
    ),
    "GET /suppliers/scorecards": Route(only(MATERIAL_READERS)),
    # A style's reorder forecast: the brand's planners (admins and staff); not KAMs, who
    # see only their own partners' orders, nor a partner, who sees the (active) style but
    # not its orders across all buyers.
    "GET /suppliers/reorders": Route(only(PURCHASERS)),
    "GET /suppliers/reorders/{style_id:uuid}": Route(only(PURCHASERS), "style"),
    "POST /suppliers/scorecards/weights": Route(only(PURCHASERS)),
    "POST /api/v1/suppliers/purchase-orders/{order_id:uuid}/ship-notices": Route(
        on_material({"supplier"}), "purchase_order"
    ),
    "GET /api/v1/suppliers/purchase-orders": Route(only(MATERIAL_READERS)),
    "GET /api/v1/suppliers/purchase-orders/{order_id:uuid}": Route(
        on_material(MATERIAL_READERS), "purchase_order"
    ),
    "POST /api/v1/suppliers/purchase-order-lines/{line_id:uuid}/acknowledgement": Route(
        on_material({"supplier"}), "purchase_order_line"
    ),
    "POST /suppliers/materials/{material_id:uuid}/commitments/accept-open": Route(
        on_material({"supplier"}), "material"
    ),
    "GET /api/v1/suppliers/forecast": Route(only(MATERIAL_READERS)),
    "POST /api/v1/suppliers/materials/{material_id:uuid}/commitments": Route(
        on_material({"supplier"}), "material"
    ),
}


async def _supplier(context: SubjectContext, target: str) -> int:
    """The cast's mill, or another fabric supplier made for the test."""
    if target == "mill":
        return int(context.cast.mill.id)
    if "other_mill" not in context.cache:
        from partner_portal.partners.tables import Organisation

        now = datetime.now(UTC)
        row = await Organisation.insert(
            Organisation(
                kind="fabric_supplier",
                legal_name="宁波另一家纺织有限公司",
                status="active",
                created_at=now,
                updated_at=now,
            )
        ).returning(Organisation.id)
        context.cache["other_mill"] = row[0]["id"]
    return int(context.cache["other_mill"])


async def material(context: SubjectContext, target: str | None) -> Any:
    from suppliers.tables import Material

    key = f"material:{target}"
    if key not in context.cache:
        now = datetime.now(UTC)
        row = await Material.insert(
            Material(
                supplier=await _supplier(context, str(target)),
                code=f"MAT-{target}",
                name="Poplin",
                kind="fabric",
                unit="metre",
                price=Decimal("20"),
                created_at=now,
                updated_at=now,
            )
        ).returning(Material.uuid)
        context.cache[key] = row[0]["uuid"]
    return context.cache[key]


async def bom_line(context: SubjectContext, target: str | None) -> Any:
    """A BOM line (made again when a request removed it)."""
    from partner_portal.catalog.tables import Style
    from suppliers.tables import BomLine, Material
    from tests.portal.access_routes import style

    material_uuid = await material(context, "mill")
    style_uuid = await style(context, None)
    material_row = await Material.select(Material.id).where(Material.uuid == material_uuid)
    style_row = await Style.select(Style.id).where(Style.uuid == style_uuid)
    existing = await BomLine.select(BomLine.uuid).where(BomLine.style == style_row[0]["id"]).first()
    if existing:
        return existing["uuid"]
    row = await BomLine.insert(
        BomLine(
            style=style_row[0]["id"],
            material=material_row[0]["id"],
            consumption=Decimal("1.5"),
        )
    ).returning(BomLine.uuid)
    return row[0]["uuid"]


async def _purchase_order(context: SubjectContext, target: str | None) -> tuple[Any, Any]:
    """A sent PO (suppliers never see drafts) with one line, for the target's supplier."""
    from suppliers.tables import Material, PurchaseOrder, PurchaseOrderLine

    key = f"po:{target}"
    if key not in context.cache:
        material_uuid = await material(context, target)
        material_row = await Material.select(Material.id, Material.supplier).where(
            Material.uuid == material_uuid
        )
        now = datetime.now(UTC)
        order = await PurchaseOrder.insert(
            PurchaseOrder(
                supplier=material_row[0]["supplier"],
                number=f"MPO-{target}",
                status="sent",
                currency="CNY",
                created_at=now,
                sent_at=now,
            )
        ).returning(PurchaseOrder.id, PurchaseOrder.uuid)
        line = await PurchaseOrderLine.insert(
            PurchaseOrderLine(
                purchase_order=order[0]["id"],
                material=material_row[0]["id"],
                quantity=Decimal("100"),
                unit_price=Decimal("20"),
                required_date=now.date(),
            )
        ).returning(PurchaseOrderLine.uuid)
        context.cache[key] = (order[0]["uuid"], line[0]["uuid"])
    return context.cache[key]  # type: ignore[no-any-return]


async def purchase_order(context: SubjectContext, target: str | None) -> Any:
    return (await _purchase_order(context, target))[0]


async def purchase_order_line(context: SubjectContext, target: str | None) -> Any:
    return (await _purchase_order(context, target))[1]


async def ship_notice(context: SubjectContext, target: str | None) -> Any:
    """A ship notice with a certificate on the target's PO."""
    from suppliers.tables import PurchaseOrder, ShipNotice

    key = f"notice:{target}"
    if key not in context.cache:
        order_uuid = await purchase_order(context, target)
        order = await PurchaseOrder.select(PurchaseOrder.id, PurchaseOrder.supplier).where(
            PurchaseOrder.uuid == order_uuid
        )
        row = await ShipNotice.insert(
            ShipNotice(
                purchase_order=order[0]["id"],
                supplier=order[0]["supplier"],
                shipped_on=datetime.now(UTC).date(),
                carrier="SF Express",
                certificate_name="report.pdf",
                certificate_type="application/pdf",
                certificate=b"%PDF-1.4 test report",
                created_at=datetime.now(UTC),
            )
        ).returning(ShipNotice.uuid)
        context.cache[key] = row[0]["uuid"]
    return context.cache[key]


SUBJECTS = {
    "ship_notice": Subject(ship_notice, ("mill", "other_mill")),
    "purchase_order": Subject(purchase_order, ("mill", "other_mill")),
    "purchase_order_line": Subject(purchase_order_line, ("mill", "other_mill")),
    "material": Subject(material, ("mill", "other_mill")),
    "bom_line": Subject(bom_line),
}
