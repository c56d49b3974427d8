"""Supplier scorecards per month from POs, receipts and commitments, with the brand's weights."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import (
    write_transaction,
)
from partner_portal.edits import SaveResult
from partner_portal.partners.tables import Organisation
from suppliers import forms, planning
from suppliers.access import SupplierAction, supplier_row_filter
from suppliers.records import ScorecardWeightsRecord, SupplierName
from suppliers.services import SUPPLIER_KINDS
from suppliers.tables import Commitment, PurchaseOrderLine, Receipt, ScorecardWeights

# ---------------------------------------------------------------------------
# Scorecards

SCORE_MONTHS = 6
# Answering a PO within a day scores full marks; a week or more scores nothing.
ACK_FULL_HOURS, ACK_ZERO_HOURS = Decimal(24), Decimal(168)


@dataclass
class ScoreMonth:
    month: date
    on_time: Decimal | None = None
    fill_rate: Decimal | None = None
    quality: Decimal | None = None
    acknowledgement_hours: Decimal | None = None
    commitment: Decimal | None = None
    score: Decimal | None = None

    @property
    def acknowledgement(self) -> Decimal | None:
        """Acknowledgement time as a score from 0 to 100."""
        if self.acknowledgement_hours is None:
            return None
        span = ACK_ZERO_HOURS - ACK_FULL_HOURS
        late = min(max(self.acknowledgement_hours - ACK_FULL_HOURS, Decimal(0)), span)
        return (Decimal(100) * (span - late) / span).quantize(Decimal("0.1"))


@dataclass
class SupplierScorecard:
    supplier: SupplierName
    months: list[ScoreMonth]

    @property
    def latest(self) -> ScoreMonth:
        return self.months[-1]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


async def scorecard_weights() -> ScorecardWeightsRecord:
    row = await ScorecardWeights.select(*ScorecardWeights.all_columns()).first()
    if row is None:
        row = {name: getattr(ScorecardWeights, name).default for name in forms.WEIGHT_NAMES} | {
            "id": None,
            "version": 0,
        }
    return ScorecardWeightsRecord.from_row(row)


async def save_weights(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """Change how much each measure counts (brand purchasers); audited."""
    access.require(viewer, SupplierAction.manage_purchasing)
    weights, errors = forms.parse_weights(data)
    if weights is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        current = await scorecard_weights()
        values: dict[Any, Any] = {
            **{getattr(ScorecardWeights, name): value for name, value in weights.items()},
            ScorecardWeights.updated_by: viewer.user_id,
            ScorecardWeights.updated_at: utcnow(),
        }
        if current.id is None:
            await ScorecardWeights.insert(ScorecardWeights(values))
        else:
            await ScorecardWeights.update(values).where(ScorecardWeights.id == current.id)
        await audit_log.record(
            viewer,
            entity_kind="supplier_scorecard_weights",
            entity_uuid=None,
            organisation_id=None,
            action="update",
            changes=audit_log.changes_between(current.as_dict(), weights),
        )
    return SaveResult(uuid=UUID(int=0))


# (supplier, month) -> running sums of the figures a month's score is made of
Tallies = dict[tuple[int, date], dict[str, Decimal]]


async def _suppliers_for(viewer: Viewer, supplier_id: int | None) -> list[SupplierName]:
    query = Organisation.select(Organisation.id, Organisation.uuid, Organisation.legal_name).where(
        Organisation.kind.is_in(list(SUPPLIER_KINDS))
    )
    query = access.narrow(query, supplier_row_filter(viewer, Organisation.id))
    if supplier_id is not None:
        query = query.where(Organisation.id == supplier_id)
    return SupplierName.from_rows(await query.order_by(Organisation.legal_name))


@access.checked_by_caller("scorecards: the supplier ids come from _suppliers_for")
async def _tally_receipts(
    ids: list[int], first: date, data: Tallies
) -> dict[tuple[int, date], Decimal]:
    """Received, accepted and on-time quantities per month; returns what was accepted
    per (material, week), for commitment accuracy."""
    receipts = await Receipt.select(
        Receipt.supplier,
        Receipt.received_on,
        Receipt.accepted_quantity,
        Receipt.rejected_quantity,
        Receipt.purchase_order_line._.material.as_alias("material"),
        Receipt.purchase_order_line._.required_date.as_alias("required_date"),
        Receipt.purchase_order_line._.confirmed_date.as_alias("confirmed_date"),
    ).where(Receipt.supplier.is_in(ids) & (Receipt.received_on >= first))
    received_by_week: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for row in receipts:
        figures = data[(row["supplier"], _month_start(row["received_on"]))]
        quantity = row["accepted_quantity"] + row["rejected_quantity"]
        due = row["confirmed_date"] or row["required_date"]
        figures["received"] += quantity
        figures["accepted"] += row["accepted_quantity"]
        if row["received_on"] <= due:
            figures["on_time"] += quantity
        received_by_week[(row["material"], planning.monday_of(row["received_on"]))] += row[
            "accepted_quantity"
        ]
    return received_by_week


@access.checked_by_caller("scorecards: the supplier ids come from _suppliers_for")
async def _tally_lines(ids: list[int], first: date, today: date, data: Tallies) -> None:
    """Ordered and filled quantities per month a line was due, and hours to acknowledge
    per month a PO was sent."""
    lines = await PurchaseOrderLine.select(
        PurchaseOrderLine.id,
        PurchaseOrderLine.quantity,
        PurchaseOrderLine.required_date,
        PurchaseOrderLine.confirmed_date,
        PurchaseOrderLine.acknowledged_at,
        PurchaseOrderLine.purchase_order._.supplier.as_alias("supplier"),
        PurchaseOrderLine.purchase_order._.sent_at.as_alias("sent_at"),
    ).where(
        PurchaseOrderLine.purchase_order._.supplier.is_in(ids)
        & PurchaseOrderLine.purchase_order._.status.is_in(["sent", "closed"])
    )
    delivered: dict[int, Decimal] = defaultdict(Decimal)
    for row in await Receipt.select(
        Receipt.purchase_order_line, Receipt.accepted_quantity, Receipt.rejected_quantity
    ).where(Receipt.supplier.is_in(ids)):
        delivered[row["purchase_order_line"]] += row["accepted_quantity"] + row["rejected_quantity"]
    for row in lines:
        due = row["required_date"]
        if first <= due <= today:
            figures = data[(row["supplier"], _month_start(due))]
            figures["ordered"] += row["quantity"]
            figures["filled"] += min(delivered[row["id"]], row["quantity"])
        if row["sent_at"] and row["acknowledged_at"] and row["sent_at"].date() >= first:
            figures = data[(row["supplier"], _month_start(row["sent_at"].date()))]
            seconds = (row["acknowledged_at"] - row["sent_at"]).total_seconds()
            figures["ack_hours"] += Decimal(str(round(seconds / 3600, 2)))
            figures["acks"] += 1


@access.checked_by_caller("scorecards: the supplier ids come from _suppliers_for")
async def _tally_commitments(
    ids: list[int],
    first: date,
    today: date,
    received_by_week: Mapping[tuple[int, date], Decimal],
    data: Tallies,
) -> None:
    """Committed quantities of weeks that have passed, and how much of each arrived."""
    commitments = await Commitment.select(
        Commitment.supplier, Commitment.material, Commitment.week_start, Commitment.quantity
    ).where(Commitment.supplier.is_in(ids) & (Commitment.week_start >= first))
    for row in commitments:
        if row["week_start"] + timedelta(days=7) > today:
            continue
        figures = data[(row["supplier"], _month_start(row["week_start"]))]
        figures["committed"] += row["quantity"]
        got = received_by_week.get((row["material"], row["week_start"]), Decimal(0))
        figures["kept"] += min(got, row["quantity"])


def _score_month(
    month: date, figures: Mapping[str, Decimal], weights: ScorecardWeightsRecord
) -> ScoreMonth:
    """One month's figures and their weighted score (over the figures that exist)."""
    zero = Decimal(0)
    score = ScoreMonth(
        month=month,
        on_time=_percent(figures.get("on_time", zero), figures.get("received", zero)),
        fill_rate=_percent(figures.get("filled", zero), figures.get("ordered", zero)),
        quality=_percent(figures.get("accepted", zero), figures.get("received", zero)),
        acknowledgement_hours=(
            (figures["ack_hours"] / figures["acks"]).quantize(Decimal("0.1"))
            if figures.get("acks")
            else None
        ),
        commitment=_percent(figures.get("kept", zero), figures.get("committed", zero)),
    )
    parts = [
        (getattr(weights, name), getattr(score, name))
        for name in ("on_time", "fill_rate", "quality", "acknowledgement", "commitment")
    ]
    counted = [(weight, value) for weight, value in parts if value is not None and weight]
    total_weight = sum(weight for weight, _value in counted)
    if total_weight:
        score.score = (
            sum(Decimal(weight) * value for weight, value in counted) / total_weight
        ).quantize(Decimal("0.1"))
    return score


async def scorecards(
    viewer: Viewer, months: int = SCORE_MONTHS, supplier_id: int | None = None
) -> list[SupplierScorecard]:
    """Per supplier the viewer may see (a supplier: itself) and per calendar month of the
    last ``months``: on-time delivery %, fill rate %, quality acceptance %, average hours to
    acknowledge a PO line, commitment accuracy %, and the weighted score.

    - on time: share of the received quantity that arrived by the line's (confirmed) date;
    - fill rate: of the quantity ordered on lines due that month (and due by today), the
      share delivered (a rejected or reduced line delivers less);
    - quality: accepted share of the received quantity;
    - acknowledgement: hours from sending a PO to each line's answer;
    - commitment accuracy: of the quantity committed for weeks of the month that have
      passed, the share received in those weeks.
    """
    access.require(viewer, SupplierAction.view_materials)
    today = utcnow().date()
    current_month = _month_start(today)
    first = _months_back(current_month, months - 1)
    suppliers = await _suppliers_for(viewer, supplier_id)
    if not suppliers:
        return []
    ids = [supplier.id for supplier in suppliers]
    data: Tallies = defaultdict(lambda: defaultdict(Decimal))
    received_by_week = await _tally_receipts(ids, first, data)
    await _tally_lines(ids, first, today, data)
    await _tally_commitments(ids, first, today, received_by_week, data)
    weights = await scorecard_weights()
    month_list = [_months_back(current_month, back) for back in range(months - 1, -1, -1)]
    return [
        SupplierScorecard(
            supplier,
            [
                _score_month(month, data.get((supplier.id, month), {}), weights)
                for month in month_list
            ],
        )
        for supplier in suppliers
    ]
