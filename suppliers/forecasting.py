"""The material forecast: garment demand from the kernel's demand sources plus a reorder
forecast, exploded through BOMs and netted against stock and open POs, published as
numbered snapshots; the brand's planning view and the supplier portal's view of it; and
suppliers' weekly commitments.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.querystring import QueryString

from partner_portal import access, messages
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import DeliveryWindow, Style
from partner_portal.clock import utcnow
from partner_portal.database import (
    current_engine,
    is_sqlite,
    write_transaction,
)
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.orders.tables import OrderStatus
from partner_portal.registries import DemandLine, registry
from suppliers import events, forms, planning
from suppliers.access import SupplierAction, get_material, scoped_supplier_rows
from suppliers.planning import (
    BomRow,
    Firmness,
    ForecastModel,
    GarmentDemand,
    MaterialStock,
    MaterialWeeks,
)
from suppliers.services import list_materials
from suppliers.tables import (
    BomLine,
    Commitment,
    CommitmentStatus,
    ForecastLine,
    ForecastVersion,
    Material,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)

# Orders placed in these states are history the reorder forecast learns from.
ORDERED_STATUSES = (
    OrderStatus.submitted,
    OrderStatus.confirmed,
    OrderStatus.in_production,
    OrderStatus.partially_shipped,
    OrderStatus.shipped,
    OrderStatus.delivered,
)


# ---------------------------------------------------------------------------
# Computing the forecast


@dataclass(frozen=True)
class ForecastSettings:
    """What a computation assumes; stored with every published version."""

    weeks: int = 26
    # Garments are cut and sewn this many weeks after their material arrives.
    cut_lead_weeks: int = 2
    # Share of unconfirmed demand (submitted orders, open campaigns) expected to hold.
    likely_probability: Decimal = Decimal("0.8")
    # Months of order history the reorder forecast learns from (a seasonal model needs
    # two full years of a style's history: planning.SEASONAL_FROM_MONTHS).
    history_months: int = 36

    def as_json(self) -> dict[str, Any]:
        return {
            "weeks": self.weeks,
            "cut_lead_weeks": self.cut_lead_weeks,
            "likely_probability": str(self.likely_probability),
            "history_months": self.history_months,
            "method": planning.FORECAST_METHOD,
        }

    @property
    def garment_weeks(self) -> int:
        """Weeks of garment demand the plan needs: its horizon and the cutting lead time."""
        return self.weeks + self.cut_lead_weeks


@dataclass
class Computation:
    first_week: date
    settings: ForecastSettings
    materials: dict[int, MaterialStock]
    requirements: dict[int, MaterialWeeks]
    sources: list[str] = field(default_factory=list)
    # The model that forecast each style's reorders.
    models: dict[int, ForecastModel] = field(default_factory=dict)

    def model_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for model in self.models.values():
            counts[model.value] += 1
        return dict(sorted(counts.items()))


def _week_index(first_week: date, day: date) -> int:
    return (day - first_week).days // 7


async def _garment_demand(
    first_week: date, settings: ForecastSettings
) -> tuple[list[GarmentDemand], dict[tuple[int, int], Decimal], list[str]]:
    """Demand from every registered source, weighted; and garments booked per style and week."""
    demand: list[GarmentDemand] = []
    booked: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    keys = sorted(registry.demand_sources)
    for key in keys:
        lines: list[DemandLine] = await registry.demand_sources[key](first_week)
        for line in lines:
            week = max(0, _week_index(first_week, line.week_start))
            if line.firm:
                quantity, firmness = Decimal(line.quantity), Firmness.firm
            else:
                weight = line.probability * settings.likely_probability
                quantity, firmness = Decimal(line.quantity) * weight, Firmness.likely
            demand.append(
                GarmentDemand(
                    line.style_id, line.colourway_id, line.size_id, week, firmness, quantity
                )
            )
            booked[(line.style_id, week)] += quantity
    return demand, booked, keys


def _month_bucket_sql(column: str) -> str:
    """planning.month_number of a timestamp (in UTC), in the engine's SQL."""
    if is_sqlite():
        return (
            f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12 "
            f"+ CAST(strftime('%m', {column}) AS INTEGER) - 1)"
        )
    return (
        f"CAST(EXTRACT(YEAR FROM {column} AT TIME ZONE 'UTC') * 12 "
        f"+ EXTRACT(MONTH FROM {column} AT TIME ZONE 'UTC') - 1 AS INTEGER)"
    )


@access.system_query(
    "the brand's demand for a style: every buyer's orders summed, read by the material plan "
    "and by brand users with suppliers.view_reorder_forecast (get_forecast_style)"
)
async def order_history(
    history_start: date, origin: date, style_id: int | None = None
) -> tuple[dict[int, dict[int, int]], dict[int, dict[tuple[int, int], int]]]:
    """Garment quantities per style and month (planning.month_number) and the colour/size
    mix per style, from orders placed from ``history_start`` to the day before ``origin``
    (one style's, or every style's); summed in SQL (the order book is the big table)."""
    from partner_portal.orders.tables import Order

    start = _timestamp_param(history_start)
    end = _timestamp_param(origin)
    statuses = ", ".join(f"'{status.value}'" for status in ORDERED_STATUSES)
    one_style = " AND l.style = {}" if style_id is not None else ""
    style_args = (style_id,) if style_id is not None else ()
    where = (
        f'FROM sales_order_line l JOIN sales_order o ON o.id = l."order" '
        f"WHERE o.status IN ({statuses}) AND o.submitted_at >= {{}} AND o.submitted_at < {{}}"
        f"{one_style}"
    )
    monthly_rows = await Order.raw(
        f"SELECT l.style AS style_id, {_month_bucket_sql('o.submitted_at')} AS month, "
        f"SUM(l.quantity) AS quantity {where} GROUP BY 1, 2",
        start,
        end,
        *style_args,
    )
    mix_rows = await Order.raw(
        "SELECT l.style AS style_id, l.colourway AS colourway_id, l.size AS size_id, "
        f"SUM(l.quantity) AS quantity {where} GROUP BY 1, 2, 3",
        start,
        end,
        *style_args,
    )
    monthly: dict[int, dict[int, int]] = defaultdict(dict)
    for row in monthly_rows:
        monthly[row["style_id"]][int(row["month"])] = int(row["quantity"])
    mix: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for row in mix_rows:
        mix[row["style_id"]][(row["colourway_id"], row["size_id"])] = int(row["quantity"])
    return monthly, mix


async def season_ends(style_id: int | None = None) -> dict[int, date | None]:
    """The last day of each style's season: the end of its last delivery window, else of
    its order window; None when the season names neither (no bound)."""
    query = Style.select(
        Style.id,
        Style.season,
        Style.season._.order_window_end.as_alias("order_window_end"),
    )
    if style_id is not None:
        query = query.where(Style.id == style_id)
    styles = await query
    last_windows: dict[int, date] = {}
    for window in await DeliveryWindow.select(DeliveryWindow.season, DeliveryWindow.ends_on):
        season, ends_on = window["season"], window["ends_on"]
        if season not in last_windows or ends_on > last_windows[season]:
            last_windows[season] = ends_on
    return {row["id"]: last_windows.get(row["season"]) or row["order_window_end"] for row in styles}


def history_window(first_week: date, settings: ForecastSettings) -> tuple[date, date]:
    """(first day, origin): whole months of history before the month of ``first_week``."""
    origin = planning.month_number(first_week)
    return planning.month_of(origin - settings.history_months), planning.month_of(origin)


def _timestamp_param(day: date) -> Any:
    from datetime import UTC, datetime

    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    # SQLite keeps timestamps as ISO text; compare like with like.
    return moment.isoformat(sep=" ") if is_sqlite() else moment


async def _bom_rows() -> dict[int, list[BomRow]]:
    rows = await BomLine.select(
        BomLine.style,
        BomLine.material,
        BomLine.colourway,
        BomLine.size,
        BomLine.consumption,
        BomLine.wastage_percent,
    )
    bom: dict[int, list[BomRow]] = defaultdict(list)
    for row in rows:
        bom[row["style"]].append(
            BomRow(
                row["style"],
                row["material"],
                row["colourway"],
                row["size"],
                Decimal(row["consumption"]),
                Decimal(row["wastage_percent"]),
            )
        )
    return bom


@access.system_query("the forecast: every supplier's open purchase order lines")
async def _open_receipts(first_week: date, weeks: int) -> dict[int, list[Decimal]]:
    """Quantities still to arrive on sent POs, per material and week of their (confirmed) date."""
    rows = await PurchaseOrderLine.select(
        PurchaseOrderLine.material,
        PurchaseOrderLine.quantity,
        PurchaseOrderLine.received_quantity,
        PurchaseOrderLine.required_date,
        PurchaseOrderLine.acknowledgement,
        PurchaseOrderLine.confirmed_quantity,
        PurchaseOrderLine.confirmed_date,
    ).where(PurchaseOrderLine.purchase_order._.status == PurchaseOrderStatus.sent.value)
    receipts: dict[int, list[Decimal]] = {}
    for row in rows:
        if row["acknowledgement"] == "rejected":
            continue
        quantity = row["quantity"]
        due = row["required_date"]
        if row["acknowledgement"] == "changed":
            quantity = (
                row["confirmed_quantity"] if row["confirmed_quantity"] is not None else quantity
            )
            due = row["confirmed_date"] or due
        outstanding = Decimal(quantity) - Decimal(row["received_quantity"])
        week = max(0, _week_index(first_week, due))
        if outstanding <= 0 or week >= weeks:
            continue
        receipts.setdefault(row["material"], [Decimal(0)] * weeks)[week] += outstanding
    return receipts


@access.system_query("the forecast: every material's requirements")
async def compute_requirements(settings: ForecastSettings | None = None) -> Computation:
    """Material requirements per material and week from now on (nothing is stored)."""
    settings = settings or ForecastSettings()
    first_week = planning.monday_of(utcnow().date())
    demand, booked, sources = await _garment_demand(first_week, settings)
    monthly, mix = await order_history(*history_window(first_week, settings))
    reorders, models = planning.reorder_forecast(
        monthly, first_week, mix, booked, settings.garment_weeks, await season_ends()
    )
    demand.extend(reorders)
    bom = await _bom_rows()
    requirements = planning.explode(demand, bom, settings.weeks, settings.cut_lead_weeks)
    materials = {
        row["id"]: MaterialStock(row["id"], row["supplier"], row["unit"], Decimal(row["on_hand"]))
        for row in await Material.select(
            Material.id, Material.supplier, Material.unit, Material.on_hand
        )
    }
    receipts = await _open_receipts(first_week, settings.weeks)
    for material_id, weeks_of in requirements.items():
        planning.net(
            weeks_of,
            materials[material_id],
            receipts.get(material_id, [Decimal(0)] * settings.weeks),
        )
    return Computation(first_week, settings, materials, requirements, sources, models)


def _forecast_lines(computation: Computation) -> list[dict[str, Any]]:
    lines = []
    for material_id in sorted(computation.requirements):
        weeks_of = computation.requirements[material_id]
        for week in range(computation.settings.weeks):
            gross = {kind: planning.rounded(weeks_of.gross[kind][week]) for kind in Firmness}
            if not any(gross.values()) and not weeks_of.net_total[week]:
                continue
            lines.append(
                {
                    "material": material_id,
                    "supplier": computation.materials[material_id].supplier_id,
                    "week_start": computation.first_week + timedelta(weeks=week),
                    "gross_firm": gross[Firmness.firm],
                    "gross_likely": gross[Firmness.likely],
                    "gross_statistical": gross[Firmness.statistical],
                    "net_firm": weeks_of.net_firm[week],
                    "net_total": weeks_of.net_total[week],
                }
            )
    return lines


def _content_hash(
    first_week: date, settings: ForecastSettings, lines: Sequence[dict[str, Any]]
) -> str:
    payload = json.dumps(
        [first_week.isoformat(), settings.as_json(), lines], default=str, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class PublishOutcome:
    number: int
    published: bool  # False: nothing changed since the current version
    lines: int


async def publish_forecast(
    viewer: Viewer | None, settings: ForecastSettings | None = None
) -> PublishOutcome:
    """Compute and publish a new numbered version, unless it equals the current one.

    Idempotent: the scheduled job and a planner pressing the button twice publish one
    version. Versions are numbered under a lock (IMMEDIATE on SQLite, an advisory lock on
    PostgreSQL), so two schedulers never publish the same number.
    """
    if viewer is not None:
        access.require(viewer, SupplierAction.manage_purchasing)
    computation = await compute_requirements(settings)
    lines = _forecast_lines(computation)
    content_hash = _content_hash(computation.first_week, computation.settings, lines)
    async with write_transaction():
        if not is_sqlite():
            await current_engine().run_querystring(
                QueryString("SELECT pg_advisory_xact_lock(6006)")
            )
        latest = await (
            ForecastVersion.select(ForecastVersion.number, ForecastVersion.content_hash)
            .order_by(ForecastVersion.number, ascending=False)
            .first()
        )
        if latest is not None and latest["content_hash"] == content_hash:
            return PublishOutcome(latest["number"], False, len(lines))
        number = (latest["number"] if latest else 0) + 1
        row = (
            await ForecastVersion.insert(
                ForecastVersion(
                    number=number,
                    first_week=computation.first_week,
                    weeks=computation.settings.weeks,
                    parameters={
                        **computation.settings.as_json(),
                        "sources": computation.sources,
                        "models": computation.model_counts(),
                    },
                    content_hash=content_hash,
                    published_by=viewer.user_id if viewer else None,
                    published_at=utcnow(),
                )
            )
            .returning(ForecastVersion.id, ForecastVersion.uuid)
            .run()
        )
        version_id = row[0]["id"]
        for start in range(0, len(lines), 500):
            await ForecastLine.insert(
                *(ForecastLine(forecast=version_id, **line) for line in lines[start : start + 500])
            ).run()
        await audit_log.record(
            viewer,
            entity_kind="material_forecast",
            entity_uuid=row[0]["uuid"],
            organisation_id=None,
            action="publish",
            summary_message=N_("Material forecast version %(number)s"),
            summary_params={"number": number},
        )
    return PublishOutcome(number, True, len(lines))


async def scheduled_publish() -> str:
    """The scheduler's job: publish when demand, BOMs, stock or POs have changed."""
    outcome = await publish_forecast(None)
    if outcome.published:
        return f"published material forecast version {outcome.number} ({outcome.lines} lines)"
    return f"material forecast version {outcome.number} is current"


# ---------------------------------------------------------------------------
# Reading the forecast: the brand's planning view and the supplier portal


@dataclass
class WeekCell:
    week_start: date
    net_total: Decimal
    net_firm: Decimal
    gross_firm: Decimal
    gross_likely: Decimal
    gross_statistical: Decimal
    previous: Decimal | None
    commitment: dict[str, Any] | None

    @property
    def net_forecast(self) -> Decimal:
        return self.net_total - self.net_firm

    @property
    def change(self) -> Decimal:
        """How much the week moved against the previous version (0 with no previous one)."""
        return self.net_total - (self.previous or Decimal(0))

    @property
    def committed(self) -> Decimal:
        return self.commitment["quantity"] if self.commitment else Decimal(0)

    @property
    def gap(self) -> Decimal:
        """Requirement the supplier has not committed to (negative: committed more)."""
        return self.net_total - self.committed

    @property
    def late(self) -> bool:
        """The supplier proposes to deliver after the week starts."""
        return bool(self.commitment and self.commitment["delivery_date"] > self.week_start)

    @property
    def needs_attention(self) -> bool:
        return self.net_total > 0 and (self.commitment is None or self.gap > 0 or self.late)


@dataclass
class MaterialForecast:
    material: dict[str, Any]
    cells: list[WeekCell]

    @property
    def total(self) -> Decimal:
        return sum((cell.net_total for cell in self.cells), Decimal(0))

    @property
    def committed(self) -> Decimal:
        return sum((cell.committed for cell in self.cells), Decimal(0))

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if cell.needs_attention)


@dataclass
class ForecastView:
    version: dict[str, Any] | None
    previous_number: int | None
    materials: list[MaterialForecast]

    @property
    def weeks(self) -> list[date]:
        if self.version is None:
            return []
        first = self.version["first_week"]
        return [first + timedelta(weeks=week) for week in range(self.version["weeks"])]


async def latest_versions() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The current published version and the one before it."""
    rows = await (
        ForecastVersion.select(*ForecastVersion.all_columns())
        .order_by(ForecastVersion.number, ascending=False)
        .limit(2)
    )
    return (rows[0] if rows else None), (rows[1] if len(rows) > 1 else None)


LINE_COLUMNS = (
    ForecastLine.material,
    ForecastLine.week_start,
    ForecastLine.gross_firm,
    ForecastLine.gross_likely,
    ForecastLine.gross_statistical,
    ForecastLine.net_firm,
    ForecastLine.net_total,
)


async def forecast_view(viewer: Viewer, supplier_id: int | None = None) -> ForecastView:
    """The current version for the materials the viewer may see (a supplier: its own),
    with the previous version's figures and the commitments given for each week.

    Four queries whatever the number of materials and weeks.
    """
    access.require(viewer, SupplierAction.view_materials)
    current, previous = await latest_versions()
    if current is None:
        return ForecastView(None, None, [])
    materials = await list_materials(viewer, supplier_id)
    wanted = {row["id"]: row for row in materials}

    async def lines_of(version_id: int) -> list[dict[str, Any]]:
        query = scoped_supplier_rows(
            ForecastLine.select(*LINE_COLUMNS), viewer, ForecastLine.supplier
        ).where(ForecastLine.forecast == version_id)
        if supplier_id is not None:
            query = query.where(ForecastLine.supplier == supplier_id)
        return await query  # type: ignore[no-any-return]

    current_lines = await lines_of(current["id"])
    previous_lines = await lines_of(previous["id"]) if previous else []
    commitments_query = scoped_supplier_rows(
        Commitment.select(*Commitment.all_columns()), viewer, Commitment.supplier
    ).where(Commitment.week_start >= current["first_week"])
    commitments = {(row["material"], row["week_start"]): row for row in await commitments_query}
    previous_net = {
        (row["material"], row["week_start"]): row["net_total"] for row in previous_lines
    }
    by_material: dict[int, dict[date, dict[str, Any]]] = defaultdict(dict)
    for row in current_lines:
        by_material[row["material"]][row["week_start"]] = row
    zero = Decimal(0)
    result: list[MaterialForecast] = []
    weeks = [current["first_week"] + timedelta(weeks=week) for week in range(current["weeks"])]
    for material_id, material in wanted.items():
        cells = []
        for week in weeks:
            line = by_material.get(material_id, {}).get(week)
            key = (material_id, week)
            if line is None and key not in previous_net and key not in commitments:
                continue
            cells.append(
                WeekCell(
                    week_start=week,
                    net_total=line["net_total"] if line else zero,
                    net_firm=line["net_firm"] if line else zero,
                    gross_firm=line["gross_firm"] if line else zero,
                    gross_likely=line["gross_likely"] if line else zero,
                    gross_statistical=line["gross_statistical"] if line else zero,
                    previous=previous_net.get(key) if previous else None,
                    commitment=commitments.get(key),
                )
            )
        if cells:
            result.append(MaterialForecast(material, cells))
    return ForecastView(current, previous["number"] if previous else None, result)


# ---------------------------------------------------------------------------
# Commitments


@access.checked_by_caller("the material comes from get_material")
async def _lock_material(material_id: int) -> None:
    """Serialise answers for one material (SQLite's IMMEDIATE transaction already does)."""
    if not is_sqlite():
        await Material.raw("SELECT id FROM material WHERE id = {} FOR UPDATE", material_id)


async def commit_week(viewer: Viewer, material_uuid: UUID, data: Mapping[str, Any]) -> SaveResult:
    """A supplier's answer for one week of one of its materials in the current forecast.

    Accepting commits the week's requirement on the week's date; a proposal gives another
    quantity and/or date with a comment. Answering the same again changes nothing (a
    double click or a retried API call); a different answer replaces the last one, audited.
    """
    material = await get_material(viewer, material_uuid, SupplierAction.answer_as_supplier)
    answer, errors = forms.parse_commitment(data)
    if answer is None:
        return SaveResult(errors=errors)
    current, _previous = await latest_versions()
    if current is None or not (
        current["first_week"]
        <= answer.week_start
        < current["first_week"] + timedelta(weeks=current["weeks"])
    ):
        return SaveResult(errors={"week": _("Choose a week of the current forecast.")})
    async with write_transaction():
        await _lock_material(material["id"])
        line = await (
            ForecastLine.select(ForecastLine.net_total)
            .where(
                (ForecastLine.forecast == current["id"])
                & (ForecastLine.material == material["id"])
                & (ForecastLine.week_start == answer.week_start)
            )
            .first()
        )
        requirement = line["net_total"] if line else Decimal(0)
        values = {
            "status": answer.status,
            "quantity": answer.quantity if answer.quantity is not None else requirement,
            "delivery_date": answer.delivery_date or answer.week_start,
            "comment": answer.comment,
            "requirement": requirement,
            "forecast": current["id"],
        }
        existing = await (
            Commitment.select(*Commitment.all_columns())
            .where(
                (Commitment.material == material["id"])
                & (Commitment.week_start == answer.week_start)
            )
            .first()
        )
        if existing is not None:
            changes = audit_log.changes_between(existing, values)
            if not changes:
                return SaveResult(uuid=existing["uuid"])
            await Commitment.update(
                {
                    **{getattr(Commitment, name): value for name, value in values.items()},
                    Commitment.committed_by: viewer.user_id,
                    Commitment.committed_at: utcnow(),
                }
            ).where(Commitment.id == existing["id"])
            commitment_uuid = existing["uuid"]
        else:
            changes = audit_log.changes_between({}, values)
            row = (
                await Commitment.insert(
                    Commitment(
                        supplier=material["supplier"],
                        material=material["id"],
                        week_start=answer.week_start,
                        committed_by=viewer.user_id,
                        committed_at=utcnow(),
                        **values,
                    )
                )
                .returning(Commitment.uuid)
                .run()
            )
            commitment_uuid = row[0]["uuid"]
        await audit_log.record(
            viewer,
            entity_kind="material_commitment",
            entity_uuid=commitment_uuid,
            organisation_id=material["supplier"],
            action="update" if existing else "create",
            changes=changes,
            summary=f"{material['code']} {answer.week_start.isoformat()}",
        )
        await events.record(
            viewer,
            events.COMMITMENT,
            supplier_id=material["supplier"],
            object_kind="material",
            object_uuid=material["uuid"],
            link="/suppliers/forecast",
            message=events.COMMITMENT_MESSAGE,
            material=material["code"],
            week=messages.on_date(answer.week_start),
        )
    return SaveResult(uuid=commitment_uuid)


async def accept_open_weeks(viewer: Viewer, material_uuid: UUID) -> int:
    """Accept every week of the material in the current forecast that has a requirement and
    no answer yet (proposals already made stay as they are); how many were accepted.
    Pressing it again accepts nothing more."""
    material = await get_material(viewer, material_uuid, SupplierAction.answer_as_supplier)
    current, _previous = await latest_versions()
    if current is None:
        return 0
    async with write_transaction():
        await _lock_material(material["id"])
        lines = await ForecastLine.select(ForecastLine.week_start, ForecastLine.net_total).where(
            (ForecastLine.forecast == current["id"])
            & (ForecastLine.material == material["id"])
            & (ForecastLine.net_total > 0)
        )
        answered = {
            row["week_start"]
            for row in await Commitment.select(Commitment.week_start).where(
                Commitment.material == material["id"]
            )
        }
        open_lines = [line for line in lines if line["week_start"] not in answered]
        if not open_lines:
            return 0
        now = utcnow()
        rows = (
            await Commitment.insert(
                *(
                    Commitment(
                        supplier=material["supplier"],
                        material=material["id"],
                        week_start=line["week_start"],
                        forecast=current["id"],
                        requirement=line["net_total"],
                        status=CommitmentStatus.accepted.value,
                        quantity=line["net_total"],
                        delivery_date=line["week_start"],
                        committed_by=viewer.user_id,
                        committed_at=now,
                    )
                    for line in open_lines
                )
            )
            .returning(Commitment.uuid)
            .run()
        )
        for row, line in zip(rows, open_lines, strict=True):
            await audit_log.record(
                viewer,
                entity_kind="material_commitment",
                entity_uuid=row["uuid"],
                organisation_id=material["supplier"],
                action="create",
                changes={"status": [None, "accepted"], "quantity": [None, str(line["net_total"])]},
                summary=f"{material['code']} {line['week_start'].isoformat()}",
            )
        if open_lines:
            await events.record(
                viewer,
                events.COMMITMENT,
                supplier_id=material["supplier"],
                object_kind="material",
                object_uuid=material["uuid"],
                link="/suppliers/forecast",
                message=events.COMMITMENTS_MESSAGE,
                material=material["code"],
                count=len(open_lines),
            )
    return len(open_lines)


SUPPLIER_EXPORT_COLUMNS = (
    "material_code",
    "material_name",
    "unit",
    "week_start",
    "firm",
    "forecast",
    "quantity",
    "change",
    "answer",
    "committed_quantity",
    "delivery_date",
    "comment",
)
BRAND_EXPORT_COLUMNS = (
    "supplier",
    *SUPPLIER_EXPORT_COLUMNS[:4],
    "gross_firm",
    "gross_likely",
    "gross_statistical",
    *SUPPLIER_EXPORT_COLUMNS[4:],
    "gap",
)


def forecast_rows(
    view: ForecastView, for_brand: bool
) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The forecast as spreadsheet rows, one per material and week; a supplier's rows carry
    the same figures as its page and nothing about demand origins."""
    rows = []
    for item in view.materials:
        material = item.material
        for cell in item.cells:
            commitment = cell.commitment or {}
            row: dict[str, Any] = {
                "material_code": material["code"],
                "material_name": material["name"],
                "unit": material["unit"],
                "week_start": cell.week_start,
                "firm": cell.net_firm,
                "forecast": cell.net_forecast,
                "quantity": cell.net_total,
                "change": cell.change if view.previous_number else None,
                "answer": commitment.get("status"),
                "committed_quantity": commitment.get("quantity"),
                "delivery_date": commitment.get("delivery_date"),
                "comment": commitment.get("comment"),
            }
            if for_brand:
                row |= {
                    "supplier": material["supplier_name"],
                    "gross_firm": cell.gross_firm,
                    "gross_likely": cell.gross_likely,
                    "gross_statistical": cell.gross_statistical,
                    "gap": cell.gap,
                }
            rows.append(row)
    return (BRAND_EXPORT_COLUMNS if for_brand else SUPPLIER_EXPORT_COLUMNS), rows
