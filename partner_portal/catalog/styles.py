"""Styles: the style list, one style's page, and creating and editing a style with its
colourways and SKU matrix (by form or by import). Catalog rows belong to the brand, so
their audit entries carry no organisation."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
from partner_portal.catalog.tables import (
    Collection,
    Colourway,
    Price,
    Season,
    Size,
    SizeScale,
    Sku,
    Style,
)
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import MAX_PAGE, whole_number

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
    "carry_over",
)


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
            Style.season.code.as_alias("season_code"),  # type: ignore[attr-defined]
            Style.size_scale.name.as_alias("scale_name"),  # type: ignore[attr-defined]
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


async def scale_sizes(scale_id: int) -> list[dict[str, Any]]:
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
    sizes = await scale_sizes(scale["id"])
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
        **({} if values.carry_over is None else {Style.carry_over: values.carry_over}),
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
    values, errors = forms.parse_style(data, checkboxes=True)
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
    values, errors = forms.parse_style(data, checkboxes=True)
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


async def apply_style_update(viewer: Viewer, style: Mapping[str, Any], resolved: Resolved) -> bool:
    """Update a saved style from checked values (an import row group), inside the caller's
    write transaction; False when nothing would change (nothing is written then)."""
    before = await _snapshot(style["id"])
    values = resolved.values
    # A field the file does not carry (None: the carry-over flag) stays as saved.
    proposed: dict[str, Any] = {
        name: getattr(values, name) for name in STYLE_FIELDS if getattr(values, name) is not None
    }
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
