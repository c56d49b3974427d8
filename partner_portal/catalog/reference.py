"""The catalog's reference data pages: seasons with their collections, size scales, price
lists (their names, currency and tier; their prices are in services.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog import forms
from partner_portal.catalog.availability import (
    SkuAvailability as SkuAvailability,
)
from partner_portal.catalog.availability import (
    availability_for as availability_for,
)
from partner_portal.catalog.availability import (
    delivery_windows as delivery_windows,
)
from partner_portal.catalog.images import style_image_files as style_image_files
from partner_portal.catalog.images import style_image_urls as style_image_urls
from partner_portal.catalog.prepacks import PrepackRatio as PrepackRatio
from partner_portal.catalog.prepacks import expand_prepack as expand_prepack
from partner_portal.catalog.prepacks import prepacks_for_scales as prepacks_for_scales
from partner_portal.catalog.records import SeasonRecord, SizeScaleRecord
from partner_portal.catalog.services import (
    create_price_list,
    create_season,
    create_size_scale,
    partner_choices,
)
from partner_portal.catalog.styles import scale_sizes
from partner_portal.catalog.tables import (
    Collection,
    Price,
    PriceList,
    Season,
    Size,
    SizeScale,
    Style,
)
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import Organisation

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
    labels = [row["label"] for row in await scale_sizes(scale.id)]
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
        existing = {row["label"]: row["id"] for row in await scale_sizes(scale.id)}
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
