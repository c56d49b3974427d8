"""Reading the order book: the list with its filters, one order's page, the buyers a viewer
may order for, and a partner's recent orders for the partner 360 page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from piccolo.query.methods.select import Select

from partner_portal import access
from partner_portal.access import Action, Viewer, VisibleOrganisationDetails
from partner_portal.database import contains_text, one_of
from partner_portal.inputs import field_text, whole_number
from partner_portal.orders.records import (
    ChangeRequestView,
    OrderCommentRecord,
    OrderPageLine,
    OrderRecord,
    OrderSummary,
    QuantityChange,
    ShipmentSummary,
    StatusStep,
)
from partner_portal.orders.services.changes import change_preview
from partner_portal.orders.services.rows import order_page_lines
from partner_portal.orders.services.submission import findings_for
from partner_portal.orders.tables import (
    ChangeRequest,
    ChangeRequestStatus,
    Order,
    OrderChannel,
    OrderComment,
    OrderStatus,
    OrderStatusChange,
    Shipment,
    ShipmentLine,
)
from partner_portal.partners.tables import Organisation
from partner_portal.registries import OrderFinding
from partner_portal.statements import Parameter, Prepared

PAGE_SIZE = 50
LIST_NAME = "orders"
STATUS_CODES = frozenset(status.value for status in OrderStatus)
CHANNEL_CODES = frozenset(channel.value for channel in OrderChannel)


@dataclass
class OrderFilters:
    status: str = ""
    channel: str = ""
    buyer: UUID | None = None
    search: str = ""
    before: int | None = None  # keyset paging: orders with a smaller id (newest first)
    limit: int | None = None  # PAGE_SIZE unless an API caller asks for another page size

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> OrderFilters:
        def uuid_or_none(text: str) -> UUID | None:
            try:
                return UUID(text)
            except ValueError:
                return None

        before = query.get("before", "")
        return cls(
            status=query.get("status", "") if query.get("status", "") in STATUS_CODES else "",
            channel=query.get("channel", "") if query.get("channel", "") in CHANNEL_CODES else "",
            buyer=uuid_or_none(query.get("buyer", "")),
            search=field_text(query, "q", 60),
            before=whole_number(before),
        )

    def query_string(self, **overrides: Any) -> str:
        values = {
            "status": self.status,
            "channel": self.channel,
            "buyer": str(self.buyer) if self.buyer else "",
            "q": self.search,
            "before": str(self.before) if self.before else "",
        } | {key: str(value) for key, value in overrides.items()}
        return urlencode({key: value for key, value in values.items() if value})

    def filter_string(self) -> str:
        """The filters without the page position (what the list remembers)."""
        return self.query_string(before="")


@dataclass
class OrderPage:
    rows: list[OrderSummary]
    next_before: int | None
    filters: OrderFilters


LIST_COLUMNS = (
    Order.id,
    Order.uuid,
    Order.number,
    Order.status,
    Order.channel,
    Order.currency,
    Order.total,
    Order.total_quantity,
    Order.customer_po,
    Order.submitted_at,
    Order.created_at,
    Order.requested_ship_date,
    Order.buyer,
    Order.buyer._.uuid.as_alias("buyer_uuid"),
    Order.buyer._.legal_name.as_alias("buyer_name"),
)


def filtered_orders(query: Any, viewer: Viewer, filters: OrderFilters) -> Any:
    """The query narrowed to the orders the viewer sees that pass the list's filters."""
    query = access.scoped_orders(query, viewer)
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.channel:
        query = query.where(Order.channel == filters.channel)
    if filters.buyer:
        query = query.where(Order.buyer._.uuid == filters.buyer)
    if filters.search:
        query = query.where(
            contains_text(Order.number, filters.search)
            | contains_text(Order.customer_po, filters.search)
            | contains_text(Order.buyer._.legal_name, filters.search)
        )
    return query


@Prepared
def _newest_orders(viewer: Viewer) -> Select:
    """The first page of every order the viewer sees, and one more (there is a next)."""
    return (
        filtered_orders(Order.select(*LIST_COLUMNS), viewer, OrderFilters())
        .order_by(Order.id, ascending=False)
        .limit(PAGE_SIZE + 1)
    )


async def list_orders(viewer: Viewer, filters: OrderFilters) -> OrderPage:
    """Fifty orders (or ``filters.limit``) the viewer may see, newest first, one query. Paging is by key (the
    last id shown), so a page costs the same on the thousandth page and needs no count."""
    size = filters.limit or PAGE_SIZE
    if filters in (OrderFilters(), OrderFilters(limit=PAGE_SIZE)):
        found = await _newest_orders.rows(viewer)  # the list as it opens: built once
    else:
        query = filtered_orders(Order.select(*LIST_COLUMNS), viewer, filters)
        if filters.before:
            query = query.where(Order.id < filters.before)
        found = await query.order_by(Order.id, ascending=False).limit(size + 1)
    rows = OrderSummary.from_rows(found)
    more = len(rows) > size
    rows = rows[:size]
    return OrderPage(rows=rows, next_before=rows[-1].id if more else None, filters=filters)


@Prepared
def _buyers_in_view(viewer: Viewer) -> Select:
    return (
        access.scoped(
            Organisation.select(
                Organisation.id,
                Organisation.uuid,
                Organisation.kind,
                Organisation.legal_name,
                Organisation.currency,
                Organisation.parent_distributor,
            ),
            viewer,
        )
        .where(Organisation.kind.is_in(sorted(access.BUYING_KINDS)))
        .order_by(Organisation.legal_name)
    )


async def visible_buyers(viewer: Viewer) -> list[dict[str, Any]]:
    """Organisations the viewer may place orders for (the new-order form's choices), with
    the columns access.get_buyer reads."""
    rows = await _buyers_in_view.rows(viewer)
    return [row for row in rows if access.may_place_order_for(viewer, row)]


@dataclass
class OrderView:
    order: OrderRecord
    lines: list[OrderPageLine]
    history: list[StatusStep]
    comments: list[OrderCommentRecord]
    shipments: list[ShipmentSummary]
    change_requests: list[ChangeRequestView]
    next_steps: list[OrderStatus]
    findings: list[OrderFinding]
    may_edit: bool
    may_request_change: bool
    may_decide_change: bool
    may_ship: bool


ORDER_PAGE_PARTS_SQL = """
SELECT
    EXISTS (SELECT 1 FROM sales_order_comment WHERE "order" = {}) AS has_comments,
    EXISTS (SELECT 1 FROM shipment WHERE "order" = {}) AS has_shipments,
    EXISTS (SELECT 1 FROM sales_order_change_request WHERE "order" = {}) AS has_change_requests
"""
ORDER_PAGE_HISTORY_COLUMNS = (
    OrderStatusChange.from_status,
    OrderStatusChange.to_status,
    OrderStatusChange.changed_at,
    OrderStatusChange.note,
    OrderStatusChange.changed_by._.display_name.as_alias("by"),
)
ORDER_PAGE_COMMENT_COLUMNS = (
    OrderComment.body,
    OrderComment.created_at,
    OrderComment.author._.display_name.as_alias("author_name"),
    OrderComment.author._.organisation._.legal_name.as_alias("author_organisation"),
)
ORDER_PAGE_CHANGE_REQUEST_COLUMNS = (
    *ChangeRequest.all_columns(),
    ChangeRequest.requested_by._.display_name.as_alias("requested_by_name"),
)


@Prepared
@access.checked_by_caller("the order order_view fetched with get_order")
def _order_history() -> Select:
    return (
        OrderStatusChange.select(*ORDER_PAGE_HISTORY_COLUMNS)
        .where(OrderStatusChange.order == Parameter("order"))
        .order_by(OrderStatusChange.id)
    )


@Prepared
@access.checked_by_caller("the order order_view fetched with get_order")
def _order_comments() -> Select:
    return (
        OrderComment.select(*ORDER_PAGE_COMMENT_COLUMNS)
        .where(OrderComment.order == Parameter("order"))
        .order_by(OrderComment.id)
    )


@Prepared
@access.checked_by_caller("the order order_view fetched with get_order")
def _order_change_requests() -> Select:
    return (
        ChangeRequest.select(*ORDER_PAGE_CHANGE_REQUEST_COLUMNS)
        .where(ChangeRequest.order == Parameter("order"))
        .order_by(ChangeRequest.id, ascending=False)
    )


@Prepared
@access.checked_by_caller("the order order_view fetched with get_order")
def _order_shipments() -> Select:
    return (
        Shipment.select(
            Shipment.uuid,
            Shipment.carrier,
            Shipment.tracking_number,
            Shipment.shipped_on,
            Shipment.id,
        )
        .where(Shipment.order == Parameter("order"))
        .order_by(Shipment.id)
    )


@Prepared
@access.checked_by_caller("shipments of the order order_view fetched with get_order")
def _shipped_pieces() -> Select:
    return ShipmentLine.select(ShipmentLine.shipment, ShipmentLine.quantity).where(
        one_of(ShipmentLine.shipment, Parameter("shipments"))
    )


async def order_view(viewer: Viewer, order_uuid: UUID) -> OrderView:
    """Everything the order page shows, in a fixed number of queries whatever its size."""
    order = await access.get_order(viewer, order_uuid)
    lines = await order_page_lines(order.id)
    history = StatusStep.from_rows(await _order_history.rows(order=order.id))
    # Most orders have no comments, shipments or change requests yet: one cheap query says
    # which of the three to read (each costs more to build in Piccolo than to run).
    parts = (await Order.raw(ORDER_PAGE_PARTS_SQL, *[order.id] * 3))[0]
    comments = (
        OrderCommentRecord.from_rows(await _order_comments.rows(order=order.id))
        if parts["has_comments"]
        else []
    )
    shipments = await _shipments(order.id) if parts["has_shipments"] else []
    change_requests = (
        await _change_request_views(
            order,
            await _order_change_requests.rows(order=order.id),
            lines,
        )
        if parts["has_change_requests"]
        else []
    )
    findings = (
        await findings_for(msgspec.structs.asdict(order))
        if order.status == OrderStatus.draft
        else []
    )
    return OrderView(
        order=order,
        lines=lines,
        history=history,
        comments=comments,
        shipments=shipments,
        change_requests=change_requests,
        next_steps=access.next_order_steps(viewer, order.status),
        findings=findings,
        may_edit=access.may_edit_order_lines(viewer, order.status),
        may_request_change=access.may_request_order_change(viewer, order.status),
        may_decide_change=access.may_decide_order_change(viewer),
        may_ship=access.may_record_shipment(viewer, order.status),
    )


@access.checked_by_caller("the order comes from get_order")
async def _shipments(order_id: int) -> list[ShipmentSummary]:
    """An order's shipments, oldest first, with the pieces each carried (two queries)."""
    shipments = await _order_shipments.rows(order=order_id)
    shipped = await _shipped_pieces.rows(shipments=[row["id"] for row in shipments])
    return [
        ShipmentSummary.from_row(
            {
                **shipment,
                "pieces": sum(
                    row["quantity"] for row in shipped if row["shipment"] == shipment["id"]
                ),
            }
        )
        for shipment in shipments
    ]


async def _change_request_views(
    order: OrderRecord, rows: list[dict[str, Any]], lines: list[OrderPageLine]
) -> list[ChangeRequestView]:
    """Change requests with each changed line beside its quantities before and after, and
    for the pending one the order as accepting it would make it."""
    by_sku = {str(line.sku): line for line in lines}
    views = []
    for row in rows:
        request = access.orders.change_request_record(row)
        preview = None
        if request.status == ChangeRequestStatus.pending and request.changes.get("quantities"):
            _priced, preview = await change_preview(order, request.changes, request.id)
        views.append(
            ChangeRequestView.from_row(
                {
                    **row,
                    "changes": request.changes,
                    "diff": [
                        QuantityChange(line=by_sku.get(sku), before=before, after=after)
                        for sku, (before, after) in (
                            request.changes.get("quantities") or {}
                        ).items()
                    ],
                    "ship_date_change": request.changes.get("requested_ship_date"),
                    "preview": preview,
                }
            )
        )
    return views


@dataclass(frozen=True)
class RecentOrdersPanel:
    """The partner 360's orders panel (orders/_partner_panel.html)."""

    organisation: VisibleOrganisationDetails
    orders: list[OrderSummary]


async def recent_orders_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> RecentOrdersPanel | None:
    """The partner 360 page's orders: the last ten and the open value, for those who see orders."""
    if not viewer.can(Action.view_orders):
        return None
    query = access.scoped_orders(Order.select(*LIST_COLUMNS), viewer).where(
        Order.buyer == organisation.id
    )
    rows = OrderSummary.from_rows(await query.order_by(Order.id, ascending=False).limit(10))
    if not rows and organisation.kind not in access.BUYING_KINDS:
        return None
    return RecentOrdersPanel(organisation=organisation, orders=rows)
