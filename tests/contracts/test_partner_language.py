"""Contracts in the partner's language: the template that suits the partner comes first,
every value the PDF prints (tier, payment terms, regions, dates, yes/no, the title) is in
the contract's language, addresses are composed per country without repeated parts, and
the terms start from the partner record (the credit limit included)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from contracts import documents, drafting
from contracts.documents import compose_address
from distributors.tables import PartnerCredit
from partner_portal.partners.tables import Address, Territory
from tests.contracts.support import contract_row, issue, make_template, viewer
from tests.pdfs import pdf_text
from tests.support import Cast, Org, PortalClient

BODY = """<h2>{{ contract.issued_on }}</h2>
<p>{{ partner.legal_name }} · {{ partner.address }}</p>
<p>{{ terms.tier }}|{{ terms.payment_terms }}|{{ terms.territory }}</p>
<p>{{ terms.start_date }} – {{ terms.end_date }} · {{ terms.auto_renewal }} · {{ terms.credit_limit }}</p>
"""
# What may be Latin letters in a Chinese or Korean contract: names, codes and hashes.
BRAND_ENGLISH_NAME = "Jinxiu Apparel"
ALLOWED_LATIN = {"SHA", "CNY", "KRW", "TL"}


def english_leftovers(text: str, names: tuple[str, ...]) -> list[str]:
    """Latin words in a PDF's text other than the parties' English names, currency codes,
    contract numbers and hex hashes."""
    for name in names:
        text = text.replace(name, "")
    words = re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
    return [
        word
        for word in words
        if word not in ALLOWED_LATIN and not re.fullmatch(r"[0-9a-f]{2,}", word)
    ]


async def _address(partner: Org, **parts: Any) -> None:
    await Address.insert(Address(organisation=partner.id, kind="office", **parts)).run()


async def _draft(cast: Cast, partner: Org, language: str) -> dict[str, Any]:
    template = await make_template(cast.admin, body=BODY, language=language, name=language)
    created = await drafting.create_contract(await viewer(cast.admin), partner.uuid, template)
    assert created.uuid is not None, created.errors
    return await contract_row(created.uuid)


async def _issued_pdf(cast: Cast, contract: dict[str, Any]) -> bytes:
    version = await issue(cast.admin, contract)
    return documents.read_pdf(version.pdf_path)


async def test_a_chinese_partner_gets_a_chinese_contract_with_its_terms_and_no_english(
    cast: Cast, frozen_clock: Any, app: Any
) -> None:
    """``app``: the plugins fill the registry (the credit limit comes from distributors)."""
    frozen_clock.frozen_at = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    partner = cast.distributor_a
    await _address(
        partner, country="CN", region="上海市", city="上海市", district="静安区",
        street="南京西路1266号", postal_code="200040",
    )  # fmt: skip
    await Territory.insert(
        Territory(organisation=partner.id, region_code="CN-SH"),
        Territory(organisation=partner.id, region_code="CN-JS"),
    ).run()
    await PartnerCredit.insert(
        PartnerCredit(
            organisation=partner.id,
            credit_limit=Decimal("800000.00"),
            updated_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
    ).run()
    # Templates in three languages: the Chinese one comes first for this partner.
    await make_template(cast.admin, body=BODY, language="en", name="English")
    contract = await _draft(cast, partner, "zh_Hans")
    choices = await drafting.new_contract_choices(await viewer(cast.admin), partner.uuid)
    assert choices["templates"][0]["language"] == "zh_Hans"

    # Filled from the partner record, as the page promises: the credit limit too.
    terms = contract["terms"]
    assert Decimal(terms["credit_limit"]) == Decimal("800000")
    assert terms["tier"] == "gold" and terms["territory"] == "CN-SH, CN-JS"
    assert contract["title"] == "经销合同 · 上海锦程贸易有限公司"

    text = pdf_text(await _issued_pdf(cast, contract))
    assert "黄金|30%定金，发货前付清70%余款（电汇）|上海市, 江苏省" in text
    assert "2027年1月1日 – 2027年12月31日 · 否 · CNY 800,000.00" in text
    assert "2026年12月6日" in text
    assert "上海市静安区南京西路1266号" in text and "上海市上海市" not in text
    assert english_leftovers(text, ("Shanghai Jincheng Trading", BRAND_ENGLISH_NAME)) == []


async def test_a_korean_partner_gets_a_korean_contract_with_its_address_once(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    partner = cast.distributor_b
    await _address(
        partner, country="KR", region="서울특별시", city="서울특별시", district="강남구",
        street="테헤란로 152", postal_code="06236",
    )  # fmt: skip
    await Territory.insert(Territory(organisation=partner.id, region_code="KR-11")).run()
    await make_template(cast.admin, body=BODY, language="bilingual_ko", name="bilingual")
    contract = await _draft(cast, partner, "ko")
    choices = await drafting.new_contract_choices(await viewer(cast.admin), partner.uuid)
    assert [row["language"] for row in choices["templates"]][:2] == ["ko", "bilingual_ko"]

    text = pdf_text(await _issued_pdf(cast, contract))
    assert "(06236) 서울특별시 강남구 테헤란로 152" in text
    assert "서울특별시 서울특별시" not in text
    assert "실버|월말 마감 후 30일 이내 지급|서울특별시" in text
    assert "2027년 1월 1일" in text and "2026년 12월 6일" in text
    assert english_leftovers(text, ("Seoul Fashion Distribution", BRAND_ENGLISH_NAME)) == []


def test_addresses_are_composed_as_each_country_writes_them() -> None:
    assert (
        compose_address(
            {
                "country": "CN",
                "region": "北京市",
                "city": "北京市",
                "district": "朝阳区",
                "street": "建国路88号",
                "postal_code": "100022",
            }
        )
        == "北京市朝阳区建国路88号"
    )
    assert (
        compose_address(
            {
                "country": "DE",
                "region": "Bayern",
                "city": "München",
                "district": "",
                "street": "Leopoldstraße 1",
                "postal_code": "80802",
            }
        )
        == "Leopoldstraße 1, München, Bayern, 80802"
    )


async def test_the_contract_list_offers_a_new_contract(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.kam)
    listing = await client.get("/contracts?lang=en")
    assert 'href="/contracts/new"' in listing.text
    chooser = await client.get("/contracts/new?lang=en")
    assert chooser.status_code == 200
    # The KAM's own partners, not another KAM's.
    assert str(cast.distributor_a.uuid) in chooser.text
    assert str(cast.distributor_b.uuid) not in chooser.text
    await client.sign_in(cast.distributor)
    assert (await client.get("/contracts/new")).status_code == 403


async def test_a_city_territory_is_printed_with_its_province_in_each_language(
    cast: Cast, frozen_clock: Any
) -> None:
    """A city's code (CN-ZJ-HZ) is printed as the document's language writes the place,
    never as a province's name with the city's code left over ("浙江省-HZ")."""
    frozen_clock.frozen_at = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    partner = cast.distributor_a
    await Territory.insert(
        Territory(organisation=partner.id, region_code="CN-SH"),
        Territory(organisation=partner.id, region_code="CN-ZJ-HZ"),
    ).run()
    printed = {}
    for language in ("zh_Hans", "ko", "en"):
        contract = await _draft(cast, partner, language)
        assert contract["terms"]["territory"] == "CN-SH, CN-ZJ-HZ"
        printed[language] = pdf_text(await _issued_pdf(cast, contract))
    assert "|上海市, 浙江省杭州市" in printed["zh_Hans"]
    assert "|상하이시, 저장성 항저우시" in printed["ko"]
    # English names a city "City, Province": the regions are then set apart by semicolons.
    assert "|Shanghai; Hangzhou, Zhejiang" in printed["en"]
    for text in printed.values():
        assert "-HZ" not in text and "CN-" not in text
