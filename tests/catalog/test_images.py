"""Pictures of a style: checked by content, stored under MEDIA_DIR, served with access control."""

import io
from pathlib import Path

import httpx
from PIL import Image

from partner_portal.catalog import services
from partner_portal.catalog.tables import Style, StyleImage
from tests.catalog.support import make_catalog, style_form, style_row
from tests.support import Cast, PortalClient


def picture(kind: str = "PNG", size: tuple[int, int] = (60, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, kind)
    return buffer.getvalue()


async def _upload(
    client: PortalClient, style_uuid: str, name: str, content: bytes
) -> httpx.Response:
    return await client.post(
        f"/catalog/styles/{style_uuid}/images",
        files={"file": (name, content, "image/png")},
        headers={"x-csrftoken": await client.csrf_token()},
    )


async def test_an_uploaded_picture_shows_to_those_who_see_the_style(
    client: PortalClient, cast: Cast, media_dir: Path
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    await client.post_form("/catalog/styles/new", style_form(catalog))
    style = await style_row("SS27-SH-001")

    uploaded = await _upload(client, str(style["uuid"]), "front.webp", picture("WEBP"))

    assert uploaded.status_code == 303
    image = await StyleImage.select().first()
    assert image is not None and image["content_type"] == "image/webp"
    assert (media_dir / image["path"]).is_file()
    url = f"/catalog/images/{image['uuid']}"
    assert url in (await client.get(f"/catalog/styles/{style['uuid']}")).text
    assert await services.style_image_urls([style["id"]]) == {style["id"]: [url]}

    client.cookies.clear()
    await client.sign_in(cast.distributor)
    served = await client.get(url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert served.content == (media_dir / image["path"]).read_bytes()
    await Style.update({Style.status: "draft"}).where(Style.id == style["id"])
    assert (await client.get(url)).status_code == 404


async def test_a_file_that_is_not_a_picture_is_refused_with_a_clear_message(
    client: PortalClient, cast: Cast, media_dir: Path
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.admin)
    await client.post_form("/catalog/styles/new", style_form(catalog))
    style = await style_row("SS27-SH-001")

    renamed = await _upload(client, str(style["uuid"]), "shirt.png", b"%PDF-1.7 not a picture")
    gif = await _upload(client, str(style["uuid"]), "shirt.png", picture("GIF"))
    huge = await _upload(client, str(style["uuid"]), "shirt.png", b"\x89PNG" + b"0" * 6_000_000)

    assert renamed.status_code == 400 and "not a JPEG, PNG or WebP picture" in renamed.text
    assert gif.status_code == 400 and "not a JPEG, PNG or WebP picture" in gif.text
    assert huge.status_code == 400 and "larger than 5 MB" in huge.text
    assert await StyleImage.count() == 0
    assert not any(media_dir.rglob("*.*"))
