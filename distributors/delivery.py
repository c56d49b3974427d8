"""Where and when a grid's order is delivered: the ship-to address, chosen from the buyer's
own addresses, and an order split by delivery window (one order per window, each with its
own PO number, as JOOR and NuORDER split a pre-book).

The orders themselves are written by services.save_grid and the kernel's order book."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from piccolo.query.methods.select import Select

from distributors.services import Grid, MatrixDetails, MatrixStyle, channel_for, save_grid
from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.orders import services as orders
from partner_portal.orders.services import OrderDraft
from partner_portal.partners.services import format_address
from partner_portal.partners.tables import Address
from partner_portal.statements import Parameter, Prepared

# The address a parcel is sent to first: a shipping or warehouse address before the office.
KIND_ORDER = {"shipping": 0, "warehouse": 1, "office": 2, "billing": 3}
KEEP_SAVED = "keep"


@dataclass(frozen=True)
class ShipTo:
    value: str  # the address id, or KEEP_SAVED for the text a draft was saved with
    kind: str
    text: str


@Prepared
def _addresses_in_view(viewer: Viewer) -> Select:
    return access.scoped(
        Address.select(
            Address.id,
            Address.kind,
            Address.country,
            Address.region,
            Address.city,
            Address.district,
            Address.street,
            Address.postal_code,
        ),
        viewer,
        Address.organisation,
    ).where(Address.organisation == Parameter("organisation"))


async def ship_to_choices(
    viewer: Viewer, buyer: Mapping[str, Any], saved: str = ""
) -> list[ShipTo]:
    """The buyer's addresses (shipping and warehouse first), written in the reader's order;
    a draft's saved address that is none of them (a reorder's) comes first, kept."""
    rows = await _addresses_in_view.rows(viewer, organisation=buyer["id"])
    rows.sort(key=lambda row: (KIND_ORDER.get(row["kind"], 9), row["id"]))
    choices = [ShipTo(str(row["id"]), row["kind"], format_address(row)) for row in rows]
    if saved and saved not in {choice.text for choice in choices}:
        choices.insert(0, ShipTo(KEEP_SAVED, "", saved))
    return choices


def chosen_ship_to(choices: Sequence[ShipTo], typed: str) -> str:
    """The choice the form shows selected: as sent, as the draft was saved, or the first."""
    for choice in choices:
        if typed in (choice.value, choice.text):
            return choice.value
    return choices[0].value if choices else ""


def ship_to_text(choices: Sequence[ShipTo], value: str) -> str | None:
    """The address an order is sent to; None when the value is none of the choices."""
    if not value:
        return ""
    if value != KEEP_SAVED and whole_number(value) is None:
        return None
    return next((choice.text for choice in choices if choice.value == value), None)


@dataclass
class GridSaved:
    """The draft the grid was saved into, and the drafts split off it (one per further
    delivery window), or the messages."""

    result: SaveResult
    split_off: list[UUID] = field(default_factory=list)


async def save_by_window(
    viewer: Viewer,
    buyer: Mapping[str, Any],
    styles: Sequence[MatrixStyle],
    grid: Grid,
    details: MatrixDetails,
    order: access.VisibleOrder | None,
    opened_version: int,
    windows: Sequence[Mapping[str, Any]],
    ship_to_value: str,
) -> GridSaved:
    """Save the grid; styles set to another delivery window than the order's go into one
    further draft per window, with that window's PO number. Everything is checked before
    anything is written."""
    choices = await ship_to_choices(viewer, buyer, order.ship_to if order else "")
    ship_to = ship_to_text(choices, ship_to_value)
    if ship_to is None:
        return GridSaved(SaveResult(errors={"ship_to": _("Choose an address from the list.")}))
    known = {str(window["uuid"]): window for window in windows}
    ordered = [
        style for style in styles if any(sku in grid.quantities for sku in style.skus.values())
    ]
    groups: dict[str, list[MatrixStyle]] = {}
    for style in ordered:
        window_uuid = details.window_of(style.id)
        if window_uuid and window_uuid not in known:
            return GridSaved(
                SaveResult(errors={"window": _("Choose a delivery window from the list.")})
            )
        groups.setdefault(window_uuid, []).append(style)
    if any(len(po) > 60 for po in details.window_pos.values()):
        return GridSaved(SaveResult(errors={"customer_po": _("At most 60 characters.")}))
    main_window = (
        details.window_uuid if details.window_uuid in groups or not groups else next(iter(groups))
    )
    main_skus = {sku for style in groups.get(main_window, []) for sku in style.skus.values()}
    main_grid = Grid(
        texts=grid.texts,
        quantities={sku: q for sku, q in grid.quantities.items() if sku in main_skus or not groups},
        errors=grid.errors,
    )
    main = await save_grid(
        viewer,
        buyer,
        styles,
        main_grid,
        replace(details, window_uuid=main_window),
        order,
        opened_version,
        ship_to,
    )
    if not main.saved:
        return GridSaved(main)
    split_off: list[UUID] = []
    for window_uuid, members in groups.items():
        if window_uuid == main_window:
            continue
        window = known.get(window_uuid)
        skus = {sku for style in members for sku in style.skus.values()}
        created = await orders.create_draft(
            viewer,
            OrderDraft(
                buyer_id=buyer["id"],
                channel=channel_for(buyer, viewer),
                lines=[line for line in grid.lines() if line.sku_id in skus],
                season_id=members[0].season_id,
                customer_po=details.window_pos.get(window_uuid) or details.customer_po,
                ship_to=ship_to,
                delivery_window_start=window["starts_on"] if window else None,
                delivery_window_end=window["ends_on"] if window else None,
            ),
        )
        if not created.saved:
            return GridSaved(created, split_off)
        assert created.uuid is not None
        split_off.append(created.uuid)
    return GridSaved(main, split_off)


async def split_orders(viewer: Viewer, uuids: Sequence[UUID]) -> list[access.VisibleOrder]:
    """The orders of one split, as the viewer may see them (404 for any other)."""
    access.require(viewer, Action.view_orders)
    return [await access.get_order(viewer, uuid, Action.view_orders) for uuid in uuids]
