"""Contacts of a partner: adding, editing, deleting, and who may."""

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import Contact
from tests.support import Cast, PortalClient


def _contact(**values: str) -> dict[str, str]:
    return {
        "name": "김민지",
        "romanised_name": "Kim Minji",
        "job_title": "구매 담당",
        "phone": "+82 10 1234 5678",
        "email": "minji@example.kr",
        "kakao_id": "minji_k",
        **values,
    }


async def _add(client: PortalClient, org_uuid, **values: str):  # type: ignore[no-untyped-def]
    return await client.post_form(f"/partners/{org_uuid}/contacts/new", _contact(**values))


async def test_a_kam_adds_a_contact_with_a_family_name_first_name(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await _add(client, cast.distributor_a.uuid, is_primary="1")
    assert response.status_code == 303, response.text
    row = await Contact.select().where(Contact.organisation == cast.distributor_a.id).first()
    assert row is not None
    assert (row["name"], row["romanised_name"], row["kakao_id"], row["is_primary"]) == (
        "김민지",
        "Kim Minji",
        "minji_k",
        True,
    )
    page = (await client.get(f"/partners/{cast.distributor_a.uuid}")).text
    assert "김민지" in page and "minji_k" in page
    audit = await AuditEntry.select(AuditEntry.action).where(AuditEntry.entity_uuid == row["uuid"])
    assert audit == [{"action": "create"}]


async def test_a_contact_needs_a_name_and_a_valid_email(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    response = await _add(client, cast.distributor_a.uuid, name="", email="not-an-email")
    assert response.status_code == 400
    assert "Enter the contact&#39;s name." in response.text
    assert "Enter an e-mail address" in response.text
    assert await Contact.count() == 0


async def test_only_one_contact_is_the_main_contact(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    await _add(client, cast.bank.uuid, name="李雷", is_primary="1")
    await _add(client, cast.bank.uuid, name="韩梅梅", is_primary="1")
    rows = await Contact.select(Contact.name).where(Contact.is_primary == True)  # noqa: E712
    assert rows == [{"name": "韩梅梅"}]


async def test_a_kam_edits_and_deletes_a_contact(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    await _add(client, cast.bank.uuid)
    contact = await Contact.select().first()
    assert contact is not None
    form = await client.get(f"/contacts/{contact['uuid']}/edit")
    assert form.status_code == 200 and "김민지" in form.text
    response = await client.post_form(
        f"/contacts/{contact['uuid']}/edit", _contact(job_title="구매 팀장", version="1")
    )
    assert response.status_code == 303, response.text
    assert (await Contact.select(Contact.job_title).first()) == {"job_title": "구매 팀장"}
    response = await client.post_form(f"/contacts/{contact['uuid']}/delete")
    assert response.status_code == 303
    assert await Contact.count() == 0
    actions = (
        await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.entity_uuid == contact["uuid"])
        .order_by(AuditEntry.id)
    )
    assert [row["action"] for row in actions] == ["create", "update", "delete"]


async def test_a_stale_contact_edit_is_refused(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    await _add(client, cast.bank.uuid)
    contact = await Contact.select().first()
    assert contact is not None
    await client.post_form(f"/contacts/{contact['uuid']}/edit", _contact(phone="1", version="1"))
    stale = await client.post_form(
        f"/contacts/{contact['uuid']}/edit", _contact(phone="2", version="1")
    )
    assert stale.status_code == 409
    assert (await Contact.select(Contact.phone).first()) == {"phone": "1"}


async def test_a_partner_user_manages_their_own_organisations_contacts(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.distributor)
    response = await _add(client, cast.distributor_a.uuid)
    assert response.status_code == 303
    contact = await Contact.select().first()
    assert contact is not None
    response = await client.post_form(
        f"/contacts/{contact['uuid']}/edit", _contact(phone="021-5555", version="1")
    )
    assert response.status_code == 303


async def test_a_distributor_cannot_manage_its_retailers_contacts(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    await _add(client, cast.retailer_a.uuid)
    contact = await Contact.select().first()
    assert contact is not None
    await client.log_in(cast.distributor)
    assert (await client.get(f"/partners/{cast.retailer_a.uuid}/contacts/new")).status_code == 403
    assert (await _add(client, cast.retailer_a.uuid)).status_code == 403
    assert (await client.post_form(f"/contacts/{contact['uuid']}/delete")).status_code == 403
    assert await Contact.count() == 1


async def test_foreign_contacts_answer_404(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    await _add(client, cast.bank.uuid)
    contact = await Contact.select().first()
    assert contact is not None
    await client.log_in(cast.other_distributor)
    assert (await client.get(f"/contacts/{contact['uuid']}/edit")).status_code == 404
    assert (await client.post_form(f"/contacts/{contact['uuid']}/delete")).status_code == 404
    assert (await _add(client, cast.bank.uuid)).status_code == 404
    assert await Contact.count() == 1


async def test_brand_staff_may_not_edit_contacts(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.staff)
    assert (await _add(client, cast.bank.uuid)).status_code == 403
