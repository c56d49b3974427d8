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
)
from partner_portal.partners.tables import Organisation, Role


def _not_found(what: str) -> NotFoundException:
    return NotFoundException(f"No such {what}.")


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
