"""Partner users see only active styles; the brand's users see them all."""

from partner_portal.catalog import styles
from partner_portal.catalog.tables import Style
from tests.catalog.support import make_catalog, style_form, style_row
from tests.support import Cast, PortalClient


async def _styles(client: PortalClient, cast: Cast) -> dict[str, str]:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    for code, status in (
        ("SS27-A-1", "active"),
        ("SS27-D-1", "draft"),
        ("SS27-X-1", "discontinued"),
    ):
        response = await client.post_form(
            "/catalog/styles/new", style_form(catalog, code=code, status=status)
        )
        assert response.status_code == 303, response.text
    client.cookies.clear()
    return {code: str((await style_row(code))["uuid"]) for code in ("SS27-A-1", "SS27-D-1")}


async def test_partner_users_see_only_active_styles(client: PortalClient, cast: Cast) -> None:
    await _styles(client, cast)
    await client.sign_in(cast.distributor)

    page = await client.get("/catalog/styles")

    assert page.status_code == 200
    assert "SS27-A-1" in page.text
    assert "SS27-D-1" not in page.text and "SS27-X-1" not in page.text


async def test_a_draft_is_not_found_for_a_partner_user(client: PortalClient, cast: Cast) -> None:
    uuids = await _styles(client, cast)
    await client.sign_in(cast.retailer)

    assert (await client.get(f"/catalog/styles/{uuids['SS27-A-1']}")).status_code == 200
    assert (await client.get(f"/catalog/styles/{uuids['SS27-D-1']}")).status_code == 404


async def test_brand_users_see_every_style_and_can_filter_by_status(
    client: PortalClient, cast: Cast
) -> None:
    uuids = await _styles(client, cast)
    await client.sign_in(cast.kam)

    everything = await client.get("/catalog/styles")
    drafts = await client.get("/catalog/styles?status=draft")

    assert all(code in everything.text for code in ("SS27-A-1", "SS27-D-1", "SS27-X-1"))
    assert "SS27-D-1" in drafts.text and "SS27-A-1" not in drafts.text
    assert (await client.get(f"/catalog/styles/{uuids['SS27-D-1']}")).status_code == 200


async def test_the_search_finds_a_style_by_its_name_in_any_language(
    client: PortalClient, cast: Cast
) -> None:
    await _styles(client, cast)
    await client.sign_in(cast.admin)

    for query in ("牛津", "옥스포드", "oxford", "a-1"):
        page = await client.get(
            "/catalog/styles", params={"q": query}, headers={"HX-Request": "true"}
        )
        assert page.status_code == 200
        assert "SS27-A-1" in page.text, query
    nothing = await client.get("/catalog/styles", params={"q": "不存在"})
    assert "SS27-A-1" not in nothing.text


async def test_the_list_costs_the_same_queries_for_one_style_as_for_many(
    client: PortalClient, cast: Cast
) -> None:
    await _styles(client, cast)
    viewer_page = styles.StyleFilters()
    from partner_portal.accounts.services import viewer_for_user_id
    from partner_portal.database import current_engine

    viewer = await viewer_for_user_id(cast.admin.id)
    engine_class = type(current_engine())
    original = engine_class.run_querystring
    counts: list[int] = []

    async def measure() -> int:
        count = 0

        async def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1
            return await original(self, *args, **kwargs)

        engine_class.run_querystring = counting  # type: ignore[method-assign]
        try:
            await styles.list_styles(viewer, viewer_page)
        finally:
            engine_class.run_querystring = original  # type: ignore[method-assign]
        return count

    counts.append(await measure())
    season = await Style.select(Style.season, Style.size_scale).first()
    assert season is not None
    await Style.insert(
        *(
            Style(
                code=f"SS27-B-{n:03d}",
                season=season["season"],
                category="tops",
                name_en=f"Tee {n}",
                size_scale=season["size_scale"],
                status="active",
            )
            for n in range(60)
        )
    ).run()
    counts.append(await measure())
    assert counts[0] == counts[1] == 2
