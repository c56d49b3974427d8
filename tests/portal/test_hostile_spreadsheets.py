"""Hostile uploads to every import page: zip bombs, a million cells, a workbook whose
dimension lies, too many rows, a file too big to take. Each is refused with a message
that names the limit, nothing is saved, and the answer comes back (no frozen server)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from distributors.upload import COLUMNS as ORDER_COLUMNS
from group_orders import forms as roster_forms
from group_orders.tables import Employee
from partner_portal.catalog import availability
from partner_portal.catalog import csv_io as catalog_csv
from partner_portal.catalog.tables import Price, Style
from partner_portal.orders.tables import Order
from partner_portal.partners import csv_io as partner_csv
from partner_portal.partners.tables import Contact, Organisation, User
from tests import spreadsheet_files
from tests.distributors.support import make_sheet
from tests.group_orders.support import NOW, make_campaign, make_uniform
from tests.support import Cast, PortalClient


@dataclass(frozen=True)
class ImportPage:
    """An import form: who uses it, where it posts, the columns its file has and how
    many rows it would save."""

    name: str
    member: str
    columns: tuple[str, ...]
    saved: Callable[[], Awaitable[int]]
    fields: tuple[tuple[str, str], ...] = ()

    async def url(self, cast: Cast) -> str:
        if self.name == "roster":
            campaign = await make_campaign(cast, await make_uniform())
            return f"/group-orders/{campaign.uuid}/roster/import"
        if self.name == "order upload":
            await make_sheet()
            return "/distributors/upload"
        if self.name.startswith("catalog"):
            return "/catalog/import"
        return "/partners/import"


PAGES = {
    page.name: page
    for page in (
        ImportPage("roster", "client", roster_forms.EMPLOYEE_COLUMNS, Employee.count),
        ImportPage("order upload", "distributor", ORDER_COLUMNS, Order.count),
        ImportPage(
            "partners",
            "admin",
            partner_csv.PARTNER_COLUMNS,
            Organisation.count,
            (("file_kind", "partners"),),
        ),
        ImportPage(
            "contacts",
            "admin",
            partner_csv.CONTACT_COLUMNS,
            Contact.count,
            (("file_kind", "contacts"),),
        ),
        ImportPage(
            "catalog styles",
            "staff",
            catalog_csv.STYLE_COLUMNS,
            Style.count,
            (("file_kind", "styles"),),
        ),
        ImportPage(
            "catalog prices",
            "staff",
            catalog_csv.PRICE_COLUMNS,
            Price.count,
            (("file_kind", "prices"),),
        ),
        ImportPage(
            "catalog availability",
            "staff",
            availability.COLUMNS,
            Style.count,
            (("file_kind", "availability"),),
        ),
    )
}


async def _upload(
    client: PortalClient, cast: Cast, page: ImportPage, name: str, content: bytes
) -> tuple[httpx.Response, int]:
    """Post the file to the page as its user; the response and the rows saved by it."""
    url = await page.url(cast)
    await client.sign_in(getattr(cast, page.member))
    before = await page.saved()
    response = await client.post(
        url,
        data=dict(page.fields),
        files={"file": (name, content, "application/octet-stream")},
        headers={"x-csrftoken": await client.csrf_token()},
    )
    return response, await page.saved() - before


@pytest.fixture(autouse=True)
def _campaign_clock(frozen_clock: Any) -> None:
    frozen_clock.frozen_at = NOW  # the roster's campaign is open now


@pytest.mark.parametrize("page_name", list(PAGES))
async def test_a_zip_bomb_is_refused_on_every_import_page_by_its_unpacked_size(
    client: PortalClient, cast: Cast, page_name: str
) -> None:
    page = PAGES[page_name]
    bomb = spreadsheet_files.zip_bomb(page.columns)
    assert len(bomb) < 250_000  # small to send, 66 MB unpacked

    response, saved = await _upload(client, cast, page, "bomb.xlsx", bomb)

    assert response.status_code == 400
    assert "The file unpacks to more than 20 MB, the limit for one file." in response.text
    assert saved == 0


REFUSED_FILES: dict[str, tuple[Callable[[tuple[str, ...]], bytes], str]] = {
    "a million cells": (
        lambda columns: spreadsheet_files.square(1000),
        "The sheet has more than 100 columns, the limit for one file.",
    ),
    "a million cells under a dimension that says 2 x 2": (
        lambda columns: spreadsheet_files.square(1000, dimension="A1:B2"),
        "The sheet has more than 100 columns, the limit for one file.",
    ),
    "300 rows of a thousand empty-looking cells": (
        lambda columns: spreadsheet_files.workbook(
            "".join(
                f'<row r="{number}">' + '<c t="s"><v>0</v></c>' * 1000 + "</row>"
                for number in range(1, 301)
            ),
            "A1",
            [""],
        ),
        "The sheet has more than 250,000 cells, the limit for one file.",
    ),
    "5,001 rows": (
        lambda columns: spreadsheet_files.rows_csv(columns, 5001),
        "The file has more than 5,000 rows, the limit for one file.",
    ),
    "a billion laughs": (
        spreadsheet_files.entity_bomb,
        "The file is not a readable Excel workbook (xlsx).",
    ),
}


@pytest.mark.parametrize("page_name", ["roster", "order upload"])
@pytest.mark.parametrize("kind", list(REFUSED_FILES))
async def test_hostile_workbooks_are_refused_with_the_limit_they_break(
    client: PortalClient, cast: Cast, page_name: str, kind: str
) -> None:
    page = PAGES[page_name]
    make, message = REFUSED_FILES[kind]
    content = make(page.columns)
    name = "hostile.xlsx" if content.startswith(b"PK") else "hostile.csv"

    response, saved = await _upload(client, cast, page, name, content)

    assert response.status_code == 400
    assert message in response.text
    assert saved == 0


@pytest.mark.parametrize("page_name", ["roster", "order upload", "partners", "catalog styles"])
async def test_a_file_larger_than_the_upload_limit_is_refused_before_it_is_read(
    client: PortalClient, cast: Cast, page_name: str
) -> None:
    page = PAGES[page_name]
    content = spreadsheet_files.rows_csv(page.columns, 1, cell="x" * (5 * 1024 * 1024))

    response, saved = await _upload(client, cast, page, "big.csv", content)

    assert response.status_code == 413
    assert "The file is larger than 5 MB, the limit for one upload." in response.text
    assert saved == 0


async def test_a_roster_whose_dimension_understates_its_size_is_read_in_full(
    client: PortalClient, cast: Cast
) -> None:
    """Excel writes the dimension; other tools may not. A sheet that claims to be one cell
    wide still has all its rows and columns read, not silently cut to what it claims."""
    page = PAGES["roster"]
    rows = [
        list(page.columns),
        ["E1", "王小明", "零售银行部", "上海", "", "men", "", "zh_Hans"],
        ["E2", "김민준", "운영", "서울", "", "men", "", "ko"],
    ]
    content = spreadsheet_files.with_dimension(rows, "A1")

    response, saved = await _upload(client, cast, page, "roster.xlsx", content)

    assert response.status_code == 200, response.text
    assert "2 created, 0 updated" in response.text
    assert saved == 2


async def test_the_refusals_speak_the_readers_language(client: PortalClient, cast: Cast) -> None:
    await User.update({User.locale: "ko"}).where(User.id == cast.client.id)
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    roster = PAGES["roster"]
    bomb, _ = await _upload(
        client, cast, roster, "bomb.xlsx", spreadsheet_files.zip_bomb(roster.columns)
    )
    await client.sign_in(cast.distributor)
    too_big = await client.post(
        "/distributors/upload",
        files={"file": ("big.csv", b"x" * (6 * 1024 * 1024), "text/csv")},
        headers={"x-csrftoken": await client.csrf_token()},
    )

    assert "파일의 압축을 풀면 20 MB를 넘습니다. 파일 하나의 한도입니다." in bomb.text
    assert too_big.status_code == 413
    assert "文件超过 5 MB，这是单次上传的上限。" in too_big.text
