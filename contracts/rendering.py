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
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from html import escape
from typing import Any

from babel.dates import format_date, format_datetime
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
from partner_portal.regions import document_name

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


# The certificate of completion's words, in the contract's language like the rest of it.
COMPLETION_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "completion": "Certificate of completion",
        "intro": "This page was added by the Threadline portal when the version above was "
        "accepted. The whole file is signed by the portal; any change breaks the signature.",
        "contract": "Contract",
        "parties": "Parties",
        "accepted_by": "Accepted by",
        "account": "Signed in as",
        "accepted_at": "Accepted at",
        "address": "From the address",
        "browser": "Browser",
        "confirmed": "Confirmed by",
        "code_sent": "a one-time code sent to %(email)s",
        "offered": "SHA-256 of the PDF offered",
        "fingerprint": "Printed fingerprint",
        "verify": "Check this file at",
        "countersignature": "Countersignature by the brand",
        "countersign_intro": "Added when the brand countersigned the accepted file above; "
        "the portal signed the whole file again and the partner's signature remains valid.",
        "countersigned_by": "Countersigned by",
        "countersigned_at": "Countersigned at",
        "accepted_sha256": "SHA-256 of the accepted PDF",
    },
    "zh_Hans": {
        "completion": "签署完成证明",
        "intro": "本页由 Threadline 平台在上述版本被接受时附加。平台已对整个文件进行数字签名，任何改动都会使签名失效。",
        "contract": "合同",
        "parties": "签约方",
        "accepted_by": "接受人",
        "account": "登录账户",
        "accepted_at": "接受时间",
        "address": "来源地址",
        "browser": "浏览器",
        "confirmed": "确认方式",
        "code_sent": "发送至 %(email)s 的一次性验证码",
        "offered": "所提供 PDF 的 SHA-256",
        "fingerprint": "印刷指纹",
        "verify": "验证本文件",
        "countersignature": "品牌方会签",
        "countersign_intro": "品牌方会签上述已接受的文件时添加。平台再次对整个文件进行数字签名，合作方的签名依然有效。",
        "countersigned_by": "会签人",
        "countersigned_at": "会签时间",
        "accepted_sha256": "已接受 PDF 的 SHA-256",
    },
    "ko": {
        "completion": "서명 완료 증명서",
        "intro": "이 페이지는 위 버전이 수락될 때 Threadline 포털이 추가했습니다. 파일 전체에 포털의 전자서명이 되어 있어 어떤 변경도 서명을 무효로 만듭니다.",
        "contract": "계약",
        "parties": "당사자",
        "accepted_by": "수락자",
        "account": "로그인 계정",
        "accepted_at": "수락 일시",
        "address": "접속 주소",
        "browser": "브라우저",
        "confirmed": "확인 방법",
        "code_sent": "%(email)s(으)로 보낸 일회용 코드",
        "offered": "제시된 PDF의 SHA-256",
        "fingerprint": "인쇄된 지문",
        "verify": "이 파일 확인",
        "countersignature": "브랜드 측 연서",
        "countersign_intro": "브랜드가 위의 수락된 파일에 연서할 때 추가되었습니다. 포털이 파일 전체에 다시 전자서명했으며 파트너의 서명은 그대로 유효합니다.",
        "countersigned_by": "연서자",
        "countersigned_at": "연서 일시",
        "accepted_sha256": "수락된 PDF의 SHA-256",
    },
}

# Babel's locale for a contract language (bilingual contracts: the partner's language).
DOCUMENT_LOCALES = {
    "en": "en",
    "zh_Hans": "zh_Hans_CN",
    "ko": "ko",
    "bilingual_zh": "zh_Hans_CN",
    "bilingual_ko": "ko",
}


def document_datetime(value: datetime, language: str) -> str:
    """A moment as the contract's language writes it, in UTC (the certificate's clock)."""
    return format_datetime(
        value, format="long", tzinfo=UTC, locale=DOCUMENT_LOCALES.get(language, "en")
    )


def _words(table: Mapping[str, Mapping[str, str]], language: str, key: str, **params: str) -> str:
    """A fixed text of the document; bilingual contracts show English and the other
    language together."""

    def filled(text: str) -> str:
        return text % params if params else text

    if language.startswith("bilingual_"):
        other = "zh_Hans" if language == "bilingual_zh" else "ko"
        return f"{filled(table['en'][key])} / {filled(table[other][key])}"
    return filled(table.get(language, table["en"])[key])


@dataclass(frozen=True)
class Completion:
    """What the certificate of completion states about one acceptance."""

    language: str
    number: str
    title: str
    version: int
    brand_name: str
    partner_name: str
    signer_name: str
    signer_title: str
    account_email: str
    accepted_at: datetime
    ip_address: str
    user_agent: str
    offered_sha256: str
    fingerprint: str
    verify_url: str


HASH_ROWS = ("offered", "fingerprint", "accepted_sha256")


COMPLETION_TABLE_CSS = (
    ".completion th { width: 32%; font-weight: normal; color: #444; }"
    ".completion .value { word-break: break-all; }"
    # A hash on one line, so it can be read (and copied) whole.
    ".completion .hash { font-family: monospace; font-size: 7pt; white-space: nowrap; }"
)
# The completion page keeps its lower part free for the brand's countersignature, which
# is added there later as a visible signature field (COUNTERSIGNATURE_BOX).
COMPLETION_CSS = (
    "@page { margin-bottom: 100mm; @bottom-right { content: none; } }" + COMPLETION_TABLE_CSS
)


def _completion_html(
    language: str, heading: str, intro: str, rows: list[tuple[str, str]], css: str
) -> str:
    def word(key: str) -> str:
        return _words(COMPLETION_WORDS, language, key)

    table = "".join(
        f"<tr><th>{escape(word(key))}</th>"
        f'<td class="{"hash" if key in HASH_ROWS else "value"}">{escape(value)}</td></tr>'
        for key, value in rows
    )
    return (
        f'<!DOCTYPE html><html lang="{html_lang(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(word(heading))}</title><style>{DOCUMENT_CSS}{css}</style></head><body>"
        f"<h1>{escape(word(heading))}</h1><p>{escape(word(intro))}</p>"
        f'<table class="completion">{table}</table></body></html>'
    )


def completion_page_html(completion: Completion) -> str:
    """The one-page certificate of completion appended to an accepted PDF."""
    language = completion.language
    rows = [
        (
            "contract",
            f"{completion.number} · {completion.title} · "
            f"{_word(language, 'version')} {completion.version}",
        ),
        ("parties", f"{completion.brand_name} · {completion.partner_name}"),
        ("accepted_by", f"{completion.signer_name}, {completion.signer_title}"),
        ("account", completion.account_email),
        ("accepted_at", document_datetime(completion.accepted_at, language)),
        ("address", completion.ip_address),
        ("browser", completion.user_agent),
        (
            "confirmed",
            _words(COMPLETION_WORDS, language, "code_sent", email=completion.account_email),
        ),
        ("offered", completion.offered_sha256),
        ("fingerprint", completion.fingerprint),
        ("verify", completion.verify_url),
    ]
    return _completion_html(language, "completion", "intro", rows, COMPLETION_CSS)


@dataclass(frozen=True)
class Countersignature:
    """What the countersignature's completion entry states: who countersigned for the
    brand, when, from where, and the SHA-256 of the accepted (sealed) PDF."""

    language: str
    brand_name: str
    signer_name: str
    signer_title: str
    account_email: str
    countersigned_at: datetime
    ip_address: str
    accepted_sha256: str


# The countersignature's field on the completion page, in the space the page keeps free
# below its table (COMPLETION_CSS) and aligned with the table (page and body margins,
# 20 mm); its entry is printed at the field's size, white behind it, and the signature's
# appearance draws the frame.
COUNTERSIGNATURE_LEFT_MM = 20
COUNTERSIGNATURE_BOTTOM_MM = 26
COUNTERSIGNATURE_WIDTH_MM = 170
COUNTERSIGNATURE_HEIGHT_MM = 72
MM = 72 / 25.4
# The field's rectangle in PDF points from the bottom left of the (A4) page.
COUNTERSIGNATURE_BOX = (
    round(COUNTERSIGNATURE_LEFT_MM * MM),
    round(COUNTERSIGNATURE_BOTTOM_MM * MM),
    round((COUNTERSIGNATURE_LEFT_MM + COUNTERSIGNATURE_WIDTH_MM) * MM),
    round((COUNTERSIGNATURE_BOTTOM_MM + COUNTERSIGNATURE_HEIGHT_MM) * MM),
)
COUNTERSIGNATURE_CSS = (
    f"@page {{ size: {COUNTERSIGNATURE_WIDTH_MM}mm {COUNTERSIGNATURE_HEIGHT_MM}mm; margin: 0;"
    " @bottom-right { content: none; } }"
    "html { background: #fff; font-size: 7.5pt; line-height: 1.35; }"
    "body { margin: 0; padding: 2.5mm 3.5mm; }"
    "h1 { font-size: 10.5pt; text-align: left; margin: 0 0 1mm; }"
    "p { font-size: 7pt; color: #444; margin: 0 0 1.5mm; }"
    "td, th { padding: 0.6mm 1.5mm; }" + COMPLETION_TABLE_CSS
)


# The entry's field has a fixed size: a value longer than this is shown shortened (the
# whole value is kept with the signature and in the audit log).
ENTRY_VALUE_CHARACTERS = 50


def _fitted(value: str, limit: int = ENTRY_VALUE_CHARACTERS) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def countersignature_html(countersignature: Countersignature) -> str:
    """The countersignature's completion entry: one page the size of its field."""
    language = countersignature.language
    rows = [
        (
            "countersigned_by",
            f"{_fitted(countersignature.signer_name)}, {_fitted(countersignature.signer_title)}"
            f" · {_fitted(countersignature.brand_name)}",
        ),
        ("account", _fitted(countersignature.account_email, 80)),
        ("countersigned_at", document_datetime(countersignature.countersigned_at, language)),
        ("address", countersignature.ip_address),
        ("accepted_sha256", countersignature.accepted_sha256),
    ]
    return _completion_html(
        language, "countersignature", "countersign_intro", rows, COUNTERSIGNATURE_CSS
    )


def _word(language: str, key: str) -> str:
    return _words(PDF_WORDS, language, key)


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


# Coded term values as each contract language writes them.
VALUE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "platinum": "Platinum",
        "gold": "Gold",
        "silver": "Silver",
        "standard": "Standard",
        "yes": "Yes",
        "no": "No",
        "distribution": "Distribution agreement",
        "supply": "Supply agreement",
        "group_purchase": "Group purchase agreement",
        "framework": "Framework agreement",
        "nda": "Non-disclosure agreement",
        "deposit": "30% deposit, 70% before shipment (T/T)",
        "monthly": "Monthly statement, net 30 days",
    },
    "zh_Hans": {
        "platinum": "白金",
        "gold": "黄金",
        "silver": "白银",
        "standard": "标准",
        "yes": "是",
        "no": "否",
        "distribution": "经销合同",
        "supply": "供货合同",
        "group_purchase": "团体采购合同",
        "framework": "框架协议",
        "nda": "保密协议",
        "deposit": "30%定金，发货前付清70%余款（电汇）",
        "monthly": "月结30天",
    },
    "ko": {
        "platinum": "플래티넘",
        "gold": "골드",
        "silver": "실버",
        "standard": "스탠다드",
        "yes": "예",
        "no": "아니요",
        "distribution": "대리점 계약",
        "supply": "공급 계약",
        "group_purchase": "단체 구매 계약",
        "framework": "기본 계약",
        "nda": "비밀유지 계약",
        "deposit": "계약금 30%, 선적 전 잔금 70% (전신환)",
        "monthly": "월말 마감 후 30일 이내 지급",
    },
}
# A region code as a territory is written: a subdivision ("CN-ZJ", or its former code
# "CN-33"), a city in it ("CN-ZJ-HZ"), or a city's division code ("CN-3301").
REGION_CODE = re.compile(r"\b[A-Z]{2}-[A-Z0-9]{1,5}(?:-[A-Z0-9]{2,3})?\b")


def value_word(language: str, key: str) -> str:
    """A coded value (tier, yes/no, contract kind, usual payment terms) in the contract's
    language; bilingual contracts give both."""
    return _words(VALUE_WORDS, language, key)


def _document_languages(language: str) -> tuple[str, ...]:
    if language == "bilingual_zh":
        return ("en", "zh_Hans")
    if language == "bilingual_ko":
        return ("en", "ko")
    return (language if language in VALUE_WORDS else "en",)


def territory_text(value: str, language: str) -> str:
    """Region codes (CN-SH, KR-11, CN-ZJ-HZ) named in the contract's language, a city with
    its province (regions.document_name); other text kept. A list of codes whose English
    names hold commas ("Hangzhou, Zhejiang") is separated by semicolons, so the reader
    still sees where each region ends."""
    parts = [part.strip() for part in value.split(",")]
    listed = all(REGION_CODE.fullmatch(part) for part in parts)

    def named_in(one: str) -> str:
        if not listed:
            return REGION_CODE.sub(lambda found: document_name(found.group(0), one), value)
        names = [document_name(part, one) for part in parts]
        return ("; " if any("," in name for name in names) else ", ").join(names)

    return " / ".join(named_in(one) for one in _document_languages(language))


def document_date(value: date, language: str) -> str:
    """A date as the contract's language writes it (bilingual: the partner's language)."""
    return format_date(value, format="long", locale=DOCUMENT_LOCALES.get(language, "en"))


def terms_for_template(
    kind_fields: Mapping[str, str], terms: Mapping[str, str], language: str = "en"
) -> dict[str, str]:
    """Every term name (blank when the contract's kind has none), written as the contract's
    language writes it: money with its currency, dates, tiers, yes/no and region names."""
    currency = terms.get("currency", "")
    values = dict.fromkeys(TERM_NAMES, "")
    for name, value in terms.items():
        if name not in values or not value:
            continue
        kind = kind_fields.get(name)
        if kind == "money":
            values[name] = money_text(value, currency)
        elif kind == "date":
            values[name] = document_date(date.fromisoformat(value), language)
        elif kind in ("tier", "bool") and value in VALUE_WORDS["en"]:
            values[name] = value_word(language, value)
        elif name == "territory":
            values[name] = territory_text(value, language)
        else:
            values[name] = value
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
