"""Demo rows: line sheets of the demo season published to the tiers, the brand's order
rules, credit figures, and a retailer ordering direct in a distributor's territory."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from typing import Any

from distributors.tables import (
    LineSheet,
    LineSheetAudience,
    LineSheetStyle,
    MinimumOrderValue,
    OrderRule,
    PartnerCredit,
    RuleKind,
)
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog.tables import Season, Sku, Style, StyleStatus
from partner_portal.demo.catalog import KRW_PER_CNY
from partner_portal.orders import services as orders
from partner_portal.orders.services import LineRequest, OrderDraft
from partner_portal.orders.tables import OrderChannel
from partner_portal.partners.tables import Organisation, Territory, Tier, User


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    season = await Season.select(Season.id, Season.code).order_by(Season.id).first()
    if season is None:
        return "no line sheets (no season)"
    styles = await (
        Style.select(Style.id, Style.category)
        .where((Style.season == season["id"]) & (Style.status == StyleStatus.active))
        .order_by(Style.code)
    )
    # The full season for the top tiers; a shorter core range for the others.
    sheets = (
        (f"{season['code']} full collection", styles, [Tier.platinum, Tier.gold]),
        (
            f"{season['code']} core range",
            styles[: max(1, len(styles) // 3)],
            [Tier.silver, Tier.standard],
        ),
    )
    for title, members, tiers in sheets:
        inserted = await LineSheet.insert(
            LineSheet(
                season=season["id"],
                title=title,
                notes="Prices shown are your wholesale prices; pre-book closes at the end of the order window.",
                published=True,
                created_at=now,
                updated_at=now,
            )
        ).returning(LineSheet.id)
        sheet_id = inserted[0]["id"]
        if members:
            await LineSheetStyle.insert(
                *[
                    LineSheetStyle(line_sheet=sheet_id, style=row["id"], position=position)
                    for position, row in enumerate(members)
                ]
            )
        await LineSheetAudience.insert(
            *[LineSheetAudience(line_sheet=sheet_id, tier=tier) for tier in tiers]
        )
    partners = await (
        Organisation.select(
            Organisation.id,
            Organisation.kind,
            Organisation.parent_distributor,
            Organisation.currency,
        )
        .where(Organisation.kind.is_in(["distributor", "retailer"]))
        .order_by(Organisation.id)
    )
    await PartnerCredit.insert(
        *[
            PartnerCredit(
                organisation=row["id"],
                credit_limit=Decimal(
                    rng.choice([500_000, 1_000_000, 2_000_000])
                    if row["kind"] == "distributor"
                    else rng.choice([80_000, 150_000])
                )
                * _per_yuan(row["currency"]),
                unpaid_amount=Decimal(rng.randrange(0, 120_000, 500)) * _per_yuan(row["currency"]),
                updated_at=now,
            )
            for row in partners
        ]
    )
    # Before the rules: the demo's direct order is a small one the minimums would refuse.
    conflicts = await _territory_conflict(partners)
    await OrderRule.insert(
        OrderRule(
            kind=RuleKind.min_style_quantity,
            enabled=True,
            blocking=False,
            quantity=12,
            updated_at=now,
        ),
        OrderRule(
            kind=RuleKind.order_multiple, enabled=True, blocking=True, quantity=2, updated_at=now
        ),
        OrderRule(kind=RuleKind.min_order_value, enabled=True, blocking=True, updated_at=now),
        OrderRule(kind=RuleKind.credit_limit, enabled=True, blocking=False, updated_at=now),
        OrderRule(kind=RuleKind.at_once_stock, enabled=True, blocking=False, updated_at=now),
    )
    # The same minimum order in each currency the brand sells in.
    await MinimumOrderValue.insert(
        *[
            MinimumOrderValue(
                currency=currency, amount=Decimal(5000 * _per_yuan(currency)), updated_at=now
            )
            for currency in ("CNY", "KRW")
        ]
    )
    return f"2 line sheets, 5 order rules, {conflicts} territory conflict"


def _per_yuan(currency: str) -> int:
    """Figures are thought in yuan; a Korean partner's are in won at the demo's rate, so
    ₩80,000 is never a Korean retailer's whole credit."""
    return KRW_PER_CNY if currency == "KRW" else 1


async def _territory_conflict(partners: list[dict[str, Any]]) -> int:
    """A retailer in another distributor's region ordering direct (its own people place the
    order): the brand's conflict list shows it."""
    direct = next((row for row in partners if row["kind"] == "retailer"), None)
    distributor = next(
        (
            row
            for row in partners
            if row["kind"] == "distributor" and direct and row["id"] != direct["parent_distributor"]
        ),
        None,
    )
    if direct is None or distributor is None:
        return 0
    region = (
        await Territory.select(Territory.region_code)
        .where(Territory.organisation == distributor["id"])
        .first()
    )
    if region is None:
        return 0
    await Territory.insert(Territory(organisation=direct["id"], region_code=region["region_code"]))
    placer = await User.select(User.id).where(User.organisation == direct["id"]).first()
    sku = await (
        Sku.select(Sku.id).where(Sku.style._.status == StyleStatus.active).order_by(Sku.id).first()
    )
    if placer is None or sku is None:
        return 0
    # An order the retailer's own people placed: the brand's conflict list shows it.
    result = await orders.place_order(
        await viewer_for_user_id(placer["id"]),
        OrderDraft(
            buyer_id=direct["id"],
            channel=OrderChannel.retailer,
            lines=[LineRequest(sku["id"], 24)],
            customer_po="DIRECT-001",
        ),
    )
    return 1 if result.saved else 0
