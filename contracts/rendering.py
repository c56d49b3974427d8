"""Contract text: templates written by brand admins, rendered in a sandbox, then printed
to PDF by WeasyPrint.

Templates are user input, so they run in Jinja's ImmutableSandboxedEnvironment (no
access to Python internals, no mutation) with StrictUndefined. Before a template is
saved it is checked twice: statically against the variables a contract offers (so a
misspelt ``partner.legal_nme`` is caught even inside a branch the sample data would
not reach), and by rendering it with sample data. Either failure names the line.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from html import escape
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from contracts.forms import TERM_NAMES

TEMPLATE_FILENAME = "<contract template>"

# What a template may use: {{ partner.legal_name }}, {{ terms.territory }}, {{ clause("x") }}.
PARTY_FIELDS = ("legal_name", "english_name", "tax_id", "country", "address", "representative")
VARIABLES: dict[str, tuple[str, ...]] = {
    "brand": PARTY_FIELDS,
    "partner": PARTY_FIELDS,
    "contract": ("number", "title", "kind", "version", "issued_on", "language"),
    "terms": TERM_NAMES,
}
FUNCTIONS = ("clause",)
# Jinja's own names a template may use (loop.index inside a for loop and the like).
BUILTIN_NAMES = frozenset({"loop", "range", "true", "false", "none", "True", "False", "None"})


@dataclass(frozen=True)
class TemplateProblem:
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@cache
def sandbox() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    environment.filters["nl2br"] = _nl2br
    return environment


def _nl2br(value: object) -> Markup:
    return Markup("<br>").join(escape(str(value)).splitlines())


def _walk_local_names(tree: nodes.Template) -> set[str]:
    """Names a template assigns itself ({% set x %}, {% for x in ... %}, macro arguments)."""
    names: set[str] = set()
    for node in tree.find_all(nodes.Name):
        if node.ctx in ("store", "param"):
            names.add(node.name)
    for macro in tree.find_all(nodes.Macro):
        names.add(macro.name)
    return names


def _static_problems(
    tree: nodes.Template, clause_keys: frozenset[str] | None, allow_clauses: bool
) -> Iterator[TemplateProblem]:
    local = _walk_local_names(tree)
    known = set(VARIABLES) | BUILTIN_NAMES | local | (set(FUNCTIONS) if allow_clauses else set())
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in known:
            if name.name == "clause":
                reason = "a clause cannot include another clause"
            else:
                reason = f"unknown variable {name.name!r}; use {', '.join(sorted(VARIABLES))}"
            yield TemplateProblem(name.lineno, reason)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(node, "node", None)
        if not isinstance(target, nodes.Name) or target.name not in VARIABLES:
            continue
        if target.name in local:
            continue
        attribute: object
        if isinstance(node, nodes.Getattr):
            attribute = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attribute = node.arg.value
        else:
            continue
        if attribute not in VARIABLES[target.name]:
            yield TemplateProblem(
                node.lineno,
                f"unknown variable {target.name}.{attribute}; "
                f"{target.name} has {', '.join(VARIABLES[target.name])}",
            )
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name != "clause":
            continue
        if len(call.args) != 1 or not isinstance(call.args[0], nodes.Const):
            yield TemplateProblem(call.lineno, 'write a clause as clause("its_key")')
        elif clause_keys is not None and call.args[0].value not in clause_keys:
            yield TemplateProblem(call.lineno, f"no clause named {call.args[0].value!r}")


def _line_of(error: BaseException) -> int | None:
    """The template line a rendering error happened on (Jinja rewrites tracebacks to it)."""
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = lineno
    return line


def check_source(
    source: str,
    clause_keys: frozenset[str] | None,
    sample: Mapping[str, Any] | None = None,
    allow_clauses: bool = True,
) -> list[TemplateProblem]:
    """Problems of a template (or clause) text: syntax, unknown variables or clauses, and
    errors rendering it with ``sample`` data. An empty list means it may be saved."""
    environment = sandbox()
    try:
        tree = environment.parse(source, filename=TEMPLATE_FILENAME)
    except TemplateSyntaxError as error:
        return [TemplateProblem(error.lineno, error.message or "syntax error")]
    problems = sorted(
        set(_static_problems(tree, clause_keys, allow_clauses)), key=lambda p: p.line or 0
    )
    if problems or sample is None:
        return problems
    try:
        render_body(source, sample)
    except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
        return [TemplateProblem(_line_of(error), _reason(error))]
    return []


def _reason(error: BaseException) -> str:
    if isinstance(error, UndefinedError):
        return f"unknown variable: {error.message}"
    if isinstance(error, SecurityError):
        return f"not allowed: {error}"
    return str(error) or type(error).__name__


def render_body(source: str, context: Mapping[str, Any]) -> str:
    """A template's text filled in, as HTML (raises TemplateError on a bad template)."""
    return str(compiled(source).render(dict(context)))


@lru_cache(maxsize=256)
def compiled(source: str) -> Any:
    """A template text compiled once, named so errors can be traced to its lines."""
    environment = sandbox()
    code = environment.compile(source, filename=TEMPLATE_FILENAME)
    return environment.template_class.from_code(environment, code, environment.globals, None)


def clause_function(
    bodies: Mapping[str, str], context: Mapping[str, Any], used: dict[str, int] | None = None
) -> Callable[[str], Markup]:
    """``clause("key")`` inside a template: the clause's text, filled with the same data."""

    def clause(key: str) -> Markup:
        if key not in bodies:
            raise ValueError(f"no clause named {key!r}")
        if used is not None:
            used[key] = used.get(key, 0) + 1
        return Markup(compiled(bodies[key]).render(dict(context)))

    return clause


# ---------------------------------------------------------------------------
# The printed document


# The PDF's fixed words in each contract language (not the reader's: the document's).
PDF_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "between": "Between",
        "and": "and",
        "number": "Contract no.",
        "version": "version",
        "for": "For and on behalf of",
        "name": "Name",
        "title": "Title",
        "date": "Date",
        "signature": "Signature",
    },
    "zh_Hans": {
        "between": "甲方",
        "and": "乙方",
        "number": "合同编号",
        "version": "版本",
        "for": "代表",
        "name": "姓名",
        "title": "职务",
        "date": "日期",
        "signature": "签字（盖章）",
    },
    "ko": {
        "between": "갑",
        "and": "을",
        "number": "계약 번호",
        "version": "버전",
        "for": "대표",
        "name": "성명",
        "title": "직위",
        "date": "일자",
        "signature": "서명(날인)",
    },
}


def _word(language: str, key: str) -> str:
    """A fixed word; bilingual contracts show English and the other language together."""
    if language.startswith("bilingual_"):
        other = "zh_Hans" if language == "bilingual_zh" else "ko"
        return f"{PDF_WORDS['en'][key]} / {PDF_WORDS[other][key]}"
    return PDF_WORDS.get(language, PDF_WORDS["en"])[key]


def html_lang(language: str) -> str:
    return {"zh_Hans": "zh-Hans", "ko": "ko", "bilingual_zh": "zh-Hans", "bilingual_ko": "ko"}.get(
        language, "en"
    )


def css_string(text: str) -> str:
    """Text as a CSS string literal (for the running header and footer)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


DOCUMENT_CSS = """
@page {
  size: A4;
  margin: 22mm 18mm 24mm 18mm;
  @top-left { content: %(header)s; font-size: 7.5pt; color: #555; }
  @bottom-left { content: %(footer)s; font-size: 6.5pt; color: #555; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; }
}
html { font-family: "Noto Sans CJK SC", "Noto Sans CJK KR", sans-serif; font-size: 10pt;
       line-height: 1.55; color: #111; }
:lang(ko) { font-family: "Noto Sans CJK KR", "Noto Sans CJK SC", sans-serif; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2.5mm; text-align: justify; }
table { border-collapse: collapse; width: 100%%; }
td, th { border: 0.5pt solid #999; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
.parties { border: 0.75pt solid #333; margin-bottom: 6mm; }
.parties td { width: 50%%; border: 0.5pt solid #333; }
.parties .role { font-size: 8pt; color: #555; }
.meta { text-align: center; font-size: 8.5pt; color: #444; margin-bottom: 6mm; }
/* Side by side as a fixed table: WeasyPrint lays tables out several times faster than flex. */
.bilingual { display: table; table-layout: fixed; width: 100%%; border-spacing: 0; }
.bilingual > * { display: table-cell; width: 50%%; vertical-align: top; padding: 0 3mm 0 0; }
.bilingual > * + * { padding: 0 0 0 3mm; }
.bilingual-table td { width: 50%%; border: none; padding: 0 3mm 2mm 0; }
.signatures { margin-top: 10mm; break-inside: avoid; }
.signatures td { width: 50%%; height: 46mm; border: 0.5pt solid #333; }
.signatures .line { border-bottom: 0.5pt solid #333; height: 9mm; margin-bottom: 1mm; }
.signatures .label { font-size: 8pt; color: #555; }
"""


@dataclass(frozen=True)
class PrintedContract:
    html: str
    fingerprint: str


def fingerprint_of(number: str, version: int, terms: Mapping[str, str], body_html: str) -> str:
    """SHA-256 of what a version says: its number, terms and text. Printed in the footer,
    so a paper copy can be matched to the version it came from."""
    payload = json.dumps(
        {"number": number, "version": version, "terms": dict(terms), "body": body_html},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _signature_cell(language: str, party: Mapping[str, Any]) -> str:
    rows = "".join(
        f'<div class="line"></div><div class="label">{escape(_word(language, key))}</div>'
        for key in ("signature", "name", "title", "date")
    )
    return (
        f'<td><div class="label">{escape(_word(language, "for"))}</div>'
        f"<strong>{escape(str(party['legal_name']))}</strong>{rows}</td>"
    )


def document_html(
    *,
    language: str,
    title: str,
    number: str,
    version: int,
    brand: Mapping[str, Any],
    partner: Mapping[str, Any],
    body_html: str,
    fingerprint: str,
) -> str:
    """The whole printable document: parties, body, signature blocks, header and footer."""

    def party(role: str, values: Mapping[str, Any]) -> str:
        lines = [f'<div class="role">{escape(_word(language, role))}</div>']
        lines.append(f"<strong>{escape(str(values['legal_name']))}</strong>")
        for key in ("english_name", "tax_id", "address"):
            if values.get(key):
                lines.append(f"<div>{escape(str(values[key]))}</div>")
        return f"<td>{''.join(lines)}</td>"

    header = f"{brand['legal_name']}  ·  {partner['legal_name']}"
    footer = (
        f"{_word(language, 'number')} {number} · {_word(language, 'version')} {version} · "
        f"SHA-256 {fingerprint}"
    )
    css = DOCUMENT_CSS % {
        "header": css_string(header),
        "footer": css_string(footer),
    }
    return (
        f'<!DOCTYPE html><html lang="{html_lang(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{css}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{escape(_word(language, "number"))} {escape(number)} · '
        f"{escape(_word(language, 'version'))} {version}</div>"
        f'<table class="parties"><tr>{party("between", brand)}{party("and", partner)}</tr></table>'
        f'<div class="body">{body_html}</div>'
        f'<table class="signatures"><tr>{_signature_cell(language, brand)}'
        f"{_signature_cell(language, partner)}</tr></table>"
        "</body></html>"
    )


# ---------------------------------------------------------------------------
# Values a template sees


def money_text(amount: str, currency: str) -> str:
    """A money term as a contract prints it: code and amount, minor units per currency."""
    if not amount:
        return ""
    value = Decimal(amount)
    digits = 0 if currency in ("KRW", "JPY") else 2
    return f"{currency} {value:,.{digits}f}"


def terms_for_template(kind_fields: Mapping[str, str], terms: Mapping[str, str]) -> dict[str, str]:
    """Every term name (blank when the contract's kind has none), money with its currency."""
    currency = terms.get("currency", "")
    values = dict.fromkeys(TERM_NAMES, "")
    for name, value in terms.items():
        if name in values:
            values[name] = (
                money_text(value, currency) if kind_fields.get(name) == "money" else value
            )
    return values


def sample_context(clause_bodies: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Data to preview and check templates with: a partner whose names need every script."""
    terms = {
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "auto_renewal": "yes",
        "notice_days": "90",
        "currency": "CNY",
        "payment_terms": "30% deposit, 70% before shipment (T/T)",
        "territory": "CN-31 上海市, CN-32 江苏省",
        "tier": "gold",
        "discount_percent": "38",
        "credit_limit": "CNY 800,000.00",
        "minimum_purchase": "CNY 3,000,000.00",
        "materials": "Cotton poplin 40s 145 cm; 평직 면 원단",
        "lead_time_days": "45",
        "quality_terms": "AQL 2.5; colour fastness grade 4",
        "items": "Men's shirt 170/88A, women's blouse 160/84A",
        "allowance": "CNY 1,200.00",
        "delivery_terms": "Packed per employee, delivered to head office",
        "confidentiality_years": "3",
    }
    context: dict[str, Any] = {
        "brand": {
            "legal_name": "杭州锦绣服饰有限公司",
            "english_name": "Hangzhou Jinxiu Apparel Co., Ltd.",
            "tax_id": "91330100MA2XXXXXX0",
            "country": "CN",
            "address": "浙江省杭州市西湖区文三路 100 号",
            "representative": "陈经理",
        },
        "partner": {
            "legal_name": "示例贸易有限公司 · 샘플무역 주식회사",
            "english_name": "Sample Trading Co., Ltd.",
            "tax_id": "123-45-67890",
            "country": "KR",
            "address": "서울특별시 강남구 테헤란로 1",
            "representative": "김민준",
        },
        "contract": {
            "number": "TL-2027-0001",
            "title": "Sample contract",
            "kind": "distribution",
            "version": 1,
            "issued_on": date(2026, 12, 1).isoformat(),
            "language": "bilingual_zh",
        },
        "terms": terms,
    }
    context["clause"] = clause_function(clause_bodies or {}, context)
    return context
