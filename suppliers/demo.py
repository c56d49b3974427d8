"""Demo purchasing: the demo suppliers' materials, BOMs for the demo styles, a published
material forecast (from whatever demand the order book holds) and POs in every state.

Runs inside the demo's write transaction, after the kernel's catalog and the order book.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from partner_portal.catalog.tables import Size, Style
from partner_portal.partners.tables import Organisation
from suppliers.tables import (
    BomLine,
    Material,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
)

# English name of the demo supplier -> its articles:
# (code, name, kind, unit, composition, g/m², width cm, colour, price, currency, lead days, MOQ, on hand)
MATERIALS: dict[str, tuple[tuple[object, ...], ...]] = {
    "Shaoxing Keqiao Huafang Weaving Co., Ltd.": (
        (
            "HF-OXF-145",
            "全棉牛津纺 Cotton oxford",
            "fabric",
            "metre",
            "100% cotton",
            135,
            145,
            "White 漂白",
            "18.50",
            "CNY",
            42,
            "800",
            "320",
        ),
        (
            "HF-POP-120",
            "全棉府绸 Cotton poplin 120s",
            "fabric",
            "metre",
            "100% cotton",
            110,
            145,
            "Navy 藏青",
            "16.80",
            "CNY",
            35,
            "600",
            "150",
        ),
        (
            "HF-TR-TWL",
            "T/R弹力斜纹 T/R stretch twill",
            "fabric",
            "metre",
            "65% polyester 32% rayon 3% elastane",
            240,
            150,
            "Khaki 卡其",
            "22.00",
            "CNY",
            42,
            "1000",
            "0",
        ),
        (
            "HF-PIQ-220",
            "珠地网眼 Cotton piqué knit",
            "fabric",
            "kilogram",
            "100% cotton",
            220,
            180,
            "Black 黑色",
            "68.00",
            "CNY",
            28,
            "300",
            "45",
        ),
        (
            "HF-LIN-160",
            "亚麻平纹 Linen plain",
            "fabric",
            "metre",
            "100% linen",
            160,
            140,
            "Beige 米色",
            "39.00",
            "CNY",
            49,
            "500",
            "0",
        ),
    ),
    "Daesung Textile Co., Ltd.": (
        (
            "DS-NYL-TAS",
            "Nylon taslan 228T",
            "fabric",
            "metre",
            "100% nylon",
            110,
            148,
            "Olive",
            "3.20",
            "USD",
            35,
            "1500",
            "200",
        ),
        (
            "DS-PES-PU",
            "Polyester 150D with PU membrane",
            "fabric",
            "metre",
            "100% polyester, PU coated",
            160,
            148,
            "Black",
            "4.10",
            "USD",
            42,
            "1200",
            "0",
        ),
    ),
    "Suzhou Shengze Hengda Garment Accessories Co., Ltd.": (
        (
            "HD-BTN-18L",
            "四孔树脂扣 18L resin button",
            "trim",
            "piece",
            "",
            None,
            None,
            "Matched",
            "0.12",
            "CNY",
            14,
            "5000",
            "12000",
        ),
        (
            "HD-ZIP-5",
            "5号尼龙拉链 #5 nylon zip",
            "trim",
            "piece",
            "",
            None,
            None,
            "Matched",
            "1.60",
            "CNY",
            21,
            "1000",
            "300",
        ),
        (
            "HD-LBL-W",
            "织唛 Woven main label",
            "trim",
            "piece",
            "",
            None,
            None,
            "",
            "0.08",
            "CNY",
            14,
            "10000",
            "8000",
        ),
    ),
}

# Category -> (main fabric codes to pick from, base consumption per garment, trims per garment)
RECIPES: dict[str, tuple[tuple[str, ...], str, tuple[tuple[str, str], ...]]] = {
    "shirts": (("HF-OXF-145", "HF-POP-120", "HF-LIN-160"), "1.40", (("HD-BTN-18L", "8"), ("HD-LBL-W", "1"))),
    "tops": (("HF-PIQ-220",), "0.26", (("HD-BTN-18L", "3"), ("HD-LBL-W", "1"))),
    "trousers": (("HF-TR-TWL",), "1.25", (("HD-ZIP-5", "1"), ("HD-BTN-18L", "1"), ("HD-LBL-W", "1"))),
    "outerwear": (("DS-NYL-TAS", "DS-PES-PU"), "2.10", (("HD-ZIP-5", "2"), ("HD-LBL-W", "1"))),
    "uniform": (("HF-TR-TWL",), "1.60", (("HD-BTN-18L", "6"), ("HD-LBL-W", "1"))),
    "knitwear": ((), "0", (("HD-LBL-W", "1"),)),
}  # fmt: skip
# Each size up the scale takes this much more main fabric (the marker grows with size).
STEP_PER_SIZE = Decimal("0.05")


async def load(rng: random.Random, now: datetime) -> str:
    from suppliers import forecasting

    suppliers = {
        row["english_name"]: row["id"]
        for row in await Organisation.select(Organisation.id, Organisation.english_name).where(
            Organisation.english_name.is_in(list(MATERIALS))
        )
    }
    if not suppliers:
        return "no purchasing demo data (the demo suppliers are missing)"
    materials: list[Material] = []
    for supplier_name, articles in MATERIALS.items():
        for (
            code,
            name,
            kind,
            unit,
            composition,
            gsm,
            width,
            colour,
            price,
            currency,
            lead,
            moq,
            stock,
        ) in articles:
            materials.append(
                Material(
                    supplier=suppliers[supplier_name],
                    code=code,
                    name=name,
                    kind=kind,
                    unit=unit,
                    composition=composition,
                    weight_gsm=gsm,
                    width_cm=width,
                    colour=colour,
                    dye_lot=f"L{rng.randint(2600, 2699)}-{rng.randint(1, 40):02d}" if kind == "fabric" else "",
                    price=Decimal(str(price)),
                    currency=currency,
                    lead_time_days=lead,
                    minimum_order=Decimal(str(moq)),
                    on_hand=Decimal(str(stock)),
                    created_at=now - timedelta(days=50),
                    updated_at=now - timedelta(days=50),
                )
            )  # fmt: skip
    rows = await Material.insert(*materials).returning(
        Material.id, Material.code, Material.supplier
    )
    material_ids = {row["code"]: row["id"] for row in rows}
    material_suppliers = {row["code"]: row["supplier"] for row in rows}

    styles = await Style.select(Style.id, Style.category, Style.size_scale).order_by(Style.code)
    sizes = await Size.select(Size.id, Size.size_scale, Size.position)
    by_scale: dict[int, list[dict[str, int]]] = {}
    for size in sizes:
        by_scale.setdefault(size["size_scale"], []).append(size)
    bom: list[BomLine] = []
    for style in styles:
        fabrics, base, trims = RECIPES.get(style["category"], ((), "0", ()))
        if fabrics:
            fabric = material_ids[rng.choice(fabrics)]
            for size in sorted(by_scale.get(style["size_scale"], []), key=lambda s: s["position"]):
                bom.append(
                    BomLine(
                        style=style["id"],
                        material=fabric,
                        size=size["id"],
                        consumption=Decimal(base) + STEP_PER_SIZE * (size["position"] - 1),
                        wastage_percent=Decimal(rng.choice(("3", "4", "5"))),
                    )
                )
        for code, quantity in trims:
            bom.append(
                BomLine(
                    style=style["id"],
                    material=material_ids[code],
                    consumption=Decimal(quantity),
                    wastage_percent=Decimal("2"),
                )
            )
    if bom:
        await BomLine.insert(*bom)

    purchase_orders = await _purchase_orders(rng, now, material_ids, material_suppliers)
    outcome = await forecasting.publish_forecast(None)
    return (
        f"{len(materials)} materials, {len(bom)} BOM lines, {purchase_orders} material POs, "
        f"material forecast version {outcome.number}"
    )


async def _purchase_orders(
    rng: random.Random,
    now: datetime,
    material_ids: dict[str, int],
    material_suppliers: dict[str, int],
) -> int:
    """A draft, an unanswered PO, and answered ones: accepted, changed, rejected, backordered,
    plus closed POs of the last months fully received."""
    today = now.date()
    plans: tuple[tuple[str, str, str | None, int], ...] = (
        ("draft", "HF-OXF-145", None, 20),
        ("sent", "HF-POP-120", None, 18),
        ("sent", "HD-BTN-18L", "accepted", 10),
        ("sent", "HF-TR-TWL", "changed", 30),
        ("sent", "DS-NYL-TAS", "rejected", 25),
        ("sent", "HD-ZIP-5", "backordered", 12),
        ("closed", "HF-OXF-145", "accepted", -60),
        ("closed", "HD-LBL-W", "accepted", -45),
        ("closed", "HF-POP-120", "accepted", -20),
    )
    prices = {
        row["id"]: (row["price"], row["currency"])
        for row in await Material.select(Material.id, Material.price, Material.currency)
    }
    # Four months of closed, received POs per supplier, for the scorecards.
    history = tuple(
        ("closed", code, "accepted", -days)
        for code in ("HF-OXF-145", "HF-TR-TWL", "DS-NYL-TAS", "DS-PES-PU", "HD-BTN-18L", "HD-LBL-W")
        for days in (110, 80, 50, 25)
    )
    plans = plans + history
    for status, code, answer, due_in_days in plans:
        material_id = material_ids[code]
        price, currency = prices[material_id]
        created = now - timedelta(days=max(7, 30 - due_in_days))
        order = (
            await PurchaseOrder.insert(
                PurchaseOrder(
                    supplier=material_suppliers[code],
                    status=status,
                    currency=currency,
                    created_at=created,
                    sent_at=None if status == PurchaseOrderStatus.draft else created,
                )
            ).returning(PurchaseOrder.id)
        )[0]["id"]
        await PurchaseOrder.update({PurchaseOrder.number: f"MPO-{order:06d}"}).where(
            PurchaseOrder.id == order
        )
        quantity = Decimal(rng.randint(6, 30) * 100)
        required = today + timedelta(days=due_in_days)
        # Mostly clean deliveries; now and then a few per cent fail inspection.
        rejected = quantity * Decimal(rng.choice(("0", "0", "0", "0.02", "0.05")))
        line = await PurchaseOrderLine.insert(
            PurchaseOrderLine(
                purchase_order=order,
                material=material_id,
                quantity=quantity,
                unit_price=price,
                required_date=required,
                received_quantity=quantity - rejected if status == "closed" else Decimal(0),
                acknowledgement=answer,
                confirmed_quantity=quantity * Decimal("0.8") if answer == "changed" else None,
                confirmed_date=required + timedelta(days=10) if answer == "changed" else None,
                acknowledgement_comment={
                    "changed": "坯布紧张，先交80%，余量顺延10天。",
                    "rejected": "This colour is discontinued; please choose DS-NYL-TAS-NV.",
                    "backordered": "拉链头缺货，预计两周后补齐。",
                }.get(answer or "", ""),
                acknowledged_at=created + timedelta(hours=rng.randint(4, 96)) if answer else None,
            )
        ).returning(PurchaseOrderLine.id)
        if status == "closed":
            # Mostly on time; now and then a few days late.
            await Receipt.insert(
                Receipt(
                    purchase_order_line=line[0]["id"],
                    supplier=material_suppliers[code],
                    received_on=required + timedelta(days=rng.choice((-3, -1, 0, 0, 2, 6))),
                    accepted_quantity=quantity - rejected,
                    rejected_quantity=rejected,
                    quality_note="色牢度不合格 colour fastness below grade 4" if rejected else "",
                    recorded_at=now + timedelta(days=due_in_days),
                )
            )
    return len(plans)
