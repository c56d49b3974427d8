"""Group-order campaigns: creating and editing them, their client and allotments, closing.

A campaign belongs to a corporate client (a group_client organisation); who sees it is
decided in group_orders/access.py (group_campaign_filter). Employees have no account:
their personal link (group_orders.links) opens their own choices and nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from group_orders import events, forms
from group_orders.access import GroupOrderAction, VisibleCampaign, scoped_group
from group_orders.records import CampaignClient, CampaignRecord, CampaignSummary
from group_orders.tables import (
    Campaign,
    CampaignStatus,
    CategoryAllotment,
    Choice,
    Employee,
    PriceSource,
)
from partner_portal import access
from partner_portal.access import Viewer, VisibleOrganisationDetails
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import after_position, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.partners.tables import Organisation, OrganisationKind
from partner_portal.registries import registry

ENTITY = "group_campaign"


@access.checked_by_caller(
    "the campaign of a row its caller fetched through access or a signed link"
)
async def campaign_by_id(campaign_id: int) -> CampaignRecord:
    row = await Campaign.select(*Campaign.all_columns()).where(Campaign.id == campaign_id).first()
    assert row is not None
    return CampaignRecord.from_row(row)


def is_collecting(campaign: CampaignRecord, today: date) -> bool:
    """Whether employees may still choose: open, and between its opening and closing dates."""
    return bool(
        campaign.status == CampaignStatus.open and campaign.opens_on <= today <= campaign.closes_on
    )


def today() -> date:
    return utcnow().date()


async def list_campaigns(
    viewer: Viewer, after: tuple[date, int] | None = None, limit: int | None = None
) -> list[CampaignSummary]:
    """Campaigns the viewer may see, the latest closing first, with roster and response
    counts (two queries whatever the number of campaigns); for the API, ``limit`` of them
    after the position (closing date, id) ``after`` (its cursor)."""
    access.require(viewer, GroupOrderAction.view_group_campaigns)
    query = scoped_group(
        Campaign.select(
            *Campaign.all_columns(),
            Campaign.organisation._.legal_name.as_alias("client_name"),
        ),
        viewer,
        Campaign.organisation,
    )
    order = (Campaign.closes_on, Campaign.id)
    if after is not None:
        query = query.where(after_position(order, after, descending=True))
    if limit is not None:
        query = query.limit(limit)
    return await _with_counts(
        CampaignSummary.from_rows(await query.order_by(*order, ascending=False))
    )


async def _with_counts(campaigns: Sequence[CampaignSummary]) -> list[CampaignSummary]:
    """The campaigns with their roster and response counts filled in (one query)."""
    counts = await roster_counts([campaign.id for campaign in campaigns])
    summaries = []
    for campaign in campaigns:
        roster, responded = counts.get(campaign.id, (0, 0))
        summaries.append(campaign.replace(roster=roster, responded=responded))
    return summaries


@access.checked_by_caller("campaigns its callers found through scoped_group")
async def roster_counts(campaign_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    if not campaign_ids:
        return {}
    rows = await Employee.select(Employee.campaign, Employee.responded_at).where(
        Employee.campaign.is_in(list(campaign_ids))
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        counts[row["campaign"]][0] += 1
        counts[row["campaign"]][1] += row["responded_at"] is not None
    return {key: (value[0], value[1]) for key, value in counts.items()}


async def client_choices(viewer: Viewer) -> list[CampaignClient]:
    """The corporate clients the viewer may run a campaign for."""
    access.require(viewer, GroupOrderAction.manage_group_campaigns)
    query = access.scoped(
        Organisation.select(
            Organisation.uuid, Organisation.legal_name, Organisation.id, Organisation.currency
        ),
        viewer,
    ).where(Organisation.kind == OrganisationKind.group_client)
    return CampaignClient.from_rows(await query.order_by(Organisation.legal_name))


def _campaign_values(values: forms.CampaignInput) -> dict[Any, Any]:
    return {
        Campaign.name: values.name,
        Campaign.entitlement: values.entitlement.value,
        Campaign.allowance: values.allowance,
        Campaign.over_allowance: values.over_allowance.value,
        Campaign.opens_on: values.opens_on,
        Campaign.closes_on: values.closes_on,
        Campaign.delivery_mode: values.delivery_mode.value,
        Campaign.ship_to: values.ship_to,
        Campaign.tipping_point: values.tipping_point,
        Campaign.second_approval_above: values.second_approval_above,
        Campaign.notes: values.notes,
        Campaign.price_source: values.price_source.value,
        Campaign.reminder_days: values.reminder_days,
    }


async def _contract_values(
    organisation_id: int, currency: str, source: PriceSource
) -> tuple[dict[Any, Any], dict[str, str]]:
    """The campaign's contract columns: with prices from the contract, the discount of the
    client's contract in force, read through the kernel's terms registry (its tier's price
    list is already the client's); refused when no contract is in force."""
    if source != PriceSource.contract:
        return {Campaign.contract_discount_percent: None, Campaign.contract_uuid: None}, {}
    terms = await registry.terms_for(organisation_id)
    if terms is None:
        message = _("The client has no contract in force; take the prices from the price list.")
        return {}, {"price_source": message}
    if terms.currency and terms.currency != currency:
        message = _(
            "The contract is in %(contract)s but the client buys in %(currency)s.",
            contract=terms.currency,
            currency=currency,
        )
        return {}, {"price_source": message}
    return {
        Campaign.contract_discount_percent: terms.discount_percent or Decimal("0"),
        Campaign.contract_uuid: terms.contract_uuid,
    }, {}


@access.checked_by_caller("the campaign comes from get_campaign")
async def _repriced_after_choices(
    campaign: CampaignRecord, source: PriceSource, contract: Mapping[Any, Any]
) -> bool:
    """Whether the new settings change the campaign's prices although people have already
    chosen (their choices keep the prices they were shown)."""
    same = (
        source == campaign.price_source
        and contract[Campaign.contract_discount_percent] == campaign.contract_discount_percent
    )
    if same:
        return False
    return bool(await Choice.exists().where(Choice.employee._.campaign == campaign.id))


@access.checked_by_caller("the campaign comes from get_campaign or an employee's signed link")
async def category_allotments(campaign_id: int) -> dict[str, int]:
    """category -> pieces per person of that category, for one campaign."""
    rows = await CategoryAllotment.select(
        CategoryAllotment.category, CategoryAllotment.allotment
    ).where(CategoryAllotment.campaign == campaign_id)
    return {row["category"]: row["allotment"] for row in rows}


@access.checked_by_caller("the campaign its caller created or fetched with get_campaign")
async def _save_category_allotments(
    campaign_id: int, organisation_id: int, allotments: Mapping[str, int]
) -> None:
    await CategoryAllotment.delete().where(CategoryAllotment.campaign == campaign_id)
    if allotments:
        await CategoryAllotment.insert(
            *(
                CategoryAllotment(
                    campaign=campaign_id,
                    organisation=organisation_id,
                    category=category,
                    allotment=allotment,
                )
                for category, allotment in sorted(allotments.items())
            )
        ).run()


async def create_campaign(viewer: Viewer, data: Mapping[str, str]) -> SaveResult:
    """A new open campaign for a corporate client the viewer may run campaigns for."""
    access.require(viewer, GroupOrderAction.manage_group_campaigns)
    clients = await client_choices(viewer)
    wanted = (data.get("organisation") or "").strip()
    client = next((row for row in clients if str(row.uuid) == wanted), None)
    if client is None and len(clients) == 1 and not viewer.is_brand:
        client = clients[0]  # a client's own user runs campaigns for their own company
    # Amounts are read in the client's currency (KRW has no decimals); CNY until one is chosen.
    values, errors = forms.parse_campaign(data, client.currency if client else "CNY")
    if client is None:
        errors["organisation"] = _("Choose the corporate client.")
    if errors or values is None or client is None:
        return SaveResult(errors=errors)
    contract, errors = await _contract_values(client.id, client.currency, values.price_source)
    if errors:
        return SaveResult(errors=errors)
    now = utcnow()
    async with write_transaction():
        [created] = (
            await Campaign.insert(
                Campaign(
                    organisation=client.id,
                    currency=client.currency,
                    created_by=viewer.user_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            .returning(Campaign.id, Campaign.uuid)
            .run()
        )
        await Campaign.update({**_campaign_values(values), **contract}).where(
            Campaign.id == created["id"]
        )
        await _save_category_allotments(created["id"], client.id, values.category_allotments)
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=created["uuid"],
            organisation_id=client.id,
            action="create",
            summary=f"Campaign {values.name}",
        )
    return SaveResult(uuid=created["uuid"])


def campaign_form_values(campaign: CampaignRecord, allotments: Mapping[str, int]) -> dict[str, str]:
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        **{forms.category_field(category): str(count) for category, count in allotments.items()},
        "price_source": campaign.price_source,
        "name": campaign.name,
        "entitlement": campaign.entitlement,
        "allowance": text(campaign.allowance),
        "over_allowance": campaign.over_allowance,
        "opens_on": campaign.opens_on.isoformat(),
        "closes_on": campaign.closes_on.isoformat(),
        "delivery_mode": campaign.delivery_mode,
        "ship_to": campaign.ship_to,
        "tipping_point": text(campaign.tipping_point),
        "second_approval_above": text(campaign.second_approval_above),
        "notes": campaign.notes,
        "reminder_days": str(campaign.reminder_days),
        "version": text(campaign.version),
    }


async def update_campaign(
    viewer: Viewer, campaign: VisibleCampaign, data: Mapping[str, str]
) -> SaveResult:
    """Change the settings of a campaign that is not yet ordered (optimistic locking)."""
    from partner_portal.database import update_if_version

    if campaign.status in (CampaignStatus.ordered, CampaignStatus.cancelled):
        return SaveResult(errors={"name": _("An ordered campaign can no longer change.")})
    values, errors = forms.parse_campaign(data, campaign.currency)
    if errors or values is None:
        return SaveResult(errors=errors)
    contract, errors = await _contract_values(
        campaign.organisation, campaign.currency, values.price_source
    )
    if not errors and await _repriced_after_choices(campaign, values.price_source, contract):
        errors["price_source"] = _(
            "People have already chosen at the current prices; they can no longer change."
        )
    if errors:
        return SaveResult(errors=errors)
    opened = whole_number(str(data.get("version") or campaign.version))
    if opened is None:
        return SaveResult(errors={"name": _("The form is out of date; reload it.")})
    new_values = {**_campaign_values(values), **contract}
    allotments_before = await category_allotments(campaign.id)
    async with write_transaction():
        version = await update_if_version(
            Campaign, campaign.id, opened, {**new_values, Campaign.updated_at: utcnow()}
        )
        if version is None:
            current = await campaign_by_id(campaign.id)
            return SaveResult(
                errors={"name": _("Someone else saved this campaign first; check and save again.")},
                current_version=current.version,
            )
        await _save_category_allotments(
            campaign.id, campaign.organisation, values.category_allotments
        )
        before = {column._meta.name: getattr(campaign, column._meta.name) for column in new_values}
        after = {column._meta.name: value for column, value in new_values.items()}
        before["category_allotments"] = allotments_before
        after["category_allotments"] = values.category_allotments
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action="update",
            changes=audit_log.changes_between(before, after),
        )
    return SaveResult(uuid=campaign.uuid)


@access.checked_by_caller("the client of a campaign its caller fetched")
async def client_name(organisation_id: int) -> str:
    return (await client(organisation_id)).name


@dataclass(frozen=True)
class Client:
    """A campaign's client as its employees' e-mails name it, and the language they are
    written in to people whose own language the roster does not give."""

    name: str
    language: str


@access.checked_by_caller("the client of a campaign its caller fetched")
async def client(organisation_id: int) -> Client:
    row = (
        await Organisation.select(Organisation.legal_name, Organisation.language)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return Client(row["legal_name"], row["language"]) if row else Client("", "")


@access.checked_by_caller("the campaign comes from get_campaign")
async def close_campaign(viewer: Viewer, campaign: CampaignRecord) -> bool:
    """Stop collecting now (before the closing date); False if it was no longer open."""
    now = utcnow()
    async with write_transaction():
        return await change_if(
            viewer,
            campaign,
            {
                Campaign.status: CampaignStatus.closed,
                Campaign.closed_at: now,
                Campaign.updated_at: now,
            },
            Campaign.status == CampaignStatus.open,
            action="close",
            summary="Closed",
        )


@access.checked_by_caller("the campaign was fetched with get_campaign")
async def change_if(
    viewer: Viewer,
    campaign: CampaignRecord,
    values: dict[Any, Any],
    condition: Any,
    *,
    action: str,
    summary: str,
) -> bool:
    """Apply ``values`` to the campaign, audited, if ``condition`` still holds (a conditional
    update: of two people at once, one changes it); False if it no longer held. Call
    inside write_transaction()."""
    changed = await (
        Campaign.update(values)
        .where((Campaign.id == campaign.id) & condition)
        .returning(Campaign.id)
    )
    if changed:
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action=action,
            summary=summary,
        )
        await events.record(viewer, campaign, action)
    return bool(changed)


@dataclass(frozen=True)
class CampaignsPanel:
    """A corporate client's campaigns on its partner 360 (group_orders/_partner_panel.html)."""

    organisation: VisibleOrganisationDetails
    campaigns: list[CampaignSummary]


async def partner_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> CampaignsPanel | None:
    """The corporate client's campaigns on its partner 360 page (group clients only)."""
    if organisation.kind != OrganisationKind.group_client or not viewer.can(
        GroupOrderAction.view_group_campaigns
    ):
        return None
    query = scoped_group(
        Campaign.select(*Campaign.all_columns()), viewer, Campaign.organisation
    ).where(Campaign.organisation == organisation.id)
    campaigns = CampaignSummary.from_rows(
        await query.order_by(Campaign.closes_on, ascending=False).limit(10)
    )
    return CampaignsPanel(organisation=organisation, campaigns=await _with_counts(campaigns))
