"""Demo campaigns: the bank's open campaign with part of its roster answered (and a limit
on pieces per category), and the airline's closed campaign that became an order (runs
inside the demo's transaction)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from group_orders import approvals, campaigns, choices, links, offer, rosters, sizing
from group_orders.records import CampaignRecord
from group_orders.tables import (
    Campaign,
    CampaignItem,
    CampaignStatus,
    CategoryAllotment,
    Choice,
    DeliveryMode,
    Employee,
    EntitlementKind,
)
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog import size_charts
from partner_portal.catalog.tables import Colourway, Fit, Size, Style, StyleStatus
from partner_portal.partners.tables import Organisation, User

BANK_PEOPLE = (
    ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"),
    ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "杰", "军"),
    ("零售银行部", "对公业务部", "运营管理部", "个人金融部"),
    ("上海陆家嘴", "上海静安", "杭州西湖"),
)
AIRLINE_PEOPLE = (
    ("김", "이", "박", "최", "정", "강", "조", "윤"),
    ("민준", "서연", "지호", "하은", "도윤", "수아", "예준", "지우"),
    ("객실승무팀", "지상조업팀", "운송서비스팀"),
    ("김포", "인천"),
)


async def _uniform_items(rng: random.Random) -> list[dict[str, Any]]:
    """A shirt and trousers from the active catalog, each in its first colour."""
    styles = await Style.select(
        Style.id,
        Style.category,
        Style.code,
        Style.size_scale,
        Style.size_scale._.kind.as_alias("scale_kind"),
    ).where(Style.status == StyleStatus.active)
    shirts = [row for row in styles if row["category"] in ("uniform", "shirts")]
    trousers = [row for row in styles if row["category"] == "trousers"]
    chosen = [rng.choice(shirts), rng.choice(trousers)] if shirts and trousers else []
    colours = await Colourway.select(Colourway.id, Colourway.style).where(
        Colourway.style.is_in([row["id"] for row in chosen] or [0])
    )
    for row in chosen:
        row["colourway"] = next(c["id"] for c in colours if c["style"] == row["id"])
    return chosen


def _half(value: float) -> Decimal:
    """Centimetres to the nearest half, as charts print them."""
    return Decimal(round(value * 2)) / 2


def _chart_values(fit: sizing.BodyFit, category: str, gender: str) -> dict[str, Decimal | None]:
    """A believable chart row from the body a size's label stands for: the men's chart is
    the label's body; a woman wearing the size is about 8 cm shorter and narrower in the
    chest and waist; garment length and sleeve follow the height."""
    height = float(fit.height or 170)
    bottoms = category in sizing.WAIST_CATEGORIES
    chest = None if bottoms or not fit.chest else float(fit.chest)
    waist = float(fit.waist) if fit.waist else (chest - 12 if chest else 76.0)
    women = gender == "women"
    if women:
        height -= 8
        waist -= 8 if chest else 6
        chest = chest - 4 if chest else None
    hip = chest + (6 if women else 2) if chest else waist + (22 if women else 17)
    return {
        "height": _half(height),
        "chest": None if chest is None else _half(chest),
        "waist": _half(waist),
        "hip": _half(hip),
        "length": _half(height * (0.6 if bottoms else 0.42 if gender == "men" else 0.39)),
        "sleeve": None if bottoms else _half(height * (0.36 if gender == "men" else 0.34)),
    }


async def _size_charts(styles: list[dict[str, Any]]) -> None:
    """Men's (regular) and women's (slim) charts for the styles the campaigns offer."""
    sizes = await Size.select(Size.id, Size.label, Size.size_scale).order_by(Size.position)
    for style in styles:
        for gender, fit in (("men", Fit.regular), ("women", Fit.slim)):
            lines = {
                size["id"]: _chart_values(
                    sizing.body_fit(size["label"], style["scale_kind"], style["category"]),
                    style["category"],
                    gender,
                )
                for size in sizes
                if size["size_scale"] == style["size_scale"]
            }
            await size_charts.store_chart(style["id"], gender, size_charts.ChartInput(fit, lines))


async def _campaign(organisation: dict[str, Any], now: datetime, **values: Any) -> CampaignRecord:
    row = (
        await Campaign.insert(
            Campaign(
                organisation=organisation["id"],
                currency=organisation["currency"],
                created_at=now,
                updated_at=now,
                **values,
            )
        )
        .returning(Campaign.id)
        .run()
    )
    return await campaigns.campaign_by_id(row[0]["id"])


async def _fill(
    rng: random.Random,
    campaign: CampaignRecord,
    styles: list[dict[str, Any]],
    people: tuple[tuple[str, ...], ...],
    size: int,
    answered: float,
    locale: str,
    domain: str,
    now: datetime,
) -> int:
    """Items, a roster of ``size`` people and the answers of about ``answered`` of them."""
    for position, style in enumerate(styles):
        await CampaignItem.insert(
            CampaignItem(
                campaign=campaign.id,
                organisation=campaign.organisation,
                style=style["id"],
                colourway=style["colourway"],
                allotment=2 if position == 0 else 1,
                logo="Embroidered logo, left chest" if position == 0 else "",
                logo_price=Decimal("15") if position == 0 else Decimal("0"),
                position=position,
            )
        ).run()
    families, given, departments, sites = people
    employees = [
        Employee(
            campaign=campaign.id,
            organisation=campaign.organisation,
            employee_number=f"E{number:04d}",
            name=rng.choice(families) + rng.choice(given),
            department=rng.choice(departments),
            site=rng.choice(sites),
            email=f"e{number:04d}@{domain}",
            gender=rng.choice(("women", "men")),
            locale=locale,
            link_key=links.new_link_key(),
            link_sent_at=now - timedelta(days=6),
            created_at=now - timedelta(days=7),
        )
        for number in range(1, size + 1)
    ]
    await Employee.insert(*employees).run()
    items = await offer.offered_items(campaign)
    roster = await rosters.roster(campaign)
    picks = []
    responded = []
    for person in roster:
        if rng.random() > answered:
            continue
        if person.gender == "women":
            height, chest, waist = rng.randint(152, 174), rng.randint(78, 96), rng.randint(60, 80)
        else:
            height, chest, waist = rng.randint(160, 186), rng.randint(84, 104), rng.randint(68, 90)
        for item in items:
            size_id = choices.suggested_size(item, person.gender, height, chest, waist)
            picked = next(size for size in item.sizes if size["id"] == size_id)
            picks.append(
                Choice(
                    employee=person.id,
                    item=item.id,
                    organisation=campaign.organisation,
                    size=picked["id"],
                    quantity=item.allotment,
                    unit_price=picked["price"] or Decimal("0"),
                    chosen_at=now - timedelta(days=rng.uniform(0, 5)),
                )
            )
        responded.append(person.id)
    if picks:
        await Choice.insert(*picks).run()
    if responded:
        await Employee.update({Employee.responded_at: now - timedelta(days=1)}).where(
            Employee.id.is_in(responded)
        )
    return len(roster)


async def load(rng: random.Random, now: datetime) -> str:
    clients = {
        row["english_name"]: row
        for row in await Organisation.select(
            Organisation.id, Organisation.english_name, Organisation.currency
        ).where(Organisation.kind == "group_client")
    }
    bank = clients.get("Pujiang Commercial Bank Co., Ltd.")
    airline = clients.get("Hanbit Air Co., Ltd.")
    styles = await _uniform_items(rng)
    if bank is None or airline is None or not styles:
        return "no group campaigns (the demo clients or uniform styles are missing)"
    await _size_charts(styles)
    today = now.date()
    spring = await _campaign(
        bank,
        now,
        name="2027 春季行服 Spring uniforms",
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=14),
        delivery_mode=DeliveryMode.per_department,
        ship_to="上海市浦东新区陆家嘴环路1000号 行政部",
        tipping_point=50,
    )
    people = await _fill(
        rng, spring, styles, BANK_PEOPLE, 60, 0.45, "zh_Hans", "pujiangbank.demo", now
    )
    # Two shirts each of the item, but at most three of the shirt's category in all.
    await CategoryAllotment.insert(
        CategoryAllotment(
            campaign=spring.id,
            organisation=bank["id"],
            category=styles[0]["category"],
            allotment=3,
        )
    ).run()
    crew = await _campaign(
        airline,
        now,
        name="2026 겨울 근무복 Winter crew uniforms",
        entitlement=EntitlementKind.allowance,
        allowance=Decimal("200000"),
        opens_on=today - timedelta(days=40),
        closes_on=today - timedelta(days=10),
        delivery_mode=DeliveryMode.per_site,
        ship_to="서울특별시 강서구 하늘길 260",
        status=CampaignStatus.closed,
        closed_at=now - timedelta(days=10),
    )
    people += await _fill(rng, crew, styles, AIRLINE_PEOPLE, 24, 0.9, "ko", "hanbitair.demo", now)
    admin = await User.select(User.id).where(User.email == "uniform@hanbitair.demo").first()
    ordered = 0
    if admin is not None:
        viewer = await viewer_for_user_id(admin["id"])
        closed = await campaigns.campaign_by_id(crew.id)
        reviewed = (await approvals.progress(closed)).fingerprint
        approval = await approvals.approve(viewer, closed, reviewed)
        ordered = int(approval.order_uuid is not None)
    return f"2 group campaigns with {people} employees ({ordered} ordered)"
