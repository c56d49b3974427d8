"""CSV export and import of styles with their SKUs, and of prices."""

import httpx

from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog import services
from partner_portal.catalog.tables import Price, Sku, Style
from tests.catalog.support import ean13, make_catalog, style_form, style_row
from tests.support import Cast, PortalClient

HEADER = (
    "style_code,season,collection,category,gender,name_en,name_zh,name_ko,composition,care,"
    "size_scale,status,colour_code,colour_name,size,barcode"
)


def style_line(code: str, size: str, barcode: str = "", colour: str = "BLK") -> str:
    return (
        f"{code},SS27,,knitwear,women,Merino crew,美利奴圆领衫,메리노 니트,100% wool,,"
        f"GB-TOPS,active,{colour},Black,{size},{barcode}"
    )


async def _import(client: PortalClient, kind: str, content: bytes) -> httpx.Response:
    token = await client.csrf_token()
    return await client.post(
        "/catalog/import",
        data={"file_kind": kind},
        files={"file": (f"{kind}.csv", content, "text/csv")},
        headers={"x-csrftoken": token},
    )


async def test_exported_styles_and_prices_import_again_without_changing_anything(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    barcode = ean13("690123456001")
    created = await client.post_form(
        "/catalog/styles/new",
        style_form(
            catalog,
            size_scale=catalog.china_uuid,
            barcodes=f"WHT 170/88A {barcode}",
            carry_over="on",
        ),
    )
    assert created.status_code == 303
    style = await style_row("SS27-SH-001")
    list_id = await services.create_price_list(None, "KRW", "KRW", False, None)
    await Price.insert(Price(price_list=list_id, style=style["id"], wholesale=12000)).run()

    styles = await client.get("/catalog/styles/export.csv")
    assert styles.status_code == 200
    assert styles.content.startswith("\ufeff".encode())
    assert barcode in styles.text and "牛津纺衬衫" in styles.text
    assert styles.text.count("SS27-SH-001") == 8
    prices = await client.get("/catalog/prices/export.csv")
    assert "KRW,SS27-SH-001,,12000," in prices.text
    entries = await AuditEntry.count()

    again = await _import(client, "styles", styles.content)
    assert again.status_code == 200, again.text
    assert "0 created, 0 updated." in again.text
    again = await _import(client, "prices", prices.content)
    assert again.status_code == 200
    assert "0 created, 0 updated." in again.text
    assert await AuditEntry.count() == entries
    # The file has no carry-over column: the flag set on the form stays.
    again_style = await style_row("SS27-SH-001")
    assert again_style["version"] == style["version"] and again_style["carry_over"] is True


async def test_an_import_creates_and_updates_styles_in_one_go(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.admin)
    assert (
        await client.post_form(
            "/catalog/styles/new", style_form(catalog, size_scale=catalog.china_uuid)
        )
    ).status_code == 303
    existing = (
        "SS27-SH-001,SS27,,shirts,men,Oxford shirt renamed,,,,,GB-TOPS,active,WHT,White,165/84A,"
    )
    lines = [
        HEADER,
        existing,
        style_line("SS27-KN-002", "165/84A", ean13("690123456011")),
        style_line("SS27-KN-002", "170/88A", ean13("690123456012")),
    ]
    content = ("\n".join(lines) + "\n").encode()  # no byte-order mark

    response = await _import(client, "styles", content)

    assert response.status_code == 200, response.text
    assert "1 created, 1 updated." in response.text
    knit = await style_row("SS27-KN-002")
    assert knit["name_zh"] == "美利奴圆领衫"
    assert await Sku.count().where(Sku.style == knit["id"]) == 4
    assert await Sku.count().where(Sku.barcode.is_not_null()) == 2
    shirt = await style_row("SS27-SH-001")
    assert shirt["name_en"] == "Oxford shirt renamed" and shirt["version"] == 2
    assert await Sku.count().where(Sku.style == shirt["id"]) == 4  # the blue colour is gone
    assert await AuditEntry.count().where(AuditEntry.entity_kind == "style") == 3


async def test_bad_rows_save_nothing_and_are_reported_by_row_and_column(
    client: PortalClient, cast: Cast
) -> None:
    await make_catalog()
    await client.sign_in(cast.staff)
    lines = [
        HEADER,
        style_line("SS27-KN-002", "165/84A", ean13("690123456011")),
        style_line("SS27-KN-002", "170/88A", "6901234567890"),  # wrong check digit
        style_line("SS27-KN-002", "XXL"),  # not a size of GB-TOPS
        style_line("SS27-KN-003", "165/84A", ean13("690123456011")),  # same barcode as row 2
    ]
    response = await _import(client, "styles", ("\n".join(lines) + "\n").encode())

    assert response.status_code == 400
    text = response.text
    assert "Nothing was imported" in text
    assert "<td>3</td><td>barcode</td><td>Not a valid EAN-13 barcode" in text
    assert "<td>4</td><td>size</td><td>XXL is not a size of scale GB-TOPS.</td>" in text
    assert "<td>5</td><td>barcode</td><td>The same barcode is on row 2 of this file.</td>" in text
    assert await Style.count() == 0
    assert await Sku.count() == 0


async def test_a_bad_price_saves_no_price(client: PortalClient, cast: Cast) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    await client.post_form("/catalog/styles/new", style_form(catalog))
    await services.create_price_list(None, "KRW", "KRW", False, None)
    content = (
        "\ufeffprice_list,style_code,size,wholesale,retail\n"
        "KRW,SS27-SH-001,,12000,29000\n"
        "KRW,SS27-SH-001,M,12000.5,\n"
        "KRW,SS27-SH-001,XL,13000,\n"
    ).encode()

    response = await _import(client, "prices", content)

    assert response.status_code == 400
    text = response.text
    assert "<td>3</td><td>wholesale</td><td>KRW amounts have no decimals.</td>" in text
    assert "<td>4</td><td>size</td>" in text
    assert await Price.count() == 0


async def test_a_style_keeps_its_size_scale_on_import(client: PortalClient, cast: Cast) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    await client.post_form("/catalog/styles/new", style_form(catalog))
    content = (HEADER + "\n" + style_line("SS27-SH-001", "165/84A") + "\n").encode()

    response = await _import(client, "styles", content)

    assert response.status_code == 400
    assert "A style&#39;s size scale cannot change." in response.text


async def test_kams_and_partner_users_may_not_export_or_import(
    client: PortalClient, cast: Cast
) -> None:
    await make_catalog()
    for member in (cast.kam, cast.distributor):
        client.cookies.clear()
        await client.sign_in(member)
        for url in ("/catalog/styles/export.csv", "/catalog/prices/export.csv", "/catalog/import"):
            assert (await client.get(url)).status_code == 403
        content = (HEADER + "\n" + style_line("SS27-KN-009", "165/84A") + "\n").encode()
        response = await _import(client, "styles", content)
        assert response.status_code == 403
    assert await Style.count() == 0


async def test_the_templates_download_with_their_headers(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.staff)
    styles = await client.get("/catalog/import-template.csv")
    assert styles.text.lstrip("\ufeff").startswith(HEADER)
    prices = await client.get("/catalog/import-template.csv?kind=prices")
    assert prices.text.lstrip("\ufeff").startswith("price_list,style_code,size,wholesale,retail")
