"""Opportunities on partners and prospects: creating and editing them, stage moves (with
the brand's default probability of each stage, recorded on the partner's timeline), and
the drafts a won deal starts. The list and board are sales/pipeline.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException

from partner_portal import access, messages
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.orders import services as order_book
from partner_portal.orders.tables import OrderChannel
from partner_portal.partners import picker
from partner_portal.partners import services as partner_services
from partner_portal.partners.tables import Organisation, PartnerStatus, Role, User
from partner_portal.registries import DraftStarter, WonDeal, registry
from sales import forms
from sales.access import SalesAction, VisibleOpportunity, find_sales_partner
from sales.records import Colleague, OpportunityDetail, OpportunityRecord
from sales.tables import CLOSED_STAGES, Opportunity, Stage, StageProbability

DEFAULT_PROBABILITIES: dict[Stage, Decimal] = {
    Stage.lead: Decimal("10"),
    Stage.qualified: Decimal("25"),
    Stage.proposal: Decimal("50"),
    Stage.negotiation: Decimal("75"),
    Stage.won: Decimal("100"),
    Stage.lost: Decimal("0"),
}
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


@access.system_query("the brand's KAMs and admins, as an opportunity's owner")
async def owners() -> list[Colleague]:
    return Colleague.from_rows(
        await User.select(User.id, User.uuid, User.display_name)
        .where(User.role.is_in([Role.kam.value, Role.brand_admin.value]), User.is_active == True)  # noqa: E712
        .order_by(User.display_name)
    )


async def form_choices(viewer: Viewer, chosen: object = "", query: str = "") -> dict[str, Any]:
    """The opportunity form's choices; ``chosen`` and ``query``: the partner the form names
    and the text typed to find one (the partner picker, partners/picker.py)."""
    return {
        "kinds": list(forms.OpportunityKind),
        "partner_picker": await picker.partner_picker(viewer, chosen, query),
        "owners": await owners(),
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


def form_values(opportunity: OpportunityDetail) -> dict[str, Any]:
    return {
        "title": opportunity.title,
        "kind": opportunity.kind,
        "organisation": str(opportunity.partner_uuid),
        "expected_value": str(opportunity.expected_value),
        "currency": opportunity.currency,
        "expected_close_date": opportunity.expected_close_date.isoformat(),
        "probability": str(opportunity.probability),
        "owner": str(opportunity.owner_uuid or ""),
        "competitors": opportunity.competitors,
        "next_step": opportunity.next_step,
        "version": opportunity.version,
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
    for owner in await owners():
        if owner.uuid == wanted:
            return owner.id, None
    return None, _("Choose the owner from the list.")


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
    organisation_id = None
    if values.organisation:
        partner = await find_sales_partner(viewer, values.organisation)
        if partner is None:
            return SaveResult(errors={"organisation": _("Choose the partner from the list.")})
        organisation_id = partner.id
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
        if organisation_id is None:
            organisation_id, errors = await _create_prospect(viewer, values, owner_id)
            if organisation_id is None:
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
                organisation=organisation_id,
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
            organisation_id=organisation_id,
            action="create",
            changes=audit_log.changes_between({}, {**stored, "owner": owner_id}),
            summary=values.title,
        )
    return SaveResult(uuid=row[0]["uuid"])


@access.checked_by_caller("the prospect it has just created")
async def _create_prospect(
    viewer: Viewer, values: forms.OpportunityInput, owner_id: int | None
) -> tuple[int | None, dict[str, str]]:
    """The id of a new prospect organisation, or why the partner services refused it."""
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
    prospect = (
        await Organisation.select(Organisation.id).where(Organisation.uuid == result.uuid).first()
    )
    return (None if prospect is None else prospect["id"]), {}


async def update_opportunity(
    viewer: Viewer, opportunity: VisibleOpportunity, data: Mapping[str, Any]
) -> SaveResult:
    """Save the edit form unless someone saved since it was opened (then: what changed)."""
    access.require(viewer, SalesAction.manage_opportunities, opportunity.organisation)
    values, errors = forms.parse_opportunity({**data, "organisation": "-"})
    if values is None:
        return SaveResult(errors=errors)
    owner_id, owner_problem = await _owner_id(viewer, values.owner)
    if owner_problem:
        return SaveResult(errors={"owner": owner_problem})
    opened_version = values.version if values.version is not None else opportunity.version
    changed = {
        "title": values.title,
        "kind": values.kind,
        "expected_value": values.expected_value,
        "currency": values.currency,
        "expected_close_date": values.expected_close_date,
        "probability": values.probability
        if values.probability is not None
        else opportunity.probability,
        "competitors": values.competitors,
        "next_step": values.next_step,
        "owner": owner_id,
    }
    async with write_transaction():
        before_row = (
            await Opportunity.select(*Opportunity.all_columns())
            .where(Opportunity.id == opportunity.id)
            .first()
        )
        assert before_row is not None
        before = OpportunityRecord.from_row(before_row)
        version = await update_if_version(
            Opportunity,
            opportunity.id,
            opened_version,
            {**changed, "updated_at": utcnow()},
        )
        if version:
            await audit_log.record(
                viewer,
                entity_kind="opportunity",
                entity_uuid=opportunity.uuid,
                organisation_id=opportunity.organisation,
                action="update",
                changes=audit_log.changes_between(
                    {**before.as_dict(), "version": opened_version},
                    {**changed, "version": version},
                ),
                summary=values.title,
            )
    if not version:
        return SaveResult(
            conflicts=await audit_log.changes_since(opportunity.uuid, opened_version),
            current_version=before.version,
        )
    return SaveResult(uuid=opportunity.uuid)


STAGE_MOVED = N_("Opportunity “%(title)s” moved from %(before)s to %(after)s.")
MOVED_TO_LOST = N_(
    "Opportunity “%(title)s” moved from %(before)s to %(after)s. Lost because: %(reason)s"
)


async def move_opportunity(
    viewer: Viewer, opportunity: VisibleOpportunity, data: Mapping[str, Any]
) -> SaveResult:
    """Move to another stage: the stage's default probability, the close time for won and
    lost, an entry on the partner's timeline. A stale version moves nothing; moving to the
    stage it is already in (a double click) changes nothing."""
    access.require(viewer, SalesAction.manage_opportunities, opportunity.organisation)
    values, errors = forms.parse_move(data)
    if values is None:
        return SaveResult(errors=errors)
    if values.stage == opportunity.stage:
        return SaveResult(uuid=opportunity.uuid)
    opened_version = values.version if values.version is not None else opportunity.version
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
            Opportunity, opportunity.id, opened_version, {**changed, "updated_at": now}
        )
        if version:
            await audit_log.record(
                viewer,
                entity_kind="opportunity",
                entity_uuid=opportunity.uuid,
                organisation_id=opportunity.organisation,
                action="move",
                changes=audit_log.changes_between(
                    {**opportunity.as_dict(), "version": opened_version},
                    {**changed, "version": version},
                ),
                summary=opportunity.title,
            )
            params = {
                "title": opportunity.title,
                "before": messages.label(opportunity.stage),
                "after": messages.label(values.stage),
            }
            lost = values.stage == Stage.lost
            # The kernel's timeline service, inside this transaction (nested: one commit).
            await partner_services.add_worded_note(
                viewer,
                opportunity.organisation,
                MOVED_TO_LOST if lost else STAGE_MOVED,
                {**params, "reason": values.lost_reason} if lost else params,
                internal=True,
            )
    if not version:
        return SaveResult(
            conflicts=await audit_log.changes_since(opportunity.uuid, opened_version),
            current_version=opportunity.version,
        )
    return SaveResult(uuid=opportunity.uuid)


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


async def start_draft(viewer: Viewer, opportunity: VisibleOpportunity, starter_key: str) -> str:
    """Start the chosen draft for a won opportunity once; the link is kept on the
    opportunity, so a second click opens the same draft."""
    access.require(viewer, SalesAction.manage_opportunities, opportunity.organisation)
    if opportunity.stage != Stage.won:
        raise ClientException(_("Only a won opportunity starts a draft."))
    if opportunity.draft_link:
        return opportunity.draft_link
    starter = {item.key: item for item in draft_starters(opportunity.kind)}.get(starter_key)
    if starter is None:
        raise ClientException(_("Choose what to start from the list."))
    deal = WonDeal(
        opportunity_uuid=opportunity.uuid,
        organisation_id=opportunity.organisation,
        title=opportunity.title,
        kind=opportunity.kind,
        expected_value=opportunity.expected_value,
        currency=opportunity.currency,
    )
    async with write_transaction():
        claimed = (
            await Opportunity.update({Opportunity.draft_link: "…"})
            .where(Opportunity.id == opportunity.id, Opportunity.draft_link == "")
            .returning(Opportunity.id)
        )
        if not claimed:
            current = (
                await Opportunity.select(Opportunity.draft_link)
                .where(Opportunity.id == opportunity.id)
                .first()
            )
            return str(current["draft_link"]) if current else ""
        link = await starter.start(viewer, deal)
        await Opportunity.update({Opportunity.draft_link: link}).where(
            Opportunity.id == opportunity.id
        )
        await audit_log.record(
            viewer,
            entity_kind="opportunity",
            entity_uuid=opportunity.uuid,
            organisation_id=opportunity.organisation,
            action="start_draft",
            changes={"draft_link": ["", link]},
            summary=opportunity.title,
        )
    return link
