"""Explicit inputs of the campaign pages: parse a submitted form into a value or messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from group_orders.tables import DeliveryMode, EntitlementKind, OverAllowance, PriceSource
from partner_portal import inputs
from partner_portal.catalog.tables import Category
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from partner_portal.settings import SUPPORTED_LOCALES

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GENDERS = ("", "women", "men")
# The most pieces of one category an entitlement may allow a person.
MOST_PER_CATEGORY = 50


def category_field(category: str) -> str:
    """The campaign form's field for the pieces allowed per person of a category."""
    return f"per_category_{category}"


def _whole(
    data: Mapping[str, str], name: str, errors: dict[str, str], default: int, low: int, high: int
) -> int:
    text = field_text(data, name)
    if not text:
        return default
    number = inputs.valid(
        errors,
        name,
        inputs.quantity(text, allow_zero=low == 0, maximum=high),
        _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high),
    )
    return default if number is None else number


@dataclass(frozen=True)
class CampaignInput:
    name: str
    entitlement: EntitlementKind
    allowance: Decimal | None
    over_allowance: OverAllowance
    opens_on: date
    closes_on: date
    delivery_mode: DeliveryMode
    ship_to: str
    tipping_point: int
    second_approval_above: Decimal | None
    notes: str
    price_source: PriceSource = PriceSource.price_list
    reminder_days: int = 3
    # category -> pieces per person of that category, across the items offered
    category_allotments: dict[str, int] = field(default_factory=dict)


def _category_allotments(data: Mapping[str, str], errors: dict[str, str]) -> dict[str, int]:
    found = {}
    for category in Category:
        name = category_field(category)
        if field_text(data, name):
            found[category.value] = _whole(data, name, errors, 0, 1, MOST_PER_CATEGORY)
    return found


def _money(
    data: Mapping[str, str],
    name: str,
    currency: str,
    errors: dict[str, str],
    required: bool = False,
) -> Decimal | None:
    text = field_text(data, name, 40)
    if not text:
        if required:
            errors[name] = _("This field is required.")
        return None
    return inputs.valid(errors, name, inputs.money(text, currency))


def parse_campaign(
    data: Mapping[str, str], currency: str
) -> tuple[CampaignInput | None, dict[str, str]]:
    """The campaign form; amounts in ``currency``, the client's."""
    errors: dict[str, str] = {}
    name = field_text(data, "name")
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 120:
        errors["name"] = _("At most %(count)s characters.", count=120)
    entitlement = field_text(data, "entitlement") or EntitlementKind.allotment
    if entitlement not in EntitlementKind.__members__:
        errors["entitlement"] = _("Choose one of the options.")
        entitlement = EntitlementKind.allotment
    allowance = _money(
        data, "allowance", currency, errors, required=entitlement == EntitlementKind.allowance
    )
    over = field_text(data, "over_allowance") or OverAllowance.employee_pays
    if over not in OverAllowance.__members__:
        errors["over_allowance"] = _("Choose one of the options.")
        over = OverAllowance.employee_pays
    opens_on = inputs.valid(errors, "opens_on", inputs.date(data.get("opens_on")))
    closes_on = inputs.valid(errors, "closes_on", inputs.date(data.get("closes_on")))
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = _("The closing date must be on or after the opening date.")
    delivery = field_text(data, "delivery_mode") or DeliveryMode.bulk
    if delivery not in DeliveryMode.__members__:
        errors["delivery_mode"] = _("Choose one of the options.")
        delivery = DeliveryMode.bulk
    tipping_point = _whole(data, "tipping_point", errors, 0, 0, 1_000_000)
    reminder_days = _whole(data, "reminder_days", errors, 3, 0, 30)
    second = _money(data, "second_approval_above", currency, errors)
    price_source = field_text(data, "price_source") or PriceSource.price_list
    if price_source not in PriceSource.__members__:
        errors["price_source"] = _("Choose one of the options.")
        price_source = PriceSource.price_list
    category_allotments = _category_allotments(data, errors)
    ship_to = inputs.valid(errors, "ship_to", inputs.text(data.get("ship_to"), limit=1000))
    notes = inputs.valid(errors, "notes", inputs.text(data.get("notes"), limit=4000))
    if errors or opens_on is None or closes_on is None:
        return None, errors
    return (
        CampaignInput(
            name=name,
            entitlement=EntitlementKind(entitlement),
            allowance=allowance if entitlement == EntitlementKind.allowance else None,
            over_allowance=OverAllowance(over),
            opens_on=opens_on,
            closes_on=closes_on,
            delivery_mode=DeliveryMode(delivery),
            ship_to=ship_to or "",
            tipping_point=tipping_point,
            second_approval_above=second,
            notes=notes or "",
            price_source=PriceSource(price_source),
            reminder_days=reminder_days,
            category_allotments=category_allotments,
        ),
        {},
    )


@dataclass(frozen=True)
class ItemInput:
    style_code: str
    colour_code: str
    allotment: int
    gender: str
    job_role: str
    logo: str
    logo_price: Decimal


def parse_item(data: Mapping[str, str], currency: str) -> tuple[ItemInput | None, dict[str, str]]:
    """An item offered; the logo's price in ``currency``, the campaign's."""
    errors: dict[str, str] = {}
    style_code = field_text(data, "style_code").upper()
    if not style_code:
        errors["style_code"] = _("This field is required.")
    colour_code = field_text(data, "colour_code").upper()
    if not colour_code:
        errors["colour_code"] = _("This field is required.")
    allotment = _whole(data, "allotment", errors, 1, 1, 20)
    gender = field_text(data, "gender")
    if gender not in GENDERS:
        errors["gender"] = _("Choose one of the options.")
    logo = field_text(data, "logo")[:200]
    logo_price = _money(data, "logo_price", currency, errors) or Decimal("0")
    if logo_price and not logo:
        errors["logo"] = _("Describe the logo that this price pays for.")
    if errors:
        return None, errors
    job_role = field_text(data, "job_role")[:100]
    return ItemInput(style_code, colour_code, allotment, gender, job_role, logo, logo_price), {}


@dataclass(frozen=True)
class EmployeeInput:
    employee_number: str
    name: str
    department: str
    site: str
    email: str
    gender: str
    job_role: str
    locale: str


EMPLOYEE_COLUMNS = (
    "employee_number",
    "name",
    "department",
    "site",
    "email",
    "gender",
    "job_role",
    "language",
)
EMPLOYEE_REQUIRED = ("employee_number", "name")


def parse_employee(data: Mapping[str, str]) -> tuple[EmployeeInput | None, dict[str, str]]:
    """One roster row, from the page's form or a spreadsheet row (same names as the columns)."""
    errors: dict[str, str] = {}
    number = field_text(data, "employee_number")
    if not number:
        errors["employee_number"] = _("This field is required.")
    elif len(number) > 40:
        errors["employee_number"] = _("At most %(count)s characters.", count=40)
    name = field_text(data, "name")
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 120:
        errors["name"] = _("At most %(count)s characters.", count=120)
    email = field_text(data, "email").lower()
    if email and not EMAIL.match(email):
        errors["email"] = _("Enter an e-mail address such as name@example.com.")
    gender = field_text(data, "gender").lower()
    gender = {"f": "women", "female": "women", "m": "men", "male": "men"}.get(gender, gender)
    if gender not in GENDERS:
        errors["gender"] = _("Use women, men or leave it empty.")
    language = field_text(data, "language")
    if language and language not in SUPPORTED_LOCALES:
        errors["language"] = _("Use one of: %(choices)s.", choices=", ".join(SUPPORTED_LOCALES))
    if errors:
        return None, errors
    return (
        EmployeeInput(
            employee_number=number,
            name=name,
            department=field_text(data, "department")[:100],
            site=field_text(data, "site")[:100],
            email=email,
            gender=gender,
            job_role=field_text(data, "job_role")[:100],
            locale=language,
        ),
        {},
    )


def parse_measurement(text: str, low: int, high: int) -> int | None:
    """A body measurement in whole cm, or None when empty or implausible."""
    parsed = inputs.decimal(text, places=3, minimum=Decimal(low), maximum=Decimal(high))
    return None if isinstance(parsed, inputs.Invalid) else round(parsed)
