"""A campaign from creation to one order: items, answers, entering sizes for someone,
closing early, approval (with a second approver above an amount), the order's lines,
the packing list, link e-mails and reminders, and the demand open campaigns announce."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from group_orders import approvals, campaigns, choices, invitations, reports
from group_orders.records import CampaignRecord
from group_orders.tables import Campaign, Employee
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.notifications.tables import OutboxEmail
from partner_portal.orders.tables import Order, OrderLine
from tests.group_orders.support import (
    BASE_URL,
    NOW,
    SECRET,
    add_people,
    approve_as_reviewed,
    choice_form,
    items,
    make_campaign,
    make_uniform,
    reviewed_value,
)
from tests.support import Cast, PortalClient


async def test_a_client_admin_creates_a_campaign_and_offers_an_item(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await make_uniform()
    await client.sign_in(cast.client)
    today = NOW.date()
    refused = await client.post_form(
        "/group-orders/new",
        {
            "name": "",
            "opens_on": today.isoformat(),
            "closes_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert refused.status_code == 400
    assert "The closing date must be on or after the opening date" in refused.text
    assert await Campaign.count() == 0
    created = await client.post_form(
        "/group-orders/new",
        {
            "name": "Spring uniforms",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=10)).isoformat(),
            "entitlement": "allowance",
            "allowance": "500",
            "delivery_mode": "per_department",
            "tipping_point": "1",
        },
    )
    assert created.status_code == 303
    page = created.headers["location"]
    unpriced = await client.post_form(f"{page}/items", {"style_code": "NOPE", "colour_code": "NVY"})
    assert unpriced.status_code == 400 and "No active style has this code" in unpriced.text
    added = await client.post_form(
        f"{page}/items", {"style_code": "ss27-un-001", "colour_code": "nvy", "allotment": "2"}
    )
    assert added.status_code == 303
    shown = await client.get(page)
    assert "SS27-UN-001" in shown.text and "165/84A" in shown.text
    campaign = CampaignRecord.from_row(await Campaign.select().first() or {})
    assert campaign is not None and campaign.organisation == cast.bank.id
    assert campaign.allowance == Decimal("500")


async def test_answers_become_one_order_whose_lines_add_up_the_choices(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    people = await add_people(
        campaign, ("E1", "王小明", "零售"), ("E2", "李秀英", "运营"), ("E3", "张伟", "运营")
    )
    by_number = {person.employee_number: person for person in people}
    offered = await items(campaign)
    for number, picks in (
        ("E1", {0: ("170/88A", 2), 1: ("170/76A", 1)}),
        ("E2", {0: ("170/88A", 1)}),
    ):
        form = await choices.save_choices(by_number[number], campaign, choice_form(offered, picks))
        assert not form.errors
    # The client admin enters the sizes of someone without a phone; that is recorded.
    await client.sign_in(cast.client)
    entered = await client.post_form(
        f"/group-orders/employees/{by_number['E3'].uuid}/choices",
        choice_form(offered, {0: ("175/92A", 2), 1: ("175/80A", 1)}),
    )
    assert entered.status_code == 303
    e3 = await Employee.select().where(Employee.employee_number == "E3").first()
    assert e3 is not None and e3["entered_by"] == cast.client.id
    detail = await client.get(f"/group-orders/{campaign.uuid}")
    assert '<strong data-testid="responded">3</strong>' in detail.text
    summary = await approvals.progress(campaign)
    assert summary.total_quantity == 7
    assert summary.total == Decimal("110") * 5 + Decimal("80") * 2
    # Closing early, then approving, makes one order.
    assert (await client.post_form(f"/group-orders/{campaign.uuid}/close")).status_code == 303
    review = await client.get(f"/group-orders/{campaign.uuid}/review")
    approve_form = {"reviewed": reviewed_value(review.text)}
    approved = await client.post_form(f"/group-orders/{campaign.uuid}/approve", approve_form)
    assert approved.status_code == 303, approved.text
    again = await client.post_form(f"/group-orders/{campaign.uuid}/approve", approve_form)
    assert again.status_code == 303
    [order] = await Order.select().where(Order.buyer == cast.bank.id)
    assert order["channel"] == "group"
    lines = await OrderLine.select(OrderLine.quantity, OrderLine.unit_price, OrderLine.size).where(
        OrderLine.order == order["id"]
    )
    assert sum(line["quantity"] for line in lines) == summary.total_quantity
    assert order["total"] == summary.total  # the campaign's prices, logo option included
    by_size = {line["size"]: line["quantity"] for line in lines}
    expected: dict[int, int] = {}
    for per_size in summary.matrix.values():
        for size_id, quantity in per_size.items():
            expected[size_id] = expected.get(size_id, 0) + quantity
    assert by_size == expected  # 170/88A x3, 175/92A x2 shirts; 170/76A, 175/80A trousers
    ordered = await campaigns.campaign_by_id(campaign.id)
    assert ordered.status == "ordered" and ordered.order_uuid == order["uuid"]
    packing = await client.get(f"/group-orders/{campaign.uuid}/packing-list")
    assert packing.status_code == 200
    for text in ("王小明", "李秀英", "张伟", "175/92A"):
        assert text in packing.text


async def test_above_the_limit_a_second_person_must_approve(cast: Cast, frozen_clock: Any) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform(), second_approval_above=Decimal("100"))
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await choices.save_choices(
        person, campaign, choice_form(await items(campaign), {0: ("170/88A", 2)})
    )
    client_admin = await viewer_for_user_id(cast.client.id)
    kam = await viewer_for_user_id(cast.kam.id)
    early = await approve_as_reviewed(client_admin, campaign.id)
    assert early.error  # still open
    await campaigns.close_campaign(client_admin, campaign)
    first = await approve_as_reviewed(client_admin, campaign.id)
    assert first.waiting_for_second and await Order.count() == 0
    same_person = await approve_as_reviewed(client_admin, campaign.id)
    assert same_person.error and await Order.count() == 0
    second = await approve_as_reviewed(kam, campaign.id)
    assert second.order_uuid is not None and await Order.count() == 1


async def test_below_the_tipping_point_no_order_is_placed(cast: Cast, frozen_clock: Any) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform(), tipping_point=10)
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await choices.save_choices(
        person, campaign, choice_form(await items(campaign), {0: ("170/88A", 2)})
    )
    viewer = await viewer_for_user_id(cast.client.id)
    await campaigns.close_campaign(viewer, campaign)
    result = await approve_as_reviewed(viewer, campaign.id)
    assert "at least 10" in result.error and await Order.count() == 0


async def test_links_are_mailed_once_and_non_responders_are_reminded_once_per_interval(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    people = await add_people(campaign, ("E1", "王小明", "零售"), ("E2", "李秀英", "运营"))
    viewer = await viewer_for_user_id(cast.client.id)
    assert await invitations.send_links(viewer, campaign, BASE_URL, SECRET) == 2
    assert await invitations.send_links(viewer, campaign, BASE_URL, SECRET) == 0
    mails = await OutboxEmail.select(OutboxEmail.recipient, OutboxEmail.body_text)
    assert {mail["recipient"] for mail in mails} == {"e1@bank.test", "e2@bank.test"}
    assert all(f"{BASE_URL}/g/" in mail["body_text"] for mail in mails)
    answered = next(person for person in people if person.employee_number == "E1")
    await choices.save_choices(
        answered, campaign, choice_form(await items(campaign), {0: ("170/88A", 1)})
    )
    later = NOW + timedelta(days=4)
    frozen_clock.frozen_at = later
    assert await invitations.send_reminders(BASE_URL, SECRET, later) == 1
    assert await invitations.send_reminders(BASE_URL, SECRET, later) == 0
    assert await invitations.send_reminders(BASE_URL, SECRET, later + timedelta(days=1)) == 0
    reminders = await OutboxEmail.select().where(OutboxEmail.kind == "group_orders_reminder")
    assert [mail["recipient"] for mail in reminders] == ["e2@bank.test"]


async def test_open_campaigns_announce_their_demand_scaled_to_the_roster(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    uniform = await make_uniform()
    campaign = await make_campaign(cast, uniform)
    people = await add_people(
        campaign,
        ("E1", "王小明", "零售"),
        ("E2", "李秀英", "运营"),
        ("E3", "张伟", "运营"),
        ("E4", "陈静", "运营"),
    )
    await choices.save_choices(
        people[0], campaign, choice_form(await items(campaign), {0: ("170/88A", 2)})
    )
    lines = await reports.campaign_demand(NOW.date())
    [line] = lines
    assert (line.style_id, line.size_id) == (uniform.shirt_id, uniform.sizes["170/88A"])
    assert line.quantity == 8  # 2 pieces from 1 of 4 people
    assert not line.firm and line.probability == Decimal("0.25")


async def test_the_packing_list_comes_as_a_pdf_with_name_labels_and_as_a_workbook(
    client: PortalClient, cast: Cast, frozen_clock: Any, tmp_path: Any
) -> None:
    import io
    import subprocess

    from openpyxl import load_workbook

    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform(), delivery_mode="per_department")
    people = await add_people(campaign, ("E1", "王小明", "零售银行部"), ("E2", "김민준", "운영팀"))
    offered = await items(campaign)
    for person, size in zip(people, ("170/88A", "180/96A"), strict=True):
        await choices.save_choices(person, campaign, choice_form(offered, {0: (size, 2)}))
    await client.sign_in(cast.kam)
    pdf = await client.get(f"/group-orders/{campaign.uuid}/packing-list.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "packing.pdf"
    path.write_bytes(pdf.content)
    # The PDF read back as a person would read it (a quick, local subprocess).
    pdftotext = ["pdftotext", str(path), "-"]
    text = subprocess.run(pdftotext, capture_output=True, check=True).stdout.decode()  # noqa: ASYNC221
    for word in ("王小明", "김민준", "零售银行部", "운영팀", "180/96A", "Name labels"):
        assert word in text
    workbook = await client.get(f"/group-orders/{campaign.uuid}/packing-list.xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(values_only=True)][1:]
    assert sorted((row[0], row[2], row[8], row[9]) for row in rows) == [
        ("零售银行部", "王小明", "170/88A", 2),
        ("운영팀", "김민준", "180/96A", 2),
    ]


async def test_the_clients_partner_page_lists_its_campaigns(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await client.sign_in(cast.kam)
    page = await client.get(f"/partners/{cast.bank.uuid}")
    assert page.status_code == 200
    assert f"/group-orders/{campaign.uuid}" in page.text


async def test_a_second_editor_of_the_settings_is_told_someone_saved_first(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    form = campaigns.campaign_form_values(campaign, {})
    await client.sign_in(cast.kam)
    url = f"/group-orders/{campaign.uuid}/edit"
    first = await client.post_form(url, {**form, "tipping_point": "100"})
    assert first.status_code == 303
    second = await client.post_form(url, {**form, "name": "Autumn uniforms"})
    assert second.status_code == 409
    assert "Someone else saved this campaign first" in second.text
    saved = await campaigns.campaign_by_id(campaign.id)
    assert (saved.name, saved.tipping_point) == ("Spring uniforms", 100)


async def test_after_the_closing_date_approving_closes_and_orders_in_one_step(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await choices.save_choices(
        person, campaign, choice_form(await items(campaign), {1: ("170/76A", 1)})
    )
    frozen_clock.frozen_at = NOW + timedelta(days=15)
    viewer = await viewer_for_user_id(cast.client.id)
    result = await approve_as_reviewed(viewer, campaign.id)
    assert result.order_uuid is not None
    assert (await campaigns.campaign_by_id(campaign.id)).status == "ordered"
