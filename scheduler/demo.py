"""Demo follow-ups for the demo KAMs: a few overdue, some today, the rest of the fortnight,
and a weekly call that repeats."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from partner_portal.partners.tables import Organisation, OrganisationKind, User
from scheduler.forms import DEFAULT_REMIND_MINUTES
from scheduler.tables import FollowUp, FollowUpKind, Priority

# Each title in Chinese, English and Korean; a KAM writes their own follow-ups in their
# own language.
LANGUAGE_INDEX = {"zh_Hans": 0, "en": 1, "ko": 2}
TITLES = {
    FollowUpKind.call: (
        "确认下季订货会日期",
        "Call about the next season's sell-in",
        "재고 현황 확인 전화",
    ),
    FollowUpKind.visit: ("门店陈列巡检", "Visit the flagship store", "매장 방문"),
    FollowUpKind.email: ("发送新季线表", "Send the new line sheet", "신규 라인시트 발송"),
    FollowUpKind.meeting: ("季度业务回顾", "Quarterly business review", "분기 실적 회의"),
    FollowUpKind.task: ("核对信用额度", "Check the credit limit", "계약 갱신 준비"),
}


async def load_follow_ups(rng: random.Random, now: datetime) -> str:
    partners = await Organisation.select(
        Organisation.id,
        Organisation.owner,
        Organisation.owner._.time_zone.as_alias("zone"),
        Organisation.owner._.locale.as_alias("locale"),
    ).where(Organisation.owner.is_not_null(), Organisation.kind != OrganisationKind.brand.value)
    users = {row["id"] for row in await User.select(User.id)}
    rows = []
    for partner in partners:
        if partner["owner"] not in users:
            continue
        zone = ZoneInfo(partner["zone"] or "Asia/Shanghai")
        language = LANGUAGE_INDEX.get(partner["locale"], 0)
        today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        for index in range(rng.randint(2, 4)):
            kind = rng.choice(list(FollowUpKind))
            offset_days = rng.choice((-3, -1, 0, 0, 1, 2, 4, 6, 9, 13))
            due = (
                today + timedelta(days=offset_days, hours=rng.choice((9, 10, 14, 16)))
            ).astimezone(ZoneInfo("UTC"))
            weekly = index == 0 and rng.random() < 0.3
            rows.append(
                FollowUp(
                    organisation=partner["id"],
                    owner=partner["owner"],
                    created_by=partner["owner"],
                    kind=kind,
                    title=TITLES[kind][language],
                    priority=rng.choice(
                        (Priority.normal, Priority.normal, Priority.high, Priority.low)
                    ),
                    due_at=due,
                    recurrence="FREQ=WEEKLY" if weekly else "",
                    remind_at=due - timedelta(minutes=DEFAULT_REMIND_MINUTES),
                    # Past reminders count as sent: a fresh demo does not mail everyone at once.
                    reminded_at=now
                    if due - timedelta(minutes=DEFAULT_REMIND_MINUTES) <= now
                    else None,
                    created_at=now,
                    updated_at=now,
                )
            )
    if rows:
        await FollowUp.insert(*rows)
    return f"{len(rows)} follow-ups"
