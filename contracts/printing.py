"""The printed contract: the document's HTML for WeasyPrint (parties, body, signature
blocks, running header and footer with the fingerprint) and the fixed words it prints in
the contract's language."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from babel.dates import format_datetime

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


def document_words(
    table: Mapping[str, Mapping[str, str]], language: str, key: str, **params: str
) -> str:
    """A fixed text of the document; bilingual contracts show English and the other
    language together."""

    def filled(text: str) -> str:
        return text % params if params else text

    if language.startswith("bilingual_"):
        other = "zh_Hans" if language == "bilingual_zh" else "ko"
        return f"{filled(table['en'][key])} / {filled(table[other][key])}"
    return filled(table.get(language, table["en"])[key])


def document_word(language: str, key: str) -> str:
    return document_words(PDF_WORDS, language, key)


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
        f'<div class="line"></div><div class="label">{escape(document_word(language, key))}</div>'
        for key in ("signature", "name", "title", "date")
    )
    return (
        f'<td><div class="label">{escape(document_word(language, "for"))}</div>'
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
        lines = [f'<div class="role">{escape(document_word(language, role))}</div>']
        lines.append(f"<strong>{escape(str(values['legal_name']))}</strong>")
        for key in ("english_name", "tax_id", "address"):
            if values.get(key):
                lines.append(f"<div>{escape(str(values[key]))}</div>")
        return f"<td>{''.join(lines)}</td>"

    header = f"{brand['legal_name']}\u00a0\u00a0·\u00a0\u00a0{partner['legal_name']}"
    footer = (
        f"{document_word(language, 'number')} {number} · {document_word(language, 'version')} {version} · "
        f"SHA-256 {fingerprint}"
    )
    return (
        f'<!DOCTYPE html><html lang="{html_lang(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{DOCUMENT_CSS}</style></head><body>"
        f'<div class="running-header">{escape(header)}</div>'
        f'<div class="running-footer">{escape(footer)}</div>'
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{escape(document_word(language, "number"))} {escape(number)} · '
        f"{escape(document_word(language, 'version'))} {version}</div>"
        f'<table class="parties"><tr>{party("between", brand)}{party("and", partner)}</tr></table>'
        f'<div class="body">{body_html}</div>'
        f'<table class="signatures"><tr>{_signature_cell(language, brand)}'
        f"{_signature_cell(language, partner)}</tr></table>"
        "</body></html>"
    )
