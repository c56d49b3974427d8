"""The request guard refuses a NUL byte wherever it hides (cookies and nested JSON too) and
JSON integers beyond 64 bits, in the reader's language, and leaves alone what only looks
like them: an escaped ``%2500``, the text ``\\u0000``, a long number written as a string."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import Cast, Member, PortalClient

REFUSED_NUL = "The request contains a NUL character, which cannot be stored."
GUARD_CODES = ("nul_character", "integer_beyond_64_bits")


async def _post_json(client: PortalClient, body: bytes, language: str = "en") -> httpx.Response:
    return await client.post(
        "/api/v1/partners",
        content=body,
        headers={"content-type": "application/json", "accept-language": language},
    )


async def _use_the_api_as(client: PortalClient, member: Member) -> None:
    from partner_portal.accounts.services import create_api_token, viewer_for_user_id

    token = await create_api_token(await viewer_for_user_id(member.id), "guard")
    client.headers["Authorization"] = f"Bearer {token}"


def _problem(response: httpx.Response) -> Any:
    """The code of an API problem's field error (RFC 9457, partner_portal/api.py)."""
    errors = response.json().get("errors", [])
    return errors[0]["code"] if errors else None


async def test_a_nul_in_a_cookie_or_a_form_is_refused_on_a_page_in_the_readers_language(
    client: PortalClient,
) -> None:
    client.cookies.set("tracking", "a%00b")
    page = await client.get("/login", headers={"accept-language": "ko"})
    assert page.status_code == 400
    assert "널 문자(NUL)" in page.text

    client.cookies.delete("tracking")
    login = await client.post_form("/login", {"email": "a\x00@brand.test", "password": "x"})
    assert login.status_code == 400
    assert REFUSED_NUL in login.text


async def test_json_is_refused_for_a_nested_nul_or_an_integer_beyond_64_bits(
    client: PortalClient, cast: Cast
) -> None:
    await _use_the_api_as(client, cast.kam)

    nested = await _post_json(client, b'{"contacts": [{"name": "x\\u0000y"}]}', "zh-CN")
    huge = await _post_json(client, b'{"legal_name": "x", "version": 12345678901234567890123}')

    assert nested.status_code == 400 and _problem(nested) == "nul_character"
    assert nested.json()["detail"].startswith("请求中含有无法保存的空字符")
    assert huge.status_code == 400 and _problem(huge) == "integer_beyond_64_bits"


async def test_what_only_looks_like_a_nul_or_a_huge_number_passes_the_guard(
    client: PortalClient, cast: Cast
) -> None:
    await _use_the_api_as(client, cast.kam)

    escaped_text = await _post_json(client, b'{"legal_name": "C:\\\\u0000 folder"}')
    long_string = await _post_json(client, b'{"legal_name": "x", "tax_id": "12345678901234567890"}')
    search = await client.get("/api/v1/partners?q=%2500")

    # The API answers them itself: saved, or refused for its own reasons.
    for response in (escaped_text, long_string):
        assert response.status_code in (201, 400), response.text
        assert _problem(response) not in GUARD_CODES, response.text
    assert search.status_code == 200
