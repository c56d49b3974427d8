"""Users through the API, with the Users page's rules: a partner organisation's admin
lists its own organisation's users, a brand administrator everyone's (filtered as on the
page), a page at a time; nobody else lists any."""

from __future__ import annotations

from tests.support import Cast, PortalClient
from tests.webhooks.support import token_for


async def test_an_organisation_admin_lists_its_own_organisations_users_a_page_at_a_time(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.distributor)
    first = (await client.get("/api/v1/users", headers=headers, params={"limit": 1})).json()
    rest = (
        await client.get(
            "/api/v1/users", headers=headers, params={"limit": 1, "cursor": first["next_cursor"]}
        )
    ).json()

    users = first["items"] + rest["items"]
    assert sorted(user["email"] for user in users) == sorted(
        [cast.distributor_colleague.email, cast.distributor.email]
    )
    assert rest["next_cursor"] is None
    assert {user["organisation"] for user in users} == {str(cast.distributor_a.uuid)}
    admin = next(user for user in users if user["email"] == cast.distributor.email)
    assert admin["is_org_admin"] is True and admin["role"] == "distributor"
    assert admin["status"] in ("active", "invited")
    assert (
        await client.get(f"/api/v1/users/{cast.admin.uuid}", headers=headers)
    ).status_code == 404
    colleague = await token_for(cast.distributor_colleague)
    assert (await client.get("/api/v1/users", headers=colleague)).status_code == 403


async def test_a_brand_admin_reads_any_organisations_users(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.admin)
    listed = await client.get(
        "/api/v1/users", headers=headers, params={"organisation": str(cast.distributor_b.uuid)}
    )
    assert [user["email"] for user in listed.json()["items"]] == [cast.other_distributor.email]
    one = await client.get(f"/api/v1/users/{cast.kam.uuid}", headers=headers)
    assert one.status_code == 200
    assert one.json()["manager"] == str(cast.kam_manager.uuid)
    assert one.json()["created_at"].endswith("Z")
