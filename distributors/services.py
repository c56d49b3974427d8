"""Line sheets and matrix order entry: what the brand publishes to whom, what a buyer
sees of it (its own prices, pictures, stock), and the colour × size grid that becomes a
draft order in the kernel's order book and is submitted there.

Orders are only ever written through partner_portal.orders.services (create_draft,
replace_lines, update_details, submit_order), so the kernel's rules hold for them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar.exceptions import PermissionDeniedException
from piccolo.query.methods.select import Select

from distributors.access import VisibleLineSheet
from distributors.records import LineSheetRecord, SheetSeason, SheetStyleRow
from distributors.tables import LineSheetStyle
from partner_portal import access, inputs
from partner_portal.access import Action, Viewer
from partner_portal.catalog.availability import availability_for, delivery_windows
from partner_portal.catalog.images import style_images
from partner_portal.catalog.prepacks import PrepackRatio, prepacks_for_scales
from partner_portal.catalog.services import PartnerPrice, PartnerPrices
from partner_portal.catalog.tables import Colourway, Size, Sku, Style
from partner_portal.clock import utcnow
from partner_portal.database import one_of
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.orders import services as orders
from partner_portal.orders.records import OrderRecord
from partner_portal.orders.services import (
    MAX_LINE_QUANTITY,
    LineRequest,
    OrderDraft,
    channel_for,  # the one channel rule, also for sheets.py, upload.py and delivery.py
)
from partner_portal.orders.tables import OrderLine, OrderStatus
from partner_portal.registries import OrderFinding, registry
from partner_portal.statements import Parameter, Prepared

# ---------------------------------------------------------------------------
# The styles of a sheet or a draft as the buyer sees them


@dataclass
class MatrixStyle:
    """One style's grid: colours down, sizes across, the SKU of each cell, the buyer's price,
    at-once stock per SKU, pictures and prepacks."""

    id: int
    uuid: UUID
    code: str
    names: dict[str, str]
    fabric: str
    season_id: int
    colours: list[dict[str, Any]]
    sizes: list[dict[str, Any]]
    skus: dict[tuple[int, int], int]
    price: PartnerPrice | None
    # (from quantity, percent off) of the buyer's list for this style, rising.
    volume_breaks: list[tuple[int, Decimal]]
    # size id -> the buyer's unit price in that size (a larger size may cost more)
    size_prices: dict[int, Decimal]
    stock: dict[int, int]
    pre_book: int
    image_url: str | None
    image_path: str | None
    prepacks: list[PrepackRatio]
    # every picture of the style, main one first (the line sheet's card shows them all)
    image_urls: list[str] = field(default_factory=list)
    # The buyer's contract in force takes this percent off the prices above (before any
    # volume break), as the order will: the grid's running totals apply it too.
    contract_percent: Decimal = Decimal(0)
    contract_number: str = ""

    def sku(self, colour_id: int, size_id: int) -> int | None:
        return self.skus.get((colour_id, size_id))

    def surcharges(self) -> list[tuple[str, Decimal]]:
        """The sizes that cost more than the style's price, with what they cost."""
        if self.price is None:
            return []
        base = self.price.wholesale
        return [
            (size["label"], self.size_prices[size["id"]])
            for size in self.sizes
            if self.size_prices.get(size["id"], base) > base
        ]

    @property
    def at_once_total(self) -> int:
        return sum(self.stock.values())


STYLE_COLUMNS = (
    Style.id,
    Style.uuid,
    Style.code,
    Style.name_en,
    Style.name_zh,
    Style.name_ko,
    Style.fabric_composition,
    Style.season,
    Style.size_scale,
    Style.category,
    Style.gender,
    Style.carry_over,
)


@dataclass(frozen=True)
class StyleRows:
    """Styles the viewer may see, in the order asked, and their colourways: what a line
    sheet's filters and its cards (or the API's summaries and styles) both start from, so
    a page reads them once."""

    styles: dict[int, SheetStyleRow]
    colours: dict[int, list[dict[str, Any]]]


# The sheet's and the grid's statements are built once (partner_portal/statements.py):
# Piccolo spent 0.1 to 0.5 ms of CPU building each of them on every view (issue 21).


@Prepared
def _colours_of_styles() -> Select:
    return (
        Colourway.select(Colourway.id, Colourway.style, Colourway.code, Colourway.name)
        .where(one_of(Colourway.style, Parameter("styles")))
        .order_by(Colourway.id)
    )


@Prepared
def _sizes_of_scales() -> Select:
    return (
        Size.select(Size.id, Size.size_scale, Size.label)
        .where(one_of(Size.size_scale, Parameter("scales")))
        .order_by(Size.position)
    )


@Prepared
def _skus_of_styles() -> Select:
    return Sku.select(Sku.id, Sku.style, Sku.colourway, Sku.size).where(
        one_of(Sku.style, Parameter("styles"))
    )


@Prepared
def _styles_of_sheet() -> Select:
    return (
        LineSheetStyle.select(LineSheetStyle.style)
        .where(LineSheetStyle.line_sheet == Parameter("sheet"))
        .order_by(LineSheetStyle.position)
    )


@Prepared
def _styles_in_view(viewer: Viewer) -> Select:
    return access.narrow(
        Style.select(*STYLE_COLUMNS).where(one_of(Style.id, Parameter("styles"))),
        access.style_filter(viewer),
    )


async def read_styles(viewer: Viewer, style_ids: Sequence[int]) -> StyleRows:
    """Two queries, one parameter each, whatever the number of styles."""
    if not style_ids:
        return StyleRows({}, {})
    rows = await _styles_in_view.rows(viewer, styles=style_ids)
    found = {row.id: row for row in SheetStyleRow.from_rows(rows)}
    styles = {
        style_id: found[style_id] for style_id in dict.fromkeys(style_ids) if style_id in found
    }
    colours: dict[int, list[dict[str, Any]]] = {style_id: [] for style_id in styles}
    if styles:
        for row in await _colours_of_styles.rows(styles=list(styles)):
            colours[row["style"]].append(row)
    return StyleRows(styles, colours)


async def load_styles(
    viewer: Viewer,
    style_ids: Sequence[int],
    buyer_id: int | None,
    *,
    with_skus: bool = True,
    read: StyleRows | None = None,
) -> list[MatrixStyle]:
    """The styles (in the order given) the viewer may see, with everything the grid and the
    sheet show: a fixed number of queries whatever the number of styles and SKUs.

    A line sheet's cards show availability per style, not per cell: they ask
    ``with_skus=False`` and get no SKUs and no stock (three queries fewer, the two largest).
    A caller that has read the styles already (``read_styles``, for more of them) hands
    them over, two queries fewer.
    """
    if not style_ids:
        return []
    if read is None:
        read = await read_styles(viewer, style_ids)
    styles, colours = read.styles, read.colours
    wanted = [style_id for style_id in dict.fromkeys(style_ids) if style_id in styles]
    if not wanted:
        return []
    scale_ids = {styles[style_id].size_scale for style_id in wanted}
    sizes: dict[int, list[dict[str, Any]]] = {scale_id: [] for scale_id in scale_ids}
    for size in await _sizes_of_scales.rows(scales=scale_ids):
        sizes[size["size_scale"]].append(size)
    skus: dict[int, dict[tuple[int, int], int]] = {style_id: {} for style_id in wanted}
    if with_skus:
        for sku in await _skus_of_styles.rows(styles=wanted):
            skus[sku["style"]][(sku["colourway"], sku["size"])] = sku["id"]
    all_skus = [sku_id for cells in skus.values() for sku_id in cells.values()]
    availability = await availability_for(all_skus)
    bought = await orders.buyer_prices(buyer_id, wanted) if buyer_id else None
    prices = bought.prices if bought else None
    images = await style_images(wanted)
    prepacks = await prepacks_for_scales(scale_ids)
    result = []
    for style_id in wanted:
        row = styles[style_id]
        cells = skus[style_id]
        first_image = images[style_id][0] if images[style_id] else None
        result.append(
            MatrixStyle(
                id=style_id,
                uuid=row.uuid,
                code=row.code,
                names={"en": row.name_en, "zh_Hans": row.name_zh, "ko": row.name_ko},
                fabric=row.fabric_composition,
                season_id=row.season,
                colours=colours[style_id],
                sizes=sizes[row.size_scale],
                skus=cells,
                price=prices.for_item(style_id) if prices else None,
                contract_percent=bought.contract_percent if bought else Decimal(0),
                contract_number=bought.contract_number if bought else "",
                volume_breaks=prices.volume_breaks_for(style_id) if prices else [],
                size_prices=_size_prices(prices, style_id, sizes[row.size_scale]),
                stock={sku_id: availability[sku_id].at_once for sku_id in cells.values()},
                pre_book=sum(
                    sum(availability[sku_id].pre_book.values()) for sku_id in cells.values()
                ),
                image_url=first_image["url"] if first_image else None,
                image_path=first_image["path"] if first_image else None,
                prepacks=prepacks[row.size_scale],
                image_urls=[image["url"] for image in images[style_id]],
            )
        )
    return result


def _size_prices(
    prices: PartnerPrices | None, style_id: int, sizes: Sequence[Mapping[str, Any]]
) -> dict[int, Decimal]:
    if prices is None:
        return {}
    found = {size["id"]: prices.for_item(style_id, size["id"]) for size in sizes}
    return {size_id: price.wholesale for size_id, price in found.items() if price is not None}


async def sheet_styles_after(
    sheet_id: int, after: tuple[int, int] | None, limit: int
) -> list[tuple[int, int, int]]:
    """Up to ``limit`` of a sheet's places, in its order, after the (position, place id) of
    the last one already read: (position, place id, style id) each."""
    query = LineSheetStyle.select(
        LineSheetStyle.id, LineSheetStyle.position, LineSheetStyle.style
    ).where(LineSheetStyle.line_sheet == sheet_id)
    if after is not None:
        position, place_id = after
        query = query.where(
            (LineSheetStyle.position > position)
            | ((LineSheetStyle.position == position) & (LineSheetStyle.id > place_id))
        )
    rows = await query.order_by(LineSheetStyle.position).order_by(LineSheetStyle.id).limit(limit)
    return [(row["position"], row["id"], row["style"]) for row in rows]


# A grid draws what is seen first, and the rest in batches as the buyer scrolls: Jinja
# took ~150 ms of the server's CPU for the 2,880 cells of a 52-style sheet drawn at once.
FIRST_BATCH = 6
BATCH = 12


@dataclass(frozen=True)
class GridBatch:
    """The styles a grid draws now, and where the next batch starts (None: none left)."""

    style_ids: list[int]
    next_start: int | None = None
    left: int = 0


def grid_batch(style_ids: Sequence[int], up_front: Iterable[int], start: int) -> GridBatch:
    """The page (``start`` 0) draws the styles already ordered (a draft's) and the first
    FIRST_BATCH others, in the grid's order; a later batch draws the next BATCH of the
    others from ``start`` (how many of them are drawn)."""
    ordered = set(up_front)
    others = [style_id for style_id in style_ids if style_id not in ordered]
    if start <= 0:
        end = FIRST_BATCH
        first = set(others[:end])
        drawn = [style_id for style_id in style_ids if style_id in ordered or style_id in first]
    else:
        end = start + BATCH
        drawn = others[start:end]
    left = max(0, len(others) - end)
    return GridBatch(drawn, end if left else None, left)


def drawn_styles(style_ids: Sequence[int], form: Mapping[str, Any]) -> list[int]:
    """The styles a posted grid drew (each section sends ``s-<style>``); every style for a
    form without the marks (sent by a script or an older page)."""
    drawn = [style_id for style_id in style_ids if f"s-{style_id}" in form]
    return drawn or list(style_ids)


async def sheet_style_ids(sheet_id: int) -> list[int]:
    return [row["style"] for row in await _styles_of_sheet.rows(sheet=sheet_id)]


async def buyer_choices(viewer: Viewer) -> list[dict[str, Any]]:
    """Whom the viewer may order for: a buyer's own organisation (and a distributor's
    retailers); for the brand, every buying partner it sees."""
    return await orders.visible_buyers(viewer)


async def chosen_buyer(viewer: Viewer, buyer_uuid: UUID | None) -> dict[str, Any] | None:
    """The buyer a sheet or grid is priced for: the one asked for if the viewer may order for
    it (404 if invisible, 403 if not), else the viewer's own buying organisation."""
    if buyer_uuid is not None:
        organisation = await access.get_organisation(viewer, buyer_uuid)
        buyer = await access.get_buyer(viewer, organisation.id)
        return dict(buyer)
    if viewer.is_brand or not viewer.can(Action.place_order):
        return None
    return dict(await access.get_buyer(viewer, viewer.organisation_id))


async def buyer_and_choices(
    viewer: Viewer, buyer_uuid: UUID | None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """chosen_buyer and buyer_choices with one query where the buyer is among the choices
    (the same row, checked the same way); else chosen_buyer answers, 404 or 403 included."""
    choices = await buyer_choices(viewer)
    if buyer_uuid is not None:
        found = next((row for row in choices if row["uuid"] == buyer_uuid), None)
    elif not viewer.is_brand and viewer.can(Action.place_order):
        found = next((row for row in choices if row["id"] == viewer.organisation_id), None)
    else:
        return None, choices
    return (dict(found) if found else await chosen_buyer(viewer, buyer_uuid)), choices


@dataclass
class SheetView:
    sheet: VisibleLineSheet
    season: SheetSeason | None
    styles: list[MatrixStyle]
    buyer: dict[str, Any] | None
    buyers: list[dict[str, Any]]
    windows: list[dict[str, Any]]


def season_of(sheet: LineSheetRecord) -> SheetSeason | None:
    """The season of a sheet from get_line_sheet; None if it is gone."""
    if sheet.season_code is None:
        return None
    return SheetSeason(id=sheet.season, code=sheet.season_code, name=sheet.season_name or "")


async def sheet_view(viewer: Viewer, sheet: VisibleLineSheet, buyer_uuid: UUID | None) -> SheetView:
    buyer, buyers = await buyer_and_choices(viewer, buyer_uuid)
    styles = await load_styles(
        viewer, await sheet_style_ids(sheet.id), buyer["id"] if buyer else None
    )
    windows = await delivery_windows([sheet.season])
    return SheetView(
        sheet=sheet,
        season=season_of(sheet),
        styles=styles,
        buyer=buyer,
        buyers=buyers,
        windows=windows.get(sheet.season, []),
    )


# ---------------------------------------------------------------------------
# The grid: reading what was typed, pasted or ordered in packs


def quantity_field(sku_id: int) -> str:
    return f"q-{sku_id}"


@dataclass
class Grid:
    """What the buyer typed, cell by cell (kept as typed so a refused form shows it again),
    the quantities it means, and the messages by cell."""

    texts: dict[str, str] = field(default_factory=dict)
    quantities: dict[int, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[LineRequest]:
        return [LineRequest(sku_id, quantity) for sku_id, quantity in self.quantities.items()]


PASTE_SPLIT = re.compile(r"\t|;|,| {2,}")


def _apply_paste(style: MatrixStyle, text: str, texts: dict[str, str]) -> str | None:
    """Fill a style's cells from a block copied out of a spreadsheet: one row per colour,
    one column per size, in the grid's order. A header row of size labels and a first
    column of colour codes or names are recognised and may reorder the block."""
    rows = [PASTE_SPLIT.split(line.strip("\r")) for line in text.splitlines() if line.strip()]
    if not rows:
        return None
    labels = [size["label"].lower() for size in style.sizes]
    columns = list(range(len(style.sizes)))
    first = [cell.strip().lower() for cell in rows[0]]
    if any(cell in labels for cell in first):
        offset = 0 if first[0] in labels else 1
        columns = [labels.index(cell) if cell in labels else -1 for cell in first[offset:]]
        rows = rows[1:]
    colour_keys = {
        key.lower(): index
        for index, colour in enumerate(style.colours)
        for key in (colour["code"], colour["name"])
        if key
    }
    for row_index, cells in enumerate(rows):
        head = cells[0].strip().lower() if cells else ""
        if head in colour_keys:
            colour_index, values = colour_keys[head], cells[1:]
        elif head and not head.isdigit():
            return _("Row %(row)s of the pasted block names an unknown colour.", row=row_index + 1)
        else:
            colour_index, values = row_index, cells
        if colour_index >= len(style.colours):
            return _("The pasted block has more rows than the style has colours.")
        if len(values) > len(columns):
            return _("The pasted block has more columns than the style has sizes.")
        for column_index, value in enumerate(values):
            size_index = columns[column_index]
            if size_index < 0:
                continue
            sku_id = style.sku(style.colours[colour_index]["id"], style.sizes[size_index]["id"])
            if sku_id is not None:
                texts[quantity_field(sku_id)] = value.strip()
    return None


def read_grid(styles: Sequence[MatrixStyle], form: Mapping[str, Any]) -> Grid:
    """The quantities in a posted grid. A pasted block (``paste-<style>``) and packs of a
    prepack (``packs-<style>-<colour>`` with ``prepack-<style>``) fill cells first; what
    they fill is shown in the grid, so the buyer sees what will be ordered."""
    grid = Grid()
    for style in styles:
        for cell_sku in style.skus.values():
            name = quantity_field(cell_sku)
            grid.texts[name] = str(form.get(name, "")).strip()
        paste = str(form.get(f"paste-{style.id}", ""))
        if paste.strip():
            problem = _apply_paste(style, paste, grid.texts)
            if problem:
                grid.errors[f"paste-{style.id}"] = problem
                grid.texts[f"paste-{style.id}"] = paste
        prepack_id = str(form.get(f"prepack-{style.id}", ""))
        grid.texts[f"prepack-{style.id}"] = prepack_id
        ratio = next((p for p in style.prepacks if str(p.id) == prepack_id), None)
        for colour in style.colours:
            packs_name = f"packs-{style.id}-{colour['id']}"
            packs = str(form.get(packs_name, "")).strip()
            if not packs:
                continue
            pack_count = inputs.valid(
                grid.errors,
                packs_name,
                inputs.quantity(packs, allow_zero=True, maximum=MAX_LINE_QUANTITY),
                _("Enter a whole number of packs."),
            )
            if pack_count is None:
                grid.texts[packs_name] = packs
                continue
            if ratio is None:
                grid.errors[packs_name] = _("Choose a prepack first.")
                grid.texts[packs_name] = packs
                continue
            for size_id, quantity in ratio.expand(pack_count).items():
                sku_id = style.sku(colour["id"], size_id)
                if sku_id is not None:
                    grid.texts[quantity_field(sku_id)] = str(quantity)
    for style in styles:
        for sku_id in style.skus.values():
            name = quantity_field(sku_id)
            text = grid.texts[name]
            if not text:
                continue
            pieces = inputs.valid(
                grid.errors,
                name,
                inputs.quantity(text, allow_zero=True, maximum=MAX_LINE_QUANTITY),
                _("Whole pieces, 0 to 1,000,000."),
            )
            if pieces:
                grid.quantities[sku_id] = pieces
    return grid


@dataclass
class Totals:
    rows: dict[tuple[int, int], int]
    columns: dict[tuple[int, int], int]
    styles: dict[int, int]
    style_values: dict[int, Decimal]
    quantity: int
    value: Decimal | None
    currency: str
    findings: list[OrderFinding]
    price_errors: list[str]


async def totals_for(
    viewer: Viewer,
    styles: Sequence[MatrixStyle],
    grid: Grid,
    buyer: Mapping[str, Any] | None,
    delivery_start: Any = None,
) -> Totals:
    """Pieces per colour row, size column and style, the order value at the buyer's prices
    (with volume breaks), and what the brand's order rules say about it so far: judged as
    the order saving it would make (by ``viewer``: a brand rep's entry is rep-entered)."""
    sku_cells = {
        sku_id: (style.id, colour_id, size_id)
        for style in styles
        for (colour_id, size_id), sku_id in style.skus.items()
    }
    rows: dict[tuple[int, int], int] = {}
    columns: dict[tuple[int, int], int] = {}
    per_style: dict[int, int] = {}
    for sku_id, quantity in grid.quantities.items():
        style_id, colour_id, size_id = sku_cells[sku_id]
        rows[(style_id, colour_id)] = rows.get((style_id, colour_id), 0) + quantity
        columns[(style_id, size_id)] = columns.get((style_id, size_id), 0) + quantity
        per_style[style_id] = per_style.get(style_id, 0) + quantity
    style_values: dict[int, Decimal] = {}
    value: Decimal | None = None
    findings: list[OrderFinding] = []
    price_errors: list[str] = []
    currency = buyer["currency"] if buyer else ""
    if buyer is not None and grid.quantities:
        priced, errors = await orders.price_lines(buyer, grid.lines())
        price_errors = sorted(set(errors.values()))
        if priced is not None:
            value = priced.total
            currency = priced.currency  # the contract in force may name another currency
            for row in priced.rows:
                style_values[row["style"]] = (
                    style_values.get(row["style"], Decimal(0)) + row["line_total"]
                )
            findings = await registry.check_order(
                {
                    "id": None,
                    "buyer": buyer["id"],
                    "channel": channel_for(buyer, viewer),
                    "currency": priced.currency,
                    "total": priced.total,
                    "delivery_window_start": delivery_start,
                },
                priced.rows,
            )
    return Totals(
        rows=rows,
        columns=columns,
        styles=per_style,
        style_values=style_values,
        quantity=sum(per_style.values()),
        value=value,
        currency=currency,
        findings=findings,
        price_errors=price_errors,
    )


# ---------------------------------------------------------------------------
# Saving and submitting the grid


@dataclass
class MatrixDetails:
    """The order's details entered above the grid."""

    customer_po: str = ""
    window_uuid: str = ""  # empty: at once, from stock
    ship_to: str = ""  # the id of one of the buyer's addresses, or the draft's text as saved
    # style id -> the window it is delivered in when not the order's (the order is split)
    style_windows: dict[int, str] = field(default_factory=dict)
    # window uuid -> the buyer's PO number for the order of that window
    window_pos: dict[str, str] = field(default_factory=dict)

    def window_of(self, style_id: int) -> str:
        return self.style_windows.get(style_id) or self.window_uuid


async def draft_for_grid(viewer: Viewer, order_uuid: UUID) -> access.VisibleOrder:
    """A draft the viewer may change the lines of (404 if invisible, 403 otherwise)."""
    order = await access.get_order(viewer, order_uuid, Action.place_order)
    if order.status != OrderStatus.draft:
        raise PermissionDeniedException(_("Only a draft's lines can be changed."))
    return order


@access.checked_by_caller("the draft comes from get_order")
async def draft_quantities(draft: access.VisibleOrder) -> tuple[list[int], dict[str, str]]:
    """A draft's styles (in line order) and its quantities as grid texts."""
    rows = (
        await OrderLine.select(OrderLine.style, OrderLine.sku, OrderLine.quantity)
        .where(OrderLine.order == draft.id)
        .order_by(OrderLine.id)
    )
    styles = list(dict.fromkeys(row["style"] for row in rows))
    return styles, {quantity_field(row["sku"]): str(row["quantity"]) for row in rows}


async def _window(season_ids: Iterable[int], window_uuid: str) -> dict[str, Any] | None:
    if not window_uuid:
        return None
    for windows in (await delivery_windows(season_ids)).values():
        for window in windows:
            if str(window["uuid"]) == window_uuid:
                return window
    return None


async def save_grid(
    viewer: Viewer,
    buyer: Mapping[str, Any],
    styles: Sequence[MatrixStyle],
    grid: Grid,
    details: MatrixDetails,
    order: access.VisibleOrder | None,
    opened_version: int,
    ship_to: str = "",
) -> SaveResult:
    """Save the grid into a draft: a new draft for the first save, the draft's lines
    replaced (guarded by the version the page was opened with) after that."""
    if grid.errors:
        return SaveResult(errors=grid.errors)
    if not grid.quantities:
        return SaveResult(errors={"grid": _("Enter at least one quantity.")})
    season_ids = {style.season_id for style in styles}
    window = await _window(season_ids, details.window_uuid)
    if details.window_uuid and window is None:
        return SaveResult(errors={"window": _("Choose a delivery window from the list.")})
    if len(details.customer_po) > 60:
        return SaveResult(errors={"customer_po": _("At most 60 characters.")})
    dates: dict[str, Any] = {
        "delivery_window_start": window["starts_on"] if window else None,
        "delivery_window_end": window["ends_on"] if window else None,
        "customer_po": details.customer_po,
        "ship_to": ship_to,
    }
    if order is None:
        return await orders.create_draft(
            viewer,
            OrderDraft(
                buyer_id=buyer["id"],
                channel=channel_for(buyer, viewer),
                lines=grid.lines(),
                season_id=next(iter(season_ids)) if len(season_ids) == 1 else None,
                customer_po=details.customer_po,
                ship_to=ship_to,
                delivery_window_start=dates["delivery_window_start"],
                delivery_window_end=dates["delivery_window_end"],
            ),
        )
    # The draft may hold styles not in this grid (an uploaded file): keep their lines.
    shown = {sku_id for style in styles for sku_id in style.skus.values()}
    kept = [
        LineRequest(row["sku"], row["quantity"])
        for row in await OrderLine.select(OrderLine.sku, OrderLine.quantity).where(
            OrderLine.order == order.id
        )
        if row["sku"] not in shown
    ]
    result = await orders.replace_lines(viewer, order.uuid, [*grid.lines(), *kept], opened_version)
    if not result.saved or result.current_version is None:
        return result
    if any(getattr(order, name) != value for name, value in dates.items()):
        return await orders.update_details(viewer, order.uuid, dates, result.current_version)
    return result


async def windows_for(styles: Sequence[MatrixStyle]) -> list[dict[str, Any]]:
    """The delivery windows of the grid's seasons (pre-book drops), by first day."""
    by_season = await delivery_windows({style.season_id for style in styles})
    return sorted(
        (window for windows in by_season.values() for window in windows),
        key=lambda window: window["starts_on"],
    )


def window_start(windows: Sequence[Mapping[str, Any]], window_uuid: str) -> Any:
    """The first delivery day of the chosen window; None for an at-once order."""
    for window in windows:
        if str(window["uuid"]) == window_uuid:
            return window["starts_on"]
    return None


async def details_of(
    order: OrderRecord | None, windows: Sequence[Mapping[str, Any]]
) -> MatrixDetails:
    if order is None:
        # A pre-book sheet delivers in its windows: the first still to come is the default.
        today = utcnow().date()
        coming = [window for window in windows if window["starts_on"] >= today]
        first = coming[0] if coming else (windows[0] if windows else None)
        return MatrixDetails(window_uuid=str(first["uuid"]) if first else "")
    chosen = next(
        (
            window
            for window in windows
            if window["starts_on"] == order.delivery_window_start
            and window["ends_on"] == order.delivery_window_end
        ),
        None,
    )
    return MatrixDetails(
        customer_po=order.customer_po,
        window_uuid=str(chosen["uuid"]) if chosen else "",
        ship_to=order.ship_to,
    )
