"""Pricing an order's lines: the buyer's catalog prices of the day with the list's volume
breaks, or a price the placer fixed; totals rounded to the currency's minor unit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from partner_portal.catalog.forms import minor_units
from partner_portal.catalog.services import prices_for_partner
from partner_portal.catalog.tables import Sku, StyleStatus
from partner_portal.i18n import gettext as _
from partner_portal.orders.tables import Order

MAX_LINE_QUANTITY = 1_000_000
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineRequest:
    """One SKU and how many.

    Without a unit price the buyer's catalog price applies (taken again on the day of
    submission) with the list's volume break unless a discount is given. A unit price is
    a price the placer fixed (a campaign's price with its options, a rep's deal): it is
    kept at submission. Forms and the API pass one only for the brand's users."""

    sku_id: int
    quantity: int
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal("0")


@dataclass
class PricedLines:
    """Lines ready to save, the price list they came from, and the order's totals."""

    rows: list[dict[str, Any]]
    currency: str
    price_list_id: int | None
    price_list_name: str
    total_quantity: int
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal

    def totals(self) -> dict[Any, Any]:
        """The order's columns these lines decide."""
        return {
            Order.currency: self.currency,
            Order.total_quantity: self.total_quantity,
            Order.subtotal: self.subtotal,
            Order.discount_total: self.discount_total,
            Order.total: self.total,
        }


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (KRW and JPY have none)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def _merged(lines: Iterable[LineRequest]) -> list[LineRequest]:
    """One line per SKU: quantities of repeated SKUs add up (a pasted block may repeat)."""
    merged: dict[int, LineRequest] = {}
    for line in lines:
        earlier = merged.get(line.sku_id)
        if earlier is None:
            merged[line.sku_id] = line
        else:
            merged[line.sku_id] = LineRequest(
                line.sku_id,
                earlier.quantity + line.quantity,
                earlier.unit_price,
                earlier.discount_percent,
            )
    return list(merged.values())


async def price_lines(
    buyer: Mapping[str, Any], requests: Sequence[LineRequest]
) -> tuple[PricedLines | None, dict[str, str]]:
    """Price the lines for the buyer at today's catalog prices (two queries for any number
    of lines); errors name the SKU and why (unknown, not orderable, no price, quantity)."""
    requests = _merged(requests)
    errors: dict[str, str] = {}
    for line in requests:
        if not 0 < line.quantity <= MAX_LINE_QUANTITY:
            errors[f"sku-{line.sku_id}"] = _("Quantities are whole numbers from 1 to 1,000,000.")
        if not Decimal(0) <= line.discount_percent <= HUNDRED:
            errors[f"sku-{line.sku_id}"] = _("A discount is between 0 and 100 percent.")
    skus = {
        row["id"]: row
        for row in await Sku.select(
            Sku.id,
            Sku.style,
            Sku.colourway,
            Sku.size,
            Sku.style.code.as_alias("style_code"),  # type: ignore[attr-defined]
            Sku.style.status.as_alias("style_status"),  # type: ignore[attr-defined]
        ).where(Sku.id.is_in([line.sku_id for line in requests] or [-1]))
    }
    prices = await prices_for_partner(buyer["id"], {row["style"] for row in skus.values()})
    # Volume breaks count a style's pieces in all colours and sizes of the order.
    pieces_per_style: dict[int, int] = {}
    for line in requests:
        if line.sku_id in skus:
            style_id = skus[line.sku_id]["style"]
            pieces_per_style[style_id] = pieces_per_style.get(style_id, 0) + line.quantity
    currency = buyer["currency"]
    price_list_id: int | None = None
    price_list_name = ""
    rows: list[dict[str, Any]] = []
    for line in requests:
        sku = skus.get(line.sku_id)
        key = f"sku-{line.sku_id}"
        if sku is None:
            errors[key] = _("This item is not in the catalog.")
            continue
        if sku["style_status"] != StyleStatus.active:
            errors[key] = _("Style %(code)s cannot be ordered.", code=sku["style_code"])
            continue
        unit_price = line.unit_price
        discount = line.discount_percent
        if unit_price is None:
            price = prices.for_item(sku["style"], sku["size"])
            if price is None:
                errors[key] = _(
                    "Style %(code)s has no price in %(currency)s for you.",
                    code=sku["style_code"],
                    currency=currency,
                )
                continue
            unit_price = price.wholesale
            if not discount:
                discount = prices.discount_for(sku["style"], pieces_per_style[sku["style"]])
            price_list_id = price_list_id or price.price_list_id
            price_list_name = price_list_name or price.price_list_name
        gross = unit_price * line.quantity
        line_total = round_money(gross * (HUNDRED - discount) / HUNDRED, currency)
        rows.append(
            {
                "sku": sku["id"],
                "style": sku["style"],
                "colourway": sku["colourway"],
                "size": sku["size"],
                "quantity": line.quantity,
                "unit_price": unit_price,
                "discount_percent": discount,
                "price_fixed": line.unit_price is not None,
                "line_total": line_total,
                "gross": round_money(gross, currency),
            }
        )
    if errors:
        return None, errors
    subtotal = sum((row["gross"] for row in rows), Decimal(0))
    total = sum((row["line_total"] for row in rows), Decimal(0))
    return (
        PricedLines(
            rows=rows,
            currency=currency,
            price_list_id=price_list_id,
            price_list_name=price_list_name,
            total_quantity=sum(row["quantity"] for row in rows),
            subtotal=subtotal,
            discount_total=subtotal - total,
            total=total,
        ),
        {},
    )
