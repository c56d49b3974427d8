"""Every PDF the portal prints reads nothing from the machine or the network but the
portal's own static files and the pictures the document was given: a file:// or http://
address in a document (as an attachment, a stylesheet, an @import, a picture or a CSS
url()) is skipped, nothing is attached or fetched, and the PDF still prints. The real
documents still print their words and pictures."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from partner_portal import access
from partner_portal.catalog.images import add_style_image
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import Organisation
from partner_portal.pdf import DocumentPictures, allowed_file, print_html
from partner_portal.templating import STATIC_DIR
from tests.contracts.support import viewer
from tests.distributors.support import make_sheet
from tests.http_receiver import Receiver
from tests.orders.pages_support import order_row, place
from tests.orders.support import make_shop
from tests.pdfs import annotation_attachments, embedded_files, pdf_text, picture_count
from tests.support import Cast, PortalClient

HOSTILE_NAME = "x</style><link rel=attachment href=file:///proc/self/environ>"


def png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def without_spaces(text: str) -> str:
    return "".join(text.split())


def files_outside_the_document(tmp_path: Path) -> dict[str, Path]:
    secret = tmp_path / "secret.env"
    secret.write_text("SECRET_KEY=do-not-leak\nSMTP_PASSWORD=hunter2\n")
    stylesheet = tmp_path / "evil.css"
    stylesheet.write_text("body::after { content: 'IMPORTED FROM DISK' }")
    picture = tmp_path / "private.png"
    picture.write_bytes(png())
    return {"secret": secret, "stylesheet": stylesheet, "picture": picture}


async def test_a_document_attaches_no_file_and_fetches_nothing_it_names(
    tmp_path: Path, receiver: Receiver
) -> None:
    files = files_outside_the_document(tmp_path)
    secret, stylesheet, picture = (files["secret"].as_uri(), files["stylesheet"].as_uri(),
                                   files["picture"].as_uri())  # fmt: skip
    far = receiver.url
    html = f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="attachment" href="{secret}">
<link rel="attachment" href="file:///proc/self/environ">
<link rel="attachment" href="{far}/attached.txt">
<link rel="attachment" href="data:text/plain,SECRET_INLINE">
<link rel="stylesheet" href="{stylesheet}">
<link rel="stylesheet" href="{far}/linked.css">
<style>
@import url("{stylesheet}");
@import url("{far}/imported.css");
body {{ background: url("{picture}"); }}
p {{ background: url("{far}/background.png"); }}
</style></head><body>
<p>Order confirmation 订单确认 주문 확인</p>
<a rel="attachment" href="{secret}">terms</a>
<a rel="attachment" href="file:///etc/hostname">more terms</a>
<img src="{picture}"><img src="{far}/pixel.png"><img src="file:///proc/self/environ">
</body></html>"""

    printed = await print_html(html)

    text = pdf_text(printed.content)
    assert "Order confirmation 订单确认 주문 확인" in text
    assert embedded_files(printed.content) == {}
    assert annotation_attachments(printed.content) == []
    assert picture_count(printed.content) == 0
    assert "IMPORTED FROM DISK" not in text and "FETCHED FROM THE NETWORK" not in text
    assert receiver.requests == []


async def test_a_document_shows_the_pictures_it_was_given_and_no_others(tmp_path: Path) -> None:
    given, other = tmp_path / "given.png", tmp_path / "other.png"
    given.write_bytes(png("blue"))
    other.write_bytes(png("green"))
    pictures = DocumentPictures()
    html = (
        f'<p>Styles</p><img src="{pictures.url(given)}">'
        f'<img src="{other.as_uri()}"><a rel="attachment" href="{other.as_uri()}">x</a>'
    )

    printed = await print_html(html, pictures)

    assert picture_count(printed.content) == 1
    assert annotation_attachments(printed.content) == []


def test_only_static_files_and_given_pictures_are_readable(tmp_path: Path) -> None:
    given = tmp_path / "given.png"
    given.write_bytes(png())
    pictures = DocumentPictures()
    pictures.url(given)
    portal_css = STATIC_DIR / "css" / "portal.css"
    link = tmp_path / "link.png"
    link.symlink_to("/etc/hostname")

    assert allowed_file(portal_css.as_uri()) == portal_css.resolve()
    assert allowed_file(given.as_uri(), pictures) == given.resolve()
    assert allowed_file(f"file://localhost{given}", pictures) == given.resolve()
    for refused in (
        given.as_uri(),  # not this document's picture
        "file:///proc/self/environ",
        f"file://{STATIC_DIR}/../settings.py",
        f"file://{STATIC_DIR}/%2e%2e/settings.py",
        f"file://other-host{portal_css}",
        "file:partner_portal/static/css/portal.css",
        link.as_uri(),
        "http://127.0.0.1/",
        "https://example.com/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://127.0.0.1/x",
    ):
        assert allowed_file(refused, pictures if refused != given.as_uri() else None) is None, (
            refused
        )


async def test_the_order_confirmation_prints_a_hostile_buyer_name_as_text(
    client: PortalClient, cast: Cast
) -> None:
    shop = await make_shop(1)
    order = await order_row(
        await place(shop, cast.admin, cast.distributor_a, OrderStatus.confirmed)
    )
    await Organisation.update({Organisation.legal_name: HOSTILE_NAME}).where(
        Organisation.id == cast.distributor_a.id
    )
    await Order.update({Order.notes: "<img src=file:///etc/hostname> leave at gate"}).where(
        Order.uuid == order["uuid"]
    )
    await client.sign_in(cast.admin)

    response = await client.get(f"/orders/{order['uuid']}/confirmation.pdf")

    text = pdf_text(response.content)
    assert without_spaces(HOSTILE_NAME) in without_spaces(text)  # a long name wraps
    assert "<img src=file:///etc/hostname> leave at gate" in text
    assert order["number"] in text and "Page 1 / 1" in text
    assert embedded_files(response.content) == {}
    assert picture_count(response.content) == 0


async def test_the_line_sheet_prints_its_style_pictures(
    client: PortalClient, cast: Cast, settings
) -> None:  # type: ignore[no-untyped-def]
    sheet = await make_sheet(tiers=("gold",))
    style = sheet.shop.styles[0]
    admin = await viewer(cast.admin)
    errors = await add_style_image(
        admin,
        await access.get_style(admin, style.uuid),
        png(),
        settings.media_dir,
    )
    assert not errors
    await client.sign_in(cast.distributor)

    response = await client.get(f"/line-sheets/{sheet.uuid}/pdf")

    assert response.status_code == 200
    assert "SS27-001" in pdf_text(response.content)
    # The one picture, printed on the cover's mosaic and on the style's card.
    assert picture_count(response.content) == 2
