"""JSON API for campaigns, their roster and the responses (/api/v1), for the client's
HR system. The same services and access rules as the pages: an invisible campaign
answers 404, a missing permission 403, bad input 400 with a message per field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, JSONBody

from group_orders import access as group_access
from group_orders import approvals, campaigns, reports, rosters
from group_orders.access import GroupOrderAction
from group_orders.records import CampaignRecord
from partner_portal.web import CurrentViewer

API = "/api/v1/group-campaigns"


class CampaignSummary(msgspec.Struct):
    id: UUID
    name: str
    status: str
    entitlement: str
    allowance: Decimal | None
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
    contract_discount_percent: Decimal | None


class CampaignDetail(CampaignSummary):
    # category -> pieces per person across the campaign's items of that category
    pieces_per_category: dict[str, int]
    total_quantity: int
    total: Decimal
    company_pays: Decimal
    employee_pays: Decimal


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


class EmployeeInput(msgspec.Struct):
    # Checked by the roster's own rules (forms.parse_employee), with a message per field.
    employee_number: str = ""
    name: str = ""
    department: str = ""
    site: str = ""
    email: str = ""
    gender: str = ""
    job_role: str = ""
    language: str = ""


class ResponseLine(msgspec.Struct):
    employee_number: str
    style_code: str
    colour: str
    size: str
    quantity: int
    unit_price: Decimal


def _summary(row: CampaignRecord, roster: int, responded: int) -> dict[str, Any]:
    return {
        "id": row.uuid,
        "name": row.name,
        "status": row.status,
        "entitlement": row.entitlement,
        "allowance": row.allowance,
        "currency": row.currency,
        "opens_on": row.opens_on,
        "closes_on": row.closes_on,
        "delivery_mode": row.delivery_mode,
        "tipping_point": row.tipping_point,
        "roster": roster,
        "responded": responded,
        "order_id": row.order_uuid,
        "price_source": row.price_source,
        "contract_discount_percent": row.contract_discount_percent,
    }


def _employee(row: dict[str, Any]) -> EmployeeRow:
    return EmployeeRow(
        id=row["uuid"],
        employee_number=row["employee_number"],
        name=row["name"],
        department=row["department"],
        site=row["site"],
        email=row["email"],
        gender=row["gender"],
        job_role=row["job_role"],
        language=row["locale"],
        responded_at=row["responded_at"],
        entered_by_admin=row["entered_by"] is not None,
    )


@get(API, tags=["group orders"])
async def list_campaigns(viewer: CurrentViewer) -> list[CampaignSummary]:
    rows = await campaigns.list_campaigns(viewer)
    return [CampaignSummary(**_summary(row, row.roster, row.responded)) for row in rows]


@get(f"{API}/{{campaign_id:uuid}}", tags=["group orders"])
async def get_campaign(viewer: CurrentViewer, campaign_id: FromPath[UUID]) -> CampaignDetail:
    campaign = await group_access.get_campaign(viewer, campaign_id)
    progress = await approvals.progress(campaign)
    return CampaignDetail(
        **_summary(campaign, progress.roster, progress.responded),
        pieces_per_category=await campaigns.category_allotments(campaign.id),
        total_quantity=progress.total_quantity,
        total=progress.total,
        company_pays=progress.company_pays,
        employee_pays=progress.employee_pays,
    )


@get(f"{API}/{{campaign_id:uuid}}/employees", tags=["group orders"])
async def list_employees(viewer: CurrentViewer, campaign_id: FromPath[UUID]) -> list[EmployeeRow]:
    campaign = await group_access.get_campaign(
        viewer, campaign_id, GroupOrderAction.manage_group_campaigns
    )
    return [_employee(row) for row in await rosters.roster(campaign)]


@post(f"{API}/{{campaign_id:uuid}}/employees", tags=["group orders"])
async def add_employee(
    viewer: CurrentViewer, campaign_id: FromPath[UUID], data: JSONBody[EmployeeInput]
) -> Response[Any]:
    campaign = await group_access.get_campaign(
        viewer, campaign_id, GroupOrderAction.manage_group_campaigns
    )
    result = await rosters.add_employee(viewer, campaign, msgspec.structs.asdict(data))
    if not result.saved:
        return Response(
            {"status_code": 400, "detail": "Invalid input.", "errors": result.errors},
            status_code=400,
        )
    row = await group_access.get_employee(viewer, result.uuid)  # type: ignore[arg-type]
    return Response(_employee(row), status_code=201)


@get(f"{API}/{{campaign_id:uuid}}/responses", tags=["group orders"])
async def list_responses(viewer: CurrentViewer, campaign_id: FromPath[UUID]) -> list[ResponseLine]:
    campaign = await group_access.get_campaign(
        viewer, campaign_id, GroupOrderAction.manage_group_campaigns
    )
    return [ResponseLine(**line) for line in await reports.response_lines(campaign)]


group_order_api_routes = [
    list_campaigns,
    get_campaign,
    list_employees,
    add_employee,
    list_responses,
]
