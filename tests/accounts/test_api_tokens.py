from partner_portal.accounts import services
from partner_portal.accounts.tables import ApiToken
from tests.accounts.helpers import create_api_token
from tests.support import PortalClient


async def test_a_created_token_is_shown_once_and_authenticates(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    token = await create_api_token(client)
    viewer = await services.viewer_for_api_token(token, "10.0.0.1")
    assert viewer is not None
    assert viewer.user_id == cast.kam.id

    page = await client.get("/account/tokens")
    assert "ERP import" in page.text
    assert token not in page.text
    assert token[:10] in page.text


async def test_tokens_are_stored_hashed(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    token = await create_api_token(client)
    rows = await ApiToken.select()
    assert len(rows) == 1
    assert token not in {str(value) for value in rows[0].values()}
    assert rows[0]["token_hash"] == services.hash_secret(token)


async def test_a_revoked_token_stops_working(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    token = await create_api_token(client)
    (row,) = await ApiToken.select(ApiToken.uuid)
    response = await client.post_form(f"/account/tokens/{row['uuid']}/revoke")
    assert response.status_code == 303
    assert await services.viewer_for_api_token(token, "") is None
    page = await client.get("/account/tokens")
    assert "ERP import" not in page.text


async def test_nobody_revokes_another_users_token(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    token = await create_api_token(client)
    (row,) = await ApiToken.select(ApiToken.uuid)
    await client.log_in(cast.other_kam)
    response = await client.post_form(f"/account/tokens/{row['uuid']}/revoke")
    assert response.status_code == 404
    assert await services.viewer_for_api_token(token, "") is not None


async def test_a_token_needs_a_name(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form("/account/tokens", {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name" in response.text
    assert await ApiToken.count() == 0
