"""Input types of the catalog pages and their parsing (shape only, no database).

Each ``parse_*`` returns ``(value, errors)``: the value is None when any field is
wrong, and ``errors`` maps each wrong field to a message shown beside it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import list_currencies

from partner_portal import inputs
from partner_portal.catalog.tables import Category, Gender, SizeScaleKind, StyleStatus
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text, whole_number
from partner_portal.partners.tables import Tier

CATEGORIES = tuple(category.value for category in Category)
GENDERS = tuple(gender.value for gender in Gender)
STATUSES = tuple(status.value for status in StyleStatus)
STYLE_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")
COLOUR_CODE_PATTERN = re.compile(r"^[A-Z0-9]{1,20}$")
MAX_COLOURWAYS = 20


# ---------------------------------------------------------------------------
# EAN-13


def ean13_check_digit(first_twelve: str) -> int:
    """The GS1 check digit of the first 12 digits (weights 1 and 3 from the left)."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    """13 digits whose last one is the GS1 check digit (any GS1 prefix is accepted)."""
    return (
        len(code) == 13
        and code.isascii()
        and code.isdigit()
        and ean13_check_digit(code[:12]) == int(code[12])
    )


# ---------------------------------------------------------------------------
# Styles


@dataclass(frozen=True)
class ColourwayInput:
    code: str
    name: str


@dataclass(frozen=True)
class BarcodeInput:
    colour: str
    size: str
    barcode: str


@dataclass(frozen=True)
class StyleInput:
    code: str
    season: str
    collection: str
    category: str
    gender: str
    name_en: str
    name_zh: str
    name_ko: str
    fabric_composition: str
    care: str
    size_scale: str
    status: str
    colourways: tuple[ColourwayInput, ...]
    barcodes: tuple[BarcodeInput, ...]
    version: int | None = None
    # Offered again from an earlier season (the line sheet's "carry-over" filter and badge);
    # None keeps what is saved (an import without the column).
    carry_over: bool | None = None


def parse_colourways(text: str) -> tuple[tuple[ColourwayInput, ...], str | None]:
    """One colourway a line: its code, then its name ("BLK Black")."""
    colourways: list[ColourwayInput] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, _sep, name = line.strip().partition(" ")
        code = code.upper()
        if not COLOUR_CODE_PATTERN.match(code):
            return (), _("Line %(line)s: a colour code is letters and digits.", line=number)
        if code in seen:
            return (), _("Line %(line)s: colour %(code)s is listed twice.", line=number, code=code)
        seen.add(code)
        colourways.append(ColourwayInput(code, name.strip()[:100]))
    if len(colourways) > MAX_COLOURWAYS:
        return (), _("At most %(count)s colourways.", count=MAX_COLOURWAYS)
    return tuple(colourways), None


def parse_barcodes(text: str) -> tuple[tuple[BarcodeInput, ...], str | None]:
    """One barcode a line: colour code, size, EAN-13 ("BLK 170/88A 6901234567892")."""
    barcodes: list[BarcodeInput] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            return (), _(
                "Line %(line)s: write the colour code, the size and the barcode.", line=number
            )
        colour, size, barcode = parts
        if not is_valid_ean13(barcode):
            return (), _(
                "Line %(line)s: %(barcode)s is not a valid EAN-13 barcode (13 digits with a check digit).",
                line=number,
                barcode=barcode,
            )
        barcodes.append(BarcodeInput(colour.upper(), size, barcode))
    return tuple(barcodes), None


def parse_style(
    data: Mapping[str, Any], checkboxes: bool = False
) -> tuple[StyleInput | None, dict[str, str]]:
    """The style form; references (season, scale) are checked against the database in services.

    A form sends a checkbox only when it is ticked: with ``checkboxes`` (the style form) an
    absent one is unticked; without (an import row) it is left as saved."""
    errors: dict[str, str] = {}
    code = field_text(data, "code", 30).upper()
    if not code:
        errors["code"] = _("Enter the style code.")
    elif not STYLE_CODE_PATTERN.match(code):
        errors["code"] = _("A style code is capital letters, digits and hyphens.")
    category = field_text(data, "category", 200)
    if category not in CATEGORIES:
        errors["category"] = _("Choose a category.")
    gender = field_text(data, "gender", 200) or "unisex"
    if gender not in GENDERS:
        errors["gender"] = _("Choose a gender.")
    status = field_text(data, "status", 200) or "draft"
    if status not in STATUSES:
        errors["status"] = _("Choose a status.")
    names = {name: field_text(data, name, 200) for name in ("name_en", "name_zh", "name_ko")}
    if not any(names.values()):
        errors["name_en"] = _("Enter the style's name in at least one language.")
    if not field_text(data, "season", 200):
        errors["season"] = _("Choose a season.")
    if not field_text(data, "size_scale", 200):
        errors["size_scale"] = _("Choose a size scale.")
    colourways, problem = parse_colourways(str(data.get("colourways") or ""))
    if problem:
        errors["colourways"] = problem
    elif not colourways:
        errors["colourways"] = _("Enter at least one colourway.")
    barcodes, problem = parse_barcodes(str(data.get("barcodes") or ""))
    if problem:
        errors["barcodes"] = problem
    version: int | None = None
    if field_text(data, "version", 200):
        version = whole_number(field_text(data, "version", 200))
        if version is None:
            errors["version"] = _("The form is damaged; open it again.")
    if errors:
        return None, errors
    return (
        StyleInput(
            code=code,
            season=field_text(data, "season", 200),
            collection=field_text(data, "collection", 200),
            category=category,
            gender=gender,
            name_en=names["name_en"],
            name_zh=names["name_zh"],
            name_ko=names["name_ko"],
            fabric_composition=field_text(data, "fabric_composition", 200),
            care=field_text(data, "care", 2000),
            size_scale=field_text(data, "size_scale", 200),
            status=status,
            colourways=colourways,
            barcodes=barcodes,
            version=version,
            carry_over=bool(data.get("carry_over")) if checkboxes else None,
        ),
        {},
    )


# ---------------------------------------------------------------------------
# Reference data: seasons, collections, size scales, price lists

SEASON_CODE_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}$")
SCALE_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,29}$")
SIZE_KINDS = tuple(kind.value for kind in SizeScaleKind)
TIERS = tuple(tier.value for tier in Tier)
MAX_SIZES = 40


@dataclass(frozen=True)
class SeasonInput:
    code: str
    name: str
    order_window_start: date | None
    order_window_end: date | None


@dataclass(frozen=True)
class SizeScaleInput:
    code: str
    name: str
    kind: str
    sizes: tuple[str, ...]


@dataclass(frozen=True)
class PriceListInput:
    name: str
    currency: str
    tax_inclusive: bool
    tier: str | None
    # The uuid of the partner whose own list this is ("" for a general list).
    partner: str = ""


def parse_season(data: Mapping[str, Any]) -> tuple[SeasonInput | None, dict[str, str]]:
    """The season form: a code like SS27 or AW27, a name and an optional order window."""
    errors: dict[str, str] = {}
    code = field_text(data, "code", 10).upper()
    if not code:
        errors["code"] = _("Enter the season code.")
    elif not SEASON_CODE_PATTERN.match(code):
        errors["code"] = _("A season code is two letters and two digits, e.g. SS27 or AW27.")
    name = field_text(data, "name", 100)
    if not name:
        errors["name"] = _("Enter the season's name.")
    start = inputs.valid(
        errors, "order_window_start", inputs.optional_date(data.get("order_window_start"))
    )
    end = inputs.valid(
        errors, "order_window_end", inputs.optional_date(data.get("order_window_end"))
    )
    if not errors:
        if (start is None) != (end is None):
            field_name = "order_window_end" if end is None else "order_window_start"
            errors[field_name] = _("Enter both dates of the order window, or neither.")
        elif start is not None and end is not None and end < start:
            errors["order_window_end"] = _("The order window cannot end before it starts.")
    if errors:
        return None, errors
    return SeasonInput(code, name, start, end), {}


def parse_collection_name(data: Mapping[str, Any]) -> tuple[str | None, dict[str, str]]:
    name = field_text(data, "name", 100)
    if not name:
        return None, {"name": _("Enter the collection's name.")}
    return name, {}


def parse_sizes(text: str) -> tuple[tuple[str, ...], str | None]:
    """Sizes one a line or separated by commas ("165/84A, 170/88A"), in order."""
    sizes: list[str] = []
    for part in re.split(r"[,\n\uff0c]", text):
        label = part.strip()
        if not label:
            continue
        if len(label) > 20 or any(character.isspace() for character in label):
            return (), _("%(size)s is not a size: at most 20 characters, no spaces.", size=label)
        if label in sizes:
            return (), _("Size %(size)s is listed twice.", size=label)
        sizes.append(label)
    if not sizes:
        return (), _("Enter at least one size.")
    if len(sizes) > MAX_SIZES:
        return (), _("At most %(count)s sizes.", count=MAX_SIZES)
    return tuple(sizes), None


def parse_size_scale(data: Mapping[str, Any]) -> tuple[SizeScaleInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    code = field_text(data, "code", 30).upper()
    if not code:
        errors["code"] = _("Enter the scale's code.")
    elif not SCALE_CODE_PATTERN.match(code):
        errors["code"] = _("A code is capital letters, digits and hyphens.")
    name = field_text(data, "name", 100)
    if not name:
        errors["name"] = _("Enter the scale's name.")
    kind = field_text(data, "kind", 200)
    if kind not in SIZE_KINDS:
        errors["kind"] = _("Choose a kind of scale.")
    sizes, problem = parse_sizes(str(data.get("sizes") or ""))
    if problem:
        errors["sizes"] = problem
    if errors:
        return None, errors
    return SizeScaleInput(code, name, kind, sizes), {}


def known_currency(code: str) -> bool:
    return len(code) == 3 and code in list_currencies()


def parse_price_list(data: Mapping[str, Any]) -> tuple[PriceListInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = field_text(data, "name", 100)
    if not name:
        errors["name"] = _("Enter the price list's name.")
    currency = field_text(data, "currency", 3).upper()
    if not known_currency(currency):
        errors["currency"] = _("Enter an ISO 4217 currency code, e.g. CNY, KRW or USD.")
    tier = field_text(data, "tier", 200) or None
    if tier is not None and tier not in TIERS:
        errors["tier"] = _("Choose a tier.")
    tax_inclusive = field_text(data, "tax_inclusive", 200) in ("on", "1", "yes", "true")
    if errors:
        return None, errors
    return PriceListInput(name, currency, tax_inclusive, tier, field_text(data, "partner", 40)), {}


# Organisations a price list may be made for: the ones that buy from the brand.
BUYER_KINDS = ("distributor", "retailer", "group_client")


# ---------------------------------------------------------------------------
# Volume breaks, prepacks, delivery windows, availability

MAX_VOLUME_BREAKS = 10


def parse_volume_breaks(
    data: Mapping[str, Any],
) -> tuple[list[tuple[int, Decimal]] | None, dict[str, str]]:
    """The volume break rows (``break-quantity-N``, ``break-percent-N``): from how many
    units of one style, how many percent off. Empty rows are skipped."""
    errors: dict[str, str] = {}
    breaks: dict[int, Decimal] = {}
    row_of: dict[int, int] = {}
    for number in range(1, MAX_VOLUME_BREAKS + 4):
        quantity_name, percent_name = f"break-quantity-{number}", f"break-percent-{number}"
        quantity_text = field_text(data, quantity_name, 20)
        percent_text = field_text(data, percent_name, 20).rstrip("%").strip()
        if not quantity_text and not percent_text:
            continue
        quantity = inputs.valid(
            errors, quantity_name, inputs.quantity(quantity_text, allow_zero=True)
        )
        if quantity is not None and quantity < 2:
            errors[quantity_name] = _("Enter at least %(minimum)s.", minimum=2)
            quantity = None
        percent, problem = _percent(percent_text)
        if problem:
            errors[percent_name] = problem
        if quantity is None or percent is None:
            continue
        if quantity in breaks:
            errors[quantity_name] = _("Another row starts at this quantity.")
            continue
        breaks[quantity] = percent
        row_of[quantity] = number
    if len(breaks) > MAX_VOLUME_BREAKS:
        errors["break-quantity-1"] = _("At most %(count)s breaks.", count=MAX_VOLUME_BREAKS)
    ordered = sorted(breaks.items())
    for (_low, low_percent), (high, high_percent) in itertools.pairwise(ordered):
        if high_percent <= low_percent:
            errors[f"break-percent-{row_of[high]}"] = _(
                "A larger quantity needs a larger discount."
            )
    if errors:
        return None, errors
    return ordered, {}


def _percent(text: str) -> tuple[Decimal | None, str | None]:
    percent = inputs.decimal(text.replace(",", "."), places=2, maximum=Decimal(100))
    if isinstance(percent, inputs.Invalid) and percent.message == inputs.TOO_MANY_DECIMALS:
        return None, _("At most two decimals.")
    if isinstance(percent, inputs.Invalid) or not Decimal(0) < percent < Decimal(100):
        return None, _("Enter a percentage above 0 and below 100, e.g. 5.")
    return percent, None


@dataclass(frozen=True)
class PrepackInput:
    name: str
    # size label -> pieces of that size in one pack (sizes with none are left out)
    ratio: dict[str, int]


def parse_prepack(
    data: Mapping[str, Any], size_labels: Sequence[str]
) -> tuple[PrepackInput | None, dict[str, str]]:
    """A prepack's name and pieces per size (``size-<label>``), at least two pieces."""
    errors: dict[str, str] = {}
    name = field_text(data, "name", 50)
    if not name:
        errors["name"] = _("Enter the prepack's name, e.g. 1-2-2-1.")
    ratio: dict[str, int] = {}
    for label in size_labels:
        text = field_text(data, f"size-{label}", 10)
        if not text:
            continue
        count = inputs.valid(errors, f"size-{label}", inputs.quantity(text, allow_zero=True))
        if count is None:
            continue
        if count > 999:
            errors[f"size-{label}"] = _("At most 999 pieces of a size in a pack.")
        elif count:
            ratio[label] = count
    if not errors and sum(ratio.values()) < 2:
        errors["sizes"] = _("A pack holds at least two pieces.")
    if errors:
        return None, errors
    return PrepackInput(name, ratio), {}


@dataclass(frozen=True)
class DeliveryWindowInput:
    name: str
    starts_on: date
    ends_on: date


def parse_delivery_window(
    data: Mapping[str, Any],
) -> tuple[DeliveryWindowInput | None, dict[str, str]]:
    """A season's drop: a name (Drop 1) and its first and last delivery day."""
    errors: dict[str, str] = {}
    name = field_text(data, "name", 50)
    if not name:
        errors["name"] = _("Enter the window's name, e.g. Drop 1.")
    starts_on = inputs.valid(errors, "starts_on", inputs.optional_date(data.get("starts_on")))
    ends_on = inputs.valid(errors, "ends_on", inputs.optional_date(data.get("ends_on")))
    if starts_on is None and "starts_on" not in errors:
        errors["starts_on"] = _("Enter the first delivery day.")
    if ends_on is None and "ends_on" not in errors:
        errors["ends_on"] = _("Enter the last delivery day.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The window cannot end before it starts.")
    if errors or starts_on is None or ends_on is None:
        return None, errors
    return DeliveryWindowInput(name, starts_on, ends_on), {}
