"""Who reads line sheets and sets the bulk-ordering rules. Merchandisers publish line
sheets; every buyer reads those published to it. Order rules and the credit figures are
the brand administrators'; the brand's sales side sees territory conflicts; a distributor
sees the retailers it serves."""

from __future__ import annotations

from uuid import UUID

from piccolo.columns.combination import Combinable
from piccolo.query.methods.select import Select

from distributors.records import CartOrder, LineSheetRecord
from distributors.tables import LineSheet, LineSheetAudience, PartnerCredit
from partner_portal.access import (
    ActionSet,
    ScopedTable,
    Viewer,
    fetch_prepared,
    narrow,
    scoped_orders,
)
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import Organisation, Role
from partner_portal.statements import Parameter, Prepared


class DistributorAction(ActionSet):
    view_line_sheets = "distributors.view_line_sheets", "See line sheets"
    manage_line_sheets = "distributors.manage_line_sheets", "Make and publish line sheets"
    manage_order_rules = "distributors.manage_order_rules", "Set order minimums and rules"
    manage_partner_credit = "distributors.manage_partner_credit", "Set partners' credit limits"
    view_territory_conflicts = (
        "distributors.view_territory_conflicts",
        "See where partners' territories overlap",
    )
    view_own_retailers = "distributors.view_own_retailers", "See the retailers a distributor serves"


SCOPED_TABLES = (
    ScopedTable(PartnerCredit, PartnerCredit.organisation),
    ScopedTable(
        LineSheetAudience,
        None,
        "whom a line sheet is published to: the brand's own setting, read by line_sheet_filter",
    ),
)


def line_sheet_filter(viewer: Viewer) -> Combinable | None:
    """Line sheets the viewer may read: the brand's users all (drafts too); a buyer's users
    the published sheets whose audience names their organisation or its tier; None: all."""
    if viewer.is_brand:
        return None
    if not viewer.can(DistributorAction.view_line_sheets):
        return LineSheet.id < 0
    own_tier = Organisation.select(Organisation.tier).where(
        Organisation.id == viewer.organisation_id
    )
    audience = LineSheetAudience.select(LineSheetAudience.line_sheet).where(
        (LineSheetAudience.organisation == viewer.organisation_id)
        | LineSheetAudience.tier.is_in(own_tier)
    )
    return (LineSheet.published == True) & LineSheet.id.is_in(audience)  # noqa: E712


# Its season's code and name come with a sheet (every page of one shows them), the joined
# columns built once: Piccolo spends about a millisecond building one.
SHEET_COLUMNS = (
    *LineSheet.all_columns(),
    LineSheet.season._.code.as_alias("season_code"),
    LineSheet.season._.name.as_alias("season_name"),
)


class VisibleLineSheet(LineSheetRecord, frozen=True):
    """A line sheet the viewer may read: made only by get_line_sheet. A subclass rather
    than a NewType: mypy (2.4) crashes on a NewType of a msgspec struct."""


@Prepared
def _line_sheet(viewer: Viewer) -> Select:
    return (
        narrow(LineSheet.select(*SHEET_COLUMNS), line_sheet_filter(viewer))
        .where(LineSheet.uuid == Parameter("uuid"))
        .limit(1)
    )


async def get_line_sheet(viewer: Viewer, sheet_uuid: UUID, action: ActionSet) -> VisibleLineSheet:
    """One line sheet the viewer may read (404 otherwise), checked for the action (403),
    with its season's code and name (season_code, season_name)."""
    row = await fetch_prepared(viewer, _line_sheet, "No such line sheet.", action, uuid=sheet_uuid)
    return VisibleLineSheet.from_row(row)


# The running cart's columns: its totals, and what replacing its lines needs.
CART_COLUMNS = (
    Order.id,
    Order.uuid,
    Order.total_quantity,
    Order.total,
    Order.currency,
    Order.version,
)


class VisibleCart(CartOrder, frozen=True):
    """A buyer's draft a line sheet's cards add to, as the viewer sees it: made only by
    find_cart."""


@Prepared
def _cart(viewer: Viewer) -> Select:
    query = Order.select(*CART_COLUMNS).where(
        (Order.buyer == Parameter("buyer"))
        & (Order.status == OrderStatus.draft)
        & (Order.season == Parameter("season"))
    )
    return scoped_orders(query, viewer).order_by(Order.updated_at, ascending=False).limit(1)


async def find_cart(viewer: Viewer, buyer_id: int, season_id: int) -> VisibleCart | None:
    """The buyer's latest draft of the season among the orders the viewer sees; None
    until there is one (no 404: the first addition makes it)."""
    order = await _cart.first(viewer, buyer=buyer_id, season=season_id)
    return VisibleCart.from_row(order) if order else None


def own_retailers_filter(viewer: Viewer) -> Combinable:
    """The retailers a distributor serves (its retailers page); nobody else has any."""
    if viewer.role != Role.distributor:
        return Organisation.id < 0
    return (Organisation.kind == "retailer") & (
        Organisation.parent_distributor == viewer.organisation_id
    )
