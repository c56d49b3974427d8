"""Availability per SKU: at-once stock and pre-book per delivery window of the season."""

import io

import httpx
from openpyxl import Workbook

from partner_portal.catalog import services
from partner_portal.catalog.tables import DeliveryWindow, PreBookAvailability, Sku, SkuStock
from tests.catalog.support import ean13, make_catalog, style_form, style_row
from tests.support import Cast, PortalClient


async def _style_with_window(client: PortalClient, cast: Cast) -> dict:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    form = style_form(catalog, colourways="WHT White", barcodes=f"WHT M {ean13('690123456077')}")
    assert (await client.post_form("/catalog/styles/new", form)).status_code == 303
    window = await client.post_form(
        f"/catalog/seasons/{catalog.season_uuid}/delivery-windows",
        {"name": "Drop 1", "starts_on": "2027-02-01", "ends_on": "2027-02-15"},
    )
    assert window.status_code == 303
    return await style_row("SS27-SH-001")


async def _upload(client: PortalClient, name: str, content: bytes) -> httpx.Response:
    return await client.post(
        "/catalog/import",
        data={"file_kind": "availability"},
        files={"file": (name, content, "application/octet-stream")},
        headers={"x-csrftoken": await client.csrf_token()},
    )


async def test_staff_set_stock_and_pre_book_on_the_style_grid(
    client: PortalClient, cast: Cast
) -> None:
    style = await _style_with_window(client, cast)
    skus = {
        row["label"]: row
        for row in await Sku.select(
            Sku.id,
            Sku.uuid,
            Sku.size.label.as_alias("label"),  # type: ignore[attr-defined]
        )
    }
    window = await DeliveryWindow.select().first()
    assert window is not None
    url = f"/catalog/styles/{style['uuid']}/availability"

    refused = await client.post_form(url, {f"at_once-{skus['S']['uuid']}": "-3"})
    assert refused.status_code == 400 and "Enter a whole number." in refused.text
    saved = await client.post_form(
        url,
        {
            f"at_once-{skus['S']['uuid']}": "12",
            f"pre_book-{window['uuid']}-{skus['M']['uuid']}": "1,500",
        },
    )

    assert saved.status_code == 303
    figures = await services.availability_for(row["id"] for row in skus.values())
    assert figures[skus["S"]["id"]].at_once == 12
    assert figures[skus["M"]["id"]].for_window(window["id"]) == 1500
    assert figures[skus["L"]["id"]].at_once == 0
    page = await client.get(f"/catalog/styles/{style['uuid']}")
    assert "Drop 1" in page.text and "1,500" in page.text
    # The grid shows what was entered and leaves the rest empty ("an empty cell means none").
    grid = (await client.get(url)).text
    assert f'name="at_once-{skus["S"]["uuid"]}" value="12"' in grid
    assert f'name="at_once-{skus["L"]["uuid"]}" value=""' in grid


async def test_an_availability_file_with_a_bad_row_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    await _style_with_window(client, cast)
    content = (
        "barcode,style_code,colour_code,size,window,quantity\n"
        f"{ean13('690123456077')},,,,ATS,40\n"
        ",SS27-SH-001,WHT,L,Drop 9,10\n"
    ).encode()

    response = await _upload(client, "stock.csv", content)

    assert response.status_code == 400
    assert "<td>3</td><td>window</td>" in response.text
    assert await SkuStock.count() == 0


async def test_an_xlsx_availability_file_sets_the_figures_it_names(
    client: PortalClient, cast: Cast
) -> None:
    await _style_with_window(client, cast)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["barcode", "style_code", "colour_code", "size", "window", "quantity"])
    sheet.append([int(ean13("690123456077")), None, None, None, "ATS", 40])
    sheet.append([None, "SS27-SH-001", "WHT", "L", "Drop 1", 250])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = await _upload(client, "stock.xlsx", buffer.getvalue())

    assert response.status_code == 200, response.text
    assert "2 availability figures changed." in response.text
    stock = await SkuStock.select(SkuStock.at_once).first()
    assert stock is not None and stock["at_once"] == 40
    assert await PreBookAvailability.count() == 1
    exported = await client.get("/catalog/availability/export.csv")
    assert f"{ean13('690123456077')},SS27-SH-001,WHT,M,ATS,40" in exported.text
