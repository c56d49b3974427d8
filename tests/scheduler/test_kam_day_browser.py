"""In a real browser, a KAM's day in Chinese on a phone: a call logged in two clicks from
the top of the partner page, one occurrence of a weekly call moved, next month's
occurrences seen in the month view, and a health class's code explained in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Page, ViewportSize, expect

from insights import snapshots
from partner_portal.partners.tables import TimelineEntry, User
from scheduler.tables import FollowUp
from tests.browser import screenshot
from tests.scheduler.support import follow_up
from tests.support import PASSWORD, Cast

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE: ViewportSize = {"width": 390, "height": 844}


async def test_a_kams_day_in_chinese_on_a_phone(cast: Cast, live_server: str, page: Page) -> None:
    await User.update({User.locale: "zh_Hans", User.time_zone: "Asia/Shanghai"}).where(
        User.id == cast.kam.id
    )
    today = datetime.now(SHANGHAI).date()
    first = datetime.combine(today + timedelta(days=1), datetime.min.time(), SHANGHAI).replace(
        hour=10
    )
    await follow_up(
        cast.distributor_a,
        cast.kam,
        first.astimezone(UTC),
        title="每周订单电话",
        recurrence="FREQ=WEEKLY",
    )
    await page.set_viewport_size(PHONE)
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-mail").fill(cast.kam.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/login" not in url)

    # 1. Log a call in two clicks, from the top of the partner page.
    await page.goto(f"{live_server}/partners/{cast.distributor_a.uuid}")
    open_form = page.locator(".page-head details.log-call > summary")
    await expect(open_form).to_have_text("记录通话")
    box = await open_form.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    await open_form.click()  # click 1
    await (
        page.locator(".page-head").get_by_label("谈了什么、约定了什么").fill("确认春季补货 300 件")
    )
    await screenshot(page, "log-call-phone-zh")
    await page.locator(".page-head").get_by_role("button", name="保存通话记录").click()  # click 2
    await expect(page.locator("#timeline")).to_contain_text("确认春季补货 300 件")
    assert (
        await TimelineEntry.count().where(
            TimelineEntry.organisation == cast.distributor_a.id, TimelineEntry.kind == "call"
        )
        == 1
    )

    # 2. Move next week's occurrence of the weekly call by a day: the week view's day
    # heading opens that day, where an occurrence has its actions.
    second = first + timedelta(days=7)
    await page.goto(f"{live_server}/agenda/calendar?view=week&date={second.date().isoformat()}")
    await page.locator(f"section[data-day='{second.date().isoformat()}'] h3 a").click()
    occurrence = page.locator("li.occurrence", has_text="每周订单电话")
    await expect(occurrence).to_have_count(1)
    await occurrence.locator("summary", has_text="改期本次").click()
    moved_to = second.date() + timedelta(days=1)
    await occurrence.locator("input[name=due_date]").fill(moved_to.isoformat())
    await occurrence.get_by_role("button", name="移动").click()
    await page.wait_for_load_state()
    stored = (
        await FollowUp.select(FollowUp.due_at, FollowUp.occurrence_at)
        .where(FollowUp.occurrence_at == second.astimezone(UTC))
        .first()
    )
    assert stored is not None
    assert stored["due_at"].astimezone(SHANGHAI).date() == moved_to
    assert stored["due_at"].astimezone(SHANGHAI).hour == 10

    # 3. Next month: every weekly occurrence is there, under a Chinese month title.
    next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    await page.goto(f"{live_server}/agenda/calendar?view=month&date={next_month.isoformat()}")
    await expect(page.locator(".calendar-title")).to_have_text(
        f"{next_month.year}年{next_month.month}月"
    )
    in_month = page.locator(
        f"section.calendar-day[data-day^='{next_month.isoformat()[:7]}'] .cal-chip",
        has_text="每周订单电话",
    )
    assert await in_month.count() >= 4
    await screenshot(page, "agenda-month-phone-zh")

    # 4. A health class explained: the segments page opens what its four letters mean, and
    # names each class in words.
    await snapshots.recompute_all(datetime.now(UTC).date())
    await page.goto(f"{live_server}/insights/segments")
    legend = page.locator("details.legend")
    await legend.locator("summary", has_text="代码含义").click()
    explanation = legend.locator("dd").first
    await expect(explanation).to_be_visible()
    await expect(explanation).to_contain_text("四个字母依次表示价值")
    await expect(explanation).to_contain_text("不对其满意度做任何假设")
    await expect(page.locator(".segment-name").first).to_contain_text("价值")
    await screenshot(page, "health-classes-explained-phone-zh")
