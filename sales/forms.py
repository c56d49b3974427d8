"""Input types of the sales forms and API payloads, each with a parse function returning
(value or None, messages by field)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from partner_portal import inputs, regions
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text, whole_number
from partner_portal.partners.forms import (
    Errors,
    country_codes,
    currency_codes,
    is_checked,
)
from sales.tables import (
    OPEN_STAGES,
    CaseKind,
    CasePriority,
    LedgerKind,
    OpportunityKind,
    Stage,
)

MAX_MONEY = Decimal("999999999999")


def money_field(
    data: Mapping[str, Any], name: str, currency: str, errors: Errors, message: str
) -> Decimal:
    """A required amount in ``currency`` (0 after filing ``message``, or why its decimals
    do not fit the currency)."""
    raw = field_text(data, name, 30)
    return inputs.valid(
        errors.messages, name, inputs.money(raw, currency, maximum=MAX_MONEY), message
    ) or Decimal(0)


def _deal_value(data: Mapping[str, Any], errors: Errors) -> tuple[str, Decimal]:
    """A deal's currency (CNY unless named) and its expected value in that currency."""
    currency = field_text(data, "currency", 3).upper() or "CNY"
    if currency not in currency_codes():
        errors.add("currency", _("Enter a three-letter currency code such as CNY, KRW or USD."))
    value = money_field(
        data,
        "expected_value",
        currency if currency in currency_codes() else "CNY",
        errors,
        _("Enter the expected value, such as 250000."),
    )
    return currency, value


def percent_field(data: Mapping[str, Any], name: str, errors: Errors, message: str) -> Decimal:
    """A percentage from 0 to 100 with at most two decimals (0 after filing ``message``)."""
    raw = field_text(data, name, 30)
    parsed = inputs.decimal(raw, places=2, maximum=Decimal(100))
    return inputs.valid(errors.messages, name, parsed, message) or Decimal(0)


def parse_version(data: Mapping[str, Any], errors: Errors) -> int | None:
    raw = field_text(data, "version", 20)
    if not raw:
        return None
    version = whole_number(raw)
    if version is None:
        errors.add("version", _("Reload the page and try again."))
    return version


def customer_key(name: str) -> str:
    """The end customer's name folded so that two spellings of one company meet:
    width and case folded, spaces, punctuation and company-form words dropped."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    for suffix in (
        "有限责任公司",
        "股份有限公司",
        "有限公司",
        "公司",
        "주식회사",
        "(주)",
        "co.,ltd",
    ):
        folded = folded.replace(suffix, "")
    folded = re.sub(r"\b(co|ltd|limited|inc|corp|corporation|company|gmbh|llc)\b", "", folded)
    return re.sub(r"[\W_]+", "", folded)


# ---------------------------------------------------------------------------
# Opportunities


@dataclass(frozen=True)
class OpportunityInput:
    title: str
    kind: str
    organisation: str  # the partner's UUID, or "" for a new prospect
    prospect_name: str
    prospect_kind: str
    prospect_country: str
    expected_value: Decimal
    currency: str
    expected_close_date: date
    probability: Decimal | None
    owner: str
    competitors: str
    next_step: str
    version: int | None


def parse_opportunity(data: Mapping[str, Any]) -> tuple[OpportunityInput | None, dict[str, str]]:
    errors = Errors()
    title = field_text(data, "title", 200)
    if not title:
        errors.add("title", _("Give the opportunity a short title."))
    kind = field_text(data, "kind", 20)
    if kind not in OpportunityKind.__members__:
        errors.add("kind", _("Choose what kind of opportunity this is."))
    organisation = field_text(data, "organisation", 40)
    prospect_name = field_text(data, "prospect_name", 200)
    prospect_kind = field_text(data, "prospect_kind", 20) or "distributor"
    prospect_country = field_text(data, "prospect_country", 2).upper() or "CN"
    if not organisation and not prospect_name:
        errors.add("organisation", _("Choose the partner, or name a new prospect."))
    if prospect_name and prospect_country not in country_codes():
        errors.add("prospect_country", _("Enter a two-letter country code such as CN or KR."))
    currency, expected_value = _deal_value(data, errors)
    close_date = inputs.valid(
        errors.messages,
        "expected_close_date",
        inputs.date(data.get("expected_close_date")),
        _("Enter the expected close date."),
    )
    probability = None
    if field_text(data, "probability", 10):
        probability = percent_field(
            data, "probability", errors, _("Enter a probability from 0 to 100.")
        )
    version = parse_version(data, errors)
    if not errors.ok or close_date is None:
        return None, errors.messages
    return (
        OpportunityInput(
            title=title,
            kind=kind,
            organisation=organisation,
            prospect_name=prospect_name,
            prospect_kind=prospect_kind,
            prospect_country=prospect_country,
            expected_value=expected_value,
            currency=currency,
            expected_close_date=close_date,
            probability=probability,
            owner=field_text(data, "owner", 40),
            competitors=field_text(data, "competitors", 2000),
            next_step=field_text(data, "next_step", 2000),
            version=version,
        ),
        {},
    )


@dataclass(frozen=True)
class MoveInput:
    stage: Stage
    lost_reason: str
    version: int | None


def parse_move(data: Mapping[str, Any]) -> tuple[MoveInput | None, dict[str, str]]:
    errors = Errors()
    stage = field_text(data, "stage", 20)
    if stage not in Stage.__members__:
        errors.add("stage", _("Choose a stage."))
    lost_reason = field_text(data, "lost_reason", 2000)
    if stage == Stage.lost and not lost_reason:
        errors.add("lost_reason", _("Say why the opportunity was lost."))
    version = parse_version(data, errors)
    if not errors.ok:
        return None, errors.messages
    return MoveInput(Stage(stage), lost_reason, version), {}


def parse_probabilities(
    data: Mapping[str, Any],
) -> tuple[dict[Stage, Decimal] | None, dict[str, str]]:
    errors = Errors()
    values: dict[Stage, Decimal] = {}
    for stage in OPEN_STAGES:
        values[stage] = percent_field(
            data, stage.value, errors, _("Enter a probability from 0 to 100.")
        )
    if not errors.ok:
        return None, errors.messages
    return values, {}


# ---------------------------------------------------------------------------
# Deal registrations


@dataclass(frozen=True)
class RegistrationInput:
    end_customer: str
    region: str
    expected_quantity: int
    expected_value: Decimal
    currency: str
    styles: list[str]
    notes: str


def parse_registration(
    data: Mapping[str, Any],
) -> tuple[RegistrationInput | None, dict[str, str]]:
    errors = Errors()
    end_customer = field_text(data, "end_customer", 200)
    if not customer_key(end_customer):
        errors.add("end_customer", _("Name the end customer."))
    # A region chosen in the picker (its code) or typed by its name (regions.parse).
    region = regions.parse(field_text(data, "region", 100), country_codes()) or ""
    if not region:
        errors.add(
            "region", _("Choose the region from the list, or enter its code, such as CN-SH.")
        )
    quantity = inputs.valid(
        errors.messages,
        "expected_quantity",
        inputs.quantity(data.get("expected_quantity"), allow_zero=True),
        _("Enter the expected quantity in pieces."),
    )
    currency, value = _deal_value(data, errors)
    styles = [
        code.upper() for code in re.split(r"[\s,;、，]+", field_text(data, "styles", 2000)) if code
    ]
    if not errors.ok or quantity is None:
        return None, errors.messages
    return (
        RegistrationInput(
            end_customer=end_customer,
            region=region,
            expected_quantity=quantity,
            expected_value=value,
            currency=currency,
            styles=styles,
            notes=field_text(data, "notes", 4000),
        ),
        {},
    )


@dataclass(frozen=True)
class PolicyInput:
    decision_days: int
    protection_days: int


def parse_policy(data: Mapping[str, Any]) -> tuple[PolicyInput | None, dict[str, str]]:
    errors = Errors()
    decision_days = inputs.valid(
        errors.messages,
        "decision_days",
        inputs.quantity(data.get("decision_days"), maximum=60),
        _("Enter a number of days from 1 to 60."),
    )
    protection_days = inputs.valid(
        errors.messages,
        "protection_days",
        inputs.quantity(data.get("protection_days"), maximum=730),
        _("Enter a number of days from 1 to 730."),
    )
    if not errors.ok or decision_days is None or protection_days is None:
        return None, errors.messages
    return PolicyInput(decision_days, protection_days), {}


# ---------------------------------------------------------------------------
# Service cases


@dataclass(frozen=True)
class CaseInput:
    subject: str
    kind: str
    priority: str
    organisation: str
    order_number: str
    style_code: str
    description: str


def parse_case(data: Mapping[str, Any]) -> tuple[CaseInput | None, dict[str, str]]:
    errors = Errors()
    subject = field_text(data, "subject", 200)
    if not subject:
        errors.add("subject", _("Give the case a short subject."))
    kind = field_text(data, "kind", 20)
    if kind not in CaseKind.__members__:
        errors.add("kind", _("Choose what the case is about."))
    priority = field_text(data, "priority", 10) or CasePriority.normal.value
    if priority not in CasePriority.__members__:
        errors.add("priority", _("Choose a priority."))
    description = field_text(data, "description", 10_000)
    if not description:
        errors.add("description", _("Describe the problem or the question."))
    if not errors.ok:
        return None, errors.messages
    return (
        CaseInput(
            subject=subject,
            kind=kind,
            priority=priority,
            organisation=field_text(data, "organisation", 40),
            order_number=field_text(data, "order_number", 20).upper(),
            style_code=field_text(data, "style_code", 30).upper(),
            description=description,
        ),
        {},
    )


@dataclass(frozen=True)
class ReplyInput:
    body: str
    internal: bool
    article: str
    status: str


def parse_reply(data: Mapping[str, Any]) -> tuple[ReplyInput | None, dict[str, str]]:
    errors = Errors()
    body = field_text(data, "body", 10_000)
    article = field_text(data, "article", 40)
    if not body and not article and not data.get("has_photos"):
        errors.add("body", _("Write a reply."))
    if not errors.ok:
        return None, errors.messages
    return (
        ReplyInput(
            body=body,
            internal=is_checked(data.get("internal")),
            article=article,
            status=field_text(data, "status", 20),
        ),
        {},
    )


@dataclass(frozen=True)
class TriageInput:
    priority: str
    # A brand user's UUID; "" leaves the case unassigned.
    assignee: str
    version: int | None


def parse_triage(data: Mapping[str, Any]) -> tuple[TriageInput | None, dict[str, str]]:
    errors = Errors()
    priority = field_text(data, "priority", 10)
    if priority not in CasePriority.__members__:
        errors.add("priority", _("Choose a priority."))
    version = parse_version(data, errors)
    if not errors.ok:
        return None, errors.messages
    return TriageInput(
        priority=priority, assignee=field_text(data, "assignee", 40), version=version
    ), {}


# ---------------------------------------------------------------------------
# Rebates


REDEMPTIONS = (LedgerKind.redeemed_credit, LedgerKind.redeemed_marketing)
MANUAL_KINDS = (LedgerKind.adjusted, LedgerKind.bonus, *REDEMPTIONS)


@dataclass(frozen=True)
class LedgerInput:
    kind: LedgerKind
    points: Decimal
    note: str


def parse_ledger_entry(data: Mapping[str, Any]) -> tuple[LedgerInput | None, dict[str, str]]:
    errors = Errors()
    kind = field_text(data, "kind", 20)
    if kind not in {item.value for item in MANUAL_KINDS}:
        errors.add("kind", _("Choose an adjustment, a bonus or a redemption."))
    points = inputs.valid(
        errors.messages,
        "points",
        inputs.decimal(
            field_text(data, "points", 30), places=2, minimum=-MAX_MONEY, maximum=MAX_MONEY
        ),
        _("Enter the points, such as 500 (an adjustment may be negative)."),
    ) or Decimal(0)
    if points == 0:
        errors.add("points", _("Enter the points, such as 500 (an adjustment may be negative)."))
    if kind != LedgerKind.adjusted and points < 0:
        errors.add("points", _("Enter a positive number of points."))
    note = field_text(data, "note", 2000)
    if not note:
        errors.add("note", _("Say why, so the partner can follow the entry."))
    if not errors.ok:
        return None, errors.messages
    return LedgerInput(LedgerKind(kind), points, note), {}
