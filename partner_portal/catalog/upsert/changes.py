"""What a change of styles says (``StyleChange``) and what came of it (``UpsertResult``)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field

from msgspec import UNSET, UnsetType

from partner_portal.catalog import forms
from partner_portal.catalog.bulk import RowProblem
from partner_portal.i18n import N_

MAX_STYLES = 10_000
MAX_SKUS = 100_000
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


class Intent(enum.StrEnum):
    upsert = "upsert"  # update the style the change names, else create it
    create = "create"  # a new style: its code must be free
    update = "update"  # the style ``style_id`` (fetched through access by the caller)


@dataclass(frozen=True)
class SkuChange:
    """One SKU of the style's matrix (colour code, size label): what to set on it. A field
    left UNSET stays as it is; None clears it."""

    colour: str
    size: str
    barcode: str | UnsetType | None = UNSET
    external_ref: str | UnsetType | None = UNSET


@dataclass(frozen=True)
class PriceChange:
    """The style's price on a list (its id or its name), for one size or (None) all sizes.
    Amounts are text, read in the list's currency (forms.parse_money)."""

    price_list: str
    wholesale: str
    size: str | None = None
    suggested_retail: str | None = None


@dataclass(frozen=True)
class StylePrices:
    """Prices of a saved style (its code), nothing else of it changed: the price import."""

    code: str
    prices: tuple[PriceChange, ...]


@dataclass(frozen=True)
class StyleChange:
    """A style as it should be. ``season`` and ``size_scale`` are codes or ids,
    ``collection`` a name of the season's collections or an id; ``colours`` are (code,
    name) pairs, all of the style's colours."""

    code: str | None
    season: str
    category: str
    size_scale: str
    colours: tuple[tuple[str, str], ...]
    collection: str | None = None
    gender: str = "unisex"
    status: str = "draft"
    name_en: str = ""
    name_zh: str = ""
    name_ko: str = ""
    fabric_composition: str = ""
    care: str = ""
    # Offered again from an earlier season; None keeps what is saved (false for a new one).
    carry_over: bool | None = None
    external_ref: str | UnsetType | None = UNSET
    skus: tuple[SkuChange, ...] = ()
    prices: tuple[PriceChange, ...] = ()
    # Every barcode of the style is in ``skus``: the others are cleared.
    all_barcodes: bool = False
    intent: Intent = Intent.upsert
    style_id: int | None = None
    # The version the editor opened; another save since then makes the change stale.
    version: int | None = None


@dataclass(frozen=True)
class SavedStyle:
    uuid: uuid.UUID
    code: str
    action: str  # "created", "updated" or "unchanged"


@dataclass
class UpsertResult:
    problems: list[RowProblem] = field(default_factory=list)
    # index -> the style's current version, for a change whose version was stale.
    stale: dict[int, int] = field(default_factory=dict)
    styles: list[SavedStyle] = field(default_factory=list)
    prices_changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.stale

    def count(self, action: str) -> int:
        return sum(1 for style in self.styles if style.action == action)


@dataclass
class PricesResult:
    """What came of ``upsert_prices``: its problems (nothing written), else the counts."""

    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class Refused(Exception):
    """Raised inside the transaction to roll it back with these problems or stale rows."""

    def __init__(self, result: UpsertResult) -> None:
        super().__init__("refused")
        self.result = result


CHANGED_MEANWHILE = N_(
    "Someone saved the same style code or barcode a moment ago. Nothing was saved."
)


def change_from_form(
    values: forms.StyleInput,
    intent: Intent,
    style_id: int | None = None,
    version: int | None = None,
) -> StyleChange:
    """The style form's input (or an import's style, read as the form reads it) as a
    change: its barcode lines are all of the style's barcodes."""
    return StyleChange(
        code=values.code,
        season=values.season,
        category=values.category,
        size_scale=values.size_scale,
        colours=tuple((colourway.code, colourway.name) for colourway in values.colourways),
        collection=values.collection or None,
        gender=values.gender,
        status=values.status,
        name_en=values.name_en,
        name_zh=values.name_zh,
        name_ko=values.name_ko,
        fabric_composition=values.fabric_composition,
        care=values.care,
        carry_over=values.carry_over,
        skus=tuple(
            SkuChange(line.colour, line.size, barcode=line.barcode) for line in values.barcodes
        ),
        all_barcodes=True,
        intent=intent,
        style_id=style_id,
        version=version,
    )
