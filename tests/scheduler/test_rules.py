"""Rules create follow-ups on their own: once per subject, however often they run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from partner_portal.clock import utcnow
from partner_portal.orders.tables import Order
from partner_portal.partners.tables import Organisation, TimelineEntry, User
from scheduler import rules
from scheduler.services import ensure_open_follow_up
from scheduler.tables import FollowUp
from tests.support import PortalClient

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


async def _age_partners(days: int) -> None:
    await Organisation.update({Organisation.created_at: NOW - timedelta(days=days)}).where(
        Organisation.kind != "brand"
    )


async def _only(key: str, threshold: int = 30, enabled_others: bool = False) -> None:
    data = {}
    for rule in rules.RULES:
        data[f"{rule}.enabled"] = "on" if rule == key or enabled_others else ""
        data[f"{rule}.threshold_days"] = str(threshold)
        data[f"{rule}.assignee"] = "owner"
    assert await rules.save_rule_settings(None, data) == {}


async def test_running_the_dormant_rule_twice_creates_one_follow_up_per_partner_and_marks_it_dormant(
    cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await _age_partners(100)
    await _only("dormant", 90)
    await Order.insert(
        Order(
            buyer=cast.distributor_b.id,
            currency="KRW",
            submitted_at=NOW - timedelta(days=10),
            status="submitted",
            status_changed_at=NOW - timedelta(days=10),
            created_at=NOW,
            updated_at=NOW,
        )
    )

    first = await rules.run_rules()
    second = await rules.run_rules()

    # distributor_a, retailer_a and bank buy without an order in 90 days; distributor_b ordered.
    assert first.created["dormant"] == 3
    assert first.dormant_marked == 3
    assert second.created["dormant"] == 0
    rows = await FollowUp.select(FollowUp.organisation, FollowUp.owner, FollowUp.rule_key)
    assert sorted(row["organisation"] for row in rows) == sorted(
        [cast.distributor_a.id, cast.retailer_a.id, cast.bank.id]
    )
    assert {row["owner"] for row in rows} == {cast.kam.id}
    statuses = {
        row["id"]: row["status"]
        for row in await Organisation.select(Organisation.id, Organisation.status)
    }
    assert statuses[cast.distributor_a.id] == "dormant"
    assert statuses[cast.distributor_b.id] == "active"


async def test_an_order_stuck_in_one_status_gets_one_follow_up_for_a_fixed_assignee(
    cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await _only("stuck_order", 14)
    data = {f"{key}.enabled": "on" if key == "stuck_order" else "" for key in rules.RULES}
    data |= {f"{key}.threshold_days": "14" for key in rules.RULES}
    data |= {f"{key}.assignee": "owner" for key in rules.RULES}
    data["stuck_order.assignee"] = str(cast.kam_manager.uuid)
    assert await rules.save_rule_settings(None, data) == {}
    for days in (20, 3):
        await Order.insert(
            Order(
                buyer=cast.retailer_a.id,
                currency="CNY",
                status="confirmed",
                status_changed_at=NOW - timedelta(days=days),
                created_at=NOW,
                updated_at=NOW,
            )
        )

    assert (await rules.run_rules()).created["stuck_order"] == 1
    assert (await rules.run_rules()).created["stuck_order"] == 0
    [created] = await FollowUp.select()
    assert created["owner"] == cast.kam_manager.id
    assert created["subject_kind"] == "order"
    assert created["priority"] == "high"


async def test_a_complaint_without_a_follow_up_gets_one_and_a_new_partner_gets_a_first_contact(
    cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await _age_partners(30)
    await _only("complaint", 1)
    await TimelineEntry.insert(
        TimelineEntry(
            organisation=cast.retailer_a.id,
            kind="complaint",
            occurred_at=NOW - timedelta(days=2),
            summary="纽扣脱落",
            created_at=NOW,
        )
    )
    assert (await rules.run_rules()).created["complaint"] == 1
    assert (await rules.run_rules()).created["complaint"] == 0

    await _only("first_contact", 14)
    # Everyone but retailer_a (which has a timeline, though no contact yet) and the brand.
    await TimelineEntry.insert(
        TimelineEntry(
            organisation=cast.bank.id, kind="visit", occurred_at=NOW, summary="拜访", created_at=NOW
        )
    )
    report = await rules.run_rules()
    assert report.created["first_contact"] == 4  # distributor_a, distributor_b, retailer_a, mill
    assert (await rules.run_rules()).created["first_contact"] == 0


async def test_ensure_open_follow_up_is_idempotent_for_other_modules(cast) -> None:
    args = dict(
        episode="contract-1:2026-07-01",
        organisation_id=cast.bank.id,
        owner_id=cast.kam.id,
        title="Renewal talk",
        due_at=utcnow(),
    )
    assert await ensure_open_follow_up("contract_notice", **args) is True  # type: ignore[arg-type]
    assert await ensure_open_follow_up("contract_notice", **args) is False  # type: ignore[arg-type]
    assert await FollowUp.count() == 1


async def test_a_brand_admin_sets_the_rules_and_bad_thresholds_save_nothing(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.admin)
    page = await client.get("/scheduler/rules")
    assert page.status_code == 200 and "dormant.threshold_days" in page.text

    bad = await client.post_form(
        "/scheduler/rules", {"dormant.enabled": "on", "dormant.threshold_days": "-3"}
    )
    assert bad.status_code == 400
    assert "0 to 3650" in bad.text
    assert (await rules.rule_settings())["dormant"].threshold_days == 90


async def test_the_dormant_note_on_a_timeline_reads_in_each_readers_language(
    cast, frozen_clock, client: PortalClient
) -> None:
    """The rule runs with no reader; its note is stored as a message and read later."""
    frozen_clock.frozen_at = NOW
    await _age_partners(100)
    await _only("dormant", 90)
    await rules.run_rules()
    await client.sign_in(cast.kam)
    for locale, note in (
        ("zh_Hans", "已标记为休眠：90 天无订单。"),
        ("ko", "휴면으로 표시됨: 90일 동안 주문 없음."),
        ("en", "Marked dormant: no order for 90 days."),
    ):
        await User.update({User.locale: locale}).where(User.id == cast.kam.id)
        page = await client.get(f"/partners/{cast.distributor_a.uuid}")
        assert note in page.text, locale
