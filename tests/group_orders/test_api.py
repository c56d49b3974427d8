"""The JSON API for the client's HR system: campaigns, roster and responses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from group_orders import choices
from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from tests.group_orders.support import (
    NOW,
    add_people,
    choice_form,
    items,
    make_campaign,
    make_uniform,
)
from tests.support import (
    Cast,
    PortalClient,
    check_a_forged_cursor_is_refused_in_korean,
    cursor_pages,
    problem_fields,
)


async def test_an_hr_system_adds_people_and_reads_the_responses(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await choices.save_choices(
        person, campaign, choice_form(await items(campaign), {0: ("170/88A", 2)})
    )
    token = await create_api_token(await viewer_for_user_id(cast.client.id), "HR")
    client.headers["Authorization"] = f"Bearer {token}"
    base = f"/api/v1/group-campaigns/{campaign.uuid}"

    added = await client.post(
        f"{base}/employees", json={"employee_number": "E2", "name": "김민준", "language": "ko"}
    )
    assert added.status_code == 201, added.text
    assert added.json()["language"] == "ko"
    refused = await client.post(
        f"{base}/employees", json={"employee_number": "E2", "name": "x", "email": "bad"}
    )
    assert set(problem_fields(refused)) == {"email"}

    detail = (await client.get(base)).json()
    assert (detail["roster"], detail["responded"], detail["total_quantity"]) == (2, 1, 2)
    assert (detail["price_source"], detail["pieces_per_category"]) == ("price_list", {})
    assert sorted(
        row["employee_number"] for row in (await client.get(f"{base}/employees")).json()["items"]
    ) == [
        "E1",
        "E2",
    ]
    [line] = (await client.get(f"{base}/responses")).json()["items"]
    assert (line["employee_number"], line["size"], line["quantity"]) == ("E1", "170/88A", 2)

    other = await create_api_token(await viewer_for_user_id(cast.other_kam.id), "other")
    client.headers["Authorization"] = f"Bearer {other}"
    assert (await client.get(base)).status_code == 404
    assert (await client.get("/api/v1/group-campaigns")).json() == {
        "items": [],
        "next_cursor": None,
    }


async def test_campaigns_page_with_a_cursor_the_latest_closing_first(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    uniform = await make_uniform()
    # Two close on the same day: the later one made comes first, then by closing date.
    made = [
        await make_campaign(cast, uniform, NOW.date() + timedelta(days=days))
        for days in (0, 7, 7, 3)
    ]
    token = await create_api_token(await viewer_for_user_id(cast.client.id), "HR")
    client.headers["Authorization"] = f"Bearer {token}"

    pages = await cursor_pages(client, "/api/v1/group-campaigns")

    assert pages == [
        [str(made[2].uuid), str(made[1].uuid)],
        [str(made[3].uuid), str(made[0].uuid)],
    ]


async def test_the_roster_and_the_responses_page_with_a_cursor(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    # Listed in the order they joined the roster, whatever their department.
    roster = await add_people(
        campaign, ("E3", "王小明", "零售"), ("E1", "李娜", "IT"), ("E2", "张伟", "零售")
    )
    joined = sorted(roster, key=lambda person: person.id)
    offered = await items(campaign)
    for person, picks in zip(
        joined, ({0: ("170/88A", 1), 1: ("170/76A", 1)}, {}, {0: ("175/92A", 2)}), strict=True
    ):
        if picks:
            await choices.save_choices(person, campaign, choice_form(offered, picks))
    token = await create_api_token(await viewer_for_user_id(cast.client.id), "HR")
    client.headers["Authorization"] = f"Bearer {token}"
    base = f"/api/v1/group-campaigns/{campaign.uuid}"

    people = await cursor_pages(client, f"{base}/employees", key="employee_number")
    answers = await cursor_pages(client, f"{base}/responses", key="employee_number")
    sizes = await cursor_pages(client, f"{base}/responses", key="size")

    assert people == [["E3", "E1"], ["E2"]]
    assert answers == [["E3", "E3"], ["E2"]]
    assert sizes == [["170/88A", "170/76A"], ["175/92A"]]
    await check_a_forged_cursor_is_refused_in_korean(client, f"{base}/employees")
    await check_a_forged_cursor_is_refused_in_korean(client, f"{base}/responses")
