"""Languages: gettext catalogues, the locale of the current request, and
locale-aware formatting of dates, numbers and money (Babel).

Catalogues are the .po files under partner_portal/locale, compiled in memory at
start, so there is no build step and no stale .mo file.
"""

from __future__ import annotations

import gettext as gettext_module
import io
from contextvars import ContextVar
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from partner_portal.settings import SUPPORTED_LOCALES

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "ko": "한국어"}
# The language a reader chose on a page they see before signing in (the sign-in page): it
# wins over the browser's Accept-Language, and a signed-in user's own setting wins over it.
LANGUAGE_COOKIE = "threadline_language"

current_locale: ContextVar[str] = ContextVar("current_locale", default="en")
current_time_zone: ContextVar[str] = ContextVar("current_time_zone", default="Asia/Shanghai")
# The browser's regional variant of the current language (en_GB, en_AU...), for formats only.
current_region_locale: ContextVar[str | None] = ContextVar("current_region_locale", default=None)


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


@cache
def _translations(locale: str) -> gettext_module.NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def load_catalogues() -> None:
    """Compile every catalogue now rather than on the first request in each language."""
    for locale in SUPPORTED_LOCALES:
        _translations(locale)


def translate(message: str) -> str:
    """The message in the current locale, unformatted (Jinja formats it itself)."""
    return _translations(current_locale.get()).gettext(message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    return _translations(current_locale.get()).ngettext(singular, plural, count)


def gettext(message: str, **variables: object) -> str:
    """The message in the current locale, with %(name)s placeholders filled."""
    translated = translate(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, count: int, **variables: object) -> str:
    return translate_plural(singular, plural, count) % {"num": count, **variables}


_ = gettext


# Every request without a signed-in user's language negotiates from its Accept-Language, and
# every request finds the regional formats in it: a browser's header is one of a few, and
# Babel's parsing of its tags took 10-50 µs a request. Bounded, as headers are the client's.
@lru_cache(maxsize=1024)
def negotiate_locale(accept_language: str | None, default: str) -> str:
    """Pick the best supported locale from an Accept-Language header."""
    for tag in _tags_by_preference(accept_language):
        locale = _supported_locale_for(tag)
        if locale:
            return locale
    return default


def chosen_locale(cookie: str | None) -> str:
    """The supported language a reader chose with the language cookie, or ""."""
    return cookie if cookie in SUPPORTED_LOCALES else ""


@lru_cache(maxsize=1024)
def regional_format_locale(accept_language: str | None, locale: str) -> str | None:
    """The browser's own variant of ``locale`` (en-GB for English), so dates and numbers
    look as the reader expects (23/11/2026 in Britain); None when it names none."""
    for tag in _tags_by_preference(accept_language):
        try:
            parsed = Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        if parsed.territory and _supported_locale_for(tag) == locale and locale == "en":
            return str(parsed)
    return None


def _tags_by_preference(accept_language: str | None) -> list[str]:
    if not accept_language:
        return []
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, tag.strip()))
    return [tag for _quality, tag in sorted(weighted, key=lambda item: -item[0]) if tag]


def _supported_locale_for(tag: str) -> str | None:
    try:
        parsed = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    if parsed.language == "zh":
        # Traditional Chinese readers get Simplified rather than English
        # until a zh_Hant catalogue exists.
        return "zh_Hans"
    if parsed.language in ("en", "ko"):
        return parsed.language
    return None


def _babel_locale() -> Locale:
    return _babel_locale_for(_locale_name())


@cache
def _babel_locale_for(locale: str) -> Locale:
    return Locale.parse("zh_Hans_CN" if locale == "zh_Hans" else locale)


def _zone() -> tzinfo:
    return ZoneInfo(current_time_zone.get())


def _locale_name() -> str:
    return current_region_locale.get() or current_locale.get()


# Babel takes 30-60 µs per date, number or amount, which was a third of a 50-row list's time;
# lists repeat the same days, quantities and often the same amounts, so each formatted value
# is kept per locale (bench/RESULTS.md, order list).
@lru_cache(maxsize=8192)
def _formatted_date(value: date, format: str, locale: str) -> str:
    return babel_format_date(value, format=format, locale=_babel_locale_for(locale))


@lru_cache(maxsize=8192)
def _formatted_number(value: int | float | Decimal, locale: str) -> str:
    return format_decimal(value, locale=_babel_locale_for(locale))


@lru_cache(maxsize=8192)
def _formatted_money(amount: Decimal | int, currency: str, locale: str) -> str:
    return format_currency(amount, currency, locale=_babel_locale_for(locale), currency_digits=True)


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone()).date() if value.tzinfo else value.date()
    return _formatted_date(value, format, _locale_name())


def format_date_skeleton(value: date, skeleton: str) -> str:
    """A date by a CLDR skeleton, laid out as the reader's language writes it: "yMMMM" is
    "December 2026", "2026年12月", "2026년 12월"."""
    return format_skeleton(skeleton, value, locale=_babel_locale())


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, format=format, tzinfo=_zone(), locale=_babel_locale())


def format_number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return _formatted_number(value, _locale_name())


def format_money(amount: Decimal | int | None, currency: str) -> str:
    """Money in the locale's style with the currency's own minor units (KRW and JPY: none)."""
    if amount is None:
        return ""
    return _formatted_money(amount, currency, _locale_name())
