"""A row whose file is missing from MEDIA_DIR (a database restored without its media, a
disk problem) answers a clear "file missing" page, never a 500."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from partner_portal import access
from partner_portal.accounts.services import create_api_token
from partner_portal.catalog import images
from partner_portal.catalog.tables import StyleImage
from partner_portal.partners.tables import User
from tests.contracts.support import issue, make_contract, make_template, viewer
from tests.orders.support import make_shop
from tests.support import Cast, PortalClient


@pytest.fixture
def media_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Contracts find MEDIA_DIR in the environment, the catalog in the app's settings.
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    return tmp_path / "media"


@pytest.fixture
def settings(database: str, media_dir: Path) -> Any:
    from partner_portal.settings import load_settings

    return load_settings({**os.environ, "DATABASE_URL": database})


async def test_a_contract_pdf_missing_from_media_answers_a_file_missing_page(
    client: PortalClient, cast: Cast, media_dir: Path
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    version = await issue(cast.admin, contract)
    (media_dir / version.pdf_path).unlink()
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    await client.sign_in(cast.distributor)

    page = await client.get(f"/contracts/versions/{version.uuid}/pdf")

    assert page.status_code == 410
    assert "文件缺失" in page.text
    assert "备份" in page.text  # an administrator can restore it from a backup

    token = await create_api_token(await viewer(cast.distributor), "erp")
    api = await client.get(
        f"/api/v1/contracts/versions/{version.uuid}/pdf",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 410
    assert "missing" in api.json()["detail"]


async def test_a_picture_missing_from_media_answers_410_not_500(
    client: PortalClient, cast: Cast, settings: Any, media_dir: Path
) -> None:
    shop = await make_shop(style_count=1)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "teal").save(buffer, "PNG")
    admin = await viewer(cast.admin)
    style = await access.get_style(admin, shop.styles[0].uuid)
    assert await images.add_style_image(admin, style, buffer.getvalue(), media_dir) == {}
    image = await StyleImage.select().first()
    assert image is not None
    (media_dir / image["path"]).unlink()
    await client.sign_in(cast.staff)

    page = await client.get(f"/catalog/images/{image['uuid']}")

    assert page.status_code == 410
    assert "File missing" in page.text
