"""The material forecast: garment demand from the kernel's demand sources plus a reorder
forecast, exploded through BOMs and netted against stock and open POs, published as
numbered snapshots. The brand's planning view and the supplier portal read it through
forecasting_view.py; suppliers answer it week by week in forecasting_commitments.py.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from piccolo.querystring import QueryString

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import DeliveryWindow, Style
from partner_portal.clock import utcnow
from partner_portal.database import (
    current_engine,
    is_sqlite,
    write_transaction,
)
from partner_portal.i18n import N_
from partner_portal.orders.tables import OrderStatus
from partner_portal.registries import DemandLine, registry
from suppliers import planning
from suppliers.access import SupplierAction
from suppliers.planning import (
    BomRow,
    Firmness,
    ForecastModel,
    GarmentDemand,
    MaterialStock,
    MaterialWeeks,
)
from suppliers.tables import (
    BomLine,
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
