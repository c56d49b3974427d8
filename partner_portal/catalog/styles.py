"""Styles: the style list, one style's page, and creating and editing a style with its
colourways and SKU matrix (by form or by import). Catalog rows belong to the brand, so
their audit entries carry no organisation."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog import forms, upsert
from partner_portal.catalog.availability import (
    SkuAvailability as SkuAvailability,
)
from partner_portal.catalog.availability import (
    StyleAvailability,
    style_availability,
)
from partner_portal.catalog.availability import (
    availability_for as availability_for,
)
from partner_portal.catalog.availability import (
    delivery_windows as delivery_windows,
)
from partner_portal.catalog.images import style_image_files as style_image_files
from partner_portal.catalog.images import style_image_urls as style_image_urls
from partner_portal.catalog.images import style_images
from partner_portal.catalog.prepacks import PrepackRatio as PrepackRatio
from partner_portal.catalog.prepacks import expand_prepack as expand_prepack
from partner_portal.catalog.prepacks import prepacks_for_scales as prepacks_for_scales
from partner_portal.catalog.prepacks import scale_sizes as scale_sizes
from partner_portal.catalog.tables import (
    Collection,
    Colourway,
    Price,
    Season,
    SizeScale,
    Sku,
    Style,
)
from partner_portal.database import contains_text
from partner_portal.edits import SaveResult
from partner_portal.inputs import MAX_PAGE, field_text, whole_number

PAGE_SIZE = 50
STYLE_FIELDS = upsert.STYLE_FIELDS


# ---------------------------------------------------------------------------
# The style list


@dataclass(frozen=True)
class StyleFilters:
    q: str = ""
    season: str = ""
    status: str = ""
    page: int = 1
    # Keyset paging (the API): the styles after this code, ``limit`` of them and one more.
    after: str | None = None
    limit: int | None = None

    FILTER_NAMES = ("q", "season", "status")

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> StyleFilters:
        """Filters from query parameters; unknown values are dropped, not errors."""

        def text(name: str, limit: int = 100) -> str:
            return field_text(params, name, limit)

        page = whole_number(text("page"), minimum=1, maximum=MAX_PAGE) or 1
        status = text("status")
        return cls(
            q=text("q"),
            season=text("season", 10).upper(),
            status=status if status in forms.STATUSES else "",
            page=page,
        )

    def query_string(self, page: int | None = None) -> str:
        pairs = [(name, getattr(self, name)) for name in self.FILTER_NAMES if getattr(self, name)]
        if page and page > 1:
            pairs.append(("page", str(page)))
        return urlencode(pairs)


@dataclass
class StylePage:
    rows: list[dict[str, Any]]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _style_query(query: Any, viewer: Viewer, filters: StyleFilters) -> Any:
    condition = access.style_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    if filters.q:
        query = query.where(
            contains_text(Style.code, filters.q)
            | contains_text(Style.name_en, filters.q)
            | contains_text(Style.name_zh, filters.q)
            | contains_text(Style.name_ko, filters.q)
        )
    if filters.season:
        query = query.where(Style.season._.code == filters.season)
    if filters.status:
        query = query.where(Style.status == filters.status)
    return query


async def list_styles(viewer: Viewer, filters: StyleFilters) -> StylePage:
    """One page (50) of the styles the viewer may see, by code. Two queries whatever the page;
    one for the API's keyset pages (``filters.limit`` after ``filters.after``)."""
    access.require(viewer, Action.view_catalog)
    listed = _style_query(
        Style.select(
            Style.uuid,
            Style.code,
            Style.name_en,
            Style.name_zh,
            Style.name_ko,
            Style.category,
            Style.gender,
            Style.status,
            Style.season._.code.as_alias("season_code"),
            Style.size_scale._.name.as_alias("scale_name"),
        ),
        viewer,
        filters,
    ).order_by(Style.code)
    if filters.limit is not None:
        if filters.after is not None:
            listed = listed.where(Style.code > filters.after)
        return StylePage(rows=await listed.limit(filters.limit + 1), total=0, page=1)
    total = await _style_query(Style.count(), viewer, filters)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    rows = await listed.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    return StylePage(rows=rows, total=total, page=page)


async def filter_choices() -> dict[str, Any]:
    seasons = await Season.select(Season.code, Season.name).order_by(Season.code)
    return {"seasons": seasons, "statuses": forms.STATUSES}


# ---------------------------------------------------------------------------
# One style


@dataclass
class StyleView:
    style: dict[str, Any]
    sizes: list[dict[str, Any]]
    colourways: list[dict[str, Any]]
    # colourway id -> size id -> barcode ("" when the SKU has none)
    grid: dict[int, dict[int, str]]
    prices: list[dict[str, Any]]
    images: list[dict[str, Any]] = field(default_factory=list)
    availability: StyleAvailability | None = None


async def style_matrix(
    style_id: int, scale_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The style's sizes (in scale order), colourways and SKUs (three queries)."""
    sizes = await scale_sizes(scale_id)
    colourways = await (
        Colourway.select(Colourway.id, Colourway.code, Colourway.name)
        .where(Colourway.style == style_id)
        .order_by(Colourway.id)
    )
    skus = await Sku.select(
        Sku.id, Sku.uuid, Sku.colourway, Sku.size, Sku.barcode, Sku.external_ref
    ).where(Sku.style == style_id)
    return sizes, colourways, skus


async def style_view(viewer: Viewer, style_uuid: UUID) -> StyleView:
    """The style page: details, pictures, the colour × size SKU grid with availability,
    and the prices of the lists the viewer may see."""
    row = await access.get_style(viewer, style_uuid)
    style = await (
        Style.select(
            *Style.all_columns(),
            Style.season._.code.as_alias("season_code"),
            Style.season._.name.as_alias("season_name"),
            Style.collection._.name.as_alias("collection_name"),
            Style.size_scale._.name.as_alias("scale_name"),
        )
        .where(Style.id == row.id)
        .first()
    )
    assert style is not None
    availability = await style_availability(row)
    grid: dict[int, dict[int, str]] = {colourway["id"]: {} for colourway in availability.colourways}
    for (colourway_id, size_id), sku in availability.skus.items():
        grid.setdefault(colourway_id, {})[size_id] = sku["barcode"] or ""
    prices: list[dict[str, Any]] = []
    if viewer.can(Action.view_price_lists):
        price_list = Price.price_list._
        query = Price.select(
            Price.wholesale,
            Price.suggested_retail,
            Price.size._.label.as_alias("size_label"),
            price_list.name.as_alias("list_name"),
            price_list.uuid.as_alias("list_uuid"),
            price_list.currency.as_alias("currency"),
            price_list.tier.as_alias("tier"),
            price_list.tax_inclusive.as_alias("tax_inclusive"),
            price_list.organisation._.legal_name.as_alias("partner_name"),
        ).where(Price.style == style["id"])
        condition = access.price_list_filter(viewer, price_list.organisation)
        if condition is not None:
            query = query.where(condition)
        prices = await query.order_by(price_list.name).order_by(Price.size._.position)
    images = (await style_images([style["id"]]))[style["id"]]
    return StyleView(
        style,
        availability.sizes,
        availability.colourways,
        grid,
        prices,
        images,
        availability,
    )


# ---------------------------------------------------------------------------
# Create and edit


async def form_choices() -> dict[str, Any]:
    """Seasons, collections and size scales for the style form."""
    seasons = await Season.select(Season.id, Season.uuid, Season.code, Season.name).order_by(
        Season.code
    )
    collections = await Collection.select(
        Collection.id,
        Collection.uuid,
        Collection.name,
        Collection.season._.code.as_alias("season_code"),
    ).order_by(Collection.name)
    scales = await SizeScale.select(
        SizeScale.id, SizeScale.uuid, SizeScale.code, SizeScale.name
    ).order_by(SizeScale.code)
    return {
        "seasons": seasons,
        "collections": collections,
        "scales": scales,
        "categories": forms.CATEGORIES,
        "genders": forms.GENDERS,
        "statuses": forms.STATUSES,
    }


def _saved(result: upsert.UpsertResult, style_uuid: UUID | None = None) -> SaveResult:
    """The form's view of an upsert of its one style: messages by form field."""
    errors: dict[str, str] = {}
    for problem in result.problems:
        head = re.split(r"[\[.]", problem.field, maxsplit=1)[0]
        errors.setdefault(FORM_FIELD.get(head, head), problem.message)
    if errors:
        return SaveResult(errors=errors)
    return SaveResult(uuid=style_uuid or result.styles[0].uuid)


# Fields of an upsert problem that the form shows under another name.
FORM_FIELD = {"colours": "colourways", "skus": "barcodes", "items": "barcodes"}


async def _colourways_text(style_id: int) -> str:
    rows = await (
        Colourway.select(Colourway.code, Colourway.name)
        .where(Colourway.style == style_id)
        .order_by(Colourway.id)
    )
    return "\n".join(f"{row['code']} {row['name']}".strip() for row in rows)


async def _barcodes_text(style_id: int) -> str:
    rows = await (
        Sku.select(
            Sku.colourway._.code.as_alias("colour"),
            Sku.size._.label.as_alias("size"),
            Sku.barcode,
        )
        .where((Sku.style == style_id) & Sku.barcode.is_not_null())
        .order_by(Sku.colourway)
        .order_by(Sku.size._.position)
    )
    return "\n".join(f"{row['colour']} {row['size']} {row['barcode']}" for row in rows)


async def create_style(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """Create a style with its colourways and the colour × size SKU matrix (manage_catalog)."""
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_style(data, checkboxes=True)
    if values is None:
        return SaveResult(errors=errors)
    result = await upsert.upsert_styles(
        viewer, [upsert.change_from_form(values, upsert.Intent.create)]
    )
    return _saved(result)


async def update_style(
    viewer: Viewer, style: access.VisibleStyle, data: Mapping[str, Any]
) -> SaveResult:
    """Save the edit form unless someone saved since it was opened (optimistic locking).

    The size scale stays as created: the SKUs are made of its sizes.
    """
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_style(data, checkboxes=True)
    if values is None:
        return SaveResult(errors=errors)
    opened_version = values.version if values.version is not None else style.version
    change = upsert.change_from_form(
        values, upsert.Intent.update, style_id=style.id, version=opened_version
    )
    result = await upsert.upsert_styles(viewer, [change])
    if result.stale:
        return SaveResult(
            conflicts=await audit_log.changes_since(style.uuid, opened_version),
            current_version=result.stale[0],
        )
    return _saved(result, style.uuid)


async def form_values(style: access.VisibleStyle) -> dict[str, Any]:
    """The edit form's field values for a saved style."""
    values: dict[str, Any] = {name: getattr(style, name) for name in STYLE_FIELDS}
    season = await Season.select(Season.uuid).where(Season.id == style.season).first()
    values["season"] = str(season["uuid"]) if season else ""
    collection = (
        await Collection.select(Collection.uuid).where(Collection.id == style.collection).first()
        if style.collection
        else None
    )
    values["collection"] = str(collection["uuid"]) if collection else ""
    scale = await SizeScale.select(SizeScale.uuid).where(SizeScale.id == style.size_scale).first()
    values["size_scale"] = str(scale["uuid"]) if scale else ""
    values["colourways"] = await _colourways_text(style.id)
    values["barcodes"] = await _barcodes_text(style.id)
    values["version"] = style.version
    return values
