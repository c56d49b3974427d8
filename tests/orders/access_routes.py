"""The order pages and the order API in the access matrix.

Orders belong to their buyer: a role sees an order when it sees the buyer (SEES), and
suppliers see none. Subjects: a draft and a submitted order of every buying
organisation of the cast (the brand and the mill buy nothing)."""

from __future__ import annotations

from typing import Any

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import OrderChannel
from tests.access_matrix import (
    BRAND_MEMBERS,
    CATALOG_MANAGERS,
    KAMS,
    MEMBERS,
    Route,
    Subject,
    SubjectContext,
    on_partner,
    only,
)
from tests.orders.support import make_shop

BUYERS = ("distributor_a", "distributor_b", "retailer_a", "bank")
ORDER_VIEWERS = frozenset(MEMBERS) - {"supplier"}
# The brand's order desk: admins, merchandisers and KAMs confirm, ship and decide changes.
ORDER_DESK = frozenset({"admin", "staff"}) | KAMS
# Who places orders: the brand's sales people for partners, buyers for themselves.
ORDER_PLACERS = ORDER_VIEWERS - {"staff"}
BUYING_SIDE = ORDER_VIEWERS - BRAND_MEMBERS

view_order = on_partner(lambda member, target: member != "supplier")
place_order = on_partner(lambda member, target: member in ORDER_PLACERS)
manage_order = on_partner(lambda member, target: member in ORDER_DESK)
request_change = on_partner(lambda member, target: member in BUYING_SIDE)

ORDER = "/orders/{order_id:uuid}"
API_ORDER = "/api/v1/orders/{order_id:uuid}"
ROUTES: dict[str, Route] = {
    "GET /orders": Route(only(ORDER_VIEWERS)),
    "GET /orders/new": Route(only(ORDER_PLACERS)),
    "POST /orders/new": Route(only(ORDER_PLACERS)),
    "GET /orders/export.csv": Route(only(ORDER_DESK)),
    "GET /orders/export.xlsx": Route(only(ORDER_DESK)),
    "GET /stock": Route(only(CATALOG_MANAGERS)),
    f"GET {ORDER}": Route(view_order, "order"),
    f"GET {ORDER}/confirmation.pdf": Route(view_order, "submitted_order"),
    f"GET {ORDER}/versions": Route(view_order, "submitted_order"),
    f"POST {ORDER}/details": Route(place_order, "order"),
    f"POST {ORDER}/submit": Route(place_order, "order"),
    f"POST {ORDER}/status": Route(view_order, "order"),
    f"POST {ORDER}/comments": Route(view_order, "order"),
    f"POST {ORDER}/change-requests": Route(request_change, "submitted_order"),
    f"POST {ORDER}/change-requests/decide": Route(manage_order, "submitted_order"),
    f"POST {ORDER}/shipments": Route(manage_order, "submitted_order"),
    "GET /api/v1/orders": Route(only(ORDER_VIEWERS)),
    "POST /api/v1/orders": Route(only(ORDER_PLACERS)),
    f"GET {API_ORDER}": Route(view_order, "order"),
    f"PUT {API_ORDER}/lines": Route(place_order, "order"),
    f"POST {API_ORDER}/submit": Route(place_order, "order"),
    f"POST {API_ORDER}/status": Route(view_order, "order"),
    f"GET {API_ORDER}/shipments": Route(view_order, "submitted_order"),
    f"POST {API_ORDER}/shipments": Route(manage_order, "submitted_order"),
    "GET /api/v1/erp/orders": Route(only(ORDER_DESK)),
    f"POST {API_ORDER}/erp-acknowledgement": Route(manage_order, "submitted_order"),
}


async def _order(context: SubjectContext, target: str | None, submitted: bool) -> Any:
    """An order of ``target`` placed by the brand's admin: a draft, or submitted."""
    key = f"order:{target}:{submitted}"
    if key in context.cache:
        return context.cache[key]
    if "shop" not in context.cache:
        context.cache["shop"] = await make_shop(1)
    shop = context.cache["shop"]
    buyer = context.cast.organisations()[str(target)]
    admin = await viewer_for_user_id(context.cast.admin.id)
    draft = OrderDraft(
        buyer_id=buyer.id,
        channel=OrderChannel.rep_entered,
        lines=[shop.styles[0].line("BLK", "M", 12)],
    )
    if submitted:
        result = await services.place_order(admin, draft)
    else:
        result = await services.create_draft(admin, draft)
    assert result.saved, result.errors
    context.cache[key] = result.uuid
    return result.uuid


async def draft_order(context: SubjectContext, target: str | None) -> Any:
    return await _order(context, target, submitted=False)


async def submitted_order(context: SubjectContext, target: str | None) -> Any:
    return await _order(context, target, submitted=True)


SUBJECTS = {
    "order": Subject(draft_order, BUYERS),
    "submitted_order": Subject(submitted_order, BUYERS),
}
