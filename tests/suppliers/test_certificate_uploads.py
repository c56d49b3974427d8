"""A ship notice's certificate is judged by its bytes, never by its name or the type the
browser claims: a web page named cert.pdf is refused; a picture named report.pdf is kept
and sent back as the picture it is; a name with folders in it is kept as its last part;
and every certificate is sent as a download that the browser may not sniff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from suppliers.tables import PurchaseOrder, PurchaseOrderLine, ShipNotice
from tests.suppliers.support import NOW, add_purchase_order, make_material
from tests.support import Cast, PortalClient

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEB_PAGE = b"<!doctype html><html><script>fetch('/api/v1/partners')</script></html>"


async def _open_order(cast: Cast) -> tuple[str, dict[str, str]]:
    """A sent purchase order of the mill: its ship-notice address and a valid notice."""
    material = await make_material(cast.mill.id, "HF-POP-120")
    order_id = await add_purchase_order(cast.mill.id, material["id"], "300", date(2027, 1, 20))
    order = await PurchaseOrder.select(PurchaseOrder.uuid).where(PurchaseOrder.id == order_id)
    line = await PurchaseOrderLine.select(PurchaseOrderLine.uuid).first()
    assert line is not None
    fields = {
        "shipped_on": "2027-01-12", "expected_on": "2027-01-15", "carrier": "顺丰速运",
        "tracking_number": "SF1234567890", "dye_lot": "L2611-07",
        f"quantity-{line['uuid']}": "300",
    }  # fmt: skip
    return f"/suppliers/purchase-orders/{order[0]['uuid']}/ship-notices", fields


@dataclass
class NoticeForm:
    """The supplier, signed in, about to send a ship notice for a sent purchase order."""

    client: PortalClient
    url: str
    fields: dict[str, str]

    async def send(self, name: str, content: bytes, claimed: str) -> httpx.Response:
        return await self.client.post(
            self.url,
            data=self.fields,
            files={"certificate": (name, content, claimed)},
            headers={"x-csrftoken": await self.client.csrf_token()},
        )

    async def download(self) -> httpx.Response:
        notice = await ShipNotice.select(ShipNotice.uuid).first()
        assert notice is not None
        return await self.client.get(f"/suppliers/ship-notices/{notice['uuid']}/certificate")


@pytest.fixture
async def form(client: PortalClient, cast: Cast, frozen_clock: Any) -> NoticeForm:
    frozen_clock.frozen_at = NOW
    url, fields = await _open_order(cast)
    await client.log_in(cast.supplier)
    return NoticeForm(client, url, fields)


async def test_a_web_page_named_cert_pdf_is_refused_and_nothing_is_saved(
    form: NoticeForm,
) -> None:

    response = await form.send("cert.pdf", WEB_PAGE, "application/pdf")

    assert response.status_code == 400
    assert "Upload the report as PDF, JPEG or PNG." in response.text
    assert await ShipNotice.count() == 0


async def test_a_name_with_folders_keeps_only_its_last_part(
    form: NoticeForm,
) -> None:

    response = await form.send("../../etc/passwd.pdf", PDF, "application/pdf")

    assert response.status_code == 303
    notice = await ShipNotice.select(ShipNotice.certificate_name).first()
    assert notice is not None and notice["certificate_name"] == "passwd.pdf"
    download = await form.download()
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"passwd.pdf\"; filename*=UTF-8''passwd.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_a_picture_named_report_pdf_is_sent_back_as_the_picture_it_is(
    form: NoticeForm,
) -> None:

    response = await form.send("检测报告.pdf", PNG, "application/pdf")

    assert response.status_code == 303
    page = await form.client.get(form.url.removesuffix("/ship-notices"))
    assert "检测报告.png" in page.text
    download = await form.download()
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A.png"
        in (download.headers["content-disposition"])
    )


async def test_a_certificate_stored_before_the_check_is_sent_as_bytes_to_download(
    form: NoticeForm,
) -> None:
    await form.send("cert.pdf", PDF, "application/pdf")
    # As an upload was kept before: the browser's claim and name, whatever the bytes.
    await ShipNotice.update(
        {
            ShipNotice.certificate: WEB_PAGE,
            ShipNotice.certificate_type: "text/html",
            ShipNotice.certificate_name: "../cert.html",
        },
        force=True,
    )

    download = await form.download()

    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith('attachment; filename="cert.html"')
    assert download.headers["x-content-type-options"] == "nosniff"
