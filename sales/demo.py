"""Demo sales data: a pipeline with opportunities in every stage, deal registrations
(one pair in conflict), service cases near and past their SLA with a conversation, a
few answers, and a rebate programme with a year of ledger."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from partner_portal.catalog.tables import Style
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import Organisation, Role, User
from sales import cases, rebates
from sales.forms import customer_key
from sales.tables import (
    CareEvent,
    CaseMessage,
    DealRegistration,
    KnowledgeArticle,
    LedgerEntry,
    Opportunity,
    RebateProgramme,
    RebateTier,
    RegistrationStatus,
    ServiceCase,
    Stage,
)

TITLES = {
    "new_distributor": ["华南区域新分销商", "Busan regional distributor", "西北渠道拓展"],
    "reorder_season": ["AW27 追加订单", "SS28 季度补货", "AW27 reorder, outerwear"],
    "group_tender": ["华东银行 制服招标", "市医院 护士服招标", "Seoul Metro uniform tender"],
    "private_label": ["自有品牌 T恤 开发", "Private label polo for hotel chain"],
}
PROBABILITY = {
    "lead": 10,
    "qualified": 25,
    "proposal": 50,
    "negotiation": 75,
    "won": 100,
    "lost": 0,
}
LOST_REASONS = ["价格高于竞争对手", "交期太长", "Chose a local competitor", "预算取消"]
CUSTOMERS = [
    ("上海第一人民医院", "CN-SH"),
    ("杭州西湖国宾馆", "CN-ZJ"),
    ("南京地铁集团", "CN-JS"),
    ("서울시립병원", "KR-11"),
    ("苏州工业园区管委会", "CN-JS"),
]
ANSWERS = [
    ("zh_Hans", "如何申请退换货", "交货后30天内可在门户中开案例申请退换货，请附上订单号和照片。"),
    ("zh_Hans", "尺码偏小怎么办", "请参考尺码表；如需改码，请开“修改请求”案例，注明款号和数量。"),
    (
        "en",
        "How to return goods",
        "Open a case within 30 days of delivery with the order number and photos.",
    ),
    ("ko", "반품 방법", "배송 후 30일 이내에 주문 번호와 사진을 첨부하여 케이스를 열어 주세요."),
]


async def load(rng: random.Random, now: datetime) -> str:
    kams = await User.select(User.id).where(User.role == Role.kam.value).order_by(User.id)
    admin = await User.select(User.id).where(User.role == Role.brand_admin.value).first()
    partners = (
        await Organisation.select(
            Organisation.id, Organisation.kind, Organisation.owner, Organisation.currency
        )
        .where(Organisation.kind.is_in(["distributor", "retailer", "group_client"]))
        .order_by(Organisation.id)
    )
    if not partners or not kams:
        return "no sales demo data (no partners)"
    partner_users = await User.select(User.id, User.organisation).where(
        User.role.is_in([Role.distributor.value, Role.retailer.value, Role.group_client.value])
    )
    user_of = {row["organisation"]: row["id"] for row in partner_users}
    styles = [row["code"] for row in await Style.select(Style.code).limit(20)]
    opportunities = _opportunities(rng, now, partners, kams)
    await Opportunity.insert(*opportunities).run()
    registrations = _registrations(
        rng, now, partners, user_of, styles, admin["id"] if admin else None
    )
    for registration in registrations:
        if registration is registrations[-1]:
            # The last claim collides with the first (approved) one.
            registration.conflict_with = registrations[0].id
        await registration.save().run()
    case_count = await _cases(rng, now, partners, user_of, kams)
    await KnowledgeArticle.insert(
        *(
            KnowledgeArticle(language=language, title=title, body=body, updated_at=now)
            for language, title, body in ANSWERS
        )
    ).run()
    await CareEvent.insert(
        CareEvent(
            name="售后 90 天回访",
            trigger="after_delivery",
            days=90,
            follow_up_title="检查动销情况，建议补货",
            partner_message_zh="到货已满 90 天：您的客户经理将联系您了解销售情况。",
            partner_message_ko="입고 90일이 지났습니다: 담당 매니저가 판매 현황을 여쭙고자 연락드릴 예정입니다.",
            partner_message_en="90 days since delivery: your account manager will call about sell-through.",
        ),
        CareEvent(
            name="Exchange window reminder",
            trigger="before_window_end",
            days=14,
            follow_up_title="Remind of the return and exchange window",
        ),
    ).run()
    ledger = await _rebates(rng, now, partners, admin["id"] if admin else None)
    return (
        f"{len(opportunities)} opportunities, {len(registrations)} deal registrations, "
        f"{case_count} service cases, {ledger} ledger entries, 2 care events"
    )


def _opportunities(
    rng: random.Random, now: datetime, partners: list[dict], kams: list[dict]
) -> list[Opportunity]:
    rows = []
    for index in range(36):
        stage = list(Stage)[index % len(Stage)]
        kind = rng.choice(list(TITLES))
        partner = partners[index % len(partners)]
        closed = stage in (Stage.won, Stage.lost)
        rows.append(
            Opportunity(
                organisation=partner["id"],
                title=rng.choice(TITLES[kind]),
                kind=kind,
                expected_value=Decimal(rng.randrange(50, 3000) * 1000),
                currency=partner["currency"],
                expected_close_date=(now + timedelta(days=rng.randint(-20, 170))).date(),
                stage=stage.value,
                probability=Decimal(PROBABILITY[stage.value]),
                lost_reason=rng.choice(LOST_REASONS) if stage == Stage.lost else "",
                owner=partner["owner"] or kams[index % len(kams)]["id"],
                competitors=rng.choice(["", "Uniqlo B2B", "本地工厂", "Bosideng"]),
                next_step=rng.choice(["", "寄送样衣", "Send the quotation", "安排工厂参观"]),
                closed_at=now - timedelta(days=rng.randint(1, 200)) if closed else None,
                created_at=now - timedelta(days=rng.randint(10, 300)),
                updated_at=now,
            )
        )
    return rows


def _registrations(
    rng: random.Random,
    now: datetime,
    partners: list[dict],
    user_of: dict[int, int],
    styles: list[str],
    admin_id: int | None,
) -> list[DealRegistration]:
    sellers = [partner for partner in partners if partner["kind"] in ("distributor", "retailer")]
    rows: list[DealRegistration] = []
    for index, (customer, region) in enumerate(CUSTOMERS):
        seller = sellers[index % len(sellers)]
        status = [
            RegistrationStatus.approved,
            RegistrationStatus.pending,
            RegistrationStatus.rejected,
            RegistrationStatus.pending,
            RegistrationStatus.expired,
        ][index]
        created = now - timedelta(days=rng.randint(2, 40))
        decided = status != RegistrationStatus.pending
        rows.append(
            DealRegistration(
                organisation=seller["id"],
                end_customer=customer,
                customer_key=customer_key(customer),
                region=region,
                expected_quantity=rng.randrange(200, 5000),
                expected_value=Decimal(rng.randrange(100, 2000) * 1000),
                currency=seller["currency"],
                styles=" ".join(rng.sample(styles, min(2, len(styles)))),
                status=status.value,
                decision_due_at=created + timedelta(days=5),
                protected_until=(now + timedelta(days=150)).date()
                if status == RegistrationStatus.approved
                else (now - timedelta(days=3)).date()
                if status == RegistrationStatus.expired
                else None,
                decided_by=admin_id if decided else None,
                decided_at=created + timedelta(days=2) if decided else None,
                decision_note="客户已确认" if decided else "",
                submitted_by=user_of.get(seller["id"]),
                created_at=created,
            )
        )
    # A second partner claims the approved customer: the conflict to decide.
    first, rival = rows[0], sellers[1 % len(sellers)]
    rows.append(
        DealRegistration(
            organisation=rival["id"],
            end_customer=first.end_customer + " (总院)",
            customer_key=first.customer_key,
            region=first.region,
            expected_quantity=1200,
            expected_value=Decimal("480000"),
            currency=rival["currency"],
            styles=first.styles,
            status=RegistrationStatus.pending.value,
            conflict_with=None,
            decision_due_at=now + timedelta(days=3),
            submitted_by=user_of.get(rival["id"]),
            created_at=now - timedelta(days=1),
        )
    )
    return rows


async def _cases(
    rng: random.Random,
    now: datetime,
    partners: list[dict],
    user_of: dict[int, int],
    kams: list[dict],
) -> int:
    subjects = [
        ("quality_defect", "urgent", "衬衫领口开线", "收到的200件衬衫中有12件领口开线，照片已附。"),
        (
            "wrong_shipment",
            "high",
            "Wrong colour delivered",
            "We ordered navy and received black for 3 cartons.",
        ),
        ("alteration_request", "normal", "裤长改短 3cm", "员工制服裤长需统一改短3厘米。"),
        ("question", "low", "AW27 交期确认", "请确认AW27第二批的出货日期。"),
        ("complaint", "high", "물류 지연", "배송이 일주일 늦었습니다."),
        ("quality_defect", "normal", "羽绒服钻绒", "部分羽绒服有钻绒现象。"),
    ]
    count = 0
    for index, (kind, priority, subject, body) in enumerate(subjects):
        partner = partners[index % len(partners)]
        # Opened at different ages: some within their SLA, one near it, some past it.
        opened = now - timedelta(hours=[1, 30, 6, 200, 70, 3][index])
        first_due, resolution_due = cases.sla_deadlines(opened, priority)
        # Whatever the weekday the demo is loaded on: one case past its SLA, one about
        # to breach it (the escalation job picks both up).
        if index == 4:
            resolution_due = now - timedelta(hours=5)
        elif index == 1:
            resolution_due = now + timedelta(hours=1)
        status = ["new", "in_progress", "waiting_on_partner", "resolved", "in_progress", "new"][
            index
        ]
        case = ServiceCase(
            organisation=partner["id"],
            subject=subject,
            kind=kind,
            priority=priority,
            status=status,
            opened_by=user_of.get(partner["id"]),
            assignee=partner["owner"] or kams[0]["id"],
            first_response_due_at=first_due,
            resolution_due_at=resolution_due,
            first_responded_at=opened + timedelta(hours=1) if status != "new" else None,
            resolved_at=opened + timedelta(hours=40) if status == "resolved" else None,
            created_at=opened,
            updated_at=opened,
        )
        await case.save().run()
        messages = [
            CaseMessage(
                case=case.id, author=user_of.get(partner["id"]), body=body, created_at=opened
            )
        ]
        if status != "new":
            messages.append(
                CaseMessage(
                    case=case.id,
                    author=partner["owner"] or kams[0]["id"],
                    body="已收到，我们正在与工厂核实。",
                    created_at=opened + timedelta(hours=1),
                )
            )
            messages.append(
                CaseMessage(
                    case=case.id,
                    author=partner["owner"] or kams[0]["id"],
                    body="内部：工厂批次 B-2207，需质检部门复核。",
                    internal=True,
                    created_at=opened + timedelta(hours=2),
                )
            )
        await CaseMessage.insert(*messages).run()
        count += 1
    return count


async def _rebates(
    rng: random.Random, now: datetime, partners: list[dict], admin_id: int | None
) -> int:
    today = now.date()
    programme = RebateProgramme(
        name="渠道返利计划 2026",
        starts_on=date(today.year - 1, today.month, 1),
        ends_on=date(today.year, 12, 31),
        currency="CNY",
        points_per_hundred=Decimal("1"),
        points_expiry_days=365,
    )
    await programme.save().run()
    await RebateTier.insert(
        RebateTier(programme=programme.id, threshold=Decimal("1000000"), percent=Decimal("2")),
        RebateTier(programme=programme.id, threshold=Decimal("2000000"), percent=Decimal("3")),
    ).run()
    entries = []
    cny_partners = [partner for partner in partners if partner["currency"] == "CNY"][:4]
    for partner in cny_partners:
        for month in range(12):
            moment = now - timedelta(days=30 * (12 - month))
            entries.append(
                LedgerEntry(
                    organisation=partner["id"],
                    programme=programme.id,
                    kind="bonus",
                    points=Decimal(rng.randrange(200, 1500)),
                    note=f"{moment:%Y-%m} 新品推广活动奖励",
                    expires_on=moment.date() + timedelta(days=365),
                    created_by=admin_id,
                    source_key=f"demo:bonus:{partner['id']}:{month}",
                    occurred_at=moment,
                )
            )
        entries.append(
            LedgerEntry(
                organisation=partner["id"],
                programme=programme.id,
                kind="redeemed_marketing",
                points=Decimal("-1500"),
                note="门店橱窗陈列支持",
                created_by=admin_id,
                source_key=f"demo:redeem:{partner['id']}",
                occurred_at=now - timedelta(days=45),
            )
        )
    await LedgerEntry.insert(*entries).run()
    # Points on the demo order book's delivered orders, as the scheduled job books them.
    delivered = await Order.count().where(Order.status == OrderStatus.delivered.value)
    earned = await rebates.run_rebates() if delivered else ""
    return len(entries) + (int(earned.split()[0]) if earned else 0)
