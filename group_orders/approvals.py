"""Progress, the totals review and approval, which makes the campaign one order."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from group_orders import approvers, events
from group_orders.campaigns import ENTITY, campaign_by_id, change_if, close_campaign, today
from group_orders.choices import employee_share
from group_orders.offer import OfferedItem, offered_items
from group_orders.records import (
    CampaignRecord,
    ChosenPieces,
    CountedPerson,
    DepartmentCount,
    GroupTotals,
    ReviewLine,
)
from group_orders.tables import (
    Campaign,
    CampaignStatus,
    Choice,
    DeliveryMode,
    Employee,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Sku
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import User

if TYPE_CHECKING:
    from partner_portal.orders.services import OrderDraft


@dataclass
class Progress:
    roster: int
    responded: int
    departments: list[DepartmentCount]
    items: list[OfferedItem]
    matrix: dict[int, dict[int, int]]  # item id -> size id -> quantity
    total_quantity: int
    total: Decimal
    company_pays: Decimal
    employee_pays: Decimal
    tipping_point: int
    # The rows behind the figures, for the totals review: people, choices, and per person
    # id their pieces, their picks' cost and what they pay of it themselves.
    people: list[CountedPerson] = field(default_factory=list, repr=False)
    choices: list[ChosenPieces] = field(default_factory=list, repr=False)
    pieces: dict[int, int] = field(default_factory=dict, repr=False)
    spent: dict[int, Decimal] = field(default_factory=dict, repr=False)
    shares: dict[int, Decimal] = field(default_factory=dict, repr=False)

    @property
    def tipped(self) -> bool:
        return self.total_quantity >= self.tipping_point

    @property
    def percent(self) -> int:
        return round(100 * self.responded / self.roster) if self.roster else 0

    @property
    def fingerprint(self) -> str:
        """Identifies the choices these figures add up: approving needs the one reviewed."""
        rows = sorted(
            (row.employee, row.item, row.size, row.quantity, str(row.unit_price))
            for row in self.choices
        )
        return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


@access.checked_by_caller("the campaign comes from get_campaign")
async def progress(campaign: CampaignRecord) -> Progress:
    """Who has responded by department, the running size matrix, and the cost split
    (three queries whatever the roster's size)."""
    items = await offered_items(campaign)
    people = CountedPerson.from_rows(
        await Employee.select(
            Employee.id, Employee.department, Employee.site, Employee.responded_at
        ).where(Employee.campaign == campaign.id)
    )
    choices = ChosenPieces.from_rows(
        await Choice.select(
            Choice.employee, Choice.item, Choice.size, Choice.quantity, Choice.unit_price
        ).where(Choice.employee._.campaign == campaign.id)
    )
    by_department: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for person in people:
        counts = by_department[person.department]
        counts[0] += 1
        counts[1] += person.responded_at is not None
    matrix: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    spent: dict[int, Decimal] = defaultdict(Decimal)
    pieces: dict[int, int] = defaultdict(int)
    for choice in choices:
        matrix[choice.item][choice.size] += choice.quantity
        spent[choice.employee] += choice.unit_price * choice.quantity
        pieces[choice.employee] += choice.quantity
    total = sum(spent.values(), Decimal("0"))
    shares = {
        person_id: employee_share(campaign.entitlement, campaign.allowance, cost)
        for person_id, cost in spent.items()
    }
    employee_pays = sum(shares.values(), Decimal("0"))
    return Progress(
        roster=len(people),
        responded=sum(counts[1] for counts in by_department.values()),
        departments=[
            DepartmentCount(department=name, roster=counts[0], responded=counts[1])
            for name, counts in sorted(by_department.items())
        ],
        items=items,
        matrix=matrix,
        total_quantity=sum(pieces.values()),
        total=total,
        company_pays=total - employee_pays,
        employee_pays=employee_pays,
        tipping_point=campaign.tipping_point,
        people=people,
        choices=choices,
        pieces=pieces,
        spent=spent,
        shares=shares,
    )


@dataclass
class Review:
    """The totals a client admin approves: pieces and cost per item, colour and size, and
    per department and per site, each split into company-paid and employee-paid."""

    progress: Progress
    lines: list[ReviewLine]
    departments: list[GroupTotals]
    sites: list[GroupTotals]
    needs_second_approval: bool
    first_approver: str  # the name of whoever gave the first of two approvals


def _groups(summary: Progress, place: Callable[[CountedPerson], str]) -> list[GroupTotals]:
    """The review's totals per department or site (``place`` says which a person is in)."""
    groups: dict[str, GroupTotals] = {}
    nothing = Decimal("0")
    for person in summary.people:
        name = place(person)
        group = groups.setdefault(
            name,
            {
                "name": name,
                "roster": 0,
                "responded": 0,
                "pieces": 0,
                "company_pays": Decimal("0"),
                "employee_pays": Decimal("0"),
            },
        )
        group["roster"] += 1
        group["responded"] += person.responded_at is not None
        if person.id in summary.spent:
            share = summary.shares.get(person.id, nothing)
            group["pieces"] += summary.pieces[person.id]
            group["employee_pays"] += share
            group["company_pays"] += summary.spent[person.id] - share
    return [groups[name] for name in sorted(groups)]


@access.checked_by_caller("the campaign comes from get_campaign")
async def review(campaign: CampaignRecord) -> Review:
    """The totals review before approval (the progress queries, plus the first approver)."""
    summary = await progress(campaign)
    items = {item.id: item for item in summary.items}
    by_line: dict[tuple[int, int, Decimal], int] = defaultdict(int)
    for choice in summary.choices:
        by_line[(choice.item, choice.size, choice.unit_price)] += choice.quantity
    positions = {item_id: index for index, item_id in enumerate(items)}

    def shown_order(key: tuple[int, int, Decimal]) -> tuple[int, int, Decimal]:
        item_id, size_id, unit_price = key
        sizes = [size["id"] for size in items[item_id].sizes]
        return positions[item_id], sizes.index(size_id) if size_id in sizes else 0, unit_price

    lines: list[ReviewLine] = [
        {
            "item": items[item_id],
            "size": items[item_id].size_label(size_id),
            "unit_price": unit_price,
            "quantity": by_line[(item_id, size_id, unit_price)],
            "amount": unit_price * by_line[(item_id, size_id, unit_price)],
        }
        for item_id, size_id, unit_price in sorted(by_line, key=shown_order)
    ]
    limit = campaign.second_approval_above
    first_approver = ""
    if campaign.first_approved_by is not None:
        row = (
            await User.select(User.display_name)
            .where(User.id == campaign.first_approved_by)
            .first()
        )
        first_approver = row["display_name"] if row else ""
    return Review(
        progress=summary,
        lines=lines,
        departments=_groups(summary, lambda person: person.department),
        sites=_groups(summary, lambda person: person.site),
        needs_second_approval=limit is not None and summary.total > limit,
        first_approver=first_approver,
    )


@dataclass
class Approval:
    """What approving did: the order, a first approval waiting for a second, or why not."""

    order_uuid: UUID | None = None
    waiting_for_second: bool = False
    error: str = ""


def order_lines(
    items: Sequence[OfferedItem],
    choices: Iterable[ChosenPieces],
    skus: Mapping[tuple[int, int, int], int],
) -> dict[tuple[int, Decimal], int]:
    """(SKU id, unit price) -> quantity: every employee's pieces added up per SKU."""
    by_id = {item.id: item for item in items}
    lines: dict[tuple[int, Decimal], int] = defaultdict(int)
    for choice in choices:
        item = by_id[choice.item]
        sku_id = skus[(item.style_id, item.colourway_id, choice.size)]
        lines[(sku_id, choice.unit_price)] += choice.quantity
    return lines


@access.checked_by_caller("the campaign comes from get_campaign")
async def approve(viewer: Viewer, campaign: CampaignRecord, reviewed: str) -> Approval:
    """Approve a closed campaign from its totals review: ``reviewed`` is the fingerprint of
    the figures the approver saw, refused if the choices differ now. Above the
    second-approval amount the first approval is recorded and a different person approves
    again; then the campaign becomes one order in the order book (channel "group", one
    line per SKU and price). Approvals that meet (two people at once) are ordered by
    conditional updates of the campaign: one order, and each approval counted once."""
    if campaign.status == CampaignStatus.ordered:
        return Approval(order_uuid=campaign.order_uuid)
    if not await approvers.may_approve(viewer, campaign):
        return Approval(error=_("Only the approvers chosen for this campaign may approve it."))
    if campaign.status == CampaignStatus.open and campaign.closes_on < today():
        # Past its closing date a campaign is closed by approving it (no extra click), but
        # not by an approval of figures that are no longer the campaign's.
        if reviewed != (await progress(campaign)).fingerprint:
            return _stale_review()
        await close_campaign(viewer, campaign)
        campaign = await campaign_by_id(campaign.id)
    if campaign.status != CampaignStatus.closed:
        return Approval(error=_("Close the campaign before approving it."))
    summary = await progress(campaign)
    if reviewed != summary.fingerprint:
        return _stale_review()
    if summary.total_quantity == 0:
        return Approval(error=_("Nobody has chosen anything yet."))
    if not summary.tipped:
        return Approval(
            error=_(
                "The campaign has %(quantity)s pieces; production needs at least %(minimum)s.",
                quantity=summary.total_quantity,
                minimum=summary.tipping_point,
            )
        )
    limit = campaign.second_approval_above
    needs_two = limit is not None and summary.total > limit
    if needs_two and campaign.first_approved_by is None:
        if await _record_first_approval(viewer, campaign, summary.total):
            return Approval(waiting_for_second=True)
        # Someone approved first a moment ago: this approval is the second.
        campaign = await campaign_by_id(campaign.id)
    if needs_two and campaign.first_approved_by == viewer.user_id:
        if await approvers.chosen_ids(campaign) == {viewer.user_id}:
            return Approval(
                error=_(
                    "A second person must approve an order of this amount, and you are "
                    "the only approver chosen: choose a second one."
                )
            )
        return Approval(error=_("A second person must approve an order of this amount."))
    draft = await _order_draft(campaign, summary)
    if isinstance(draft, str):
        return Approval(error=draft)
    return await _place_order(viewer, campaign, draft, summary.total_quantity)


async def _order_draft(campaign: CampaignRecord, summary: Progress) -> OrderDraft | str:
    """The campaign's order: one line per SKU and price, everyone's pieces added up; or
    why not (an item in a size without a SKU)."""
    from partner_portal.orders import services as order_book
    from partner_portal.orders.tables import OrderChannel

    skus = await _skus(summary.items)
    missing = [
        f"{item.style_code} {item.size_label(choice.size)}"
        for choice in summary.choices
        for item in summary.items
        if item.id == choice.item and (item.style_id, item.colourway_id, choice.size) not in skus
    ]
    if missing:
        return _("No SKU for: %(items)s.", items=", ".join(sorted(set(missing))))
    lines = order_lines(summary.items, summary.choices, skus)
    return order_book.OrderDraft(
        buyer_id=campaign.organisation,
        channel=OrderChannel.group,
        lines=[
            order_book.LineRequest(sku_id=sku_id, quantity=quantity, unit_price=price)
            for (sku_id, price), quantity in sorted(lines.items())
        ],
        ship_to=campaign.ship_to,
        customer_po=campaign.name[:60],
        notes=_delivery_note(campaign),
    )


async def _place_order(
    viewer: Viewer, campaign: CampaignRecord, draft: OrderDraft, quantity: int
) -> Approval:
    """Place the order and mark the campaign ordered, in one transaction: the campaign is
    "ordered" if and only if the order exists, and of two approvals at once one orders."""
    from partner_portal.orders import services as order_book

    try:
        async with write_transaction():
            if not await _claim_for_ordering(campaign):
                raise _AlreadyOrdered
            placed = await order_book.place_order(viewer, draft)
            if not placed.saved:
                raise _OrderRefused(placed.errors)
            await _mark_ordered(viewer, campaign, placed.uuid, quantity)
    except _OrderRefused as refused:
        return Approval(error="; ".join(refused.errors.values()) or _("The order was refused."))
    except _AlreadyOrdered:
        # Another approval placed the order while this one was checking the figures.
        current = await campaign_by_id(campaign.id)
        if current.status != CampaignStatus.ordered:
            return Approval(error=_("Close the campaign before approving it."))
        return Approval(order_uuid=current.order_uuid)
    return Approval(order_uuid=placed.uuid)


async def _record_first_approval(viewer: Viewer, campaign: CampaignRecord, total: Decimal) -> bool:
    """The first of two approvals, unless another approver's came first (False)."""
    async with write_transaction():
        return await change_if(
            viewer,
            campaign,
            {Campaign.first_approved_by: viewer.user_id, Campaign.first_approved_at: utcnow()},
            Campaign.first_approved_by.is_null(),
            action="first_approval",
            summary=f"{total} {campaign.currency}",
        )


@access.checked_by_caller("approve(), on a campaign fetched with get_campaign")
async def _claim_for_ordering(campaign: CampaignRecord) -> bool:
    """Move the campaign from closed to ordered, if no other approval did: on PostgreSQL
    the update waits for a concurrent approval's transaction and then finds it ordered."""
    claimed = await (
        Campaign.update({Campaign.status: CampaignStatus.ordered, Campaign.updated_at: utcnow()})
        .where((Campaign.id == campaign.id) & (Campaign.status == CampaignStatus.closed))
        .returning(Campaign.id)
    )
    return bool(claimed)


class _AlreadyOrdered(Exception):
    """Rolls back an approval that found the campaign already ordered."""


def _stale_review() -> Approval:
    return Approval(
        error=_("The totals changed since the review was opened. Check them and approve again.")
    )


class _OrderRefused(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("order refused")
        self.errors = errors


@access.checked_by_caller("the campaign comes from get_campaign")
async def _mark_ordered(
    viewer: Viewer, campaign: CampaignRecord, order_uuid: UUID | None, quantity: int
) -> None:
    await Campaign.update(
        {
            Campaign.status: CampaignStatus.ordered,
            Campaign.order_uuid: order_uuid,
            Campaign.updated_at: utcnow(),
        }
    ).where(Campaign.id == campaign.id)
    await audit_log.record(
        viewer,
        entity_kind=ENTITY,
        entity_uuid=campaign.uuid,
        organisation_id=campaign.organisation,
        action="approve",
        summary=f"Order {order_uuid}: {quantity} pieces",
    )
    await events.record(viewer, campaign, "approve")


def _delivery_note(campaign: CampaignRecord) -> str:
    mode = campaign.delivery_mode
    if mode == DeliveryMode.per_department:
        return "Group campaign: packed per person, delivered per department."
    if mode == DeliveryMode.per_site:
        return "Group campaign: packed per person, delivered per site."
    return "Group campaign: packed per person, delivered in bulk."


async def _skus(items: Sequence[OfferedItem]) -> dict[tuple[int, int, int], int]:
    if not items:
        return {}
    rows = await Sku.select(Sku.id, Sku.style, Sku.colourway, Sku.size).where(
        Sku.colourway.is_in(sorted({item.colourway_id for item in items}))
    )
    return {(row["style"], row["colourway"], row["size"]): row["id"] for row in rows}
