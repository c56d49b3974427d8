"""The catalog: seasons and size scales, styles with their colourways and SKU matrix,
price lists and the price a partner pays. Visibility comes from partner_portal.access;
every change writes an audit entry inside its own write transaction. Catalog rows
belong to the brand, so their audit entries carry no organisation.

For pricing and checking an order (the order book and the channel modules):
- ``prices_for_partner(organisation_id, style_ids)`` -> PartnerPrices, with
  ``.for_item(style_id, size_id)`` (the unit price) and ``.discount_for(style_id,
  quantity)`` (volume breaks, percent off); ``price_for_partner`` for one style;
- ``availability_for(sku_ids)`` (at-once stock and pre-book per delivery window) and
  ``delivery_windows(season_ids)``, from partner_portal.catalog.availability;
- ``prepacks_for_scales`` / ``expand_prepack``, from partner_portal.catalog.prepacks;
- ``style_image_urls`` / ``style_image_files``, from partner_portal.catalog.images.
They are importable from here as well.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import asyncpg

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog import forms
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
from partner_portal.catalog.forms import StyleInput
from partner_portal.catalog.images import style_image_files as style_image_files
from partner_portal.catalog.images import style_image_urls as style_image_urls
from partner_portal.catalog.images import style_images
from partner_portal.catalog.prepacks import PrepackRatio as PrepackRatio
from partner_portal.catalog.prepacks import expand_prepack as expand_prepack
from partner_portal.catalog.prepacks import prepacks_for_scales as prepacks_for_scales
from partner_portal.catalog.records import PriceListRecord, SeasonRecord, SizeScaleRecord
from partner_portal.catalog.tables import (
    Collection,
    Colourway,
    Price,
    PriceList,
    Season,
    Size,
    SizeScale,
    Sku,
    Style,
    VolumeBreak,
)
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import MAX_PAGE, whole_number
from partner_portal.partners.tables import Organisation

PAGE_SIZE = 50
STYLE_FIELDS = (
    "code",
    "category",
    "gender",
    "name_en",
    "name_zh",
    "name_ko",
    "fabric_composition",
    "care",
    "status",
)


# ---------------------------------------------------------------------------
# Seasons and size scales (no pages yet: demo data, tests and later imports use these)


async def create_season(
    viewer: Viewer | None,
    code: str,
    name: str,
    order_window: tuple[date, date] | None = None,
) -> int:
    """Add a season (SS27, AW27); returns its id."""
    async with write_transaction():
        row = (
            await Season.insert(
                Season(
                    code=code,
                    name=name,
                    order_window_start=order_window[0] if order_window else None,
                    order_window_end=order_window[1] if order_window else None,
                    created_at=utcnow(),
                )
            )
            .returning(Season.id, Season.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind="season",
            entity_uuid=row[0]["uuid"],
            organisation_id=None,
            action="create",
            summary=code,
        )
    return int(row[0]["id"])


async def create_size_scale(
    viewer: Viewer | None, code: str, name: str, kind: str, labels: Sequence[str]
) -> int:
    """Add a size scale with its sizes in the given order; returns its id."""
    async with write_transaction():
        row = (
            await SizeScale.insert(SizeScale(code=code, name=name, kind=kind))
            .returning(SizeScale.id, SizeScale.uuid)
            .run()
        )
        scale_id = row[0]["id"]
        await Size.insert(
            *(
                Size(size_scale=scale_id, label=label, position=position)
                for position, label in enumerate(labels, start=1)
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="size_scale",
            entity_uuid=row[0]["uuid"],
            organisation_id=None,
            action="create",
            changes={"sizes": [None, " ".join(labels)]},
            summary=code,
        )
    return int(scale_id)


async def create_price_list(
    viewer: Viewer | None,
    name: str,
    currency: str,
    tax_inclusive: bool,
    tier: str | None,
    organisation_id: int | None = None,
) -> int:
    """Add a price list in a currency, for one partner tier or (tier None) for any; with
    ``organisation_id``, that partner's own list (its agreed prices)."""
    async with write_transaction():
        row = (
            await PriceList.insert(
                PriceList(
                    name=name,
                    currency=currency,
                    tax_inclusive=tax_inclusive,
                    tier=tier,
                    organisation=organisation_id,
                    created_at=utcnow(),
                )
            )
            .returning(PriceList.id, PriceList.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind="price_list",
            entity_uuid=row[0]["uuid"],
            organisation_id=organisation_id,
            action="create",
            summary=name,
        )
    return int(row[0]["id"])


# ---------------------------------------------------------------------------
# The style list


@dataclass(frozen=True)
class StyleFilters:
    q: str = ""
    season: str = ""
    status: str = ""
    page: int = 1

    FILTER_NAMES = ("q", "season", "status")

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> StyleFilters:
        """Filters from query parameters; unknown values are dropped, not errors."""

        def text(name: str, limit: int = 100) -> str:
            return str(params.get(name) or "").strip()[:limit]

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
        query = query.where(Style.season.code == filters.season)  # type: ignore[attr-defined]
    if filters.status:
        query = query.where(Style.status == filters.status)
    return query


async def list_styles(viewer: Viewer, filters: StyleFilters) -> StylePage:
    """One page (50) of the styles the viewer may see, by code. Two queries whatever the page."""
    access.require(viewer, Action.view_catalog)
    total = await _style_query(Style.count(), viewer, filters)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    rows = await (
        _style_query(
            Style.select(
                Style.uuid,
                Style.code,
                Style.name_en,
                Style.name_zh,
                Style.name_ko,
                Style.category,
                Style.gender,
                Style.status,
                Style.season.code.as_alias("season_code"),  # type: ignore[attr-defined]
                Style.size_scale.name.as_alias("scale_name"),  # type: ignore[attr-defined]
            ),
            viewer,
            filters,
        )
        .order_by(Style.code)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
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
    sizes = await _sizes(scale_id)
    colourways = await (
        Colourway.select(Colourway.id, Colourway.code, Colourway.name)
        .where(Colourway.style == style_id)
        .order_by(Colourway.id)
    )
    skus = await Sku.select(Sku.id, Sku.uuid, Sku.colourway, Sku.size, Sku.barcode).where(
        Sku.style == style_id
    )
    return sizes, colourways, skus


async def style_view(viewer: Viewer, style_uuid: UUID) -> StyleView:
    """The style page: details, pictures, the colour × size SKU grid with availability,
    and the prices of the lists the viewer may see."""
    row = await access.get_style(viewer, style_uuid)
    style = await (
        Style.select(
            *Style.all_columns(),
            Style.season.code.as_alias("season_code"),  # type: ignore[attr-defined]
            Style.season.name.as_alias("season_name"),  # type: ignore[attr-defined]
            Style.collection.name.as_alias("collection_name"),  # type: ignore[attr-defined]
            Style.size_scale.name.as_alias("scale_name"),  # type: ignore[attr-defined]
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
        price_list: Any = Price.price_list
        query = Price.select(
            Price.wholesale,
            Price.suggested_retail,
            Price.size.label.as_alias("size_label"),  # type: ignore[attr-defined]
            price_list.name.as_alias("list_name"),
            price_list.uuid.as_alias("list_uuid"),
            price_list.currency.as_alias("currency"),
            price_list.tier.as_alias("tier"),
            price_list.tax_inclusive.as_alias("tax_inclusive"),
            price_list.organisation.legal_name.as_alias("partner_name"),
        ).where(Price.style == style["id"])
        condition = access.price_list_filter(viewer, price_list.organisation)
        if condition is not None:
            query = query.where(condition)
        prices = await query.order_by(price_list.name).order_by(
            Price.size.position  # type: ignore[attr-defined]
        )
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


async def _sizes(scale_id: int) -> list[dict[str, Any]]:
    return await (
        Size.select(Size.id, Size.label, Size.position)
        .where(Size.size_scale == scale_id)
        .order_by(Size.position)
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
        Collection.season.code.as_alias("season_code"),  # type: ignore[attr-defined]
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


@dataclass
class Resolved:
    values: StyleInput
    season_id: int
    collection_id: int | None
    scale_id: int
    size_ids: dict[str, int]


def _find(rows: Iterable[dict[str, Any]], reference: str) -> dict[str, Any] | None:
    return next((row for row in rows if str(row["uuid"]) == reference), None)


async def resolve_style(values: StyleInput) -> tuple[Resolved | None, dict[str, str]]:
    """Turn the form's references into ids, and check barcodes name real colours and sizes."""
    choices = await form_choices()
    errors: dict[str, str] = {}
    season = _find(choices["seasons"], values.season)
    if season is None:
        errors["season"] = _("Choose a season.")
    collection = _find(choices["collections"], values.collection) if values.collection else None
    if values.collection and (
        collection is None or season is None or collection["season_code"] != season["code"]
    ):
        errors["collection"] = _("Choose a collection of the style's season.")
    scale = _find(choices["scales"], values.size_scale)
    if scale is None:
        errors["size_scale"] = _("Choose a size scale.")
        return None, errors
    sizes = await _sizes(scale["id"])
    size_ids = {size["label"]: size["id"] for size in sizes}
    colours = {colourway.code for colourway in values.colourways}
    seen: set[str] = set()
    for barcode in values.barcodes:
        if barcode.colour not in colours or barcode.size not in size_ids:
            errors["barcodes"] = _(
                "%(colour)s %(size)s is not a colour and size of this style.",
                colour=barcode.colour,
                size=barcode.size,
            )
        elif barcode.barcode in seen:
            errors["barcodes"] = _("Barcode %(barcode)s is listed twice.", barcode=barcode.barcode)
        seen.add(barcode.barcode)
    if errors or season is None:
        return None, errors
    return (
        Resolved(
            values=values,
            season_id=season["id"],
            collection_id=collection["id"] if collection else None,
            scale_id=scale["id"],
            size_ids=size_ids,
        ),
        {},
    )


def _style_values(resolved: Resolved) -> dict[Any, Any]:
    values = resolved.values
    return {
        Style.code: values.code,
        Style.season: resolved.season_id,
        Style.collection: resolved.collection_id,
        Style.category: values.category,
        Style.gender: values.gender,
        Style.name_en: values.name_en,
        Style.name_zh: values.name_zh,
        Style.name_ko: values.name_ko,
        Style.fabric_composition: values.fabric_composition,
        Style.care: values.care,
        Style.size_scale: resolved.scale_id,
        Style.status: values.status,
    }


async def conflicting_rows(resolved: Resolved, style_id: int | None) -> dict[str, str]:
    """Style codes and barcodes already used by another style (checked inside the transaction)."""
    errors: dict[str, str] = {}
    same_code = Style.select(Style.id).where(Style.code == resolved.values.code)
    if style_id is not None:
        same_code = same_code.where(Style.id != style_id)
    if await same_code.first():
        errors["code"] = _("Another style already has this code.")
    barcodes = [barcode.barcode for barcode in resolved.values.barcodes]
    if barcodes:
        taken = Sku.select(Sku.barcode).where(Sku.barcode.is_in(barcodes))
        if style_id is not None:
            taken = taken.where(Sku.style != style_id)
        used = await taken.first()
        if used:
            errors["barcodes"] = _(
                "Barcode %(barcode)s is already used by another SKU.", barcode=used["barcode"]
            )
    return errors


async def _sync_matrix(style_id: int, resolved: Resolved) -> None:
    """Make the style's colourways and SKUs those of the form: one SKU per colour × size.

    Colourways left out of the form are removed with their SKUs (no order refers to
    SKUs yet); barcodes are set from the form, and cleared where the form has none.
    """
    values = resolved.values
    existing = {
        row["code"]: row["id"]
        for row in await Colourway.select(Colourway.id, Colourway.code).where(
            Colourway.style == style_id
        )
    }
    wanted = {colourway.code for colourway in values.colourways}
    gone = [colourway_id for code, colourway_id in existing.items() if code not in wanted]
    if gone:
        await Colourway.delete().where(Colourway.id.is_in(gone))
    new_colourways = []
    for colourway in values.colourways:
        if colourway.code in existing:
            await Colourway.update({Colourway.name: colourway.name}).where(
                Colourway.id == existing[colourway.code]
            )
        else:
            new_colourways.append(
                Colourway(style=style_id, code=colourway.code, name=colourway.name)
            )
    if new_colourways:
        rows = await Colourway.insert(*new_colourways).returning(Colourway.id, Colourway.code).run()
        await Sku.insert(
            *(
                Sku(style=style_id, colourway=row["id"], size=size_id)
                for row in rows
                for size_id in resolved.size_ids.values()
            )
        ).run()
    # Barcodes: clear first, so moving a barcode between two SKUs of the style is allowed.
    await Sku.update({Sku.barcode: None}).where(Sku.style == style_id)
    if values.barcodes:
        colour_ids = {
            row["code"]: row["id"]
            for row in await Colourway.select(Colourway.id, Colourway.code).where(
                Colourway.style == style_id
            )
        }
        for barcode in values.barcodes:
            await Sku.update({Sku.barcode: barcode.barcode}).where(
                (Sku.style == style_id)
                & (Sku.colourway == colour_ids[barcode.colour])
                & (Sku.size == resolved.size_ids[barcode.size])
            )


async def _snapshot(style_id: int) -> dict[str, Any]:
    """The style as the audit log records it, with its colourways and barcodes as text."""
    style = await Style.select(*Style.all_columns()).where(Style.id == style_id).first()
    assert style is not None
    values: dict[str, Any] = {name: style[name] for name in STYLE_FIELDS}
    values["season"] = style["season"]
    values["collection"] = style["collection"]
    values["size_scale"] = style["size_scale"]
    values["version"] = style["version"]
    values["colourways"] = await _colourways_text(style_id)
    values["barcodes"] = await _barcodes_text(style_id)
    return values


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
            Sku.colourway.code.as_alias("colour"),  # type: ignore[attr-defined]
            Sku.size.label.as_alias("size"),  # type: ignore[attr-defined]
            Sku.barcode,
        )
        .where((Sku.style == style_id) & Sku.barcode.is_not_null())
        .order_by(Sku.colourway)
        .order_by(Sku.size.position)  # type: ignore[attr-defined]
    )
    return "\n".join(f"{row['colour']} {row['size']} {row['barcode']}" for row in rows)


async def create_style(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """Create a style with its colourways and the colour × size SKU matrix (manage_catalog)."""
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_style(data)
    if values is None:
        return SaveResult(errors=errors)
    resolved, errors = await resolve_style(values)
    if resolved is None:
        return SaveResult(errors=errors)
    try:
        async with write_transaction():
            # Checked inside the transaction: a code or barcode taken since the form was
            # read is refused here rather than by the database's unique index.
            errors = await conflicting_rows(resolved, None)
            if errors:
                return SaveResult(errors=errors)
            style_uuid = await insert_style(viewer, resolved)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        return SaveResult(errors=taken_meanwhile())
    return SaveResult(uuid=style_uuid)


def taken_meanwhile() -> dict[str, str]:
    """What the second of two simultaneous saves is told: on PostgreSQL both can pass the
    check at once, and the unique index then refuses the second (not an error page)."""
    return {
        "barcodes": _(
            "Someone saved the same style code or barcode a moment ago. Nothing was saved."
        )
    }


def is_unique_violation(error: BaseException) -> bool:
    """Whether a unique index refused a write (SQLite or PostgreSQL)."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE" in str(error)
    return isinstance(error, asyncpg.exceptions.UniqueViolationError)


async def insert_style(viewer: Viewer | None, resolved: Resolved) -> UUID:
    """Insert a checked style with its SKU matrix and audit entry (inside write_transaction)."""
    values = resolved.values
    async with write_transaction():
        now = utcnow()
        row = (
            await Style.insert(
                Style(
                    **{
                        column._meta.name: value
                        for column, value in _style_values(resolved).items()
                    },
                    created_at=now,
                    updated_at=now,
                )
            )
            .returning(Style.id, Style.uuid)
            .run()
        )
        style_id, style_uuid = row[0]["id"], row[0]["uuid"]
        await _sync_matrix(style_id, resolved)
        after = await _snapshot(style_id)
        await audit_log.record(
            viewer,
            entity_kind="style",
            entity_uuid=style_uuid,
            organisation_id=None,
            action="create",
            changes=audit_log.changes_between({}, after),
            summary=values.code,
        )
    return UUID(str(style_uuid))


async def update_style(
    viewer: Viewer, style: access.VisibleStyle, data: Mapping[str, Any]
) -> SaveResult:
    """Save the edit form unless someone saved since it was opened (optimistic locking).

    The size scale stays as created: the SKUs are made of its sizes.
    """
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_style(data)
    if values is None:
        return SaveResult(errors=errors)
    resolved, errors = await resolve_style(values)
    if resolved is None:
        return SaveResult(errors=errors)
    if resolved.scale_id != style.size_scale:
        return SaveResult(
            errors={"size_scale": _("The size scale cannot change once the style has SKUs.")}
        )
    opened_version = values.version if values.version is not None else style.version
    try:
        async with write_transaction():
            errors = await conflicting_rows(resolved, style.id)
            if errors:
                return SaveResult(errors=errors)
            before = await _snapshot(style.id)
            updated = await update_if_version(
                Style,
                style.id,
                opened_version,
                {**_style_values(resolved), Style.updated_at: utcnow()},
            )
            if updated:
                await _sync_matrix(style.id, resolved)
                after = await _snapshot(style.id)
                await audit_log.record(
                    viewer,
                    entity_kind="style",
                    entity_uuid=style.uuid,
                    organisation_id=None,
                    action="update",
                    changes=audit_log.changes_between(before, after),
                    summary=values.code,
                )
    except Exception as error:
        if not is_unique_violation(error):
            raise
        return SaveResult(errors=taken_meanwhile())
    if not updated:
        return SaveResult(
            conflicts=await audit_log.changes_since(style.uuid, opened_version),
            current_version=before["version"],
        )
    return SaveResult(uuid=style.uuid)


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


# ---------------------------------------------------------------------------
# Price lists and prices


async def list_price_lists(viewer: Viewer) -> list[dict[str, Any]]:
    """The price lists the viewer may see, general ones first, with the partner of each
    partner's own list (one query)."""
    access.require(viewer, Action.view_price_lists)
    query = PriceList.select(
        *PriceList.all_columns(),
        PriceList.organisation.legal_name.as_alias("partner_name"),  # type: ignore[attr-defined]
        PriceList.organisation.uuid.as_alias("partner_uuid"),  # type: ignore[attr-defined]
    )
    condition = access.price_list_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    rows = await query.order_by(PriceList.name)
    return sorted(rows, key=lambda row: row["organisation"] is not None)


@access.checked_by_caller("the price list comes from get_price_list")
async def price_list_partner(price_list: PriceListRecord) -> dict[str, Any] | None:
    """The partner whose own list this is (None for a general list)."""
    if not price_list.organisation:
        return None
    return await (
        Organisation.select(Organisation.uuid, Organisation.legal_name)
        .where(Organisation.id == price_list.organisation)
        .first()
    )


async def partner_choices(viewer: Viewer) -> list[dict[str, Any]]:
    """Buying partners (distributors, retailers, group clients) a list may be made for."""
    query = access.scoped(
        Organisation.select(
            Organisation.id,
            Organisation.uuid,
            Organisation.legal_name,
            Organisation.currency,
            Organisation.kind,
        ).where(Organisation.kind.is_in(list(forms.BUYER_KINDS))),
        viewer,
    )
    return await query.order_by(Organisation.legal_name)


@access.checked_by_caller("the price list comes from get_price_list")
async def price_sheet(price_list: PriceListRecord) -> list[dict[str, Any]]:
    """Every style with its style-wide price on the list and, under ``sizes``, each size of
    its scale with the size's own price (None where there is none). Three queries."""
    styles = await Style.select(
        Style.id,
        Style.uuid,
        Style.code,
        Style.name_en,
        Style.name_zh,
        Style.name_ko,
        Style.status,
        Style.size_scale,
    ).order_by(Style.code)
    sizes_of: dict[int, list[dict[str, Any]]] = {}
    for size in await Size.select(Size.id, Size.label, Size.size_scale).order_by(Size.position):
        sizes_of.setdefault(size["size_scale"], []).append(size)
    prices = {
        (row["style"], row["size"]): row
        for row in await Price.select(
            Price.style, Price.size, Price.wholesale, Price.suggested_retail
        ).where(Price.price_list == price_list.id)
    }
    for style in styles:
        price = prices.get((style["id"], None))
        style["wholesale"] = price["wholesale"] if price else None
        style["suggested_retail"] = price["suggested_retail"] if price else None
        style["sizes"] = []
        for size in sizes_of.get(style["size_scale"], []):
            own = prices.get((style["id"], size["id"]))
            style["sizes"].append(
                {
                    "id": size["id"],
                    "label": size["label"],
                    "wholesale": own["wholesale"] if own else None,
                    "suggested_retail": own["suggested_retail"] if own else None,
                }
            )
        style["has_size_prices"] = any(size["wholesale"] is not None for size in style["sizes"])
    return styles


def price_field(kind: str, style_uuid: Any, size_label: str | None = None) -> str:
    """The name of a price sheet input: ``wholesale-<style uuid>`` for the style-wide
    price, ``wholesale-<style uuid>@<size>`` for a size's own price (kind: wholesale/retail)."""
    return f"{kind}-{style_uuid}" if size_label is None else f"{kind}-{style_uuid}@{size_label}"


def price_form_values(sheet: Iterable[Mapping[str, Any]], currency: str) -> dict[str, str]:
    """The prices form's fields for the saved prices, written with the currency's decimals."""
    places = forms.minor_units(currency)

    def text(amount: Any) -> str:
        return "" if amount is None else f"{Decimal(amount):.{places}f}"

    values = {}
    for style in sheet:
        values[price_field("wholesale", style["uuid"])] = text(style["wholesale"])
        values[price_field("retail", style["uuid"])] = text(style["suggested_retail"])
        for size in style["sizes"]:
            values[price_field("wholesale", style["uuid"], size["label"])] = text(size["wholesale"])
            values[price_field("retail", style["uuid"], size["label"])] = text(
                size["suggested_retail"]
            )
    return values


def _read_price_pair(
    data: Mapping[str, Any],
    currency: str,
    wholesale_name: str,
    retail_name: str,
    errors: dict[str, str],
) -> tuple[Decimal, Decimal | None] | None:
    """The (wholesale, retail) typed in two inputs; None when both are empty or wrong."""
    wholesale_text = str(data.get(wholesale_name) or "").strip()
    retail_text = str(data.get(retail_name) or "").strip()
    wholesale = retail = None
    if wholesale_text:
        wholesale, problem = forms.parse_money(wholesale_text, currency)
        if problem:
            errors[wholesale_name] = problem
    if retail_text:
        retail, problem = forms.parse_money(retail_text, currency)
        if problem:
            errors[retail_name] = problem
        elif not wholesale_text:
            errors[wholesale_name] = _("Enter the wholesale price too.")
    return (wholesale, retail) if wholesale is not None else None


@access.checked_by_caller("the price list comes from get_price_list")
async def save_prices(
    viewer: Viewer, price_list: access.VisiblePriceList, data: Mapping[str, Any]
) -> SaveResult:
    """Set the prices of a list from the price sheet: each style's price for all sizes and
    each size's own price. Nothing is saved when any amount is wrong (``errors``) or when
    someone saved the sheet after it was opened (``conflicts``; the form's ``version``).

    An empty wholesale price removes that price; a suggested retail price needs a
    wholesale price. A size's own price wins over the style's for that size.
    """
    access.require(viewer, Action.manage_catalog)
    currency = price_list.currency
    sheet = await price_sheet(price_list)
    errors: dict[str, str] = {}
    wanted: dict[tuple[int, int | None], tuple[Decimal, Decimal | None]] = {}
    labels: dict[tuple[int, int | None], str] = {}
    for style in sheet:
        pair = _read_price_pair(
            data,
            currency,
            price_field("wholesale", style["uuid"]),
            price_field("retail", style["uuid"]),
            errors,
        )
        if pair is not None:
            wanted[(style["id"], None)] = pair
        labels[(style["id"], None)] = style["code"]
        for size in style["sizes"]:
            key = (style["id"], size["id"])
            labels[key] = f"{style['code']} {size['label']}"
            pair = _read_price_pair(
                data,
                currency,
                price_field("wholesale", style["uuid"], size["label"]),
                price_field("retail", style["uuid"], size["label"]),
                errors,
            )
            if pair is not None:
                wanted[key] = pair
    opened_version = whole_number(str(data.get("version") or price_list.version))
    if opened_version is None:
        errors["version"] = _("The form is damaged; open it again.")
    if errors or opened_version is None:
        return SaveResult(errors=errors)
    before: dict[str, str] = {}
    for style in sheet:
        before[labels[(style["id"], None)]] = _price_text(
            style["wholesale"], style["suggested_retail"]
        )
        for size in style["sizes"]:
            before[labels[(style["id"], size["id"])]] = _price_text(
                size["wholesale"], size["suggested_retail"]
            )
    after = {
        label: _price_text(*wanted[key]) if key in wanted else "" for key, label in labels.items()
    }
    changes = audit_log.changes_between(before, after)
    async with write_transaction():
        new_version = await update_if_version(PriceList, price_list.id, opened_version, {})
        if new_version is None:
            current = (
                await PriceList.select(PriceList.version)
                .where(PriceList.id == price_list.id)
                .first()
            )
            conflicts = await audit_log.changes_since(price_list.uuid, opened_version)
            return SaveResult(
                conflicts=conflicts, current_version=current["version"] if current else None
            )
        await Price.delete().where(Price.price_list == price_list.id)
        if wanted:
            await Price.insert(
                *(
                    Price(
                        price_list=price_list.id,
                        style=style_id,
                        size=size_id,
                        wholesale=wholesale,
                        suggested_retail=retail,
                    )
                    for (style_id, size_id), (wholesale, retail) in wanted.items()
                )
            ).run()
        if changes:
            await audit_log.record(
                viewer,
                entity_kind="price_list",
                entity_uuid=price_list.uuid,
                organisation_id=price_list.organisation,
                action="update",
                changes={**changes, "version": [opened_version, new_version]},
                summary=price_list.name,
            )
    return SaveResult(uuid=price_list.uuid)


def _price_text(wholesale: Decimal | None, retail: Decimal | None) -> str:
    if wholesale is None:
        return ""
    return (
        f"{Decimal(wholesale)} / {Decimal(retail)}"
        if retail is not None
        else str(Decimal(wholesale))
    )


# ---------------------------------------------------------------------------
# Volume breaks


@access.checked_by_caller("price lists its callers chose for a buyer they fetched")
async def volume_breaks(price_list_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal]]]:
    """The volume breaks of these lists: list id -> [(from quantity, percent off)] by
    quantity (one query)."""
    wanted = sorted(set(price_list_ids))
    breaks: dict[int, list[tuple[int, Decimal]]] = {list_id: [] for list_id in wanted}
    if not wanted:
        return breaks
    for row in await (
        VolumeBreak.select(
            VolumeBreak.price_list, VolumeBreak.min_quantity, VolumeBreak.discount_percent
        )
        .where(VolumeBreak.price_list.is_in(wanted))
        .order_by(VolumeBreak.min_quantity)
    ):
        breaks[row["price_list"]].append((row["min_quantity"], Decimal(row["discount_percent"])))
    return breaks


def discount_percent(breaks: Sequence[tuple[int, Decimal]], quantity: int) -> Decimal:
    """The percent off for ``quantity`` units: the highest break reached, else 0."""
    reached = [percent for minimum, percent in breaks if quantity >= minimum]
    return max(reached, default=Decimal("0"))


@access.checked_by_caller("the price list its caller chose for a buyer it fetched")
async def volume_discount_percent(price_list_id: int, style_id: int, quantity: int) -> Decimal:
    """Percent off a style's prices on a list when an order holds ``quantity`` units of the
    style (all its colours and sizes together); 0 when the list does not price the style.

    For a whole order use ``prices_for_partner(...).discount_for(style_id, quantity)``,
    which answers from data loaded once for all styles.
    """
    if not await Price.exists().where(
        (Price.price_list == price_list_id) & (Price.style == style_id)
    ):
        return Decimal("0")
    breaks = await volume_breaks([price_list_id])
    return discount_percent(breaks[price_list_id], quantity)


def volume_break_form_values(breaks: Sequence[tuple[int, Decimal]]) -> dict[str, str]:
    """The volume break form's rows: the saved breaks, then empty rows to add more."""
    values: dict[str, str] = {}
    for number, (minimum, percent) in enumerate(breaks, start=1):
        values[f"break-quantity-{number}"] = str(minimum)
        values[f"break-percent-{number}"] = f"{percent.normalize():f}"
    return values


@access.checked_by_caller("the price list comes from get_price_list")
async def save_volume_breaks(
    viewer: Viewer, price_list: access.VisiblePriceList, data: Mapping[str, Any]
) -> dict[str, str]:
    """Replace a list's volume breaks with the form's rows; returns errors (nothing saved)."""
    access.require(viewer, Action.manage_catalog)
    wanted, errors = forms.parse_volume_breaks(data)
    if wanted is None:
        return errors
    async with write_transaction():
        saved = (await volume_breaks([price_list.id]))[price_list.id]
        before = {"volume_breaks": _breaks_text(saved)}
        after = {"volume_breaks": _breaks_text(wanted)}
        if before == after:
            return {}
        await VolumeBreak.delete().where(VolumeBreak.price_list == price_list.id)
        if wanted:
            await VolumeBreak.insert(
                *(
                    VolumeBreak(
                        price_list=price_list.id,
                        min_quantity=minimum,
                        discount_percent=percent,
                    )
                    for minimum, percent in wanted
                )
            ).run()
        await audit_log.record(
            viewer,
            entity_kind="price_list",
            entity_uuid=price_list.uuid,
            organisation_id=price_list.organisation,
            action="update",
            changes=audit_log.changes_between(before, after),
            summary=price_list.name,
        )
    return {}


def _breaks_text(breaks: Sequence[tuple[int, Decimal]]) -> str:
    return ", ".join(f"{minimum}: {Decimal(percent).normalize():f}%" for minimum, percent in breaks)


# ---------------------------------------------------------------------------
# What a partner pays


@dataclass(frozen=True)
class PartnerPrice:
    price_list_uuid: UUID
    price_list_name: str
    currency: str
    tax_inclusive: bool
    wholesale: Decimal
    suggested_retail: Decimal | None
    # True when the price comes from the partner's own list (an agreed override).
    partner_specific: bool = False
    price_list_id: int = 0


# Which list wins for a partner: its own, then its tier's, then the one for any tier.
OWN_LIST, TIER_LIST, ANY_TIER_LIST = 0, 1, 2


@dataclass
class PartnerPrices:
    """The prices a partner pays for a set of styles, with the lists' volume breaks, from
    two queries (see prices_for_partner).

    ``best`` holds, per (style id, size id or None), the winning row: the partner's own
    list beats its tier's list, which beats the tier-less list; then the older list.
    ``breaks`` holds each winning list's volume breaks (list id -> [(from qty, percent)]).
    """

    best: dict[tuple[int, int | None], dict[str, Any]]
    breaks: dict[int, list[tuple[int, Decimal]]] = field(default_factory=dict)

    def _row(self, style_id: int, size_id: int | None) -> dict[str, Any] | None:
        candidates = [
            row
            for row in (self.best.get((style_id, size_id)), self.best.get((style_id, None)))
            if row is not None
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda row: (row["rank"], row["size"] is None))

    def for_item(self, style_id: int, size_id: int | None = None) -> PartnerPrice | None:
        """The price of a style in a size; None when no list prices it for the partner.

        A size's own price beats the style-wide one on a list of the same rank, but a
        better-ranked list's style-wide price (the partner's own) beats a size price of a
        lower-ranked one (the tier's).
        """
        row = self._row(style_id, size_id)
        if row is None:
            return None
        return PartnerPrice(
            price_list_uuid=row["list_uuid"],
            price_list_name=row["list_name"],
            currency=row["currency"],
            tax_inclusive=bool(row["tax_inclusive"]),
            wholesale=Decimal(row["wholesale"]),
            suggested_retail=(
                None if row["suggested_retail"] is None else Decimal(row["suggested_retail"])
            ),
            partner_specific=row["rank"] == OWN_LIST,
            price_list_id=row["list_id"],
        )

    def volume_breaks_for(self, style_id: int) -> list[tuple[int, Decimal]]:
        """The volume breaks, (from quantity, percent off) in rising order, of the list that
        prices the style for the partner; none when no list prices it."""
        row = self.best.get((style_id, None))
        if row is None:
            sized = [value for key, value in self.best.items() if key[0] == style_id]
            if not sized:
                return []
            row = min(sized, key=lambda value: (value["rank"], value["list_id"]))
        return sorted(self.breaks.get(row["list_id"], []))

    def discount_for(self, style_id: int, quantity: int) -> Decimal:
        """Percent off the style's prices for ``quantity`` units of the style in one order
        (all colours and sizes together), from the volume breaks of the list that prices
        the style for the partner; 0 when there is no break or no price.

        E.g. ``Decimal("5")`` means 5% off each of the style's unit prices.
        """
        return discount_percent(self.volume_breaks_for(style_id), quantity)


@access.checked_by_caller(
    "the buyer its caller fetched through access (get_buyer, get_organisation)"
)
async def prices_for_partner(organisation_id: int, style_ids: Iterable[int]) -> PartnerPrices:
    """What a partner pays for these styles, in the partner's currency: its own price list
    (an agreed override, for the styles and sizes it prices), else the list of its tier,
    else the tier-less list. One query for the prices of all styles, one for the volume
    breaks of the lists that won, whatever the number of styles.
    """
    wanted = sorted(set(style_ids))
    organisation = (
        await Organisation.select(Organisation.tier, Organisation.currency)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if organisation is None or not wanted:
        return PartnerPrices(best={})
    price_list: Any = Price.price_list
    rows = await Price.select(
        Price.style,
        Price.size,
        Price.wholesale,
        Price.suggested_retail,
        price_list.uuid.as_alias("list_uuid"),
        price_list.name.as_alias("list_name"),
        price_list.tier.as_alias("tier"),
        price_list.currency.as_alias("currency"),
        price_list.tax_inclusive.as_alias("tax_inclusive"),
        price_list.organisation.as_alias("list_organisation"),
        price_list.id.as_alias("list_id"),
    ).where(
        Price.style.is_in(wanted)
        & (price_list.currency == organisation["currency"])
        & (
            (price_list.organisation == organisation_id)
            | (
                price_list.organisation.is_null()
                & ((price_list.tier == organisation["tier"]) | price_list.tier.is_null())
            )
        )
    )
    best: dict[tuple[int, int | None], dict[str, Any]] = {}
    for row in rows:
        row["rank"] = (
            OWN_LIST
            if row["list_organisation"] is not None
            else TIER_LIST
            if row["tier"] is not None
            else ANY_TIER_LIST
        )
        key = (row["style"], row["size"])
        current = best.get(key)
        if current is None or (row["rank"], row["list_id"]) < (current["rank"], current["list_id"]):
            best[key] = row
    breaks = await volume_breaks({row["list_id"] for row in best.values()})
    return PartnerPrices(best=best, breaks=breaks)


async def price_for_partner(
    organisation_id: int, style_id: int, size_id: int | None = None
) -> PartnerPrice | None:
    """What a partner pays for one style (in a size); None when no list in the partner's
    currency prices it. See prices_for_partner."""
    prices = await prices_for_partner(organisation_id, [style_id])
    return prices.for_item(style_id, size_id)


# ---------------------------------------------------------------------------
# Reference data pages: seasons with their collections, size scales, price lists


@dataclass
class RefResult:
    """What saving a reference-data form gave: the row's uuid, or the form's errors."""

    uuid: UUID | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def saved(self) -> bool:
        return self.uuid is not None


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


async def list_seasons(viewer: Viewer) -> list[dict[str, Any]]:
    """Seasons, newest code first, each with its collections (two queries)."""
    access.require(viewer, Action.manage_catalog)
    seasons = await Season.select(*Season.all_columns()).order_by(Season.code)
    collections = await Collection.select(
        Collection.uuid, Collection.name, Collection.season
    ).order_by(Collection.name)
    for season in seasons:
        season["collections"] = [row for row in collections if row["season"] == season["id"]]
    return seasons


def season_form_values(season: SeasonRecord) -> dict[str, str]:
    return {
        "code": season.code,
        "name": season.name,
        "order_window_start": _iso(season.order_window_start),
        "order_window_end": _iso(season.order_window_end),
    }


async def season_collections(season_id: int) -> list[dict[str, Any]]:
    return await (
        Collection.select(Collection.uuid, Collection.name)
        .where(Collection.season == season_id)
        .order_by(Collection.name)
    )


async def save_season(
    viewer: Viewer, data: Mapping[str, Any], season: SeasonRecord | None = None
) -> RefResult:
    """Create a season, or edit one (a code stays unique)."""
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_season(data)
    if values is None:
        return RefResult(errors=errors)
    window = (
        (values.order_window_start, values.order_window_end)
        if values.order_window_start and values.order_window_end
        else None
    )
    async with write_transaction():
        same_code = Season.select(Season.id).where(Season.code == values.code)
        if season is not None:
            same_code = same_code.where(Season.id != season.id)
        if await same_code.first():
            return RefResult(errors={"code": _("Another season already has this code.")})
        if season is None:
            season_id = await create_season(viewer, values.code, values.name, window)
            row = await Season.select(Season.uuid).where(Season.id == season_id).first()
            assert row is not None
            return RefResult(uuid=row["uuid"])
        before = season_form_values(season)
        await Season.update(
            {
                Season.code: values.code,
                Season.name: values.name,
                Season.order_window_start: values.order_window_start,
                Season.order_window_end: values.order_window_end,
            }
        ).where(Season.id == season.id)
        after = {
            "code": values.code,
            "name": values.name,
            "order_window_start": _iso(values.order_window_start),
            "order_window_end": _iso(values.order_window_end),
        }
        changes = audit_log.changes_between(before, after)
        if changes:
            await audit_log.record(
                viewer,
                entity_kind="season",
                entity_uuid=season.uuid,
                organisation_id=None,
                action="update",
                changes=changes,
                summary=values.code,
            )
    return RefResult(uuid=season.uuid)


async def add_collection(
    viewer: Viewer, season: SeasonRecord, data: Mapping[str, Any]
) -> dict[str, str]:
    """Add a collection to a season; returns errors (a name is unique within its season)."""
    access.require(viewer, Action.manage_catalog)
    name, errors = forms.parse_collection_name(data)
    if name is None:
        return errors
    async with write_transaction():
        if await Collection.exists().where(
            (Collection.season == season.id) & (Collection.name == name)
        ):
            return {"name": _("The season already has a collection of this name.")}
        row = (
            await Collection.insert(Collection(season=season.id, name=name))
            .returning(Collection.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind="collection",
            entity_uuid=row[0]["uuid"],
            organisation_id=None,
            action="create",
            changes={"season": [None, season.code], "name": [None, name]},
            summary=f"{season.code} {name}",
        )
    return {}


async def list_size_scales(viewer: Viewer) -> list[dict[str, Any]]:
    """Size scales with their sizes in order and whether a style uses them (three queries)."""
    access.require(viewer, Action.manage_catalog)
    scales = await SizeScale.select(*SizeScale.all_columns()).order_by(SizeScale.code)
    sizes = await Size.select(Size.size_scale, Size.label).order_by(Size.position)
    used = {row["size_scale"] for row in await Style.select(Style.size_scale).distinct()}
    for scale in scales:
        scale["sizes"] = [row["label"] for row in sizes if row["size_scale"] == scale["id"]]
        scale["in_use"] = scale["id"] in used
    return scales


async def scale_in_use(scale_id: int) -> bool:
    return bool(await Style.exists().where(Style.size_scale == scale_id))


async def size_scale_form_values(scale: SizeScaleRecord) -> dict[str, str]:
    labels = [row["label"] for row in await _sizes(scale.id)]
    return {
        "code": scale.code,
        "name": scale.name,
        "kind": scale.kind,
        "sizes": "\n".join(labels),
    }


async def save_size_scale(
    viewer: Viewer, data: Mapping[str, Any], scale: SizeScaleRecord | None = None
) -> RefResult:
    """Create a size scale, or edit one. A scale a style uses keeps all its sizes (its
    SKUs are made of them): sizes may be added and reordered, not removed."""
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_size_scale(data)
    if values is None:
        return RefResult(errors=errors)
    async with write_transaction():
        same_code = SizeScale.select(SizeScale.id).where(SizeScale.code == values.code)
        if scale is not None:
            same_code = same_code.where(SizeScale.id != scale.id)
        if await same_code.first():
            return RefResult(errors={"code": _("Another size scale already has this code.")})
        if scale is None:
            scale_id = await create_size_scale(
                viewer, values.code, values.name, values.kind, values.sizes
            )
            row = await SizeScale.select(SizeScale.uuid).where(SizeScale.id == scale_id).first()
            assert row is not None
            return RefResult(uuid=row["uuid"])
        existing = {row["label"]: row["id"] for row in await _sizes(scale.id)}
        removed = [label for label in existing if label not in values.sizes]
        if removed and await scale_in_use(scale.id):
            return RefResult(
                errors={
                    "sizes": _(
                        "Styles use this scale, so its sizes cannot be removed: %(sizes)s.",
                        sizes=", ".join(removed),
                    )
                }
            )
        before = await size_scale_form_values(scale)
        await SizeScale.update(
            {SizeScale.code: values.code, SizeScale.name: values.name, SizeScale.kind: values.kind}
        ).where(SizeScale.id == scale.id)
        if removed:
            await Size.delete().where(Size.id.is_in([existing[label] for label in removed]))
        for position, label in enumerate(values.sizes, start=1):
            if label in existing:
                await Size.update({Size.position: position}).where(Size.id == existing[label])
            else:
                await Size.insert(Size(size_scale=scale.id, label=label, position=position)).run()
        after = {
            "code": values.code,
            "name": values.name,
            "kind": values.kind,
            "sizes": "\n".join(values.sizes),
        }
        changes = audit_log.changes_between(before, after)
        if changes:
            await audit_log.record(
                viewer,
                entity_kind="size_scale",
                entity_uuid=scale.uuid,
                organisation_id=None,
                action="update",
                changes=changes,
                summary=values.code,
            )
    return RefResult(uuid=scale.uuid)


@access.checked_by_caller("the price list comes from get_price_list")
async def price_list_form_values(price_list: access.VisiblePriceList) -> dict[str, str]:
    partner = (
        await Organisation.select(Organisation.uuid)
        .where(Organisation.id == price_list.organisation)
        .first()
        if price_list.organisation
        else None
    )
    return {
        "name": price_list.name,
        "currency": price_list.currency,
        "tax_inclusive": "on" if price_list.tax_inclusive else "",
        "tier": price_list.tier or "",
        "partner": str(partner["uuid"]) if partner else "",
    }


@access.checked_by_caller("the price list comes from get_price_list")
async def save_price_list(
    viewer: Viewer, data: Mapping[str, Any], price_list: access.VisiblePriceList | None = None
) -> RefResult:
    """Create a price list, or edit one; a list with prices keeps its currency (the amounts
    were checked against its decimals).

    A list for one partner (``partner``: the organisation's uuid) holds that partner's
    agreed prices: it is in the partner's currency and has no tier.
    """
    access.require(viewer, Action.manage_catalog)
    values, errors = forms.parse_price_list(data)
    if values is None:
        return RefResult(errors=errors)
    partner = None
    if values.partner:
        partner = next(
            (row for row in await partner_choices(viewer) if str(row["uuid"]) == values.partner),
            None,
        )
        if partner is None:
            return RefResult(errors={"partner": _("Choose a distributor, retailer or client.")})
        if values.tier:
            return RefResult(errors={"tier": _("A partner's own list has no tier.")})
        if partner["currency"] != values.currency:
            return RefResult(
                errors={
                    "currency": _(
                        "The partner buys in %(currency)s; its list must be in that currency.",
                        currency=partner["currency"],
                    )
                }
            )
    organisation_id = partner["id"] if partner else None
    if price_list is None:
        list_id = await create_price_list(
            viewer,
            values.name,
            values.currency,
            values.tax_inclusive,
            values.tier,
            organisation_id,
        )
        row = await PriceList.select(PriceList.uuid).where(PriceList.id == list_id).first()
        assert row is not None
        return RefResult(uuid=row["uuid"])
    async with write_transaction():
        if values.currency != price_list.currency and await Price.exists().where(
            Price.price_list == price_list.id
        ):
            return RefResult(
                errors={"currency": _("The list has prices, so its currency cannot change.")}
            )
        before = await price_list_form_values(price_list)
        await PriceList.update(
            {
                PriceList.name: values.name,
                PriceList.currency: values.currency,
                PriceList.tax_inclusive: values.tax_inclusive,
                PriceList.tier: values.tier,
                PriceList.organisation: organisation_id,
            }
        ).where(PriceList.id == price_list.id)
        after = {
            "name": values.name,
            "currency": values.currency,
            "tax_inclusive": "on" if values.tax_inclusive else "",
            "tier": values.tier or "",
            "partner": values.partner,
        }
        changes = audit_log.changes_between(before, after)
        if changes:
            await audit_log.record(
                viewer,
                entity_kind="price_list",
                entity_uuid=price_list.uuid,
                organisation_id=organisation_id,
                action="update",
                changes=changes,
                summary=values.name,
            )
    return RefResult(uuid=price_list.uuid)


async def apply_style_update(viewer: Viewer, style: Mapping[str, Any], resolved: Resolved) -> bool:
    """Update a saved style from checked values (an import row group), inside the caller's
    write transaction; False when nothing would change (nothing is written then)."""
    before = await _snapshot(style["id"])
    values = resolved.values
    proposed: dict[str, Any] = {name: getattr(values, name) for name in STYLE_FIELDS}
    proposed.update(
        season=resolved.season_id,
        collection=resolved.collection_id,
        size_scale=resolved.scale_id,
        colourways="\n".join(
            f"{colourway.code} {colourway.name}".strip() for colourway in values.colourways
        ),
    )
    same = all(before[name] == value for name, value in proposed.items()) and set(
        before["barcodes"].splitlines()
    ) == {f"{barcode.colour} {barcode.size} {barcode.barcode}" for barcode in values.barcodes}
    if same:
        return False
    await update_if_version(
        Style,
        style["id"],
        before["version"],
        {**_style_values(resolved), Style.updated_at: utcnow()},
    )
    await _sync_matrix(style["id"], resolved)
    after = await _snapshot(style["id"])
    await audit_log.record(
        viewer,
        entity_kind="style",
        entity_uuid=style["uuid"],
        organisation_id=None,
        action="update",
        changes=audit_log.changes_between(before, after),
        summary=values.code,
    )
    return True
