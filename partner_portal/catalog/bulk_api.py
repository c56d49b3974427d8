"""JSON API (/api/v1) for bulk upserts an ERP sends: the stock on hand of up to 100,000
SKUs in one call, all or nothing, safe to retry with an Idempotency-Key; and the stock
levels read back, a page at a time (all of them, or the low ones)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Response
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import JSONBody, QueryParameter

from partner_portal import access, api, idempotency
from partner_portal.access import Action
from partner_portal.api import post
from partner_portal.catalog import bulk
from partner_portal.handler_types import AnyRequest
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


def _code(description: str) -> Schema:
    return Schema(
        one_of=[
            Schema(type=OpenAPIType.STRING, min_length=1, max_length=bulk.CODE_LENGTH),
            Schema(type=OpenAPIType.NULL),
        ],
        description=description,
    )


# The body as the OpenAPI document shows it. The handler reads it itself, not through a
# typed parameter, so that a call with several bad items is refused naming every one of
# them (bulk._parse), where a typed body would stop at the first.
STOCK_PUSH_BODY = RequestBody(
    required=True,
    content={
        "application/json": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["items"],
                properties={
                    "items": Schema(
                        type=OpenAPIType.ARRAY,
                        min_items=1,
                        max_items=bulk.MAX_ITEMS,
                        items=Schema(
                            type=OpenAPIType.OBJECT,
                            required=["at_once"],
                            description="A SKU by its barcode, or by style code, colour "
                            "code and size, with its pieces on hand.",
                            properties={
                                "at_once": Schema(
                                    type=OpenAPIType.INTEGER, minimum=0, maximum=bulk.MAX_QUANTITY
                                ),
                                "barcode": _code("The SKU's barcode (GTIN)."),
                                "style": _code("The style's code."),
                                "colour": _code("The colour's code."),
                                "size": _code("The size's label."),
                            },
                        ),
                    )
                },
            )
        )
    },
)


@dataclass  # so that its own __init__ calls __post_init__
class StockPushOperation(Operation):
    """The stock push's operation, with its body described (STOCK_PUSH_BODY)."""

    def __post_init__(self) -> None:
        self.request_body = STOCK_PUSH_BODY


class StockPushAnswer(msgspec.Struct):
    received: int
    # Figures that differ from before (a figure sent again unchanged is not written).
    changed: int


@post(
    "/api/v1/stock-levels",
    status_code=200,
    request_max_body_size=BULK_BODY_BYTES,
    operation_class=StockPushOperation,
)
async def api_stock_levels(
    request: AnyRequest,
    viewer: CurrentViewer,
    data: JSONBody[dict[str, Any] | None] = None,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[StockPushAnswer]:
    """Set the stock on hand of many SKUs: ``items`` of {"barcode", "at_once"} or
    {"style", "colour", "size", "at_once"}; all of them, or none and a 422 naming each
    refused item by its index."""

    access.require(viewer, Action.manage_catalog)

    async def respond() -> Response[Any]:
        result = await bulk.upsert_stock_levels(viewer, (data or {}).get("items"))
        if not result.ok:
            return rows_refused(result.problems)
        return Response(StockPushAnswer(received=result.received, changed=result.changed))

    return await idempotency.respond_once(request, viewer, idempotency_key, respond)


class StockLevel(msgspec.Struct):
    sku: UUID
    barcode: str | None
    # The SKU's id in the brand's ERP.
    external_ref: str | None
    style: str
    colour: str
    size: str
    # Pieces on hand (as the ERP last said, less what shipped since), held by submitted
    # orders, and left to sell at once (on hand less held; below 0 where oversold).
    on_hand: int
    reserved: int
    available: int
    updated_at: datetime


class StockLevelList(msgspec.Struct):
    items: list[StockLevel]
    # Pass as ?cursor= for the next SKUs; null on the last page.
    next_cursor: str | None


@api.get("/api/v1/stock-levels", tags=["catalog"])
async def api_read_stock_levels(
    viewer: CurrentViewer,
    low: Annotated[
        bool,
        QueryParameter(
            description="Only the SKUs with LOW_STOCK_PIECES or fewer left at once: every "
            "SKU a stock.low event counted, including those it did not list."
        ),
    ] = False,
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> StockLevelList:
    """The stock figures of the SKUs that have one, by SKU (the brand's catalog team)."""
    position = api.decode_cursor(cursor, (int,))
    rows = await bulk.stock_levels(viewer, position[0] if position else None, limit + 1, low)
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row["sku"]])
    return StockLevelList(
        items=[
            StockLevel(
                sku=row["uuid"],
                barcode=row["barcode"],
                external_ref=row["external_ref"],
                style=row["style"],
                colour=row["colour"],
                size=row["size"],
                on_hand=row["at_once"],
                reserved=row["reserved"],
                available=row["at_once"] - row["reserved"],
                updated_at=api.timestamp(row["updated_at"]),
            )
            for row in shown
        ],
        next_cursor=next_cursor,
    )


bulk_api_routes = [api_stock_levels, api_read_stock_levels]
