"""Demo contracts: templates in English, 简体中文, 한국어 and bilingual, a clause library,
and contracts for the demo partners in every state of the lifecycle.

Everything goes through the real services (issuing renders and stores real PDFs; the
partners' demo admins accept and the brand's admin countersigns), so the demo shows
exactly what users get.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from uuid import UUID

from contracts import acceptance, drafting, library, lifecycle
from contracts.access import VisibleContract, get_contract
from contracts.records import VersionRecord
from contracts.tables import SignatureSide
from partner_portal.access import Viewer
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.demo.network import BRAND, BRAND_USERS, DISTRIBUTORS, GROUP_CLIENTS, SUPPLIERS
from partner_portal.partners.tables import Organisation, User

CLAUSES: dict[str, tuple[str, str]] = {
    "confidentiality_en": (
        "Confidentiality",
        "<p>Each party keeps confidential the other's prices, order volumes, designs and "
        "customer information, during this agreement and for three years after it ends.</p>",
    ),
    "confidentiality_zh": (
        "保密条款",
        "<p>双方对在合作中获知的对方价格、订货量、设计及客户信息负有保密义务，"
        "保密期限为本合同有效期内及终止后三年。</p>",
    ),
    "confidentiality_ko": (
        "비밀유지",
        "<p>양 당사자는 상대방의 가격, 주문 수량, 디자인 및 고객 정보를 본 계약 기간 및 "
        "종료 후 3년간 비밀로 유지한다.</p>",
    ),
    "governing_law_en": (
        "Governing law",
        "<p>This agreement is governed by the laws of the People's Republic of China. "
        "Disputes go to the Hangzhou Arbitration Commission.</p>",
    ),
    "governing_law_zh": (
        "适用法律与争议解决",
        "<p>本合同适用中华人民共和国法律。因本合同产生的争议，提交杭州仲裁委员会仲裁。</p>",
    ),
    "governing_law_ko": (
        "준거법 및 분쟁 해결",
        "<p>본 계약은 중화인민공화국 법률에 따르며, 분쟁은 항저우 중재위원회의 중재로 해결한다.</p>",
    ),
}

_DISTRIBUTION_EN = """<h2>1. Appointment</h2>
<p>{{ brand.english_name or brand.legal_name }} appoints {{ partner.legal_name }}
({{ partner.english_name }}) as its {{ terms.tier }} distributor in {{ terms.territory }}.</p>
<h2>2. Term</h2>
<p>From {{ terms.start_date }} to {{ terms.end_date }}.
{% if terms.auto_renewal == "yes" %}The agreement renews for the same term unless either party
gives {{ terms.notice_days }} days' notice.{% else %}Either party gives
{{ terms.notice_days }} days' notice of its intention to renew.{% endif %}</p>
<h2>3. Prices and payment</h2>
<p>Wholesale prices are the brand's price list less {{ terms.discount_percent or "0" }}%.
Payment terms: {{ terms.payment_terms }}. Credit limit: {{ terms.credit_limit or "none" }}.</p>
<h2>4. Minimum purchase</h2>
<p>The distributor orders at least {{ terms.minimum_purchase or "the agreed target" }} per
contract year, booked at the seasonal ordering fairs and by replenishment orders.</p>
<h2>5. Confidentiality</h2>
{{ clause("confidentiality_en") }}
<h2>6. Governing law</h2>
{{ clause("governing_law_en") }}
"""

_DISTRIBUTION_ZH = """<h2>第一条 授权</h2>
<p>{{ brand.legal_name }}（甲方）授权{{ partner.legal_name }}（乙方）为其在{{ terms.territory }}
区域的{{ terms.tier }}级经销商。</p>
<h2>第二条 合同期限</h2>
<p>自{{ terms.start_date }}起至{{ terms.end_date }}止。
{% if terms.auto_renewal == "yes" %}期满前{{ terms.notice_days }}日任何一方未书面提出异议的，本合同自动续期。
{% else %}如需续约，任何一方应于期满前{{ terms.notice_days }}日书面通知对方。{% endif %}</p>
<h2>第三条 价格与结算</h2>
<p>批发价按甲方价目表{{ terms.discount_percent or "0" }}%折扣执行（含税）。结算方式：{{ terms.payment_terms }}。
信用额度：{{ terms.credit_limit or "无" }}。</p>
<h2>第四条 年度订货指标</h2>
<p>乙方每个合同年度订货额不低于{{ terms.minimum_purchase or "双方约定的指标" }}，
通过订货会预订及补货订单完成。</p>
<h2>第五条 保密</h2>
{{ clause("confidentiality_zh") }}
<h2>第六条 适用法律</h2>
{{ clause("governing_law_zh") }}
"""

_DISTRIBUTION_KO = """<h2>제1조 지정</h2>
<p>{{ brand.legal_name }}("갑")은 {{ partner.legal_name }}("을")을 {{ terms.territory }} 지역의
{{ terms.tier }} 등급 유통사로 지정한다.</p>
<h2>제2조 계약 기간</h2>
<p>{{ terms.start_date }}부터 {{ terms.end_date }}까지로 한다.
{% if terms.auto_renewal == "yes" %}만료 {{ terms.notice_days }}일 전까지 서면 이의가 없으면 동일 조건으로 자동 갱신된다.
{% else %}갱신을 원하는 당사자는 만료 {{ terms.notice_days }}일 전까지 서면으로 통지한다.{% endif %}</p>
<h2>제3조 가격 및 결제</h2>
<p>도매가는 갑의 가격표에서 {{ terms.discount_percent or "0" }}% 할인한 금액(부가세 별도)으로 한다.
결제 조건: {{ terms.payment_terms }}. 여신 한도: {{ terms.credit_limit or "없음" }}.</p>
<h2>제4조 최소 구매</h2>
<p>을은 계약 연도마다 {{ terms.minimum_purchase or "합의된 목표" }} 이상을 주문한다.</p>
<h2>제5조 비밀유지</h2>
{{ clause("confidentiality_ko") }}
<h2>제6조 준거법</h2>
{{ clause("governing_law_ko") }}
"""


def _bilingual(english: str, other: str, lang: str) -> str:
    """Two texts side by side, section by section (split on their <h2> headings)."""
    left = english.split("<h2>")[1:]
    right = other.split("<h2>")[1:]
    return "\n".join(
        f'<div class="bilingual"><div lang="en"><h2>{a}</div><div lang="{lang}"><h2>{b}</div></div>'
        for a, b in zip(left, right, strict=True)
    )


_SUPPLY_ZH = """<h2>第一条 供应范围</h2>
<p>{{ partner.legal_name }}（供方）向{{ brand.legal_name }}（需方）供应以下面料：</p>
<p>{{ terms.materials | nl2br }}</p>
<h2>第二条 交期</h2>
<p>需方确认订单后{{ terms.lead_time_days }}日内交货；同一订单的面料应出自同一缸号。</p>
<h2>第三条 质量</h2>
<p>{{ terms.quality_terms }}。不合格品由供方负责退换。</p>
<h2>第四条 付款</h2>
<p>{{ terms.payment_terms }}，币种 {{ terms.currency }}。合同期限：{{ terms.start_date }}至{{ terms.end_date }}。</p>
<h2>第五条 保密</h2>
{{ clause("confidentiality_zh") }}
"""

_GROUP_ZH = """<h2>第一条 采购内容</h2>
<p>{{ partner.legal_name }}（采购方）向{{ brand.legal_name }}采购员工工装：</p>
<p>{{ terms.items | nl2br }}</p>
<h2>第二条 额度与交付</h2>
<p>每位员工额度 {{ terms.allowance or "按清单" }}。交付方式：{{ terms.delivery_terms }}。</p>
<h2>第三条 付款</h2>
<p>{{ terms.payment_terms }}。有效期：{{ terms.start_date }}至{{ terms.end_date }}。</p>
<h2>第四条 适用法律</h2>
{{ clause("governing_law_zh") }}
"""

_NDA_EN = """<h2>1. Purpose</h2>
<p>{{ brand.english_name or brand.legal_name }} and {{ partner.english_name or partner.legal_name }}
exchange information to evaluate a business relationship.</p>
<h2>2. Confidentiality</h2>
{{ clause("confidentiality_en") }}
<p>These obligations last {{ terms.confidentiality_years }} years from {{ terms.start_date }}.</p>
<h2>3. Governing law</h2>
{{ clause("governing_law_en") }}
"""

TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    ("Distribution agreement", "distribution", "en", _DISTRIBUTION_EN),
    ("经销合同", "distribution", "zh_Hans", _DISTRIBUTION_ZH),
    ("유통 계약서", "distribution", "ko", _DISTRIBUTION_KO),
    (
        "Distribution agreement · 经销合同",
        "distribution",
        "bilingual_zh",
        _bilingual(_DISTRIBUTION_EN, _DISTRIBUTION_ZH, "zh-Hans"),
    ),
    (
        "Distribution agreement · 유통 계약서",
        "distribution",
        "bilingual_ko",
        _bilingual(_DISTRIBUTION_EN, _DISTRIBUTION_KO, "ko"),
    ),
    ("面料供应协议", "supply", "zh_Hans", _SUPPLY_ZH),
    ("团体服装采购协议", "group_purchase", "zh_Hans", _GROUP_ZH),
    ("Mutual non-disclosure agreement", "nda", "en", _NDA_EN),
)


async def _viewer(email: str) -> Viewer:
    row = await User.select(User.id).where(User.email == email).first()
    if row is None:
        raise LookupError(email)
    return await viewer_for_user_id(row["id"], "127.0.0.1")


def _partner_email(key: str) -> str:
    partner = next(p for p in (*DISTRIBUTORS, *SUPPLIERS) if p.key == key)
    return f"{partner.login}@{partner.domain}"


async def _organisation_uuid(key: str) -> UUID:
    partner = next(p for p in (*DISTRIBUTORS, *SUPPLIERS, *GROUP_CLIENTS) if p.key == key)
    row = (
        await Organisation.select(Organisation.uuid)
        .where(Organisation.legal_name == partner.legal_name)
        .first()
    )
    if row is None:
        raise LookupError(key)
    return UUID(str(row["uuid"]))


class _Demo:
    def __init__(self, admin: Viewer, templates: dict[str, UUID], today: date) -> None:
        self.admin = admin
        self.templates = templates
        self.today = today
        self.count = 0
        # Each contract's newest issued version, which its signatures name.
        self.versions: dict[UUID, VersionRecord] = {}

    async def contract(self, uuid: UUID) -> VisibleContract:
        """A contract as the pages hand it to the services: fetched for the brand's admin."""
        return await get_contract(self.admin, uuid)

    async def draft(
        self, partner_key: str, template: str, start: date, months: int, **terms: str
    ) -> VisibleContract:
        result = await drafting.create_contract(
            self.admin, await _organisation_uuid(partner_key), self.templates[template]
        )
        assert result.uuid is not None, result.errors
        contract = await self.contract(result.uuid)
        end = date(
            start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1
        )
        values = {
            "title": contract.title,
            "version": str(contract.version),
            **contract.terms,
            "start_date": start.isoformat(),
            "end_date": (end - timedelta(days=1)).isoformat(),
            **terms,
        }
        saved = await drafting.update_contract(self.admin, contract, values)
        assert saved.saved, saved.errors
        self.count += 1
        return await self.contract(result.uuid)

    async def issue(self, contract: VisibleContract) -> VisibleContract:
        self.versions[contract.uuid] = await drafting.issue_contract(self.admin, contract)
        return await self.contract(contract.uuid)

    async def sign(
        self, contract: VisibleContract, signer: Viewer, side: SignatureSide
    ) -> VisibleContract:
        version = self.versions[contract.uuid]
        title = {"ko": "대표이사", "zh_Hans": "总经理"}.get(signer.locale, "Managing Director")
        names = (signer.display_name, title)
        result = await acceptance.sign(
            signer,
            contract,
            {
                "version": str(version.uuid),
                "pdf_sha256": version.pdf_sha256,
                "signer_name": names[0],
                "signer_title": names[1],
                "confirm": "yes",
            },
            acceptance.Client("127.0.0.1", "Threadline demo data"),
            side,
        )
        assert result.saved, result.errors
        return await self.contract(contract.uuid)

    async def signed(self, contract: VisibleContract, partner: Viewer) -> VisibleContract:
        issued = await self.issue(contract)
        accepted = await self.sign(issued, partner, SignatureSide.partner)
        return await self.sign(accepted, self.admin, SignatureSide.brand)


async def load(rng: random.Random, now: datetime) -> str:
    """Templates, clauses and contracts in every state for the demo partners."""
    admin = await _viewer(f"{BRAND_USERS[0][1]}@{BRAND.domain}")
    templates = await _library(admin)
    today = now.date()
    month = date(today.year, today.month, 1)
    demo = _Demo(admin, templates, today)
    partner = {key: await _viewer(_partner_email(key)) for key in (
        "dist_shanghai", "dist_beijing", "dist_guangzhou", "dist_chengdu", "dist_seoul",
        "dist_busan", "mill_shaoxing", "mill_daegu",
    )}  # fmt: skip
    await _distribution_contracts(demo, partner, month)
    await _supply_and_other_contracts(demo, partner, month)
    await lifecycle.run_lifecycle(today)
    return f"{len(TEMPLATES)} contract templates, {demo.count + 2} contracts"


async def _library(admin: Viewer) -> dict[str, UUID]:
    """The clauses and templates; the templates' ids by language (distribution agreements)
    or by kind."""
    for key, (title, body) in CLAUSES.items():
        result = await library.save_clause(admin, None, {"key": key, "title": title, "body": body})
        assert result.saved, result.errors
    templates: dict[str, UUID] = {}
    for name, kind, language, body in TEMPLATES:
        result = await library.save_template(
            admin,
            None,
            {"name": name, "kind": kind, "language": language, "body": body, "is_active": "on"},
        )
        assert result.uuid is not None, (name, result.errors)
        templates[language if kind == "distribution" else kind] = result.uuid
    return templates


async def _distribution_contracts(demo: _Demo, partner: dict[str, Viewer], month: date) -> None:
    """The distributors' agreements, one in each state a distributor's can be in."""
    admin = demo.admin
    distribution = {
        "credit_limit": "800000",
        "discount_percent": "40",
        "minimum_purchase": "28000000",
    }
    # Shanghai: in its notice period, with the renewal issued and waiting for the partner.
    shanghai = await demo.draft(
        "dist_shanghai", "bilingual_zh", month.replace(year=month.year - 1), 13, **distribution
    )
    shanghai = await demo.signed(shanghai, partner["dist_shanghai"])
    await lifecycle.run_lifecycle(demo.today)
    renewal = await acceptance.renew(admin, await demo.contract(shanghai.uuid))
    assert renewal.uuid is not None, renewal.errors
    await demo.issue(await demo.contract(renewal.uuid))
    # Beijing: active; Guangzhou: issued; Chengdu: accepted, waiting for the countersignature.
    beijing = await demo.draft("dist_beijing", "zh_Hans", month, 12, credit_limit="500000")
    await demo.signed(beijing, partner["dist_beijing"])
    await demo.issue(await demo.draft("dist_guangzhou", "zh_Hans", month, 12, **distribution))
    chengdu = await demo.issue(await demo.draft("dist_chengdu", "zh_Hans", month, 12))
    await demo.sign(chengdu, partner["dist_chengdu"], SignatureSide.partner)
    # Seoul: issued in English and Korean side by side, for the demo login to accept.
    await demo.issue(
        await demo.draft(
            "dist_seoul", "bilingual_ko", month, 12, currency="KRW", credit_limit="150000000"
        )
    )
    # Busan: last year's contract renewed by this year's, which is active.
    busan = await demo.draft(
        "dist_busan", "ko", month.replace(year=month.year - 1), 12, currency="KRW"
    )
    busan = await demo.signed(busan, partner["dist_busan"])
    busan_renewal = await acceptance.renew(admin, busan)
    assert busan_renewal.uuid is not None, busan_renewal.errors
    await demo.signed(await demo.contract(busan_renewal.uuid), partner["dist_busan"])


async def _supply_and_other_contracts(demo: _Demo, partner: dict[str, Viewer], month: date) -> None:
    """Supply agreements and NDAs in their states, a declined and a terminated one,
    drafts, and a corporate client's uniform order being prepared."""
    # Suppliers: an active supply agreement; an NDA signed that starts next month.
    supply = await demo.draft(
        "mill_shaoxing",
        "supply",
        month,
        12,
        materials="全棉府绸 40s×40s 133×72，幅宽145 cm\nT/R弹力斜纹 300 g/m²",
    )
    await demo.signed(supply, partner["mill_shaoxing"])
    next_month = (month + timedelta(days=32)).replace(day=1)
    nda = await demo.draft("mill_daegu", "nda", next_month, 36, currency="USD")
    await demo.signed(nda, partner["mill_daegu"])
    # An older supply agreement that ran out, one declined and one terminated, and a draft.
    expired = await demo.draft(
        "mill_shaoxing", "supply", month.replace(year=month.year - 2), 12, materials="涤棉平纹"
    )
    await demo.signed(expired, partner["mill_shaoxing"])
    declined = await demo.issue(await demo.draft("dist_beijing", "nda", month, 24))
    declined_result = await acceptance.decline(
        partner["dist_beijing"],
        declined,
        {
            "version": str(demo.versions[declined.uuid].uuid),
            "reason": "保密期限请改为两年。",
        },
        acceptance.Client("127.0.0.1", "Threadline demo data"),
    )
    assert declined_result.saved, declined_result.errors
    terminated = await demo.issue(await demo.draft("dist_guangzhou", "nda", month, 24))
    await acceptance.terminate(
        demo.admin, terminated, {"reason": "Replaced by the distribution agreement."}
    )
    await demo.draft("dist_chengdu", "en", next_month, 12)
    # A corporate client's uniform order being prepared.
    await demo.draft(
        "client_bank",
        "group_purchase",
        next_month,
        12,
        items="男士衬衫 170/88A 等号型，女士衬衫 160/84A 等号型，各含两件",
        allowance="1200",
        delivery_terms="按员工分装，送至各支行",
    )
