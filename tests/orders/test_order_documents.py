"""The order confirmation PDF (Chinese and Korean buyers) and the export of confirmed
orders as CSV and Excel, one row per line, as far as the exporter may see."""

from __future__ import annotations

import io
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook

from partner_portal.orders.tables import OrderStatus
from tests.orders.pages_support import order_row, place
from tests.orders.support import Shop, make_shop
from tests.support import Cast, PortalClient


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop(1)


def pdf_text(content: bytes) -> str:
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return completed.stdout.decode()


async def test_the_confirmation_prints_chinese_and_korean_buyers(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    chinese = await order_row(
        await place(shop, cast.admin, cast.distributor_a, OrderStatus.confirmed)
    )
    korean = await order_row(await place(shop, cast.admin, cast.distributor_b))
    await client.sign_in(cast.admin)

    response = await client.get(f"/orders/{chinese['uuid']}/confirmation.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "上海锦程贸易有限公司" in text and "锦绣服饰有限公司" in text
    assert chinese["number"] in text and "SS27-001" in text and "Page 1 / 1" in text
    assert "CN¥1,500.00" in text  # 15 pieces at the gold price of 100

    text = pdf_text((await client.get(f"/orders/{korean['uuid']}/confirmation.pdf")).content)
    assert "서울패션유통" in text and "₩300,000" in text

    await client.sign_in(cast.distributor)
    refused = await client.get(f"/orders/{korean['uuid']}/confirmation.pdf")
    assert refused.status_code == 404


async def test_the_export_holds_the_confirmed_orders_the_exporter_sees(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    confirmed = await order_row(
        await place(shop, cast.admin, cast.distributor_a, OrderStatus.confirmed, customer_po="鞋-7")
    )
    submitted = await order_row(await place(shop, cast.admin, cast.distributor_a))
    others = await order_row(
        await place(shop, cast.admin, cast.distributor_b, OrderStatus.confirmed)
    )
    await client.sign_in(cast.kam)

    csv = (await client.get("/orders/export.csv")).text
    assert csv.startswith("\ufefforder_number,status,")
    assert csv.count(confirmed["number"]) == 2  # one row per line
    assert "鞋-7" in csv and "上海锦程贸易有限公司" in csv
    assert submitted["number"] not in csv and others["number"] not in csv

    filtered = (await client.get("/orders/export.csv?q=none-such")).text
    assert confirmed["number"] not in filtered

    workbook = load_workbook(io.BytesIO((await client.get("/orders/export.xlsx")).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "order_number" and len(rows) == 3
    assert {row[13] for row in rows[1:]} == {10, 5}
    # Prices are numbers with the currency's decimals, moments are dates (not text).
    sheet_rows = list(workbook.active.iter_rows(min_row=2))
    header = list(rows[0])
    price = sheet_rows[0][header.index("unit_price")]
    assert price.data_type == "n" and price.number_format == "0.00"
    assert isinstance(rows[1][header.index("submitted_at")], datetime)

    await client.sign_in(cast.distributor)
    assert (await client.get("/orders/export.csv")).status_code == 403
