from partner_portal.accounts.tables import Session
from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import User
from tests.accounts.helpers import program_with_token
from tests.support import PASSWORD, PortalClient


async def test_an_admin_lists_every_user_and_filters_them(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    page = await client.get("/users")
    assert page.status_code == 200
    for member in (cast.kam, cast.distributor, cast.other_distributor, cast.supplier):
        assert member.email in page.text
    page = await client.get(f"/users?organisation={cast.distributor_a.uuid}")
    assert cast.distributor.email in page.text
    assert cast.other_distributor.email not in page.text
    assert cast.kam.email not in page.text
    page = await client.get("/users?role=kam")
    assert cast.kam.email in page.text
    assert cast.staff.email not in page.text


async def test_the_list_remembers_its_filters(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    await client.get("/users?role=supplier")
    response = await client.get("/users")
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/users?role=supplier"
    page = await client.get("/users?clear=1")
    assert cast.kam.email in page.text
    assert (await client.get("/users")).status_code == 200


async def test_the_list_filters_by_active(client: PortalClient, cast) -> None:
    await User.update({User.is_active: False}).where(User.id == cast.staff.id)
    await client.log_in(cast.admin)
    page = await client.get("/users?active=0")
    assert cast.staff.email in page.text
    assert cast.kam.email not in page.text


async def test_htmx_gets_only_the_rows(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    response = await client.get("/users?role=kam", headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert cast.kam.email in response.text
    assert "HX-Request" in [part.strip() for part in response.headers["vary"].split(",")]


async def test_a_partner_admin_sees_only_their_own_organisation(client: PortalClient, cast) -> None:
    await client.log_in(cast.distributor)
    page = await client.get("/users")
    assert page.status_code == 200
    assert cast.distributor_colleague.email in page.text
    assert cast.other_distributor.email not in page.text
    assert cast.kam.email not in page.text
    assert (await client.get(f"/users/{cast.other_distributor.uuid}")).status_code == 404
    assert (await client.get(f"/users/{cast.kam.uuid}")).status_code == 404


async def test_kams_staff_and_ordinary_partner_users_may_not_manage_users(
    client: PortalClient, cast
) -> None:
    for member in (cast.kam, cast.staff, cast.distributor_colleague):
        await client.log_in(member)
        assert (await client.get("/users")).status_code == 403
        assert (await client.get(f"/users/{cast.kam.uuid}")).status_code in (403, 404)


async def test_deactivating_a_user_ends_their_sessions_and_blocks_log_in(
    app, client: PortalClient, cast
) -> None:
    async with PortalClient.for_app(app) as kam_browser:
        await kam_browser.log_in(cast.kam)
        assert (await kam_browser.get("/account")).status_code == 200

        await client.log_in(cast.admin)
        response = await client.post_form(f"/users/{cast.kam.uuid}/deactivate")
        assert response.status_code == 303

        assert (await kam_browser.get("/account")).status_code == 303
        assert await Session.count().where(Session.user == cast.kam.id) == 0
        response = await kam_browser.post_form(
            "/login", {"email": cast.kam.email, "password": PASSWORD}
        )
        assert response.status_code == 400

    (entry,) = await AuditEntry.select().where(AuditEntry.action == "deactivate")
    assert entry["entity_uuid"] == cast.kam.uuid
    assert entry["actor_label"] == cast.admin.email


async def test_a_reactivated_user_can_sign_in_again(app, client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    await client.post_form(f"/users/{cast.kam.uuid}/deactivate")
    response = await client.post_form(f"/users/{cast.kam.uuid}/reactivate")
    assert response.status_code == 303
    assert await AuditEntry.count().where(AuditEntry.action == "reactivate") == 1
    async with PortalClient.for_app(app) as other:
        await other.log_in(cast.kam)


async def test_a_deactivated_users_api_tokens_stay_revoked_after_reactivation(
    app, client: PortalClient, cast
) -> None:
    async with program_with_token(app, cast.kam) as erp:
        await client.log_in(cast.admin)
        await client.post_form(f"/users/{cast.kam.uuid}/deactivate")
        await client.post_form(f"/users/{cast.kam.uuid}/reactivate")

        # Someone who left and came back makes new tokens; the old ones do not come back.
        assert (await erp.get("/api/v1/partners")).status_code == 401


async def test_nobody_can_deactivate_themselves(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form(f"/users/{cast.admin.uuid}/deactivate")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.text
    row = await User.select(User.is_active).where(User.id == cast.admin.id).first()
    assert row == {"is_active": True}


async def test_a_partner_admin_deactivates_a_colleague_but_not_others(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.distributor)
    response = await client.post_form(f"/users/{cast.distributor_colleague.uuid}/deactivate")
    assert response.status_code == 303
    response = await client.post_form(f"/users/{cast.other_distributor.uuid}/deactivate")
    assert response.status_code == 404
    response = await client.post_form(f"/users/{cast.kam.uuid}/deactivate")
    assert response.status_code == 404
    inactive = await User.select(User.email).where(User.is_active == False)  # noqa: E712
    assert inactive == [{"email": cast.distributor_colleague.email}]


async def test_a_kam_may_not_deactivate_a_colleague(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(f"/users/{cast.other_kam.uuid}/deactivate")
    assert response.status_code == 403


async def test_an_admin_edits_a_users_role_with_an_audit_entry(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    page = await client.get(f"/users/{cast.other_kam.uuid}/edit")
    assert page.status_code == 200
    response = await client.post_form(
        f"/users/{cast.other_kam.uuid}/edit",
        {"role": "kam", "manager": str(cast.kam_manager.uuid), "version": "1"},
    )
    assert response.status_code == 303
    row = await User.select(User.manager, User.version).where(User.id == cast.other_kam.id)
    assert row == [{"manager": cast.kam_manager.id, "version": 2}]
    entry = (await AuditEntry.select().where(AuditEntry.action == "update").output(load_json=True))[
        0
    ]
    assert entry["changes"] == {"manager": [None, cast.kam_manager.email]}


async def test_a_stale_edit_is_refused_and_shows_the_stored_values(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.admin)
    first = await client.post_form(
        f"/users/{cast.kam.uuid}/edit", {"role": "brand_staff", "version": "1"}
    )
    assert first.status_code == 303
    second = await client.post_form(
        f"/users/{cast.kam.uuid}/edit",
        {"role": "kam", "manager": str(cast.other_kam.uuid), "version": "1"},
    )
    assert second.status_code == 409
    assert "Someone else changed this user" in second.text
    row = await User.select(User.role, User.manager).where(User.id == cast.kam.id).first()
    assert row == {"role": "brand_staff", "manager": None}


async def test_an_edit_must_keep_a_role_that_fits_the_organisation(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form(
        f"/users/{cast.distributor.uuid}/edit", {"role": "kam", "version": "1"}
    )
    assert response.status_code == 400
    assert "does not fit" in response.text


async def test_only_brand_admins_edit_roles(client: PortalClient, cast) -> None:
    await client.log_in(cast.distributor)
    response = await client.get(f"/users/{cast.distributor_colleague.uuid}/edit")
    assert response.status_code == 403
    response = await client.post_form(
        f"/users/{cast.distributor_colleague.uuid}/edit",
        {"role": "distributor", "is_org_admin": "1", "version": "1"},
    )
    assert response.status_code == 403
