"""Pricing an order's lines: the buyer's catalog prices of the day with the list's volume
breaks and the discount of the contract in force, or a price the placer fixed; totals
rounded to the currency's minor unit.

The contract in force (registry.terms_for, filled by the contracts module) chooses the
price list (its tier and currency win over the partner record's), takes its discount off
every catalog price, and its terms are kept on the order (PricedLines.totals) so the order
page can say where each figure came from. A contract discount and a volume break both
apply, one after the other: 20% and 8% make 26.4% off the list price."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from partner_portal import access
from partner_portal.catalog.services import (
    PartnerPrice,
    PartnerPrices,
    discount_percent,
    prices_for_partner,
    volume_breaks,
)
from partner_portal.catalog.tables import Sku, StyleStatus
from partner_portal.i18n import gettext as _
from partner_portal.inputs import minor_units
from partner_portal.orders.records import OrderLineRecord, OrderRecord
from partner_portal.orders.tables import Order, OrderLine
from partner_portal.registries import CommercialTerms, registry

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
    """Lines ready to save, the price list they came from, the terms of the contract in
    force, and the order's totals."""

    rows: list[dict[str, Any]]
    currency: str
    price_list_id: int | None
    price_list_name: str
    total_quantity: int
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    terms: CommercialTerms | None = None

    def amounts(self) -> dict[Any, Any]:
        """The order's figures these lines decide (a change keeps the order's terms)."""
        return {
            Order.currency: self.currency,
            Order.total_quantity: self.total_quantity,
            Order.subtotal: self.subtotal,
            Order.discount_total: self.discount_total,
            Order.total: self.total,
        }

    def totals(self) -> dict[Any, Any]:
        """The order's columns these lines decide, the contract's terms with them: a draft
        takes them again whenever it is repriced, a submitted order keeps them."""
        terms = self.terms or CommercialTerms()
        return {
            **self.amounts(),
            Order.contract_uuid: terms.contract_uuid,
            Order.contract_number: terms.contract_number or "",
            Order.contract_discount_percent: contract_discount(terms),
            Order.payment_terms: terms.payment_terms or "",
            Order.credit_limit: terms.credit_limit,
            Order.credit_limit_blocks: terms.credit_limit_blocks,
        }


@dataclass(frozen=True)
class BuyerPrices:
    """What a buyer pays today: the catalog prices of the list its contract in force
    chooses (the contract's tier and currency win over the partner record's), and that
    contract's terms, whose discount comes off them."""

    prices: PartnerPrices
    terms: CommercialTerms | None
    # The contract's currency, else the buyer's own as the caller gave it (None: not given).
    currency: str | None

    @property
    def contract_percent(self) -> Decimal:
        return contract_discount(self.terms)

    @property
    def contract_number(self) -> str:
        return (self.terms.contract_number if self.terms else None) or ""


async def buyer_prices(
    buyer_id: int, style_ids: Iterable[int], currency: str | None = None
) -> BuyerPrices:
    """The prices every place that shows or charges a buyer's price reads (the order book,
    the grid, the line sheet), so what the buyer sees while typing is what the order
    charges. ``currency``: the buyer's own, when the caller has it and no contract names
    another."""
    terms = await registry.terms_for(buyer_id)
    currency = (terms.currency if terms else None) or currency
    prices = await prices_for_partner(
        buyer_id, style_ids, tier=terms.tier if terms else None, currency=currency
    )
    return BuyerPrices(prices, terms, currency)


def contract_discount(terms: CommercialTerms | None) -> Decimal:
    """The contract's percent off catalog prices (0 without a contract or a discount)."""
    if terms is None or terms.discount_percent is None:
        return Decimal("0")
    return min(max(terms.discount_percent, Decimal("0")), HUNDRED)


def combined_discount(contract_percent: Decimal, volume_percent: Decimal) -> Decimal:
    """Percent off the list price when the contract's discount and then a volume break
    apply (20% and 8% make 26.4%), to the hundredth a line stores."""
    kept = (HUNDRED - contract_percent) * (HUNDRED - volume_percent) / HUNDRED
    return (HUNDRED - kept).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def line_total(unit_price: Decimal, quantity: int, discount: Decimal, currency: str) -> Decimal:
    return round_money(unit_price * quantity * (HUNDRED - discount) / HUNDRED, currency)


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
    """Price the lines for the buyer at today's catalog prices and the terms of its
    contract in force (three queries for any number of lines); errors name the SKU and why
    (unknown, not orderable, no price, quantity)."""
    requests = _merged(requests)
    errors = _quantity_errors(requests)
    skus = await _orderable_skus(requests)
    bought = await buyer_prices(
        buyer["id"], {row["style"] for row in skus.values()}, buyer["currency"]
    )
    terms = bought.terms
    currency = bought.currency or buyer["currency"]
    pricing = _Pricing(
        prices=bought.prices,
        off_by_contract=bought.contract_percent,
        pieces_per_style=_pieces_per_style(requests, skus),
        currency=currency,
    )
    price_list_id: int | None = None
    price_list_name = ""
    rows: list[dict[str, Any]] = []
    for line in requests:
        priced = pricing.line(line, skus.get(line.sku_id))
        if isinstance(priced, str):
            errors[f"sku-{line.sku_id}"] = priced
            continue
        row, price = priced
        if price is not None:  # the order names the list of its first catalog-priced line
            price_list_id = price_list_id or price.price_list_id
            price_list_name = price_list_name or price.price_list_name
        rows.append(row)
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
            terms=terms,
        ),
        {},
    )


def _quantity_errors(requests: Sequence[LineRequest]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for line in requests:
        if not 0 < line.quantity <= MAX_LINE_QUANTITY:
            errors[f"sku-{line.sku_id}"] = _("Quantities are whole numbers from 1 to 1,000,000.")
        if not Decimal(0) <= line.discount_percent <= HUNDRED:
            errors[f"sku-{line.sku_id}"] = _("A discount is between 0 and 100 percent.")
    return errors


async def _orderable_skus(requests: Sequence[LineRequest]) -> dict[int, dict[str, Any]]:
    """The requested SKUs that exist, by id, with their style's code and status."""
    return {
        row["id"]: row
        for row in await Sku.select(
            Sku.id,
            Sku.style,
            Sku.colourway,
            Sku.size,
            Sku.style._.code.as_alias("style_code"),
            Sku.style._.status.as_alias("style_status"),
        ).where(Sku.id.is_in([line.sku_id for line in requests] or [-1]))
    }


def _pieces_per_style(
    requests: Sequence[LineRequest], skus: Mapping[int, Mapping[str, Any]]
) -> dict[int, int]:
    """Volume breaks count a style's pieces in all colours and sizes of the order."""
    pieces: dict[int, int] = {}
    for line in requests:
        if line.sku_id in skus:
            style_id = skus[line.sku_id]["style"]
            pieces[style_id] = pieces.get(style_id, 0) + line.quantity
    return pieces


@dataclass(frozen=True)
class _Pricing:
    """What pricing one order's lines needs: the buyer's prices, its contract's discount,
    the order's pieces per style (for volume breaks) and the order's currency."""

    prices: PartnerPrices
    off_by_contract: Decimal
    pieces_per_style: Mapping[int, int]
    currency: str

    def line(
        self, line: LineRequest, sku: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], PartnerPrice | None] | str:
        """The line's row and the catalog price it took (None: a fixed price), or why it
        cannot be ordered."""
        if sku is None:
            return _("This item is not in the catalog.")
        if sku["style_status"] != StyleStatus.active:
            return _("Style %(code)s cannot be ordered.", code=sku["style_code"])
        unit_price = line.unit_price
        discount = line.discount_percent
        volume = Decimal("0")
        price: PartnerPrice | None = None
        if unit_price is None:
            price = self.prices.for_item(sku["style"], sku["size"])
            if price is None:
                return _(
                    "Style %(code)s has no price in %(currency)s for you.",
                    code=sku["style_code"],
                    currency=self.currency,
                )
            unit_price = price.wholesale
            if not discount:
                volume = self.prices.discount_for(sku["style"], self.pieces_per_style[sku["style"]])
                discount = combined_discount(self.off_by_contract, volume)
        gross = unit_price * line.quantity
        row = {
            "sku": sku["id"],
            "style": sku["style"],
            "colourway": sku["colourway"],
            "size": sku["size"],
            "quantity": line.quantity,
            "unit_price": unit_price,
            "discount_percent": discount,
            "volume_discount_percent": volume,
            "price_list": price.price_list_id if price is not None else None,
            "price_fixed": line.unit_price is not None,
            "line_total": line_total(unit_price, line.quantity, discount, self.currency),
            "gross": round_money(gross, self.currency),
        }
        return row, price


async def repriced(order: OrderRecord, lines: Sequence[tuple[OrderLineRecord, int]]) -> PricedLines:
    """A submitted order's lines at new quantities (0 drops a line), at the unit prices it
    was submitted with (size prices, surcharges included) and its contract discount as kept
    on the order; each style's volume break is taken again from the list that priced the
    line, for the style's new pieces in all colours and sizes. Fixed prices stay as they
    are. One query, for the lists' breaks."""
    kept = [(line, quantity) for line, quantity in lines if quantity > 0]
    pieces_per_style: dict[int, int] = {}
    for line, quantity in kept:
        pieces_per_style[line.style] = pieces_per_style.get(line.style, 0) + quantity
    # Lines written before lines named their list were priced from the order's.
    lists = {line.id: line.price_list or order.price_list for line, _quantity in kept}
    breaks = await volume_breaks(
        {
            list_id
            for line, _quantity in kept
            if not line.price_fixed and (list_id := lists[line.id]) is not None
        }
    )
    rows: list[dict[str, Any]] = []
    for line, quantity in kept:
        discount, volume = line.discount_percent, line.volume_discount_percent
        list_id = lists[line.id]
        if not line.price_fixed and list_id is not None:
            volume = discount_percent(breaks.get(list_id, []), pieces_per_style[line.style])
            discount = combined_discount(order.contract_discount_percent, volume)
        rows.append(
            {
                "line": line.id,
                "sku": line.sku,
                "style": line.style,
                "colourway": line.colourway,
                "size": line.size,
                "quantity": quantity,
                "unit_price": line.unit_price,
                "discount_percent": discount,
                "volume_discount_percent": volume,
                "price_list": list_id,
                "price_fixed": line.price_fixed,
                "line_total": line_total(line.unit_price, quantity, discount, order.currency),
                "gross": round_money(line.unit_price * quantity, order.currency),
            }
        )
    subtotal = sum((row["gross"] for row in rows), Decimal(0))
    total = sum((row["line_total"] for row in rows), Decimal(0))
    return PricedLines(
        rows=rows,
        currency=order.currency,
        price_list_id=order.price_list,
        price_list_name=order.price_list_name,
        total_quantity=sum(row["quantity"] for row in rows),
        subtotal=subtotal,
        discount_total=subtotal - total,
        total=total,
    )


@access.checked_by_caller("lines of an order from get_order")
async def write_priced_lines(current: Sequence[OrderLineRecord], priced: PricedLines) -> None:
    """Store the priced lines over the saved ones: only the lines whose figures moved are
    written (usually none at submission: a 1,000-line order then costs no line writes), and
    a line priced no more (a change to 0 pieces) is deleted."""
    rows = {row["sku"]: row for row in priced.rows}
    columns = (
        OrderLine.quantity,
        OrderLine.unit_price,
        OrderLine.discount_percent,
        OrderLine.volume_discount_percent,
        OrderLine.price_list,
        OrderLine.line_total,
    )
    for line in current:
        row = rows.get(line.sku)
        if row is None:
            await OrderLine.delete().where(OrderLine.id == line.id)
            continue
        changed: dict[Any, Any] = {
            column: row[column._meta.name]
            for column in columns
            if getattr(line, column._meta.name) != row[column._meta.name]
        }
        if changed:
            await OrderLine.update(changed).where(OrderLine.id == line.id)
