"""Moving partners from one key-account manager to another."""

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import Organisation, TimelineEntry, User
from tests.support import Cast, PortalClient


async def _owners(cast: Cast) -> dict[str, int]:
    rows = await Organisation.select(Organisation.id, Organisation.owner)
    by_id = {row["id"]: row["owner"] for row in rows}
    return {name: by_id[org.id] for name, org in cast.organisations().items()}


async def test_a_brand_admin_moves_one_partner(client: PortalClient, cast: Cast) -> None:
    before = await Organisation.select().where(Organisation.id == cast.bank.id).first()
    await client.log_in(cast.admin)
    response = await client.post_form(
        f"/partners/{cast.bank.uuid}/transfer", {"to_owner": str(cast.other_kam.uuid)}
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
        {"from_owner": str(cast.kam.uuid), "to_owner": str(cast.other_kam.uuid)},
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
