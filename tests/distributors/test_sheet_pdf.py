"""The line-sheet PDF on the demo data: a cover page for the buyer, then every style with
its picture and the buyer's own price. Its pages are rendered to PNG (var/screenshots) to
be looked at."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from distributors.tables import LineSheet
from partner_portal.partners.tables import User
from tests.browser import SCREENSHOTS
from tests.support import Demo, PortalClient, demo_member


@pytest.fixture
def settings(database: str, demo: Demo) -> Any:
    """The app prints the demo's pictures from where the demo wrote them."""
    from partner_portal.settings import load_settings

    return load_settings(
        {
            **os.environ,
            "DATABASE_URL": database,
            "MEDIA_DIR": str(demo.media_dir),
            "SESSION_CACHE_SECONDS": "0",  # as tests/conftest.py: users change between requests
        }
    )


def pages_text(content: bytes) -> list[str]:
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return completed.stdout.decode().split("\f")


async def test_the_pdf_has_a_cover_pictures_and_the_buyers_prices(
    demo: Demo, client: PortalClient, tmp_path: Path
) -> None:
    buyer = await demo_member("distributor")
    await User.update({User.locale: "zh_Hans"}).where(User.id == buyer.id)
    sheet = await LineSheet.select(LineSheet.uuid).where(LineSheet.title.like("%full%")).first()
    assert sheet is not None
    await client.sign_in(buyer)

    response = await client.get(f"/line-sheets/{sheet['uuid']}/pdf")

    assert response.status_code == 200
    pages = pages_text(response.content)
    # The cover names the sheet and whose prices follow; the styles start on page 2.
    assert "SS27 full collection" in pages[0] and "的价格" in pages[0]
    assert "SS27-" in pages[1] and "¥" in pages[1]
    assert all(page.strip() for page in pages[:-1])  # no blank page
    (tmp_path / "sheet.pdf").write_bytes(response.content)
    assert len(pdf_images(tmp_path / "sheet.pdf")) >= 52  # a picture for every style
    render_pages(tmp_path / "sheet.pdf")


def pdf_images(path: Path) -> list[str]:
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    )
    return listing.stdout.splitlines()[2:]


def render_pages(path: Path) -> None:
    """The cover and the first page of styles as PNG, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_files = str(SCREENSHOTS / "buyer-sheet-pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path), page_files], check=True
    )
