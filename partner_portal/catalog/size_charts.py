"""Size charts: for a style and a gender (men, women or unisex), the fit it is cut in and,
per size, the body the size fits (height, chest, waist, hip) and the garment's length and
sleeve, in cm (docs/DOMAIN.md, "Sizes").

The brand edits them on the style page; everyone who sees the style sees them, and the
size page of a group campaign shows each employee the chart of their gender, from which
group_orders/sizing.py suggests a size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.styles import scale_sizes
from partner_portal.catalog.tables import Fit, Gender, SizeChart, SizeChartRow
from partner_portal.catalog.upsert import is_unique_violation
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.records import Record


@dataclass(frozen=True)
class Measure:
    """One column of a chart: its code (the table's column), label and plausible range."""

    code: str
    label: str  # a message id, translated where shown
    body: bool  # the body the size fits (True) or the garment itself
    low: int
    high: int


MEASURES = (
    Measure("height", N_("Height"), True, 50, 230),
    Measure("chest", N_("Chest"), True, 30, 200),
    Measure("waist", N_("Waist"), True, 30, 200),
    Measure("hip", N_("Hip"), True, 30, 200),
    Measure("length", N_("Garment length"), False, 10, 200),
    Measure("sleeve", N_("Sleeve length"), False, 10, 120),
)
MEASURE_CODES = tuple(measure.code for measure in MEASURES)
# The genders a chart is for, in the order the style page shows them.
CHART_GENDERS = (Gender.men.value, Gender.women.value, Gender.unisex.value)
FITS = tuple(fit.value for fit in Fit)
# Centimetres with at most one decimal (a comma is read as the decimal mark).
CENTIMETRES = re.compile(r"^\d{1,3}(?:[.,]\d)?$")


class ChartLine(Record, frozen=True):
    """One size of a chart: cm per measure code (None where the chart gives none)."""

    size_id: int
    label: str
    values: dict[str, Decimal | None]


class SizeChartRecord(Record, frozen=True):
    """A style's chart for one gender, with its sizes in the scale's order."""

    id: int
    uuid: UUID
    style: int
    gender: str
    fit: str
    updated_at: datetime
    lines: list[ChartLine] = []

    @property
    def measures(self) -> list[Measure]:
        """The measures the chart gives for at least one size."""
        return [
            measure
            for measure in MEASURES
            if any(line.values.get(measure.code) is not None for line in self.lines)
        ]

    def line_for(self, size_id: int) -> ChartLine | None:
        return next((line for line in self.lines if line.size_id == size_id), None)


async def charts_for_styles(style_ids: Iterable[int]) -> dict[int, list[SizeChartRecord]]:
    """style id -> its charts (men, women, unisex), each with the sizes of the style's
    current scale (two queries). Charts belong to the brand's catalog: whoever may see a
    style sees its charts, so callers pass styles they fetched through the access policy."""
    ids = sorted(set(style_ids))
    if not ids:
        return {}
    charts = await SizeChart.select(*SizeChart.all_columns()).where(SizeChart.style.is_in(ids))
    if not charts:
        return {}
    size = SizeChartRow.size._
    style_scale = SizeChartRow.chart._.style._.size_scale
    rows = await (
        SizeChartRow.select(
            *SizeChartRow.all_columns(),
            size.label.as_alias("label"),
            size.size_scale.as_alias("scale"),
            style_scale.as_alias("style_scale"),
        )
        .where(SizeChartRow.chart.is_in([chart["id"] for chart in charts]))
        .order_by(size.position)
    )
    lines: dict[int, list[ChartLine]] = {}
    for row in rows:
        if row["scale"] != row["style_scale"]:
            continue  # a size of the scale the style had before
        lines.setdefault(row["chart"], []).append(
            ChartLine(
                size_id=row["size"],
                label=row["label"],
                values={code: row[code] for code in MEASURE_CODES},
            )
        )
    found: dict[int, list[SizeChartRecord]] = {}
    for chart in sorted(charts, key=lambda chart: CHART_GENDERS.index(chart["gender"])):
        found.setdefault(chart["style"], []).append(
            SizeChartRecord(
                id=chart["id"],
                uuid=chart["uuid"],
                style=chart["style"],
                gender=chart["gender"],
                fit=chart["fit"],
                updated_at=chart["updated_at"],
                lines=lines.get(chart["id"], []),
            )
        )
    return found


def chart_for(charts: Sequence[SizeChartRecord], gender: str) -> SizeChartRecord | None:
    """The chart that applies to a person of ``gender`` ("" when unknown): their gender's,
    else the unisex one."""
    by_gender = {chart.gender: chart for chart in charts}
    return by_gender.get(gender) if gender in by_gender else by_gender.get(Gender.unisex.value)


@dataclass
class ChartForm:
    """The chart form of one gender: what was typed, and the messages by field."""

    gender: str
    sizes: list[dict[str, Any]]
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    exists: bool = False


def value_field(measure: str, size_id: int) -> str:
    return f"{measure}-{size_id}"


def _centimetres(text: str, measure: Measure) -> tuple[Decimal | None, str]:
    """The value of a cell, or the message why it is refused; empty is None."""
    text = text.strip()
    if not text:
        return None, ""
    if not CENTIMETRES.match(text):
        return None, _("Enter centimetres such as 92 or 92.5.")
    value = Decimal(text.replace(",", "."))
    if not measure.low <= value <= measure.high:
        return None, _(
            "Enter a value from %(low)s to %(high)s cm.", low=measure.low, high=measure.high
        )
    return value, ""


@dataclass(frozen=True)
class ChartInput:
    fit: str
    lines: Mapping[int, Mapping[str, Decimal | None]]  # size id -> measure code -> cm


def parse_chart(
    data: Mapping[str, str], sizes: Sequence[Mapping[str, Any]]
) -> tuple[ChartInput | None, dict[str, str]]:
    """A chart from the form: every cell empty or centimetres in the measure's range, each
    measure growing (or staying) from one size to the next, at least one value."""
    errors: dict[str, str] = {}
    fit = (data.get("fit") or "").strip()
    if fit not in FITS:
        errors["fit"] = _("Choose one of the options.")
    lines: dict[int, dict[str, Decimal | None]] = {size["id"]: {} for size in sizes}
    for measure in MEASURES:
        before: Decimal | None = None
        for size in sizes:
            name = value_field(measure.code, size["id"])
            value, error = _centimetres(data.get(name) or "", measure)
            if error:
                errors[name] = error
            elif value is not None and before is not None and value < before:
                errors[name] = _("Smaller than the size before it: check the value.")
            lines[size["id"]][measure.code] = value
            before = value if value is not None else before
    if not errors and not any(
        value is not None for values in lines.values() for value in values.values()
    ):
        errors["chart"] = _("Enter at least one measurement.")
    if errors:
        return None, errors
    return ChartInput(fit, lines), {}


async def chart_form(style: access.VisibleStyle, gender: str) -> ChartForm:
    """The form for the style's chart of ``gender``, filled with the chart if it has one."""
    sizes = await scale_sizes(style.size_scale)
    charts = (await charts_for_styles([style.id])).get(style.id, [])
    chart = next((chart for chart in charts if chart.gender == gender), None)
    values = {"fit": Fit.regular.value}
    if chart is not None:
        values["fit"] = chart.fit
        for line in chart.lines:
            for code, value in line.values.items():
                if value is not None:
                    values[value_field(code, line.size_id)] = _plain(value)
    return ChartForm(gender, sizes, values, exists=chart is not None)


def _plain(value: Decimal) -> str:
    """92.0 -> "92", 92.5 -> "92.5" (as typed in the form)."""
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


async def save_chart(
    viewer: Viewer, style: access.VisibleStyle, gender: str, data: Mapping[str, str]
) -> ChartForm:
    """Replace the style's chart for ``gender`` with the form's; with any problem nothing
    is saved and the form comes back with its messages."""
    sizes = await scale_sizes(style.size_scale)
    form = ChartForm(gender, sizes, {key: str(value)[:20] for key, value in data.items()})
    if gender not in CHART_GENDERS:
        form.errors["gender"] = _("Choose one of the options.")
        return form
    access.require(viewer, access.Action.manage_catalog)
    parsed, form.errors = parse_chart(data, sizes)
    if parsed is None:
        return form
    try:
        async with write_transaction():
            chart_id = await store_chart(style.id, gender, parsed, viewer.user_id)
            await audit_log.record(
                viewer,
                entity_kind="style",
                entity_uuid=style.uuid,
                organisation_id=None,
                action="size_chart",
                summary=f"{style.code} {gender} {parsed.fit} (chart {chart_id})",
            )
    except Exception as error:
        # Two first saves of one chart at once (PostgreSQL): the unique index refuses one.
        if not is_unique_violation(error):
            raise
        form.errors["chart"] = _("Someone saved this chart a moment ago. Nothing was saved.")
        return form
    form.exists = True
    return form


async def store_chart(
    style_id: int, gender: str, chart: ChartInput, user_id: int | None = None
) -> int:
    """Write a style's chart for one gender over the one it had (call inside a write
    transaction; the demo data uses it too). Returns the chart's id."""
    now = utcnow()
    existing = (
        await SizeChart.select(SizeChart.id)
        .where((SizeChart.style == style_id) & (SizeChart.gender == gender))
        .first()
    )
    if existing is None:
        rows = (
            await SizeChart.insert(
                SizeChart(
                    style=style_id, gender=gender, fit=chart.fit, updated_by=user_id, updated_at=now
                )
            )
            .returning(SizeChart.id)
            .run()
        )
        chart_id = int(rows[0]["id"])
    else:
        chart_id = int(existing["id"])
        await SizeChart.update(
            {SizeChart.fit: chart.fit, SizeChart.updated_by: user_id, SizeChart.updated_at: now}
        ).where(SizeChart.id == chart_id)
        await SizeChartRow.delete().where(SizeChartRow.chart == chart_id)
    lines = [
        SizeChartRow(chart=chart_id, size=size_id, **_columns(values))
        for size_id, values in chart.lines.items()
        if any(value is not None for value in values.values())
    ]
    if lines:
        await SizeChartRow.insert(*lines).run()
    return chart_id


def _columns(values: Mapping[str, Decimal | None]) -> dict[str, Any]:
    """A row's measure columns (only the chart's measures, whatever else is given)."""
    return {code: values.get(code) for code in MEASURE_CODES}


async def delete_chart(viewer: Viewer, style: access.VisibleStyle, gender: str) -> bool:
    """Remove the style's chart for ``gender``; False when it had none."""
    access.require(viewer, access.Action.manage_catalog)
    chart = (SizeChart.style == style.id) & (SizeChart.gender == gender)
    async with write_transaction():
        removed = await SizeChart.exists().where(chart)
        if removed:
            await SizeChart.delete().where(chart)
            await audit_log.record(
                viewer,
                entity_kind="style",
                entity_uuid=style.uuid,
                organisation_id=None,
                action="size_chart_delete",
                summary=f"{style.code} {gender}",
            )
    return removed
