"""Reading what the changes concern (a fixed number of queries) and checking each change
against it (no queries): the rules of a style, written once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from msgspec import UnsetType

from partner_portal import access, inputs
from partner_portal.catalog import forms
from partner_portal.catalog.bulk import RowProblem
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
)
from partner_portal.catalog.upsert.changes import (
    Intent,
    PriceChange,
    StyleChange,
    StylePrices,
)
from partner_portal.database import one_of, one_of_text
from partner_portal.i18n import gettext as _

# ---------------------------------------------------------------------------
# Reading what the changes concern (a fixed number of queries)


def _uuid(text: str) -> str | None:
    """An id sent as text, written as the database's rows write it (None: not an id)."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


# (price list id, style id, size id or None) -> the saved price row
SavedPrices = dict[tuple[int, int, int | None], dict[str, Any]]


@dataclass
class Known:
    seasons: dict[str, dict[str, Any]]
    collections: list[dict[str, Any]]
    scales: dict[str, dict[str, Any]]
    sizes: dict[int, list[dict[str, Any]]]
    price_lists: list[dict[str, Any]]
    styles: dict[int, dict[str, Any]]
    colourways: dict[int, list[dict[str, Any]]]
    skus: dict[int, list[dict[str, Any]]]
    barcode_holders: dict[str, dict[str, Any]]
    reference_holders: dict[str, dict[str, Any]]
    prices: SavedPrices
    styles_by_code: dict[str, dict[str, Any]] = field(default_factory=dict)
    styles_by_reference: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row in self.styles.values():
            self.styles_by_code[row["code"]] = row
            if row["external_ref"] is not None:
                self.styles_by_reference[row["external_ref"]] = row


def _keyed(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows by their id (as text) and by their code."""
    keyed: dict[str, dict[str, Any]] = {}
    for row in rows:
        keyed[str(row["uuid"])] = row
        keyed[row["code"]] = row
    return keyed


@access.system_query("the catalog's managers (manage_catalog) set prices on every list")
async def load(changes: Sequence[StyleChange]) -> Known:
    """Reference data, the styles the changes name (by id, code or reference) with their
    colourways, SKUs and prices, and the SKUs holding the barcodes and references the
    changes give: ten queries at most, whatever the number of changes."""
    seasons = _keyed(await Season.select(Season.id, Season.uuid, Season.code))
    collections = await Collection.select(
        Collection.id, Collection.uuid, Collection.name, Collection.season
    )
    scales = _keyed(await SizeScale.select(SizeScale.id, SizeScale.uuid, SizeScale.code))
    sizes = await _sizes()
    wants_prices = any(change.prices for change in changes)
    price_lists = await _price_lists() if wants_prices else []
    ids = {change.style_id for change in changes if change.style_id is not None}
    codes = {change.code for change in changes if change.code}
    references = {change.external_ref for change in changes if isinstance(change.external_ref, str)}
    conditions = [
        condition
        for condition in (
            one_of(Style.id, ids) if ids else None,
            one_of_text(Style.code, codes) if codes else None,
            one_of_text(Style.external_ref, references) if references else None,
        )
        if condition is not None
    ]
    styles = (
        {
            row["id"]: row
            for row in await Style.select(*Style.all_columns()).where(reduce(or_, conditions))
        }
        if conditions
        else {}
    )
    colourways: dict[int, list[dict[str, Any]]] = {style_id: [] for style_id in styles}
    skus: dict[int, list[dict[str, Any]]] = {style_id: [] for style_id in styles}
    prices: SavedPrices = {}
    if styles:
        for row in (
            await Colourway.select(Colourway.id, Colourway.style, Colourway.code, Colourway.name)
            .where(one_of(Colourway.style, styles))
            .order_by(Colourway.id)
        ):
            colourways[row["style"]].append(row)
        for row in await Sku.select(
            Sku.id, Sku.style, Sku.colourway, Sku.size, Sku.barcode, Sku.external_ref
        ).where(one_of(Sku.style, styles)):
            skus[row["style"]].append(row)
        if wants_prices:
            prices = await _saved_prices(styles)
    barcodes = {
        sku.barcode for change in changes for sku in change.skus if isinstance(sku.barcode, str)
    }
    sku_references = {
        sku.external_ref
        for change in changes
        for sku in change.skus
        if isinstance(sku.external_ref, str)
    }
    holders = [
        condition
        for condition in (
            one_of_text(Sku.barcode, barcodes) if barcodes else None,
            one_of_text(Sku.external_ref, sku_references) if sku_references else None,
        )
        if condition is not None
    ]
    held = (
        await Sku.select(
            Sku.id,
            Sku.style,
            Sku.barcode,
            Sku.external_ref,
            Sku.style._.code.as_alias("style_code"),
        ).where(reduce(or_, holders))
        if holders
        else []
    )
    return Known(
        seasons=seasons,
        collections=collections,
        scales=scales,
        sizes=sizes,
        price_lists=price_lists,
        styles=styles,
        colourways=colourways,
        skus=skus,
        barcode_holders={row["barcode"]: row for row in held if row["barcode"] in barcodes},
        reference_holders={
            row["external_ref"]: row for row in held if row["external_ref"] in sku_references
        },
        prices=prices,
    )


async def _sizes() -> dict[int, list[dict[str, Any]]]:
    """Every size scale's sizes, in their order."""
    sizes: dict[int, list[dict[str, Any]]] = {}
    for size in await Size.select(Size.id, Size.size_scale, Size.label).order_by(Size.position):
        sizes.setdefault(size["size_scale"], []).append(size)
    return sizes


@access.system_query("the catalog's managers (manage_catalog) set prices on every list")
async def _price_lists() -> list[dict[str, Any]]:
    return await PriceList.select(PriceList.id, PriceList.uuid, PriceList.name, PriceList.currency)


@access.system_query("the catalog's managers (manage_catalog) set prices on every list")
async def _saved_prices(styles: Iterable[int]) -> SavedPrices:
    """The saved prices of these styles, on every list."""
    return {
        (row["price_list"], row["style"], row["size"]): row
        for row in await Price.select(*Price.all_columns()).where(one_of(Price.style, styles))
    }


@access.system_query("the catalog's managers (manage_catalog) set prices on every list")
async def load_for_prices(changes: Sequence[StylePrices]) -> Known:
    """What a change of prices alone concerns: the price lists, the sizes, the styles the
    changes name by code and their saved prices (four queries, whatever their number)."""
    codes = {change.code for change in changes}
    styles = {
        row["id"]: row
        for row in await Style.select(*Style.all_columns()).where(one_of_text(Style.code, codes))
    }
    return Known(
        seasons={},
        collections=[],
        scales={},
        sizes=await _sizes(),
        price_lists=await _price_lists(),
        styles=styles,
        colourways={},
        skus={},
        barcode_holders={},
        reference_holders={},
        prices=await _saved_prices(styles) if styles else {},
    )


# ---------------------------------------------------------------------------
# Checking each change against what is saved (no queries)


# (price list row, size id or None for all sizes, size label, wholesale, retail)
WantedPrice = tuple[dict[str, Any], int | None, str, Decimal, Decimal | None]


@dataclass
class Plan:
    """What one change does to one style."""

    index: int
    change: StyleChange
    style: dict[str, Any] | None
    values: dict[str, Any]
    sizes: list[dict[str, Any]]
    # colour code -> name, in the style's order (kept colours first, by id)
    colours: dict[str, str]
    # (colour, size label) -> barcode / ERP reference wanted (None: none)
    barcodes: dict[tuple[str, str], str | None]
    references: dict[tuple[str, str], str | None]
    prices: list[WantedPrice]
    uuid: uuid.UUID


@dataclass
class PricePlan:
    """The prices one change sets on one saved style."""

    style_id: int
    style_code: str
    prices: list[WantedPrice]


class Checker:
    def __init__(self, known: Known) -> None:
        self.known = known
        self.problems: list[RowProblem] = []
        self.stale: dict[int, int] = {}
        self.style_of: dict[int, int] = {}
        self.code_of: dict[str, int] = {}
        self.style_reference_of: dict[str, int] = {}
        self.barcode_of: dict[str, int] = {}
        self.reference_of: dict[str, int] = {}
        self._barcodes_in_item: set[str] = set()
        self._references_in_item: set[str] = set()

    def problem(self, index: int, name: str, message: str) -> None:
        self.problems.append(RowProblem(index, name, message))

    def target(self, index: int, change: StyleChange) -> dict[str, Any] | None:
        """The saved style the change names: its id, else its reference, else its code."""
        known = self.known
        if change.intent is Intent.create:
            return None
        if change.style_id is not None:
            found = known.styles.get(change.style_id)
            if found is None:
                self.problem(index, "code", _("No such style."))
            return found
        if (
            isinstance(change.external_ref, str)
            and change.external_ref in known.styles_by_reference
        ):
            return known.styles_by_reference[change.external_ref]
        return known.styles_by_code.get(change.code or "")

    def plan(self, index: int, change: StyleChange) -> Plan | None:
        before = len(self.problems)
        style = self.target(index, change)
        if style is not None:
            first = self.style_of.setdefault(style["id"], index)
            if first != index:
                self.problem(
                    index, "code", _("The same style is item %(index)s of this call.", index=first)
                )
                return None
            if change.version is not None and change.version != style["version"]:
                self.stale[index] = style["version"]
        code = change.code or (style["code"] if style else "")
        if not code:
            self.problem(index, "code", _("Enter the style code."))
        else:
            self._unique_code(index, code, style)
        self._unique_style_reference(index, change, style)
        season = self._reference(index, "season", change.season, self.known.seasons)
        scale = self._reference(index, "size_scale", change.size_scale, self.known.scales)
        if scale is not None and style is not None and style["size_scale"] != scale["id"]:
            self.problem(index, "size_scale", _("A style's size scale cannot change."))
        collection = self._collection(index, change, season)
        if not any((change.name_en, change.name_zh, change.name_ko)):
            self.problem(index, "name_en", _("Enter the style's name in at least one language."))
        for name, value, allowed in (
            ("category", change.category, forms.CATEGORIES),
            ("gender", change.gender, forms.GENDERS),
            ("status", change.status, forms.STATUSES),
        ):
            if value not in allowed:
                self.problem(
                    index, name, _("%(value)s is not one of the allowed values.", value=value)
                )
        colours = self._colours(index, change, style)
        sizes = self.known.sizes.get(scale["id"], []) if scale else []
        barcodes, references = self._skus(index, change, style, colours, sizes, scale)
        prices = self._prices(index, change.prices, sizes)
        if len(self.problems) > before or season is None or scale is None:
            return None
        values = {
            "code": code,
            "season": season["id"],
            "collection": collection["id"] if collection else None,
            "category": change.category,
            "gender": change.gender,
            "name_en": change.name_en,
            "name_zh": change.name_zh,
            "name_ko": change.name_ko,
            "fabric_composition": change.fabric_composition,
            "care": change.care,
            "size_scale": scale["id"],
            "status": change.status,
            "carry_over": change.carry_over
            if change.carry_over is not None
            else bool(style["carry_over"])
            if style
            else False,
            "external_ref": change.external_ref
            if not isinstance(change.external_ref, UnsetType)
            else (style["external_ref"] if style else None),
        }
        return Plan(
            index=index,
            change=change,
            style=style,
            values=values,
            sizes=sizes,
            colours=colours,
            barcodes=barcodes,
            references=references,
            prices=prices,
            uuid=uuid.UUID(str(style["uuid"])) if style else uuid.uuid4(),
        )

    def _unique_code(self, index: int, code: str, style: dict[str, Any] | None) -> None:
        holder = self.known.styles_by_code.get(code)
        if holder is not None and (style is None or holder["id"] != style["id"]):
            self.problem(index, "code", _("Another style already has this code."))
            return
        first = self.code_of.setdefault(code, index)
        if first != index:
            self.problem(
                index, "code", _("The same style is item %(index)s of this call.", index=first)
            )

    def _unique_style_reference(
        self, index: int, change: StyleChange, style: dict[str, Any] | None
    ) -> None:
        reference = change.external_ref
        if not isinstance(reference, str):
            return
        holder = self.known.styles_by_reference.get(reference)
        first = self.style_reference_of.setdefault(reference, index)
        if (holder is not None and (style is None or holder["id"] != style["id"])) or (
            first != index
        ):
            self.problem(
                index, "external_ref", _("Another record has the reference %(ref)s.", ref=reference)
            )

    def _reference(
        self, index: int, name: str, text: str, rows: Mapping[Any, dict[str, Any]]
    ) -> dict[str, Any] | None:
        found = rows.get(_uuid(text) or text.strip().upper())
        if found is None:
            message = (
                _("No season has this code.")
                if name == "season"
                else _("No size scale has this code.")
            )
            self.problem(index, name, message)
        return found

    def _collection(
        self, index: int, change: StyleChange, season: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        if not change.collection or season is None:
            return None
        wanted = _uuid(change.collection)
        found = next(
            (
                row
                for row in self.known.collections
                if row["season"] == season["id"]
                and (str(row["uuid"]) == wanted or row["name"] == change.collection)
            ),
            None,
        )
        if found is None:
            self.problem(index, "collection", _("The season has no collection of this name."))
        return found

    def _colours(
        self, index: int, change: StyleChange, style: dict[str, Any] | None
    ) -> dict[str, str]:
        """The style's colours as they will be: the saved ones it keeps (in their order),
        then the new ones (an ordered colour left out is refused when writing)."""
        given: dict[str, str] = {}
        for number, (code, name) in enumerate(change.colours):
            if not forms.COLOUR_CODE_PATTERN.match(code):
                self.problem(
                    index, f"colours[{number}].code", _("A colour code is letters and digits.")
                )
            elif code in given:
                self.problem(
                    index,
                    f"colours[{number}].code",
                    _("Colour %(code)s is listed twice.", code=code),
                )
            given.setdefault(code, name)
        if not given:
            self.problem(index, "colours", _("Enter at least one colourway."))
        elif len(given) > forms.MAX_COLOURWAYS:
            self.problem(
                index, "colours", _("At most %(count)s colourways.", count=forms.MAX_COLOURWAYS)
            )
        saved = [row["code"] for row in self.known.colourways.get(style["id"], [])] if style else []
        ordered = [code for code in saved if code in given]
        ordered += [code for code in given if code not in saved]
        return {code: given[code] for code in ordered}

    def _skus(
        self,
        index: int,
        change: StyleChange,
        style: dict[str, Any] | None,
        colours: Mapping[str, str],
        sizes: Sequence[dict[str, Any]],
        scale: dict[str, Any] | None,
    ) -> tuple[dict[tuple[str, str], str | None], dict[tuple[str, str], str | None]]:
        """Each SKU's barcode and reference as they will be, checked for uniqueness."""
        labels = {size["id"]: size["label"] for size in sizes}
        barcodes: dict[tuple[str, str], str | None] = {}
        references: dict[tuple[str, str], str | None] = {}
        if style is not None:
            colour_codes = {row["id"]: row["code"] for row in self.known.colourways[style["id"]]}
            for saved in self.known.skus[style["id"]]:
                key = (colour_codes.get(saved["colourway"], ""), labels.get(saved["size"], ""))
                if not change.all_barcodes:
                    barcodes[key] = saved["barcode"]
                references[key] = saved["external_ref"]
        seen: dict[tuple[str, str], int] = {}
        for number, sku in enumerate(change.skus):
            place = f"skus[{number}]"
            key = (sku.colour, sku.size)
            if sku.colour not in colours:
                self.problem(
                    index,
                    f"{place}.colour",
                    _(
                        "%(colour)s %(size)s is not a colour and size of this style.",
                        colour=sku.colour,
                        size=sku.size,
                    ),
                )
                continue
            if scale is not None and sku.size not in labels.values():
                self.problem(
                    index,
                    f"{place}.size",
                    _(
                        "%(size)s is not a size of scale %(scale)s.",
                        size=sku.size,
                        scale=scale["code"],
                    ),
                )
                continue
            if key in seen:
                self.problem(index, f"{place}.size", _("This colour and size is listed twice."))
                continue
            seen[key] = number
            if not isinstance(sku.barcode, UnsetType):
                if sku.barcode is not None:
                    self._check_barcode(index, place, sku.barcode, style)
                barcodes[key] = sku.barcode
            if not isinstance(sku.external_ref, UnsetType):
                if sku.external_ref is not None:
                    self._check_sku_reference(index, place, sku.external_ref, style)
                references[key] = sku.external_ref
        given_barcodes = {
            (sku.colour, sku.size) for sku in change.skus if not isinstance(sku.barcode, UnsetType)
        }
        given_references = {
            (sku.colour, sku.size)
            for sku in change.skus
            if not isinstance(sku.external_ref, UnsetType)
        }
        return _moved(barcodes, given_barcodes), _moved(references, given_references)

    def _check_barcode(
        self, index: int, place: str, barcode: str, style: dict[str, Any] | None
    ) -> None:
        if not forms.is_valid_ean13(barcode):
            self.problem(
                index,
                f"{place}.barcode",
                _("Not a valid EAN-13 barcode (13 digits with a check digit)."),
            )
            return
        holder = self.known.barcode_holders.get(barcode)
        if holder is not None and (style is None or holder["style"] != style["id"]):
            self.problem(
                index,
                f"{place}.barcode",
                _("Barcode already used by style %(code)s.", code=holder["style_code"]),
            )
        elif self.barcode_of.setdefault(barcode, index) != index or (
            barcode in self._barcodes_in_item
        ):
            self.problem(
                index,
                f"{place}.barcode",
                _("Barcode %(barcode)s is listed twice.", barcode=barcode),
            )
        self._barcodes_in_item.add(barcode)

    def _check_sku_reference(
        self, index: int, place: str, reference: str, style: dict[str, Any] | None
    ) -> None:
        holder = self.known.reference_holders.get(reference)
        first = self.reference_of.setdefault(reference, index)
        if (
            (holder is not None and (style is None or holder["style"] != style["id"]))
            or first != index
            or reference in self._references_in_item
        ):
            self.problem(
                index,
                f"{place}.external_ref",
                _("Another record has the reference %(ref)s.", ref=reference),
            )
        self._references_in_item.add(reference)

    def _prices(
        self,
        index: int,
        prices: Sequence[PriceChange],
        sizes: Sequence[dict[str, Any]] | None,
    ) -> list[WantedPrice]:
        """The prices as they will be, checked; ``sizes`` None: the style is unknown, so
        its sizes cannot be checked (the lists and amounts still are)."""
        wanted: list[WantedPrice] = []
        size_ids = {size["label"]: size["id"] for size in sizes or ()}
        seen: set[tuple[int, int | None]] = set()
        for number, price in enumerate(prices):
            place = f"prices[{number}]"
            wanted_uuid = _uuid(price.price_list)
            matches = [
                row
                for row in self.known.price_lists
                if str(row["uuid"]) == wanted_uuid or row["name"] == price.price_list
            ]
            if len(matches) != 1:
                self.problem(
                    index,
                    f"{place}.price_list",
                    _("No price list has this name.")
                    if not matches
                    else _("Several price lists have this name."),
                )
                continue
            price_list = matches[0]
            size_id = None
            if price.size and sizes is not None:
                size_id = size_ids.get(price.size)
                if size_id is None:
                    self.problem(index, f"{place}.size", _("Not a size of the style's scale."))
                    continue
            parsed = inputs.money(price.wholesale, price_list["currency"])
            wholesale = None if isinstance(parsed, inputs.Invalid) else parsed
            if isinstance(parsed, inputs.Invalid):
                self.problem(index, f"{place}.wholesale", parsed.text())
            retail = None
            if price.suggested_retail:
                parsed = inputs.money(price.suggested_retail, price_list["currency"])
                retail = None if isinstance(parsed, inputs.Invalid) else parsed
                if isinstance(parsed, inputs.Invalid):
                    self.problem(index, f"{place}.suggested_retail", parsed.text())
            if sizes is None:
                continue
            if (price_list["id"], size_id) in seen:
                self.problem(index, f"{place}.size", _("This price is listed twice."))
                continue
            seen.add((price_list["id"], size_id))
            if wholesale is not None and (retail is not None or not price.suggested_retail):
                wanted.append((price_list, size_id, price.size or "", wholesale, retail))
        return wanted

    def check_prices(self, changes: Sequence[StylePrices]) -> list[PricePlan]:
        """Each change of prices alone: its style must be saved, its prices as above."""
        plans = []
        for index, change in enumerate(changes):
            style = self.known.styles_by_code.get(change.code)
            if style is None:
                self.problem(index, "code", _("No style has this code."))
            sizes = self.known.sizes.get(style["size_scale"], []) if style else None
            prices = self._prices(index, change.prices, sizes)
            if style is not None:
                plans.append(PricePlan(style["id"], style["code"], prices))
        return plans

    def check(self, changes: Sequence[StyleChange]) -> list[Plan]:
        plans = []
        for index, change in enumerate(changes):
            self._barcodes_in_item = set()
            self._references_in_item = set()
            plan = self.plan(index, change)
            if plan is not None:
                plans.append(plan)
        return plans


def _moved(
    values: dict[tuple[str, str], str | None], given: set[tuple[str, str]]
) -> dict[tuple[str, str], str | None]:
    """A barcode (or reference) an entry gives one SKU leaves the style's SKU that kept
    it without an entry of its own: it moved."""
    taken = {value for key, value in values.items() if key in given and value is not None}
    return {
        key: None if key not in given and value in taken else value for key, value in values.items()
    }
