"""The role table: for each role, every action it has, written out in full.

This is the one place that grants an action; nothing adds to or takes from these sets
elsewhere. Actions are named as strings, "<area>.<action>", so the kernel imports no
module: the kernel declares its own (core.Action) and each module its set in its own
access.py, registered by its plugin. tests/portal/test_role_table.py checks that every
declared action is in this table and every action here is declared, and docs/ACCESS.md
is generated from it (scripts/access_table.py).
"""

from __future__ import annotations

from partner_portal.partners.tables import Role

BRAND_ROLES = frozenset({Role.brand_admin, Role.kam, Role.brand_staff})
PARTNER_ROLES = frozenset({Role.distributor, Role.retailer, Role.supplier, Role.group_client})
BUYER_ROLES = frozenset({Role.distributor, Role.retailer, Role.group_client})

ROLE_ACTIONS: dict[Role, frozenset[str]] = {
    # Brand administrators may do everything except speak for a partner: accepting a
    # contract binds the partner, answering a PO binds the supplier (NOT_FOR_BRAND_ADMINS).
    Role.brand_admin: frozenset(
        {
            "partners.view_partner",
            "partners.create_partner",
            "partners.edit_partner",
            "partners.transfer_partners",
            "partners.import_partners",
            "partners.export_partners",
            "partners.manage_contacts",
            "partners.add_timeline_entry",
            "partners.view_internal_timeline",
            "partners.assign_partner_owner",
            "users.invite_user",
            "users.manage_users",
            "audit.view_audit_log",
            "catalog.view_catalog",
            "catalog.manage_catalog",
            "catalog.view_price_lists",
            "orders.view_orders",
            "orders.place_order",
            "orders.manage_orders",
            "orders.export_orders",
            "notifications.manage_outbox",
            "webhooks.manage_webhooks",
            "scheduler.view_follow_ups",
            "scheduler.manage_follow_ups",
            "scheduler.manage_scheduler",
            "group_orders.view_group_campaigns",
            "group_orders.manage_group_campaigns",
            "sales.view_opportunities",
            "sales.manage_opportunities",
            "sales.manage_sales_settings",
            "sales.view_deal_registrations",
            "sales.register_deal",
            "sales.decide_deal_registrations",
            "sales.view_cases",
            "sales.open_case",
            "sales.work_cases",
            "sales.view_rebates",
            "sales.manage_rebates",
            "contracts.view_contracts",
            "contracts.manage_contracts",
            "contracts.manage_contract_templates",
            "contracts.countersign_contract",
            "insights.view_insights",
            "insights.manage_insights",
            "insights.plan_insight_follow_ups",
            "suppliers.view_materials",
            "suppliers.manage_purchasing",
            "suppliers.view_reorder_forecast",
            "distributors.view_line_sheets",
            "distributors.manage_line_sheets",
            "distributors.manage_order_rules",
            "distributors.manage_partner_credit",
            "distributors.view_territory_conflicts",
            "distributors.view_own_retailers",
        }
    ),
    # Key-account managers sell: their partners, orders, follow-ups, campaigns, pipeline,
    # contracts. They decide deal registrations; they take no part in purchasing, nor read
    # a style's reorder forecast: its history is every buyer's orders of the style month by
    # month, other KAMs' partners' too (a style one other partner buys shows that partner's
    # orders), while a KAM sees only their own partners' orders.
    Role.kam: frozenset(
        {
            "partners.view_partner",
            "partners.create_partner",
            "partners.edit_partner",
            "partners.export_partners",
            "partners.manage_contacts",
            "partners.add_timeline_entry",
            "partners.view_internal_timeline",
            "catalog.view_catalog",
            "catalog.view_price_lists",
            "orders.view_orders",
            "orders.place_order",
            "orders.manage_orders",
            "orders.export_orders",
            "scheduler.view_follow_ups",
            "scheduler.manage_follow_ups",
            "group_orders.view_group_campaigns",
            "group_orders.manage_group_campaigns",
            "sales.view_opportunities",
            "sales.manage_opportunities",
            "sales.view_deal_registrations",
            "sales.decide_deal_registrations",
            "sales.view_cases",
            "sales.open_case",
            "sales.work_cases",
            "sales.view_rebates",
            "contracts.view_contracts",
            "contracts.manage_contracts",
            "insights.view_insights",
            "insights.plan_insight_follow_ups",
            "distributors.view_line_sheets",
            "distributors.view_territory_conflicts",
        }
    ),
    # Brand staff are the merchandisers and buyers: they manage the catalog, line sheets and
    # purchasing, work service cases and read the rest; they decide no deals.
    Role.brand_staff: frozenset(
        {
            "partners.view_partner",
            "partners.export_partners",
            "partners.add_timeline_entry",
            "partners.view_internal_timeline",
            "catalog.view_catalog",
            "catalog.manage_catalog",
            "catalog.view_price_lists",
            "orders.view_orders",
            "orders.manage_orders",
            "orders.export_orders",
            "scheduler.view_follow_ups",
            "group_orders.view_group_campaigns",
            "sales.view_opportunities",
            "sales.view_deal_registrations",
            "sales.view_cases",
            "sales.open_case",
            "sales.work_cases",
            "sales.view_rebates",
            "contracts.view_contracts",
            "insights.view_insights",
            "suppliers.view_materials",
            "suppliers.manage_purchasing",
            "suppliers.view_reorder_forecast",
            "distributors.view_line_sheets",
            "distributors.manage_line_sheets",
            "distributors.view_territory_conflicts",
        }
    ),
    # Buyers order; a distributor also sees the retailers it serves.
    Role.distributor: frozenset(
        {
            "partners.view_partner",
            "partners.manage_contacts",
            "users.invite_user",
            "webhooks.manage_webhooks",
            "catalog.view_catalog",
            "orders.view_orders",
            "orders.place_order",
            "sales.view_deal_registrations",
            "sales.register_deal",
            "sales.view_cases",
            "sales.open_case",
            "sales.view_rebates",
            "contracts.view_contracts",
            "contracts.accept_contract",
            "distributors.view_line_sheets",
            "distributors.view_own_retailers",
        }
    ),
    Role.retailer: frozenset(
        {
            "partners.view_partner",
            "partners.manage_contacts",
            "users.invite_user",
            "webhooks.manage_webhooks",
            "catalog.view_catalog",
            "orders.view_orders",
            "orders.place_order",
            "sales.view_deal_registrations",
            "sales.register_deal",
            "sales.view_cases",
            "sales.open_case",
            "sales.view_rebates",
            "contracts.view_contracts",
            "contracts.accept_contract",
            "distributors.view_line_sheets",
        }
    ),
    # Suppliers sell to the brand: they read the forecast and POs of their own materials and
    # answer them; they see none of the brand's sales orders.
    Role.supplier: frozenset(
        {
            "partners.view_partner",
            "partners.manage_contacts",
            "users.invite_user",
            "webhooks.manage_webhooks",
            "catalog.view_catalog",
            "contracts.view_contracts",
            "contracts.accept_contract",
            "suppliers.view_materials",
            "suppliers.answer_as_supplier",
        }
    ),
    # Corporate clients run their own group-order campaigns; they get no line sheets.
    Role.group_client: frozenset(
        {
            "partners.view_partner",
            "partners.manage_contacts",
            "users.invite_user",
            "webhooks.manage_webhooks",
            "catalog.view_catalog",
            "orders.view_orders",
            "orders.place_order",
            "group_orders.view_group_campaigns",
            "group_orders.manage_group_campaigns",
            "sales.view_cases",
            "sales.open_case",
            "contracts.view_contracts",
            "contracts.accept_contract",
        }
    ),
}

# Actions a brand administrator lacks on purpose, and why (every other action is theirs).
NOT_FOR_BRAND_ADMINS: dict[str, str] = {
    "contracts.accept_contract": "accepting binds the partner: its own signatory accepts",
    "suppliers.answer_as_supplier": "answering a purchase order speaks for the supplier",
}

# Actions a partner's user may take only on their own organisation (not, say, on the
# retailers a distributor serves).
OWN_ORGANISATION_ONLY: frozenset[str] = frozenset(
    {
        "partners.manage_contacts",
        "users.invite_user",
        "users.manage_users",
        "contracts.accept_contract",
        "webhooks.manage_webhooks",
    }
)
# Actions of a partner's organisation admin only: inviting its users, accepting a
# contract (its authorised signatory), and connecting its systems (webhooks).
ORGANISATION_ADMIN_ONLY: frozenset[str] = frozenset(
    {
        "users.invite_user",
        "contracts.accept_contract",
        "webhooks.manage_webhooks",
    }
)

# Which user role fits which kind of organisation.
ROLES_FOR_KIND: dict[str, frozenset[Role]] = {
    "brand": BRAND_ROLES,
    "distributor": frozenset({Role.distributor}),
    "retailer": frozenset({Role.retailer}),
    "fabric_supplier": frozenset({Role.supplier}),
    "trim_supplier": frozenset({Role.supplier}),
    "group_client": frozenset({Role.group_client}),
}
