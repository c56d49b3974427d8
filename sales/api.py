"""JSON API (/api/v1) for opportunities, deal registrations, service cases and the rebate
ledger: the same services and access rules as the pages (an invisible row 404, a
missing permission 403, bad input 400 with messages by field)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from partner_portal.inputs import PageNumber
from partner_portal.web import CurrentViewer
from sales import cases, pipeline, rebates, registrations
from sales.cases import CaseFilters
from sales.pipeline import OpportunityFilters

API = "/api/v1"


def _money(value: Any) -> str:
    return str(value)


def _opportunity(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["uuid"]),
        "title": row["title"],
        "kind": row["kind"],
        "stage": row["stage"],
        "partner": str(row["partner_uuid"]),
        "partner_name": row["partner_name"],
        "expected_value": _money(row["expected_value"]),
        "currency": row["currency"],
        "expected_close_date": row["expected_close_date"].isoformat(),
        "probability": _money(row["probability"]),
        "weighted_value": _money(row["weighted"]),
        "owner": str(row["owner_uuid"]) if row["owner_uuid"] else None,
        "next_step": row["next_step"],
        "version": row["version"],
    }


@get(f"{API}/opportunities", cache=False)
async def api_opportunities(
    viewer: CurrentViewer, page: PageNumber = 1, stage: FromQuery[str] = ""
) -> dict[str, Any]:
    """Opportunities the caller may see, 50 a page, soonest close first."""
    result = await pipeline.list_opportunities(
        viewer, OpportunityFilters(stage=stage, page=max(1, page))
    )
    return {
        "items": [_opportunity(row) for row in result.rows],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }


@get(f"{API}/opportunities/{{opportunity_id:uuid}}", cache=False)
async def api_opportunity(viewer: CurrentViewer, opportunity_id: FromPath[UUID]) -> dict[str, Any]:
    return _opportunity(await pipeline.opportunity_view(viewer, opportunity_id))


def _registration(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["uuid"]),
        "partner": str(row["partner_uuid"]),
        "end_customer": row["end_customer"],
        "region": row["region"],
        "expected_quantity": row["expected_quantity"],
        "expected_value": _money(row["expected_value"]),
        "currency": row["currency"],
        "styles": row["styles"].split(),
        "status": row["status"],
        "decision_due_at": row["decision_due_at"].isoformat(),
        "protected_until": row["protected_until"].isoformat() if row["protected_until"] else None,
        "conflict": row["conflict"],
        "decision_note": row["decision_note"],
    }


@get(f"{API}/deal-registrations", cache=False)
async def api_registrations(
    viewer: CurrentViewer, status: FromQuery[str] = ""
) -> list[dict[str, Any]]:
    """The caller's registrations (a partner: its own only)."""
    return [_registration(row) for row in await registrations.list_registrations(viewer, status)]


@post(f"{API}/deal-registrations")
async def api_register_deal(
    viewer: CurrentViewer, data: JSONBody[dict[str, Any]]
) -> Response[dict[str, Any]]:
    """Register a deal; send an ``idempotency_key`` to make a retry safe."""
    fields = {name: "" if value is None else str(value) for name, value in data.items()}
    if isinstance(data.get("styles"), list):
        fields["styles"] = " ".join(str(code) for code in data["styles"])
    result = await registrations.submit_registration(
        viewer, fields, fields.get("idempotency_key", "")
    )
    if not result.saved:
        return Response({"errors": result.errors}, status_code=400)
    assert result.uuid is not None
    view = await registrations.registration_view(viewer, result.uuid)
    return Response(_registration(view.registration), status_code=201)


def _case(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["uuid"]),
        "partner": str(row["partner_uuid"]),
        "subject": row["subject"],
        "kind": row["kind"],
        "priority": row["priority"],
        "status": row["status"],
        "order_number": row["order_number"] or None,
        "style": row["style_code"],
        "first_response_due_at": row["first_response_due_at"].isoformat(),
        "resolution_due_at": row["resolution_due_at"].isoformat(),
        "sla": row["sla"],
    }


@get(f"{API}/cases", cache=False)
async def api_cases(viewer: CurrentViewer, status: FromQuery[str] = "") -> list[dict[str, Any]]:
    return [_case(row) for row in await cases.list_cases(viewer, CaseFilters(status=status))]


@post(f"{API}/cases")
async def api_open_case(
    viewer: CurrentViewer, data: JSONBody[dict[str, Any]]
) -> Response[dict[str, Any]]:
    """Open a case (subject, kind, priority, description, order_number, style_code; the
    brand names the partner as ``organisation``); send an ``idempotency_key`` to retry safely."""
    fields = {name: "" if value is None else str(value) for name, value in data.items()}
    result = await cases.open_case(viewer, fields, fields.get("idempotency_key", ""))
    if not result.saved:
        return Response({"errors": result.errors}, status_code=400)
    assert result.uuid is not None
    view = await cases.case_view(viewer, result.uuid)
    return Response(_case(view.case), status_code=201)


@get(f"{API}/cases/{{case_id:uuid}}", cache=False)
async def api_case(viewer: CurrentViewer, case_id: FromPath[UUID]) -> dict[str, Any]:
    """A case with its thread (a partner never receives the brand's internal notes)."""
    view = await cases.case_view(viewer, case_id)
    return {
        **_case(view.case),
        "messages": [
            {
                "author": message["author_name"],
                "body": message["body"],
                "internal": message["internal"],
                "created_at": message["created_at"].isoformat(),
            }
            for message in view.messages
        ],
    }


@get(f"{API}/rebates/{{partner_id:uuid}}/ledger", cache=False)
async def api_ledger(viewer: CurrentViewer, partner_id: FromPath[UUID]) -> dict[str, Any]:
    view = await rebates.ledger_view(viewer, partner_id)
    return {
        "partner": str(view.partner["uuid"]),
        "balances": [
            {
                "programme": str(row["programme"]["uuid"]),
                "name": row["programme"]["name"],
                "points": _money(row["points"]),
                "rebates": _money(row["rebates"]),
                "currency": row["programme"]["currency"],
            }
            for row in view.balances
        ],
        "entries": [
            {
                "id": str(entry["uuid"]),
                "kind": entry["kind"],
                "points": _money(entry["points"]),
                "amount": _money(entry["amount"]),
                "order": str(entry["order_uuid"]) if entry["order_uuid"] else None,
                "order_number": entry["order_number"] or None,
                "note": entry["note"],
                "occurred_at": entry["occurred_at"].isoformat(),
            }
            for entry in view.entries
        ],
    }


sales_api_routes = [
    api_opportunities,
    api_opportunity,
    api_registrations,
    api_register_deal,
    api_cases,
    api_open_case,
    api_case,
    api_ledger,
]
