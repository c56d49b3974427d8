"""The order book plugged into the kernel: its pages and API, its partner 360 panel and
its demand for suppliers' forecasts."""

from __future__ import annotations

from partner_portal.access import Action
from partner_portal.i18n import N_
from partner_portal.orders import events, home, services
from partner_portal.orders.controllers import order_routes
from partner_portal.orders.erp_api import erp_api_routes
from partner_portal.registries import HomeSection, NavEntry, PartnerPanel, Registry

routes = [*order_routes, *erp_api_routes]


ORDER_NOTICES = {
    "draft_saved": N_("Draft saved. You can come back to it from your orders or the start page."),
    "order_details_saved": N_("The order's details are saved."),
    "order_submitted": N_("Order submitted. The brand has been told and will confirm it."),
    "order_status_changed": N_("The order's status is changed."),
    "comment_added": N_("Your comment is added."),
    "change_requested": N_("Change request sent. The other side will answer it."),
    "change_decided": N_("Your answer to the change request is saved."),
    "shipment_recorded": N_("Shipment recorded. The buyer has been told."),
}


def register(registry: Registry) -> None:
    registry.add_notices(ORDER_NOTICES)
    registry.add_nav_entry(
        NavEntry(
            key="orders",
            # Before the catalog: on a phone the menu shows its first three entries, and
            # a buyer's orders and line sheets must be among them.
            order=22,
            label=N_("Orders"),
            path="/orders",
            actions=(Action.view_orders,),
        )
    )
    registry.add_nav_entry(
        NavEntry(
            key="stock",
            order=55,
            label=N_("Stock"),
            path="/stock",
            actions=(Action.manage_catalog,),
            audience="brand",
        )
    )
    registry.add_partner_panel(
        PartnerPanel(
            key="orders",
            order=10,
            template="orders/_partner_panel.html",
            load=services.recent_orders_panel,
        )
    )
    registry.add_home_section(
        HomeSection(
            key="open_orders", order=10, template="orders/_home.html", load=home.open_orders_section
        )
    )
    registry.add_demand_source("order_book", services.order_book_demand)
    for kind in events.KINDS:
        registry.add_event_kind(kind)
