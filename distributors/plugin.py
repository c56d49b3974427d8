"""Distributor bulk ordering plugged into the kernel: its pages, its order rules (the
kernel's submit runs them) and its demo data."""

from __future__ import annotations

from distributors import publishing, rules
from distributors.access import SCOPED_TABLES, DistributorAction
from distributors.api import line_sheet_api_routes
from distributors.controllers import distributor_routes
from distributors.demo import load_demo_data as load_demo_data
from partner_portal.access import Action
from partner_portal.i18n import N_
from partner_portal.labels import LABELS
from partner_portal.registries import HomeSection, NavEntry, OrderLink, Registry

routes = [*distributor_routes, *line_sheet_api_routes]

DISTRIBUTOR_LABELS = {
    "direct_order": N_("Retailer orders direct"),
    "double_claim": N_("Claimed by two distributors"),
}


DISTRIBUTOR_NOTICES = {
    "drafts_split": N_("Drafts saved: one order per delivery window."),
    "orders_submitted": N_("Orders submitted: one per delivery window. The brand has been told."),
    "upload_draft": N_("File checked: every row is in this draft. Review it, then submit."),
    "reorder_draft": N_("A new draft is made from the past order at today's prices."),
    "line_sheet_saved": N_("The line sheet is saved."),
    "credit_saved": N_("The credit figures are saved."),
}


def register(registry: Registry) -> None:
    registry.add_actions(DistributorAction)
    registry.add_notices(DISTRIBUTOR_NOTICES)
    registry.add_scoped_tables(*SCOPED_TABLES)
    registry.add_nav_entry(
        NavEntry(
            key="line_sheets",
            order=24,
            label=N_("Line sheets"),
            path="/line-sheets",
            actions=(DistributorAction.view_line_sheets,),
            current=("/line-sheets", "/distributors"),
        )
    )
    registry.add_home_section(
        HomeSection(
            key="line_sheets",
            order=20,
            template="distributors/_home.html",
            load=publishing.sheets_to_order_from,
        )
    )
    # The grid's channels: what was entered in a grid, uploaded or reordered.
    grid_channels = ("distributor", "retailer", "rep_entered")
    registry.add_order_link(
        OrderLink(
            key="open_draft_in_grid",
            order=10,
            label=N_("Open in the order grid"),
            path="/distributors/drafts/{uuid}",
            drafts=True,
            action=Action.place_order,
            channels=grid_channels,
        )
    )
    registry.add_order_link(
        OrderLink(
            key="reorder",
            order=20,
            label=N_("Reorder"),
            path="/distributors/reorder/{uuid}",
            drafts=False,
            action=Action.place_order,
            method="post",
            channels=grid_channels,
        )
    )
    for code, name in DISTRIBUTOR_LABELS.items():
        LABELS.setdefault(code, name)
    registry.add_order_check("distributor_rules", rules.check_order)
    registry.stock_policy = rules.stock_policy
    registry.partner_credit_limit = rules.recorded_credit_limit
