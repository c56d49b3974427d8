"""Rows for the suppliers tests: a style with colours and sizes, materials, BOM lines,
sales orders written straight into the order book's tables, and material POs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from partner_portal.catalog import services as catalog
from partner_portal.catalog.tables import Colourway, Size, Sku, Style
from partner_portal.orders.tables import Order, OrderLine
from suppliers.tables import BomLine, Material, PurchaseOrder, PurchaseOrderLine

# Wednesday: the forecast's first week starts on Monday 2027-01-04.
NOW = datetime(2027, 1, 6, 9, 0, tzinfo=UTC)
FIRST_WEEK = date(2027, 1, 4)
# The forecast fixture's orders ship in week 5; their material is needed in week 3.
SHIP = FIRST_WEEK + timedelta(weeks=4)
NEEDED = FIRST_WEEK + timedelta(weeks=2)


@dataclass
class Garments:
    style_id: int
    style_uuid: Any
    colours: dict[str, int]
    sizes: dict[str, int]
    skus: dict[tuple[str, str], int]


async def make_style(
    code: str = "SS27-SH-001", sizes: tuple[str, ...] = ("S", "M", "XL")
) -> Garments:
    """An active style in BLK and NVY with a SKU for every colour and size."""
    season = await catalog.create_season(None, f"S{code[-3:]}", "Season")
    scale = await catalog.create_size_scale(None, f"SC{code[-3:]}", "Alpha", "alpha", sizes)
    style = (
        await Style.insert(
            Style(
                code=code,
                season=season,
                category="shirts",
                name_en="Oxford shirt",
                size_scale=scale,
                status="active",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        .returning(Style.id, Style.uuid)
        .run()
    )[0]
    colours = {}
    for colour in ("BLK", "NVY"):
        row = await Colourway.insert(
            Colourway(style=style["id"], code=colour, name=colour)
        ).returning(Colourway.id)
        colours[colour] = row[0]["id"]
    size_ids = {
        row["label"]: row["id"]
        for row in await Size.select(Size.id, Size.label).where(Size.size_scale == scale)
    }
    skus = {}
    for colour, colour_id in colours.items():
        for label, size_id in size_ids.items():
            row = await Sku.insert(
                Sku(style=style["id"], colourway=colour_id, size=size_id)
            ).returning(Sku.id)
            skus[(colour, label)] = row[0]["id"]
    return Garments(style["id"], style["uuid"], colours, size_ids, skus)


async def make_material(
    supplier_id: int,
    code: str,
    *,
    kind: str = "fabric",
    unit: str = "metre",
    on_hand: str = "0",
    minimum_order: str = "0",
) -> dict[str, Any]:
    row = (
        await Material.insert(
            Material(
                supplier=supplier_id,
                code=code,
                name=f"{code} name",
                kind=kind,
                unit=unit,
                composition="100% cotton" if kind == "fabric" else "",
                price=Decimal("18.50"),
                currency="CNY",
                lead_time_days=28,
                minimum_order=Decimal(minimum_order),
                on_hand=Decimal(on_hand),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        .returning(Material.id, Material.uuid)
        .run()
    )
    return row[0]  # type: ignore[no-any-return]


async def add_bom(
    garments: Garments,
    material_id: int,
    consumption: str,
    wastage: str = "0",
    colour: str | None = None,
    size: str | None = None,
) -> None:
    await BomLine.insert(
        BomLine(
            style=garments.style_id,
            material=material_id,
            colourway=garments.colours[colour] if colour else None,
            size=garments.sizes[size] if size else None,
            consumption=Decimal(consumption),
            wastage_percent=Decimal(wastage),
        )
    )


async def add_order(
    buyer_id: int,
    garments: Garments,
    quantities: dict[tuple[str, str], int],
    *,
    status: str,
    ship_date: date | None = None,
    submitted_at: datetime = NOW,
    number: str | None = None,
    customer_po: str = "",
) -> int:
    """An order written straight into the order book's tables (as the order desk would)."""
    total = sum(quantities.values())
    order = (
        await Order.insert(
            Order(
                number=number,
                buyer=buyer_id,
                status=status,
                currency="CNY",
                requested_ship_date=ship_date,
                customer_po=customer_po,
                total_quantity=total,
                subtotal=Decimal(total * 100),
                total=Decimal(total * 100),
                submitted_at=submitted_at,
                status_changed_at=submitted_at,
                created_at=submitted_at,
                updated_at=submitted_at,
            )
        )
        .returning(Order.id)
        .run()
    )[0]["id"]
    await OrderLine.insert(
        *(
            OrderLine(
                order=order,
                sku=garments.skus[key],
                style=garments.style_id,
                colourway=garments.colours[key[0]],
                size=garments.sizes[key[1]],
                quantity=quantity,
                unit_price=Decimal(100),
                line_total=Decimal(quantity * 100),
            )
            for key, quantity in quantities.items()
        )
    )
    return int(order)


async def add_purchase_order(
    supplier_id: int, material_id: int, quantity: str, required: date, status: str = "sent"
) -> int:
    po = (
        await PurchaseOrder.insert(
            PurchaseOrder(supplier=supplier_id, status=status, currency="CNY", created_at=NOW)
        )
        .returning(PurchaseOrder.id)
        .run()
    )[0]["id"]
    await PurchaseOrder.update({PurchaseOrder.number: f"MPO-{po:06d}"}).where(
        PurchaseOrder.id == po
    )
    await PurchaseOrderLine.insert(
        PurchaseOrderLine(
            purchase_order=po,
            material=material_id,
            quantity=Decimal(quantity),
            unit_price=Decimal("18.50"),
            required_date=required,
        )
    )
    return int(po)
