import re

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.audit import services as audit_log
from partner_portal.audit.services import PAGE_SIZE
from partner_portal.audit.tables import AuditEntry
from partner_portal.database import write_transaction
from partner_portal.partners.tables import User
from tests.accounts.helpers import invite_form
from tests.support import PASSWORD, PortalClient


async def _record(cast, member, count: int = 1, kind: str = "organisation") -> None:
    actor = await viewer_for_user_id(member.id, "203.0.113.7")
    async with write_transaction():
        for number in range(count):
            await audit_log.record(
                actor,
                entity_kind=kind,
                entity_uuid=cast.distributor_a.uuid,
                organisation_id=cast.distributor_a.id,
                action="update",
                changes={"tier": ["silver", f"gold-{number}"]},
                summary=f"change {number}",
            )


async def test_it_lists_entries_for_brand_admins(client: PortalClient, cast) -> None:
    await _record(cast, cast.kam)
    await client.log_in(cast.admin)
    page = await client.get("/audit")
    assert page.status_code == 200
    assert cast.kam.email in page.text
    assert "203.0.113.7" in page.text
    assert f'href="/partners/{cast.distributor_a.uuid}"' in page.text
    assert cast.distributor_a.legal_name in page.text
    assert "silver" in page.text and "gold-0" in page.text
    assert "Updated" in page.text


async def test_it_is_forbidden_to_kams_staff_and_partners(client: PortalClient, cast) -> None:
    for member in (cast.kam, cast.kam_manager, cast.staff, cast.distributor, cast.supplier):
        await client.log_in(member)
        assert (await client.get("/audit")).status_code == 403, member.email


async def test_it_filters_by_kind_and_actor(client: PortalClient, cast) -> None:
    await _record(cast, cast.kam, kind="organisation")
    await _record(cast, cast.other_kam, kind="contact")
    await client.log_in(cast.admin)
    page = await client.get("/audit?kind=contact")
    assert cast.other_kam.email in page.text
    assert "change 0" in page.text
    assert f"<td>{cast.kam.email}" not in page.text
    page = await client.get("/audit?actor=other.kam")
    assert f"<td>{cast.other_kam.email}" in page.text
    assert f"<td>{cast.kam.email}" not in page.text


async def test_it_pages_newest_first_with_an_older_entries_link(client: PortalClient, cast) -> None:
    await _record(cast, cast.kam, count=PAGE_SIZE + 5)
    await client.log_in(cast.admin)
    page = await client.get("/audit?kind=organisation")
    assert f"change {PAGE_SIZE + 4}" in page.text
    assert "change 4<" not in page.text
    older = re.search(r'href="(/audit\?[^"]*before=\d+)"', page.text)
    assert older, page.text
    assert "kind=organisation" in older.group(1)
    page = await client.get(older.group(1).replace("&amp;", "&"))
    assert "change 4<" in page.text and "change 0<" in page.text
    assert f"change {PAGE_SIZE + 4}<" not in page.text
    assert "Older entries" not in page.text


async def test_htmx_gets_only_the_entries(client: PortalClient, cast) -> None:
    await _record(cast, cast.kam)
    await client.log_in(cast.admin)
    response = await client.get("/audit", headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert cast.kam.email in response.text


async def _actions() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    return [row["action"] for row in rows]


async def test_the_account_pages_write_audit_entries(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    assert (await client.post_form("/users/invite", invite_form(cast))).status_code == 200
    await client.post_form(f"/users/{cast.staff.uuid}/deactivate")
    await client.post_form("/account/tokens", {"name": "ERP"})
    token = await AuditEntry.select(AuditEntry.entity_uuid).where(
        AuditEntry.action == "token_create"
    )
    await client.post_form(f"/account/tokens/{token[0]['entity_uuid']}/revoke")
    new_password = "another long password"
    response = await client.post_form(
        "/account/password",
        {"current": PASSWORD, "password": new_password, "confirmation": new_password},
    )
    assert response.status_code == 303
    assert await _actions() == [
        "invite",
        "deactivate",
        "token_create",
        "token_revoke",
        "password_change",
    ]
    page = await client.get("/audit")
    for label in ("Invited", "API token created", "API token revoked", "Password changed"):
        assert label in page.text
    entries = await AuditEntry.select(AuditEntry.actor_label, AuditEntry.organisation)
    assert {entry["actor_label"] for entry in entries} == {cast.admin.email}


async def test_a_line_the_portal_words_reads_in_the_admins_language(
    client: PortalClient, cast
) -> None:
    """A Korean buyer's action, read by a Chinese administrator: in Chinese, not Korean."""
    actor = await viewer_for_user_id(cast.distributor.id)
    async with write_transaction():
        await audit_log.record(
            actor,
            entity_kind="order",
            entity_uuid=None,
            organisation_id=cast.distributor_a.id,
            action="submit",
            summary_message="Submitted: %(quantity)s pieces",
            summary_params={"quantity": 120},
        )
    stored = await AuditEntry.select(AuditEntry.summary).first()
    assert stored is not None and stored["summary"] == "Submitted: 120 pieces"  # for searches
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.admin.id)
    await client.log_in(cast.admin)
    page = await client.get("/audit")
    assert "已提交：120 件" in page.text
