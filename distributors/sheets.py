"""A line sheet as a buyer reads it: a card per style (pictures, colour swatches, the
buyer's own price and surcharges, availability per delivery window), search and filters,
a page of cards at a time, and the running cart that follows the buyer across the sheet.

Cheap by design (issue 21): the filters read a light summary of every style (three
queries with one parameter each); the cards' full figures are loaded only for the page
being shown, and the next page comes when the buyer scrolls to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from distributors.access import VisibleCart, VisibleLineSheet, find_cart, line_sheet_filter
from distributors.forms import uuid_or_none
from distributors.records import SheetSeason
from distributors.services import (
    MatrixStyle,
    StyleRows,
    buyer_and_choices,
    channel_for,
    details_of,
    draft_quantities,
    load_styles,
    read_styles,
    season_of,
    windows_for,
)
from distributors.services import sheet_style_ids as ordered_style_ids
from distributors.tables import LineSheet, LineSheetStyle
from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog.availability import availability_by_style, delivery_windows
from partner_portal.catalog.swatches import swatch_of
from partner_portal.catalog.tables import Category, Gender, Style
from partner_portal.database import one_of
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.orders import services as orders
from partner_portal.orders.services import MAX_LINE_QUANTITY, LineRequest, OrderDraft
from partner_portal.orders.tables import OrderLine

CARDS_PER_PAGE = 24
MAX_SEARCH_LENGTH = 100
MAX_PAGE = 1000
NOVELTIES = ("new", "carry_over")


@dataclass(frozen=True)
class SheetFilters:
    """What the buyer searched for; values outside the choices are ignored, not refused."""

    text: str = ""
    category: str = ""
    colour: str = ""  # a swatch palette key
    gender: str = ""
    window: str = ""  # a delivery window's uuid
    novelty: str = ""  # "new" or "carry_over"
    page: int = 1

    def query(self, page: int | None = None) -> str:
        """The filters as a query string (for the next page's link)."""
        pairs = {
            "q": self.text,
            "category": self.category,
            "colour": self.colour,
            "gender": self.gender,
            "window": self.window,
            "novelty": self.novelty,
        }
        chosen = {name: value for name, value in pairs.items() if value}
        if page is not None and page > 1:
            chosen["page"] = str(page)
        return urlencode(chosen)

    @property
    def any(self) -> bool:
        return bool(
            self.text or self.category or self.colour or self.gender or self.window or self.novelty
        )


def read_filters(query: Mapping[str, str]) -> SheetFilters:
    page = whole_number(str(query.get("page", "1")), maximum=MAX_PAGE) or 1
    novelty = str(query.get("novelty", ""))
    return SheetFilters(
        text=" ".join(str(query.get("q", "")).split())[:MAX_SEARCH_LENGTH],
        category=str(query.get("category", ""))[:20],
        colour=str(query.get("colour", ""))[:20],
        gender=str(query.get("gender", ""))[:10],
        window=str(query.get("window", ""))[:40],
        novelty=novelty if novelty in NOVELTIES else "",
        page=max(page, 1),
    )


@dataclass
class StyleSummary:
    """What the filters need of a style."""

    id: int
    code: str
    names: tuple[str, str, str]
    category: str
    gender: str
    carry_over: bool
    colours: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, swatch key
    at_once: int = 0
    windows: dict[int, int] = field(default_factory=dict)  # window id -> pieces open

    def matches(self, filters: SheetFilters, window_id: int | None) -> bool:
        text = filters.text.lower()
        if text and not any(
            text in value.lower()
            for value in (self.code, *self.names, *(name for _, name, _ in self.colours))
        ):
            return False
        if filters.category and self.category != filters.category:
            return False
        if filters.gender and self.gender != filters.gender:
            return False
        if filters.colour and all(key != filters.colour for _, _, key in self.colours):
            return False
        if filters.novelty and self.carry_over != (filters.novelty == "carry_over"):
            return False
        return window_id is None or self.windows.get(window_id, 0) > 0


@dataclass
class SheetCard:
    style: MatrixStyle
    summary: StyleSummary
    pictures: list[str]
    # (window, pieces open) for each of the season's windows
    windows: list[tuple[dict[str, Any], int]]

    @property
    def swatches(self) -> list[tuple[str, str]]:
        """(colour name, swatch key) per colourway."""
        return [(name or code, key) for code, name, key in self.summary.colours]


@dataclass
class SheetPage:
    sheet: VisibleLineSheet
    season: SheetSeason | None
    buyer: dict[str, Any] | None
    buyers: list[dict[str, Any]]
    windows: list[dict[str, Any]]
    filters: SheetFilters
    cards: list[SheetCard]
    matching: int
    total: int
    next_page: int | None
    # What the sheet offers to filter by, as present on the sheet
    categories: list[str]
    genders: list[str]
    colours: list[str]
    has_carry_over: bool


async def style_summaries(read: StyleRows) -> list[StyleSummary]:
    """The styles read (in their order) as the filters need them, with their availability."""
    summaries = {
        style_id: StyleSummary(
            id=style_id,
            code=row.code,
            names=(row.name_en, row.name_zh, row.name_ko),
            category=row.category,
            gender=row.gender,
            carry_over=row.carry_over,
            colours=[
                (colour["code"], colour["name"], swatch_of(colour["code"], colour["name"]).key)
                for colour in read.colours[style_id]
            ],
        )
        for style_id, row in read.styles.items()
    }
    if not summaries:
        return []
    for style_id, figures in (await availability_by_style(summaries)).items():
        if style_id in summaries:
            summaries[style_id].at_once = figures.at_once
            summaries[style_id].windows = figures.pre_book
    return list(summaries.values())


async def sheet_page(
    viewer: Viewer, sheet: VisibleLineSheet, buyer_uuid: UUID | None, filters: SheetFilters
) -> SheetPage:
    """One page of a line sheet's cards for the buyer, after the search and filters."""
    buyer, buyers = await buyer_and_choices(viewer, buyer_uuid)
    read = await read_styles(viewer, await ordered_style_ids(sheet.id))
    summaries = await style_summaries(read)
    windows = (await delivery_windows([sheet.season])).get(sheet.season, [])
    window_id = next((w["id"] for w in windows if str(w["uuid"]) == filters.window), None)
    matching = [summary for summary in summaries if summary.matches(filters, window_id)]
    start = (filters.page - 1) * CARDS_PER_PAGE
    shown = matching[start : start + CARDS_PER_PAGE]
    styles = await load_styles(
        viewer, [s.id for s in shown], buyer["id"] if buyer else None, with_skus=False, read=read
    )
    by_id = {summary.id: summary for summary in shown}
    cards = [
        SheetCard(
            style=style,
            summary=by_id[style.id],
            pictures=style.image_urls,
            windows=[(window, by_id[style.id].windows.get(window["id"], 0)) for window in windows],
        )
        for style in styles
    ]
    season = season_of(sheet)
    present_colours = {key for summary in summaries for _, _, key in summary.colours}
    return SheetPage(
        sheet=sheet,
        season=season,
        buyer=buyer,
        buyers=buyers,
        windows=windows,
        filters=filters,
        cards=cards,
        matching=len(matching),
        total=len(summaries),
        next_page=filters.page + 1 if start + CARDS_PER_PAGE < len(matching) else None,
        categories=[c.value for c in Category if any(s.category == c for s in summaries)],
        genders=[g.value for g in Gender if any(s.gender == g for s in summaries)],
        colours=sorted(present_colours),
        has_carry_over=any(summary.carry_over for summary in summaries),
    )


# ---------------------------------------------------------------------------
# The running cart: the buyer's latest draft of the sheet's season


MAX_PACKS = 10_000


@dataclass(frozen=True)
class Cart:
    """The draft the sheet's cards add to (None until the first), with its totals."""

    order: VisibleCart | None

    @property
    def pieces(self) -> int:
        return self.order.total_quantity if self.order else 0


async def cart_of(viewer: Viewer, buyer: Mapping[str, Any] | None, season_id: int) -> Cart:
    if buyer is None or not viewer.can(Action.place_order):
        return Cart(None)
    return Cart(await find_cart(viewer, buyer["id"], season_id))


@dataclass(frozen=True)
class CartAddition:
    """What a card's "add" form asked for: a style, one colour or all, a prepack or one of
    every size, and how many packs."""

    style: str
    colour: str
    prepack: str
    packs: str


@dataclass
class CartResult:
    cart: Cart
    added: int = 0
    style_code: str = ""
    error: str = ""


@access.checked_by_caller("the cart's draft comes from find_cart")
async def _cart_lines(cart: VisibleCart) -> dict[int, int]:
    rows = await OrderLine.select(OrderLine.sku, OrderLine.quantity).where(
        OrderLine.order == cart.id
    )
    return {row["sku"]: row["quantity"] for row in rows}


async def add_to_cart(
    viewer: Viewer, sheet: VisibleLineSheet, buyer: Mapping[str, Any], addition: CartAddition
) -> CartResult:
    """Add packs of one style of the sheet to the buyer's cart draft (a new draft for the
    first addition, at the season's first delivery window still to come). Nothing is
    saved when the request does not make sense; the message says why."""
    access.require(viewer, Action.place_order)
    cart = await cart_of(viewer, buyer, sheet.season)
    packs = whole_number(addition.packs, minimum=1, maximum=MAX_PACKS)
    if packs is None:
        return CartResult(cart, error=_("Enter a whole number of packs, 1 to 10,000."))
    style_ids = await ordered_style_ids(sheet.id)
    style_uuid = uuid_or_none(addition.style)
    found = (
        await Style.select(Style.id)
        .where((Style.uuid == style_uuid) & one_of(Style.id, style_ids))
        .first()
        if style_uuid
        else None
    )
    styles = await load_styles(viewer, [found["id"]], buyer["id"]) if found else []
    if not styles:
        return CartResult(cart, error=_("This style is not on the sheet."))
    style = styles[0]
    colours = [c for c in style.colours if addition.colour in ("", str(c["id"]))]
    if not colours:
        return CartResult(cart, error=_("Choose one of the style's colours."))
    if addition.prepack:
        ratio = next((p for p in style.prepacks if str(p.id) == addition.prepack), None)
        if ratio is None:
            return CartResult(cart, error=_("Choose one of the style's packs."))
        per_size = ratio.expand(packs)
    else:
        per_size = {size["id"]: packs for size in style.sizes}
    lines = await _cart_lines(cart.order) if cart.order else {}
    added = 0
    for colour in colours:
        for size_id, pieces in per_size.items():
            sku_id = style.sku(colour["id"], size_id)
            if sku_id is not None and pieces:
                lines[sku_id] = lines.get(sku_id, 0) + pieces
                added += pieces
    if any(quantity > MAX_LINE_QUANTITY for quantity in lines.values()):
        return CartResult(cart, error=_("Whole pieces, 0 to 1,000,000."))
    requests = [LineRequest(sku_id, quantity) for sku_id, quantity in lines.items()]
    if cart.order is None:
        windows = await windows_for(styles)
        details = await details_of(None, windows)
        window = next((w for w in windows if str(w["uuid"]) == details.window_uuid), None)
        result = await orders.create_draft(
            viewer,
            OrderDraft(
                buyer_id=buyer["id"],
                channel=channel_for(buyer, viewer),
                lines=requests,
                season_id=sheet.season,
                delivery_window_start=window["starts_on"] if window else None,
                delivery_window_end=window["ends_on"] if window else None,
            ),
        )
    else:
        result = await orders.replace_lines(viewer, cart.order.uuid, requests, cart.order.version)
    if not result.saved:
        problem = next(iter(result.errors.values()), "") or _(
            "Someone else changed this draft meanwhile. Nothing was added; try again."
        )
        return CartResult(await cart_of(viewer, buyer, sheet.season), error=problem)
    return CartResult(await cart_of(viewer, buyer, sheet.season), added, style.code)


async def sheet_of_draft(viewer: Viewer, order: access.VisibleOrder) -> UUID | None:
    """The line sheet a draft reopens in when its link names none (from the start page,
    the order list, the order page): of the sheets the viewer may read in the draft's
    season, the one holding most of its styles, published before unpublished, newest
    first; None when no sheet holds any of them (an uploaded draft of other styles)."""
    query = access.narrow(
        LineSheet.select(LineSheet.id, LineSheet.uuid, LineSheet.published),
        line_sheet_filter(viewer),
    )
    if order.season is not None:
        query = query.where(LineSheet.season == order.season)
    candidates = await query
    if not candidates:
        return None
    draft_styles, _quantities = await draft_quantities(order)
    held: dict[int, int] = {}
    if draft_styles:
        for row in (
            await LineSheetStyle.select(LineSheetStyle.line_sheet)
            .where(one_of(LineSheetStyle.line_sheet, [sheet["id"] for sheet in candidates]))
            .where(one_of(LineSheetStyle.style, draft_styles))
        ):
            held[row["line_sheet"]] = held.get(row["line_sheet"], 0) + 1
    best = max(
        candidates,
        key=lambda sheet: (held.get(sheet["id"], 0), sheet["published"], sheet["id"]),
    )
    if draft_styles and not held.get(best["id"]):
        return None
    return best["uuid"]
