"""JSON API for the catalog (/api/v1/styles), for integration clients: the styles the
caller may see (a partner: active ones), each with its SKUs, what can still be ordered of
them (at once and per delivery window) and its prices: the brand sees the price lists it
may see, a partner only what it pays (its own list, else its tier's, else the general
one). The same rules as the catalog pages (partner_portal/access/catalog.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import FromPath, FromQuery, QueryParameter

from partner_portal import api
from partner_portal.access import Action, Viewer
from partner_portal.api import Money
from partner_portal.catalog import services, styles
from partner_portal.catalog.availability import availability_for
from partner_portal.catalog.styles import StyleFilters, StyleView
from partner_portal.orders import services as orders
from partner_portal.web import CurrentViewer

API = "/api/v1/styles"


class StyleSummary(msgspec.Struct):
    id: UUID
    code: str
    name_en: str
    name_zh: str
    name_ko: str
    category: str
    gender: str
    status: str
    season: str
    size_scale: str


class StyleList(msgspec.Struct):
    items: list[StyleSummary]
    # Pass as ?cursor= for the next styles; null on the last page.
    next_cursor: str | None


class DeliveryWindow(msgspec.Struct):
    id: UUID
    name: str
    starts_on: date
    ends_on: date


class PreBook(msgspec.Struct):
    window: UUID
    available: int


class Sku(msgspec.Struct):
    id: UUID
    colour: str
    colour_name: str
    size: str
    barcode: str | None
    # The SKU's id in the brand's ERP.
    external_ref: str | None
    # Units that can still be ordered for delivery now, and per delivery window.
    available_at_once: int
    pre_book: list[PreBook]


class Price(msgspec.Struct):
    price_list: UUID
    price_list_name: str
    currency: str
    tax_inclusive: bool
    # null: the style's price in every size without a price of its own
    size: str | None
    wholesale: Money
    suggested_retail: Money | None


class StyleDetail(StyleSummary):
    fabric_composition: str
    care: str
    # The style's id in the brand's ERP (shown to the brand's users).
    external_ref: str | None
    version: int
    updated_at: datetime
    delivery_windows: list[DeliveryWindow]
    skus: list[Sku]
    prices: list[Price]


@api.get(API, tags=["catalog"])
async def list_styles(
    viewer: CurrentViewer,
    q: Annotated[str, QueryParameter(max_length=100)] = "",
    season: Annotated[str, QueryParameter(max_length=10)] = "",
    status: FromQuery[str] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> StyleList:
    """Styles you may see, by code; filters as on the catalog page."""
    position = api.decode_cursor(cursor, (str,))
    filters = dataclasses.replace(
        StyleFilters.from_query({"q": q, "season": season, "status": status}),
        after=position[0] if position else None,
        limit=limit,
    )
    page = await styles.list_styles(viewer, filters)
    rows = page.rows[:limit]
    return StyleList(
        items=[
            StyleSummary(
                id=row["uuid"],
                code=row["code"],
                name_en=row["name_en"],
                name_zh=row["name_zh"],
                name_ko=row["name_ko"],
                category=row["category"],
                gender=row["gender"],
                status=row["status"],
                season=row["season_code"],
                size_scale=row["scale_name"],
            )
            for row in rows
        ],
        next_cursor=api.encode_cursor([rows[-1]["code"]]) if len(page.rows) > limit else None,
    )


@api.get(f"{API}/{{style_id:uuid}}", tags=["catalog"])
async def get_style(viewer: CurrentViewer, style_id: FromPath[UUID]) -> StyleDetail:
    """One style with its SKUs, what can be ordered of them, and the prices you may see."""
    return await style_detail(viewer, style_id)


async def style_detail(viewer: Viewer, style_id: UUID) -> StyleDetail:
    """The style as the API shows it to the viewer (404 where they may not see it)."""
    view = await styles.style_view(viewer, style_id)
    style = view.style
    assert view.availability is not None
    grid = view.availability
    sizes = {size["id"]: size for size in grid.sizes}
    colourways = {colourway["id"]: colourway for colourway in grid.colourways}
    available = await availability_for(sku["id"] for sku in grid.skus.values())
    return StyleDetail(
        id=style["uuid"],
        code=style["code"],
        name_en=style["name_en"],
        name_zh=style["name_zh"],
        name_ko=style["name_ko"],
        category=style["category"],
        gender=style["gender"],
        status=style["status"],
        season=style["season_code"],
        size_scale=style["scale_name"],
        fabric_composition=style["fabric_composition"],
        care=style["care"],
        external_ref=style["external_ref"] if viewer.is_brand else None,
        version=style["version"],
        updated_at=api.timestamp(style["updated_at"]),
        delivery_windows=[
            DeliveryWindow(
                id=window["uuid"],
                name=window["name"],
                starts_on=window["starts_on"],
                ends_on=window["ends_on"],
            )
            for window in grid.windows
        ],
        skus=[
            Sku(
                id=sku["uuid"],
                colour=colourways[colourway_id]["code"],
                colour_name=colourways[colourway_id]["name"],
                size=sizes[size_id]["label"],
                barcode=sku["barcode"] or None,
                external_ref=sku["external_ref"] if viewer.is_brand else None,
                available_at_once=available[sku["id"]].at_once,
                pre_book=[
                    PreBook(
                        window=window["uuid"],
                        available=available[sku["id"]].pre_book.get(window["id"], 0),
                    )
                    for window in grid.windows
                ],
            )
            for (colourway_id, size_id), sku in grid.skus.items()
        ],
        prices=await _prices(viewer, view),
    )


async def _prices(viewer: Viewer, view: StyleView) -> list[Price]:
    """The brand's users: the price lists they may see. A partner's: what it pays, size by
    size (the list that wins for it, as its orders are priced)."""
    if viewer.can(Action.view_price_lists):
        return [
            Price(
                price_list=row["list_uuid"],
                price_list_name=row["list_name"],
                currency=row["currency"],
                tax_inclusive=bool(row["tax_inclusive"]),
                size=row["size_label"],
                wholesale=api.money(row["wholesale"], row["currency"]),
                suggested_retail=api.money(row["suggested_retail"], row["currency"])
                if row["suggested_retail"] is not None
                else None,
            )
            for row in view.prices
        ]
    if viewer.is_brand:
        return []
    style_id = view.style["id"]
    # The list the partner's contract in force chooses, as its orders are priced.
    bought = await orders.buyer_prices(viewer.organisation_id, [style_id])
    return partner_prices(bought.prices, style_id, view.sizes)


def partner_prices(
    found: services.PartnerPrices, style_id: int, sizes: Iterable[Mapping[str, Any]]
) -> list[Price]:
    """What a partner pays for a style, size by size (the list that wins for it, as its
    orders are priced), from its ``prices_for_partner``; the line sheets' API shows the
    same."""
    prices = []
    for size in sizes:
        price = found.for_item(style_id, size["id"])
        if price is None:
            continue
        prices.append(
            Price(
                price_list=price.price_list_uuid,
                price_list_name=price.price_list_name,
                currency=price.currency,
                tax_inclusive=price.tax_inclusive,
                size=size["label"],
                wholesale=api.money(price.wholesale, price.currency),
                suggested_retail=api.money(price.suggested_retail, price.currency)
                if price.suggested_retail is not None
                else None,
            )
        )
    return prices


catalog_api_routes = [list_styles, get_style]
