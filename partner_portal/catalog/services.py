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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.query.methods.select import Select

from partner_portal import access, inputs
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
from partner_portal.catalog.records import PriceListRecord
from partner_portal.catalog.tables import (
    Price,
    PriceList,
    Season,
    Size,
    SizeScale,
    Style,
    VolumeBreak,
)
from partner_portal.clock import utcnow
from partner_portal.database import one_of, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.partners.tables import Organisation
from partner_portal.statements import Parameter, Prepared

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
# Price lists and prices


async def list_price_lists(viewer: Viewer) -> list[dict[str, Any]]:
    """The price lists the viewer may see, general ones first, with the partner of each
    partner's own list (one query)."""
    access.require(viewer, Action.view_price_lists)
    query = PriceList.select(
        *PriceList.all_columns(),
        PriceList.organisation._.legal_name.as_alias("partner_name"),
        PriceList.organisation._.uuid.as_alias("partner_uuid"),
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
    places = inputs.minor_units(currency)

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
        wholesale = inputs.valid(errors, wholesale_name, inputs.money(wholesale_text, currency))
    if retail_text:
        retail = inputs.valid(errors, retail_name, inputs.money(retail_text, currency))
        if retail is not None and not wholesale_text:
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


@Prepared
@access.checked_by_caller("price lists volume_breaks' callers chose for a buyer they fetched")
def _volume_breaks() -> Select:
    return (
        VolumeBreak.select(
            VolumeBreak.price_list, VolumeBreak.min_quantity, VolumeBreak.discount_percent
        )
        .where(one_of(VolumeBreak.price_list, Parameter("lists")))
        .order_by(VolumeBreak.min_quantity)
    )


@access.checked_by_caller("price lists its callers chose for a buyer they fetched")
async def volume_breaks(price_list_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal]]]:
    """The volume breaks of these lists: list id -> [(from quantity, percent off)] by
    quantity (one query)."""
    wanted = sorted(set(price_list_ids))
    breaks: dict[int, list[tuple[int, Decimal]]] = {list_id: [] for list_id in wanted}
    if not wanted:
        return breaks
    for row in await _volume_breaks.rows(lists=wanted):
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


# The price query's columns, built once: Piccolo spends about a millisecond of CPU
# building each joined column, and every line sheet, grid and order asks for prices.
PRICE_LIST = Price.price_list._
PARTNER_PRICE_COLUMNS = (
    Price.style,
    Price.size,
    Price.wholesale,
    Price.suggested_retail,
    PRICE_LIST.uuid.as_alias("list_uuid"),
    PRICE_LIST.name.as_alias("list_name"),
    PRICE_LIST.tier.as_alias("tier"),
    PRICE_LIST.currency.as_alias("currency"),
    PRICE_LIST.tax_inclusive.as_alias("tax_inclusive"),
    PRICE_LIST.organisation.as_alias("list_organisation"),
    PRICE_LIST.id.as_alias("list_id"),
)
# ... and the ones it is filtered on (each reading of a joined column builds it anew).
_list_currency, _list_organisation, _list_tier = (
    PRICE_LIST.currency,
    PRICE_LIST.organisation,
    PRICE_LIST.tier,
)


@Prepared
@access.checked_by_caller("the buyer prices_for_partner's callers fetched through access")
def _partner_terms() -> Select:
    return (
        Organisation.select(Organisation.tier, Organisation.currency)
        .where(Organisation.id == Parameter("organisation"))
        .limit(1)
    )


@Prepared
@access.checked_by_caller("the buyer prices_for_partner's callers fetched through access")
def _partner_prices() -> Select:
    """The lists that may price the partner: its own, its tier's, the tier-less (a partner
    without a tier matches no tier list: "= NULL" is never true)."""
    return Price.select(*PARTNER_PRICE_COLUMNS).where(
        one_of(Price.style, Parameter("styles"))
        & (_list_currency == Parameter("currency"))
        & (
            (_list_organisation == Parameter("organisation"))
            | (
                _list_organisation.is_null()
                & ((_list_tier == Parameter("tier")) | _list_tier.is_null())
            )
        )
    )


@access.checked_by_caller(
    "the buyer its caller fetched through access (get_buyer, get_organisation)"
)
async def prices_for_partner(
    organisation_id: int,
    style_ids: Iterable[int],
    tier: str | None = None,
    currency: str | None = None,
) -> PartnerPrices:
    """What a partner pays for these styles, in the partner's currency: its own price list
    (an agreed override, for the styles and sizes it prices), else the list of its tier,
    else the tier-less list. A contract in force may name another ``tier`` and
    ``currency`` than the partner record's; they win. One query for the prices of all
    styles, one for the volume breaks of the lists that won, whatever the number of styles.
    """
    wanted = sorted(set(style_ids))
    organisation = await _partner_terms.first(organisation=organisation_id)
    if organisation is None or not wanted:
        return PartnerPrices(best={})
    rows = await _partner_prices.rows(
        styles=wanted,
        organisation=organisation_id,
        currency=currency or organisation["currency"],
        tier=tier or organisation["tier"],
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
