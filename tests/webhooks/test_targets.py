"""An endpoint cannot make the portal reach inside its own network: a URL whose host is or
resolves to a loopback, private, link-local (the cloud metadata address among them),
multicast or reserved address is refused when registered, in the reader's language, and
never sent to, even when it was accepted before (its DNS may have changed since). The
suite's receiver on 127.0.0.1 is reached only because these tests' conftest sets
WEBHOOK_ALLOW_PRIVATE_TARGETS; here it is off, as in production."""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any

import pytest

from partner_portal.settings import Settings, install
from tests.http_receiver import Receiver
from tests.support import Cast, PortalClient, problem_fields, problem_messages
from tests.webhooks.support import deliver, record_submitted, register, token_for
from webhooks import targets
from webhooks.tables import WebhookEndpoint

INTERNAL = (
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/admin",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[::1]/hook",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[2002:a00:1::]/",
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_allow_private_targets=False)


@pytest.mark.parametrize("url", INTERNAL)
async def test_an_internal_address_is_refused_on_registration_and_nothing_saved(
    client: PortalClient, cast: Cast, url: str
) -> None:
    headers = {**await token_for(cast.admin), "Accept-Language": "zh-Hans"}
    refused = await client.post(
        "/api/v1/webhook-endpoints",
        headers=headers,
        json={"url": url, "event_types": ["order.submitted"]},
    )
    assert problem_fields(refused) == {"url": "invalid"}
    assert "webhooks are only sent" not in problem_messages(refused)["url"]  # in Chinese
    assert await WebhookEndpoint.count() == 0


async def test_the_page_says_why_in_the_readers_language(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.distributor)
    english = await client.post_form(
        "/webhooks",
        {"url": "http://169.254.169.254/latest/meta-data/", "event_types": ["order.submitted"]},
    )
    assert english.status_code == 400
    assert "169.254.169.254" in english.text and "private or internal network" in english.text
    korean = await client.post(
        "/api/v1/webhook-endpoints",
        headers={**await token_for(cast.distributor), "Accept-Language": "ko"},
        json={"url": "http://localhost:5432/", "event_types": ["order.submitted"]},
    )
    message = problem_messages(korean)["url"]
    assert "127.0.0.1" in message or "::1" in message
    assert "private or internal" not in message
    assert await WebhookEndpoint.count() == 0


async def test_an_endpoint_accepted_before_is_not_sent_to_once_its_address_is_internal(
    client: PortalClient, cast: Cast, receiver: Receiver, settings: Settings, app: Any
) -> None:
    # Registered while internal receivers were allowed (or while its DNS pointed outside).
    app.state.settings = install(dataclasses.replace(settings, webhook_allow_private_targets=True))
    endpoint = await register(client, cast.admin, receiver, "order.submitted")
    app.state.settings = install(settings)
    await record_submitted(cast.distributor, cast.distributor_a, "SO-INSIDE")

    report = await deliver()

    assert receiver.posts == [] and report.failed == 1
    log = await client.get(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries",
        headers={**await token_for(cast.admin), "Accept-Language": "ko"},
    )
    [item] = log.json()["items"]
    assert item["state"] == "pending" and item["last_status"] is None
    assert "127.0.0.1" in item["last_error"] and "public internet" not in item["last_error"]
    await client.log_in(cast.admin)
    page = await client.get(f"/webhooks/{endpoint['id']}")
    assert "127.0.0.1" in page.text and "private or internal network" in page.text


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("8.8.8.8", True),
        ("127.0.0.2", False),
        ("169.254.169.254", False),
        ("10.1.2.3", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::7f00:1", False),
    ],
)
def test_only_globally_routable_addresses_are_public(address: str, public: bool) -> None:
    assert targets.is_public(ipaddress.ip_address(address)) is public


async def test_a_public_target_is_sent_to_the_address_that_was_checked() -> None:
    checked = await targets.check("https://user:pw@93.184.216.34:8443/hook?a=1", False)
    assert not checked.refused
    assert targets.pinned_url(checked) == "https://user:pw@93.184.216.34:8443/hook?a=1"
    assert targets.host_header(checked) == "93.184.216.34:8443"
    unknown = await targets.check("https://no-such-host.invalid/hook", False)
    assert unknown.refusal == targets.NOT_FOUND
