"""The opportunity pipeline: opportunities on partners and prospects, stage moves
(recorded on the partner's timeline), the kanban board, the filtered list, the
weighted forecast and the won/lost analysis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar.exceptions import ClientException
from piccolo.query.functions.aggregate import Count, Sum

from partner_portal import access, inputs, messages
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import (
    after_position,
    contains_text,
    update_if_version,
    write_transaction,
)
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from partner_portal.orders import services as order_book
from partner_portal.orders.tables import OrderChannel
from partner_portal.partners import services as partner_services
from partner_portal.partners.tables import Organisation, PartnerStatus, Role, User
from partner_portal.registries import DraftStarter, WonDeal, registry
from sales import forms
from sales.access import (
    SalesAction,
    find_sales_partner,
    get_opportunity,
    sales_partner_filter,
    scoped_opportunities,
    scoped_opportunity_totals,
)
from sales.tables import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Opportunity,
    OpportunityTotal,
    Stage,
    StageProbability,
)

DEFAULT_PROBABILITIES: dict[Stage, Decimal] = {
    Stage.lead: Decimal("10"),
    Stage.qualified: Decimal("25"),
    Stage.proposal: Decimal("50"),
    Stage.negotiation: Decimal("75"),
    Stage.won: Decimal("100"),
    Stage.lost: Decimal("0"),
}
BOARD_CARDS_PER_STAGE = 20
LIST_PAGE_SIZE = 50
LIST_NAME = "sales.opportunities"
# Closed deals show on the board for a while after closing, then only in the list.
BOARD_CLOSED_DAYS = 30
ORDER_DRAFT_KEY = "order_book"
OPPORTUNITY_FIELDS = (
    "title",
    "kind",
    "expected_value",
    "currency",
    "expected_close_date",
    "stage",
    "probability",
    "lost_reason",
    "competitors",
    "next_step",
)


async def stage_probabilities() -> dict[Stage, Decimal]:
    """The default probability of each stage: the brand's own where set, else built in."""
    rows = await StageProbability.select(StageProbability.stage, StageProbability.probability)
    saved = {Stage(row["stage"]): Decimal(row["probability"]) for row in rows}
    return {stage: saved.get(stage, default) for stage, default in DEFAULT_PROBABILITIES.items()}


async def save_stage_probabilities(viewer: Viewer, data: Mapping[str, Any]) -> dict[str, str]:
    """Save the brand's default probabilities of the open stages (brand admin)."""
    access.require(viewer, SalesAction.manage_sales_settings)
    values, errors = forms.parse_probabilities(data)
    if values is None:
        return errors
    async with write_transaction():
        before = await stage_probabilities()
        for stage, probability in values.items():
            updated = (
                await StageProbability.update({StageProbability.probability: probability})
                .where(StageProbability.stage == stage.value)
                .returning(StageProbability.id)
            )
            if not updated:
                await StageProbability.insert(
                    StageProbability(stage=stage.value, probability=probability)
                ).run()
        await audit_log.record(
            viewer,
            entity_kind="stage_probabilities",
            entity_uuid=None,
            organisation_id=viewer.organisation_id,
            action="update",
            changes=audit_log.changes_between(
                {stage.value: value for stage, value in before.items()},
                {stage.value: value for stage, value in values.items()},
            ),
            summary_message=N_("Stage probabilities"),
        )
    return {}


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
    page: int = 1
    # Keyset paging (the API): the opportunities after this (close date, id), ``limit`` of them.
    after: tuple[date, int] | None = None
    limit: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> OpportunityFilters:
        def get(name: str, limit: int = 60) -> str:
            return field_text(params, name, limit)

        stage = get("stage") if get("stage") in Stage.__members__ else ""
        kind = get("kind") if get("kind") in forms.OpportunityKind.__members__ else ""
        try:
            page = max(1, int(get("page", 6) or 1))
        except ValueError:
            page = 1
        return cls(
            q=get("q", 100),
            stage=stage,
            kind=kind,
            owner=_valid_uuid(get("owner", 40)),
            closing_from=_valid_date(get("closing_from", 10)),
            closing_to=_valid_date(get("closing_to", 10)),
            page=page,
        )

    def query_string(self, page: int | None = None) -> str:
        values = {
            "q": self.q,
            "stage": self.stage,
            "kind": self.kind,
            "owner": self.owner,
            "closing_from": self.closing_from,
            "closing_to": self.closing_to,
        }
        pairs = {name: value for name, value in values.items() if value}
        if page and page > 1:
            pairs["page"] = str(page)
        return urlencode(pairs)


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
    Opportunity.organisation.uuid.as_alias("partner_uuid"),  # type: ignore[attr-defined]
    Opportunity.organisation.legal_name.as_alias("partner_name"),  # type: ignore[attr-defined]
    Opportunity.organisation.status.as_alias("partner_status"),  # type: ignore[attr-defined]
    Opportunity.owner.display_name.as_alias("owner_name"),  # type: ignore[attr-defined]
    Opportunity.owner.uuid.as_alias("owner_uuid"),  # type: ignore[attr-defined]
)


def _filtered(query: Any, filters: OpportunityFilters) -> Any:
    if filters.q:
        query = query.where(
            contains_text(Opportunity.title, filters.q)
            | contains_text(Opportunity.organisation.legal_name, filters.q)  # type: ignore[attr-defined]
        )
    if filters.stage:
        query = query.where(Opportunity.stage == filters.stage)
    if filters.kind:
        query = query.where(Opportunity.kind == filters.kind)
    if filters.owner:
        query = query.where(Opportunity.owner.uuid == UUID(filters.owner))  # type: ignore[attr-defined]
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
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


async def list_opportunities(viewer: Viewer, filters: OpportunityFilters) -> OpportunityPage:
    """One page of the opportunities the viewer may see, soonest close first (by number on
    the list page; after ``filters.after`` when ``filters.limit`` is set: the API)."""
    access.require(viewer, SalesAction.view_opportunities)
    if filters.limit is not None:
        return await _keyset_page(viewer, filters, filters.limit)
    count_query = _filtered(scoped_opportunities(Opportunity.count(), viewer), filters)
    total = await count_query
    pages = max(1, -(-total // LIST_PAGE_SIZE))
    page = min(filters.page, pages)
    rows = await (
        _filtered(scoped_opportunities(Opportunity.select(*CARD_COLUMNS), viewer), filters)
        .order_by(Opportunity.expected_close_date)
        .order_by(Opportunity.id)
        .limit(LIST_PAGE_SIZE)
        .offset((page - 1) * LIST_PAGE_SIZE)
    )
    for row in rows:
        row["weighted"] = weighted(row["expected_value"], row["probability"])
    return OpportunityPage(rows, total, page, pages)


async def _keyset_page(viewer: Viewer, filters: OpportunityFilters, limit: int) -> OpportunityPage:
    """The ``limit`` opportunities after ``filters.after`` in the list's order (close date,
    id), and one more, which tells the caller there is a next page (the API's cursor)."""
    query = _filtered(
        scoped_opportunities(Opportunity.select(*CARD_COLUMNS, Opportunity.id), viewer), filters
    )
    order = (Opportunity.expected_close_date, Opportunity.id)
    if filters.after is not None:
        query = query.where(after_position(order, filters.after))
    rows = await query.order_by(*order).limit(limit + 1)
    for row in rows:
        row["weighted"] = weighted(row["expected_value"], row["probability"])
    return OpportunityPage(rows, len(rows), 1, 1)


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[dict[str, Any]]
    count: int
    values: dict[str, Decimal] = field(default_factory=dict)  # currency -> total

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


async def board(viewer: Viewer, filters: OpportunityFilters) -> list[BoardColumn]:
    """The kanban board: a column per stage with its count and value per currency, and the
    first cards by close date (closed deals of the last days only)."""
    access.require(viewer, SalesAction.view_opportunities)
    recent = utcnow() - timedelta(days=BOARD_CLOSED_DAYS)
    board_filters = OpportunityFilters(
        q=filters.q,
        kind=filters.kind,
        owner=filters.owner,
        closing_from=filters.closing_from,
        closing_to=filters.closing_to,
    )

    def on_board(stages: tuple[Stage, ...]) -> Any:
        """Open stages whole; won and lost only for the days after closing (separate
        conditions, so each query walks its (stage, ...) index)."""
        condition = Opportunity.stage.is_in([stage.value for stage in stages])
        return condition if stages == OPEN_STAGES else condition & (Opportunity.closed_at >= recent)

    columns = {stage: BoardColumn(stage, [], 0) for stage in Stage}
    unfiltered = board_filters == OpportunityFilters()
    for stages in (OPEN_STAGES, CLOSED_STAGES):
        if stages == OPEN_STAGES and unfiltered:
            # The open columns of the whole board: the stored totals (a few rows per
            # partner, kept by the database in each change's transaction) rather than a
            # sum over every open opportunity.
            totals = await _stored_totals(viewer, OPEN_STAGES)
        else:
            totals = await _filtered(
                scoped_opportunities(
                    Opportunity.select(
                        Opportunity.stage,
                        Opportunity.currency,
                        Count(alias="count"),
                        Sum(Opportunity.expected_value, alias="value"),
                    ),
                    viewer,
                ).where(on_board(stages)),
                board_filters,
            ).group_by(Opportunity.stage, Opportunity.currency)
        for row in totals:
            if not row["count"]:
                continue
            column = columns[Stage(row["stage"])]
            column.count += row["count"]
            # To the cent: SQLite sums NUMERIC columns as floats.
            column.values[row["currency"]] = _decimal(row["value"]).quantize(Decimal("0.01"))
    # One query per stage keeps each column's first cards cheap on a large pipeline
    # (a fixed eight, whatever the number of opportunities): open ones by close date,
    # closed ones the latest first.
    for stage in Stage:
        if not columns[stage].count:
            continue
        closed = stage in CLOSED_STAGES
        cards = (
            await _filtered(
                scoped_opportunities(Opportunity.select(*CARD_COLUMNS), viewer).where(
                    Opportunity.stage == stage.value,
                    *([Opportunity.closed_at >= recent] if closed else []),
                ),
                board_filters,
            )
            .order_by(
                Opportunity.closed_at if closed else Opportunity.expected_close_date,
                ascending=not closed,
            )
            .limit(BOARD_CARDS_PER_STAGE)
        )
        for card in cards:
            card["weighted"] = weighted(card["expected_value"], card["probability"])
        columns[stage].cards = cards
    return list(columns.values())


async def _stored_totals(viewer: Viewer, stages: tuple[Stage, ...]) -> list[dict[str, Any]]:
    """Count and value per stage and currency of the opportunities the viewer sees in
    ``stages``, from the stored totals (OpportunityTotal: per partner, stage and currency,
    kept by triggers on every change of an opportunity)."""
    return await (  # type: ignore[no-any-return]
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


async def opportunity_view(viewer: Viewer, opportunity_uuid: UUID) -> dict[str, Any]:
    """One opportunity with its partner and owner, for its page."""
    row = await get_opportunity(viewer, opportunity_uuid, SalesAction.view_opportunities)
    card = await (
        Opportunity.select(*CARD_COLUMNS, Opportunity.competitors, Opportunity.draft_link)
        .where(Opportunity.id == row["id"])
        .first()
    )
    assert card is not None
    card["weighted"] = weighted(card["expected_value"], card["probability"])
    card["history"] = await audit_log.entries_for(row["uuid"])
    card["starters"] = draft_starters(card["kind"]) if card["stage"] == Stage.won else []
    return card


async def filter_choices(viewer: Viewer) -> dict[str, Any]:
    return {
        "stages": list(Stage),
        "kinds": list(forms.OpportunityKind),
        "owners": await _owners(),
    }


@access.system_query("the brand's KAMs and admins, as an opportunity's owner")
async def _owners() -> list[dict[str, Any]]:
    return list(
        await User.select(User.id, User.uuid, User.display_name, User.manager)
        .where(User.role.is_in([Role.kam.value, Role.brand_admin.value]), User.is_active == True)  # noqa: E712
        .order_by(User.display_name)
    )


async def form_choices(viewer: Viewer) -> dict[str, Any]:
    partners = await (
        Organisation.select(Organisation.uuid, Organisation.legal_name, Organisation.currency)
        .where(sales_partner_filter(viewer) or (Organisation.id > 0))
        .where(Organisation.kind != "brand")
        .order_by(Organisation.legal_name)
    )
    return {
        "kinds": list(forms.OpportunityKind),
        "partners": partners,
        "owners": await _owners(),
        "partner_kinds": ["distributor", "retailer", "group_client"],
        "probabilities": await stage_probabilities(),
    }


def blank_form(viewer: Viewer) -> dict[str, Any]:
    return {
        "kind": forms.OpportunityKind.new_distributor.value,
        "currency": "CNY",
        "expected_close_date": (utcnow().date() + timedelta(days=60)).isoformat(),
        "owner": str(viewer.user_uuid) if viewer.role == Role.kam else "",
        "prospect_country": "CN",
    }


def form_values(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": row["title"],
        "kind": row["kind"],
        "organisation": str(row["partner_uuid"]),
        "expected_value": str(row["expected_value"]),
        "currency": row["currency"],
        "expected_close_date": row["expected_close_date"].isoformat(),
        "probability": str(row["probability"]),
        "owner": str(row["owner_uuid"] or ""),
        "competitors": row["competitors"],
        "next_step": row["next_step"],
        "version": row["version"],
    }


# ---------------------------------------------------------------------------
# Saving


async def _owner_id(viewer: Viewer, owner_uuid: str) -> tuple[int | None, str | None]:
    if not owner_uuid:
        return (viewer.user_id if viewer.role == Role.kam else None), None
    try:
        wanted = UUID(owner_uuid)
    except ValueError:
        return None, _("Choose the owner from the list.")
    for owner in await _owners():
        if owner["uuid"] == wanted:
            return owner["id"], None
    return None, _("Choose the owner from the list.")


def _snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in (*OPPORTUNITY_FIELDS, "owner")}


@access.system_query("a repeated submit finds its first opportunity by the form's idempotency key")
async def create_opportunity(
    viewer: Viewer, data: Mapping[str, Any], idempotency_key: str = ""
) -> SaveResult:
    """A new opportunity on a visible partner, or on a new prospect organisation created
    through the partner services in the same transaction. A repeated key finds the first."""
    access.require(viewer, SalesAction.manage_opportunities)
    values, errors = forms.parse_opportunity(data)
    if values is None:
        return SaveResult(errors=errors)
    owner_id, owner_problem = await _owner_id(viewer, values.owner)
    if owner_problem:
        return SaveResult(errors={"owner": owner_problem})
    partner = None
    if values.organisation:
        partner = await find_sales_partner(viewer, values.organisation)
        if partner is None:
            return SaveResult(errors={"organisation": _("Choose the partner from the list.")})
    key = idempotency_key[:80] or None
    probabilities = await stage_probabilities()
    async with write_transaction():
        if key:
            earlier = (
                await Opportunity.select(Opportunity.uuid)
                .where(Opportunity.idempotency_key == key)
                .first()
            )
            if earlier:
                return SaveResult(uuid=earlier["uuid"])
        if partner is None:
            partner, errors = await _create_prospect(viewer, values, owner_id)
            if partner is None:
                return SaveResult(errors=errors)
        now = utcnow()
        stored: dict[str, Any] = {
            "title": values.title,
            "kind": values.kind,
            "expected_value": values.expected_value,
            "currency": values.currency,
            "expected_close_date": values.expected_close_date,
            "stage": Stage.lead.value,
            "probability": values.probability
            if values.probability is not None
            else probabilities[Stage.lead],
            "lost_reason": "",
            "competitors": values.competitors,
            "next_step": values.next_step,
        }
        row = await Opportunity.insert(
            Opportunity(
                **stored,
                organisation=partner["id"],
                owner=owner_id,
                created_by=viewer.user_id,
                idempotency_key=key,
                created_at=now,
                updated_at=now,
                version=1,
            )
        ).returning(Opportunity.uuid)
        await audit_log.record(
            viewer,
            entity_kind="opportunity",
            entity_uuid=row[0]["uuid"],
            organisation_id=partner["id"],
            action="create",
            changes=audit_log.changes_between({}, {**stored, "owner": owner_id}),
            summary=values.title,
        )
    return SaveResult(uuid=row[0]["uuid"])


@access.checked_by_caller("the prospect it has just created")
async def _create_prospect(
    viewer: Viewer, values: forms.OpportunityInput, owner_id: int | None
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    owner_uuid = ""
    if owner_id is not None:
        owner = await User.select(User.uuid).where(User.id == owner_id).first()
        owner_uuid = str(owner["uuid"]) if owner else ""
    result = await partner_services.create_organisation(
        viewer,
        {
            "legal_name": values.prospect_name,
            "kind": values.prospect_kind,
            "country": values.prospect_country,
            "currency": values.currency,
            "status": PartnerStatus.prospect.value,
            "owner": owner_uuid,
        },
    )
    if not result.saved:
        # The partner form's messages, shown beside the prospect's name.
        message = " ".join(result.errors.values())
        return None, {"prospect_name": message}
    partner = (
        await Organisation.select(Organisation.id, Organisation.uuid)
        .where(Organisation.uuid == result.uuid)
        .first()
    )
    return partner, {}


@access.checked_by_caller("the opportunity comes from get_opportunity")
async def update_opportunity(
    viewer: Viewer, opportunity: Mapping[str, Any], data: Mapping[str, Any]
) -> SaveResult:
    """Save the edit form unless someone saved since it was opened (then: what changed)."""
    access.require(viewer, SalesAction.manage_opportunities, opportunity["organisation"])
    values, errors = forms.parse_opportunity({**data, "organisation": "-"})
    if values is None:
        return SaveResult(errors=errors)
    owner_id, owner_problem = await _owner_id(viewer, values.owner)
    if owner_problem:
        return SaveResult(errors={"owner": owner_problem})
    opened_version = values.version if values.version is not None else opportunity["version"]
    changed = {
        "title": values.title,
        "kind": values.kind,
        "expected_value": values.expected_value,
        "currency": values.currency,
        "expected_close_date": values.expected_close_date,
        "probability": values.probability
        if values.probability is not None
        else opportunity["probability"],
        "competitors": values.competitors,
        "next_step": values.next_step,
        "owner": owner_id,
    }
    async with write_transaction():
        before = (
            await Opportunity.select(*Opportunity.all_columns())
            .where(Opportunity.id == opportunity["id"])
            .first()
        )
        assert before is not None
        version = await update_if_version(
            Opportunity,
            opportunity["id"],
            opened_version,
            {**changed, "updated_at": utcnow()},
        )
        if version:
            await audit_log.record(
                viewer,
                entity_kind="opportunity",
                entity_uuid=opportunity["uuid"],
                organisation_id=opportunity["organisation"],
                action="update",
                changes=audit_log.changes_between(
                    {**_snapshot(before), "version": opened_version},
                    {**changed, "version": version},
                ),
                summary=values.title,
            )
    if not version:
        return SaveResult(
            conflicts=await audit_log.changes_since(opportunity["uuid"], opened_version),
            current_version=before["version"],
        )
    return SaveResult(uuid=opportunity["uuid"])


STAGE_MOVED = N_("Opportunity “%(title)s” moved from %(before)s to %(after)s.")
MOVED_TO_LOST = N_(
    "Opportunity “%(title)s” moved from %(before)s to %(after)s. Lost because: %(reason)s"
)


async def move_opportunity(
    viewer: Viewer, opportunity: Mapping[str, Any], data: Mapping[str, Any]
) -> SaveResult:
    """Move to another stage: the stage's default probability, the close time for won and
    lost, an entry on the partner's timeline. A stale version moves nothing; moving to the
    stage it is already in (a double click) changes nothing."""
    access.require(viewer, SalesAction.manage_opportunities, opportunity["organisation"])
    values, errors = forms.parse_move(data)
    if values is None:
        return SaveResult(errors=errors)
    if values.stage == opportunity["stage"]:
        return SaveResult(uuid=opportunity["uuid"])
    opened_version = values.version if values.version is not None else opportunity["version"]
    probability = (await stage_probabilities())[values.stage]
    now = utcnow()
    changed = {
        "stage": values.stage.value,
        "probability": probability,
        "closed_at": now if values.stage in CLOSED_STAGES else None,
        "lost_reason": values.lost_reason if values.stage == Stage.lost else "",
    }
    async with write_transaction():
        version = await update_if_version(
            Opportunity, opportunity["id"], opened_version, {**changed, "updated_at": now}
        )
        if version:
            await audit_log.record(
                viewer,
                entity_kind="opportunity",
                entity_uuid=opportunity["uuid"],
                organisation_id=opportunity["organisation"],
                action="move",
                changes=audit_log.changes_between(
                    {**{name: opportunity[name] for name in changed}, "version": opened_version},
                    {**changed, "version": version},
                ),
                summary=opportunity["title"],
            )
            params = {
                "title": opportunity["title"],
                "before": messages.label(opportunity["stage"]),
                "after": messages.label(values.stage),
            }
            lost = values.stage == Stage.lost
            # The kernel's timeline service, inside this transaction (nested: one commit).
            await partner_services.add_worded_note(
                viewer,
                opportunity["organisation"],
                MOVED_TO_LOST if lost else STAGE_MOVED,
                {**params, "reason": values.lost_reason} if lost else params,
                internal=True,
            )
    if not version:
        return SaveResult(
            conflicts=await audit_log.changes_since(opportunity["uuid"], opened_version),
            current_version=opportunity["version"],
        )
    return SaveResult(uuid=opportunity["uuid"])


# ---------------------------------------------------------------------------
# Won deals start drafts


ORDER_DRAFT = DraftStarter(
    key=ORDER_DRAFT_KEY,
    title=N_("Order draft"),
    start=lambda viewer, deal: _order_draft(viewer, deal),
)


def draft_starters(kind: str) -> list[DraftStarter]:
    """What a won opportunity of this kind can start: an order draft in the order book,
    and whatever modules registered (a group-order campaign for a uniform tender)."""
    starters = [ORDER_DRAFT, *registry.draft_starters.values()]
    return [starter for starter in starters if not starter.kinds or kind in starter.kinds]


async def _order_draft(viewer: Viewer, deal: WonDeal) -> str:
    result = await order_book.create_draft(
        viewer,
        order_book.OrderDraft(
            buyer_id=deal.organisation_id,
            channel=OrderChannel.rep_entered,
            lines=[],
            notes=deal.title,
        ),
    )
    if not result.saved:
        raise ClientException(" ".join(result.errors.values()))
    return f"/orders/{result.uuid}"


@access.checked_by_caller("the opportunity comes from get_opportunity")
async def start_draft(viewer: Viewer, opportunity: Mapping[str, Any], starter_key: str) -> str:
    """Start the chosen draft for a won opportunity once; the link is kept on the
    opportunity, so a second click opens the same draft."""
    access.require(viewer, SalesAction.manage_opportunities, opportunity["organisation"])
    if opportunity["stage"] != Stage.won:
        raise ClientException(_("Only a won opportunity starts a draft."))
    if opportunity["draft_link"]:
        return str(opportunity["draft_link"])
    starter = {item.key: item for item in draft_starters(opportunity["kind"])}.get(starter_key)
    if starter is None:
        raise ClientException(_("Choose what to start from the list."))
    deal = WonDeal(
        opportunity_uuid=opportunity["uuid"],
        organisation_id=opportunity["organisation"],
        title=opportunity["title"],
        kind=opportunity["kind"],
        expected_value=Decimal(opportunity["expected_value"]),
        currency=opportunity["currency"],
    )
    async with write_transaction():
        claimed = (
            await Opportunity.update({Opportunity.draft_link: "…"})
            .where(Opportunity.id == opportunity["id"], Opportunity.draft_link == "")
            .returning(Opportunity.id)
        )
        if not claimed:
            current = (
                await Opportunity.select(Opportunity.draft_link)
                .where(Opportunity.id == opportunity["id"])
                .first()
            )
            return str(current["draft_link"]) if current else ""
        link = await starter.start(viewer, deal)
        await Opportunity.update({Opportunity.draft_link: link}).where(
            Opportunity.id == opportunity["id"]
        )
        await audit_log.record(
            viewer,
            entity_kind="opportunity",
            entity_uuid=opportunity["uuid"],
            organisation_id=opportunity["organisation"],
            action="start_draft",
            changes={"draft_link": ["", link]},
            summary=opportunity["title"],
        )
    return link


# ---------------------------------------------------------------------------
# Forecast and analysis


@dataclass
class ForecastCell:
    count: int = 0
    value: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")

    def add(self, value: Decimal, probability: Decimal, count: int = 1) -> None:
        self.count += count
        self.value += Decimal(value)
        self.weighted += weighted(value, probability)


@dataclass
class Forecast:
    months: list[str]
    currencies: list[str]
    # (currency, month) -> cell; (currency, owner name, month); (currency, team name, month)
    by_month: dict[tuple[str, str], ForecastCell]
    by_owner: dict[tuple[str, str, str], ForecastCell]
    by_team: dict[tuple[str, str, str], ForecastCell]
    owners: list[str]
    teams: list[str]

    def cell(self, table: dict[Any, ForecastCell], *key: str) -> ForecastCell:
        return table.get(key, ForecastCell())


# Month as "YYYY-MM" from the ISO text of the date, the same on SQLite and PostgreSQL.
_FORECAST_SQL = """
SELECT q.currency, q.probability, q.owner,
       SUBSTR(CAST(q.expected_close_date AS TEXT), 1, 7) AS month,
       COUNT(*) AS count, SUM(q.expected_value) AS value
FROM ({}) q
GROUP BY q.currency, q.probability, q.owner, SUBSTR(CAST(q.expected_close_date AS TEXT), 1, 7)
"""


def _decimal(number: Any) -> Decimal:
    """A number from raw SQL as a Decimal (SQLite answers int or float)."""
    return Decimal(str(number or 0))


async def forecast(viewer: Viewer, months: int = 6) -> Forecast:
    """Weighted value (expected value × probability) of open opportunities by the month they
    are expected to close, per currency, per KAM and per team (the KAM's manager's team);
    anything overdue counts in the current month."""
    access.require(viewer, SalesAction.view_opportunities)
    today = utcnow().date()
    first = today.replace(day=1)
    month_keys = [_month(first, offset) for offset in range(months)]
    horizon = date.fromisoformat(f"{_month(first, months)}-01")
    # Summed in the database by month, owner, currency and probability (a few hundred
    # groups however many opportunities), the access-scoped query wrapped in SQL.
    inner = scoped_opportunities(
        Opportunity.select(
            Opportunity.currency,
            Opportunity.probability,
            Opportunity.owner,
            Opportunity.expected_close_date,
            Opportunity.expected_value,
        ),
        viewer,
    ).where(
        Opportunity.stage.is_in([stage.value for stage in OPEN_STAGES]),
        Opportunity.expected_close_date < horizon,
    )
    rows = await Opportunity.raw(_FORECAST_SQL, inner.querystrings[0])
    names, managers = await _owner_names()
    by_month: dict[tuple[str, str], ForecastCell] = defaultdict(ForecastCell)
    by_owner: dict[tuple[str, str, str], ForecastCell] = defaultdict(ForecastCell)
    by_team: dict[tuple[str, str, str], ForecastCell] = defaultdict(ForecastCell)
    unassigned = _("Unassigned")
    this_month = first.strftime("%Y-%m")
    for row in rows:
        month = max(row["month"], this_month)
        currency = row["currency"]
        owner = names.get(row["owner"], unassigned)
        team = managers.get(row["owner"]) or owner
        for table, key in (
            (by_month, (currency, month)),
            (by_owner, (currency, owner, month)),
            (by_team, (currency, team, month)),
            (by_month, (currency, "total")),
            (by_owner, (currency, owner, "total")),
            (by_team, (currency, team, "total")),
        ):
            table[key].add(  # type: ignore[index]
                _decimal(row["value"]), _decimal(row["probability"]), row["count"]
            )
    return Forecast(
        months=month_keys,
        currencies=sorted({key[0] for key in by_month}),
        by_month=dict(by_month),
        by_owner=dict(by_owner),
        by_team=dict(by_team),
        owners=sorted({key[1] for key in by_owner}),
        teams=sorted({key[1] for key in by_team}),
    )


@access.system_query("the brand's users' names, for the pipeline's owners")
async def _owner_names() -> tuple[dict[int, str], dict[int, str]]:
    """Every brand user's name, and the name of their manager (their team), by user id:
    the sums are grouped by owner id in the database and named here."""
    rows = await User.select(
        User.id,
        User.display_name,
        User.manager.display_name.as_alias("manager_name"),  # type: ignore[attr-defined]
    ).where(User.role.is_in([Role.kam.value, Role.brand_admin.value]))
    return (
        {row["id"]: row["display_name"] for row in rows},
        {row["id"]: row["manager_name"] for row in rows if row["manager_name"]},
    )


def _month(first: date, offset: int) -> str:
    month_index = first.month - 1 + offset
    return date(first.year + month_index // 12, month_index % 12 + 1, 1).strftime("%Y-%m")


@dataclass
class Outcome:
    won: int = 0
    lost: int = 0
    won_value: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    lost_value: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return (Decimal(self.won * 100) / closed).quantize(Decimal("0.1")) if closed else None


@dataclass
class Analysis:
    since: date
    overall: Outcome
    by_kind: dict[str, Outcome]
    by_owner: dict[str, Outcome]
    lost_reasons: list[tuple[str, int]]


async def won_lost_analysis(viewer: Viewer, days: int = 365) -> Analysis:
    """Opportunities closed in the last ``days``: win rate and values overall, per kind and
    per KAM, and the most frequent reasons for losing."""
    access.require(viewer, SalesAction.view_opportunities)
    since = utcnow() - timedelta(days=days)
    # Lost reasons are free text: grouped as typed, so the same words count together.
    rows = (
        await scoped_opportunities(
            Opportunity.select(
                Opportunity.stage,
                Opportunity.kind,
                Opportunity.currency,
                Opportunity.lost_reason,
                Opportunity.owner,
                Count(alias="count"),
                Sum(Opportunity.expected_value, alias="value"),
            ),
            viewer,
        )
        .where(
            Opportunity.stage.is_in([stage.value for stage in CLOSED_STAGES]),
            Opportunity.closed_at >= since,
        )
        .group_by(
            Opportunity.stage,
            Opportunity.kind,
            Opportunity.currency,
            Opportunity.lost_reason,
            Opportunity.owner,
        )
    )
    names, _managers = await _owner_names()
    overall = Outcome()
    by_kind: dict[str, Outcome] = defaultdict(Outcome)
    by_owner: dict[str, Outcome] = defaultdict(Outcome)
    reasons: dict[str, int] = defaultdict(int)
    unassigned = _("Unassigned")
    for row in rows:
        value = Decimal(row["value"] or 0)
        for outcome in (
            overall,
            by_kind[row["kind"]],
            by_owner[names.get(row["owner"], unassigned)],
        ):
            if row["stage"] == Stage.won:
                outcome.won += row["count"]
                outcome.won_value[row["currency"]] += value
            else:
                outcome.lost += row["count"]
                outcome.lost_value[row["currency"]] += value
        if row["stage"] == Stage.lost:
            reasons[row["lost_reason"].strip()[:80]] += row["count"]
    return Analysis(
        since=since.date(),
        overall=overall,
        by_kind=dict(sorted(by_kind.items())),
        by_owner=dict(sorted(by_owner.items())),
        lost_reasons=sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:10],
    )
