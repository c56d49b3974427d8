from datetime import UTC, datetime, timedelta

from partner_portal.accounts.tables import Invitation
from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import User
from tests.accounts.helpers import invite_form, link_token, program_with_token
from tests.support import PortalClient

NEW_PASSWORD = "a brand new password"


async def test_an_admin_invites_a_user_who_sets_a_password_and_signs_in(
    app, client: PortalClient, cast
) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form("/users/invite", invite_form(cast))
    assert response.status_code == 200, response.text
    assert "http://testserver/set-password/" in response.text
    token = link_token(response)

    user = await User.select().where(User.email == "new.buyer@jincheng.test").first()
    assert user is not None
    assert user["display_name"] == "张伟"
    assert user["password_hash"] == ""
    assert user["role"] == "distributor"
    assert user["organisation"] == cast.distributor_a.id
    assert user["locale"] == "zh_Hans"
    assert await Invitation.count().where(Invitation.token_hash == token) == 0  # stored hashed

    async with PortalClient.for_app(app) as invited:
        page = await invited.get(f"/set-password/{token}")
        assert page.status_code == 200
        assert "张伟" in page.text
        response = await invited.post_form(
            f"/set-password/{token}", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
        )
        assert response.status_code == 303
        response = await invited.post_form(
            "/login", {"email": "New.Buyer@jincheng.test", "password": NEW_PASSWORD}
        )
        assert response.status_code == 303

        # The link works once.
        again = await invited.get(f"/set-password/{token}")
        assert again.status_code == 404
        response = await invited.post_form(
            f"/set-password/{token}",
            {"password": "another password!", "confirmation": "another password!"},
        )
        assert response.status_code == 404


async def test_an_expired_link_is_refused(client: PortalClient, cast, frozen_clock) -> None:
    frozen_clock.frozen_at = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    await client.log_in(cast.admin)
    token = link_token(await client.post_form("/users/invite", invite_form(cast)))
    frozen_clock.frozen_at += timedelta(hours=73)
    response = await client.get(f"/set-password/{token}")
    assert response.status_code == 404
    assert "not valid" in response.text


async def test_mismatched_passwords_re_render_with_an_error(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    token = link_token(await client.post_form("/users/invite", invite_form(cast)))
    response = await client.post_form(
        f"/set-password/{token}", {"password": NEW_PASSWORD, "confirmation": "something else"}
    )
    assert response.status_code == 400
    assert "The two passwords do not match." in response.text
    user = await User.select(User.password_hash).where(User.email == "new.buyer@jincheng.test")
    assert user[0]["password_hash"] == ""


async def test_invalid_input_re_renders_the_form_with_errors_and_saves_nothing(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.admin)
    users_before = await User.count()
    response = await client.post_form(
        "/users/invite",
        invite_form(cast, email="not-an-address", display_name="", time_zone="Mars/Base"),
    )
    assert response.status_code == 400
    assert "Enter an e-mail address like name@example.com." in response.text
    assert "Enter the name as it is written" in response.text
    assert "Enter a time zone like" in response.text
    assert 'value="not-an-address"' in response.text
    assert await User.count() == users_before


async def test_the_email_must_be_unique_whatever_its_case(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form("/users/invite", invite_form(cast, email="KAM@brand.test"))
    assert response.status_code == 400
    assert "already exists" in response.text


async def test_the_role_must_fit_the_kind_of_organisation(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    users_before = await User.count()
    response = await client.post_form(
        "/users/invite", invite_form(cast, organisation=str(cast.mill.uuid), role="distributor")
    )
    assert response.status_code == 400
    assert "does not fit" in response.text
    response = await client.post_form(
        "/users/invite", invite_form(cast, organisation=str(cast.brand.uuid), role="retailer")
    )
    assert response.status_code == 400
    assert await User.count() == users_before


async def test_a_kams_manager_must_be_another_kam(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form(
        "/users/invite",
        invite_form(
            cast,
            email="new.kam@brand.test",
            organisation=str(cast.brand.uuid),
            role="kam",
            manager=str(cast.staff.uuid),
        ),
    )
    assert response.status_code == 400
    assert "another key-account manager" in response.text
    response = await client.post_form(
        "/users/invite",
        invite_form(
            cast,
            email="new.kam@brand.test",
            organisation=str(cast.brand.uuid),
            role="kam",
            manager=str(cast.kam_manager.uuid),
        ),
    )
    assert response.status_code == 200
    row = await User.select(User.manager).where(User.email == "new.kam@brand.test").first()
    assert row == {"manager": cast.kam_manager.id}


async def test_a_distributor_admin_invites_a_colleague_to_their_own_organisation(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.distributor)
    page = await client.get("/users/invite")
    assert page.status_code == 200
    assert str(cast.distributor_a.uuid) in page.text
    assert str(cast.distributor_b.uuid) not in page.text
    response = await client.post_form("/users/invite", invite_form(cast))
    assert response.status_code == 200
    assert "/set-password/" in response.text
    (entry,) = await AuditEntry.select().where(AuditEntry.action == "invite")
    assert entry["actor_label"] == cast.distributor.email
    assert entry["organisation"] == cast.distributor_a.id


async def test_a_distributor_admin_gets_404_for_another_distributor(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.distributor)
    response = await client.post_form(
        "/users/invite", invite_form(cast, organisation=str(cast.distributor_b.uuid))
    )
    assert response.status_code == 404


async def test_a_distributor_admin_may_not_invite_to_a_retailer_it_serves(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.distributor)
    response = await client.post_form(
        "/users/invite",
        invite_form(cast, organisation=str(cast.retailer_a.uuid), role="retailer"),
    )
    assert response.status_code == 403


async def test_a_partner_user_who_is_not_org_admin_may_not_invite(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.distributor_colleague)
    assert (await client.get("/users/invite")).status_code == 403
    response = await client.post_form("/users/invite", invite_form(cast))
    assert response.status_code == 403
    assert await User.count().where(User.email == "new.buyer@jincheng.test") == 0


async def test_a_kam_may_not_invite(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    assert (await client.get("/users/invite")).status_code == 403
    response = await client.post_form("/users/invite", invite_form(cast))
    assert response.status_code == 403


async def test_a_new_link_replaces_the_old_one(app, client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    old_token = link_token(await client.post_form("/users/invite", invite_form(cast)))
    (user,) = await User.select(User.uuid).where(User.email == "new.buyer@jincheng.test")
    response = await client.post_form(f"/users/{user['uuid']}/new-link")
    assert response.status_code == 200
    new_token = link_token(response)
    assert new_token != old_token
    assert (await client.get(f"/set-password/{old_token}")).status_code == 404
    assert (await client.get(f"/set-password/{new_token}")).status_code == 200
    assert await AuditEntry.count().where(AuditEntry.action == "new_link") == 1


async def test_a_password_reset_through_a_new_link_revokes_api_tokens_and_sessions(
    app, client: PortalClient, cast
) -> None:
    async with program_with_token(app, cast.kam) as erp, PortalClient.for_app(app) as kam_browser:
        await kam_browser.log_in(cast.kam)
        await client.log_in(cast.admin)
        reset_link = link_token(await client.post_form(f"/users/{cast.kam.uuid}/new-link"))
        async with PortalClient.for_app(app) as reset:
            response = await reset.post_form(
                f"/set-password/{reset_link}",
                {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
            )
            assert response.status_code == 303

        assert (await erp.get("/api/v1/partners")).status_code == 401
        assert (await kam_browser.get("/account")).status_code == 303
