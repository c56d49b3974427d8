"""Creating and editing styles: the SKU matrix, barcodes, optimistic locking, who may."""

from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog.tables import Colourway, Sku, Style
from tests.catalog.support import ean13, make_catalog, style_form, style_row
from tests.support import Cast, PortalClient


async def test_creating_a_style_makes_a_sku_for_every_colour_and_size(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    barcode = ean13("690123456001")

    response = await client.post_form(
        "/catalog/styles/new",
        style_form(catalog, size_scale=catalog.china_uuid, barcodes=f"WHT 170/88A {barcode}"),
    )

    assert response.status_code == 303, response.text
    style = await style_row("SS27-SH-001")
    assert await Colourway.count().where(Colourway.style == style["id"]) == 2
    assert await Sku.count().where(Sku.style == style["id"]) == 2 * 4
    assert await Sku.count().where(Sku.barcode == barcode) == 1
    entry = await AuditEntry.select().where(AuditEntry.entity_uuid == style["uuid"]).first()
    assert entry is not None and entry["action"] == "create" and entry["organisation"] is None
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert barcode in page.text and "170/88A" in page.text and "牛津纺衬衫" in page.text


async def test_a_bad_barcode_saves_nothing(client: PortalClient, cast: Cast) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.admin)

    response = await client.post_form(
        "/catalog/styles/new", style_form(catalog, barcodes="WHT M 6901234567891")
    )

    assert response.status_code == 400
    assert "not a valid EAN-13 barcode" in response.text
    assert await Style.count() == 0
    assert await Sku.count() == 0
    assert await AuditEntry.count().where(AuditEntry.entity_kind == "style") == 0


async def test_a_barcode_of_another_style_saves_nothing(client: PortalClient, cast: Cast) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.admin)
    barcode = ean13("690123456002")
    first = await client.post_form(
        "/catalog/styles/new", style_form(catalog, barcodes=f"WHT M {barcode}")
    )
    assert first.status_code == 303

    second = await client.post_form(
        "/catalog/styles/new",
        style_form(catalog, code="SS27-SH-002", barcodes=f"BLU S {barcode}"),
    )

    assert second.status_code == 400
    assert "Barcode already used by style SS27-SH-001." in second.text
    assert await Style.count() == 1


async def test_a_form_with_missing_fields_answers_400_with_messages(
    client: PortalClient, cast: Cast
) -> None:
    await make_catalog()
    await client.sign_in(cast.staff)

    response = await client.post_form("/catalog/styles/new", {"code": "bad code!"})

    assert response.status_code == 400
    assert "Nothing was saved" in response.text
    assert await Style.count() == 0


async def test_a_stale_edit_gets_409_and_saves_nothing(
    client: PortalClient, cast: Cast, app
) -> None:  # type: ignore[no-untyped-def]
    from tests.support import PortalClient as Client

    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    await client.post_form("/catalog/styles/new", style_form(catalog))
    style = await style_row("SS27-SH-001")
    url = f"/catalog/styles/{style['uuid']}/edit"
    async with Client.for_app(app) as admin:
        await admin.sign_in(cast.admin)
        first = await admin.post_form(
            url, style_form(catalog, name_en="Oxford shirt II", version="1")
        )
        assert first.status_code == 303, first.text

    second = await client.post_form(
        url, style_form(catalog, colourways="WHT White\nBLU Light blue\nBLK Black", version="1")
    )

    assert second.status_code == 409
    assert "Someone saved this record after you opened it" in second.text
    assert 'name="version" value="2"' in second.text
    row = await style_row("SS27-SH-001")
    assert row["version"] == 2 and row["name_en"] == "Oxford shirt II"
    assert await Colourway.count().where(Colourway.style == style["id"]) == 2


async def test_an_edit_adds_a_colourway_with_its_skus(client: PortalClient, cast: Cast) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    await client.post_form("/catalog/styles/new", style_form(catalog))
    style = await style_row("SS27-SH-001")

    response = await client.post_form(
        f"/catalog/styles/{style['uuid']}/edit",
        style_form(catalog, colourways="WHT White\nBLU Light blue\nBLK Black", version="1"),
    )

    assert response.status_code == 303, response.text
    assert await Sku.count().where(Sku.style == style["id"]) == 3 * 3
    assert await AuditEntry.count().where(AuditEntry.action == "update") == 1


async def test_a_kam_may_view_the_catalog_but_not_manage_it(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    await client.post_form("/catalog/styles/new", style_form(catalog))
    style = await style_row("SS27-SH-001")
    client.cookies.clear()
    await client.sign_in(cast.kam)

    assert (await client.get("/catalog/styles")).status_code == 200
    assert (await client.get(f"/catalog/styles/{style['uuid']}")).status_code == 200
    assert (await client.get("/catalog/styles/new")).status_code == 403
    created = await client.post_form("/catalog/styles/new", style_form(catalog, code="SS27-SH-009"))
    assert created.status_code == 403
    edited = await client.post_form(
        f"/catalog/styles/{style['uuid']}/edit", style_form(catalog, version="1")
    )
    assert edited.status_code == 403
    assert await Style.count() == 1


async def test_the_carry_over_flag_is_set_and_cleared_on_the_style_form(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    created = await client.post_form("/catalog/styles/new", style_form(catalog, carry_over="on"))
    assert created.status_code == 303, created.text
    style = await style_row("SS27-SH-001")
    assert style["carry_over"] is True
    url = f"/catalog/styles/{style['uuid']}/edit"
    form = await client.get(url)
    assert 'name="carry_over" value="on" checked' in form.text

    # Unticked, the box is not sent at all: the style is no longer a carry-over.
    cleared = await client.post_form(url, style_form(catalog, version="1"))
    assert cleared.status_code == 303, cleared.text
    assert (await style_row("SS27-SH-001"))["carry_over"] is False
    form = await client.get(url)
    assert 'name="carry_over" value="on" checked' not in form.text
