"""JSON API (/api/v1/line-sheets) for line sheets, with the pages' rules
(distributors/access.py): the brand's users read every sheet, drafts too; a buyer's users
the published sheets whose audience names their organisation or its tier. A sheet's
styles are what its cards show: the styles the reader may see (a partner: active ones),
their colours, sizes, pictures and what can still be ordered, and the buyer's own prices
(the catalog API's, partner_portal/catalog/api.py): a buyer's users their organisation's;
the brand's users those of the buyer named by ``buyer`` (a partner they may order for),
none without one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import FromPath, QueryParameter

from distributors import publishing, services, sheets
from distributors.access import DistributorAction, get_line_sheet
from distributors.forms import uuid_or_none
from partner_portal import api
from partner_portal.catalog.api import DeliveryWindow, Price, partner_prices
from partner_portal.catalog.availability import delivery_windows
from partner_portal.i18n import gettext as _
from partner_portal.orders import services as orders
from partner_portal.web import CurrentViewer

API = "/api/v1/line-sheets"


class LineSheetSummary(msgspec.Struct):
    id: UUID
    title: str
    season: str
    # Drafts are seen by the brand only.
    published: bool
    style_count: int
    updated_at: datetime


class LineSheetList(msgspec.Struct):
    items: list[LineSheetSummary]
    # Pass as ?cursor= for older sheets; null on the last page.
    next_cursor: str | None


class LineSheet(msgspec.Struct):
    id: UUID
    title: str
    notes: str
    season: str
    season_name: str
    published: bool
    style_count: int
    delivery_windows: list[DeliveryWindow]
    version: int
    updated_at: datetime


class Colour(msgspec.Struct):
    code: str
    name: str


class SheetSku(msgspec.Struct):
    colour: str
    size: str
    # Pieces that can still be ordered for delivery now.
    available_at_once: int


class WindowAvailability(msgspec.Struct):
    window: UUID
    # Pieces of the style (all colours and sizes) that can still be pre-booked.
    available: int


class VolumeBreak(msgspec.Struct):
    from_quantity: int
    percent_off: api.DecimalText


class SheetStyle(msgspec.Struct):
    id: UUID
    code: str
    name_en: str
    name_zh: str
    name_ko: str
    category: str
    gender: str
    carry_over: bool
    fabric_composition: str
    colours: list[Colour]
    sizes: list[str]
    pictures: list[str]
    skus: list[SheetSku]
    pre_book: list[WindowAvailability]
    # What the buyer pays, size by size; empty without a buyer or a price.
    prices: list[Price]
    # Percent off the style's prices from a quantity of it in one order (the buyer's list).
    volume_breaks: list[VolumeBreak]


class SheetStyleList(msgspec.Struct):
    # The buyer the prices are for (null: no prices).
    buyer: UUID | None
    items: list[SheetStyle]
    # Pass as ?cursor= for the sheet's next styles; null on the last page.
    next_cursor: str | None


Buyer = Annotated[
    str,
    QueryParameter(
        max_length=40,
        description="The buying partner whose prices to show (the brand's users); a "
        "buyer's users always see their own.",
    ),
]


@api.get(API, tags=["line sheets"])
async def api_line_sheets(
    viewer: CurrentViewer, cursor: api.Cursor = "", limit: api.Limit = api.DEFAULT_LIMIT
) -> LineSheetList:
    """The line sheets you may read, newest first."""
    position = api.decode_cursor(cursor, (int,))
    rows = await publishing.list_line_sheets(viewer, position[0] if position else None, limit + 1)
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.id])
    return LineSheetList(
        items=[
            LineSheetSummary(
                id=row.uuid,
                title=row.title,
                season=row.season_code,
                published=bool(row.published),
                style_count=row.style_count,
                updated_at=api.timestamp(row.updated_at),
            )
            for row in shown
        ],
        next_cursor=next_cursor,
    )


@api.get(f"{API}/{{sheet_id:uuid}}", tags=["line sheets"])
async def api_line_sheet(viewer: CurrentViewer, sheet_id: FromPath[UUID]) -> LineSheet:
    """One line sheet with its season's delivery windows; its styles are at .../styles."""
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.view_line_sheets)
    windows = (await delivery_windows([sheet.season]))[sheet.season]
    season = services.season_of(sheet)
    return LineSheet(
        id=sheet.uuid,
        title=sheet.title,
        notes=sheet.notes,
        season=season.code if season else "",
        season_name=season.name if season else "",
        published=bool(sheet.published),
        style_count=len(await services.sheet_style_ids(sheet.id)),
        delivery_windows=[
            DeliveryWindow(
                id=window["uuid"],
                name=window["name"],
                starts_on=window["starts_on"],
                ends_on=window["ends_on"],
            )
            for window in windows
        ],
        version=sheet.version,
        updated_at=api.timestamp(sheet.updated_at),
    )


@api.get(f"{API}/{{sheet_id:uuid}}/styles", tags=["line sheets"])
async def api_line_sheet_styles(
    viewer: CurrentViewer,
    sheet_id: FromPath[UUID],
    buyer: Buyer = "",
    cursor: api.Cursor = "",
    limit: Annotated[
        int, QueryParameter(ge=1, le=100, description="How many styles to return, 1 to 100.")
    ] = 24,
) -> SheetStyleList:
    """The sheet's styles in its order, as its cards show them, with the buyer's prices."""
    sheet = await get_line_sheet(viewer, sheet_id, DistributorAction.view_line_sheets)
    buyer_uuid = uuid_or_none(buyer)
    if buyer and buyer_uuid is None:
        raise api.invalid({"buyer": _("Give the buying partner's id.")})
    chosen = await services.chosen_buyer(viewer, buyer_uuid)
    position = api.decode_cursor(cursor, (int, int))
    places = await services.sheet_styles_after(
        sheet.id, (position[0], position[1]) if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(places, limit, lambda place: place[:2])
    style_ids = [style_id for _position, _place, style_id in shown]
    read = await services.read_styles(viewer, style_ids)
    summaries = {summary.id: summary for summary in await sheets.style_summaries(read)}
    styles = await services.load_styles(viewer, style_ids, None, read=read)
    windows = (await delivery_windows([sheet.season]))[sheet.season]
    # The list the buyer's contract in force chooses, as its orders are priced.
    prices = (await orders.buyer_prices(chosen["id"], style_ids)).prices if chosen else None
    items = []
    for style in styles:
        summary = summaries.get(style.id)
        if summary is None:
            continue
        colour_codes = {colour["id"]: colour["code"] for colour in style.colours}
        size_labels = {size["id"]: size["label"] for size in style.sizes}
        items.append(
            SheetStyle(
                id=style.uuid,
                code=style.code,
                name_en=style.names["en"],
                name_zh=style.names["zh_Hans"],
                name_ko=style.names["ko"],
                category=summary.category,
                gender=summary.gender,
                carry_over=summary.carry_over,
                fabric_composition=style.fabric,
                colours=[Colour(code=code, name=name) for code, name, _key in summary.colours],
                sizes=[size["label"] for size in style.sizes],
                pictures=style.image_urls,
                skus=[
                    SheetSku(
                        colour=colour_codes[colour_id],
                        size=size_labels[size_id],
                        available_at_once=style.stock.get(sku_id, 0),
                    )
                    for (colour_id, size_id), sku_id in style.skus.items()
                ],
                pre_book=[
                    WindowAvailability(
                        window=window["uuid"], available=summary.windows.get(window["id"], 0)
                    )
                    for window in windows
                ],
                prices=partner_prices(prices, style.id, style.sizes) if prices else [],
                volume_breaks=_breaks(prices.volume_breaks_for(style.id) if prices else []),
            )
        )
    return SheetStyleList(
        buyer=chosen["uuid"] if chosen else None,
        items=items,
        next_cursor=next_cursor,
    )


def _breaks(breaks: list[tuple[int, Decimal]]) -> list[VolumeBreak]:
    return [
        VolumeBreak(from_quantity=quantity, percent_off=api.decimal_text(percent))
        for quantity, percent in breaks
    ]


line_sheet_api_routes = [api_line_sheets, api_line_sheet, api_line_sheet_styles]
