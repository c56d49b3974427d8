"""Registering endpoints: a brand admin for the brand, a partner's organisation admin for
its own organisation, on the page and through the API; nobody else sees them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from partner_portal.registries import EventKind, registry
from tests.http_receiver import Receiver
from tests.support import (
    Cast,
    PortalClient,
    check_a_forged_cursor_is_refused_in_korean,
    cursor_pages,
    problem_fields,
)
from tests.webhooks.support import deliver, record_submitted, register, token_for
from webhooks.tables import WebhookEndpoint


@pytest.fixture
def brand_only_kind() -> Iterator[EventKind]:
    kind = EventKind("test.brand_only", "Brand only", audience="brand")
    registry.add_event_kind(kind)
    yield kind
    registry.event_kinds.pop(kind.type)


async def test_a_partner_admin_registers_an_endpoint_on_the_page_and_reads_its_secret(
    client: PortalClient, cast: Cast, receiver: Receiver, brand_only_kind: EventKind
) -> None:
    await client.log_in(cast.distributor)
    page = await client.get("/webhooks")
    assert page.status_code == 200
    assert "order.submitted" in page.text and brand_only_kind.type not in page.text

    created = await client.post_form(
        "/webhooks",
        {"url": f"{receiver.url}/hook", "event_types": ["order.submitted", "order.shipped"]},
    )
    assert created.status_code == 303
    endpoint = await WebhookEndpoint.select().output(load_json=True).first()
    assert endpoint is not None
    assert endpoint["organisation"] == cast.distributor_a.id
    assert sorted(endpoint["event_types"]) == ["order.shipped", "order.submitted"]
    shown = await client.get(created.headers["location"])
    assert endpoint["secret"] in shown.text

    await record_submitted(cast.distributor, cast.distributor_a, "SO-PAGE")
    await deliver()
    log = await client.get(created.headers["location"])
    assert "order.submitted" in log.text and "HTTP 204" in log.text


async def test_bad_input_is_refused_in_the_readers_language_and_nothing_saved(
    client: PortalClient, cast: Cast, brand_only_kind: EventKind
) -> None:
    headers = {**await token_for(cast.distributor), "Accept-Language": "ko"}
    refused = await client.post(
        "/api/v1/webhook-endpoints",
        headers=headers,
        json={"url": "ftp://example.com/x" + "x" * 600, "event_types": [brand_only_kind.type]},
    )
    assert set(problem_fields(refused)) == {"url", "event_types"}
    await client.log_in(cast.distributor)
    page = await client.post_form("/webhooks", {"url": "not a url", "description": "x" * 300})
    assert page.status_code == 400 and "Nothing was saved" in page.text
    assert await WebhookEndpoint.count() == 0


async def test_only_an_organisations_admins_see_and_manage_its_endpoints(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    endpoint = await register(client, cast.distributor, receiver, "order.submitted")
    path = f"/api/v1/webhook-endpoints/{endpoint['id']}"
    colleague = await token_for(cast.distributor_colleague)  # not the organisation's admin
    assert (await client.get("/api/v1/webhook-endpoints", headers=colleague)).status_code == 403
    assert (await client.get(path, headers=colleague)).status_code == 403
    for outsider in (cast.other_distributor, cast.admin):
        assert (await client.get(path, headers=await token_for(outsider))).status_code == 404
    listed = await client.get("/api/v1/webhook-endpoints", headers=await token_for(cast.admin))
    assert listed.json()["items"] == []
    owner = await token_for(cast.distributor)
    switched_off = await client.post(f"{path}/disable", headers=owner)
    assert switched_off.status_code == 200 and switched_off.json()["active"] is False
    assert (await client.post(f"{path}/enable", headers=owner)).json()["active"] is True
    removed = await client.delete(path, headers=await token_for(cast.distributor))
    assert removed.status_code == 204 and await WebhookEndpoint.count() == 0


async def test_an_organisations_endpoints_page_with_a_cursor_the_first_registered_first(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    made = [
        await register(client, cast.distributor, receiver, event_type)
        for event_type in ("order.submitted", "order.confirmed", "order.shipped")
    ]
    client.headers.update(await token_for(cast.distributor))

    pages = await cursor_pages(client, "/api/v1/webhook-endpoints")

    assert pages == [[made[0]["id"], made[1]["id"]], [made[2]["id"]]]
    await check_a_forged_cursor_is_refused_in_korean(client, "/api/v1/webhook-endpoints")
