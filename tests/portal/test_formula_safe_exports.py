"""Text that partners and staff type is exported as text, never as a formula a spreadsheet
would evaluate (CSV injection): CSV cells get a leading quote, xlsx cells are string cells
marked "quote prefix". Numbers stay numbers and dates stay dates."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from openpyxl.cell import Cell

from group_orders import choices, rosters
from insights import snapshots as insights
from partner_portal import spreadsheets
from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import User
from tests.catalog.support import make_catalog, style_form
from tests.group_orders.support import NOW, choice_form, items, make_campaign, make_uniform
from tests.insights.support import TODAY, make_history
from tests.orders.pages_support import move, place
from tests.orders.support import make_shop
from tests.support import Cast, PortalClient

HYPERLINK = '=HYPERLINK("http://x","y")'
PLUS = "+1+1"
MINUS = "-2+3"
AT = "@SUM(A1)"
HOSTILE = (HYPERLINK, PLUS, MINUS, AT)


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_cells(response: httpx.Response) -> list[dict[str, Cell]]:
    """The cells of the first sheet by header, as openpyxl reads them back."""
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *rows = list(sheet.iter_rows())
    return [
        {str(name.value): cell for name, cell in zip(header, row, strict=False)} for row in rows
    ]


def assert_text_cell(cell: Cell, text: str) -> None:
    assert cell.data_type == "s", f"{text!r} was written as {cell.data_type!r}"
    assert cell.value == text
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited


async def test_contact_details_a_partner_typed_are_exported_as_text(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.distributor)
    response = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/contacts/new",
        {"name": HYPERLINK, "job_title": PLUS, "phone": MINUS, "wechat_id": AT},
    )
    assert response.status_code == 303
    await client.sign_in(cast.kam)

    [row] = csv_rows(await client.get("/contacts/export.csv"))

    assert (row["name"], row["job_title"], row["phone"], row["wechat_id"]) == (
        "'" + HYPERLINK,
        "'" + PLUS,
        "'" + MINUS,
        "'" + AT,
    )


async def test_partner_fields_are_exported_as_text_and_the_export_imports_back(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)
    form = {
        "legal_name": HYPERLINK,
        "english_name": PLUS,
        "kind": "retailer",
        "country": "CN",
        "phone": MINUS,
        "notes": AT,
        "address-0-kind": "office",
        "address-0-country": "CN",
        "address-0-street": "Renmin Road 100",
    }
    assert (await client.post_form("/partners/new", form)).status_code == 303

    rows = csv_rows(await client.get("/partners/export.csv"))

    [row] = [row for row in rows if row["english_name"] == "'" + PLUS]
    assert (row["legal_name"], row["phone"], row["notes"]) == (
        "'" + HYPERLINK,
        "'" + MINUS,
        "'" + AT,
    )
    # The quote is the export's: reading the file back takes it off again.
    table = await spreadsheets.read_rows(
        (await client.get("/partners/export.csv")).content,
        tuple(rows[0]),
        (),
    )
    assert HYPERLINK in {imported["legal_name"] for imported in table[0]}


async def test_a_customer_po_number_is_exported_as_text_and_amounts_stay_numbers(
    client: PortalClient, cast: Cast
) -> None:
    await make_shop(1)
    viewer = await viewer_for_user_id(cast.distributor.id)
    api = {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}
    created = await client.post(
        "/api/v1/orders",
        headers=api,
        json={
            "buyer": str(cast.distributor_a.uuid),
            "lines": [{"style": "SS27-001", "colour": "BLK", "size": "S", "quantity": 4}],
            "customer_po": HYPERLINK,
            "requested_ship_date": "2026-03-01",
        },
    )
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    submitted = await client.post(
        f"/api/v1/orders/{order_id}/submit", headers={**api, "Idempotency-Key": "export-po-0001"}
    )
    assert submitted.status_code == 200, submitted.text
    await move(order_id, OrderStatus.confirmed)
    order = await Order.select(Order.submitted_at).first()
    staff = await User.select(User.time_zone).where(User.id == cast.staff.id).first()
    assert order is not None and staff is not None
    await client.sign_in(cast.staff)

    [row] = csv_rows(await client.get("/orders/export.csv"))
    [cells] = xlsx_cells(await client.get("/orders/export.xlsx"))

    assert row["customer_po"] == "'" + HYPERLINK
    assert_text_cell(cells["customer_po"], HYPERLINK)
    assert cells["quantity"].data_type == "n" and cells["quantity"].value == 4
    assert cells["line_total"].data_type == "n" and cells["line_total"].value > 0
    assert cells["requested_ship_date"].is_date
    assert cells["requested_ship_date"].value == datetime(2026, 3, 1)
    # When it was submitted: a date and time in the reader's time zone (Excel has no zones).
    local = order["submitted_at"].astimezone(ZoneInfo(staff["time_zone"])).replace(tzinfo=None)
    assert cells["submitted_at"].is_date
    assert abs((cells["submitted_at"].value - local).total_seconds()) < 1
    assert row["submitted_at"] == order["submitted_at"].isoformat()


async def test_style_names_are_exported_as_text_in_csv_and_xlsx(
    client: PortalClient, cast: Cast
) -> None:
    catalog = await make_catalog()
    await client.sign_in(cast.staff)
    form = style_form(
        catalog, name_en=HYPERLINK, name_zh=PLUS, name_ko=MINUS, fabric_composition=AT
    )
    assert (await client.post_form("/catalog/styles/new", form)).status_code == 303

    rows = csv_rows(await client.get("/catalog/styles/export.csv"))
    sheet = xlsx_cells(await client.get("/catalog/styles/export.xlsx"))

    for row in rows:
        assert (row["name_en"], row["name_zh"], row["name_ko"]) == (
            "'" + HYPERLINK,
            "'" + PLUS,
            "'" + MINUS,
        )
    for cells in sheet:
        for column, text in (("name_en", HYPERLINK), ("name_zh", PLUS), ("name_ko", MINUS)):
            assert_text_cell(cells[column], text)


async def test_names_on_the_packing_list_are_text(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await client.sign_in(cast.client)
    added = await client.post_form(
        f"/group-orders/{campaign.uuid}/roster",
        {"employee_number": "E1", "name": HYPERLINK, "department": PLUS, "site": AT},
    )
    assert added.status_code == 303, added.text
    [person] = await rosters.roster(campaign)
    offered = await items(campaign)
    await choices.save_choices(person, campaign, choice_form(offered, {0: ("170/88A", 2)}))
    await client.sign_in(cast.kam)

    [cells] = xlsx_cells(await client.get(f"/group-orders/{campaign.uuid}/packing-list.xlsx"))

    for column, text in (("name", HYPERLINK), ("department", PLUS), ("site", AT)):
        assert_text_cell(cells[column], text)
    assert cells["quantity"].data_type == "n" and cells["quantity"].value == 2


async def test_the_kpi_export_keeps_figures_as_numbers_and_names_as_text(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await User.update({User.display_name: MINUS}).where(User.id == cast.kam.id)
    await insights.recompute_all(TODAY.date())
    await client.sign_in(cast.admin)

    rows = csv_rows(await client.get("/insights/export.csv?period=quarter&count=8&by=kam"))
    sheet = xlsx_cells(await client.get("/insights/export.xlsx?period=quarter&count=8&by=kam"))

    assert "'" + MINUS in {row["Group"] for row in rows}
    kam_rows = [cells for cells in sheet if cells["Group"].value == MINUS]
    assert kam_rows
    for cells in kam_rows:
        assert_text_cell(cells["Group"], MINUS)
    figures = [cell for cells in sheet for cell in cells.values() if cell.value not in (None, "")]
    numbers = [cell for cell in figures if cell.data_type == "n"]
    assert numbers, "the figures are numbers"
    assert all(cell.data_type in ("n", "s") for cell in figures)


def test_the_shared_writer_keeps_numbers_and_dates_and_neutralises_every_trigger() -> None:
    header = ("text", "amount", "count", "day")
    texts = (*HOSTILE, "\tTab", "\rReturn", "plain", "1-2", "")
    rows: list[dict[str, Any]] = [
        {"text": text, "amount": Decimal("-5.25"), "count": -3, "day": date(2026, 3, 1)}
        for text in texts
    ]

    table = list(csv.reader(io.StringIO(spreadsheets.csv_text(header, rows).lstrip("\ufeff"))))
    sheet = load_workbook(io.BytesIO(spreadsheets.xlsx_bytes(header, rows))).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2))

    expected = [
        *("'" + text for text in HOSTILE),
        "'\tTab",
        "'\rReturn",
        "plain",
        "1-2",
        "",
    ]
    assert [row[0] for row in table[1:]] == expected
    assert {tuple(row[1:]) for row in table[1:]} == {("-5.25", "-3", "2026-03-01")}
    for (text_cell, amount, count, day), text in zip(cells, texts, strict=True):
        if text:
            assert text_cell.data_type == "s"
            # A string cell either way. openpyxl writes through lxml when it is installed
            # (pyHanko brings it), which escapes a carriage return and so keeps it; its own
            # writer does not, and XML reads the bare one back as a line feed.
            assert text_cell.value in (text, text.replace("\r", "\n"))
        else:
            assert text_cell.value is None
        assert amount.data_type == "n" and amount.value == pytest.approx(-5.25)
        assert count.data_type == "n" and count.value == -3
        assert day.is_date and day.value == datetime(2026, 3, 1)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
async def test_an_export_past_the_row_limit_is_refused_with_the_limit_named(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch, extension: str
) -> None:
    shop = await make_shop(1)
    await place(shop, cast.admin, cast.distributor_a, OrderStatus.confirmed)  # two lines
    monkeypatch.setattr(
        spreadsheets, "LIMITS", dataclasses.replace(spreadsheets.LIMITS, export_rows=1)
    )
    await client.sign_in(cast.staff)

    response = await client.get(f"/orders/export.{extension}")

    assert response.status_code == 400
    assert (
        "The export would hold more than 1 rows, the limit for one file. "
        "Narrow the filters and export again."
    ) in response.text
