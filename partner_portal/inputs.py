"""What a request may carry to the database, and THE parsers of typed input: whole numbers
a 64-bit column holds, text without NUL bytes, money by its currency's minor unit,
quantities and dates.

PostgreSQL refuses a NUL byte in text ("invalid byte sequence for encoding UTF8: 0x00")
and both databases refuse an integer beyond 64 bits (asyncpg: "value out of int64 range";
sqlite3: OverflowError), each an error at the database, hence a 500. The request guard in
web.py refuses NUL bytes anywhere in a request and integers out of range in JSON bodies
before any handler runs; numbers typed as text are read with ``whole_number`` (forms and
query strings), page numbers Litestar parses are declared ``PageNumber``.

Every form and API body reads typed values with the parsers below (``money``, ``decimal``,
``quantity``, ``date``, ``text``, ``field_text``): each returns the value, or an ``Invalid``
(a message id and its parameters, put in the reader's language where it is shown: ``str()``
or ``.text()``). ``valid(errors, name, parsed)`` files an ``Invalid`` under its field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, TypeVar, overload

from babel.numbers import get_currency_precision
from litestar.params import QueryParameter

from partner_portal.i18n import N_, gettext

DATABASE_INTEGER_MIN = -(2**63)
DATABASE_INTEGER_MAX = 2**63 - 1
# Far beyond any list's pages, and small enough that page × page size stays a 64-bit offset.
MAX_PAGE = 1_000_000_000
_MAX_DIGITS = len(str(DATABASE_INTEGER_MAX))

# A page number Litestar parses from the query: out of range answers 400 before the handler.
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]


def whole_number(
    text: object, *, minimum: int = 0, maximum: int = DATABASE_INTEGER_MAX
) -> int | None:
    """The whole number a form field or query parameter holds (ASCII digits, spaces around
    allowed), or None when it holds anything else or a number outside [minimum, maximum].

    Unlike ``int(text) if text.isdigit()``, refuses the digits ``isdigit`` accepts and
    ``int`` does not ("²"), and numbers no database column holds (the default maximum is
    the largest 64-bit integer), without converting a megabyte of digits first.
    """
    if not isinstance(text, str):
        return None
    cleaned = text.strip()
    if not cleaned or len(cleaned) > _MAX_DIGITS or not (cleaned.isascii() and cleaned.isdigit()):
        return None
    number = int(cleaned)
    return number if minimum <= number <= maximum else None


def may_hold_nul(raw: bytes) -> bool:
    """Whether undecoded bytes of a query string, cookie header or form body can decode to
    a NUL: only a raw NUL, ``%00`` or (in a quoted cookie) an octal ``\\000`` does."""
    return b"\x00" in raw or b"%00" in raw or b"\\0" in raw


# In JSON a NUL is written \u0000, and an integer beyond 64 bits has 19 digits or more.
_JSON_SUSPECT = re.compile(rb"\\u0000|[0-9]{19}")


def json_may_be_unstorable(body: bytes) -> bool:
    """Whether a JSON body may hold a NUL or a huge integer (then it is decoded to see)."""
    return _JSON_SUSPECT.search(body) is not None


def holds_nul(value: Any) -> bool:
    """Whether a NUL byte hides anywhere in a decoded value (strings, keys, lists, dicts)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def holds_huge_integer(value: Any) -> bool:
    """Whether a decoded JSON document holds an integer no 64-bit column holds."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not DATABASE_INTEGER_MIN <= value <= DATABASE_INTEGER_MAX
    if isinstance(value, dict):
        return any(holds_huge_integer(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(holds_huge_integer(item) for item in value)
    return False


def first_with_nul(pairs: Iterable[tuple[str, Any]]) -> str | None:
    """The name of the first (name, value) pair whose name or text value holds a NUL byte."""
    for name, value in pairs:
        if holds_nul(name) or holds_nul(value):
            return name
    return None


# ---------------------------------------------------------------------------
# Parsers of typed input: each returns the value or an Invalid.

T = TypeVar("T")

# Largest amount a Numeric(12, 2) money column holds (prices, order totals).
MAX_AMOUNT = Decimal("9999999999.99")
# Largest amount a Numeric(14, 2) column holds (credit limits, a contract's figures).
MAX_WIDE_AMOUNT = Decimal("999999999999.99")
# The most pieces of one thing a line, a count or a quantity field may hold.
MAX_QUANTITY = 10_000_000
# Bounds of text no form field goes beyond (a notes field); fields name their own below it.
MAX_TEXT = 10_000
_MAX_NUMBER_CHARACTERS = 40
_MAX_DATE_CHARACTERS = 20

REQUIRED = N_("This field is required.")
TOO_LONG = N_("At most %(count)s characters.")
HOLDS_NUL = N_("This text contains a NUL character, which cannot be stored. Remove it.")
NOT_AN_AMOUNT = N_("Enter an amount, e.g. 199.00.")
NEGATIVE_AMOUNT = N_("The amount cannot be negative.")
AMOUNT_TOO_LARGE = N_("The amount is too large.")
AMOUNT_TOO_SMALL = N_("Enter an amount of at least %(minimum)s.")
NO_DECIMALS = N_("%(currency)s amounts have no decimals.")
FEWER_DECIMALS = N_("%(currency)s amounts have at most %(places)s decimals.")
NOT_A_NUMBER = N_("Enter a number, e.g. 1250.5.")
NUMBER_OUT_OF_RANGE = N_("Enter a number from %(minimum)s to %(maximum)s.")
TOO_MANY_DECIMALS = N_("Use at most %(places)s decimals.")
WHOLE_NUMBER_ONLY = N_("Enter a whole number.")
ENTER_QUANTITY = N_("Enter a quantity.")
NOT_NEGATIVE = N_("Enter a number that is not negative.")
ABOVE_ZERO = N_("Enter a quantity above zero.")
QUANTITY_TOO_LARGE = N_("Enter at most %(maximum)s.")
NOT_A_DATE = N_("Enter a date as YYYY-MM-DD.")
_ABOUT_DECIMALS = frozenset({NO_DECIMALS, FEWER_DECIMALS, TOO_MANY_DECIMALS})


@dataclass(frozen=True)
class Invalid:
    """Why a typed value was refused: a message id (marked with N_) and its parameters,
    put in the reader's language where it is shown."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self) -> str:
        return gettext(self.message, **self.params)

    def __str__(self) -> str:
        return self.text()


def valid(
    errors: MutableMapping[str, str], name: str, parsed: T | Invalid, message: str | None = None
) -> T | None:
    """The parsed value, or None after filing why it was refused under ``name``, in the
    reader's language. ``message`` (translated) is the field's own message in place of the
    parser's, except about decimals (KRW "12000.5"), which only the parser can tell. The
    first message a field gets stays."""
    if isinstance(parsed, Invalid):
        own = message is not None and parsed.message not in _ABOUT_DECIMALS
        errors.setdefault(name, message if own and message is not None else parsed.text())
        return None
    return parsed


# Full-width digits and signs a Chinese, Japanese or Korean input method types, as ASCII.
_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + digit): str(digit) for digit in range(10)}, "．": ".", "－": "-", "＋": "+"}
)
# Thousands separators and spaces inside a number ("12,000", "12 000", "１２，０００").
_SEPARATORS = re.compile(r"[,，\s\u00a0\u202f\u3000]")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")


def _number(value: object) -> Decimal | None:
    """The number typed as text: ASCII or full-width digits, an optional sign and decimal
    point, thousands separators and spaces ignored; None for anything else (no exponents,
    NaN or Infinity)."""
    if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value) if Decimal(value).is_finite() else None
    cleaned = _SEPARATORS.sub("", value.translate(_FULL_WIDTH))
    if not cleaned or len(cleaned) > _MAX_NUMBER_CHARACTERS or not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent if number else 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def minor_units(currency: str) -> int:
    """Decimals of the currency (ISO 4217): CNY, USD, EUR 2; KRW and JPY 0."""
    return int(get_currency_precision(currency))


def money(
    value: object,
    currency: str,
    *,
    minimum: Decimal = Decimal(0),
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal | Invalid:
    """An amount typed in a form ("12,000", "199.5", "１２０００") as a Decimal with the
    currency's decimals; refused when it is not an amount, is below ``minimum`` (by default
    negative) or above ``maximum`` (by default what a money column holds), or has more
    decimals than the currency has (KRW "12000.5", USD "1.005"). Trailing zeros are not
    decimals ("12000.00" KRW is 12000)."""
    amount = _number(value)
    if amount is None:
        return Invalid(NOT_AN_AMOUNT)
    if amount < minimum:
        if minimum == 0:
            return Invalid(NEGATIVE_AMOUNT)
        return Invalid(AMOUNT_TOO_SMALL, {"minimum": str(minimum)})
    if amount > maximum:
        return Invalid(AMOUNT_TOO_LARGE)
    places = minor_units(currency)
    if _decimals(amount) > places:
        if places == 0:
            return Invalid(NO_DECIMALS, {"currency": currency})
        return Invalid(FEWER_DECIMALS, {"currency": currency, "places": places})
    return amount.quantize(Decimal(1).scaleb(-places))


def decimal(
    value: object, *, places: int, minimum: Decimal = Decimal(0), maximum: Decimal
) -> Decimal | Invalid:
    """A number with at most ``places`` decimals from ``minimum`` to ``maximum`` (a
    percentage, points, a rate), as typed; kept at ``places`` decimals."""
    number = _number(value)
    if number is None:
        return Invalid(NOT_A_NUMBER)
    if not minimum <= number <= maximum:
        return Invalid(NUMBER_OUT_OF_RANGE, {"minimum": str(minimum), "maximum": str(maximum)})
    if _decimals(number) > places:
        return Invalid(TOO_MANY_DECIMALS, {"places": places})
    return number.quantize(Decimal(1).scaleb(-places))


@overload
def quantity(
    value: object,
    *,
    allow_zero: bool = ...,
    maximum: int | Decimal = ...,
    decimals: Literal[0] = ...,
) -> int | Invalid: ...


@overload
def quantity(
    value: object,
    *,
    allow_zero: bool = ...,
    maximum: int | Decimal = ...,
    decimals: Literal[1, 2, 3],
) -> Decimal | Invalid: ...


def quantity(
    value: object,
    *,
    allow_zero: bool = False,
    maximum: int | Decimal = MAX_QUANTITY,
    decimals: int = 0,
) -> int | Decimal | Invalid:
    """A quantity typed in a form ("1,200", "１２", "1250.5" of a fabric in metres): a whole
    number of pieces, or with ``decimals`` a Decimal of a material's unit; never negative,
    zero only with ``allow_zero``, at most ``maximum``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Invalid(ENTER_QUANTITY)
    number = _number(value)
    if number is None:
        return Invalid(WHOLE_NUMBER_ONLY if decimals == 0 else NOT_A_NUMBER)
    if number < 0:  # "-3" pieces is no whole number of pieces; "-3" metres is negative
        return Invalid(WHOLE_NUMBER_ONLY if decimals == 0 else NOT_NEGATIVE)
    if number == 0 and not allow_zero:
        return Invalid(ABOVE_ZERO)
    if number > maximum:
        return Invalid(QUANTITY_TOO_LARGE, {"maximum": f"{maximum:,}"})
    if _decimals(number) > decimals:
        return (
            Invalid(WHOLE_NUMBER_ONLY)
            if decimals == 0
            else Invalid(TOO_MANY_DECIMALS, {"places": decimals})
        )
    return int(number) if decimals == 0 else number


def date(value: object) -> dt.date | Invalid:
    """A date as a form's date field or an API sends it (ISO 8601, 2026-03-01)."""
    cleaned = value.strip() if isinstance(value, str) else ""
    if not cleaned or len(cleaned) > _MAX_DATE_CHARACTERS:
        return Invalid(NOT_A_DATE)
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        return Invalid(NOT_A_DATE)


def optional_date(value: object) -> dt.date | Invalid | None:
    """A date, or None for an empty field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return date(value)


def text(value: object, *, limit: int, required: bool | str = False) -> str | Invalid:
    """Text typed in a form or sent in a body: trimmed; refused when it holds a NUL, is
    longer than ``limit`` characters, or (``required``) is empty. ``required`` may be the
    message id that says what is missing ("Please give the contract a title.")."""
    cleaned = "" if value is None else str(value).strip()
    if "\x00" in cleaned:
        return Invalid(HOLDS_NUL)
    if required and not cleaned:
        return Invalid(required if isinstance(required, str) else REQUIRED)
    if len(cleaned) > limit:
        return Invalid(TOO_LONG, {"count": limit})
    return cleaned


def as_written(number: Decimal) -> Decimal:
    """A parsed number without the zeros its parser added after the point (1500000.00 is
    kept as 1500000, 2.50 as 2.5): for values stored or shown as the user wrote them."""
    return Decimal(format(number.normalize(), "f"))


def field_text(data: Mapping[str, Any], name: str, limit: int = MAX_TEXT) -> str:
    """A field's text, trimmed and cut at ``limit`` characters (what a form field with a
    maxlength sends; longer only from a hand-made request or a spreadsheet row). A NUL
    cannot be stored and means nothing in text: a request holding one was refused before
    any form was read (web.RequestGuard); one in a spreadsheet cell is left out here."""
    value = data.get(name)
    cleaned = "" if value is None else str(value)
    return cleaned.replace("\x00", "").strip()[:limit]
