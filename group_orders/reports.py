"""What a campaign produces for others: packing lists, response rows, supplier demand."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from group_orders.access import VisibleCampaign
from group_orders.approvals import progress
from group_orders.campaigns import roster_counts
from group_orders.choices import current_choices
from group_orders.offer import offered_items
from group_orders.records import (
    CampaignRecord,
    NumberedChoice,
    PackedPerson,
    PackedPiece,
    Parcel,
    PayrollLine,
    ResponseRow,
)
from group_orders.rosters import roster
from group_orders.tables import (
    Campaign,
    CampaignStatus,
    Choice,
    DeliveryMode,
)
from partner_portal import access
from partner_portal.database import after_position
from partner_portal.registries import DemandLine


async def packing_list(campaign: VisibleCampaign) -> list[Parcel]:
    """Parcels per department or site (one for bulk delivery), each with its people and
    every person's items in sizes (two queries plus the items)."""
    items = {item.id: item for item in await offered_items(campaign)}
    people = await roster(campaign)
    chosen = await current_choices([person.id for person in people])
    mode = campaign.delivery_mode
    groups: dict[str, list[PackedPerson]] = defaultdict(list)
    for person in people:
        picks = chosen.get(person.id, {})
        if not picks:
            continue
        packed = [
            PackedPiece(
                item=items[item_id],
                size=items[item_id].size_label(choice.size),
                quantity=choice.quantity,
            )
            for item_id, choice in sorted(picks.items())
        ]
        key = (
            person.department
            if mode == DeliveryMode.per_department
            else person.site
            if mode == DeliveryMode.per_site
            else ""
        )
        groups[key].append(PackedPerson(**person.as_dict(), picks=packed))
    return [
        Parcel(
            name=name,
            people=people_in,
            pieces=sum(pick.quantity for person in people_in for pick in person.picks),
        )
        for name, people_in in sorted(groups.items())
    ]


@access.system_query("demand source: every open campaign's garments, for supplier forecasts")
async def campaign_demand(from_date: date) -> list[DemandLine]:
    """Expected garments of campaigns still collecting: the sizes chosen so far, scaled up
    to the whole roster (people who have not answered will pick like those who have);
    expected in the week after the closing date. Ordered campaigns are in the order book."""
    campaigns = CampaignRecord.from_rows(
        await Campaign.select(*Campaign.all_columns()).where(
            (Campaign.status.is_in([CampaignStatus.open, CampaignStatus.closed]))
            & (Campaign.closes_on >= from_date - timedelta(days=60))
        )
    )
    if not campaigns:
        return []
    ids = [campaign.id for campaign in campaigns]
    counts = await roster_counts(ids)
    rows = await Choice.select(
        Choice.quantity,
        Choice.size,
        Choice.employee._.campaign.as_alias("campaign"),
        Choice.item._.style.as_alias("style"),
        Choice.item._.colourway.as_alias("colourway"),
    ).where(Choice.employee._.campaign.is_in(ids))
    by_campaign = {campaign.id: campaign for campaign in campaigns}
    totals: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for row in rows:
        totals[(row["campaign"], row["style"], row["colourway"], row["size"])] += row["quantity"]
    lines = []
    for (campaign_id, style_id, colourway_id, size_id), quantity in sorted(totals.items()):
        campaign = by_campaign[campaign_id]
        roster_size, responded = counts.get(campaign_id, (0, 0))
        scale = Decimal(roster_size) / Decimal(responded) if responded else Decimal(1)
        closes = campaign.closes_on
        week_start = closes + timedelta(days=7 - closes.weekday())
        lines.append(
            DemandLine(
                style_id=style_id,
                colourway_id=colourway_id,
                size_id=size_id,
                quantity=int((quantity * scale).to_integral_value()),
                week_start=max(week_start, from_date),
                firm=False,
                # Only the people who answered are certain; the rest is extrapolated.
                probability=(Decimal(responded) / Decimal(roster_size)).quantize(Decimal("0.01"))
                if roster_size
                else Decimal("0"),
            )
        )
    return lines


async def response_lines(
    campaign: VisibleCampaign, after: tuple[int, int] | None, limit: int
) -> list[ResponseRow]:
    """Up to ``limit`` choices of the campaign, one row per person and item, person by
    person in the order they joined the roster, after the (person id, choice id) ``after``
    (the API's keyset paging)."""
    items = {item.id: item for item in await offered_items(campaign)}
    order = (Choice.employee, Choice.id)
    query = Choice.select(
        *order,
        Choice.employee._.employee_number.as_alias("employee_number"),
        Choice.item,
        Choice.size,
        Choice.quantity,
        Choice.unit_price,
    ).where(Choice.employee._.campaign == campaign.id)
    if after is not None:
        query = query.where(after_position(order, after))
    return [
        ResponseRow(
            employee=choice.employee,
            id=choice.id,
            employee_number=choice.employee_number,
            style_code=items[choice.item].style_code,
            colour=items[choice.item].colour,
            size=items[choice.item].size_label(choice.size),
            quantity=choice.quantity,
            unit_price=choice.unit_price,
        )
        for choice in NumberedChoice.from_rows(await query.order_by(*order).limit(limit))
    ]


PACKING_COLUMNS = (
    "parcel",
    "employee_number",
    "name",
    "department",
    "site",
    "style_code",
    "item",
    "colour",
    "size",
    "quantity",
)


def packing_list_rows(parcels: Sequence[Parcel], locale: str) -> list[dict[str, object]]:
    """The packing list for a workbook: one row per person and item, by parcel."""
    return [
        {
            "parcel": parcel.name,
            "employee_number": person.employee_number,
            "name": person.name,
            "department": person.department,
            "site": person.site,
            "style_code": pick.item.style_code,
            "item": pick.item.name(locale),
            "colour": pick.item.colour,
            "size": pick.size,
            "quantity": pick.quantity,
        }
        for parcel in parcels
        for person in parcel.people
        for pick in person.picks
    ]


PAYROLL_COLUMNS = (
    "department",
    "employee_number",
    "name",
    "pieces",
    "total",
    "company_pays",
    "employee_pays",
    "currency",
)


async def payroll_deductions(campaign: VisibleCampaign) -> list[PayrollLine]:
    """What payroll deducts: one row per employee who pays a share of their choices (above
    the allowance), by department, each with their cost and the company's part."""
    summary = await progress(campaign)
    rows = []
    for person in await roster(campaign):
        share = summary.shares.get(person.id, Decimal("0"))
        if not share:
            continue
        spent = summary.spent[person.id]
        rows.append(
            PayrollLine(
                department=person.department,
                employee_number=person.employee_number,
                name=person.name,
                pieces=summary.pieces[person.id],
                total=spent,
                company_pays=spent - share,
                employee_pays=share,
                currency=campaign.currency,
            )
        )
    return rows
