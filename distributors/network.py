"""The distributor's network: the retailers it serves with their orders, and for the
brand the territory conflicts (a retailer in a distributor's territory ordering direct,
or a retailer in the territories of two distributors)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from distributors.access import DistributorAction, own_retailers_filter
from distributors.records import ServedRetailer, TerritoryHolder
from partner_portal import access, regions
from partner_portal.access import Viewer
from partner_portal.orders.records import OrderSummary
from partner_portal.orders.services import LIST_COLUMNS, OPEN_STATUSES
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import Organisation, Territory

RECENT_ORDERS = 20


@dataclass
class RetailerNetwork:
    retailers: list[ServedRetailer]
    orders: list[OrderSummary]


async def retailer_network(viewer: Viewer) -> RetailerNetwork:
    """The retailers the viewer's distributor serves, each with its open orders' count and
    value, and their latest orders: three queries whatever the number of retailers."""
    access.require(viewer, DistributorAction.view_own_retailers)
    retailers = (
        await access.scoped(
            Organisation.select(
                Organisation.id,
                Organisation.uuid,
                Organisation.legal_name,
                Organisation.status,
                Organisation.tier,
                Organisation.currency,
            ),
            viewer,
        )
        .where(own_retailers_filter(viewer))
        .order_by(Organisation.legal_name)
    )
    ids = [row["id"] for row in retailers] or [-1]
    open_rows = await access.scoped_orders(Order.select(Order.buyer, Order.total), viewer).where(
        Order.buyer.is_in(ids) & Order.status.is_in(list(OPEN_STATUSES))
    )
    figures: dict[int, tuple[int, Decimal]] = {}
    for row in open_rows:
        count, value = figures.get(row["buyer"], (0, Decimal(0)))
        figures[row["buyer"]] = (count + 1, value + row["total"])
    served = []
    for retailer in retailers:
        open_orders, open_value = figures.get(retailer["id"], (0, Decimal(0)))
        served.append(
            ServedRetailer.from_row(
                {**retailer, "open_orders": open_orders, "open_value": open_value}
            )
        )
    recent = await (
        access.scoped_orders(Order.select(*LIST_COLUMNS), viewer)
        .where(Order.buyer.is_in(ids))
        .order_by(Order.id, ascending=False)
        .limit(RECENT_ORDERS)
    )
    return RetailerNetwork(retailers=served, orders=OrderSummary.from_rows(recent))


@dataclass(frozen=True)
class Conflict:
    kind: str  # "direct_order" or "double_claim"
    retailer: TerritoryHolder
    region_code: str
    distributors: tuple[TerritoryHolder, ...]
    direct_orders: int


# Orders a retailer placed itself (not through a distributor) that count as buying direct.
DIRECT_STATUSES = [status for status in OrderStatus if status not in ("draft", "cancelled")]


async def territory_conflicts(viewer: Viewer) -> list[Conflict]:
    """Retailers whose region (their territory rows) a distributor also holds:
    - ordering direct: the retailer's own people placed orders although a distributor
      holds its region (orders a distributor places on its behalf are not direct);
    - double claim: two or more distributors hold the retailer's region.
    Three queries, limited to the partners the viewer sees."""
    access.require(viewer, DistributorAction.view_territory_conflicts)
    organisation: Any = Territory.organisation
    rows = await access.scoped(
        Territory.select(
            Territory.region_code,
            organisation.id.as_alias("id"),
            organisation.uuid.as_alias("uuid"),
            organisation.legal_name.as_alias("legal_name"),
            organisation.kind.as_alias("kind"),
            organisation.parent_distributor.as_alias("parent_distributor"),
        ),
        viewer,
        Territory.organisation,
    ).where(organisation.kind.is_in(["distributor", "retailer"]))
    holders: dict[str, list[TerritoryHolder]] = {}
    retailers: list[tuple[str, TerritoryHolder]] = []
    for row in TerritoryHolder.from_rows(rows):
        # One region under any of its codes (CN-31 and CN-SH: regions.py).
        region = regions.canonical(row.region_code)
        if row.kind == "distributor":
            holders.setdefault(region, []).append(row)
        else:
            retailers.append((region, row))
    retailer_ids = [row.id for _region, row in retailers] or [-1]
    direct: dict[int, int] = {}
    for row in await access.scoped_orders(
        Order.select(
            Order.buyer,
            Order.placed_by._.organisation.as_alias("placer_organisation"),
        ),
        viewer,
    ).where(Order.buyer.is_in(retailer_ids) & Order.status.is_in(DIRECT_STATUSES)):
        # Placed by the retailer's own people, not by a distributor on its behalf.
        if row["placer_organisation"] == row["buyer"]:
            direct[row["buyer"]] = direct.get(row["buyer"], 0) + 1
    conflicts: list[Conflict] = []
    for region, retailer in sorted(retailers, key=lambda item: item[1].legal_name):
        distributors = _holders_overlapping(region, holders)
        if len(distributors) >= 2:
            conflicts.append(Conflict("double_claim", retailer, region, distributors, 0))
        if distributors and direct.get(retailer.id):
            conflicts.append(
                Conflict("direct_order", retailer, region, distributors, direct[retailer.id])
            )
    return conflicts


def _holders_overlapping(
    region: str, holders: dict[str, list[TerritoryHolder]]
) -> tuple[TerritoryHolder, ...]:
    """The distributors holding a region that overlaps the retailer's (the same one, one
    inside it, or one holding it: a city lies in its province, regions.py), each once."""
    overlapping = {regions.canonical(code) for code in regions.overlapping(region)}
    found = {row.id: row for held, rows in holders.items() if held in overlapping for row in rows}
    return tuple(sorted(found.values(), key=lambda row: str(row.legal_name)))
