"""Contract text: templates written by brand admins, rendered in a sandbox, then printed
to PDF by WeasyPrint.

Templates are user input, so they run in contracts.sandbox (no Python internals, a short
list of filters, every rendering within a budget of steps and characters) with
StrictUndefined, and what they produce is limited to the markup of contracts.markup
(document structure; no pictures, styles or addresses). Before a template is saved it is
checked twice: statically against the variables, filters and statements a contract
offers and the markup its text contains (so a misspelt ``partner.legal_nme`` or an
``<img>`` is caught even inside a branch the sample data would not reach), and by
rendering it with sample data within the budget. Either failure names the line. When a
contract is printed, the text is rendered within the same budget and cleaned again, so a
template saved before these checks cannot reach the document either.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from html import escape
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from markupsafe import Markup

from contracts.forms import TERM_NAMES
from contracts.markup import clean_html
from contracts.sandbox import (
    FILTERS,
    RenderTooCostly,
    budgeted_tree,
    refused_statements,
    render_within_budget,
    sandbox,
)
from partner_portal.i18n import N_

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
    """Why a template cannot be saved: ``message`` is a message id, translated where it
    is shown and filled with ``params``; ``line`` where known."""

    line: int | None
    message: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def parameters(self) -> dict[str, object]:
        return dict(self.params)

    @property
    def reason(self) -> str:
        return self.message % self.parameters if self.params else self.message

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


def _problem(line: int | None, message: str, **params: object) -> TemplateProblem:
    return TemplateProblem(line, message, tuple(params.items()))


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
                yield TemplateProblem(name.lineno, N_("a clause cannot include another clause"))
            else:
                yield _problem(
                    name.lineno,
                    N_("unknown variable %(name)s; use %(names)s"),
                    name=name.name,
                    names=", ".join(sorted(VARIABLES)),
                )
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
            yield _problem(
                node.lineno,
                N_("unknown variable %(name)s; %(variable)s has %(fields)s"),
                name=f"{target.name}.{attribute}",
                variable=target.name,
                fields=", ".join(VARIABLES[target.name]),
            )
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name != "clause":
            continue
        if len(call.args) != 1 or not isinstance(call.args[0], nodes.Const):
            yield TemplateProblem(call.lineno, N_('write a clause as clause("its_key")'))
        elif clause_keys is not None and call.args[0].value not in clause_keys:
            yield _problem(call.lineno, N_("no clause named %(name)s"), name=call.args[0].value)
    for used in tree.find_all(nodes.Filter):
        if used.name not in FILTERS:
            yield _problem(
                used.lineno,
                N_("the filter %(name)s is not available; use %(names)s"),
                name=used.name,
                names=", ".join(sorted(FILTERS)),
            )
    for line, statement in refused_statements(tree):
        yield _problem(
            line, N_("%(statement)s is not available in contract templates"), statement=statement
        )


def _line_of(error: BaseException) -> int | None:
    """The template line a rendering error happened on (Jinja rewrites tracebacks to it)."""
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = lineno
    return line


def _line_in(source: str, needle: str) -> int | None:
    """The first line of ``source`` holding ``needle`` (case-insensitive), if any."""
    at = source.lower().find(needle.lower())
    return source.count("\n", 0, at) + 1 if at >= 0 else None


def _markup_problems(source: str, html: str) -> list[TemplateProblem]:
    return [
        TemplateProblem(_line_in(source, refusal.needle), refusal.message, refusal.params)
        for refusal in clean_html(html).refusals
    ]


def _written_markup(source: str) -> str:
    """The template's own text with every {{ ... }} and {% ... %} taken out, so markup in
    any branch is seen (a placeholder stands where a value goes)."""
    return "\ufffc".join(
        value for _, kind, value in sandbox().lex(source, filename=TEMPLATE_FILENAME)
        if kind == "data"
    )  # fmt: skip


def check_source(
    source: str,
    clause_keys: frozenset[str] | None,
    sample: Mapping[str, Any] | None = None,
    allow_clauses: bool = True,
) -> list[TemplateProblem]:
    """Problems of a template (or clause) text: syntax, unknown variables, filters or
    clauses, statements or markup a contract may not use, and errors (the budget's too)
    rendering it with ``sample`` data. An empty list means it may be saved. Takes up to a
    second for a template that spends its whole budget: call it off the event loop."""
    environment = sandbox()
    try:
        tree = environment.parse(source, filename=TEMPLATE_FILENAME)
    except TemplateSyntaxError as error:
        return [_problem(error.lineno, N_("syntax error: %(detail)s"), detail=error.message or "")]
    except RecursionError:
        return [TemplateProblem(None, N_("the template is nested too deeply"))]
    problems = sorted(
        set(_static_problems(tree, clause_keys, allow_clauses))
        | set(_markup_problems(source, _written_markup(source))),
        key=lambda p: p.line or 0,
    )
    if problems or sample is None:
        return problems
    try:
        html = render_body(source, sample)
    except RenderTooCostly as error:
        return [_problem(_line_of(error), error.message, **error.params)]
    except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
        return [_rendering_problem(error)]
    except RecursionError:
        return [TemplateProblem(None, N_("the template is nested too deeply"))]
    return _markup_problems(source, html)


def _rendering_problem(error: BaseException) -> TemplateProblem:
    if isinstance(error, UndefinedError):
        message = N_("unknown variable: %(detail)s")
    elif isinstance(error, SecurityError):
        message = N_("not allowed: %(detail)s")
    else:
        message = N_("the template does not render: %(detail)s")
    return _problem(_line_of(error), message, detail=str(error) or type(error).__name__)


def render_body(source: str, context: Mapping[str, Any]) -> str:
    """A template's text filled in, as the template wrote it (raises TemplateError on a
    bad template, RenderTooCostly past the budget). Documents take contract_body."""
    return render_within_budget(compiled(source), context)


def contract_body(source: str, context: Mapping[str, Any]) -> str:
    """A template's text filled in and kept to the markup a contract may use: what a
    contract prints. Call it off the event loop (it may spend its whole budget)."""
    return clean_html(render_body(source, context)).html


@lru_cache(maxsize=256)
def compiled(source: str) -> Any:
    """A template text compiled once, named so errors can be traced to its lines; with the
    statements contracts may not use refused and every loop and ``~`` on the budget."""
    environment = sandbox()
    tree = environment.parse(source, filename=TEMPLATE_FILENAME)
    for line, statement in refused_statements(tree):
        raise SecurityError(f"{statement} is not available in contract templates (line {line})")
    code = environment.compile(budgeted_tree(tree), filename=TEMPLATE_FILENAME)
    return environment.template_class.from_code(environment, code, environment.globals, None)


def clause_function(
    bodies: Mapping[str, str], context: Mapping[str, Any], used: dict[str, int] | None = None
) -> Callable[[str], Markup]:
    """``clause("key")`` inside a template: the clause's text, filled with the same data
    within the template's budget."""

    def clause(key: str) -> Markup:
        if key not in bodies:
            raise ValueError(f"no clause named {key!r}")
        if used is not None:
            used[key] = used.get(key, 0) + 1
        return Markup(render_within_budget(compiled(bodies[key]), context))

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


# User data never goes into this stylesheet: the running header and footer are elements of
# the document (position: running), written into the margins by element().
DOCUMENT_CSS = """
@page {
  size: A4;
  margin: 22mm 18mm 24mm 18mm;
  @top-left { content: element(running-header); }
  @bottom-left { content: element(running-footer); }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; }
}
.running-header { position: running(running-header); font-size: 7.5pt; color: #555; }
.running-footer { position: running(running-footer); font-size: 6.5pt; color: #555; }
html { font-family: "Noto Sans CJK SC", "Noto Sans CJK KR", sans-serif; font-size: 10pt;
       line-height: 1.55; color: #111; }
:lang(ko) { font-family: "Noto Sans CJK KR", "Noto Sans CJK SC", sans-serif; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2.5mm; text-align: justify; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 0.5pt solid #999; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
.parties { border: 0.75pt solid #333; margin-bottom: 6mm; }
.parties td { width: 50%; border: 0.5pt solid #333; }
.parties .role { font-size: 8pt; color: #555; }
.meta { text-align: center; font-size: 8.5pt; color: #444; margin-bottom: 6mm; }
/* Side by side as a fixed table: WeasyPrint lays tables out several times faster than flex. */
.bilingual { display: table; table-layout: fixed; width: 100%; border-spacing: 0; }
.bilingual > * { display: table-cell; width: 50%; vertical-align: top; padding: 0 3mm 0 0; }
.bilingual > * + * { padding: 0 0 0 3mm; }
.bilingual-table td { width: 50%; border: none; padding: 0 3mm 2mm 0; }
.signatures { margin-top: 10mm; break-inside: avoid; }
.signatures td { width: 50%; height: 46mm; border: 0.5pt solid #333; }
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

    header = f"{brand['legal_name']}\u00a0\u00a0·\u00a0\u00a0{partner['legal_name']}"
    footer = (
        f"{_word(language, 'number')} {number} · {_word(language, 'version')} {version} · "
        f"SHA-256 {fingerprint}"
    )
    return (
        f'<!DOCTYPE html><html lang="{html_lang(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{DOCUMENT_CSS}</style></head><body>"
        f'<div class="running-header">{escape(header)}</div>'
        f'<div class="running-footer">{escape(footer)}</div>'
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
