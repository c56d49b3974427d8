"""Every error page (404, 403, 413, 500) in the reader's language, with the portal's
navigation, so a lost reader finds the way back: an unknown address too."""

from __future__ import annotations

import pytest

from partner_portal.partners.tables import User
from tests.support import Cast, PortalClient


@pytest.fixture
async def chinese_reader(client: PortalClient, cast: Cast, database: str) -> PortalClient:
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    await client.sign_in(cast.distributor)
    return client


async def test_an_unknown_address_answers_a_chinese_404_with_the_menu(
    chinese_reader: PortalClient,
) -> None:
    for path in (
        "/no/such/page",
        "/line-sheets/not-a-uuid",
        "/orders/00000000-0000-0000-0000-000000000000",
    ):
        response = await chinese_reader.get(path)
        assert response.status_code == 404, path
        assert "未找到" in response.text and "Not found" not in response.text, path
        assert 'lang="zh-Hans"' in response.text
        assert "订货单" in response.text, path  # the menu: line sheets
        assert "退出登录" in response.text  # and the way out


async def test_a_forbidden_page_answers_in_chinese_with_the_menu(
    chinese_reader: PortalClient,
) -> None:
    response = await chinese_reader.get("/distributors/rules")
    assert response.status_code == 403
    assert "Not allowed" not in response.text and "订货单" in response.text


async def test_a_korean_reader_gets_a_korean_404(
    client: PortalClient, cast: Cast, database: str
) -> None:
    await client.sign_in(cast.other_distributor)
    await User.update({User.locale: "ko"}).where(User.id == cast.other_distributor.id)
    response = await client.get("/nowhere")
    assert response.status_code == 404 and "Not found" not in response.text
    assert 'lang="ko"' in response.text
