"""The JSON API for partners and contacts: tokens, visibility, validation, versions."""

from __future__ import annotations

from typing import Any

import pytest

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.partners.tables import Contact, Organisation
from tests.support import Cast, Member, PortalClient, problem_fields

VALID_USCC = "91310000MA1FL8TQ36"


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


async def test_it_refuses_requests_without_a_valid_token(client: PortalClient, cast: Cast) -> None:
    assert (await client.get("/api/v1/partners")).status_code == 401
    response = await client.get("/api/v1/partners", headers={"Authorization": "Bearer tl_nope"})
    problem_fields(response, 401)


async def test_a_kam_lists_only_their_own_and_their_teams_partners(
    client: PortalClient, cast: Cast
) -> None:
    response = await client.get("/api/v1/partners", headers=await token_for(cast.kam))
    assert response.status_code == 200
    names = {item["legal_name"] for item in response.json()["items"]}
    assert names == {
        cast.distributor_a.legal_name,
        cast.retailer_a.legal_name,
        cast.bank.legal_name,
    }
    manager = await client.get("/api/v1/partners", headers=await token_for(cast.kam_manager))
    assert {item["legal_name"] for item in manager.json()["items"]} == names


async def test_a_distributor_sees_itself_and_its_retailer_and_filters_apply(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.distributor)
    everything = await client.get("/api/v1/partners", headers=headers)
    assert {item["id"] for item in everything.json()["items"]} == {
        str(cast.distributor_a.uuid),
        str(cast.retailer_a.uuid),
    }
    retailers = await client.get("/api/v1/partners?kind=retailer", headers=headers)
    assert [item["id"] for item in retailers.json()["items"]] == [str(cast.retailer_a.uuid)]


async def test_another_organisations_partner_answers_404(client: PortalClient, cast: Cast) -> None:
    headers = await token_for(cast.distributor)
    response = await client.get(f"/api/v1/partners/{cast.distributor_b.uuid}", headers=headers)
    assert response.status_code == 404
    own = await client.get(f"/api/v1/partners/{cast.distributor_a.uuid}", headers=headers)
    assert own.status_code == 200
    assert own.json()["legal_name"] == cast.distributor_a.legal_name


async def test_a_kam_creates_a_partner_they_then_own(client: PortalClient, cast: Cast) -> None:
    payload = {
        "legal_name": "苏州新锦贸易有限公司",
        "kind": "distributor",
        "country": "CN",
        "tax_id": VALID_USCC,
        "tier": "gold",
        "territories": ["CN-JS"],
        "addresses": [
            {
                "kind": "office",
                "country": "CN",
                "region": "江苏省",
                "city": "苏州市",
                "street": "人民路 100 号",
            }
        ],
    }
    response = await client.post(
        "/api/v1/partners", json=payload, headers=await token_for(cast.kam)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["owner_email"] == cast.kam.email
    assert created["territories"] == ["CN-JS"]
    assert created["addresses"][0]["city"] == "苏州市"
    assert created["version"] == 1


async def test_bad_input_is_refused_field_by_field_and_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    before = await Organisation.count()
    response = await client.post(
        "/api/v1/partners",
        json={
            "legal_name": "",
            "kind": "distributor",
            "country": "CN",
            "tax_id": "91310000MA1FL8TQ3Y",
        },
        headers=await token_for(cast.admin),
    )
    errors = problem_fields(response)
    assert set(errors) >= {"legal_name", "tax_id"}
    assert await Organisation.count() == before


async def test_a_malformed_body_is_a_400_not_a_500(client: PortalClient, cast: Cast) -> None:
    headers = await token_for(cast.admin)
    unknown_field = await client.post("/api/v1/partners", json={"colour": "red"}, headers=headers)
    assert problem_fields(unknown_field) == {"colour": "unknown_field"}
    wrong_type = await client.post("/api/v1/partners", json={"legal_name": 7}, headers=headers)
    assert problem_fields(wrong_type) == {"legal_name": "type"}
    not_json = await client.post(
        "/api/v1/partners",
        content=b"{nope",
        headers={**headers, "content-type": "application/json"},
    )
    assert problem_fields(not_json) == {"": "json"}


@pytest.mark.parametrize("member", ["staff", "distributor", "supplier"])
async def test_roles_without_the_permission_get_403(
    client: PortalClient, cast: Cast, member: str
) -> None:
    response = await client.post(
        "/api/v1/partners",
        json={"legal_name": "X", "kind": "retailer", "country": "CN"},
        headers=await token_for(cast.users[member]),
    )
    assert response.status_code == 403


async def test_an_update_needs_the_current_version_and_a_stale_one_gets_409(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.kam)
    url = f"/api/v1/partners/{cast.distributor_a.uuid}"
    version = (await client.get(url, headers=headers)).json()["version"]
    no_version = await client.patch(url, json={"tier": "platinum"}, headers=headers)
    assert problem_fields(no_version) == {"version": "invalid"}
    first = await client.patch(url, json={"tier": "platinum", "version": version}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["tier"] == "platinum"
    assert first.json()["version"] == version + 1
    stale = await client.patch(url, json={"tier": "silver", "version": version}, headers=headers)
    problem_fields(stale, 409)
    body = stale.json()
    assert body["current_version"] == version + 1
    assert body["changes"][0]["fields"]["tier"] == ["gold", "platinum"]
    assert (await client.get(url, headers=headers)).json()["tier"] == "platinum"


async def test_an_update_keeps_the_fields_it_does_not_send(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.admin)
    url = f"/api/v1/partners/{cast.distributor_a.uuid}"
    before = (await client.get(url, headers=headers)).json()
    response = await client.patch(
        url, json={"phone": "+86 21 5555 0101", "version": before["version"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["phone"] == "+86 21 5555 0101"
    assert {key: after[key] for key in ("legal_name", "tier", "owner", "kind")} == {
        key: before[key] for key in ("legal_name", "tier", "owner", "kind")
    }


async def test_contacts_are_created_read_updated_and_deleted(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.distributor)
    created = await client.post(
        f"/api/v1/partners/{cast.distributor_a.uuid}/contacts",
        json={
            "name": "张伟",
            "romanised_name": "Zhang Wei",
            "wechat_id": "zhangwei_sh",
            "is_primary": True,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["partner"] == str(cast.distributor_a.uuid)
    second = await client.post(
        f"/api/v1/partners/{cast.distributor_a.uuid}/contacts",
        json={"name": "李娜"},
        headers=headers,
    )
    assert second.status_code == 201, second.text
    contacts = f"/api/v1/partners/{cast.distributor_a.uuid}/contacts"
    first_page = (await client.get(f"{contacts}?limit=1", headers=headers)).json()
    assert len(first_page["items"]) == 1 and first_page["next_cursor"]
    last_page = (
        await client.get(
            contacts, params={"limit": 1, "cursor": first_page["next_cursor"]}, headers=headers
        )
    ).json()
    assert last_page["next_cursor"] is None
    names = [item["name"] for item in first_page["items"] + last_page["items"]]
    assert sorted(names) == ["张伟", "李娜"]
    assert [item["is_primary"] for item in first_page["items"] + last_page["items"]] == [
        name == "张伟" for name in names
    ]
    await client.delete(f"/api/v1/contacts/{second.json()['id']}", headers=headers)
    updated = await client.patch(
        f"/api/v1/contacts/{contact['id']}",
        json={"job_title": "采购经理", "version": contact["version"]},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["job_title"] == "采购经理"
    assert updated.json()["wechat_id"] == "zhangwei_sh"
    assert (
        await client.delete(f"/api/v1/contacts/{contact['id']}", headers=headers)
    ).status_code == 204
    assert await Contact.count() == 0


async def test_a_distributor_may_not_change_its_retailers_contacts(
    client: PortalClient, cast: Cast
) -> None:
    response = await client.post(
        f"/api/v1/partners/{cast.retailer_a.uuid}/contacts",
        json={"name": "刘洋"},
        headers=await token_for(cast.distributor),
    )
    assert response.status_code == 403
    foreign = await client.post(
        f"/api/v1/partners/{cast.distributor_b.uuid}/contacts",
        json={"name": "刘洋"},
        headers=await token_for(cast.distributor),
    )
    assert foreign.status_code == 404


async def test_the_session_cookie_reads_the_api_but_cannot_write_it(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    assert (await client.get("/api/v1/partners")).status_code == 200
    response = await client.post(
        "/api/v1/partners", json={"legal_name": "X", "kind": "retailer", "country": "CN"}
    )
    assert response.status_code == 401


async def test_the_openapi_document_lists_the_api_and_no_pages(client: PortalClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/partners" in paths
    assert "/api/v1/contacts/{contact_id}" in paths
    assert all(path.startswith("/api/") for path in paths)


async def test_the_list_pages_with_an_opaque_cursor_until_it_runs_out(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.admin)
    everything = (await client.get("/api/v1/partners?limit=200", headers=headers)).json()
    assert everything["next_cursor"] is None

    walked: list[str] = []
    cursor = ""
    while True:
        page = (
            await client.get(f"/api/v1/partners?limit=2&cursor={cursor}", headers=headers)
        ).json()
        assert len(page["items"]) <= 2
        walked += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]

    assert walked == [item["id"] for item in everything["items"]] and len(walked) == 5
    bad = await client.get("/api/v1/partners?cursor=not-a-cursor", headers=headers)
    assert problem_fields(bad) == {"cursor": "invalid"}
    too_many = await client.get("/api/v1/partners?limit=201", headers=headers)
    assert problem_fields(too_many) == {"limit": "out_of_range"}


async def test_the_timeline_pages_newest_first_and_hides_internal_notes_from_partners(
    client: PortalClient, cast: Cast
) -> None:
    from datetime import UTC, datetime

    from partner_portal.partners.tables import TimelineEntry

    noon = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
    entries = [
        ("call", datetime(2026, 11, 1, 2, 0, tzinfo=UTC), False, "oldest"),
        ("visit", noon, False, "same moment, first"),
        ("note", noon, True, "same moment, internal"),
        ("call", datetime(2026, 11, 3, 9, 30, tzinfo=UTC), False, "newest"),
    ]
    for kind, moment, internal, summary in entries:
        await TimelineEntry.insert(
            TimelineEntry(
                organisation=cast.distributor_a.id,
                kind=kind,
                occurred_at=moment,
                internal=internal,
                summary=summary,
                created_at=moment,
            )
        ).run()
    url = f"/api/v1/partners/{cast.distributor_a.uuid}/timeline"

    async def walk(member: Member) -> list[str]:
        headers = await token_for(member)
        summaries: list[str] = []
        cursor = ""
        while True:
            page = (await client.get(f"{url}?limit=1&cursor={cursor}", headers=headers)).json()
            summaries += [entry["summary"] for entry in page["items"]]
            if page["next_cursor"] is None:
                return summaries
            cursor = page["next_cursor"]

    assert await walk(cast.kam) == [
        "newest",
        "same moment, internal",
        "same moment, first",
        "oldest",
    ]
    assert await walk(cast.distributor) == ["newest", "same moment, first", "oldest"]
    other = await client.get(url, headers=await token_for(cast.other_distributor))
    problem_fields(other, 404)


async def test_a_forged_cursor_with_a_number_too_large_for_an_id_is_refused(
    client: PortalClient, cast: Cast
) -> None:
    import base64

    forged = base64.urlsafe_b64encode(b'["A", 99999999999999999999999]').decode().rstrip("=")
    response = await client.get(
        f"/api/v1/partners?cursor={forged}", headers=await token_for(cast.kam)
    )
    assert response.status_code == 400
    assert problem_fields(response) == {"cursor": "invalid"}


async def test_an_update_replaces_the_addresses_sent_and_keeps_those_left_out(
    client: PortalClient, cast: Cast
) -> None:
    headers = await token_for(cast.kam)
    url = f"/api/v1/partners/{cast.distributor_a.uuid}"
    office = {"kind": "office", "country": "CN", "region": "上海市", "city": "上海市"}
    warehouse = {"kind": "warehouse", "country": "CN", "region": "江苏省", "city": "昆山市"}

    async def patch(body: dict[str, Any]) -> dict[str, Any]:
        version = (await client.get(url, headers=headers)).json()["version"]
        answer = await client.patch(url, headers=headers, json={**body, "version": version})
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    two = await patch({"addresses": [office, warehouse]})
    assert [address["city"] for address in two["addresses"]] == ["上海市", "昆山市"]
    kept = await patch({"phone": "+86 21 5555 0100"})
    assert [address["city"] for address in kept["addresses"]] == ["上海市", "昆山市"]
    one = await patch({"addresses": [warehouse]})
    assert [address["city"] for address in one["addresses"]] == ["昆山市"]
    cleared = await patch({"addresses": []})
    assert cleared["addresses"] == []


async def test_an_integration_logs_a_call_on_the_timeline_as_the_page_does(
    client: PortalClient, cast: Cast
) -> None:
    url = f"/api/v1/partners/{cast.distributor_a.uuid}/timeline"
    headers = await token_for(cast.kam)

    logged = await client.post(
        url,
        headers=headers,
        json={
            "kind": "call",
            "occurred_at": "2026-11-05T10:30:00+08:00",
            "summary": "王总 confirmed the AW27 pre-book by Friday",
            "internal": True,
        },
    )
    refused = await client.post(url, headers=headers, json={"kind": "gossip", "summary": ""})

    assert logged.status_code == 201, logged.text
    entry = logged.json()
    assert (entry["kind"], entry["internal"], entry["occurred_at"]) == (
        "call",
        True,
        "2026-11-05T02:30:00Z",
    )
    assert set(problem_fields(refused)) == {"kind", "summary"}
    [first] = (await client.get(url, headers=headers)).json()["items"]
    assert first["id"] == entry["id"]
    # The partner's own users never read the brand's internal entry; logging is the
    # brand's, as on the page (the role table).
    own = await token_for(cast.distributor)
    assert (await client.get(url, headers=own)).json()["items"] == []
    refused_partner = await client.post(
        url, headers=own, json={"kind": "note", "summary": "Samples arrived"}
    )
    assert refused_partner.status_code == 403
