"""Territories through the region picker: a province or a city chosen or typed by name in
the reader's language, and a city held as a territory found inside its province."""

from __future__ import annotations

from partner_portal.partners.tables import Organisation, Territory, User
from tests.partners.test_create_and_edit import _form
from tests.support import Cast, PortalClient


async def test_a_kam_adds_a_city_territory_by_its_chinese_name(
    client: PortalClient, cast: Cast
) -> None:
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.kam.id)
    await client.sign_in(cast.kam)

    form = await client.get("/partners/new")
    assert '<option value="CN-ZJ-HZ" label="杭州市 · 浙江省 · 中国">' in form.text
    assert 'name="territory_add"' in form.text and 'list="region-choices"' in form.text

    saved = await client.post_form(
        "/partners/new", _form(territories="CN-SH", territory_add="杭州")
    )

    assert saved.status_code == 303, saved.text
    row = (
        await Organisation.select(Organisation.id)
        .where(Organisation.legal_name == "宁波海风服饰有限公司")
        .first()
    )
    assert row is not None
    codes = await Territory.select(Territory.region_code).where(Territory.organisation == row["id"])
    assert sorted(code["region_code"] for code in codes) == ["CN-SH", "CN-ZJ-HZ"]
    page = await client.get(saved.headers["location"])
    assert "CN-ZJ-HZ · 杭州市 · 浙江省 · 中国" in page.text
    # The partner list's territory filter: Zhejiang holds Hangzhou, Jiangsu does not.
    listed = await client.get("/partners?territory=CN-ZJ")
    assert "宁波海风服饰有限公司" in listed.text
    assert "宁波海风服饰有限公司" not in (await client.get("/partners?territory=CN-JS")).text
    assert "宁波海风服饰有限公司" in (await client.get("/partners?territory=浙江")).text


async def test_a_name_that_is_no_region_is_refused_in_place(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)
    refused = await client.post_form("/partners/new", _form(territory_add="Atlantis"))
    assert refused.status_code == 400
    assert "Not a region: Atlantis" in refused.text
    assert await Organisation.count().where(Organisation.legal_name == "宁波海风服饰有限公司") == 0
