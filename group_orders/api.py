"""JSON API for campaigns, their roster and the responses (/api/v1), for the client's
HR system. The same services and access rules as the pages: an invisible campaign
answers 404, a missing permission 403, bad input 400 with a message per field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import FromPath, JSONBody

from group_orders import access as group_access
from group_orders import approvals, campaigns, reports, rosters
from group_orders.access import GroupOrderAction
from group_orders.records import CampaignRecord, EmployeeRecord
from partner_portal import api
from partner_portal.api import DecimalText, Money
from partner_portal.web import CurrentViewer

API = "/api/v1/group-campaigns"


class CampaignSummary(msgspec.Struct):
    id: UUID
    name: str
    status: str
    entitlement: str
    allowance: Money | None
    currency: str
    opens_on: date
    closes_on: date
    delivery_mode: str
    tipping_point: int
    roster: int
    responded: int
    order_id: UUID | None
    # "price_list", or "contract": the price list less the contract's discount
    price_source: str
    contract_discount_percent: DecimalText | None


class CampaignDetail(CampaignSummary):
    # category -> pieces per person across the campaign's items of that category
    pieces_per_category: dict[str, int]
    total_quantity: int
    total: Money
    company_pays: Money
    employee_pays: Money


class EmployeeRow(msgspec.Struct):
    id: UUID
    employee_number: str
    name: str
    department: str
    site: str
    email: str
    gender: str
    job_role: str
    language: str
    responded_at: datetime | None
    entered_by_admin: bool


Field = Annotated[str, msgspec.Meta(max_length=200)]


class EmployeeInput(msgspec.Struct, forbid_unknown_fields=True):
    # Checked by the roster's own rules (forms.parse_employee), with a message per field.
    employee_number: Field = ""
    name: Field = ""
    department: Field = ""
    site: Field = ""
    email: Field = ""
    gender: Field = ""
    job_role: Field = ""
    language: Field = ""


class ResponseLine(msgspec.Struct):
    employee_number: str
    style_code: str
    colour: str
    size: str
    quantity: int
    unit_price: Money


def _summary(row: CampaignRecord, roster: int, responded: int) -> CampaignSummary:
    return CampaignSummary(
        id=row.uuid,
        name=row.name,
        status=row.status,
        entitlement=row.entitlement,
        allowance=api.money(row.allowance, row.currency) if row.allowance is not None else None,
        currency=row.currency,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        delivery_mode=row.delivery_mode,
        tipping_point=row.tipping_point,
        roster=roster,
        responded=responded,
        order_id=row.order_uuid,
        price_source=row.price_source,
        contract_discount_percent=api.decimal_text(row.contract_discount_percent)
        if row.contract_discount_percent is not None
        else None,
    )


def _employee(person: EmployeeRecord) -> EmployeeRow:
    return EmployeeRow(
        id=person.uuid,
        employee_number=person.employee_number,
        name=person.name,
        department=person.department,
        site=person.site,
        email=person.email,
        gender=person.gender,
        job_role=person.job_role,
        language=person.locale,
        responded_at=api.timestamp(person.responded_at) if person.responded_at else None,
        entered_by_admin=person.entered_by is not None,
    )


class CampaignList(msgspec.Struct):
    items: list[CampaignSummary]
    # Pass as ?cursor= for the next campaigns; null on the last page.
    next_cursor: str | None


@api.get(API, tags=["group orders"])
async def list_campaigns(
    viewer: CurrentViewer, cursor: api.Cursor = "", limit: api.Limit = api.DEFAULT_LIMIT
) -> CampaignList:
    """The campaigns the caller may see, the latest closing first."""
    position = api.decode_cursor(cursor, (date, int))
    rows = await campaigns.list_campaigns(
        viewer, (position[0], position[1]) if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.closes_on, row.id])
    return CampaignList(
        items=[_summary(row, row.roster, row.responded) for row in shown],
        next_cursor=next_cursor,
    )


@api.get(f"{API}/{{campaign_id:uuid}}", tags=["group orders"])
async def get_campaign(viewer: CurrentViewer, campaign_id: FromPath[UUID]) -> CampaignDetail:
    campaign = await group_access.get_campaign(viewer, campaign_id)
    progress = await approvals.progress(campaign)
    return CampaignDetail(
        **msgspec.structs.asdict(_summary(campaign, progress.roster, progress.responded)),
        pieces_per_category=await campaigns.category_allotments(campaign.id),
        total_quantity=progress.total_quantity,
        total=api.money(progress.total, campaign.currency),
        company_pays=api.money(progress.company_pays, campaign.currency),
        employee_pays=api.money(progress.employee_pays, campaign.currency),
    )


class EmployeeList(msgspec.Struct):
    items: list[EmployeeRow]
    # Pass as ?cursor= for the next people; null on the last page.
    next_cursor: str | None


@api.get(f"{API}/{{campaign_id:uuid}}/employees", tags=["group orders"])
async def list_employees(
    viewer: CurrentViewer,
    campaign_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> EmployeeList:
    """The campaign's roster in the order people joined it."""
    campaign = await group_access.get_campaign(
        viewer, campaign_id, GroupOrderAction.manage_group_campaigns
    )
    position = api.decode_cursor(cursor, (int,))
    rows = await rosters.roster_after(campaign, position[0] if position else None, limit + 1)
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.id])
    return EmployeeList(items=[_employee(row) for row in shown], next_cursor=next_cursor)


@api.post(f"{API}/{{campaign_id:uuid}}/employees", tags=["group orders"], status_code=201)
async def add_employee(
    viewer: CurrentViewer, campaign_id: FromPath[UUID], data: JSONBody[EmployeeInput]
) -> EmployeeRow:
    campaign = await group_access.get_campaign(
        viewer, campaign_id, GroupOrderAction.manage_group_campaigns
    )
    result = await rosters.add_employee(viewer, campaign, msgspec.structs.asdict(data))
    if not result.saved or result.uuid is None:
        raise api.refused(result)
    employee, _ = await group_access.get_employee(viewer, result.uuid)
    return _employee(employee)


class ResponseList(msgspec.Struct):
    items: list[ResponseLine]
    # Pass as ?cursor= for the next choices; null on the last page.
    next_cursor: str | None


@api.get(f"{API}/{{campaign_id:uuid}}/responses", tags=["group orders"])
async def list_responses(
    viewer: CurrentViewer,
    campaign_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> ResponseList:
    """What people chose: one item per person and item, person by person in the order
    they joined the roster."""
    campaign = await group_access.get_campaign(
        viewer, campaign_id, GroupOrderAction.manage_group_campaigns
    )
    position = api.decode_cursor(cursor, (int, int))
    rows = await reports.response_lines(
        campaign, (position[0], position[1]) if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row.employee, row.id])
    return ResponseList(
        items=[
            ResponseLine(
                employee_number=row.employee_number,
                style_code=row.style_code,
                colour=row.colour,
                size=row.size,
                quantity=row.quantity,
                unit_price=api.money(row.unit_price, campaign.currency),
            )
            for row in shown
        ],
        next_cursor=next_cursor,
    )


group_order_api_routes = [
    list_campaigns,
    get_campaign,
    list_employees,
    add_employee,
    list_responses,
]
