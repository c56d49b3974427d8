"""The kernel's rules for the catalog: styles and their pictures, price lists and the
reference data (seasons, size scales, prepacks, delivery windows)."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from piccolo.columns.combination import Combinable

from partner_portal.access.core import (
    Action,
    ActionSet,
    ScopedTable,
    Viewer,
    fetch_one,
    narrow,
    organisation_filter,
    require,
)
from partner_portal.catalog.records import (
    DeliveryWindowRecord,
    PrepackRecord,
    PriceListRecord,
    SeasonRecord,
    SizeScaleRecord,
    StyleImageRecord,
    StyleRecord,
)
from partner_portal.catalog.tables import (
    DeliveryWindow,
    Prepack,
    Price,
    PriceList,
    Season,
    SizeScale,
    Style,
    StyleImage,
    StyleStatus,
    VolumeBreak,
)
from partner_portal.records import Record

# The rest of the catalog is the brand's, seen by everyone who sees the catalog; a price
# list may be a partner's own.
SCOPED_TABLES = (
    ScopedTable(PriceList, PriceList.organisation),
    ScopedTable(Price, Price.price_list),
    ScopedTable(VolumeBreak, VolumeBreak.price_list),
)


class VisibleStyle(StyleRecord, frozen=True):
    """A style get_style fetched for a viewer (made nowhere else)."""


class VisibleStyleImage(StyleImageRecord, frozen=True):
    """A style's picture get_style_image fetched for a viewer (made nowhere else)."""


class VisiblePriceList(PriceListRecord, frozen=True):
    """A price list get_price_list fetched for a viewer (made nowhere else)."""


Reference = TypeVar("Reference", bound=Record)


def style_filter(viewer: Viewer, status: Any = Style.status) -> Combinable | None:
    """Catalog styles the viewer may see: the brand's users all, partner users active ones.

    Catalog rows belong to the brand, so no organisation filter applies to them.
    ``status`` is the style's status column as the query reaches it (StyleImage.style.status).
    """
    if viewer.is_brand:
        return None
    return status == StyleStatus.active.value


async def get_style(
    viewer: Viewer, style_uuid: UUID, action: ActionSet = Action.view_catalog
) -> VisibleStyle:
    """One style the viewer may see (404 otherwise), checked for the action (403)."""
    query = narrow(Style.select(*Style.all_columns()), style_filter(viewer)).where(
        Style.uuid == style_uuid
    )
    return VisibleStyle.from_row(await fetch_one(viewer, query, "No such style.", action))


async def get_price_list(
    viewer: Viewer, price_list_uuid: UUID, action: ActionSet = Action.view_price_lists
) -> VisiblePriceList:
    """One price list (only the brand's users see price lists as such), checked for the action."""
    require(viewer, Action.view_price_lists)
    query = narrow(PriceList.select(*PriceList.all_columns()), price_list_filter(viewer)).where(
        PriceList.uuid == price_list_uuid
    )
    row = await fetch_one(viewer, query, "No such price list.", action)
    return VisiblePriceList.from_row(row)


def price_list_filter(
    viewer: Viewer, organisation: Any = PriceList.organisation
) -> Combinable | None:
    """Price lists the viewer may see (once view_price_lists allows lists at all): the
    general ones, and a partner's own list only where the partner is visible, so a KAM
    sees the own lists of the partners they own. ``organisation`` is the list's
    organisation column as the query reaches it (Price.price_list.organisation)."""
    condition = organisation_filter(viewer, organisation)
    if condition is None:
        return None
    return organisation.is_null() | condition


async def _get_catalog_reference(
    viewer: Viewer,
    table: Any,
    record: type[Reference],
    row_uuid: UUID,
    action: ActionSet,
    name: str,
) -> Reference:
    """One row of the catalog's reference data (seasons, size scales, prepacks, delivery
    windows), for the catalog's managers: 403 for everyone else, then 404. The brand's
    reference data is the same for everyone allowed to manage it, so it has no Visible type."""
    require(viewer, action)
    query = table.select(*table.all_columns()).where(table.uuid == row_uuid)
    return record.from_row(await fetch_one(viewer, query, f"No such {name}."))


async def get_season(
    viewer: Viewer, season_uuid: UUID, action: ActionSet = Action.manage_catalog
) -> SeasonRecord:
    return await _get_catalog_reference(viewer, Season, SeasonRecord, season_uuid, action, "season")


async def get_size_scale(
    viewer: Viewer, scale_uuid: UUID, action: ActionSet = Action.manage_catalog
) -> SizeScaleRecord:
    return await _get_catalog_reference(
        viewer, SizeScale, SizeScaleRecord, scale_uuid, action, "size scale"
    )


async def get_prepack(
    viewer: Viewer, prepack_uuid: UUID, action: ActionSet = Action.manage_catalog
) -> PrepackRecord:
    return await _get_catalog_reference(
        viewer, Prepack, PrepackRecord, prepack_uuid, action, "prepack"
    )


async def get_delivery_window(
    viewer: Viewer, window_uuid: UUID, action: ActionSet = Action.manage_catalog
) -> DeliveryWindowRecord:
    return await _get_catalog_reference(
        viewer, DeliveryWindow, DeliveryWindowRecord, window_uuid, action, "delivery window"
    )


async def get_style_image(
    viewer: Viewer, image_uuid: UUID, action: ActionSet = Action.view_catalog
) -> VisibleStyleImage:
    """One picture of a style the viewer may see (404 otherwise: a partner user asking for
    a picture of a draft style finds nothing), checked for the action (403)."""
    query = StyleImage.select(
        *StyleImage.all_columns(),
        StyleImage.style._.uuid.as_alias("style_uuid"),
    ).where(StyleImage.uuid == image_uuid)
    condition = style_filter(viewer, StyleImage.style._.status)
    row = await fetch_one(viewer, narrow(query, condition), "No such picture.", action)
    return VisibleStyleImage.from_row(row)
