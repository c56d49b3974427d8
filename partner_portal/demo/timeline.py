"""The text of demo timeline entries, in the partner's language and trade."""

from __future__ import annotations

import random

from partner_portal.demo.network import job_family
from partner_portal.partners.tables import (
    InteractionKind,
)

TIMELINE_DAYS = 120

# --------------------------------------------------------------------------- timeline

SKUS = ("JX26S-1032", "JX26S-2107", "JX26S-3318", "JX25W-4410", "JX25W-5126", "JX26S-6021")
CN_SIZES = ("165/84A", "170/88A", "175/92A", "180/96B", "160/84A", "170/74A")
KR_SIZES = ("90", "95", "100", "105", "110")
FABRICS = ("32s全棉府绸", "T/R弹力斜纹", "40s天丝混纺", "针织珠地网眼 220g/m²")
KR_FABRICS = ("나일론 타슬란", "폴리 스판 트윌", "기능성 쿨맥스 원단")

TEMPLATES: dict[tuple[str, str], dict[InteractionKind, tuple[str, ...]]] = {
    ("zh", "trade"): {
        InteractionKind.call: (
            "电话沟通订货会安排，对方确认{n}人参加。",
            "电话跟进补货单发货进度，{contact}反馈{sku}断码，需要补{size}。",
            "与{contact}电话确认本季度回款计划，预计月底前付清。",
            "对方来电询问秋冬新款的到货时间。",
        ),
        InteractionKind.visit: (
            "拜访门店，检查陈列和库存；{sku}卖得好，建议追加{n}件。",
            "到访仓库，盘点库存并讨论季末清货方案。",
            "陪同{contact}巡店三家，新陈列效果不错。",
        ),
        InteractionKind.meeting: (
            "季度业务回顾：年度订货指标完成{pct}%。",
            "订货会预订确认：确认第一波交期和配比1-2-2-1。",
            "讨论明年返利政策和等级评定。",
        ),
        InteractionKind.email: (
            "发送新品画册和批发价目表（含税价）。",
            "邮件确认订单 SO-{order} 的交货窗口。",
            "发送上月对账单，请对方核对。",
        ),
        InteractionKind.complaint: (
            "客户投诉：{sku} {size} 偏小，退回{n}件。",
            "投诉：上批货物晚到{days}天，影响门店上新。",
        ),
        InteractionKind.note: (
            "对方采购负责人更换，新联系人为{contact}。",
            "对方希望把信用额度提高到{amount}元，需财务审批。",
            "门店客流下降，{contact}建议多做小批量快反。",
        ),
    },
    ("zh", "supplier"): {
        InteractionKind.call: (
            "与跟单确认{fabric}坯布排产，预计{weeks}周后染色。",
            "电话催{fabric}交期，对方承诺本周发第一批。",
        ),
        InteractionKind.visit: (
            "到工厂验布：{fabric}色差在允许范围内，同意放行。",
            "走访工厂，查看新到的剑杆织机和染缸产能。",
        ),
        InteractionKind.meeting: (
            "季度供应商评审：准时交货率{pct}%，一次合格率良好。",
            "讨论下季度面料预测和锁价。",
        ),
        InteractionKind.email: (
            "发送下季度面料需求预测（不含客户信息）。",
            "邮件确认采购单 PO-{order} 的数量和缸号要求：同一订单同一缸。",
        ),
        InteractionKind.complaint: ("{fabric}第{lot}缸色差超标，要求回修。",),
        InteractionKind.note: ("对方报价上调{pct_small}%，理由是棉价上涨。",),
    },
    ("zh", "group"): {
        InteractionKind.call: (
            "与{contact}电话确认员工人数约{n}人，需要男女款。",
            "电话确认预算和发放时间。",
        ),
        InteractionKind.visit: ("上门量体，完成{n}人，剩余人员下周补量。",),
        InteractionKind.meeting: (
            "与行政部确认制服款式和面料小样。",
            "年度换装项目启动会。",
        ),
        InteractionKind.email: ("发送员工尺码收集表模板和尺码对照表（号型）。",),
        InteractionKind.complaint: ("{n}名员工反映衬衫领口偏紧，安排换货。",),
        InteractionKind.note: ("对方要求按部门分箱包装并附装箱单。",),
    },
    ("ko", "trade"): {
        InteractionKind.call: (
            "{contact}님과 통화: 신상품 수주회 일정 확인.",
            "재입고 요청 - {sku} {size} 사이즈 품절.",
            "월말 결제 일정 확인 전화.",
        ),
        InteractionKind.visit: (
            "매장 방문, 진열 상태와 재고 점검. {sku} 판매 호조.",
            "창고 방문: 시즌 말 재고 처리 방안 논의.",
        ),
        InteractionKind.meeting: (
            "분기 실적 리뷰: 연간 목표 대비 {pct}% 달성.",
            "다음 시즌 프리오더 수량과 배송 차수 협의.",
        ),
        InteractionKind.email: (
            "신상품 라인시트와 도매 가격표(부가세 별도) 발송.",
            "주문 SO-{order} 출고 일정 안내 메일 발송.",
        ),
        InteractionKind.complaint: (
            "고객 불만: {sku} 봉제 불량 {n}건, 교환 요청.",
            "배송 지연 {days}일, 매장 오픈 일정 차질.",
        ),
        InteractionKind.note: (
            "담당자 변경: 신규 구매 담당 {contact}.",
            "여신 한도 {amount_krw}원 증액 요청, 재무팀 검토 필요.",
        ),
    },
    ("ko", "supplier"): {
        InteractionKind.call: ("{fabric} 생산 일정 확인, {weeks}주 후 염색 예정.",),
        InteractionKind.visit: ("공장 방문: {fabric} 샘플 야드지 확인, 촉감 양호.",),
        InteractionKind.meeting: ("분기 공급사 평가: 납기 준수율 {pct}%.",),
        InteractionKind.email: ("다음 시즌 원단 수요 예측 발송.",),
        InteractionKind.complaint: ("{fabric} {lot}번 로트 색상 편차 초과, 재작업 요청.",),
        InteractionKind.note: ("단가 {pct_small}% 인상 통보.",),
    },
    ("ko", "group"): {
        InteractionKind.call: ("{contact}님과 통화: 유니폼 교체 인원 약 {n}명.",),
        InteractionKind.visit: ("본사 방문, 승무원 유니폼 샘플 착용 테스트.",),
        InteractionKind.meeting: ("입찰 사양 설명회 참석, 원단과 색상 요구사항 확인.",),
        InteractionKind.email: ("사이즈 수집 양식과 KS 치수표 발송.",),
        InteractionKind.complaint: ("샘플 재킷 어깨 폭 불만, 수정 요청.",),
        InteractionKind.note: ("예산 승인은 다음 분기 이사회 이후.",),
    },
    ("en", "any"): {
        InteractionKind.call: ("Call with {contact} about the next ordering fair; they will bring {n} people.",),
        InteractionKind.visit: ("Visited the showroom with {contact}; new fixtures are in.",),
        InteractionKind.meeting: (
            "Quarterly business review; agreed to trial the 1-2-2-1 prepack for the next drop.",
            "Reviewed sell-through by size; {size} sells out first.",
        ),
        InteractionKind.email: (
            "Sent the season line sheet and the wholesale price list.",
            "Asked to move payment terms from 30/70 T/T to monthly statement, net 30.",
        ),
        InteractionKind.complaint: ("Complaint: {n} pieces of {sku} arrived with wrong care labels.",),
        InteractionKind.note: ("Prefers WeChat/KakaoTalk over e-mail; reply within the day.",),
    },
}  # fmt: skip

KIND_WEIGHTS = (
    (InteractionKind.call, 30),
    (InteractionKind.visit, 15),
    (InteractionKind.meeting, 12),
    (InteractionKind.email, 22),
    (InteractionKind.complaint, 5),
    (InteractionKind.note, 16),
)
_KINDS = tuple(kind for kind, _ in KIND_WEIGHTS)
_WEIGHTS = tuple(weight for _, weight in KIND_WEIGHTS)


def timeline_text(
    rng: random.Random,
    kind: InteractionKind,
    country: str,
    org_kind: str,
    contact: str,
    year: int = 2025,
) -> str:
    """One summary line in the partner's language (now and then in English)."""
    family = {"supplier": "supplier", "group_client": "group"}.get(job_family(org_kind), "trade")
    language = "ko" if country == "KR" else "zh"
    if rng.random() < 0.12:
        language, family = "en", "any"
    template = rng.choice(TEMPLATES[(language, family)][kind])
    return template.format(
        n=rng.randint(3, 60),
        pct=rng.randint(62, 118),
        pct_small=rng.randint(3, 9),
        days=rng.randint(3, 12),
        weeks=rng.randint(2, 5),
        lot=rng.randint(1, 9),
        order=f"{year}-{rng.randint(100, 999):04d}",
        amount=f"{rng.randint(5, 40) * 100_000:,}",
        amount_krw=f"{rng.randint(5, 40) * 10_000_000:,}",
        sku=rng.choice(SKUS),
        size=rng.choice(KR_SIZES if country == "KR" else CN_SIZES),
        fabric=rng.choice(KR_FABRICS if country == "KR" and language == "ko" else FABRICS),
        contact=contact,
    )


def timeline_kind(rng: random.Random) -> InteractionKind:
    return rng.choices(_KINDS, _WEIGHTS)[0]


def is_internal(rng: random.Random, kind: InteractionKind) -> bool:
    """Mostly the brand's own notes; some e-mails and meetings are shared with the partner."""
    shared_chance = {InteractionKind.email: 0.45, InteractionKind.meeting: 0.3}.get(kind, 0.08)
    return rng.random() >= shared_chance
