"""The order book's rules, by sub-domain: drafts priced from the catalog (pricing, drafts),
submission with frozen prices (submission), the status flow and shipments (status), comments
and change requests (changes), versions kept at submission and at each accepted change
(versions), held stock (stock), the list and the order page (reading), and what the order
book tells the rest of the portal (demand).

Every channel (distributor matrix entry, retailer, group campaigns, rep-entered) places
orders through these functions, so the rules hold the same for all of them. Who may do
what is decided in partner_portal.access; these functions ask it. Callers import this
package (``from partner_portal.orders import services``); its files are its own business.
"""

from partner_portal.orders.services.changes import add_comment, decide_change, request_change
from partner_portal.orders.services.demand import open_order_value, order_book_demand
from partner_portal.orders.services.drafts import (
    DETAIL_COLUMNS,
    OrderDraft,
    channel_for,
    create_draft,
    replace_lines,
    update_details,
)
from partner_portal.orders.services.export import (
    EXPORT_PAGE,
    Acknowledgement,
    acknowledge_export,
    orders_to_export,
)
from partner_portal.orders.services.pricing import (
    HUNDRED,
    MAX_LINE_QUANTITY,
    BuyerPrices,
    LineRequest,
    PricedLines,
    buyer_prices,
    price_lines,
    round_money,
)
from partner_portal.orders.services.reading import (
    CHANNEL_CODES,
    LIST_COLUMNS,
    LIST_NAME,
    PAGE_SIZE,
    STATUS_CODES,
    OrderFilters,
    OrderPage,
    OrderView,
    filtered_orders,
    list_orders,
    order_page_lines,
    order_view,
    recent_orders_panel,
    visible_buyers,
)
from partner_portal.orders.services.rows import (
    OPEN_STATUSES,
    lines_of_orders,
    order_lines_for_checks,
    order_number,
)
from partner_portal.orders.services.status import (
    ShipmentInput,
    change_status,
    record_shipment,
)
from partner_portal.orders.services.stock import (
    STOCK_CHANNELS,
    Shortfall,
    recount,
    shortfall_messages,
    shortfalls_for,
    stock_rows,
)
from partner_portal.orders.services.submission import findings_for, place_order, submit_order
from partner_portal.orders.services.versions import VersionComparison, compare_versions

__all__ = [
    "CHANNEL_CODES",
    "DETAIL_COLUMNS",
    "EXPORT_PAGE",
    "HUNDRED",
    "LIST_COLUMNS",
    "LIST_NAME",
    "MAX_LINE_QUANTITY",
    "OPEN_STATUSES",
    "PAGE_SIZE",
    "STATUS_CODES",
    "STOCK_CHANNELS",
    "Acknowledgement",
    "BuyerPrices",
    "LineRequest",
    "OrderDraft",
    "OrderFilters",
    "OrderPage",
    "OrderView",
    "PricedLines",
    "ShipmentInput",
    "Shortfall",
    "VersionComparison",
    "acknowledge_export",
    "add_comment",
    "buyer_prices",
    "change_status",
    "channel_for",
    "compare_versions",
    "create_draft",
    "decide_change",
    "filtered_orders",
    "findings_for",
    "lines_of_orders",
    "list_orders",
    "open_order_value",
    "order_book_demand",
    "order_lines_for_checks",
    "order_number",
    "order_page_lines",
    "order_view",
    "orders_to_export",
    "place_order",
    "price_lines",
    "recent_orders_panel",
    "record_shipment",
    "recount",
    "replace_lines",
    "request_change",
    "round_money",
    "shortfall_messages",
    "shortfalls_for",
    "stock_rows",
    "submit_order",
    "update_details",
    "visible_buyers",
]
