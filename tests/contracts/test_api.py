"""The contracts API: the same rules as the pages, and the issued PDF byte for byte."""

from __future__ import annotations

import hashlib

from contracts import drafting
from partner_portal.accounts.services import create_api_token
from tests.contracts.support import issue, make_contract, make_template, seen_by, viewer
from tests.support import (
    Cast,
    Member,
    PortalClient,
    check_a_forged_cursor_is_refused_in_korean,
    cursor_pages,
)


async def _as(client: PortalClient, member: Member) -> None:
    client.headers["Authorization"] = f"Bearer {await create_api_token(await viewer(member), 't')}"


async def test_each_side_lists_only_the_contracts_it_may_see_and_downloads_the_pdf(
    client: PortalClient, cast: Cast
) -> None:
    template = await make_template(cast.admin)
    own = await make_contract(cast.admin, cast.distributor_a, template)
    version = await issue(cast.admin, own)
    other = await make_contract(cast.admin, cast.distributor_b, template, currency="KRW")
    await issue(cast.admin, other)
    draft = await make_contract(cast.admin, cast.distributor_a, template)

    await _as(client, cast.distributor)
    listed = (await client.get("/api/v1/contracts")).json()["items"]
    assert [item["number"] for item in listed] == [own["number"]]  # no draft, no other partner
    detail = (await client.get(f"/api/v1/contracts/{own['uuid']}")).json()
    assert detail["status"] == "issued" and detail["terms"]["territory"] == "CN-SH, CN-JS"
    versions = (await client.get(f"/api/v1/contracts/{own['uuid']}/versions")).json()["items"]
    assert [v["pdf_sha256"] for v in versions] == [version.pdf_sha256]
    pdf = await client.get(versions[0]["pdf_url"])
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == version.pdf_sha256
    assert (await client.get(f"/api/v1/contracts/{other['uuid']}")).status_code == 404
    assert (await client.get(f"/api/v1/contracts/{draft['uuid']}")).status_code == 404

    await _as(client, cast.kam)
    numbers = {item["number"] for item in (await client.get("/api/v1/contracts")).json()["items"]}
    assert numbers == {own["number"], draft["number"]}
    await _as(client, cast.supplier)
    assert (await client.get("/api/v1/contracts")).json()["items"] == []


async def test_contracts_page_with_a_cursor_the_last_changed_first(
    client: PortalClient, cast: Cast
) -> None:
    template = await make_template(cast.admin)
    made = [
        await make_contract(cast.admin, partner, template)
        for partner in (cast.distributor_a, cast.retailer_a, cast.distributor_a)
    ]
    await _as(client, cast.kam)

    pages = await cursor_pages(client, "/api/v1/contracts", key="number")

    assert pages == [[made[2]["number"], made[1]["number"]], [made[0]["number"]]]
    await check_a_forged_cursor_is_refused_in_korean(client, "/api/v1/contracts")


async def test_a_contracts_versions_page_with_a_cursor_the_newest_first(
    client: PortalClient, cast: Cast
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    first = await issue(cast.admin, contract)
    issued = await seen_by(cast.admin, contract["uuid"])
    values = {"title": issued.title, "version": str(issued.version), **issued.terms}
    changed = await drafting.update_contract(
        await viewer(cast.admin), issued, {**values, "credit_limit": "900000"}
    )
    assert changed.saved
    second = await issue(cast.admin, contract)
    await _as(client, cast.distributor)
    versions = f"/api/v1/contracts/{contract['uuid']}/versions"

    pages = await cursor_pages(client, versions, size=1)

    assert pages == [[str(second.uuid)], [str(first.uuid)]]
    await check_a_forged_cursor_is_refused_in_korean(client, versions)
