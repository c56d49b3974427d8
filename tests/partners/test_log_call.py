"""A call is logged in two clicks wherever a KAM meets a partner: the partner page (at
the top, before anything else), the partner list and the agenda."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from partner_portal.partners.tables import TimelineEntry
from tests.scheduler.support import follow_up
from tests.support import Cast, PortalClient


async def _calls(organisation_id: int) -> list[dict[str, object]]:
    return await TimelineEntry.select(
        TimelineEntry.kind, TimelineEntry.summary, TimelineEntry.internal
    ).where(TimelineEntry.organisation == organisation_id, TimelineEntry.kind == "call")


async def test_the_partner_page_opens_with_log_a_call_before_its_details(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    page = (await client.get(f"/partners/{cast.bank.uuid}")).text
    assert 0 < page.index("Log a call") < page.index('id="details"')

    logged = await client.post_form(
        f"/partners/{cast.bank.uuid}/timeline",
        {
            "kind": "call",
            "summary": "确认下季订货量",
            "internal": "1",
            "next": f"/partners/{cast.bank.uuid}#timeline",
        },
    )
    assert logged.status_code == 303
    assert await _calls(cast.bank.id) == [
        {"kind": "call", "summary": "确认下季订货量", "internal": True}
    ]


async def test_a_call_logged_from_the_partner_list_goes_back_to_the_same_list(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    listing = (await client.get("/partners?q=&page=1")).text
    # Each row offers the form, drawn only when asked for.
    links = dict(re.findall(r'href="/partners/([0-9a-f-]{36})/log-call\?next=([^"]+)"', listing))
    assert 'name="summary"' not in listing
    opened = await client.get(
        f"/partners/{cast.retailer_a.uuid}/log-call",
        params={"next": unquote(links[str(cast.retailer_a.uuid)])},
        headers={"HX-Request": "true"},
    )
    assert opened.status_code == 200 and "<html" not in opened.text
    assert f'action="/partners/{cast.retailer_a.uuid}/timeline"' in opened.text
    back = re.search(r'name="next" value="([^"]+)"', opened.text)
    assert back is not None and back.group(1).startswith("/partners?")

    logged = await client.post_form(
        f"/partners/{cast.retailer_a.uuid}/timeline",
        {"kind": "call", "summary": "补货 60 件", "next": back.group(1).replace("&amp;", "&")},
    )
    assert logged.status_code == 303
    assert logged.headers["location"].startswith("/partners?")
    assert [row["summary"] for row in await _calls(cast.retailer_a.id)] == ["补货 60 件"]


async def test_the_log_a_call_form_is_a_page_of_its_own_without_javascript_and_only_for_own_partners(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)

    page = await client.get(
        f"/partners/{cast.retailer_a.uuid}/log-call", params={"next": "//evil.example/"}
    )
    hidden = await client.get(f"/partners/{cast.mill.uuid}/log-call")

    assert page.status_code == 200 and "<html" in page.text
    assert cast.retailer_a.legal_name in page.text
    assert 'name="next" value="/partners"' in page.text
    assert hidden.status_code == 404


async def test_a_call_logged_from_the_agenda_goes_back_to_the_agenda_and_never_off_site(
    client: PortalClient, cast: Cast
) -> None:
    uuid = await follow_up(cast.distributor_a, cast.kam, datetime.now(UTC) + timedelta(hours=2))
    await client.log_in(cast.kam)
    agenda = (await client.get("/agenda")).text
    # The row's menu brings its actions, the call among them, when opened.
    actions_url = f"/follow-ups/{uuid}/actions?next=%2Fagenda"
    assert f'hx-get="{actions_url}"' in agenda
    menu = (await client.get(actions_url, headers={"HX-Request": "true"})).text
    assert f'action="/partners/{cast.distributor_a.uuid}/timeline"' in menu
    assert 'name="next" value="/agenda"' in menu

    logged = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/timeline",
        {"kind": "call", "summary": "已确认", "next": "/agenda"},
    )
    assert logged.headers["location"] == "/agenda"
    elsewhere = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/timeline",
        {"kind": "call", "summary": "再次确认", "next": "//evil.example/agenda"},
    )
    assert elsewhere.headers["location"] == f"/partners/{cast.distributor_a.uuid}#timeline"
    # Another KAM's partner stays out of reach.
    hidden = await client.post_form(
        f"/partners/{cast.mill.uuid}/timeline", {"kind": "call", "summary": "x", "next": "/agenda"}
    )
    assert hidden.status_code == 404
