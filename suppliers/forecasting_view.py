"""Reading the material forecast: the brand's planning view and the supplier portal's
view of the published snapshot (each week's requirement beside the supplier's
commitment), and its rows for the export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from partner_portal import access
from partner_portal.access import Viewer
from suppliers.access import SupplierAction, scoped_supplier_rows
from suppliers.records import (
    CommitmentRecord,
    ForecastLineRecord,
    ForecastVersionRecord,
    MaterialEntry,
)
from suppliers.services import list_materials
from suppliers.tables import (
    Commitment,
    ForecastLine,
    ForecastVersion,
)


@dataclass
class WeekCell:
    week_start: date
    net_total: Decimal
    net_firm: Decimal
    gross_firm: Decimal
    gross_likely: Decimal
    gross_statistical: Decimal
    previous: Decimal | None
    commitment: CommitmentRecord | None

    @property
    def net_forecast(self) -> Decimal:
        return self.net_total - self.net_firm

    @property
    def change(self) -> Decimal:
        """How much the week moved against the previous version (0 with no previous one)."""
        return self.net_total - (self.previous or Decimal(0))

    @property
    def committed(self) -> Decimal:
        return self.commitment.quantity if self.commitment else Decimal(0)

    @property
    def gap(self) -> Decimal:
        """Requirement the supplier has not committed to (negative: committed more)."""
        return self.net_total - self.committed

    @property
    def late(self) -> bool:
        """The supplier proposes to deliver after the week starts."""
        return bool(self.commitment and self.commitment.delivery_date > self.week_start)

    @property
    def needs_attention(self) -> bool:
        return self.net_total > 0 and (self.commitment is None or self.gap > 0 or self.late)


@dataclass
class MaterialForecast:
    material: MaterialEntry
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
    version: ForecastVersionRecord | None
    previous_number: int | None
    materials: list[MaterialForecast]

    @property
    def weeks(self) -> list[date]:
        if self.version is None:
            return []
        first = self.version.first_week
        return [first + timedelta(weeks=week) for week in range(self.version.weeks)]


async def latest_versions() -> tuple[ForecastVersionRecord | None, ForecastVersionRecord | None]:
    """The current published version and the one before it."""
    rows = ForecastVersionRecord.from_rows(
        await ForecastVersion.select(*ForecastVersion.all_columns())
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
    wanted = {material.id: material for material in materials}

    async def lines_of(version_id: int) -> list[ForecastLineRecord]:
        query = scoped_supplier_rows(
            ForecastLine.select(*LINE_COLUMNS), viewer, ForecastLine.supplier
        ).where(ForecastLine.forecast == version_id)
        if supplier_id is not None:
            query = query.where(ForecastLine.supplier == supplier_id)
        return ForecastLineRecord.from_rows(await query)

    current_lines = await lines_of(current.id)
    previous_lines = await lines_of(previous.id) if previous else []
    commitments_query = scoped_supplier_rows(
        Commitment.select(*Commitment.all_columns()), viewer, Commitment.supplier
    ).where(Commitment.week_start >= current.first_week)
    commitments = {
        (commitment.material, commitment.week_start): commitment
        for commitment in CommitmentRecord.from_rows(await commitments_query)
    }
    previous_net = {(line.material, line.week_start): line.net_total for line in previous_lines}
    by_material: dict[int, dict[date, ForecastLineRecord]] = defaultdict(dict)
    for line in current_lines:
        by_material[line.material][line.week_start] = line
    zero = Decimal(0)
    result: list[MaterialForecast] = []
    weeks = [current.first_week + timedelta(weeks=week) for week in range(current.weeks)]
    for material_id, material in wanted.items():
        cells = []
        for week in weeks:
            found = by_material.get(material_id, {}).get(week)
            key = (material_id, week)
            if found is None and key not in previous_net and key not in commitments:
                continue
            cells.append(
                WeekCell(
                    week_start=week,
                    net_total=found.net_total if found else zero,
                    net_firm=found.net_firm if found else zero,
                    gross_firm=found.gross_firm if found else zero,
                    gross_likely=found.gross_likely if found else zero,
                    gross_statistical=found.gross_statistical if found else zero,
                    previous=previous_net.get(key) if previous else None,
                    commitment=commitments.get(key),
                )
            )
        if cells:
            result.append(MaterialForecast(material, cells))
    return ForecastView(current, previous.number if previous else None, result)


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
            commitment = cell.commitment
            row: dict[str, Any] = {
                "material_code": material.code,
                "material_name": material.name,
                "unit": material.unit.value,
                "week_start": cell.week_start,
                "firm": cell.net_firm,
                "forecast": cell.net_forecast,
                "quantity": cell.net_total,
                "change": cell.change if view.previous_number else None,
                "answer": commitment.status.value if commitment else None,
                "committed_quantity": commitment.quantity if commitment else None,
                "delivery_date": commitment.delivery_date if commitment else None,
                "comment": commitment.comment if commitment else None,
            }
            if for_brand:
                row |= {
                    "supplier": material.supplier_name,
                    "gross_firm": cell.gross_firm,
                    "gross_likely": cell.gross_likely,
                    "gross_statistical": cell.gross_statistical,
                    "gap": cell.gap,
                }
            rows.append(row)
    return (BRAND_EXPORT_COLUMNS if for_brand else SUPPLIER_EXPORT_COLUMNS), rows
