from partner_portal.audit.tables import AuditEntry
from tests.accounts.helpers import program_with_token
from tests.support import PASSWORD, PortalClient

NEW_PASSWORD = "my shiny new password"


async def test_a_wrong_current_password_is_refused(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/account/password",
        {"current": "wrong", "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "The current password is wrong." in response.text
    assert await AuditEntry.count().where(AuditEntry.action == "password_change") == 0


async def test_a_short_or_mismatched_new_password_is_refused(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/account/password", {"current": PASSWORD, "password": "short", "confirmation": "short"}
    )
    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    response = await client.post_form(
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirmation": "different!!"},
    )
    assert response.status_code == 400
    assert "The two passwords do not match." in response.text


async def test_the_new_password_works_and_the_old_one_does_not(
    app, client: PortalClient, cast
) -> None:
    async with PortalClient.for_app(app) as other_device:
        await other_device.log_in(cast.kam)
        await client.log_in(cast.kam)
        response = await client.post_form(
            "/account/password",
            {"current": PASSWORD, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
        )
        assert response.status_code == 303
        # This session stays; the other device is signed out.
        assert (await client.get("/account")).status_code == 200
        assert (await other_device.get("/account")).status_code == 303

        response = await other_device.post_form(
            "/login", {"email": cast.kam.email, "password": PASSWORD}
        )
        assert response.status_code == 400
        response = await other_device.post_form(
            "/login", {"email": cast.kam.email, "password": NEW_PASSWORD}
        )
        assert response.status_code == 303
    assert await AuditEntry.count().where(AuditEntry.action == "password_change") == 1


async def test_a_password_change_revokes_every_api_token(app, client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    async with program_with_token(app, cast.kam) as erp:
        response = await client.post_form(
            "/account/password",
            {"current": PASSWORD, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
        )
        assert response.status_code == 303
        assert (await erp.get("/api/v1/partners")).status_code == 401
    page = await client.get("/account/tokens")
    assert "ERP import" not in page.text
    account = await client.get("/account?password_changed=1")
    assert "API tokens were revoked" in account.text
