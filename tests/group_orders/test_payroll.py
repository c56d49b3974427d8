"""The employee's share above the allowance is collected: a payroll-deduction workbook
by department with each employee's share."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from tests.group_orders.support import (
    NOW,
    add_people,
    choice_form,
    items,
    make_campaign,
    make_uniform,
    token_for,
)
from tests.support import Cast, PortalClient


async def test_the_payroll_export_lists_each_employees_share_by_department(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(
        cast, await make_uniform(), entitlement="allowance", allowance=Decimal("150")
    )
    people = await add_people(
        campaign, ("E1", "王小明", "零售"), ("E2", "李秀英", "零售"), ("E3", "张伟", "运营")
    )
    offered = await items(campaign)
    picks = {
        "E1": {0: ("175/92A", 2), 1: ("175/80A", 1)},  # 2 x 110 + 80 = 300: pays 150
        "E2": {0: ("170/88A", 1)},  # 110, inside the allowance
        "E3": {0: ("165/84A", 1), 1: ("170/76A", 1)},  # 190: pays 40
    }
    for person in people:
        url = f"/g/{token_for(campaign, person, settings.secret_key)}"
        form = {**choice_form(offered, picks[person.employee_number]), "action": "save"}
        assert "Thank you" in (await client.post_form(url, form)).text
    await client.sign_in(cast.client)
    page = await client.get(f"/group-orders/{campaign.uuid}?lang=en")
    assert f"/group-orders/{campaign.uuid}/payroll.xlsx" in page.text
    response = await client.get(f"/group-orders/{campaign.uuid}/payroll.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header[:7] == [
        "department",
        "employee_number",
        "name",
        "pieces",
        "total",
        "company_pays",
        "employee_pays",
    ]
    assert [row[:7] for row in rows] == [
        ["运营", "E3", "张伟", 2, 190, 150, 40],
        ["零售", "E1", "王小明", 3, 300, 150, 150],
    ]
    await client.sign_in(cast.staff)
    assert (await client.get(f"/group-orders/{campaign.uuid}/payroll.xlsx")).status_code == 403
