"""A follow-up a rule makes is titled in each reader's language: its title is stored as a
message id with parameters (English kept beside it for searches), and so is the bell
notification that announces it; titles written before are converted by the migration."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

from partner_portal.orders.tables import Order
from partner_portal.partners.tables import User
from scheduler import rules
from scheduler.tables import FollowUp
from tests.support import Cast, PortalClient

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


async def _stuck_order(cast: Cast) -> None:
    data = {f"{key}.enabled": "on" if key == "stuck_order" else "" for key in rules.RULES}
    data |= {f"{key}.threshold_days": "14" for key in rules.RULES}
    data |= {f"{key}.assignee": "owner" for key in rules.RULES}
    assert await rules.save_rule_settings(None, data) == {}
    await Order.insert(
        Order(
            buyer=cast.distributor_a.id,
            number="SO-0000903",
            currency="CNY",
            status="confirmed",
            status_changed_at=NOW - timedelta(days=16),
            created_at=NOW,
            updated_at=NOW,
        )
    )


async def test_a_rule_made_title_and_its_bell_read_in_the_owners_language(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await _stuck_order(cast)
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.kam.id)

    assert (await rules.run_rules()).created["stuck_order"] == 1

    [row] = await FollowUp.select(FollowUp.uuid, FollowUp.title)
    english = "Order SO-0000903 of 上海锦程贸易有限公司 has not moved for 16 days"
    assert row["title"] == english  # what searches and the audit log read
    chinese = "上海锦程贸易有限公司 的订单 SO-0000903 已 16 天未推进"
    await client.sign_in(cast.kam)
    page = await client.get(f"/follow-ups/{row['uuid']}")
    assert page.status_code == 200
    assert chinese in page.text and english not in page.text
    agenda = await client.get("/agenda")
    assert chinese in agenda.text
    bell = await client.get("/notifications")
    assert f"新跟进：{chinese}" in bell.text
    assert "New follow-up" not in bell.text

    # The same follow-up read by a Korean-speaking colleague (the KAM's manager).
    await User.update({User.locale: "ko"}).where(User.id == cast.kam_manager.id)
    await client.sign_in(cast.kam_manager)
    korean = await client.get(f"/follow-ups/{row['uuid']}")
    assert "上海锦程贸易有限公司의 주문 SO-0000903이(가) 16일째 진행되지 않음" in korean.text


async def test_saving_the_form_unchanged_keeps_the_title_a_message(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await _stuck_order(cast)
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.kam.id)
    await rules.run_rules()
    [row] = await FollowUp.select(FollowUp.uuid)
    await client.sign_in(cast.kam)
    form = await client.get(f"/follow-ups/{row['uuid']}/edit")
    assert "已 16 天未推进" in form.text

    saved = await client.post_form(
        f"/follow-ups/{row['uuid']}/edit",
        {
            "title": "上海锦程贸易有限公司 的订单 SO-0000903 已 16 天未推进",
            "kind": "task",
            "priority": "high",
            "due_date": "2026-06-03",
            "due_time": "10:00",
            "remind_minutes": "60",
        },
    )
    assert saved.status_code == 303, saved.text
    [after] = await FollowUp.select(FollowUp.title, FollowUp.title_message)
    assert after["title_message"] == "Order %(number)s of %(name)s has not moved for %(days)d days"
    assert after["title"].startswith("Order SO-0000903")

    rewritten = await client.post_form(
        f"/follow-ups/{row['uuid']}/edit",
        {
            "title": "给王总打电话",
            "kind": "call",
            "priority": "high",
            "due_date": "2026-06-03",
            "due_time": "10:00",
            "remind_minutes": "60",
            "version": "2",
        },
    )
    assert rewritten.status_code == 303, rewritten.text
    [last] = await FollowUp.select(FollowUp.title, FollowUp.title_message)
    assert (last["title"], last["title_message"]) == ("给王总打电话", "")


async def test_the_migration_turns_english_rule_titles_into_messages(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await FollowUp.insert(
        *(
            FollowUp(
                organisation=cast.distributor_a.id,
                owner=cast.kam.id,
                title=title,
                rule_key=rule_key,
                due_at=NOW,
                created_at=NOW,
                updated_at=NOW,
            )
            for title, rule_key in (
                (
                    "Order SO-0000903 of 上海锦程贸易有限公司 has not moved for 16 days",
                    "stuck_order",
                ),
                ("No order for 90 days: call 杭州衣尚店", "dormant"),
                ("Order SO-0000903 of X has not moved for 16 days", ""),  # a person wrote it
                ("Something a rule of another module wrote", "suppliers.chase"),
            )
        )
    )
    migration = importlib.import_module(
        "scheduler.piccolo_migrations.scheduler_2026_12_06t21_20_01_000000"
    )

    await migration.convert_rule_titles()

    rows = (
        await FollowUp.select(FollowUp.title_message, FollowUp.title_params, FollowUp.rule_key)
        .order_by(FollowUp.id)
        .output(load_json=True)
    )
    assert [(row["title_message"], row["title_params"]) for row in rows] == [
        (
            "Order %(number)s of %(name)s has not moved for %(days)d days",
            {"number": "SO-0000903", "name": "上海锦程贸易有限公司", "days": 16},
        ),
        ("No order for %(days)d days: call %(name)s", {"days": 90, "name": "杭州衣尚店"}),
        ("", {}),
        ("", {}),
    ]
