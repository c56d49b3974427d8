"""Moving partners from one key-account manager to another, with their open work."""

from datetime import timedelta

from partner_portal.audit.tables import AuditEntry
from partner_portal.clock import utcnow
from partner_portal.partners.tables import Organisation, TimelineEntry, User
from sales.tables import DealRegistration, Opportunity, ServiceCase
from scheduler.services import create_follow_up
from scheduler.tables import FollowUp
from tests.sales.support import make_opportunity, open_case, register_deal
from tests.support import Cast, PortalClient


async def _owners(cast: Cast) -> dict[str, int]:
    rows = await Organisation.select(Organisation.id, Organisation.owner)
    by_id = {row["id"]: row["owner"] for row in rows}
    return {name: by_id[org.id] for name, org in cast.organisations().items()}


async def test_a_brand_admin_moves_one_partner(client: PortalClient, cast: Cast) -> None:
    before = await Organisation.select().where(Organisation.id == cast.bank.id).first()
    await client.log_in(cast.admin)
    response = await client.post_form(
        f"/partners/{cast.bank.uuid}/transfer",
        {"to_owner": str(cast.other_kam.uuid), "confirm": "yes"},
    )
    assert response.status_code == 303
    owners = await _owners(cast)
    assert owners["bank"] == cast.other_kam.id
    assert owners["distributor_a"] == cast.kam.id
    after = await Organisation.select().where(Organisation.id == cast.bank.id).first()
    assert before is not None and after is not None
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"owner", "version", "updated_at"}
    entries = await TimelineEntry.select().where(TimelineEntry.organisation == cast.bank.id)
    assert len(entries) == 1
    assert entries[0]["kind"] == "system" and entries[0]["internal"] is True
    assert "王小明" in entries[0]["summary"] and "김민준" in entries[0]["summary"]
    audit = await AuditEntry.select().where(AuditEntry.action == "transfer").output(load_json=True)
    assert len(audit) == 1
    assert audit[0]["changes"]["owner"] == ["kam@brand.test", "other.kam@brand.test"]


async def test_a_brand_admin_moves_all_partners_of_a_kam_at_once(
    client: PortalClient, cast: Cast
) -> None:
    await User.update({User.is_active: False}).where(User.id == cast.kam.id)  # they left
    await client.log_in(cast.admin)
    page = await client.get("/partners/transfer")
    assert page.status_code == 200 and "王小明" in page.text
    response = await client.post_form(
        "/partners/transfer",
        {"from_owner": str(cast.kam.uuid), "to_owner": str(cast.other_kam.uuid), "confirm": "yes"},
    )
    assert response.status_code == 200
    assert "3 partners moved." in response.text
    owners = await _owners(cast)
    assert {owners["distributor_a"], owners["retailer_a"], owners["bank"]} == {cast.other_kam.id}
    assert owners["distributor_b"] == cast.other_kam.id and owners["mill"] == cast.other_kam.id
    assert await TimelineEntry.count().where(TimelineEntry.kind == "system") == 3
    assert await AuditEntry.count().where(AuditEntry.action == "transfer") == 3


async def test_a_transfer_needs_an_active_kam_as_the_new_owner(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form(
        "/partners/transfer", {"from_owner": str(cast.kam.uuid), "to_owner": str(cast.staff.uuid)}
    )
    assert response.status_code == 400
    assert (await _owners(cast))["bank"] == cast.kam.id
    assert await AuditEntry.count() == 0


async def test_a_kam_may_not_transfer_partners(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    assert (await client.get("/partners/transfer")).status_code == 403
    response = await client.post_form(
        "/partners/transfer",
        {"from_owner": str(cast.kam.uuid), "to_owner": str(cast.other_kam.uuid)},
    )
    assert response.status_code == 403
    response = await client.post_form(
        f"/partners/{cast.bank.uuid}/transfer", {"to_owner": str(cast.other_kam.uuid)}
    )
    assert response.status_code == 403
    assert (await _owners(cast))["bank"] == cast.kam.id
    assert await TimelineEntry.count() == 0


async def test_the_open_work_moves_with_the_partners_listed_before_the_move(
    client: PortalClient, cast: Cast
) -> None:
    await create_follow_up(
        organisation_id=cast.bank.id,
        owner_id=cast.kam.id,
        title="季度回顾电话",
        due_at=utcnow() + timedelta(days=2),
    )
    await create_follow_up(
        organisation_id=cast.bank.id,
        owner_id=cast.kam.id,
        title="每周例行电话",
        due_at=utcnow() + timedelta(days=1),
        recurrence="FREQ=WEEKLY",
    )
    await make_opportunity(cast.kam, cast.distributor_a, title="AW27 补货")
    await open_case(cast.kam, cast.retailer_a, subject="领口开线")
    await register_deal(cast.distributor, customer="杭州市第一医院")
    await User.update({User.is_active: False}).where(User.id == cast.kam.id)  # they left
    await client.log_in(cast.admin)
    move = {"from_owner": str(cast.kam.uuid), "to_owner": str(cast.other_kam.uuid)}

    confirm = await client.post_form("/partners/transfer", move)

    assert confirm.status_code == 200
    for shown in ("季度回顾电话", "每周例行电话", "AW27 补货", "领口开线", "杭州市第一医院"):
        assert shown in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text
    assert (await _owners(cast))["bank"] == cast.kam.id  # nothing moved yet
    assert await FollowUp.count().where(FollowUp.owner == cast.kam.id) == 2

    done = await client.post_form("/partners/transfer", {**move, "confirm": "yes"})

    assert "3 partners moved." in done.text
    assert await FollowUp.count().where(FollowUp.owner == cast.kam.id) == 0
    assert await FollowUp.count().where(FollowUp.owner == cast.other_kam.id) == 2
    assert {row["owner"] for row in await Opportunity.select(Opportunity.owner)} == {
        cast.other_kam.id
    }
    assert {row["assignee"] for row in await ServiceCase.select(ServiceCase.assignee)} == {
        cast.other_kam.id
    }
    assert await DealRegistration.count().where(DealRegistration.status == "pending") == 1
    # The new KAM now decides the pending registration and sees the moved work.
    await client.log_in(cast.other_kam)
    agenda = await client.get("/agenda?view=week")
    assert "季度回顾电话" in agenda.text
    registrations = await client.get("/sales/registrations")
    assert "杭州市第一医院" in registrations.text


async def test_moving_one_partner_asks_first_and_moves_only_its_work(
    client: PortalClient, cast: Cast
) -> None:
    await create_follow_up(
        organisation_id=cast.bank.id, owner_id=cast.kam.id, title="回访", due_at=utcnow()
    )
    await create_follow_up(
        organisation_id=cast.distributor_a.id, owner_id=cast.kam.id, title="订货会", due_at=utcnow()
    )
    await client.log_in(cast.admin)
    confirm = await client.post_form(
        f"/partners/{cast.bank.uuid}/transfer", {"to_owner": str(cast.other_kam.uuid)}
    )
    assert confirm.status_code == 200 and "回访" in confirm.text and "订货会" not in confirm.text
    assert (await _owners(cast))["bank"] == cast.kam.id

    moved = await client.post_form(
        f"/partners/{cast.bank.uuid}/transfer",
        {"to_owner": str(cast.other_kam.uuid), "confirm": "yes"},
    )
    assert moved.status_code == 303
    owners = {
        row["title"]: row["owner"] for row in await FollowUp.select(FollowUp.title, FollowUp.owner)
    }
    assert owners == {"回访": cast.other_kam.id, "订货会": cast.kam.id}
