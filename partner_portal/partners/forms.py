"""Input types of the partner pages and their parsing (shape only, no database).

Each ``parse_*`` takes the submitted fields (a form or a CSV row, same names) and
returns ``(value, errors)``: the value is None when any field is wrong, and
``errors`` maps each wrong field to a message shown beside it. Rules that need the
database (a visible distributor, an active KAM) live in services.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import list_currencies
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError

from partner_portal import regions
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text, whole_number
from partner_portal.partners.tables import (
    AddressKind,
    InteractionKind,
    OrganisationKind,
    PartnerStatus,
    Tier,
)

LANGUAGES = ("en", "zh_Hans", "ko")
PARTNER_KINDS = tuple(kind.value for kind in OrganisationKind if kind != OrganisationKind.brand)
# Kinds a user may pick for a new timeline entry; "system" entries are written by the portal.
ENTRY_KINDS = tuple(kind.value for kind in InteractionKind if kind != InteractionKind.system)
ADDRESS_FIELDS = ("kind", "country", "region", "city", "district", "street", "postal_code")
# A form shows the saved addresses plus this many blank ones to fill in.
BLANK_ADDRESSES = 1
MAX_ADDRESSES = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Two-letter codes Babel knows that are not countries.
_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (from Babel's territory list)."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code for code in codes if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes Babel knows."""
    return frozenset(code for code in list_currencies() if len(code) == 3)


def _tax_module(country: str) -> Any:
    """The python-stdnum module validating business tax numbers of a country, if any."""
    if country == "CN":
        from stdnum.cn import uscc

        return uscc
    if country == "KR":
        from stdnum.kr import brn

        return brn
    return get_cc_module(country.lower(), "vat")


def korean_brn_check_digit_ok(number: str) -> bool:
    """The check digit of a compact Korean business registration number.

    python-stdnum 2.x checks only the length and the parts of a BRN, not its check digit.
    """
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(int(number[i]) * weights[i] for i in range(9)) + int(number[8]) * 5 // 10
    return (10 - total % 10) % 10 == int(number[9])


def tax_id_problem(country: str, tax_id: str) -> tuple[str, str | None]:
    """The tax id in its compact form, and why it is wrong for the country (or None)."""
    module = _tax_module(country) if country else None
    if module is None:
        return tax_id, None
    try:
        compact = module.validate(tax_id)
        if country == "KR" and not korean_brn_check_digit_ok(compact):
            raise ValidationError()
        return compact, None
    except ValidationError:
        if country == "CN":
            return tax_id, _(
                "This is not a valid unified social credit code (18 characters with a check character)."
            )
        if country == "KR":
            return tax_id, _(
                "This is not a valid business registration number (10 digits with a check digit)."
            )
        return tax_id, _("This is not a valid tax number for the country.")


@dataclass(frozen=True)
class AddressInput:
    kind: str
    country: str
    region: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class OrganisationInput:
    legal_name: str
    kind: str
    country: str
    english_name: str = ""
    tax_id: str = ""
    currency: str = "CNY"
    language: str = "zh_Hans"
    tier: str = Tier.standard.value
    status: str = PartnerStatus.prospect.value
    # A distributor's UUID (form) or its exact legal name (CSV); resolved in services.
    parent_distributor: str = ""
    # A user's UUID (form) or e-mail (CSV); resolved in services.
    owner: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    notes: str = ""
    territories: tuple[str, ...] = ()
    addresses: tuple[AddressInput, ...] = ()
    version: int | None = None


@dataclass(frozen=True)
class ContactInput:
    name: str
    romanised_name: str = ""
    job_title: str = ""
    phone: str = ""
    email: str = ""
    wechat_id: str = ""
    kakao_id: str = ""
    is_primary: bool = False
    version: int | None = None


@dataclass(frozen=True)
class TimelineInput:
    kind: str
    occurred_at: datetime
    summary: str
    internal: bool


@dataclass
class Errors:
    """Messages by field name; ``ok`` once nothing was wrong."""

    messages: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.messages.setdefault(name, message)

    @property
    def ok(self) -> bool:
        return not self.messages


def is_checked(value: Any) -> bool:
    """A checkbox or a CSV yes/no cell."""
    return str(value or "").strip().lower() in ("1", "on", "true", "yes", "y", "x", "是", "예")


def parse_territories(text: str) -> tuple[list[str], list[str]]:
    """Regions from free text (commas, semicolons or spaces), each by its code or its
    name and kept under its current code (CN-31 becomes CN-SH, 杭州 CN-ZJ-HZ:
    regions.py), and the parts that name no region."""
    codes: list[str] = []
    bad: list[str] = []
    for part in re.split(r"[\s,;、，]+", text.strip()):
        if not part:
            continue
        code = regions.parse(part, country_codes())
        if code is None:
            bad.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, bad


def _parse_version(data: Mapping[str, Any], errors: Errors) -> int | None:
    raw = field_text(data, "version", 20)
    if not raw:
        return None
    version = whole_number(raw)
    if version is None:
        errors.add("version", _("The form is out of date. Reload the page."))
    return version


def _parse_addresses(data: Mapping[str, Any], errors: Errors) -> list[AddressInput]:
    addresses: list[AddressInput] = []
    for index in range(MAX_ADDRESSES):
        prefix = f"address-{index}-"
        values = {name: field_text(data, prefix + name, 200) for name in ADDRESS_FIELDS}
        # Kind and country have defaults in the form; an address is its place fields.
        if not any(values[name] for name in ADDRESS_FIELDS[2:]):
            continue
        kind = values["kind"] or AddressKind.office.value
        if kind not in AddressKind.__members__:
            errors.add(prefix + "kind", _("Choose a kind of address."))
        country = values["country"].upper()
        if country not in country_codes():
            errors.add(prefix + "country", _("Enter a two-letter country code such as CN or KR."))
        if not values["city"] and not values["street"]:
            errors.add(prefix + "city", _("Enter at least the city or the street."))
        addresses.append(
            AddressInput(
                kind=kind,
                country=country,
                region=values["region"][:100],
                city=values["city"][:100],
                district=values["district"][:100],
                street=values["street"],
                postal_code=values["postal_code"][:20],
            )
        )
    return addresses


def parse_organisation(data: Mapping[str, Any]) -> tuple[OrganisationInput | None, dict[str, str]]:
    """An organisation from the edit form or an import row."""
    errors = Errors()
    legal_name = field_text(data, "legal_name", 200)
    if not legal_name:
        errors.add("legal_name", _("Enter the legal name."))
    kind = field_text(data, "kind", 20)
    if kind not in PARTNER_KINDS:
        errors.add("kind", _("Choose what kind of partner this is."))
    country = field_text(data, "country", 2).upper()
    if country not in country_codes():
        errors.add("country", _("Enter a two-letter country code such as CN or KR."))
    tax_id = field_text(data, "tax_id", 40)
    if tax_id and country in country_codes():
        tax_id, problem = tax_id_problem(country, tax_id)
        if problem:
            errors.add("tax_id", problem)
    currency = field_text(data, "currency", 3).upper() or "CNY"
    if currency not in currency_codes():
        errors.add("currency", _("Enter a three-letter currency code such as CNY, KRW or USD."))
    language = field_text(data, "language", 10) or "zh_Hans"
    if language not in LANGUAGES:
        errors.add("language", _("Choose English, Simplified Chinese or Korean."))
    tier = field_text(data, "tier", 20) or Tier.standard.value
    if tier not in Tier.__members__:
        errors.add("tier", _("Choose a tier."))
    status = field_text(data, "status", 20) or PartnerStatus.prospect.value
    if status not in PartnerStatus.__members__:
        errors.add("status", _("Choose a status."))
    email = field_text(data, "email", 254)
    if email and not EMAIL_PATTERN.match(email):
        errors.add("email", _("Enter an e-mail address like name@example.com."))
    territories, bad = parse_territories(field_text(data, "territories", 1000))
    # The region picker beside the list adds one region, chosen or typed by its name.
    added = field_text(data, "territory_add", 100)
    if added:
        code = regions.parse(added, country_codes())
        if code is None:
            bad.append(added)
        elif code not in territories:
            territories.append(code)
    if bad:
        errors.add(
            "territories",
            _(
                "Not a region: %(codes)s. Choose one from the list, or use codes like "
                "CN-SH or KR-11.",
                codes=", ".join(bad),
            ),
        )
    addresses = _parse_addresses(data, errors)
    version = _parse_version(data, errors)
    if not errors.ok:
        return None, errors.messages
    return (
        OrganisationInput(
            legal_name=legal_name,
            kind=kind,
            country=country,
            english_name=field_text(data, "english_name", 200),
            tax_id=tax_id,
            currency=currency,
            language=language,
            tier=tier,
            status=status,
            parent_distributor=field_text(data, "parent_distributor", 200),
            owner=field_text(data, "owner", 254),
            phone=field_text(data, "phone", 40),
            email=email,
            website=field_text(data, "website", 200),
            notes=field_text(data, "notes", 10_000),
            territories=tuple(territories),
            addresses=tuple(addresses),
            version=version,
        ),
        {},
    )


def parse_contact(data: Mapping[str, Any]) -> tuple[ContactInput | None, dict[str, str]]:
    """A contact person: one name field (family name first for Chinese and Korean)."""
    errors = Errors()
    name = field_text(data, "name", 120)
    if not name:
        errors.add("name", _("Enter the contact's name."))
    email = field_text(data, "email", 254)
    if email and not EMAIL_PATTERN.match(email):
        errors.add("email", _("Enter an e-mail address like name@example.com."))
    version = _parse_version(data, errors)
    if not errors.ok:
        return None, errors.messages
    return (
        ContactInput(
            name=name,
            romanised_name=field_text(data, "romanised_name", 120),
            job_title=field_text(data, "job_title", 120),
            phone=field_text(data, "phone", 40),
            email=email,
            wechat_id=field_text(data, "wechat_id", 60),
            kakao_id=field_text(data, "kakao_id", 60),
            is_primary=is_checked(data.get("is_primary")),
            version=version,
        ),
        {},
    )


def parse_timeline_entry(
    data: Mapping[str, Any], time_zone: str, now: datetime
) -> tuple[TimelineInput | None, dict[str, str]]:
    """A logged call, visit or note; ``occurred_at`` is typed in the viewer's zone, kept in UTC."""
    errors = Errors()
    kind = field_text(data, "kind", 20)
    if kind not in ENTRY_KINDS:
        errors.add("kind", _("Choose what happened."))
    summary = field_text(data, "summary", 10_000)
    if not summary:
        errors.add("summary", _("Write what was said or agreed."))
    occurred_at = now
    raw_when = field_text(data, "occurred_at", 40)
    if raw_when:
        try:
            local = datetime.fromisoformat(raw_when)
        except ValueError:
            errors.add("occurred_at", _("Enter the date and time like 2026-03-01 14:30."))
        else:
            if local.tzinfo is None:
                local = local.replace(tzinfo=ZoneInfo(time_zone))
            occurred_at = local.astimezone(UTC)
    if not errors.ok:
        return None, errors.messages
    return (
        TimelineInput(
            kind=kind,
            occurred_at=occurred_at,
            summary=summary,
            internal=is_checked(data.get("internal")),
        ),
        {},
    )


def local_input_value(moment: datetime, time_zone: str) -> str:
    """A UTC moment as a datetime-local field value in the viewer's zone."""
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%dT%H:%M")
