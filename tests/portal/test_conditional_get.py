"""A page the browser already holds comes back as 304 with no body, until something on it
changes; big answers travel gzip-compressed; streamed exports and files are left alone."""

from __future__ import annotations

from partner_portal.partners.tables import Organisation
from tests.support import Cast, PortalClient


async def test_an_unchanged_page_is_not_sent_again(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    first = await client.get("/partners")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    assert "HX-Request" in first.headers["vary"]

    again = await client.get("/partners", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


async def test_a_changed_page_is_sent_with_a_new_tag(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    first = await client.get("/partners")
    await Organisation.update({Organisation.legal_name: "新名字服饰有限公司"}).where(
        Organisation.id == cast.distributor_a.id
    )

    again = await client.get("/partners", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 200
    assert "新名字服饰有限公司" in again.text
    assert again.headers["etag"] != first.headers["etag"]


async def test_an_htmx_fragment_has_its_own_tag(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    page = await client.get("/partners")
    fragment = await client.get("/partners", headers={"HX-Request": "true"})

    assert fragment.status_code == 200
    assert fragment.headers["etag"] != page.headers["etag"]
    asked_with_page_tag = await client.get(
        "/partners", headers={"HX-Request": "true", "If-None-Match": page.headers["etag"]}
    )
    assert asked_with_page_tag.status_code == 200


async def test_big_pages_travel_compressed(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)

    page = await client.get("/partners", headers={"Accept-Encoding": "gzip"})

    assert page.headers["content-encoding"] == "gzip"
    assert int(page.headers["content-length"]) < len(page.content)
    assert "<html" in page.text


async def test_an_answer_that_sets_a_cookie_is_never_answered_from_the_browsers_copy(
    client: PortalClient,
) -> None:
    # A first visit to the sign-in page sets the CSRF cookie its form's token belongs to.
    first = await client.get("/login")
    assert "set-cookie" in first.headers
    assert "etag" not in first.headers
