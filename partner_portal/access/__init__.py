"""The access policy (docs/ARCHITECTURE.md §2): who may see which rows and do what, decided only here.

- core.py: the Viewer, allows()/require() (403), organisation visibility (organisation_filter,
  scoped: 404) and fetch_one, the one way a get_* helper fetches a row for a viewer;
- roles.py: the role table, every role's actions written out in full;
- partners.py, catalog.py, orders.py: the kernel's own rules.
Each module keeps its rules in its own access.py, built on these. Everything the kernel's
code uses is re-exported here: ``from partner_portal import access; access.require(...)``.
"""

from partner_portal.access import catalog, orders, partners
from partner_portal.access.catalog import (
    VisiblePriceList,
    VisibleStyle,
    VisibleStyleImage,
    get_delivery_window,
    get_prepack,
    get_price_list,
    get_season,
    get_size_scale,
    get_style,
    get_style_image,
    price_list_filter,
    style_filter,
)
from partner_portal.access.core import (
    ORGANISATION_COLUMNS,
    Action,
    ActionSet,
    ScopedTable,
    Viewer,
    allows,
    checked_by_caller,
    fetch_one,
    fetch_prepared,
    narrow,
    organisation_filter,
    require,
    scoped,
    system_query,
)
from partner_portal.access.orders import (
    BUYING_KINDS,
    ORDER_TRANSITIONS,
    OrderSide,
    VisibleOrder,
    get_buyer,
    get_change_request,
    get_order,
    is_buying_side,
    may_decide_order_change,
    may_edit_order_lines,
    may_move_order,
    may_place_order_for,
    may_record_shipment,
    may_request_order_change,
    next_order_steps,
    order_filter,
    scoped_orders,
)
from partner_portal.access.partners import (
    VisibleContact,
    VisibleOrganisation,
    VisibleOrganisationDetails,
    VisibleUser,
    assignable_roles,
    get_contact,
    get_organisation,
    get_organisations,
    get_user,
    owns_partners_they_create,
    timeline_filter,
    user_filter,
)
from partner_portal.access.roles import (
    BRAND_ROLES,
    BUYER_ROLES,
    PARTNER_ROLES,
    ROLE_ACTIONS,
    ROLES_FOR_KIND,
)
from partner_portal.events.tables import DomainEvent, Following
from partner_portal.notifications.tables import Notification

# Domain events are read by no viewer: the kernel fans each out when it is recorded, and
# deliveries read the outbox (partner_portal/events/services.py).
EVENT_SCOPED_TABLES = (
    ScopedTable(DomainEvent, DomainEvent.organisation),
    ScopedTable(Following, Following.organisation),
    ScopedTable(
        Notification,
        None,
        "a user's own notices: each is read only by the user it is for (Notification.user)",
    ),
)

# The kernel's organisation-scoped tables; each module declares its own in its access.py.
KERNEL_SCOPED_TABLES = (
    *partners.SCOPED_TABLES,
    *catalog.SCOPED_TABLES,
    *orders.SCOPED_TABLES,
    *EVENT_SCOPED_TABLES,
)

__all__ = [
    "BRAND_ROLES",
    "BUYER_ROLES",
    "BUYING_KINDS",
    "KERNEL_SCOPED_TABLES",
    "ORDER_TRANSITIONS",
    "ORGANISATION_COLUMNS",
    "PARTNER_ROLES",
    "ROLES_FOR_KIND",
    "ROLE_ACTIONS",
    "Action",
    "ActionSet",
    "OrderSide",
    "ScopedTable",
    "Viewer",
    "VisibleContact",
    "VisibleOrder",
    "VisibleOrganisation",
    "VisibleOrganisationDetails",
    "VisiblePriceList",
    "VisibleStyle",
    "VisibleStyleImage",
    "VisibleUser",
    "allows",
    "assignable_roles",
    "checked_by_caller",
    "fetch_one",
    "fetch_prepared",
    "get_buyer",
    "get_change_request",
    "get_contact",
    "get_delivery_window",
    "get_order",
    "get_organisation",
    "get_organisations",
    "get_prepack",
    "get_price_list",
    "get_season",
    "get_size_scale",
    "get_style",
    "get_style_image",
    "get_user",
    "is_buying_side",
    "may_decide_order_change",
    "may_edit_order_lines",
    "may_move_order",
    "may_place_order_for",
    "may_record_shipment",
    "may_request_order_change",
    "narrow",
    "next_order_steps",
    "order_filter",
    "organisation_filter",
    "owns_partners_they_create",
    "price_list_filter",
    "require",
    "scoped",
    "scoped_orders",
    "style_filter",
    "system_query",
    "timeline_filter",
    "user_filter",
]
