"""A published line sheet over the order book tests' shop (styles SS27-001... in black and
white, S/M/L; CNY 100/120 for gold partners, CNY 110/130 for the others, KRW for silver)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from distributors.tables import (
    LineSheet,
    LineSheetAudience,
    LineSheetStyle,
    MinimumOrderValue,
    OrderRule,
    RuleKind,
)
from partner_portal.access import Viewer
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog.tables import DeliveryWindow
from partner_portal.clock import utcnow
from tests.orders.support import Shop, make_shop


@dataclass
class Sheet:
    id: int
    uuid: Any
    shop: Shop


async def make_sheet(
    tiers: tuple[str, ...] = ("gold", "silver"),
    organisations: tuple[int, ...] = (),
    style_count: int = 2,
) -> Sheet:
    shop = await make_shop(style_count)
    now = utcnow()
    row = await LineSheet.insert(
        LineSheet(
            season=shop.season_id,
            title="SS27 collection",
            published=True,
            created_at=now,
            updated_at=now,
        )
    ).returning(LineSheet.id, LineSheet.uuid)
    sheet_id = row[0]["id"]
    await LineSheetStyle.insert(
        *[
            LineSheetStyle(line_sheet=sheet_id, style=style.id, position=position)
            for position, style in enumerate(shop.styles)
        ]
    )
    audience = [LineSheetAudience(line_sheet=sheet_id, tier=tier) for tier in tiers] + [
        LineSheetAudience(line_sheet=sheet_id, organisation=org_id) for org_id in organisations
    ]
    if audience:
        await LineSheetAudience.insert(*audience)
    return Sheet(sheet_id, row[0]["uuid"], shop)


async def add_windows(sheet: Sheet) -> list[str]:
    """Two delivery windows of the sheet's season, "Drop 1" in a month and "Drop 2" in two
    (two weeks each); their uuids, earlier first."""
    today = utcnow().date()
    rows = await DeliveryWindow.insert(
        *[
            DeliveryWindow(
                season=sheet.shop.season_id,
                name=f"Drop {number}",
                starts_on=today + timedelta(days=30 * number),
                ends_on=today + timedelta(days=30 * number + 14),
            )
            for number in (1, 2)
        ]
    ).returning(DeliveryWindow.uuid)
    return [str(row["uuid"]) for row in rows]


async def set_rule(
    kind: RuleKind,
    blocking: bool,
    quantity: int | None = None,
    amount: Decimal | None = None,
    currency: str = "CNY",
) -> None:
    await OrderRule.delete().where(OrderRule.kind == kind)
    await OrderRule.insert(
        OrderRule(
            kind=kind, enabled=True, blocking=blocking, quantity=quantity, updated_at=utcnow()
        )
    )
    if amount is not None:
        await MinimumOrderValue.delete().where(MinimumOrderValue.currency == currency)
        await MinimumOrderValue.insert(
            MinimumOrderValue(currency=currency, amount=amount, updated_at=utcnow())
        )


async def viewer(member: Any) -> Viewer:
    return await viewer_for_user_id(member.id)


def grid_form(
    sheet: Sheet, quantities: dict[tuple[int, str, str], int | str], **extra: str
) -> dict[str, str]:
    """The matrix form's fields: (style index, colour, size) -> quantity as typed."""
    form = {"sheet": str(sheet.uuid), "order": "", "buyer": "", "version": "0", "intent": "save"}
    for (style_index, colour, size), quantity in quantities.items():
        sku = sheet.shop.styles[style_index].skus[(colour, size)]
        form[f"q-{sku}"] = str(quantity)
    return {**form, **extra}
