"""The catalog's reference data: seasons and collections, size scales, price lists."""

from datetime import date

from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog.tables import Collection, PriceList, Season, Size, SizeScale
from tests.catalog.support import make_catalog, style_form
from tests.support import Cast, PortalClient


async def _labels(code: str) -> list[str]:
    scale = await SizeScale.select(SizeScale.id).where(SizeScale.code == code).first()
    assert scale is not None
    rows = await (
        Size.select(Size.label).where(Size.size_scale == scale["id"]).order_by(Size.position)
    )
    return [row["label"] for row in rows]


async def test_staff_create_and_edit_a_season_with_a_collection(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.staff)
    created = await client.post_form(
        "/catalog/seasons/new",
        {
            "code": "aw27",
            "name": "Autumn/Winter 2027",
            "order_window_start": "2027-01-10",
            "order_window_end": "2027-02-28",
        },
    )
    assert created.status_code == 303, created.text
    season = await Season.select().where(Season.code == "AW27").first()
    assert season is not None and season["order_window_end"] == date(2027, 2, 28)
    edit_url = f"/catalog/seasons/{season['uuid']}/edit"
    assert created.headers["location"] == edit_url

    edited = await client.post_form(
        edit_url,
        {
            "code": "AW27",
            "name": "Herbst/Winter 2027",
            "order_window_start": "2027-01-10",
            "order_window_end": "2027-03-15",
        },
    )
    assert edited.status_code == 303
    added = await client.post_form(
        f"/catalog/seasons/{season['uuid']}/collections", {"name": "Urban office"}
    )
    assert added.status_code == 303
    assert await Collection.count().where(Collection.season == season["id"]) == 1
    page = await client.get("/catalog/seasons")
    assert "Herbst/Winter 2027" in page.text and "Urban office" in page.text
    kinds = {
        row["entity_kind"] + ":" + row["action"]
        for row in await AuditEntry.select(AuditEntry.entity_kind, AuditEntry.action)
    }
    assert {"season:create", "season:update", "collection:create"} <= kinds


async def test_a_bad_season_code_or_window_is_shown_in_place_and_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    response = await client.post_form(
        "/catalog/seasons/new",
        {
            "code": "Summer",
            "name": "",
            "order_window_start": "2027-03-01",
            "order_window_end": "2027-02-01",
        },
    )
    assert response.status_code == 400
    assert "two letters and two digits" in response.text
    assert "Enter the season&#39;s name." in response.text
    assert await Season.count() == 0

    backwards = await client.post_form(
        "/catalog/seasons/new",
        {
            "code": "SS28",
            "name": "Spring/Summer 2028",
            "order_window_start": "2027-03-01",
            "order_window_end": "2027-02-01",
        },
    )
    assert backwards.status_code == 400
    assert "cannot end before it starts" in backwards.text
    assert await Season.count() == 0


async def test_a_season_code_is_unique(client: PortalClient, cast: Cast) -> None:
    await make_catalog()
    await client.sign_in(cast.staff)
    response = await client.post_form("/catalog/seasons/new", {"code": "SS27", "name": "Again"})
    assert response.status_code == 400
    assert "Another season already has this code." in response.text
    assert await Season.count() == 1


async def test_a_size_scale_is_created_from_comma_separated_sizes(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.staff)
    response = await client.post_form(
        "/catalog/size-scales/new",
        {
            "code": "gb-bottoms",
            "name": "GB/T 1335 bottoms",
            "kind": "china_gb",
            "sizes": "165/84A, 170/88A，175/92A\n180/96A",
        },
    )
    assert response.status_code == 303, response.text
    assert await _labels("GB-BOTTOMS") == ["165/84A", "170/88A", "175/92A", "180/96A"]
    page = await client.get("/catalog/size-scales")
    assert "165/84A, 170/88A, 175/92A, 180/96A" in page.text

    repeated = await client.post_form(
        "/catalog/size-scales/new",
        {"code": "X", "name": "X", "kind": "alpha", "sizes": "S, M, S"},
    )
    assert repeated.status_code == 400
    assert "Size S is listed twice." in repeated.text
    assert await SizeScale.count() == 1


async def test_a_scale_in_use_keeps_its_sizes_but_may_grow(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    assert (await client.post_form("/catalog/styles/new", style_form(catalog))).status_code == 303
    url = f"/catalog/size-scales/{catalog.alpha_uuid}/edit"

    refused = await client.post_form(
        url, {"code": "ALPHA", "name": "Letters", "kind": "alpha", "sizes": "S, L"}
    )
    assert refused.status_code == 400
    assert "its sizes cannot be removed: M" in refused.text
    assert await _labels("ALPHA") == ["S", "M", "L"]

    grown = await client.post_form(
        url, {"code": "ALPHA", "name": "Letters", "kind": "alpha", "sizes": "XS, S, M, L, XL"}
    )
    assert grown.status_code == 303
    assert await _labels("ALPHA") == ["XS", "S", "M", "L", "XL"]


async def test_a_scale_nobody_uses_may_lose_sizes(client: PortalClient, cast: Cast) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.admin)
    response = await client.post_form(
        f"/catalog/size-scales/{catalog.china_uuid}/edit",
        {"code": "GB-TOPS", "name": "GB tops", "kind": "china_gb", "sizes": "170/88A\n175/92A"},
    )
    assert response.status_code == 303
    assert await _labels("GB-TOPS") == ["170/88A", "175/92A"]


async def test_price_lists_are_created_and_edited_with_a_known_currency(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.staff)
    unknown = await client.post_form(
        "/catalog/price-lists/new", {"name": "Gold", "currency": "XYZ", "tier": "gold"}
    )
    assert unknown.status_code == 400
    assert "ISO 4217" in unknown.text
    assert await PriceList.count() == 0

    created = await client.post_form(
        "/catalog/price-lists/new",
        {"name": "KRW gold", "currency": "krw", "tier": "gold", "tax_inclusive": "on"},
    )
    assert created.status_code == 303
    row = await PriceList.select().first()
    assert row is not None
    assert (row["currency"], row["tier"], row["tax_inclusive"]) == ("KRW", "gold", True)

    edited = await client.post_form(
        f"/catalog/price-lists/{row['uuid']}/edit",
        {"name": "KRW any tier", "currency": "KRW", "tier": ""},
    )
    assert edited.status_code == 303
    row = await PriceList.select().first()
    assert row is not None
    assert (row["name"], row["tier"], row["tax_inclusive"]) == ("KRW any tier", None, False)
    assert await AuditEntry.count().where(AuditEntry.entity_kind == "price_list") == 2


async def test_kams_and_partner_users_may_not_manage_reference_data(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    for member in (cast.kam, cast.distributor, cast.retailer):
        client.cookies.clear()
        await client.sign_in(member)
        for url in ("/catalog/seasons", "/catalog/size-scales", "/catalog/price-lists/new"):
            assert (await client.get(url)).status_code == 403, (member.email, url)
        response = await client.post_form(
            f"/catalog/size-scales/{catalog.alpha_uuid}/edit",
            {"code": "ALPHA", "name": "x", "kind": "alpha", "sizes": "S"},
        )
        assert response.status_code == 403
    assert await _labels("ALPHA") == ["S", "M", "L"]


async def test_managers_find_the_reference_pages_from_the_style_list(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.staff)
    page = await client.get("/catalog/styles")
    assert 'href="/catalog/seasons"' in page.text and 'href="/catalog/size-scales"' in page.text
    client.cookies.clear()
    await client.sign_in(cast.kam)
    page = await client.get("/catalog/styles")
    assert 'href="/catalog/seasons"' not in page.text
