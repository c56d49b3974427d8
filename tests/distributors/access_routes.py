"""The distributor routes in the access matrix. Line sheets are the brand's: its members
see them all, a partner's users those published to their organisation (or its tier).
Orders follow the order book's visibility; the grid, upload and reorder need a role that
places orders; rules and credit are the brand admin's; conflicts the brand's sales side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from distributors.tables import LineSheet, LineSheetAudience
from partner_portal.catalog.tables import Season
from partner_portal.clock import utcnow
from partner_portal.orders.tables import Order, OrderStatus
from tests.access_matrix import (
    BRAND_MEMBERS,
    HOME,
    KAMS,
    MEMBERS,
    SEES,
    Route,
    Rule,
    Subject,
    SubjectContext,
    on_partner,
    only,
)

SHEET_READERS = BRAND_MEMBERS | {
    "distributor",
    "distributor_colleague",
    "other_distributor",
    "retailer",
}
SHEET_EDITORS = frozenset({"admin", "staff"})
# Brand staff read orders but do not place them; suppliers see no sales orders at all.
ORDER_PLACERS = frozenset(MEMBERS) - {"staff", "supplier"}
RETAILER_VIEWERS = frozenset({"admin", "distributor", "distributor_colleague", "other_distributor"})
CONFLICT_VIEWERS = frozenset({"admin", "staff"}) | KAMS


def on_sheet(may: Callable[[str], bool]) -> Rule:
    """A sheet published to ``target`` only: the brand sees it, that partner's users too."""

    def rule(member: str, target: str | None) -> int | str:
        visible = member in BRAND_MEMBERS or (member in SHEET_READERS and HOME[member] == target)
        if not visible:
            return 404
        return "ok" if may(member) else 403

    return rule


def on_draft(member: str, target: str | None) -> int | str:
    """A draft order of ``target``: visible as the order book says, then placers only."""
    if target not in SEES[member] or member == "supplier":
        return 404
    return "ok" if member in ORDER_PLACERS else 403


ROUTES: dict[str, Route] = {
    "GET /line-sheets": Route(only(SHEET_READERS)),
    "GET /line-sheets/new": Route(only(SHEET_EDITORS)),
    "POST /line-sheets/new": Route(only(SHEET_EDITORS)),
    "GET /line-sheets/{sheet_id:uuid}": Route(on_sheet(lambda member: True), "line_sheet"),
    "GET /line-sheets/{sheet_id:uuid}/pdf": Route(on_sheet(lambda member: True), "line_sheet"),
    "GET /api/v1/line-sheets": Route(only(SHEET_READERS)),
    "GET /api/v1/line-sheets/{sheet_id:uuid}": Route(on_sheet(lambda member: True), "line_sheet"),
    "GET /api/v1/line-sheets/{sheet_id:uuid}/styles": Route(
        on_sheet(lambda member: True), "line_sheet"
    ),
    "GET /line-sheets/{sheet_id:uuid}/edit": Route(
        on_sheet(lambda member: member in SHEET_EDITORS), "line_sheet"
    ),
    "POST /line-sheets/{sheet_id:uuid}/edit": Route(
        on_sheet(lambda member: member in SHEET_EDITORS), "line_sheet"
    ),
    "GET /line-sheets/{sheet_id:uuid}/order": Route(
        on_sheet(lambda member: member in ORDER_PLACERS), "line_sheet"
    ),
    "POST /line-sheets/{sheet_id:uuid}/cart": Route(
        on_sheet(lambda member: member in ORDER_PLACERS), "line_sheet"
    ),
    "GET /distributors/drafts/{order_id:uuid}": Route(on_draft, "distributor_draft"),
    "POST /distributors/reorder/{order_id:uuid}": Route(on_draft, "distributor_draft"),
    "POST /distributors/matrix": Route(only(ORDER_PLACERS)),
    "GET /distributors/split": Route(only(frozenset(MEMBERS) - {"supplier"})),
    "GET /distributors/upload": Route(only(ORDER_PLACERS)),
    "POST /distributors/upload": Route(only(ORDER_PLACERS)),
    "GET /distributors/upload/template": Route(only(ORDER_PLACERS)),
    "GET /distributors/retailers": Route(only(RETAILER_VIEWERS)),
    "GET /distributors/conflicts": Route(only(CONFLICT_VIEWERS)),
    "GET /distributors/rules": Route(only({"admin"})),
    "POST /distributors/rules": Route(only({"admin"})),
    "GET /distributors/credit": Route(only({"admin"})),
    "POST /distributors/credit/{partner_id:uuid}": Route(
        on_partner(lambda member, target: member == "admin"), "partner"
    ),
}


async def _season_id(context: SubjectContext) -> int:
    if "season" not in context.cache:
        row = await Season.select(Season.id).where(Season.code == "MX27").first()
        if row is None:
            inserted = await Season.insert(
                Season(code="MX27", name="Matrix season", created_at=utcnow())
            ).returning(Season.id)
            row = inserted[0]
        context.cache["season"] = row["id"]
    return int(context.cache["season"])


async def line_sheet(context: SubjectContext, target: str | None) -> Any:
    key = f"line_sheet:{target}"
    if key not in context.cache:
        now = utcnow()
        row = await LineSheet.insert(
            LineSheet(
                season=await _season_id(context),
                title=f"Sheet for {target}",
                published=True,
                created_at=now,
                updated_at=now,
            )
        ).returning(LineSheet.id, LineSheet.uuid)
        await LineSheetAudience.insert(
            LineSheetAudience(
                line_sheet=row[0]["id"],
                organisation=context.cast.organisations()[str(target)].id,
            )
        )
        context.cache[key] = row[0]["uuid"]
    return context.cache[key]


async def distributor_draft(context: SubjectContext, target: str | None) -> Any:
    key = f"distributor_draft:{target}"
    if key not in context.cache:
        now = utcnow()
        row = await Order.insert(
            Order(
                buyer=context.cast.organisations()[str(target)].id,
                status=OrderStatus.draft,
                currency="CNY",
                status_changed_at=now,
                created_at=now,
                updated_at=now,
            )
        ).returning(Order.uuid)
        context.cache[key] = row[0]["uuid"]
    return context.cache[key]


TARGETS = ("distributor_a", "distributor_b", "retailer_a")
SUBJECTS = {
    "line_sheet": Subject(line_sheet, TARGETS),
    "distributor_draft": Subject(distributor_draft, TARGETS),
}
