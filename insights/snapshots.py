"""The stored dashboard figures: the health job computes every scope's KPI tables with
the partners behind each figure and stores them; the dashboard reads them, and the
drill-down lists the partners behind one figure. Also the job itself (recompute_all)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from insights.access import InsightAction, figures_scope
from insights.figures import (
    LIFETIME_MODEL_KEY,
    as_date,
    recompute_cross_sell,
    recompute_metrics,
    refresh_facts,
)
from insights.network import (
    DIMENSIONS,
    MONEY_KPIS,
    Figure,
    KpiTable,
    Period,
    kpi_inputs,
    kpi_table,
    kpis,
    latest_metrics,
    partners_named,
    period_windows,
    visible_by_name,
)
from insights.records import DrillPartner
from insights.tables import (
    KpiSnapshot,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import (
    Role,
    User,
)

# How far back the stored figures reach; the page shows at most this many periods.
STORED_PERIODS = {"month": 36, "quarter": 12, "season": 8}


def _snapshot_key(scope: str, period_kind: str, dimension: str) -> str:
    return f"{scope}|{period_kind}|{dimension}"


def _partners_key(snapshot_key: str) -> str:
    """The row holding the partners behind the figures of a stored table."""
    return f"{snapshot_key}|partners"


def _encode_partners(table: KpiTable) -> str:
    """Each figure's partners, every distinct set of partners written once (revenue, margin
    and the averages count the active partners: one set for the five)."""
    sets: dict[frozenset[int], int] = {}
    figures = []
    for (group, period, kpi), figure in table.figures.items():
        if figure.partners:
            index = sets.setdefault(frozenset(figure.partners), len(sets))
            figures.append([group, period, kpi, index])
    return json.dumps({"sets": [sorted(members) for members in sets], "figures": figures})


def _decode_partners(payload: str, wanted: tuple[str, str, str]) -> set[int]:
    data = json.loads(payload)
    for group, period, kpi, index in data["figures"]:
        if (group, period, kpi) == wanted:
            return set(data["sets"][index])
    return set()


def _encode(table: KpiTable) -> str:
    return json.dumps(
        {
            "currency": table.currency,
            "periods": [
                [window.key, window.start.isoformat(), window.end.isoformat()]
                for window in table.periods
            ],
            "groups": table.groups,
            "figures": [
                [
                    group,
                    period,
                    kpi,
                    None if figure.value is None else str(figure.value),
                    figure.rate,
                    figure.drillable,
                ]
                for (group, period, kpi), figure in table.figures.items()
            ],
        }
    )


def _decode(payload: str, count: int, computed_on: date) -> KpiTable:
    data = json.loads(payload)
    windows = [
        Period(key, key, date.fromisoformat(start), date.fromisoformat(end))
        for key, start, end in data["periods"]
    ][-count:]
    wanted = {window.key for window in windows}
    figures = {}
    for group, period, kpi, value, rate, drillable in data["figures"]:
        if period in wanted:
            number: Decimal | int | float | None = None
            if value is not None:
                number = (
                    Decimal(value)
                    if kpi in MONEY_KPIS
                    else (float(value) if "." in value else int(value))
                )
            figures[(group, period, kpi)] = Figure(number, rate=rate, drillable=drillable)
    # Labels the job wrote in its own language are given again in the reader's.
    labels = {"": _("All partners"), "kam:0": _("No owner"), "territory:": _("No territory")}
    groups = [(key, labels.get(key, label)) for key, label in data["groups"]]
    return KpiTable(windows, groups, figures, data["currency"], computed_on)


@access.system_query("the health job: every viewer scope's KPI tables")
async def store_kpi_snapshots(today: date) -> int:
    """Compute and store the dashboard's tables for every scope, period kind and breakdown,
    each with the partners behind its figures (for the drill-down); returns how many tables."""
    from partner_portal.accounts.services import viewer_for_user_id

    users = (
        await User.select(User.id, User.role)
        .where(
            (User.is_active == True) & User.role.is_in([Role.brand_admin, Role.kam])  # noqa: E712
        )
        .order_by(User.id)
    )
    viewers = {}
    for user in users:
        viewer = await viewer_for_user_id(user["id"])
        scope = figures_scope(viewer)
        if scope is not None and scope not in viewers:
            viewers[scope] = viewer
    rows = []
    for scope, viewer in viewers.items():
        spans = {
            period_kind: await period_windows(period_kind, today, count)
            for period_kind, count in STORED_PERIODS.items()
        }
        inputs = await kpi_inputs(
            viewer,
            min(windows[0].start for windows in spans.values()),
            max(windows[-1].end for windows in spans.values()),
        )
        for period_kind, windows in spans.items():
            for dimension in ("", *DIMENSIONS):
                table = kpi_table(inputs, windows, dimension, today)
                key = _snapshot_key(scope, period_kind, dimension)
                rows.append(KpiSnapshot(key=key, computed_on=today, payload=_encode(table)))
                rows.append(
                    KpiSnapshot(
                        key=_partners_key(key), computed_on=today, payload=_encode_partners(table)
                    )
                )
    async with write_transaction():
        await KpiSnapshot.delete().where(KpiSnapshot.key != LIFETIME_MODEL_KEY)
        for start in range(0, len(rows), 20):
            await KpiSnapshot.insert(*rows[start : start + 20])
    return len(rows) // 2


async def dashboard_kpis(
    viewer: Viewer, period_kind: str, count: int, dimension: str, today: date
) -> KpiTable:
    """The dashboard's table: the stored figures of the viewer's scope when they were
    computed in the current period and reach back far enough, else computed now."""
    table, _partners_payload = await _dashboard_table(
        viewer, period_kind, count, dimension, today, with_partners=False
    )
    return table


async def _dashboard_table(
    viewer: Viewer,
    period_kind: str,
    count: int,
    dimension: str,
    today: date,
    with_partners: bool,
) -> tuple[KpiTable, str | None]:
    """dashboard_kpis, with the stored partners of the same computation when asked (read in
    the same query, so figure and partners always come from one run of the job)."""
    access.require(viewer, InsightAction.view_insights)
    scope = figures_scope(viewer)
    if scope is not None and count <= STORED_PERIODS.get(period_kind, 0):
        key = _snapshot_key(scope, period_kind, dimension)
        keys = [key, _partners_key(key)] if with_partners else [key]
        rows = {
            row["key"]: row
            for row in await KpiSnapshot.select(
                KpiSnapshot.key, KpiSnapshot.payload, KpiSnapshot.computed_on
            ).where(KpiSnapshot.key.is_in(keys))
        }
        if len(rows) == len(keys):
            computed_on = as_date(rows[key]["computed_on"])
            current = (await period_windows(period_kind, today, 1))[0]
            if current.start <= computed_on < current.end:
                partners = rows[keys[-1]]["payload"] if with_partners else None
                return _decode(rows[key]["payload"], count, computed_on), partners
    return await kpis(viewer, period_kind, count, dimension, today), None


@dataclass(frozen=True)
class FigureRef:
    """One figure of the dashboard: which table (period kind, how many periods, breakdown)
    and which cell (group, period, KPI); an empty window means the current period."""

    period_kind: str
    count: int
    dimension: str
    group: str
    window: str
    kpi: str


async def figure_partners(
    viewer: Viewer, figure: FigureRef, today: date
) -> tuple[KpiTable, str, set[int]]:
    """The partners one figure of the dashboard counts, exactly as the figure counted them:
    those the job stored with the figure the dashboard shows or, when the figures are
    computed now, the computation's own; with the table and the period's key."""
    table, stored = await _dashboard_table(
        viewer, figure.period_kind, figure.count, figure.dimension, today, with_partners=True
    )
    window = figure.window or table.periods[-1].key
    cell = (figure.group, window, figure.kpi)
    if cell not in table.figures:
        return table, window, set()
    if stored is not None:
        return table, window, _decode_partners(stored, cell)
    return table, window, table.figures[cell].partners


# The drill-down lists this many partners a page (the network's active partners of a
# month are about 2,000); planning follow-ups can still take every one of them.
DRILL_PAGE_SIZE = 50


@dataclass
class DrillDown:
    table: KpiTable
    window: str
    total: int
    page: int
    pages: int
    partners: list[DrillPartner]  # this page's, each with its latest metrics


async def drill_down(viewer: Viewer, figure: FigureRef, today: date, page: int = 1) -> DrillDown:
    """The partners behind one figure, a page of them at a time, by name."""
    table, window, members = await figure_partners(viewer, figure, today)
    ordered = await visible_by_name(viewer, members)
    pages = max(1, math.ceil(len(ordered) / DRILL_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = await partners_named(
        viewer, ordered[(page - 1) * DRILL_PAGE_SIZE : page * DRILL_PAGE_SIZE]
    )
    latest = await latest_metrics([partner["id"] for partner in shown])
    partners = [DrillPartner(**partner, metrics=latest.get(partner["id"])) for partner in shown]
    return DrillDown(table, window, len(ordered), page, pages, partners)


async def figure_partner_uuids(viewer: Viewer, figure: FigureRef, today: date) -> list[UUID]:
    """Every visible partner behind one figure (to plan follow-ups for all of them)."""
    _table, _window, members = await figure_partners(viewer, figure, today)
    return [partner["uuid"] for partner in await partners_named(viewer, members)]


async def recompute_all(today: date | None = None) -> str:
    """The scheduled job: facts, metrics, cross-sell. Idempotent (each replaces its rows)."""
    today = today or utcnow().date()
    facts = await refresh_facts()
    partners = await recompute_metrics(today)
    suggestions = await recompute_cross_sell(today)
    snapshots = await store_kpi_snapshots(today)
    return (
        f"{facts} monthly facts, {partners} partners, {suggestions} cross-sell suggestions, "
        f"{snapshots} dashboard tables"
    )
