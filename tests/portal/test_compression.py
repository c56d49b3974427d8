"""Text answers travel compressed in the cheapest encoding the browser takes: brotli where
it is accepted (every current browser over HTTPS), gzip otherwise; the same page keeps one
tag whatever its encoding, so a browser's copy is answered 304 either way."""

from __future__ import annotations

from tests.support import Cast, PortalClient


async def test_a_browser_that_takes_brotli_gets_it_and_one_that_does_not_gets_gzip(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)

    plain = await client.get("/partners", headers={"Accept-Encoding": "identity"})
    in_brotli = await client.get("/partners", headers={"Accept-Encoding": "gzip, deflate, br"})
    in_gzip = await client.get("/partners", headers={"Accept-Encoding": "gzip, deflate"})

    assert "content-encoding" not in plain.headers
    assert in_brotli.headers["content-encoding"] == "br"
    assert in_gzip.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in in_brotli.headers["vary"].lower()
    # httpx undoes either encoding: the page read is the same page.
    assert in_brotli.content == in_gzip.content == plain.content
    assert int(in_brotli.headers["content-length"]) < len(plain.content)
    assert in_brotli.headers["etag"] == in_gzip.headers["etag"] == plain.headers["etag"]


async def test_brotli_turned_down_by_the_browser_is_not_sent(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)

    page = await client.get("/partners", headers={"Accept-Encoding": "br;q=0, gzip"})

    assert page.headers["content-encoding"] == "gzip"


async def test_a_page_held_in_either_encoding_is_not_sent_again(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    first = await client.get("/partners", headers={"Accept-Encoding": "br"})

    again = await client.get(
        "/partners", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]}
    )

    assert again.status_code == 304
