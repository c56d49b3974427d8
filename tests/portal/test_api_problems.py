"""Every API error is an RFC 9457 problem with field-level details, in the language of
the token's user (or of Accept-Language when the user chose none), never a 500."""

from __future__ import annotations

import uuid

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.partners.tables import User
from tests.support import Cast, Member, PortalClient, problem_fields, problem_messages


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


async def test_a_wrong_type_is_named_by_field_in_the_readers_language(
    client: PortalClient, cast: Cast
) -> None:
    headers = {**await token_for(cast.admin), "Accept-Language": "zh-CN"}

    wrong = await client.post("/api/v1/orders", headers=headers, json={"buyer": 5, "lines": []})

    assert problem_fields(wrong) == {"buyer": "type"}
    assert wrong.json()["title"] == "请求无效"
    assert problem_messages(wrong)["buyer"].startswith("应为")


async def test_the_token_users_own_language_wins(client: PortalClient, cast: Cast) -> None:
    await User.update({User.locale: "ko"}).where(User.id == cast.distributor.id)
    headers = {**await token_for(cast.distributor), "Accept-Language": "en"}

    limit = await client.get("/api/v1/orders?limit=0", headers=headers)
    missing = await client.get(f"/api/v1/orders/{uuid.uuid4()}", headers=headers)
    required = await client.put(
        f"/api/v1/orders/{uuid.uuid4()}/lines", headers=headers, json={"lines": []}
    )

    assert problem_fields(limit) == {"limit": "out_of_range"}
    assert limit.json()["title"] == "잘못된 요청"
    assert problem_messages(limit)["limit"].startswith("값은")
    problem_fields(missing, 404)
    # The order is looked for before the body is judged: nothing about the body leaks.
    assert problem_fields(required, 404) == {}
