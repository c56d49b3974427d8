"""Partner rebates and points: programmes with volume tiers per season and points per
amount delivered, a ledger per partner where every entry names its order or decision.

Earning is a scheduled job and idempotent: each entry has a unique ``source_key``
("earn:<programme>:<order>"), so an order earns once however often the job runs, and a
cancelled order's points are reversed once."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Sum

from partner_portal import access, inputs
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Season
from partner_portal.clock import utcnow
from partner_portal.database import after_position, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import format_number
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import Organisation
from sales import forms
from sales.access import (
    SalesAction,
    VisibleRebateProgramme,
    VisibleSalesPartner,
    get_rebate_programme,
    get_sales_partner,
    scoped_ledger,
)
from sales.records import (
    LedgerEntryRecord,
    LedgerLine,
    PartnerPoints,
    ProgrammeBalance,
    ProgrammeOrder,
    ProgrammeSettings,
    ProgrammeTiers,
    RebateProgrammeRecord,
)
from sales.tables import LedgerEntry, LedgerKind, RebateProgramme, RebateTier

EARNING_STATUSES = (OrderStatus.delivered.value,)
# A season's volume counts what left the warehouse: shipped and delivered orders.
VOLUME_STATUSES = (OrderStatus.shipped.value, OrderStatus.delivered.value)
REVERSING_STATUSES = (OrderStatus.cancelled.value, OrderStatus.rejected.value)
# The ledger page shows the latest entries; the API pages through them all.
HISTORY_LIMIT = 500
CHUNK = 500


def points_for(total: Decimal, points_per_hundred: Decimal) -> Decimal:
    """Whole points for an order's total (fractions of a point are not earned)."""
    return (Decimal(total) * Decimal(points_per_hundred) / 100).quantize(
        Decimal("1"), rounding=ROUND_DOWN
    )


def tier_for(total: Decimal, tiers: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The rebate percent a season's volume reaches: the highest tier whose threshold the
    total meets (a threshold reached exactly counts)."""
    reached = [percent for threshold, percent in tiers if Decimal(total) >= Decimal(threshold)]
    return max(reached, default=Decimal("0"))


def rebate_for(total: Decimal, tiers: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    percent = tier_for(total, tiers)
    return percent, (Decimal(total) * percent / 100).quantize(Decimal("0.01"))


async def _tiers(programme_ids: list[int]) -> dict[int, list[tuple[Decimal, Decimal]]]:
    rows = await RebateTier.select(
        RebateTier.programme, RebateTier.threshold, RebateTier.percent
    ).where(RebateTier.programme.is_in(programme_ids or [-1]))
    tiers: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for row in rows:
        tiers[row["programme"]].append((Decimal(row["threshold"]), Decimal(row["percent"])))
    return tiers


@access.system_query("the rebate job: every partner's orders in a programme")
def _orders_of(programme: RebateProgrammeRecord, statuses: tuple[str, ...]) -> Any:
    """The programme's orders in these statuses: those of its season, else those submitted
    in its period; only orders in the programme's currency count."""
    query = Order.select(Order.uuid, Order.number, Order.buyer, Order.total, Order.status).where(
        Order.status.is_in(list(statuses)), Order.currency == programme.currency
    )
    if programme.season is not None:
        return query.where(Order.season == programme.season)
    return query.where(
        Order.submitted_at >= programme.starts_on,
        Order.submitted_at < programme.ends_on + timedelta(days=1),
    )


async def run_rebates() -> str:
    """Scheduled: earn points on newly delivered orders, reverse those of cancelled
    orders, expire points past their term and book each finished season's volume rebate.
    Safe to run any number of times, by several processes (unique source keys)."""
    today = utcnow().date()
    programmes = RebateProgrammeRecord.from_rows(
        await RebateProgramme.select(*RebateProgramme.all_columns()).where(
            RebateProgramme.active == True  # noqa: E712
        )
    )
    counts: dict[str, int] = defaultdict(int)
    tiers = await _tiers([programme.id for programme in programmes])
    for programme in programmes:
        async with write_transaction():
            counts["earned"] += await _earn(programme, today)
            counts["reversed"] += await _reverse(programme, today)
            counts["expired"] += await _expire(programme, today)
            if programme.ends_on < today and tiers.get(programme.id):
                counts["rebates"] += await _volume_rebates(programme, tiers[programme.id])
    return (
        f"{counts['earned']} orders earned, {counts['reversed']} reversed, "
        f"{counts['expired']} expiries, {counts['rebates']} season rebates"
    )


@access.system_query("the rebate job: every partner's booked entries")
async def _booked(programme_id: int, kind: LedgerKind) -> set[UUID]:
    rows = await LedgerEntry.select(LedgerEntry.order_uuid).where(
        LedgerEntry.programme == programme_id,
        LedgerEntry.kind == kind.value,
        LedgerEntry.order_uuid.is_not_null(),
    )
    return {row["order_uuid"] for row in rows}


async def _insert(entries: list[LedgerEntry]) -> int:
    """Insert in chunks (a season has tens of thousands of orders; SQLite limits the
    parameters of one statement); an entry whose source key exists is skipped."""
    inserted = 0
    for start in range(0, len(entries), CHUNK):
        rows = await (
            LedgerEntry.insert(*entries[start : start + CHUNK])
            .on_conflict(target=LedgerEntry.source_key, action="DO NOTHING")
            .returning(LedgerEntry.id)
        )
        inserted += len(rows)
    return inserted


async def _earn(programme: RebateProgrammeRecord, today: date) -> int:
    earned = await _booked(programme.id, LedgerKind.earned)
    now = utcnow()
    entries = []
    for order in ProgrammeOrder.from_rows(await _orders_of(programme, EARNING_STATUSES)):
        if order.uuid in earned:
            continue
        points = points_for(order.total, programme.points_per_hundred)
        if points <= 0:
            continue
        entries.append(
            LedgerEntry(
                organisation=order.buyer,
                programme=programme.id,
                kind=LedgerKind.earned.value,
                points=points,
                amount=order.total,
                order_uuid=order.uuid,
                order_number=order.number or "",
                expires_on=today + timedelta(days=programme.points_expiry_days),
                source_key=f"earn:{programme.id}:{order.uuid}",
                occurred_at=now,
            )
        )
    return await _insert(entries)


@access.system_query("the rebate job: every partner's cancelled orders")
async def _reverse(programme: RebateProgrammeRecord, today: date) -> int:
    reversed_already = await _booked(programme.id, LedgerKind.reversed)
    cancelled = await Order.select(Order.uuid).where(Order.status.is_in(list(REVERSING_STATUSES)))
    cancelled_uuids = {row["uuid"] for row in cancelled} - reversed_already
    if not cancelled_uuids:
        return 0
    booked = await LedgerEntry.select(*LedgerEntry.all_columns()).where(
        LedgerEntry.programme == programme.id,
        LedgerEntry.kind == LedgerKind.earned.value,
    )
    # Only the cancelled orders' entries become records: a season books tens of thousands.
    earned = LedgerEntryRecord.from_rows(
        entry for entry in booked if entry["order_uuid"] in cancelled_uuids
    )
    now = utcnow()
    return await _insert(
        [
            LedgerEntry(
                organisation=entry.organisation,
                programme=programme.id,
                kind=LedgerKind.reversed.value,
                points=-entry.points,
                amount=-entry.amount,
                order_uuid=entry.order_uuid,
                order_number=entry.order_number,
                note=_("Order cancelled"),
                source_key=f"reverse:{programme.id}:{entry.order_uuid}",
                occurred_at=now,
            )
            for entry in earned
        ]
    )


@access.system_query("the rebate job: every partner's balance in a programme")
async def _balances(programme_id: int) -> dict[int, Decimal]:
    rows = (
        await LedgerEntry.select(LedgerEntry.organisation, Sum(LedgerEntry.points, alias="points"))
        .where(LedgerEntry.programme == programme_id)
        .group_by(LedgerEntry.organisation)
    )
    return {row["organisation"]: Decimal(row["points"] or 0) for row in rows}


@access.system_query("the rebate job: every partner's expiring points")
async def _expire(programme: RebateProgrammeRecord, today: date) -> int:
    """Points expire by the entry that earned them; never more than the partner still has
    (points already redeemed or reversed do not expire twice)."""
    due_rows = (
        await LedgerEntry.select(*LedgerEntry.all_columns())
        .where(
            LedgerEntry.programme == programme.id,
            LedgerEntry.kind.is_in([LedgerKind.earned.value, LedgerKind.bonus.value]),
            LedgerEntry.expires_on < today,
        )
        .order_by(LedgerEntry.expires_on)
    )
    if not due_rows:
        return 0
    due = LedgerEntryRecord.from_rows(due_rows)
    done = {
        row["source_key"]
        for row in await LedgerEntry.select(LedgerEntry.source_key).where(
            LedgerEntry.programme == programme.id,
            LedgerEntry.kind == LedgerKind.expired.value,
        )
    }
    balances = await _balances(programme.id)
    now = utcnow()
    entries = []
    for entry in due:
        key = f"expire:{entry.uuid}"
        if key in done:
            continue
        expiring = min(entry.points, max(balances.get(entry.organisation, 0), 0))
        balances[entry.organisation] = balances.get(entry.organisation, Decimal(0)) - expiring
        entries.append(
            LedgerEntry(
                organisation=entry.organisation,
                programme=programme.id,
                kind=LedgerKind.expired.value,
                points=-expiring,
                order_uuid=entry.order_uuid,
                order_number=entry.order_number,
                note=_(
                    "Points earned on %(date)s expired",
                    date=entry.occurred_at.date().isoformat(),
                ),
                source_key=key,
                occurred_at=now,
            )
        )
    return await _insert(entries)


async def _volume_rebates(
    programme: RebateProgrammeRecord, tiers: list[tuple[Decimal, Decimal]]
) -> int:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for order in ProgrammeOrder.from_rows(await _orders_of(programme, VOLUME_STATUSES)):
        totals[order.buyer] += order.total
    now = utcnow()
    entries = []
    for organisation_id, total in totals.items():
        percent, amount = rebate_for(total, tiers)
        if amount <= 0:
            continue
        entries.append(
            LedgerEntry(
                organisation=organisation_id,
                programme=programme.id,
                kind=LedgerKind.volume_rebate.value,
                amount=amount,
                note=_(
                    "%(percent)s%% of %(total)s %(currency)s",
                    percent=format_number(percent),
                    total=total,
                    currency=programme.currency,
                ),
                source_key=f"volume:{programme.id}:{organisation_id}",
                occurred_at=now,
            )
        )
    return await _insert(entries)


# ---------------------------------------------------------------------------
# Reading and manual entries


async def programmes() -> list[dict[str, Any]]:
    rows = await RebateProgramme.select(*RebateProgramme.all_columns()).order_by(
        RebateProgramme.starts_on, ascending=False
    )
    tiers = await _tiers([row["id"] for row in rows])
    for row in rows:
        row["tiers"] = sorted(tiers.get(row["id"], []))
    return list(rows)


@access.checked_by_caller("the viewer's own organisation")
async def own_partner_uuid(viewer: Viewer) -> UUID:
    row = (
        await Organisation.select(Organisation.uuid)
        .where(Organisation.id == viewer.organisation_id)
        .first()
    )
    assert row is not None
    own_uuid: UUID = row["uuid"]
    return own_uuid


@dataclass
class LedgerView:
    partner: VisibleSalesPartner
    balances: list[ProgrammeBalance]
    entries: list[LedgerLine]


async def balances(viewer: Viewer) -> list[PartnerPoints]:
    """Points and rebates per partner and programme the viewer may see (brand overview)."""
    access.require(viewer, SalesAction.view_rebates)
    rows = await scoped_ledger(
        LedgerEntry.select(
            LedgerEntry.organisation._.uuid.as_alias("partner_uuid"),
            LedgerEntry.organisation._.legal_name.as_alias("partner_name"),
            LedgerEntry.programme._.name.as_alias("programme_name"),
            LedgerEntry.programme._.currency.as_alias("currency"),
            Sum(LedgerEntry.points, alias="points"),
        ),
        viewer,
    ).group_by(
        LedgerEntry.organisation._.uuid,
        LedgerEntry.organisation._.legal_name,
        LedgerEntry.programme._.name,
        LedgerEntry.programme._.currency,
    )
    return sorted(
        PartnerPoints.from_rows(rows), key=lambda row: (row.partner_name, row.programme_name)
    )


async def ledger_partner(viewer: Viewer, partner_uuid: UUID) -> VisibleSalesPartner:
    """The partner whose ledger the viewer opens (a partner: its own only, else 404)."""
    access.require(viewer, SalesAction.view_rebates)
    return await get_sales_partner(viewer, partner_uuid)


async def ledger_entries(
    viewer: Viewer,
    partner: VisibleSalesPartner,
    after: tuple[datetime, int] | None = None,
    limit: int = HISTORY_LIMIT,
) -> list[LedgerLine]:
    """Up to ``limit`` of a partner's entries, the latest first, after the position
    (occurred at, id) ``after`` (the API's cursor)."""
    query = scoped_ledger(
        LedgerEntry.select(
            *LedgerEntry.all_columns(),
            LedgerEntry.programme._.name.as_alias("programme_name"),
            LedgerEntry.programme._.currency.as_alias("currency"),
            LedgerEntry.created_by._.display_name.as_alias("author_name"),
        ),
        viewer,
    ).where(LedgerEntry.organisation == partner.id)
    order = (LedgerEntry.occurred_at, LedgerEntry.id)
    if after is not None:
        query = query.where(after_position(order, after, descending=True))
    return LedgerLine.from_rows(await query.order_by(*order, ascending=False).limit(limit))


async def ledger_view(viewer: Viewer, partner_uuid: UUID) -> LedgerView:
    """One partner's balances and latest history (a partner: its own only, else 404)."""
    partner = await ledger_partner(viewer, partner_uuid)
    balances = await ledger_balances(viewer, partner)
    return LedgerView(partner, balances, await ledger_entries(viewer, partner))


async def ledger_balances(viewer: Viewer, partner: VisibleSalesPartner) -> list[ProgrammeBalance]:
    """Per programme: the partner's points, the rebates booked, its season volume and the
    tier that volume reaches."""
    sums: dict[int, dict[str, Any]] = {}
    for row in (
        await scoped_ledger(
            LedgerEntry.select(
                LedgerEntry.programme,
                LedgerEntry.kind,
                Sum(LedgerEntry.points, alias="points"),
                Sum(LedgerEntry.amount, alias="amount"),
            ),
            viewer,
        )
        .where(LedgerEntry.organisation == partner.id)
        .group_by(LedgerEntry.programme, LedgerEntry.kind)
    ):
        totals = sums.setdefault(row["programme"], {"points": Decimal(0), "rebates": Decimal(0)})
        totals["points"] += Decimal(row["points"] or 0)
        if row["kind"] == LedgerKind.volume_rebate:
            totals["rebates"] += Decimal(row["amount"] or 0)
    balance_rows = []
    for programme in ProgrammeTiers.from_rows(await programmes()):
        counted = _orders_of(programme, VOLUME_STATUSES).where(Order.buyer == partner.id)
        volume = sum((order.total for order in ProgrammeOrder.from_rows(await counted)), Decimal(0))
        balance_rows.append(
            ProgrammeBalance(
                programme=programme,
                points=sums.get(programme.id, {}).get("points", Decimal(0)),
                rebates=sums.get(programme.id, {}).get("rebates", Decimal(0)),
                volume=volume,
                percent=tier_for(volume, programme.tiers),
                next_tier=next((tier for tier in programme.tiers if tier[0] > volume), None),
            )
        )
    return balance_rows


@access.system_query("a repeated submit finds its first entry by the form's idempotency key")
async def add_entry(
    viewer: Viewer,
    partner: VisibleSalesPartner,
    programme_uuid: str,
    data: Mapping[str, Any],
    idempotency_key: str,
) -> SaveResult:
    """A manual ledger entry by the brand: an adjustment, campaign bonus points, or a
    redemption (credit note or marketing support), which needs the points to be there.
    The idempotency key makes a repeated submit book once."""
    access.require(viewer, SalesAction.manage_rebates, partner.id)
    values, errors = forms.parse_ledger_entry(data)
    programme = None
    with contextlib.suppress(ValueError):
        programme = (
            await RebateProgramme.select(*RebateProgramme.all_columns())
            .where(RebateProgramme.uuid == UUID(programme_uuid))
            .first()
        )
    if programme is None:
        errors["programme"] = _("Choose the programme.")
    if values is None or programme is None:
        return SaveResult(errors=errors)
    points = -values.points if values.kind in forms.REDEMPTIONS else values.points
    key = (
        f"manual:{idempotency_key[:80]}"
        if idempotency_key
        else f"manual:{utcnow().isoformat()}:{viewer.user_id}"
    )
    async with write_transaction():
        earlier = (
            await LedgerEntry.select(LedgerEntry.uuid).where(LedgerEntry.source_key == key).first()
        )
        if earlier:
            return SaveResult(uuid=earlier["uuid"])
        if points < 0:
            balance = (await _balances(programme["id"])).get(partner.id, Decimal(0))
            if balance + points < 0:
                return SaveResult(
                    errors={
                        "points": _(
                            "The partner has only %(points)s points in this programme.",
                            points=format_number(balance),
                        )
                    }
                )
        now = utcnow()
        row = await LedgerEntry.insert(
            LedgerEntry(
                organisation=partner.id,
                programme=programme["id"],
                kind=values.kind.value,
                points=points,
                note=values.note,
                expires_on=(now.date() + timedelta(days=programme["points_expiry_days"]))
                if values.kind == LedgerKind.bonus
                else None,
                created_by=viewer.user_id,
                source_key=key,
                occurred_at=now,
            )
        ).returning(LedgerEntry.uuid)
        await audit_log.record(
            viewer,
            entity_kind="ledger_entry",
            entity_uuid=row[0]["uuid"],
            organisation_id=partner.id,
            action="create",
            changes={"kind": [None, values.kind.value], "points": [None, str(points)]},
            summary=values.note[:200],
        )
    return SaveResult(uuid=row[0]["uuid"])


async def _programme_input(
    data: Mapping[str, Any],
) -> tuple[dict[str, Any] | None, list[tuple[Decimal, Decimal]], dict[str, str]]:
    """A programme form read: the stored values and the tiers, or the messages by field."""
    errors = forms.Errors()
    name = field_text(data, "name", 120)
    if not name:
        errors.add("name", _("Name the programme."))
    starts_on = inputs.valid(
        errors.messages, "starts_on", inputs.date(data.get("starts_on")), _("Enter the first day.")
    )
    ends_on = inputs.valid(
        errors.messages, "ends_on", inputs.date(data.get("ends_on")), _("Enter the last day.")
    )
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", _("The last day comes after the first."))
    currency = field_text(data, "currency", 3).upper() or "CNY"
    if currency not in forms.currency_codes():
        errors.add("currency", _("Enter a three-letter currency code such as CNY, KRW or USD."))
    points = inputs.valid(
        errors.messages,
        "points_per_hundred",
        inputs.decimal(
            field_text(data, "points_per_hundred", 30), places=2, maximum=forms.MAX_MONEY
        ),
        _("Enter the points per 100, such as 1."),
    )
    expiry = inputs.valid(
        errors.messages,
        "points_expiry_days",
        inputs.quantity(data.get("points_expiry_days"), maximum=3650),
        _("Enter a number of days from 1 to 3650."),
    )
    season_id = None
    season_code = field_text(data, "season", 10).upper()
    if season_code:
        season = await Season.select(Season.id).where(Season.code == season_code).first()
        if season is None:
            errors.add("season", _("No season has this code."))
        else:
            season_id = season["id"]
    tiers = _parse_tiers(
        field_text(data, "tiers", 2000),
        currency if currency in forms.currency_codes() else "CNY",
        errors,
    )
    if not errors.ok or starts_on is None or ends_on is None or points is None or expiry is None:
        return None, [], errors.messages
    stored: dict[str, Any] = {
        "name": name,
        "season": season_id,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "currency": currency,
        "points_per_hundred": points,
        "points_expiry_days": expiry,
    }
    return stored, tiers, {}


def _tier_lines(tiers: list[tuple[Decimal, Decimal]]) -> list[str]:
    return [f"{threshold} {percent}%" for threshold, percent in tiers]


async def create_programme(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """Define a programme: its period (or season), points per 100 delivered, how long
    points last, and the volume tiers ("1000000 2" per line: 2% from 1,000,000)."""
    access.require(viewer, SalesAction.manage_rebates)
    stored, tiers, errors = await _programme_input(data)
    if stored is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        row = await RebateProgramme.insert(
            RebateProgramme(**stored, active=True, version=1)
        ).returning(RebateProgramme.id, RebateProgramme.uuid)
        await _save_tiers(row[0]["id"], tiers)
        await audit_log.record(
            viewer,
            entity_kind="rebate_programme",
            entity_uuid=row[0]["uuid"],
            organisation_id=viewer.organisation_id,
            action="create",
            changes=audit_log.changes_between({}, {**stored, "tiers": _tier_lines(tiers)}),
            summary=stored["name"],
        )
    return SaveResult(uuid=row[0]["uuid"])


async def _save_tiers(programme_id: int, tiers: list[tuple[Decimal, Decimal]]) -> None:
    await RebateTier.delete().where(RebateTier.programme == programme_id)
    if tiers:
        await RebateTier.insert(
            *(
                RebateTier(programme=programme_id, threshold=threshold, percent=percent)
                for threshold, percent in tiers
            )
        ).run()


async def programme(viewer: Viewer, programme_uuid: UUID) -> VisibleRebateProgramme:
    """One programme with its season's code and tiers, for its edit form."""
    found = await get_rebate_programme(viewer, programme_uuid)
    return found.replace(tiers=sorted((await _tiers([found.id])).get(found.id, [])))


def programme_form(programme: ProgrammeSettings) -> dict[str, Any]:
    return {
        "name": programme.name,
        "season": programme.season_code or "",
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "currency": programme.currency,
        "points_per_hundred": format(programme.points_per_hundred.normalize(), "f"),
        "points_expiry_days": str(programme.points_expiry_days),
        "tiers": "\n".join(
            f"{format(threshold.normalize(), 'f')} {format(percent.normalize(), 'f')}"
            for threshold, percent in programme.tiers
        ),
        "version": str(programme.version),
    }


async def update_programme(
    viewer: Viewer, current: VisibleRebateProgramme, data: Mapping[str, Any]
) -> SaveResult:
    """Change a programme's period, rates, term and tiers unless someone saved since the
    form was opened. The ledger keeps what it booked: entries stay on the programme with
    the points, amounts and expiry dates they were booked with; the new rates and tiers
    count from the next run."""
    access.require(viewer, SalesAction.manage_rebates)
    stored, tiers, errors = await _programme_input(data)
    version_errors = forms.Errors()
    opened = forms.parse_version(data, version_errors)
    errors |= version_errors.messages
    if stored is None or errors:
        return SaveResult(errors=errors)
    opened_version = opened if opened is not None else current.version
    async with write_transaction():
        version = await update_if_version(RebateProgramme, current.id, opened_version, stored)
        if version:
            await _save_tiers(current.id, tiers)
            await audit_log.record(
                viewer,
                entity_kind="rebate_programme",
                entity_uuid=current.uuid,
                organisation_id=viewer.organisation_id,
                action="update",
                changes=audit_log.changes_between(
                    {
                        **current.as_dict(),
                        "tiers": _tier_lines(current.tiers),
                        "version": opened_version,
                    },
                    {**stored, "tiers": _tier_lines(tiers), "version": version},
                ),
                summary=stored["name"],
            )
    if not version:
        return SaveResult(
            conflicts=await audit_log.changes_since(current.uuid, opened_version),
            current_version=current.version,
        )
    return SaveResult(uuid=current.uuid)


def _parse_tiers(text: str, currency: str, errors: forms.Errors) -> list[tuple[Decimal, Decimal]]:
    """One tier a line: the amount in the programme's currency, then the percent."""
    tiers = []
    message = _("Write one tier a line: the amount, then the percent.")
    for line in text.splitlines():
        parts = line.replace(",", "").replace("%", " ").split()
        if not parts:
            continue
        threshold = inputs.valid(
            errors.messages, "tiers", inputs.money(parts[0], currency), message
        )
        percent = inputs.valid(
            errors.messages,
            "tiers",
            inputs.decimal(parts[1] if len(parts) > 1 else "", places=2, maximum=Decimal(100)),
            message,
        )
        if threshold is None or percent is None or percent == 0:
            errors.add("tiers", message)
            return []
        tiers.append((inputs.as_written(threshold), inputs.as_written(percent)))
    return sorted(tiers)
