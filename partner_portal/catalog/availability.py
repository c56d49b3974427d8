"""Availability per SKU: at-once stock (ATS: what can ship now) and the quantities still
open for pre-book in each delivery window of the style's season (SS27 drop 1, drop 2).

No row means nothing available. ``availability_for(sku_ids)`` answers for a whole
order or line sheet in two queries; the style's availability page and the CSV/xlsx
import maintain the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.methods.select import Select

from partner_portal import access, inputs
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog import forms
from partner_portal.catalog.records import DeliveryWindowRecord, SeasonRecord, StyleRecord
from partner_portal.catalog.tables import DeliveryWindow, PreBookAvailability, Sku, SkuStock
from partner_portal.clock import utcnow
from partner_portal.database import list_parameter, one_of, one_of_sql, write_transaction
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.spreadsheets import RowError, read_rows
from partner_portal.statements import Parameter, Prepared

AT_ONCE = "ATS"


@dataclass
class SkuAvailability:
    """What can be ordered of one SKU: ``at_once`` units now, and ``pre_book`` units per
    delivery window id (windows with nothing open are left out)."""

    at_once: int = 0
    pre_book: dict[int, int] = field(default_factory=dict)

    def for_window(self, window_id: int | None) -> int:
        """Units available at once (window None) or for pre-book in a delivery window."""
        return self.at_once if window_id is None else self.pre_book.get(window_id, 0)


async def availability_for(sku_ids: Iterable[int]) -> dict[int, SkuAvailability]:
    """What can still be ordered of each SKU asked for (every id gets an entry; unknown ones
    are 0): stock on hand less what submitted orders hold, pre-book capacity less what they
    booked (never below 0). Two queries whatever the number of SKUs."""
    return await _figures(sku_ids, left=True)


async def stock_figures(sku_ids: Iterable[int]) -> dict[int, SkuAvailability]:
    """The figures as the brand keeps them: stock on hand and pre-book capacity, before
    what orders hold (the style's grid, the export)."""
    return await _figures(sku_ids, left=False)


@Prepared
def _stock_of_skus() -> Select:
    return SkuStock.select(SkuStock.sku, SkuStock.at_once, SkuStock.reserved).where(
        one_of(SkuStock.sku, Parameter("skus"))
    )


@Prepared
def _pre_book_of_skus() -> Select:
    return PreBookAvailability.select(
        PreBookAvailability.sku,
        PreBookAvailability.delivery_window,
        PreBookAvailability.quantity,
        PreBookAvailability.booked,
    ).where(one_of(PreBookAvailability.sku, Parameter("skus")))


async def _figures(sku_ids: Iterable[int], left: bool) -> dict[int, SkuAvailability]:
    wanted = sorted(set(sku_ids))
    result = {sku_id: SkuAvailability() for sku_id in wanted}
    if not wanted:
        return result
    for row in await _stock_of_skus.rows(skus=wanted):
        result[row["sku"]].at_once = (
            max(row["at_once"] - row["reserved"], 0) if left else row["at_once"]
        )
    for row in await _pre_book_of_skus.rows(skus=wanted):
        figure = max(row["quantity"] - row["booked"], 0) if left else row["quantity"]
        if figure or not left:
            result[row["sku"]].pre_book[row["delivery_window"]] = figure
    return result


async def availability_by_style(style_ids: Iterable[int]) -> dict[int, SkuAvailability]:
    """``availability_for`` summed over each style's SKUs (styles with nothing available
    are left out), for line-sheet cards: two aggregate queries with one parameter each,
    whatever the number of SKUs."""
    wanted = list_parameter(style_ids)
    result: dict[int, SkuAvailability] = {}
    stock_sql = (
        "SELECT sku.style AS style, SUM(CASE WHEN s.at_once > s.reserved"
        " THEN s.at_once - s.reserved ELSE 0 END) AS pieces"
        " FROM sku_stock s JOIN sku ON sku.id = s.sku"
        f" WHERE {one_of_sql('sku.style')} GROUP BY sku.style"
    )
    for row in await SkuStock.raw(stock_sql, wanted):
        result.setdefault(row["style"], SkuAvailability()).at_once = int(row["pieces"] or 0)
    window_sql = (
        "SELECT sku.style AS style, p.delivery_window AS delivery_window,"
        " SUM(CASE WHEN p.quantity > p.booked THEN p.quantity - p.booked ELSE 0 END) AS pieces"
        " FROM pre_book_availability p JOIN sku ON sku.id = p.sku"
        f" WHERE {one_of_sql('sku.style')} GROUP BY sku.style, p.delivery_window"
    )
    for row in await PreBookAvailability.raw(window_sql, wanted):
        if row["pieces"]:
            figures = result.setdefault(row["style"], SkuAvailability())
            figures.pre_book[row["delivery_window"]] = int(row["pieces"])
    return result


@Prepared
def _windows_of_seasons() -> Select:
    return (
        DeliveryWindow.select(*DeliveryWindow.all_columns())
        .where(one_of(DeliveryWindow.season, Parameter("seasons")))
        .order_by(DeliveryWindow.starts_on)
    )


async def delivery_windows(season_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The delivery windows of these seasons, by first delivery day (one query)."""
    wanted = sorted(set(season_ids))
    result: dict[int, list[dict[str, Any]]] = {season_id: [] for season_id in wanted}
    if not wanted:
        return result
    for row in await _windows_of_seasons.rows(seasons=wanted):
        result[row["season"]].append(row)
    return result


# ---------------------------------------------------------------------------
# Delivery windows of a season (on the season's page)


async def add_delivery_window(
    viewer: Viewer, season: SeasonRecord, data: Mapping[str, Any]
) -> dict[str, str]:
    """Add a delivery window to a season; returns errors (a name is unique in the season)."""
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_delivery_window(data)
    if values is None:
        return errors
    async with write_transaction():
        if await DeliveryWindow.exists().where(
            (DeliveryWindow.season == season.id) & (DeliveryWindow.name == values.name)
        ):
            return {"name": _("The season already has a window of this name.")}
        row = (
            await DeliveryWindow.insert(
                DeliveryWindow(
                    season=season.id,
                    name=values.name,
                    starts_on=values.starts_on,
                    ends_on=values.ends_on,
                )
            )
            .returning(DeliveryWindow.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind="delivery_window",
            entity_uuid=row[0]["uuid"],
            organisation_id=None,
            action="create",
            changes={
                "name": [None, values.name],
                "dates": [None, f"{values.starts_on} – {values.ends_on}"],
            },
            summary=f"{season.code} {values.name}",
        )
    return {}


async def delete_delivery_window(viewer: Viewer, window: DeliveryWindowRecord) -> None:
    """Remove a delivery window with its pre-book figures."""
    access.require(viewer, Action.manage_catalog)
    async with write_transaction():
        await DeliveryWindow.delete().where(DeliveryWindow.id == window.id)
        await audit_log.record(
            viewer,
            entity_kind="delivery_window",
            entity_uuid=window.uuid,
            organisation_id=None,
            action="delete",
            summary=window.name,
        )


# ---------------------------------------------------------------------------
# One style's availability grid


@dataclass
class StyleAvailability:
    sizes: list[dict[str, Any]]
    colourways: list[dict[str, Any]]
    windows: list[dict[str, Any]]
    # (colourway id, size id) -> the SKU (id, uuid)
    skus: dict[tuple[int, int], dict[str, Any]]
    figures: dict[int, SkuAvailability]

    def field_names(self) -> list[tuple[str, int, int | None]]:
        """(input name, sku id, window id or None for at-once) of every cell of the form."""
        names: list[tuple[str, int, int | None]] = []
        for sku in self.skus.values():
            names.append((f"at_once-{sku['uuid']}", sku["id"], None))
            for window in self.windows:
                names.append((f"pre_book-{window['uuid']}-{sku['uuid']}", sku["id"], window["id"]))
        return names

    def form_values(self) -> dict[str, str]:
        """The grid's cells as typed: a figure, or empty for none (the page says so, and a
        merchandiser scanning the grid sees the cells that hold stock)."""
        return {
            name: str(self.figures[sku_id].for_window(window_id) or "")
            for name, sku_id, window_id in self.field_names()
        }


async def style_availability(style: StyleRecord) -> StyleAvailability:
    """The style's SKUs as a colour × size grid with their availability (five queries)."""
    from partner_portal.catalog.styles import style_matrix

    sizes, colourways, sku_rows = await style_matrix(style.id, style.size_scale)
    windows = (await delivery_windows([style.season]))[style.season]
    skus = {(row["colourway"], row["size"]): row for row in sku_rows}
    figures = await stock_figures(row["id"] for row in sku_rows)
    return StyleAvailability(sizes, colourways, windows, skus, figures)


async def save_style_availability(
    viewer: Viewer, style: access.VisibleStyle, data: Mapping[str, Any]
) -> dict[str, str]:
    """Set the at-once and pre-book figures of every SKU of a style from its grid; returns
    errors by input (nothing saved then). An empty cell means none available."""
    access.require(viewer, Action.manage_catalog)
    grid = await style_availability(style)
    errors: dict[str, str] = {}
    wanted: dict[tuple[int, int | None], int] = {}
    for name, sku_id, window_id in grid.field_names():
        text = str(data.get(name) or "").strip()
        if not text:
            continue
        count = inputs.valid(errors, name, inputs.quantity(text, allow_zero=True))
        if count:
            wanted[(sku_id, window_id)] = count
    if errors:
        return errors
    sku_ids = [sku["id"] for sku in grid.skus.values()]
    async with write_transaction():
        changed = await _replace_figures(sku_ids, wanted, [w["id"] for w in grid.windows])
        if changed:
            await audit_log.record(
                viewer,
                entity_kind="style",
                entity_uuid=style.uuid,
                organisation_id=None,
                action="update",
                changes={"availability": [None, _("%(count)s figures changed", count=changed)]},
                summary=style.code,
            )
    return {}


async def _replace_figures(
    sku_ids: list[int],
    wanted: Mapping[tuple[int, int | None], int],
    window_ids: list[int],
    only: set[tuple[int, int | None]] | None = None,
) -> int:
    """Make the stored figures of these SKUs (and, for pre-book, these windows) those of
    ``wanted`` (absent: 0); with ``only``, touch just those (sku, window) cells.
    Returns how many cells changed. What orders hold of them (reserved, booked) stays.
    Inside the caller's write transaction."""
    current = await stock_figures(sku_ids)
    cells = (
        only
        if only is not None
        else {(sku_id, window_id) for sku_id in sku_ids for window_id in [None, *window_ids]}
    )
    changed = {
        cell for cell in cells if current[cell[0]].for_window(cell[1]) != wanted.get(cell, 0)
    }
    if not changed:
        return 0
    now = utcnow()
    stock_skus = sorted({sku_id for sku_id, window_id in changed if window_id is None})
    if stock_skus:
        await (
            SkuStock.insert(
                *(
                    SkuStock(sku=sku_id, at_once=wanted.get((sku_id, None), 0), updated_at=now)
                    for sku_id in stock_skus
                )
            )
            .on_conflict(
                target=SkuStock.sku,
                action="DO UPDATE",
                values=[SkuStock.at_once, SkuStock.updated_at],
            )
            .run()
        )
    pre_book = sorted((sku_id, window_id) for sku_id, window_id in changed if window_id is not None)
    if pre_book:
        await (
            PreBookAvailability.insert(
                *(
                    PreBookAvailability(
                        sku=sku_id,
                        delivery_window=window_id,
                        quantity=wanted.get((sku_id, window_id), 0),
                        updated_at=now,
                    )
                    for sku_id, window_id in pre_book
                )
            )
            .on_conflict(
                target=(PreBookAvailability.sku, PreBookAvailability.delivery_window),
                action="DO UPDATE",
                values=[PreBookAvailability.quantity, PreBookAvailability.updated_at],
            )
            .run()
        )
    return len(changed)


# ---------------------------------------------------------------------------
# CSV/xlsx import and export

COLUMNS = ("barcode", "style_code", "colour_code", "size", "window", "quantity")
REQUIRED = ("window", "quantity")


def template_rows() -> list[dict[str, str]]:
    return [
        {"barcode": "6901234567892", "window": AT_ONCE, "quantity": "120"},
        {
            "style_code": "SS27-SH-001",
            "colour_code": "WHT",
            "size": "170/88A",
            "window": "Drop 1",
            "quantity": "300",
        },
    ]


async def export_rows(viewer: Viewer) -> list[dict[str, Any]]:
    """Every SKU's at-once figure and its pre-book figure per window of its season."""
    access.require(viewer, Action.manage_catalog)
    skus = await (
        Sku.select(
            Sku.id,
            Sku.barcode,
            Sku.style._.code.as_alias("style_code"),
            Sku.style._.season.as_alias("season"),
            Sku.colourway._.code.as_alias("colour_code"),
            Sku.size._.label.as_alias("size"),
        )
        .order_by(Sku.style._.code)
        .order_by(Sku.colourway)
        .order_by(Sku.size._.position)
    )
    windows = await delivery_windows(row["season"] for row in skus)
    figures = await stock_figures(row["id"] for row in skus)
    rows = []
    for sku in skus:
        base = {name: sku[name] for name in ("barcode", "style_code", "colour_code", "size")}
        rows.append({**base, "window": AT_ONCE, "quantity": figures[sku["id"]].at_once})
        for window in windows[sku["season"]]:
            rows.append(
                {
                    **base,
                    "window": window["name"],
                    "quantity": figures[sku["id"]].for_window(window["id"]),
                }
            )
    return rows


@dataclass
class AvailabilityImportResult:
    changed: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


async def import_availability(viewer: Viewer, content: bytes) -> AvailabilityImportResult:
    """Set the figures the file names (a SKU by barcode, or by style, colour and size; the
    window ATS for at-once or a delivery window's name), all of them or none. Figures the
    file does not name stay as they are."""
    access.require(viewer, Action.manage_catalog)
    rows, errors = await read_rows(content, COLUMNS, REQUIRED)
    if errors:
        return AvailabilityImportResult(errors=errors)
    skus = await Sku.select(
        Sku.id,
        Sku.barcode,
        Sku.style._.code.as_alias("style_code"),
        Sku.style._.season.as_alias("season"),
        Sku.colourway._.code.as_alias("colour_code"),
        Sku.size._.label.as_alias("size"),
    )
    by_barcode = {row["barcode"]: row for row in skus if row["barcode"]}
    by_item = {(row["style_code"], row["colour_code"], row["size"]): row for row in skus}
    windows = await delivery_windows(row["season"] for row in skus)
    wanted: dict[tuple[int, int | None], int] = {}
    first_row: dict[tuple[int, int | None], int] = {}
    for row in rows:
        line = int(row["_row"])
        sku = None
        if row.get("barcode"):
            sku = by_barcode.get(row["barcode"])
            if sku is None:
                errors.append(RowError(line, "barcode", _("No SKU has this barcode.")))
        elif row.get("style_code") and row.get("colour_code") and row.get("size"):
            key = (row["style_code"].upper(), row["colour_code"].upper(), row["size"])
            sku = by_item.get(key)
            if sku is None:
                errors.append(
                    RowError(line, "style_code", _("No SKU has this style, colour and size."))
                )
        else:
            errors.append(
                RowError(
                    line,
                    "barcode",
                    _("Give the barcode, or the style code, colour code and size."),
                )
            )
        problems: dict[str, str] = {}
        quantity = inputs.valid(
            problems, "quantity", inputs.quantity(row["quantity"], allow_zero=True)
        )
        errors.extend(RowError(line, column, message) for column, message in problems.items())
        if sku is None:
            continue
        window_id: int | None = None
        if row["window"].upper() != AT_ONCE:
            window = next((w for w in windows[sku["season"]] if w["name"] == row["window"]), None)
            if window is None:
                errors.append(
                    RowError(
                        line,
                        "window",
                        _("Write ATS for at-once stock, or a delivery window of the season."),
                    )
                )
                continue
            window_id = window["id"]
        cell = (sku["id"], window_id)
        if cell in first_row:
            errors.append(
                RowError(
                    line,
                    "window",
                    _("The same figure is on row %(row)s of this file.", row=first_row[cell]),
                )
            )
            continue
        first_row[cell] = line
        if quantity is not None:
            wanted[cell] = quantity
    if errors:
        return AvailabilityImportResult(errors=sorted(errors, key=lambda error: error.row))
    result = AvailabilityImportResult()
    async with write_transaction():
        result.changed = await _replace_figures(
            sorted({sku_id for sku_id, _window in wanted}), wanted, [], only=set(wanted)
        )
        await audit_import(viewer, result.changed)
    return result


async def audit_import(viewer: Viewer, changed: int) -> None:
    """The audit entry of an import of availability figures (a file, the ERP's bulk call),
    inside its write transaction; none when nothing changed."""
    if changed:
        await audit_log.record(
            viewer,
            entity_kind="availability",
            entity_uuid=None,
            organisation_id=None,
            action="import",
            changes={"figures": [None, changed]},
            summary_message=N_("%(count)s availability figures imported"),
            summary_params={"count": changed},
        )
