"""The values a contract template sees: its terms written as the contract's language
writes them (coded words, money, territories, dates), and the sample data templates are
previewed and checked with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date

from contracts.forms import TERM_NAMES
from contracts.printing import DOCUMENT_LOCALES, document_words
from contracts.rendering import clause_function
from partner_portal import inputs
from partner_portal.regions import document_name


def money_text(amount: str, currency: str) -> str:
    """A money term as a contract prints it: code and amount, minor units per currency."""
    if not amount:
        return ""
    value = Decimal(amount)
    return f"{currency} {value:,.{inputs.minor_units(currency or 'CNY')}f}"


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
    return document_words(VALUE_WORDS, language, key)


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
