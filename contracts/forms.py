"""Form input of the contracts module: templates, clauses, a contract's terms and the
signature forms. Each parse function returns (value or None, errors by field)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from contracts.tables import ContractKind, TemplateLanguage
from partner_portal import inputs
from partner_portal.i18n import N_, gettext
from partner_portal.inputs import field_text, whole_number

CURRENCIES = ("CNY", "KRW", "USD", "EUR", "HKD", "JPY")
KINDS = tuple(kind.value for kind in ContractKind)
LANGUAGES = tuple(language.value for language in TemplateLanguage)
CLAUSE_KEY = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


@dataclass(frozen=True)
class TermField:
    name: str
    label: str
    kind: str  # date, int, decimal, money, bool, text, long_text, currency, tier
    # Contract kinds the field belongs to; empty means every kind.
    kinds: tuple[str, ...] = ()
    required: bool = False


TERM_FIELDS: tuple[TermField, ...] = (
    TermField("start_date", N_("Start date"), "date", required=True),
    TermField("end_date", N_("End date"), "date", required=True),
    TermField("auto_renewal", N_("Renews automatically"), "bool"),
    TermField("notice_days", N_("Notice period (days)"), "int", required=True),
    TermField("currency", N_("Currency"), "currency", required=True),
    TermField("payment_terms", N_("Payment terms"), "text", required=True),
    TermField("territory", N_("Territory"), "text", ("distribution",), required=True),
    TermField("tier", N_("Tier"), "tier", ("distribution",), required=True),
    TermField("discount_percent", N_("Discount in per cent"), "decimal", ("distribution",)),
    TermField("credit_limit", N_("Credit limit"), "money", ("distribution",)),
    TermField(
        "credit_limit_blocks",
        N_("Orders over the credit limit are refused (not only warned)"),
        "bool",
        ("distribution",),
    ),
    TermField("minimum_purchase", N_("Minimum annual purchase"), "money", ("distribution",)),
    TermField("materials", N_("Materials"), "long_text", ("supply",), required=True),
    TermField("lead_time_days", N_("Lead time (days)"), "int", ("supply",)),
    TermField("quality_terms", N_("Quality terms"), "long_text", ("supply",)),
    TermField("items", N_("Items"), "long_text", ("group_purchase",), required=True),
    TermField("allowance", N_("Allowance per employee"), "money", ("group_purchase",)),
    TermField("delivery_terms", N_("Delivery terms"), "long_text", ("group_purchase",)),
    TermField("confidentiality_years", N_("Confidentiality (years)"), "int", ("nda",)),
)
TERM_NAMES = tuple(field.name for field in TERM_FIELDS)
TIERS = ("platinum", "gold", "silver", "standard")


def fields_for(kind: str) -> list[TermField]:
    return [field for field in TERM_FIELDS if not field.kinds or kind in field.kinds]


def parse_terms(kind: str, data: Mapping[str, str]) -> tuple[dict[str, str] | None, dict[str, str]]:
    """The terms of a contract of ``kind`` as normalised strings, or the errors by field.

    Terms are kept as strings (ISO dates, plain decimals) so a frozen version holds exactly
    what was shown; services.terms_values turns them back into dates and Decimals.
    """
    terms: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields_for(kind):
        raw = field_text(data, field.name)
        if field.kind == "bool":
            terms[field.name] = "yes" if raw.lower() in ("1", "on", "yes", "true") else "no"
            continue
        if not raw:
            if field.required:
                errors[field.name] = gettext("Please fill in this field.")
            terms[field.name] = ""
            continue
        if field.kind == "date":
            day = inputs.valid(errors, field.name, inputs.date(raw))
            if day is not None:
                terms[field.name] = day.isoformat()
        elif field.kind == "int":
            number = whole_number(raw, maximum=36500)
            if number is None:
                errors[field.name] = gettext("Enter a whole number of 0 or more.")
            else:
                terms[field.name] = str(number)
        elif field.kind == "decimal":
            percent = inputs.valid(
                errors,
                field.name,
                inputs.decimal(raw, places=2, maximum=Decimal(100)),
                gettext("Enter a percentage from 0 to 100."),
            )
            if percent is not None:
                terms[field.name] = str(percent)
        elif field.kind == "money":
            # In the contract's currency (a field before this one): KRW has no decimals.
            currency = terms.get("currency") or "CNY"
            amount = inputs.valid(
                errors,
                field.name,
                inputs.money(raw, currency, maximum=inputs.MAX_WIDE_AMOUNT),
            )
            if amount is not None:  # kept as written: 500000, not 500000.00
                terms[field.name] = str(inputs.as_written(amount))
        elif field.kind == "currency":
            if raw.upper() not in CURRENCIES:
                errors[field.name] = gettext("Choose a currency from the list.")
            else:
                terms[field.name] = raw.upper()
        elif field.kind == "tier":
            if raw not in TIERS:
                errors[field.name] = gettext("Choose a tier from the list.")
            else:
                terms[field.name] = raw
        else:
            limit = 4000 if field.kind == "long_text" else 300
            text = inputs.valid(errors, field.name, inputs.text(data.get(field.name), limit=limit))
            if text is not None:
                terms[field.name] = text
    start, end = terms.get("start_date"), terms.get("end_date")
    if start and end and end <= start and "end_date" not in errors:
        errors["end_date"] = gettext("The end date must be after the start date.")
    return (None, errors) if errors else (terms, {})


@dataclass(frozen=True)
class ContractHeader:
    title: str


def parse_header(data: Mapping[str, str]) -> tuple[ContractHeader | None, dict[str, str]]:
    errors: dict[str, str] = {}
    title = inputs.valid(
        errors,
        "title",
        inputs.text(data.get("title"), limit=200, required=N_("Please give the contract a title.")),
    )
    return (None, errors) if title is None else (ContractHeader(title), {})


# The longest template or clause text (a long contract's template is a tenth of this).
MAX_TEXT_CHARACTERS = 50_000


@dataclass(frozen=True)
class TemplateInput:
    name: str
    kind: str
    language: str
    body: str
    is_active: bool


def parse_template(data: Mapping[str, str]) -> tuple[TemplateInput | None, dict[str, str]]:
    """A template's fields; whether its body renders is checked by rendering.check_source."""
    errors: dict[str, str] = {}
    name = inputs.valid(
        errors,
        "name",
        inputs.text(data.get("name"), limit=200, required=N_("Please give the template a name.")),
    )
    kind = field_text(data, "kind")
    language = field_text(data, "language")
    if kind not in KINDS:
        errors["kind"] = gettext("Choose a kind of contract.")
    if language not in LANGUAGES:
        errors["language"] = gettext("Choose a language.")
    body = inputs.valid(errors, "body", _body_text(data, required=N_("The template needs a text.")))
    if name is None or body is None or errors:
        return None, errors
    is_active = str(data.get("is_active", "")).lower() in ("1", "on", "yes", "true")
    return TemplateInput(name, kind, language, body, is_active), {}


@dataclass(frozen=True)
class ClauseInput:
    key: str
    title: str
    body: str
    note: str


def parse_clause(data: Mapping[str, str]) -> tuple[ClauseInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    key = field_text(data, "key")
    note = field_text(data, "note", 200)
    if not CLAUSE_KEY.match(key):
        errors["key"] = gettext(
            "Use 2 to 60 lower-case letters, digits and underscores, starting with a letter."
        )
    title = inputs.valid(
        errors,
        "title",
        inputs.text(data.get("title"), limit=200, required=True),
        gettext("Please give the clause a title (at most 200 characters)."),
    )
    body = inputs.valid(errors, "body", _body_text(data, required=N_("The clause needs a text.")))
    if title is None or body is None or errors:
        return None, errors
    return ClauseInput(key, title, body, note), {}


def _body_text(data: Mapping[str, str], required: str) -> str | inputs.Invalid:
    """A template's or clause's text, with the browser's line ends made plain."""
    return inputs.text(
        str(data.get("body", "")).replace("\r\n", "\n"),
        limit=MAX_TEXT_CHARACTERS,
        required=required,
    )


@dataclass(frozen=True)
class SignatureInput:
    """An acceptance or countersignature: who signs, and exactly which PDF they saw."""

    version_uuid: str
    pdf_sha256: str
    signer_name: str
    signer_title: str


def parse_signature(data: Mapping[str, str]) -> tuple[SignatureInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = inputs.valid(
        errors,
        "signer_name",
        inputs.text(data.get("signer_name"), limit=120, required=True),
        gettext("Type your full name (at most 120 characters)."),
    )
    title = inputs.valid(
        errors,
        "signer_title",
        inputs.text(data.get("signer_title"), limit=120, required=True),
        gettext("Type your job title (at most 120 characters)."),
    )
    if str(data.get("confirm", "")) not in ("1", "on", "yes"):
        errors["confirm"] = gettext("Tick the box to confirm you have read this version.")
    version_uuid = field_text(data, "version")
    sha = field_text(data, "pdf_sha256").lower()
    if not version_uuid or not re.fullmatch(r"[0-9a-f]{64}", sha):
        errors["version"] = gettext("This form is out of date: open the contract again.")
    if name is None or title is None or errors:
        return None, errors
    return SignatureInput(version_uuid, sha, name, title), {}


@dataclass(frozen=True)
class DeclineInput:
    version_uuid: str
    reason: str


def parse_decline(data: Mapping[str, str]) -> tuple[DeclineInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    reason = inputs.valid(
        errors,
        "reason",
        inputs.text(
            data.get("reason"),
            limit=2000,
            required=N_("Please say why, so the other side can act on it."),
        ),
    )
    version_uuid = field_text(data, "version")
    if not version_uuid:
        errors["version"] = gettext("This form is out of date: open the contract again.")
    if reason is None or errors:
        return None, errors
    return DeclineInput(version_uuid, reason), {}


def parse_reason(data: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    errors: dict[str, str] = {}
    reason = inputs.valid(
        errors,
        "reason",
        inputs.text(data.get("reason"), limit=2000, required=N_("Please give a reason.")),
    )
    return (None, errors) if reason is None else (reason, {})
