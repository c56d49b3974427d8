"""The roster: uploads checked row by row (nothing saved on error), xlsx or CSV, and
people added and edited in the page while the campaign is open."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from group_orders import rosters
from group_orders.records import CampaignRecord
from tests.group_orders.support import NOW, make_campaign, make_uniform
from tests.support import Cast, PortalClient

HEADER = "employee_number,name,department,site,email,gender,job_role,language\n"


async def _upload(client: PortalClient, campaign: CampaignRecord, name: str, content: bytes) -> Any:
    token = await client.csrf_token()
    return await client.post(
        f"/group-orders/{campaign.uuid}/roster/import",
        files={"file": (name, content)},
        headers={"x-csrftoken": token},
    )


def _xlsx(*rows: list[Any]) -> bytes:
    """A roster workbook: the template's header, then these rows as typed in Excel."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_a_roster_with_bad_rows_saves_nothing_and_names_each_problem(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await client.sign_in(cast.client)
    content = (
        HEADER
        + "E1,王小明,零售银行部,上海,xm@bank.test,men,柜员,zh_Hans\n"
        + "E2,,运营,上海,,,,\n"
        + "E3,李娜,运营,上海,not-an-address,women,,\n"
        + "E1,张伟,运营,上海,,x,,fr\n"
    ).encode()
    response = await _upload(client, campaign, "roster.csv", content)
    assert response.status_code == 400
    assert "Nothing was imported" in response.text
    for row, column in (("3", "name"), ("4", "email"), ("5", "gender"), ("5", "language")):
        assert f"<td>{row}</td><td>{column}</td>" in response.text
    assert await rosters.roster(campaign) == []


async def test_an_xlsx_roster_is_imported_and_a_second_upload_updates_by_employee_number(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await client.sign_in(cast.client)
    content = _xlsx(
        [1001, "王小明", "零售银行部", "上海", "xm@bank.test", "M", "柜员", "zh_Hans"],
        [1002, "김민준", "운영", "서울", None, "men", None, "ko"],
    )
    response = await _upload(client, campaign, "roster.xlsx", content)
    assert response.status_code == 200, response.text
    assert "2 created, 0 updated" in response.text
    again = (HEADER + "1002,김민준,객실승무팀,인천,mj@air.test,men,,ko\n").encode()
    response = await _upload(client, campaign, "roster.csv", again)
    assert "0 created, 1 updated" in response.text
    people = {row.employee_number: row for row in await rosters.roster(campaign)}
    assert people["1001"].gender == "men" and people["1001"].locale == "zh_Hans"
    assert people["1002"].department == "객실승무팀"
    assert people["1001"].link_key != people["1002"].link_key


async def test_people_are_added_in_the_page_and_a_taken_number_is_refused_in_place(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await client.sign_in(cast.kam)
    url = f"/group-orders/{campaign.uuid}/roster"
    added = await client.post_form(
        url, {"employee_number": "E9", "name": "陈静", "department": "运营"}
    )
    assert added.status_code == 303
    taken = await client.post_form(url, {"employee_number": "E9", "name": "另一个人"})
    assert taken.status_code == 400
    assert "already on the roster" in taken.text and 'value="另一个人"' in taken.text
    [person] = await rosters.roster(campaign)
    edited = await client.post_form(
        f"/group-orders/employees/{person.uuid}",
        {"employee_number": "E9", "name": "陈静", "department": "对公业务部", "language": "ko"},
    )
    assert edited.status_code == 303
    [person] = await rosters.roster(campaign)
    assert (person.department, person.locale) == ("对公业务部", "ko")


async def test_a_large_roster_is_paged_and_searchable_and_the_link_sheet_has_qr_codes(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    from tests.group_orders.support import add_people

    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await add_people(campaign, *((f"E{n:03d}", f"员工{n}", "运营") for n in range(1, 131)))
    await client.sign_in(cast.client)
    url = f"/group-orders/{campaign.uuid}/roster"
    first = await client.get(url)
    assert "130 people" in first.text and "Page 1 of 2" in first.text
    assert "E100" in first.text and "E101" not in first.text
    found = await client.get(url, params={"q": "员工7"})
    assert "E007" in found.text and "E070" in found.text and "E008" not in found.text
    sheet = await client.get(f"/group-orders/{campaign.uuid}/link-sheet", params={"who": "all"})
    assert sheet.text.count('class="go-qr"><svg') == 130 and "/g/" in sheet.text
    only_without_mail = await client.get(f"/group-orders/{campaign.uuid}/link-sheet")
    assert only_without_mail.text.count('class="go-qr"') == 0


async def test_dates_in_an_xlsx_roster_are_read_as_the_kernel_reads_them(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    """The roster goes through partner_portal/spreadsheets.py: a cell Excel turned into a
    date (an employee number typed as 2026-03-01, a date in the site column) reads as
    2026-03-01, not 2026-03-01 00:00:00."""
    from datetime import date, datetime

    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await client.sign_in(cast.client)
    content = _xlsx([datetime(2026, 3, 1), "王小明", "零售银行部", date(2026, 3, 2), None, "men"])
    response = await _upload(client, campaign, "roster.xlsx", content)
    assert response.status_code == 200, response.text
    [person] = await rosters.roster(campaign)
    assert (person.employee_number, person.site) == ("2026-03-01", "2026-03-02")
