"""The modules' rules, until each moves to its module's access.py (they take the module's
tables or columns as arguments, so the kernel imports no module)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar.exceptions import NotFoundException, PermissionDeniedException
from piccolo.columns.combination import Combinable

from partner_portal.access.core import (
    Action,
    Viewer,
    organisation_filter,
    require,
    scoped,
)
from partner_portal.partners.tables import Organisation, Role, User


def _not_found(what: str) -> NotFoundException:
    return NotFoundException(f"No such {what}.")


# ---------------------------------------------------------------------------
# group_orders: corporate campaigns, their rosters and employees' choices


def group_campaign_filter(viewer: Viewer, reference: Any) -> Combinable | None:
    """Campaign rows (or their roster, items, choices: ``reference`` is the row's
    organisation column) the viewer may see: a group client its own, a KAM those of the
    partners they own, the brand's admins and staff all, anyone else none."""
    if not viewer.can(Action.view_group_campaigns):
        return reference < 0  # type: ignore[no-any-return]
    return organisation_filter(viewer, reference)


def scoped_group(query: Any, viewer: Viewer, reference: Any) -> Any:
    condition = group_campaign_filter(viewer, reference)
    return query if condition is None else query.where(condition)


# ---------------------------------------------------------------------------
# sales: opportunities, deal registrations, service cases, rebates


def may_register_deal(viewer: Viewer) -> bool:
    """Deals are registered by a distributor's or retailer's users for their own
    organisation; the brand (even its admins) decides them and registers none."""
    return viewer.role in (Role.distributor, Role.retailer) and viewer.can(Action.register_deal)


def require_deal_registrant(viewer: Viewer) -> None:
    if not may_register_deal(viewer):
        raise PermissionDeniedException("Your role does not allow this.")


@dataclass(frozen=True)
class SalesTables:
    """The sales module's tables, passed in when it registers, so the kernel imports no
    module."""

    opportunity: Any
    deal_registration: Any
    service_case: Any
    case_message: Any
    case_photo: Any
    ledger_entry: Any


_sales_tables: SalesTables | None = None


def use_sales_tables(tables: SalesTables) -> None:
    """Called by the sales module's register(): the tables its rules read."""
    global _sales_tables
    _sales_tables = tables


def _sales() -> SalesTables:
    if _sales_tables is None:
        raise RuntimeError("The sales module has not registered its tables.")
    return _sales_tables


def opportunity_filter(viewer: Viewer) -> Combinable | None:
    """Opportunities are the brand's own: its users see those of partners they may see
    (None: all); a partner's users see none (so a URL of one answers 404)."""
    opportunity = _sales().opportunity
    if not viewer.is_brand:
        return opportunity.id == -1  # type: ignore[no-any-return]
    return organisation_filter(viewer, opportunity.organisation)


def _own_or_visible(viewer: Viewer, reference: Any) -> Combinable | None:
    """The brand sees the rows of partners it may see; a partner only its own organisation's
    (a distributor does not see the registrations, cases or ledger of its retailers)."""
    if viewer.is_brand:
        return organisation_filter(viewer, reference)
    return reference == viewer.organisation_id  # type: ignore[no-any-return]


def may_see_rival_claims(viewer: Viewer) -> bool:
    """Whether a deal registration collides with another partner's claim, and that claim,
    are the brand's to see: a partner never learns who else claims its customer."""
    return viewer.is_brand


def deal_registration_filter(viewer: Viewer) -> Combinable | None:
    return _own_or_visible(viewer, _sales().deal_registration.organisation)


def service_case_filter(viewer: Viewer) -> Combinable | None:
    return _own_or_visible(viewer, _sales().service_case.organisation)


def case_message_filter(viewer: Viewer) -> Combinable | None:
    """Internal notes on a case are the brand's: partners read only the shared thread."""
    return None if viewer.is_brand else _sales().case_message.internal == False  # noqa: E712


def case_photo_filter(viewer: Viewer) -> Combinable | None:
    """Photos of a case, on top of the case's own rule: those sent with an internal note
    are the brand's."""
    photo = _sales().case_photo
    return None if viewer.is_brand else photo.message.internal == False  # noqa: E712


def ledger_filter(viewer: Viewer) -> Combinable | None:
    return _own_or_visible(viewer, _sales().ledger_entry.organisation)


def sales_partner_filter(viewer: Viewer) -> Combinable | None:
    """Organisations whose sales rows the viewer may see (the same rule, on Organisation)."""
    if viewer.is_brand:
        return organisation_filter(viewer)
    return Organisation.id == viewer.organisation_id  # type: ignore[no-any-return]


def may_see_sales_panel(viewer: Viewer, organisation_id: int) -> bool:
    """The sales panel of a partner's page (its cases and protections): the brand's users
    on partners they see, a partner's users on their own organisation only (a distributor
    not on its retailers')."""
    if not viewer.can(Action.view_cases):
        return False
    return viewer.is_brand or organisation_id == viewer.organisation_id


async def _get_sales_row(
    viewer: Viewer, table: Any, row_uuid: UUID, condition: Combinable | None, what: str
) -> dict[str, Any]:
    query = table.select(*table.all_columns()).where(table.uuid == row_uuid)
    if condition is not None:
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise _not_found(what)
    return dict(row)


async def get_opportunity(viewer: Viewer, opportunity_uuid: UUID, action: Action) -> dict[str, Any]:
    row = await _get_sales_row(
        viewer, _sales().opportunity, opportunity_uuid, opportunity_filter(viewer), "opportunity"
    )
    require(viewer, action, row["organisation"])
    return row


async def get_deal_registration(
    viewer: Viewer, registration_uuid: UUID, action: Action
) -> dict[str, Any]:
    row = await _get_sales_row(
        viewer,
        _sales().deal_registration,
        registration_uuid,
        deal_registration_filter(viewer),
        "deal registration",
    )
    require(viewer, action, row["organisation"])
    return row


async def get_service_case(viewer: Viewer, case_uuid: UUID, action: Action) -> dict[str, Any]:
    row = await _get_sales_row(
        viewer, _sales().service_case, case_uuid, service_case_filter(viewer), "case"
    )
    require(viewer, action, row["organisation"])
    return row


def may_triage_case(viewer: Viewer) -> bool:
    """Changing a case's priority or handing it to another agent is the brand's: its case
    workers (KAMs, staff, admins), never the partner who opened it."""
    return viewer.is_brand and viewer.can(Action.work_cases)


def require_case_triage(viewer: Viewer) -> None:
    if not may_triage_case(viewer):
        raise PermissionDeniedException("Only the brand's case workers change this.")


# ---------------------------------------------------------------------------
# Contracts (contracts/). The module passes its table in, so the kernel imports no module.


def contract_filter(viewer: Viewer, organisation: Any, issued_number: Any) -> Combinable | None:
    """Contracts the viewer may see, given the contract table's organisation and issued-number
    columns: the brand's admins and staff all; a KAM their (team's) partners'; a partner's
    users only their own organisation's (not the retailers a distributor serves; a supplier
    so its supply agreements), and only once issued: drafts are the brand's working copies."""
    if viewer.is_brand:
        return organisation_filter(viewer, organisation)
    return (organisation == viewer.organisation_id) & (issued_number > 0)


async def get_contract(
    viewer: Viewer, table: Any, contract_uuid: UUID, action: Action = Action.view_contracts
) -> dict[str, Any]:
    """One contract of ``table`` the viewer may see (404 otherwise), checked for the action."""
    query = table.select(*table.all_columns()).where(table.uuid == contract_uuid)
    condition = contract_filter(viewer, table.organisation, table.issued_number)
    if condition is not None:
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise _not_found("contract")
    require(viewer, action, row["organisation"])
    return dict(row)


# ---------------------------------------------------------------------------
# suppliers: materials, BOMs, material forecasts, commitments, purchase orders
# (the module passes its tables in, so the kernel imports no module).


def supplier_row_filter(viewer: Viewer, reference: Any) -> Combinable | None:
    """Purchasing rows (materials, forecast lines, commitments, POs: ``reference`` is the
    row's supplier column) the viewer may see: the brand's purchasers all, a supplier's
    users their own organisation's, anyone else none."""
    if not viewer.can(Action.view_materials):
        return reference < 0  # type: ignore[no-any-return]
    if viewer.is_brand:
        return None
    return reference == viewer.organisation_id  # type: ignore[no-any-return]


def scoped_supplier_rows(query: Any, viewer: Viewer, reference: Any) -> Any:
    condition = supplier_row_filter(viewer, reference)
    return query if condition is None else query.where(condition)


async def get_material(
    viewer: Viewer, table: Any, material_uuid: UUID, action: Action
) -> dict[str, Any]:
    """One material of ``table`` the viewer may see (404 otherwise), checked for the action
    (403)."""
    query = scoped_supplier_rows(table.select(*table.all_columns()), viewer, table.supplier).where(
        table.uuid == material_uuid
    )
    row = await query.first()
    if row is None:
        raise _not_found("material")
    require(viewer, action, row["supplier"])
    return dict(row)


def scoped_purchase_orders(query: Any, viewer: Viewer, table: Any) -> Any:
    """Material purchase orders of ``table`` the viewer may see: the supplier's rows, and for
    a supplier's users never the brand's drafts (status "draft", its working copies)."""
    query = scoped_supplier_rows(query, viewer, table.supplier)
    if not viewer.is_brand:
        query = query.where(table.status != "draft")
    return query


async def get_purchase_order(
    viewer: Viewer, table: Any, order_uuid: UUID, action: Action
) -> dict[str, Any]:
    """One material purchase order of ``table`` the viewer may see (404 otherwise; a
    supplier never sees the brand's drafts), checked for the action (403)."""
    query = scoped_purchase_orders(table.select(*table.all_columns()), viewer, table).where(
        table.uuid == order_uuid
    )
    row = await query.first()
    if row is None:
        raise _not_found("purchase order")
    require(viewer, action, row["supplier"])
    return dict(row)


# ---------------------------------------------------------------------------
# scheduler: follow-ups, agendas, the scheduler and the outbox pages
#
# Follow-ups are the brand's working notes on a partner: the brand's users see those of
# the partners they see; a partner's own users never do. Only the follow-up's owner,
# the owner's manager and brand admins change one. KAMs and admins create them; brand
# staff read them. The scheduler's pages and failed mail belong to brand admins.


def may_change_follow_up(
    viewer: Viewer, owner_id: int | None, owner_manager_id: int | None
) -> bool:
    """The owner, the owner's manager and brand admins change a follow-up."""
    if not viewer.can(Action.manage_follow_ups):
        return False
    return viewer.role == Role.brand_admin or viewer.user_id in (owner_id, owner_manager_id)


async def get_follow_up(
    viewer: Viewer, table: Any, follow_up_uuid: UUID, action: Action = Action.view_follow_ups
) -> dict[str, Any]:
    """One follow-up of a partner the viewer may see (404 otherwise), checked for the
    action (403): manage_follow_ups also needs the viewer to be its owner, their manager
    or a brand admin."""
    query = scoped(
        table.select(*table.all_columns(), table.owner.manager.as_alias("owner_manager")),
        viewer,
        table.organisation,
    ).where(table.uuid == follow_up_uuid)
    row = await query.first()
    if row is None:
        raise _not_found("follow-up")
    require(viewer, action, row["organisation"])
    if action == Action.manage_follow_ups and not may_change_follow_up(
        viewer, row["owner"], row["owner_manager"]
    ):
        raise PermissionDeniedException("Only its owner, their manager or an admin changes it.")
    return dict(row)


def agenda_owner_filter(viewer: Viewer) -> Combinable | None:
    """Whose agenda the viewer may open: a KAM their own and their team's (the users they
    manage); brand admins and staff everyone's; None means all."""
    if viewer.role in (Role.brand_admin, Role.brand_staff):
        return None
    return (User.id == viewer.user_id) | (User.manager == viewer.user_id)


# ---------------------------------------------------------------------------
# Partner health (insights/). Figures about partners are the brand's: partners never see
# their own segment or another partner's figures. KAMs see their partners' (the
# organisation filter), brand staff read all; brand admins tune the definitions.


# ---------------------------------------------------------------------------
# distributors: line sheets, order rules, partner credit, retailers, territory conflicts
# (the module passes its tables' columns in, so the kernel imports no module).
# Merchandisers publish line sheets; every buyer reads those published to it. Order rules
# and the credit figures are the brand administrators'; the brand's sales side sees
# territory conflicts; a distributor sees the retailers it serves.


def line_sheet_filter(
    viewer: Viewer, sheet_id: Any, published: Any, audience_table: Any
) -> Combinable | None:
    """Line sheets the viewer may read: the brand's users all (drafts too); a buyer's users
    the published sheets whose audience names their organisation or its tier; None: all."""
    if viewer.is_brand:
        return None
    if not viewer.can(Action.view_line_sheets):
        return sheet_id < 0  # type: ignore[no-any-return]
    own_tier = Organisation.select(Organisation.tier).where(
        Organisation.id == viewer.organisation_id
    )
    audience = audience_table.select(audience_table.line_sheet).where(
        (audience_table.organisation == viewer.organisation_id)
        | audience_table.tier.is_in(own_tier)
    )
    return (published == True) & sheet_id.is_in(audience)  # type: ignore[no-any-return]  # noqa: E712


async def get_line_sheet(
    viewer: Viewer, table: Any, audience_table: Any, sheet_uuid: UUID, action: Action
) -> dict[str, Any]:
    """One line sheet the viewer may read (404 otherwise), checked for the action (403)."""
    query = table.select(*table.all_columns()).where(table.uuid == sheet_uuid)
    condition = line_sheet_filter(viewer, table.id, table.published, audience_table)
    if condition is not None:
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise _not_found("line sheet")
    require(viewer, action)
    return dict(row)


def own_retailers_filter(viewer: Viewer) -> Combinable:
    """The retailers a distributor serves (its retailers page); nobody else has any."""
    if viewer.role != Role.distributor:
        return Organisation.id < 0  # type: ignore[no-any-return]
    return (Organisation.kind == "retailer") & (
        Organisation.parent_distributor == viewer.organisation_id
    )


def figures_scope(viewer: Viewer) -> str | None:
    """Whose partners a viewer's stored health figures cover (organisation_filter's rule):
    "all" for those who see every partner, "kam:<id>" for a KAM (own and team's), None
    for users who see no partner figures."""
    if not viewer.can(Action.view_insights):
        return None
    if organisation_filter(viewer) is None:
        return "all"
    return f"kam:{viewer.user_id}" if viewer.role == Role.kam else None
