"""JSON API (/api/v1) for bulk upserts an ERP sends: the stock on hand of up to 100,000
SKUs in one call, all or nothing, safe to retry with an Idempotency-Key."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.params import JSONBody

from partner_portal import access, api, idempotency
from partner_portal.access import Action
from partner_portal.api import post
from partner_portal.catalog import bulk
from partner_portal.i18n import gettext as _
from partner_portal.web import CurrentViewer

# 100,000 items of about 60 bytes each, with room to spare.
BULK_BODY_BYTES = 32 * 1024 * 1024


def rows_refused(problems: list[bulk.RowProblem]) -> Response[api.Problem]:
    """RFC 9457 problem details naming each refused item by its place in ``items``
    (``items[3].at_once``; ``items`` itself for an empty list)."""
    errors = [
        api.FieldError(
            field=f"items[{problem.index}].{problem.field}".rstrip(".")
            if problem.index >= 0
            else "items",
            code="invalid",
            message=problem.message,
        )
        for problem in problems
    ]
    return Response(
        api.problem(422, _("Some items were refused; nothing was saved."), errors),
        status_code=422,
        media_type=api.PROBLEM_MEDIA_TYPE,
    )


@post(
    "/api/v1/stock-levels",
    status_code=200,
    request_max_body_size=BULK_BODY_BYTES,
)
async def api_stock_levels(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    data: JSONBody[dict[str, Any] | None] = None,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[Any]:
    """Set the stock on hand of many SKUs: ``items`` of {"barcode", "at_once"} or
    {"style", "colour", "size", "at_once"}; all of them, or none and a 422 naming each
    refused item by its index."""

    access.require(viewer, Action.manage_catalog)

    async def respond() -> Response[Any]:
        result = await bulk.upsert_stock_levels(viewer, (data or {}).get("items"))
        if not result.ok:
            return rows_refused(result.problems)
        return Response({"received": result.received, "changed": result.changed})

    return await idempotency.respond_once(request, viewer, idempotency_key, respond)


bulk_api_routes = [api_stock_levels]
