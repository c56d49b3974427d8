"""The opportunity pipeline as the brand reads it: the filtered list (keyset paging), the
kanban board (stored totals, one query for every column's first cards, "Show more" per
column) and one opportunity's page. Saving is sales/opportunities.py; the forecast and
the won/lost analysis sales/forecast.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from piccolo.columns.combination import Combinable, WhereRaw
from piccolo.query.functions.aggregate import Count, Sum

from partner_portal import access, inputs
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import after_position, contains_text
from partner_portal.inputs import field_text
from sales import forms
from sales.access import (
    SalesAction,
    get_opportunity,
    scoped_opportunities,
    scoped_opportunity_totals,
)
from sales.opportunities import draft_starters, owners
from sales.records import OpportunityCard, OpportunityDetail, StageTotal
from sales.tables import CLOSED_STAGES, OPEN_STAGES, Opportunity, OpportunityTotal, Stage

BOARD_CARDS_PER_STAGE = 8
LIST_PAGE_SIZE = 50
LIST_NAME = "sales.opportunities"
# Closed deals show on the board for a while after closing, then only in the list.
BOARD_CLOSED_DAYS = 30


def weighted(value: Decimal, probability: Decimal) -> Decimal:
    return (Decimal(value) * Decimal(probability) / 100).quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------
# Listing


@dataclass(frozen=True)
class OpportunityFilters:
    q: str = ""
    stage: str = ""
    kind: str = ""
    owner: str = ""
    closing_from: str = ""
    closing_to: str = ""
    # Keyset paging: the opportunities after this (close date, id) in the list's order;
    # ``limit`` of them (the API's), else a page of the list.
    after: tuple[date, int] | None = None
    limit: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> OpportunityFilters:
        def get(name: str, limit: int = 60) -> str:
            return field_text(params, name, limit)

        stage = get("stage") if get("stage") in Stage.__members__ else ""
        kind = get("kind") if get("kind") in forms.OpportunityKind.__members__ else ""
        return cls(
            q=get("q", 100),
            stage=stage,
            kind=kind,
            owner=_valid_uuid(get("owner", 40)),
            closing_from=_valid_date(get("closing_from", 10)),
            closing_to=_valid_date(get("closing_to", 10)),
            after=parse_position(Stage.lead, get("after", 60)),
        )

    def query_string(self, after: str = "") -> str:
        """The filters as a query string (what the list remembers), and the position a
        page starts after when given (a "Next" link)."""
        values = {
            "q": self.q,
            "stage": self.stage,
            "kind": self.kind,
            "owner": self.owner,
            "closing_from": self.closing_from,
            "closing_to": self.closing_to,
            "after": after,
        }
        return urlencode({name: value for name, value in values.items() if value})


def _valid_uuid(raw: str) -> str:
    try:
        return str(UUID(raw)) if raw else ""
    except ValueError:
        return ""


def _valid_date(raw: str) -> str:
    parsed = inputs.date(raw)
    return "" if isinstance(parsed, inputs.Invalid) else parsed.isoformat()


CARD_COLUMNS = (
    Opportunity.uuid,
    Opportunity.title,
    Opportunity.kind,
    Opportunity.stage,
    Opportunity.expected_value,
    Opportunity.currency,
    Opportunity.expected_close_date,
    Opportunity.probability,
    Opportunity.next_step,
    Opportunity.closed_at,
    Opportunity.lost_reason,
    Opportunity.version,
    Opportunity.organisation._.uuid.as_alias("partner_uuid"),
    Opportunity.organisation._.legal_name.as_alias("partner_name"),
    Opportunity.organisation._.status.as_alias("partner_status"),
    Opportunity.owner._.display_name.as_alias("owner_name"),
    Opportunity.owner._.uuid.as_alias("owner_uuid"),
)


def _card(row: Mapping[str, Any]) -> OpportunityCard:
    """A card from its row (CARD_COLUMNS and the id), with its weighted value."""
    return OpportunityCard.from_row(
        {**row, "weighted": weighted(row["expected_value"], row["probability"])}
    )


def _filtered(query: Any, filters: OpportunityFilters) -> Any:
    if filters.q:
        query = query.where(
            contains_text(Opportunity.title, filters.q)
            | contains_text(Opportunity.organisation._.legal_name, filters.q)
        )
    if filters.stage:
        query = query.where(Opportunity.stage == filters.stage)
    if filters.kind:
        query = query.where(Opportunity.kind == filters.kind)
    if filters.owner:
        query = query.where(Opportunity.owner._.uuid == UUID(filters.owner))
    if filters.closing_from:
        query = query.where(
            Opportunity.expected_close_date >= date.fromisoformat(filters.closing_from)
        )
    if filters.closing_to:
        query = query.where(
            Opportunity.expected_close_date <= date.fromisoformat(filters.closing_to)
        )
    return query


@dataclass
class OpportunityPage:
    """A page of the list read with ``limit + 1`` rows: the extra one only tells that a
    next page follows."""

    rows: list[OpportunityCard]
    limit: int

    @property
    def shown(self) -> list[OpportunityCard]:
        return self.rows[: self.limit]

    @property
    def has_next(self) -> bool:
        return len(self.rows) > self.limit

    @property
    def next_position(self) -> str:
        """Where the next page starts: after the last row shown."""
        return card_position(Stage.lead, self.shown[-1]) if self.shown else ""


async def list_opportunities(viewer: Viewer, filters: OpportunityFilters) -> OpportunityPage:
    """The opportunities the viewer may see after ``filters.after``, soonest close first:
    ``filters.limit`` of them (the API), else LIST_PAGE_SIZE (the list page), and one more.
    Keyset paging on (close date, id): a page costs the same wherever it starts, and
    nothing counts every opportunity."""
    access.require(viewer, SalesAction.view_opportunities)
    limit = LIST_PAGE_SIZE if filters.limit is None else filters.limit
    query = _filtered(
        scoped_opportunities(Opportunity.select(*CARD_COLUMNS, Opportunity.id), viewer), filters
    )
    order = (Opportunity.expected_close_date, Opportunity.id)
    if filters.after is not None:
        query = query.where(after_position(order, filters.after))
    rows = await query.order_by(*order).limit(limit + 1)
    return OpportunityPage([_card(row) for row in rows], limit)


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[OpportunityCard]
    count: int
    values: dict[str, Decimal] = field(default_factory=dict)  # currency -> total
    # Whether cards follow the last one shown (the column's "Show more").
    more: bool = False

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    @property
    def next_position(self) -> str:
        """Where the column's next cards start: after the last card shown."""
        return card_position(self.stage, self.cards[-1]) if self.cards else ""


def _board_filters(filters: OpportunityFilters) -> OpportunityFilters:
    """What of the list's filters the board applies (every stage is a column)."""
    return OpportunityFilters(
        q=filters.q,
        kind=filters.kind,
        owner=filters.owner,
        closing_from=filters.closing_from,
        closing_to=filters.closing_to,
    )


async def board(viewer: Viewer, filters: OpportunityFilters) -> list[BoardColumn]:
    """The kanban board: a column per stage with its count and value per currency, and the
    first cards by close date (closed deals of the last days only)."""
    access.require(viewer, SalesAction.view_opportunities)
    recent = utcnow() - timedelta(days=BOARD_CLOSED_DAYS)
    board_filters = _board_filters(filters)
    columns = {stage: BoardColumn(stage, [], 0) for stage in Stage}
    for stages in (OPEN_STAGES, CLOSED_STAGES):
        if stages == OPEN_STAGES and board_filters == OpportunityFilters():
            # The open columns of the whole board: the stored totals (a few rows per
            # partner, kept by the database in each change's transaction) rather than a
            # sum over every open opportunity.
            totals = await _stored_totals(viewer, OPEN_STAGES)
        else:
            totals = await _summed_totals(viewer, board_filters, stages, recent)
        for total in totals:
            if not total.count:
                continue
            column = columns[total.stage]
            column.count += total.count
            # To the cent: SQLite sums NUMERIC columns as floats.
            column.values[total.currency] = total.value.quantize(Decimal("0.01"))
    shown = [stage for stage in Stage if columns[stage].count]
    for card in await _first_cards(viewer, board_filters, shown, recent):
        columns[card.stage].cards.append(card)
    for column in columns.values():
        column.more = column.count > len(column.cards)
    return list(columns.values())


async def _summed_totals(
    viewer: Viewer, filters: OpportunityFilters, stages: tuple[Stage, ...], recent: datetime
) -> list[StageTotal]:
    """Count and value per stage and currency of the board's cards in ``stages`` (the open
    ones, or the closed ones of the last days: separate conditions, so each query walks
    its (stage, ...) index), summed over the opportunities."""
    condition: Combinable = Opportunity.stage.is_in([stage.value for stage in stages])
    if stages != OPEN_STAGES:
        condition &= Opportunity.closed_at >= recent
    rows = await _filtered(
        scoped_opportunities(
            Opportunity.select(
                Opportunity.stage,
                Opportunity.currency,
                Count(alias="count"),
                Sum(Opportunity.expected_value, alias="value"),
            ),
            viewer,
        ).where(condition),
        filters,
    ).group_by(Opportunity.stage, Opportunity.currency)
    return StageTotal.from_rows(rows)


# A column's order: open deals soonest close first, closed ones the latest closed first;
# the id makes each position unique (keyset paging: "Show more" starts after a card).
def _column_order(stage: Stage) -> tuple[tuple[Any, Any], bool]:
    if stage in CLOSED_STAGES:
        return (Opportunity.closed_at, Opportunity.id), True
    return (Opportunity.expected_close_date, Opportunity.id), False


def _column_sql(number: int, closed: bool) -> str:
    """One column's first card ids: the viewer's opportunities ({} the query, as ``b``) of
    one stage ({}; closed ones since a time, {}), in the column's order, limited ({}). Each
    column its own conditions, so each walks its own index: open ones (stage, close date),
    closed ones (stage, closed_at)."""
    if closed:
        where, order = "b.stage = {} AND b.closed_at >= {}", "b.closed_at DESC, b.id DESC"
    else:
        where, order = "b.stage = {}", "b.expected_close_date, b.id"
    return (
        f"SELECT id FROM (SELECT b.id FROM ({{}}) b WHERE {where} "
        f"ORDER BY {order} LIMIT {{}}) c{number}"
    )


async def _first_cards(
    viewer: Viewer, filters: OpportunityFilters, stages: list[Stage], recent: datetime
) -> list[OpportunityCard]:
    """The first cards of every column in one statement: per stage the first
    BOARD_CARDS_PER_STAGE of the opportunities the viewer sees (visibility a subquery of
    organisations) in the column's order, joined with UNION ALL; the cards' own columns
    for those ids."""
    if not stages:
        return []
    visible = _filtered(
        scoped_opportunities(
            Opportunity.select(
                Opportunity.id,
                Opportunity.stage,
                Opportunity.expected_close_date,
                Opportunity.closed_at,
            ),
            viewer,
        ),
        filters,
    ).querystrings[0]
    arms, values = [], []
    for number, stage in enumerate(stages):
        closed = stage in CLOSED_STAGES
        arms.append(_column_sql(number, closed))
        values += [visible, stage.value, *([recent] if closed else []), BOARD_CARDS_PER_STAGE]
    cards = await Opportunity.select(*CARD_COLUMNS, Opportunity.id).where(
        WhereRaw(f"sales_opportunity.id IN ({' UNION ALL '.join(arms)})", *values)
    )
    return _in_column_order(cards)


def _in_column_order(rows: list[dict[str, Any]]) -> list[OpportunityCard]:
    """The cards of these rows, open ones soonest close first, then closed ones the
    latest closed first."""
    cards = [_card(row) for row in rows]
    open_cards = sorted(
        (card for card in cards if card.stage not in CLOSED_STAGES),
        key=lambda card: (card.expected_close_date, card.id),
    )
    closed_cards = sorted(
        (card for card in cards if card.stage in CLOSED_STAGES),
        key=lambda card: (card.closed_at, card.id),
        reverse=True,
    )
    return [*open_cards, *closed_cards]


async def more_cards(
    viewer: Viewer, filters: OpportunityFilters, stage: Stage, position: tuple[Any, int]
) -> BoardColumn:
    """A column's next cards after ``position`` (a card's card_position, read back by
    parse_position): the board's "Show more"."""
    access.require(viewer, SalesAction.view_opportunities)
    order, descending = _column_order(stage)
    recent = utcnow() - timedelta(days=BOARD_CLOSED_DAYS)
    query = _filtered(
        scoped_opportunities(Opportunity.select(*CARD_COLUMNS, Opportunity.id), viewer),
        _board_filters(filters),
    ).where(Opportunity.stage == stage.value)
    if stage in CLOSED_STAGES:
        query = query.where(Opportunity.closed_at >= recent)
    rows = await (
        query.where(after_position(order, position, descending=descending))
        .order_by(*order, ascending=not descending)
        .limit(BOARD_CARDS_PER_STAGE + 1)
    )
    cards = _in_column_order(rows)
    return BoardColumn(
        stage,
        cards[:BOARD_CARDS_PER_STAGE],
        count=0,
        more=len(cards) > BOARD_CARDS_PER_STAGE,
    )


def card_position(stage: Stage, card: OpportunityCard) -> str:
    """A card's place in its column, as the "Show more" link names it: its close date (or
    closing time) and id."""
    (first, _id), _descending = _column_order(stage)
    return f"{getattr(card, first._meta.name).isoformat()},{card.id}"


def parse_position(stage: Stage, raw: str) -> tuple[Any, int] | None:
    """The position card_position wrote; None for text it did not write."""
    try:
        moment, number = raw[:60].split(",")
        identifier = int(number)
        if not 0 < identifier < 2**63:  # the database's ids
            return None
        if stage not in CLOSED_STAGES:
            return date.fromisoformat(moment), identifier
        closed_at = datetime.fromisoformat(moment)
        return closed_at.replace(tzinfo=closed_at.tzinfo or UTC), identifier
    except ValueError:
        return None


async def _stored_totals(viewer: Viewer, stages: tuple[Stage, ...]) -> list[StageTotal]:
    """Count and value per stage and currency of the opportunities the viewer sees in
    ``stages``, from the stored totals (OpportunityTotal: per partner, stage and currency,
    kept by triggers on every change of an opportunity)."""
    rows = await (
        scoped_opportunity_totals(
            OpportunityTotal.select(
                OpportunityTotal.stage,
                OpportunityTotal.currency,
                Sum(OpportunityTotal.opportunities, alias="count"),
                Sum(OpportunityTotal.total_value, alias="value"),
            ),
            viewer,
        )
        .where(OpportunityTotal.stage.is_in([stage.value for stage in stages]))
        .group_by(OpportunityTotal.stage, OpportunityTotal.currency)
    )
    return StageTotal.from_rows(rows)


async def opportunity_view(viewer: Viewer, opportunity_uuid: UUID) -> OpportunityDetail:
    """One opportunity with its partner and owner, for its page."""
    opportunity = await get_opportunity(viewer, opportunity_uuid, SalesAction.view_opportunities)
    row = await (
        Opportunity.select(
            *CARD_COLUMNS, Opportunity.id, Opportunity.competitors, Opportunity.draft_link
        )
        .where(Opportunity.id == opportunity.id)
        .first()
    )
    assert row is not None
    return OpportunityDetail.from_row(
        {
            **_card(row).as_dict(),
            "competitors": row["competitors"],
            "draft_link": row["draft_link"],
            "history": await audit_log.entries_for(opportunity.uuid),
            "starters": draft_starters(opportunity.kind) if opportunity.stage == Stage.won else [],
        }
    )


async def filter_choices(viewer: Viewer) -> dict[str, Any]:
    return {
        "stages": list(Stage),
        "kinds": list(forms.OpportunityKind),
        "owners": await owners(),
    }
