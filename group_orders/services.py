"""Group-order campaigns: the rules and every query (issue 7).

A campaign belongs to a corporate client (a group_client organisation); who sees it is
decided in partner_portal.access (group_campaign_filter). Employees have no account:
their personal link (group_orders.links) opens their own choices and nothing else.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from group_orders import forms, links, sizing
from group_orders.access import GroupOrderAction, scoped_group
from group_orders.tables import (
    Campaign,
    CampaignItem,
    CampaignStatus,
    CategoryAllotment,
    Choice,
    DeliveryMode,
    Employee,
    EntitlementKind,
    OverAllowance,
    PriceSource,
)
from partner_portal import access, spreadsheets
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.services import prices_for_partner
from partner_portal.catalog.tables import Colourway, Size, Sku, Style, StyleStatus
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.labels import label
from partner_portal.notifications.services import enqueue_email, render_email
from partner_portal.partners.tables import Organisation, OrganisationKind, User
from partner_portal.registries import DemandLine, registry
from partner_portal.spreadsheets import RowError

ENTITY = "group_campaign"
# Non-responders get a reminder at most this often while their campaign is open.
REMINDER_INTERVAL = timedelta(days=3)


@access.checked_by_caller(
    "the campaign of a row its caller fetched through access or a signed link"
)
async def campaign_by_id(campaign_id: int) -> dict[str, Any]:
    row = await Campaign.select(*Campaign.all_columns()).where(Campaign.id == campaign_id).first()
    assert row is not None
    return row  # type: ignore[no-any-return]


def is_collecting(campaign: Mapping[str, Any], today: date) -> bool:
    """Whether employees may still choose: open, and between its opening and closing dates."""
    return bool(
        campaign["status"] == CampaignStatus.open
        and campaign["opens_on"] <= today <= campaign["closes_on"]
    )


def today() -> date:
    return utcnow().date()


# ---------------------------------------------------------------------------
# Campaign list and creation


async def list_campaigns(viewer: Viewer) -> list[dict[str, Any]]:
    """Campaigns the viewer may see, newest first, with roster and response counts
    (two queries whatever the number of campaigns)."""
    access.require(viewer, GroupOrderAction.view_group_campaigns)
    query = scoped_group(
        Campaign.select(
            *Campaign.all_columns(),
            Campaign.organisation.legal_name.as_alias("client_name"),  # type: ignore[attr-defined]
        ),
        viewer,
        Campaign.organisation,
    )
    campaigns = await query.order_by(Campaign.closes_on, ascending=False)
    counts = await _roster_counts([row["id"] for row in campaigns])
    for row in campaigns:
        row["roster"], row["responded"] = counts.get(row["id"], (0, 0))
    return campaigns  # type: ignore[no-any-return]


@access.checked_by_caller("campaigns its callers found through scoped_group")
async def _roster_counts(campaign_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
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


async def client_choices(viewer: Viewer) -> list[dict[str, Any]]:
    """The corporate clients the viewer may run a campaign for."""
    access.require(viewer, GroupOrderAction.manage_group_campaigns)
    query = access.scoped(
        Organisation.select(Organisation.uuid, Organisation.legal_name, Organisation.id),
        viewer,
    ).where(Organisation.kind == OrganisationKind.group_client)
    return await query.order_by(Organisation.legal_name)  # type: ignore[no-any-return]


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
    campaign: Mapping[str, Any], source: PriceSource, contract: Mapping[Any, Any]
) -> bool:
    """Whether the new settings change the campaign's prices although people have already
    chosen (their choices keep the prices they were shown)."""
    same = (
        source == campaign["price_source"]
        and contract[Campaign.contract_discount_percent] == campaign["contract_discount_percent"]
    )
    if same:
        return False
    return bool(
        await Choice.exists().where(Choice.employee.campaign == campaign["id"])  # type: ignore[attr-defined]
    )


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
    values, errors = forms.parse_campaign(data)
    clients = await client_choices(viewer)
    wanted = (data.get("organisation") or "").strip()
    client = next((row for row in clients if str(row["uuid"]) == wanted), None)
    if client is None and len(clients) == 1 and not viewer.is_brand:
        client = clients[0]  # a client's own user runs campaigns for their own company
    if client is None:
        errors["organisation"] = _("Choose the corporate client.")
    if errors or values is None or client is None:
        return SaveResult(errors=errors)
    organisation = (
        await Organisation.select(Organisation.currency)
        .where(Organisation.id == client["id"])
        .first()
    )
    assert organisation is not None
    contract, errors = await _contract_values(
        client["id"], organisation["currency"], values.price_source
    )
    if errors:
        return SaveResult(errors=errors)
    now = utcnow()
    async with write_transaction():
        row = (
            await Campaign.insert(
                Campaign(
                    organisation=client["id"],
                    currency=organisation["currency"],
                    created_by=viewer.user_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            .returning(Campaign.id, Campaign.uuid)
            .run()
        )
        await Campaign.update({**_campaign_values(values), **contract}).where(
            Campaign.id == row[0]["id"]
        )
        await _save_category_allotments(row[0]["id"], client["id"], values.category_allotments)
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=row[0]["uuid"],
            organisation_id=client["id"],
            action="create",
            summary=f"Campaign {values.name}",
        )
    return SaveResult(uuid=row[0]["uuid"])


def campaign_form_values(
    campaign: Mapping[str, Any], allotments: Mapping[str, int]
) -> dict[str, str]:
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        **{forms.category_field(category): str(count) for category, count in allotments.items()},
        "price_source": campaign["price_source"],
        "name": campaign["name"],
        "entitlement": campaign["entitlement"],
        "allowance": text(campaign["allowance"]),
        "over_allowance": campaign["over_allowance"],
        "opens_on": campaign["opens_on"].isoformat(),
        "closes_on": campaign["closes_on"].isoformat(),
        "delivery_mode": campaign["delivery_mode"],
        "ship_to": campaign["ship_to"],
        "tipping_point": text(campaign["tipping_point"]),
        "second_approval_above": text(campaign["second_approval_above"]),
        "notes": campaign["notes"],
        "version": text(campaign["version"]),
    }


async def update_campaign(
    viewer: Viewer, campaign: Mapping[str, Any], data: Mapping[str, str]
) -> SaveResult:
    """Change the settings of a campaign that is not yet ordered (optimistic locking)."""
    from partner_portal.database import update_if_version

    if campaign["status"] in (CampaignStatus.ordered, CampaignStatus.cancelled):
        return SaveResult(errors={"name": _("An ordered campaign can no longer change.")})
    values, errors = forms.parse_campaign(data)
    if errors or values is None:
        return SaveResult(errors=errors)
    contract, errors = await _contract_values(
        campaign["organisation"], campaign["currency"], values.price_source
    )
    if not errors and await _repriced_after_choices(campaign, values.price_source, contract):
        errors["price_source"] = _(
            "People have already chosen at the current prices; they can no longer change."
        )
    if errors:
        return SaveResult(errors=errors)
    opened = whole_number(str(data.get("version") or campaign["version"]))
    if opened is None:
        return SaveResult(errors={"name": _("The form is out of date; reload it.")})
    new_values = {**_campaign_values(values), **contract}
    allotments_before = await category_allotments(campaign["id"])
    async with write_transaction():
        version = await update_if_version(
            Campaign, campaign["id"], opened, {**new_values, Campaign.updated_at: utcnow()}
        )
        if version is None:
            current = await campaign_by_id(campaign["id"])
            return SaveResult(
                errors={"name": _("Someone else saved this campaign first; check and save again.")},
                current_version=current["version"],
            )
        await _save_category_allotments(
            campaign["id"], campaign["organisation"], values.category_allotments
        )
        before = {column._meta.name: campaign[column._meta.name] for column in new_values}
        after = {column._meta.name: value for column, value in new_values.items()}
        before["category_allotments"] = allotments_before
        after["category_allotments"] = values.category_allotments
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign["uuid"],
            organisation_id=campaign["organisation"],
            action="update",
            changes=audit_log.changes_between(before, after),
        )
    return SaveResult(uuid=campaign["uuid"])


# ---------------------------------------------------------------------------
# Items offered


@dataclass
class OfferedItem:
    """An item with what the page needs: names, sizes with their body fits and prices."""

    id: int
    uuid: UUID
    style_id: int
    colourway_id: int
    style_code: str
    names: dict[str, str]
    colour: str
    category: str
    allotment: int
    gender: str
    job_role: str
    logo: str
    logo_price: Decimal
    sizes: list[dict[str, Any]] = field(default_factory=list)  # id, label, fit, price

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["en"]

    def size_label(self, size_id: int) -> str:
        return next((size["label"] for size in self.sizes if size["id"] == size_id), "")

    def price_of(self, size_id: int) -> Decimal | None:
        return next((size["price"] for size in self.sizes if size["id"] == size_id), None)


@access.checked_by_caller("the campaign comes from get_campaign or an employee's signed link")
async def offered_items(campaign: Mapping[str, Any]) -> list[OfferedItem]:
    """The campaign's items with sizes, body fits and the client's prices (three queries)."""
    rows = (
        await CampaignItem.select(
            *CampaignItem.all_columns(),
            CampaignItem.style.code.as_alias("style_code"),  # type: ignore[attr-defined]
            CampaignItem.style.name_en.as_alias("name_en"),  # type: ignore[attr-defined]
            CampaignItem.style.name_zh.as_alias("name_zh"),  # type: ignore[attr-defined]
            CampaignItem.style.name_ko.as_alias("name_ko"),  # type: ignore[attr-defined]
            CampaignItem.style.category.as_alias("category"),  # type: ignore[attr-defined]
            CampaignItem.style.size_scale.as_alias("scale_id"),  # type: ignore[attr-defined]
            CampaignItem.style.size_scale.kind.as_alias("scale_kind"),  # type: ignore[attr-defined,union-attr]
            CampaignItem.colourway.code.as_alias("colour_code"),  # type: ignore[attr-defined]
            CampaignItem.colourway.name.as_alias("colour_name"),  # type: ignore[attr-defined]
        )
        .where(CampaignItem.campaign == campaign["id"])
        .order_by(CampaignItem.position)
        .order_by(CampaignItem.id)
    )
    if not rows:
        return []
    sizes = (
        await Size.select(Size.id, Size.label, Size.size_scale, Size.position)
        .where(Size.size_scale.is_in(sorted({row["scale_id"] for row in rows})))
        .order_by(Size.position)
    )
    prices = await prices_for_partner(campaign["organisation"], [row["style"] for row in rows])
    discount = campaign["contract_discount_percent"] or Decimal("0")
    items = []
    for row in rows:
        item = OfferedItem(
            id=row["id"],
            uuid=row["uuid"],
            style_id=row["style"],
            colourway_id=row["colourway"],
            style_code=row["style_code"],
            names={"en": row["name_en"], "zh_Hans": row["name_zh"], "ko": row["name_ko"]},
            colour=f"{row['colour_code']} {row['colour_name']}".strip(),
            category=row["category"],
            allotment=row["allotment"],
            gender=row["gender"],
            job_role=row["job_role"],
            logo=row["logo"],
            logo_price=row["logo_price"] or Decimal("0"),
        )
        for size in sizes:
            if size["size_scale"] != row["scale_id"]:
                continue
            price = prices.for_item(row["style"], size["id"])
            item.sizes.append(
                {
                    "id": size["id"],
                    "label": size["label"],
                    "fit": sizing.body_fit(size["label"], row["scale_kind"], row["category"]),
                    "price": None
                    if price is None
                    else garment_price(price.wholesale, discount, campaign["currency"])
                    + item.logo_price,
                }
            )
        items.append(item)
    return items


def garment_price(wholesale: Decimal, discount_percent: Decimal, currency: str) -> Decimal:
    """A garment's price for the campaign: the price list's, less the contract's discount
    when the campaign takes its prices from the contract (0 otherwise); the logo is extra."""
    from partner_portal.orders.services import round_money

    return round_money(wholesale * (100 - discount_percent) / 100, currency)


@access.checked_by_caller("the campaign comes from get_campaign")
async def add_item(
    viewer: Viewer, campaign: Mapping[str, Any], data: Mapping[str, str]
) -> SaveResult:
    """Offer a style in a colour; it must be active and priced for the client."""
    values, errors = forms.parse_item(data)
    if campaign["status"] != CampaignStatus.open:
        errors["style_code"] = _("Items can only change while the campaign is open.")
    if errors or values is None:
        return SaveResult(errors=errors)
    style = (
        await Style.select(Style.id, Style.uuid)
        .where((Style.code == values.style_code) & (Style.status == StyleStatus.active))
        .first()
    )
    if style is None:
        return SaveResult(errors={"style_code": _("No active style has this code.")})
    colourway = (
        await Colourway.select(Colourway.id)
        .where((Colourway.style == style["id"]) & (Colourway.code == values.colour_code))
        .first()
    )
    if colourway is None:
        return SaveResult(errors={"colour_code": _("This style has no colour with this code.")})
    prices = await prices_for_partner(campaign["organisation"], [style["id"]])
    if not prices.best:
        return SaveResult(
            errors={"style_code": _("The client's price list has no price for this style.")}
        )
    duplicate = await CampaignItem.exists().where(
        (CampaignItem.campaign == campaign["id"])
        & (CampaignItem.style == style["id"])
        & (CampaignItem.colourway == colourway["id"])
        & (CampaignItem.gender == values.gender)
        & (CampaignItem.job_role == values.job_role)
    )
    if duplicate:
        return SaveResult(errors={"style_code": _("This item is already offered.")})
    async with write_transaction():
        position = await CampaignItem.count().where(CampaignItem.campaign == campaign["id"])
        row = (
            await CampaignItem.insert(
                CampaignItem(
                    campaign=campaign["id"],
                    organisation=campaign["organisation"],
                    style=style["id"],
                    colourway=colourway["id"],
                    allotment=values.allotment,
                    gender=values.gender,
                    job_role=values.job_role,
                    logo=values.logo,
                    logo_price=values.logo_price,
                    position=position,
                )
            )
            .returning(CampaignItem.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign["uuid"],
            organisation_id=campaign["organisation"],
            action="add_item",
            summary=f"{values.style_code} {values.colour_code} x{values.allotment}",
        )
    return SaveResult(uuid=row[0]["uuid"])


# ---------------------------------------------------------------------------
# Roster


@access.checked_by_caller("the campaign comes from get_campaign")
async def roster(campaign: Mapping[str, Any]) -> list[dict[str, Any]]:
    return await (  # type: ignore[no-any-return]
        Employee.select(*Employee.all_columns())
        .where(Employee.campaign == campaign["id"])
        .order_by(Employee.department)
        .order_by(Employee.employee_number)
    )


def _employee_values(values: forms.EmployeeInput) -> dict[Any, Any]:
    return {
        "employee_number": values.employee_number,
        "name": values.name,
        "department": values.department,
        "site": values.site,
        "email": values.email,
        "gender": values.gender,
        "job_role": values.job_role,
        "locale": values.locale,
    }


def _may_change_roster(campaign: Mapping[str, Any]) -> bool:
    return campaign["status"] == CampaignStatus.open


@access.checked_by_caller("the campaign comes from get_campaign")
async def add_employee(
    viewer: Viewer, campaign: Mapping[str, Any], data: Mapping[str, str]
) -> SaveResult:
    values, errors = forms.parse_employee(data)
    if not _may_change_roster(campaign):
        errors["employee_number"] = _("The roster can only change while the campaign is open.")
    if errors or values is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        taken = await Employee.exists().where(
            (Employee.campaign == campaign["id"])
            & (Employee.employee_number == values.employee_number)
        )
        if taken:
            return SaveResult(
                errors={"employee_number": _("This employee number is already on the roster.")}
            )
        row = (
            await Employee.insert(
                Employee(
                    campaign=campaign["id"],
                    organisation=campaign["organisation"],
                    link_key=links.new_link_key(),
                    created_at=utcnow(),
                    **_employee_values(values),
                )
            )
            .returning(Employee.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign["uuid"],
            organisation_id=campaign["organisation"],
            action="add_employee",
            summary=f"{values.employee_number} {values.name}",
        )
    return SaveResult(uuid=row[0]["uuid"])


@access.checked_by_caller("the employee comes from get_employee")
async def update_employee(
    viewer: Viewer, employee: Mapping[str, Any], data: Mapping[str, str]
) -> SaveResult:
    campaign = await campaign_by_id(employee["campaign"])
    values, errors = forms.parse_employee(data)
    if not _may_change_roster(campaign):
        errors["employee_number"] = _("The roster can only change while the campaign is open.")
    if errors or values is None:
        return SaveResult(errors=errors)
    new_values = _employee_values(values)
    async with write_transaction():
        taken = await Employee.exists().where(
            (Employee.campaign == campaign["id"])
            & (Employee.employee_number == values.employee_number)
            & (Employee.id != employee["id"])
        )
        if taken:
            return SaveResult(
                errors={"employee_number": _("This employee number is already on the roster.")}
            )
        await Employee.update(new_values).where(Employee.id == employee["id"])
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign["uuid"],
            organisation_id=campaign["organisation"],
            action="update_employee",
            changes=audit_log.changes_between(
                {name: employee[name] for name in new_values}, new_values
            ),
            summary=values.employee_number,
        )
    return SaveResult(uuid=employee["uuid"])


@access.checked_by_caller("the employee comes from get_employee")
async def remove_employee(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """Take someone off an open campaign's roster, with their choices."""
    campaign = await campaign_by_id(employee["campaign"])
    if not _may_change_roster(campaign):
        return False
    async with write_transaction():
        await Employee.delete().where(Employee.id == employee["id"])
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign["uuid"],
            organisation_id=campaign["organisation"],
            action="remove_employee",
            summary=f"{employee['employee_number']} {employee['name']}",
        )
    return True


@dataclass
class RosterImport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# The example row of the roster template.
ROSTER_EXAMPLE = {
    "employee_number": "E0001",
    "name": "王小明",
    "department": "零售银行部",
    "site": "上海陆家嘴",
    "email": "xiaoming.wang@example.com",
    "gender": "men",
    "job_role": "柜员",
    "language": "zh_Hans",
}


@access.checked_by_caller("the campaign comes from get_campaign")
async def import_roster(
    viewer: Viewer, campaign: Mapping[str, Any], content: bytes, filename: str = ""
) -> RosterImport:
    """Add or update roster rows from a CSV or xlsx file, matched by employee number;
    any bad row means nothing is saved, and every problem is reported by row and column."""
    result = RosterImport()
    if not _may_change_roster(campaign):
        result.errors.append(
            RowError(0, "", _("The roster can only change while the campaign is open."))
        )
        return result
    if filename.lower().endswith(".xlsx") and not spreadsheets.is_xlsx(content):
        result.errors.append(RowError(0, "", _(spreadsheets.UNREADABLE_XLSX)))
        return result
    rows, problems = await spreadsheets.read_rows(
        content, forms.EMPLOYEE_COLUMNS, forms.EMPLOYEE_REQUIRED
    )
    result.errors.extend(problems)
    if problems:
        return result
    parsed: list[forms.EmployeeInput] = []
    seen: dict[str, str] = {}
    for row in rows:
        values, errors = forms.parse_employee(row)
        for column, message in errors.items():
            result.errors.append(RowError(int(row["_row"]), column, message))
        if values is None:
            continue
        if values.employee_number in seen:
            result.errors.append(
                RowError(
                    int(row["_row"]),
                    "employee_number",
                    _("Also on row %(row)s.", row=seen[values.employee_number]),
                )
            )
            continue
        seen[values.employee_number] = row["_row"]
        parsed.append(values)
    if result.errors:
        return result
    now = utcnow()
    async with write_transaction():
        existing = {
            row["employee_number"]: row["id"]
            for row in await Employee.select(Employee.id, Employee.employee_number).where(
                Employee.campaign == campaign["id"]
            )
        }
        new_rows = [
            Employee(
                campaign=campaign["id"],
                organisation=campaign["organisation"],
                link_key=links.new_link_key(),
                created_at=now,
                **_employee_values(values),
            )
            for values in parsed
            if values.employee_number not in existing
        ]
        for start in range(0, len(new_rows), 500):
            await Employee.insert(*new_rows[start : start + 500]).run()
        for values in parsed:
            if values.employee_number in existing:
                await Employee.update(_employee_values(values)).where(
                    Employee.id == existing[values.employee_number]
                )
        result.created = len(new_rows)
        result.updated = len(parsed) - len(new_rows)
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign["uuid"],
            organisation_id=campaign["organisation"],
            action="import_roster",
            summary=f"{result.created} added, {result.updated} updated",
        )
    return result


# ---------------------------------------------------------------------------
# Personal links


def link_url(base_url: str, secret: str, campaign: Mapping[str, Any], link_key: str) -> str:
    token = links.make_token(secret, link_key, links.link_expiry(campaign["closes_on"]))
    return f"{base_url.rstrip('/')}/g/{token}"


@access.checked_by_caller("the campaign comes from get_campaign")
async def send_links(
    viewer: Viewer | None,
    campaign: Mapping[str, Any],
    base_url: str,
    secret: str,
    again: bool = False,
) -> int:
    """E-mail each employee with an address their personal link (only those not sent one
    yet, unless ``again``); the mails go through the outbox in the same transaction."""
    if not is_collecting(campaign, today()) and campaign["status"] != CampaignStatus.open:
        return 0
    async with write_transaction():
        query = Employee.select(*Employee.all_columns()).where(
            (Employee.campaign == campaign["id"]) & (Employee.email != "")
        )
        if not again:
            query = query.where(Employee.link_sent_at.is_null())
        employees = await query
        client = await client_name(campaign["organisation"])
        for employee in employees:
            await _mail_link(employee, campaign, client, base_url, secret, "group_orders/link")
        if employees:
            await Employee.update({Employee.link_sent_at: utcnow()}).where(
                Employee.id.is_in([row["id"] for row in employees])
            )
            await audit_log.record(
                viewer,
                entity_kind=ENTITY,
                entity_uuid=campaign["uuid"],
                organisation_id=campaign["organisation"],
                action="send_links",
                summary=f"{len(employees)} links",
            )
    return len(employees)


@access.checked_by_caller("the client of a campaign its caller fetched")
async def client_name(organisation_id: int) -> str:
    row = (
        await Organisation.select(Organisation.legal_name)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return row["legal_name"] if row else ""


async def _mail_link(
    employee: Mapping[str, Any],
    campaign: Mapping[str, Any],
    client: str,
    base_url: str,
    secret: str,
    template: str,
) -> None:
    locale = employee["locale"] or "en"
    mail = render_email(
        template,
        {
            "employee": employee,
            "campaign": campaign,
            "client": client,
            "url": link_url(base_url, secret, campaign, employee["link_key"]),
        },
        locale,
    )
    await enqueue_email(
        kind=template.replace("/", "_"),
        recipient=employee["email"],
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        locale=locale,
    )


@access.checked_by_caller("the campaign comes from get_campaign")
async def link_sheet(
    campaign: Mapping[str, Any], base_url: str, secret: str, everyone: bool = False
) -> list[dict[str, Any]]:
    """Employees with their personal link and its QR code (SVG), for a printed sheet: those
    without an e-mail address (the links of the others go by mail), or everyone."""
    import segno

    query = Employee.select(*Employee.all_columns()).where(Employee.campaign == campaign["id"])
    if not everyone:
        query = query.where(Employee.email == "")
    rows = await query.order_by(Employee.department).order_by(Employee.employee_number)
    for row in rows:
        row["url"] = link_url(base_url, secret, campaign, row["link_key"])
        row["qr_svg"] = segno.make(row["url"], error="m").svg_inline(scale=3)
    return rows


@access.system_query("an employee's signed personal link: the token is the key")
async def employee_for_token(
    secret: str, token: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The employee and campaign a genuine, unexpired link belongs to; None otherwise.

    A link ends with its campaign's links (``links.link_expiry``) even if it was signed
    with a later expiry."""
    now = utcnow()
    link_key = links.read_token(secret, token, now)
    if link_key is None:
        return None
    employee = (
        await Employee.select(*Employee.all_columns()).where(Employee.link_key == link_key).first()
    )
    if employee is None:
        return None
    campaign = await campaign_by_id(employee["campaign"])
    if links.link_expired(campaign["closes_on"], now):
        return None
    return employee, campaign


# ---------------------------------------------------------------------------
# Entitlement and choices


@dataclass(frozen=True)
class Pick:
    item_uuid: UUID
    allotment: int
    quantity: int
    unit_price: Decimal
    category: str = ""


@dataclass
class Settlement:
    """What an employee's picks cost and who pays, or why they are refused."""

    total: Decimal = Decimal("0")
    company_pays: Decimal = Decimal("0")
    employee_pays: Decimal = Decimal("0")
    per_category: dict[str, int] = field(default_factory=dict)  # category -> pieces picked
    errors: dict[str, str] = field(default_factory=dict)


def category_error_key(category: str) -> str:
    return f"category_{category}"


def employee_share(entitlement: str, allowance: Decimal | None, cost: Decimal) -> Decimal:
    """What an employee pays of their picks' cost: under an allowance, what is above it."""
    if entitlement != EntitlementKind.allowance:
        return Decimal("0")
    return max(Decimal("0"), cost - (allowance or Decimal("0")))


def settle(
    entitlement: str,
    allowance: Decimal | None,
    over_allowance: str,
    picks: Iterable[Pick],
    per_category: Mapping[str, int] | None = None,
) -> Settlement:
    """Apply the campaign's entitlement to an employee's picks.

    Every item: at most its N pieces. Every category with an allotment (``per_category``):
    at most N pieces across all the items of that category. Allotment: all paid by the
    company. Allowance: the company pays up to the budget; above it the employee pays the
    rest, or the picks are refused, as the campaign says.
    """
    result = Settlement()
    for pick in picks:
        if pick.quantity > pick.allotment:
            result.errors[str(pick.item_uuid)] = _(
                "At most %(count)s pieces of this item.", count=pick.allotment
            )
        result.total += pick.unit_price * pick.quantity
        result.per_category[pick.category] = (
            result.per_category.get(pick.category, 0) + pick.quantity
        )
    for category, limit in (per_category or {}).items():
        if result.per_category.get(category, 0) > limit:
            result.errors[category_error_key(category)] = _(
                "At most %(count)s pieces of %(category)s in total.",
                count=limit,
                category=label(category),
            )
    over = employee_share(entitlement, allowance, result.total)
    if over and over_allowance == OverAllowance.refused:
        result.errors["allowance"] = _(
            "Your choices cost more than your allowance. Choose fewer or cheaper items."
        )
    result.employee_pays = over
    result.company_pays = result.total - over
    return result


def items_for(items: Sequence[OfferedItem], employee: Mapping[str, Any]) -> list[OfferedItem]:
    """The items offered to this employee: an item for one gender or one role goes only to
    the people of that gender or role (roles compared without case or spaces around)."""
    role = employee["job_role"].strip().casefold()
    return [
        item
        for item in items
        if (not item.gender or item.gender == employee["gender"])
        and (not item.job_role or item.job_role.strip().casefold() == role)
    ]


@access.checked_by_caller("employees of a campaign its caller fetched")
async def current_choices(employee_ids: Sequence[int]) -> dict[int, dict[int, dict[str, Any]]]:
    """employee id -> item id -> choice row, for many employees in one query."""
    if not employee_ids:
        return {}
    rows = await Choice.select(*Choice.all_columns()).where(
        Choice.employee.is_in(list(employee_ids))
    )
    found: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        found[row["employee"]][row["item"]] = row
    return found


@dataclass
class ChoiceForm:
    """The employee page: their items, current choices, what is left, and the messages."""

    employee: dict[str, Any]
    campaign: dict[str, Any]
    items: list[OfferedItem]
    values: dict[str, str]
    settlement: Settlement
    suggestions: dict[int, int]  # item id -> suggested size id
    collecting: bool
    per_category: dict[str, int] = field(default_factory=dict)  # category -> pieces allowed
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def categories_left(self) -> list[dict[str, Any]]:
        """Each limited category of this person's items: allowed, chosen and left."""
        offered = {item.category for item in self.items}
        return [
            {
                "category": category,
                "allotment": allotment,
                "chosen": self.settlement.per_category.get(category, 0),
                "left": max(0, allotment - self.settlement.per_category.get(category, 0)),
                "error": self.errors.get(category_error_key(category), ""),
            }
            for category, allotment in sorted(self.per_category.items())
            if category in offered
        ]

    @property
    def allowance_left(self) -> Decimal | None:
        if self.campaign["entitlement"] != EntitlementKind.allowance:
            return None
        return max(
            Decimal("0"), (self.campaign["allowance"] or Decimal("0")) - self.settlement.total
        )


def _suggestions(items: Sequence[OfferedItem], employee: Mapping[str, Any]) -> dict[int, int]:
    """item id -> the size id suggested from the employee's measurements."""
    suggested = {}
    for item in items:
        label = sizing.suggest_size(
            [size["fit"] for size in item.sizes],
            employee["height_cm"],
            employee["chest_cm"],
            employee["waist_cm"],
        )
        size_id = next((size["id"] for size in item.sizes if size["label"] == label), None)
        if size_id is not None:
            suggested[item.id] = size_id
    return suggested


async def choice_form(employee: dict[str, Any], campaign: dict[str, Any]) -> ChoiceForm:
    items = items_for(await offered_items(campaign), employee)
    per_category = await category_allotments(campaign["id"])
    chosen = (await current_choices([employee["id"]])).get(employee["id"], {})
    values: dict[str, str] = {
        "height_cm": str(employee["height_cm"] or ""),
        "chest_cm": str(employee["chest_cm"] or ""),
        "waist_cm": str(employee["waist_cm"] or ""),
    }
    picks = []
    for item in items:
        choice = chosen.get(item.id)
        values[f"size_{item.uuid}"] = str(choice["size"]) if choice else ""
        values[f"qty_{item.uuid}"] = str(choice["quantity"]) if choice else "0"
        if choice:
            picks.append(
                Pick(
                    item.uuid,
                    item.allotment,
                    choice["quantity"],
                    choice["unit_price"],
                    item.category,
                )
            )
    settlement = settle(
        campaign["entitlement"],
        campaign["allowance"],
        campaign["over_allowance"],
        picks,
        per_category,
    )
    return ChoiceForm(
        employee=employee,
        campaign=campaign,
        items=items,
        values=values,
        settlement=settlement,
        suggestions=_suggestions(items, employee),
        collecting=is_collecting(campaign, today()),
        per_category=per_category,
    )


async def suggestion_form(
    employee: dict[str, Any], campaign: dict[str, Any], data: Mapping[str, str]
) -> ChoiceForm:
    """The form again with sizes suggested from the submitted measurements; saves nothing."""
    measured = {
        **employee,
        "height_cm": forms.parse_measurement(data.get("height_cm", ""), 90, 220),
        "chest_cm": forms.parse_measurement(data.get("chest_cm", ""), 50, 160),
        "waist_cm": forms.parse_measurement(data.get("waist_cm", ""), 40, 160),
    }
    form = await choice_form(measured, campaign)
    form.employee = employee
    # Keep what was typed, but let the suggestion fill sizes not chosen yet.
    form.values.update({key: value for key, value in data.items() if value})
    return form


@access.checked_by_caller("the employee comes from their signed link or get_employee")
async def save_choices(
    employee: dict[str, Any],
    campaign: dict[str, Any],
    data: Mapping[str, str],
    entered_by: Viewer | None = None,
) -> ChoiceForm:
    """Replace an employee's choices with the submitted ones, if the campaign is collecting
    and the entitlement allows them; with ``entered_by`` the client admin entered them
    (recorded on the employee and in the audit log). Returns the form to show again."""
    form = await choice_form(employee, campaign)
    form.values.update({key: str(value) for key, value in data.items()})
    measurements = {
        "height_cm": forms.parse_measurement(data.get("height_cm", ""), 90, 220),
        "chest_cm": forms.parse_measurement(data.get("chest_cm", ""), 50, 160),
        "waist_cm": forms.parse_measurement(data.get("waist_cm", ""), 40, 160),
    }
    for name, value in measurements.items():
        if data.get(name, "").strip() and value is None:
            form.errors[name] = _("Enter your measurement in whole centimetres.")
    if not form.collecting and entered_by is None:
        form.errors["campaign"] = _("This campaign is closed; your choices can no longer change.")
    if entered_by is not None and campaign["status"] != CampaignStatus.open:
        form.errors["campaign"] = _("This campaign is closed; choices can no longer change.")
    picks: list[Pick] = []
    new_rows: list[tuple[OfferedItem, int, int, Decimal]] = []
    for item in form.items:
        key = str(item.uuid)
        quantity_text = (data.get(f"qty_{key}") or "0").strip()
        quantity = whole_number(quantity_text)
        if quantity is None:
            form.errors[key] = _("Enter a number of pieces.")
            continue
        if quantity == 0:
            continue
        size_id = whole_number(data.get(f"size_{key}") or "") or 0
        price = item.price_of(size_id)
        if not size_id or not item.size_label(size_id):
            form.errors[key] = _("Choose a size.")
            continue
        if price is None:
            form.errors[key] = _("This size has no price yet; ask your administrator.")
            continue
        picks.append(Pick(item.uuid, item.allotment, quantity, price, item.category))
        new_rows.append((item, size_id, quantity, price))
    form.settlement = settle(
        campaign["entitlement"],
        campaign["allowance"],
        campaign["over_allowance"],
        picks,
        form.per_category,
    )
    form.errors.update(form.settlement.errors)
    if form.errors:
        return form
    now = utcnow()
    async with write_transaction():
        await Choice.delete().where(Choice.employee == employee["id"])
        if new_rows:
            await Choice.insert(
                *(
                    Choice(
                        employee=employee["id"],
                        item=item.id,
                        organisation=campaign["organisation"],
                        size=size_id,
                        quantity=quantity,
                        unit_price=price,
                        chosen_at=now,
                    )
                    for item, size_id, quantity, price in new_rows
                )
            ).run()
        updates: dict[Any, Any] = {
            Employee.responded_at: now,
            Employee.height_cm: measurements["height_cm"],
            Employee.chest_cm: measurements["chest_cm"],
            Employee.waist_cm: measurements["waist_cm"],
            Employee.entered_by: entered_by.user_id if entered_by else None,
        }
        await Employee.update(updates).where(Employee.id == employee["id"])
        if entered_by is not None:
            await audit_log.record(
                entered_by,
                entity_kind=ENTITY,
                entity_uuid=campaign["uuid"],
                organisation_id=campaign["organisation"],
                action="enter_choices",
                summary=f"{employee['employee_number']} {employee['name']}: "
                + ", ".join(
                    f"{item.style_code} {item.size_label(size_id)} x{quantity}"
                    for item, size_id, quantity, _price in new_rows
                ),
            )
    saved = (
        await Employee.select(*Employee.all_columns()).where(Employee.id == employee["id"]).first()
    )
    assert saved is not None
    fresh = await choice_form(saved, campaign)
    fresh.values.update({"saved": "1"})
    return fresh


# ---------------------------------------------------------------------------
# Progress, size matrix, totals


@dataclass
class Progress:
    roster: int
    responded: int
    departments: list[dict[str, Any]]  # department, roster, responded
    items: list[OfferedItem]
    matrix: dict[int, dict[int, int]]  # item id -> size id -> quantity
    total_quantity: int
    total: Decimal
    company_pays: Decimal
    employee_pays: Decimal
    tipping_point: int
    # The rows behind the figures, for the totals review: people (id, department, site,
    # responded_at), choices, and per person id their pieces, their picks' cost and what
    # they pay of it themselves.
    people: list[dict[str, Any]] = field(default_factory=list, repr=False)
    choices: list[dict[str, Any]] = field(default_factory=list, repr=False)
    pieces: dict[int, int] = field(default_factory=dict, repr=False)
    spent: dict[int, Decimal] = field(default_factory=dict, repr=False)
    shares: dict[int, Decimal] = field(default_factory=dict, repr=False)

    @property
    def tipped(self) -> bool:
        return self.total_quantity >= self.tipping_point

    @property
    def percent(self) -> int:
        return round(100 * self.responded / self.roster) if self.roster else 0

    @property
    def fingerprint(self) -> str:
        """Identifies the choices these figures add up: approving needs the one reviewed."""
        rows = sorted(
            (row["employee"], row["item"], row["size"], row["quantity"], str(row["unit_price"]))
            for row in self.choices
        )
        return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


@access.checked_by_caller("the campaign comes from get_campaign")
async def progress(campaign: Mapping[str, Any]) -> Progress:
    """Who has responded by department, the running size matrix, and the cost split
    (three queries whatever the roster's size)."""
    items = await offered_items(campaign)
    people = await Employee.select(
        Employee.id, Employee.department, Employee.site, Employee.responded_at
    ).where(Employee.campaign == campaign["id"])
    choices = await Choice.select(
        Choice.employee, Choice.item, Choice.size, Choice.quantity, Choice.unit_price
    ).where(Choice.employee.campaign == campaign["id"])  # type: ignore[attr-defined]
    by_department: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for person in people:
        counts = by_department[person["department"]]
        counts[0] += 1
        counts[1] += person["responded_at"] is not None
    matrix: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    spent: dict[int, Decimal] = defaultdict(Decimal)
    pieces: dict[int, int] = defaultdict(int)
    for choice in choices:
        matrix[choice["item"]][choice["size"]] += choice["quantity"]
        spent[choice["employee"]] += choice["unit_price"] * choice["quantity"]
        pieces[choice["employee"]] += choice["quantity"]
    total = sum(spent.values(), Decimal("0"))
    shares = {
        person_id: employee_share(campaign["entitlement"], campaign["allowance"], cost)
        for person_id, cost in spent.items()
    }
    employee_pays = sum(shares.values(), Decimal("0"))
    return Progress(
        roster=len(people),
        responded=sum(counts[1] for counts in by_department.values()),
        departments=[
            {"department": name, "roster": counts[0], "responded": counts[1]}
            for name, counts in sorted(by_department.items())
        ],
        items=items,
        matrix=matrix,
        total_quantity=sum(pieces.values()),
        total=total,
        company_pays=total - employee_pays,
        employee_pays=employee_pays,
        tipping_point=campaign["tipping_point"],
        people=people,
        choices=choices,
        pieces=pieces,
        spent=spent,
        shares=shares,
    )


@dataclass
class Review:
    """The totals a client admin approves: pieces and cost per item, colour and size, and
    per department and per site, each split into company-paid and employee-paid."""

    progress: Progress
    lines: list[dict[str, Any]]  # item, size, unit_price, quantity, amount
    departments: list[dict[str, Any]]  # name, roster, responded, pieces, company/employee pays
    sites: list[dict[str, Any]]
    needs_second_approval: bool
    first_approver: str  # the name of whoever gave the first of two approvals


def _groups(summary: Progress, key: str) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    nothing = Decimal("0")
    for person in summary.people:
        group = groups.setdefault(
            person[key],
            {
                "name": person[key],
                "roster": 0,
                "responded": 0,
                "pieces": 0,
                "company_pays": Decimal("0"),
                "employee_pays": Decimal("0"),
            },
        )
        group["roster"] += 1
        group["responded"] += person["responded_at"] is not None
        if person["id"] in summary.spent:
            share = summary.shares.get(person["id"], nothing)
            group["pieces"] += summary.pieces[person["id"]]
            group["employee_pays"] += share
            group["company_pays"] += summary.spent[person["id"]] - share
    return [groups[name] for name in sorted(groups)]


@access.checked_by_caller("the campaign comes from get_campaign")
async def review(campaign: Mapping[str, Any]) -> Review:
    """The totals review before approval (the progress queries, plus the first approver)."""
    summary = await progress(campaign)
    items = {item.id: item for item in summary.items}
    by_line: dict[tuple[int, int, Decimal], int] = defaultdict(int)
    for choice in summary.choices:
        by_line[(choice["item"], choice["size"], choice["unit_price"])] += choice["quantity"]
    positions = {item_id: index for index, item_id in enumerate(items)}

    def shown_order(key: tuple[int, int, Decimal]) -> tuple[int, int, Decimal]:
        item_id, size_id, unit_price = key
        sizes = [size["id"] for size in items[item_id].sizes]
        return positions[item_id], sizes.index(size_id) if size_id in sizes else 0, unit_price

    lines = [
        {
            "item": items[item_id],
            "size": items[item_id].size_label(size_id),
            "unit_price": unit_price,
            "quantity": by_line[(item_id, size_id, unit_price)],
            "amount": unit_price * by_line[(item_id, size_id, unit_price)],
        }
        for item_id, size_id, unit_price in sorted(by_line, key=shown_order)
    ]
    limit = campaign["second_approval_above"]
    first_approver = ""
    if campaign["first_approved_by"] is not None:
        row = (
            await User.select(User.display_name)
            .where(User.id == campaign["first_approved_by"])
            .first()
        )
        first_approver = row["display_name"] if row else ""
    return Review(
        progress=summary,
        lines=lines,
        departments=_groups(summary, "department"),
        sites=_groups(summary, "site"),
        needs_second_approval=limit is not None and summary.total > limit,
        first_approver=first_approver,
    )


@access.checked_by_caller("the campaign comes from get_campaign")
async def close_campaign(viewer: Viewer, campaign: Mapping[str, Any]) -> bool:
    """Stop collecting now (before the closing date); False if it was no longer open."""
    now = utcnow()
    async with write_transaction():
        return await _change_if(
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
async def _change_if(
    viewer: Viewer,
    campaign: Mapping[str, Any],
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
        .where((Campaign.id == campaign["id"]) & condition)
        .returning(Campaign.id)
    )
    if changed:
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign["uuid"],
            organisation_id=campaign["organisation"],
            action=action,
            summary=summary,
        )
    return bool(changed)


# ---------------------------------------------------------------------------
# Approval and consolidation into one order


@dataclass
class Approval:
    """What approving did: the order, a first approval waiting for a second, or why not."""

    order_uuid: UUID | None = None
    waiting_for_second: bool = False
    error: str = ""


def order_lines(
    items: Sequence[OfferedItem],
    choices: Iterable[Mapping[str, Any]],
    skus: Mapping[tuple[int, int, int], int],
) -> dict[tuple[int, Decimal], int]:
    """(SKU id, unit price) -> quantity: every employee's pieces added up per SKU."""
    by_id = {item.id: item for item in items}
    lines: dict[tuple[int, Decimal], int] = defaultdict(int)
    for choice in choices:
        item = by_id[choice["item"]]
        sku_id = skus[(item.style_id, item.colourway_id, choice["size"])]
        lines[(sku_id, choice["unit_price"])] += choice["quantity"]
    return lines


@access.checked_by_caller("the campaign comes from get_campaign")
async def approve(viewer: Viewer, campaign: Mapping[str, Any], reviewed: str) -> Approval:
    """Approve a closed campaign from its totals review: ``reviewed`` is the fingerprint of
    the figures the approver saw, refused if the choices differ now. Above the
    second-approval amount the first approval is recorded and a different person approves
    again; then the campaign becomes one order in the order book (channel "group", one
    line per SKU and price). Approvals that meet (two people at once) are ordered by
    conditional updates of the campaign: one order, and each approval counted once."""
    from partner_portal.orders import services as order_book
    from partner_portal.orders.tables import OrderChannel

    if campaign["status"] == CampaignStatus.ordered:
        return Approval(order_uuid=campaign["order_uuid"])
    if campaign["status"] == CampaignStatus.open and campaign["closes_on"] < today():
        # Past its closing date a campaign is closed by approving it (no extra click), but
        # not by an approval of figures that are no longer the campaign's.
        if reviewed != (await progress(campaign)).fingerprint:
            return _stale_review()
        await close_campaign(viewer, campaign)
        campaign = await campaign_by_id(campaign["id"])
    if campaign["status"] != CampaignStatus.closed:
        return Approval(error=_("Close the campaign before approving it."))
    summary = await progress(campaign)
    if reviewed != summary.fingerprint:
        return _stale_review()
    if summary.total_quantity == 0:
        return Approval(error=_("Nobody has chosen anything yet."))
    if not summary.tipped:
        return Approval(
            error=_(
                "The campaign has %(quantity)s pieces; production needs at least %(minimum)s.",
                quantity=summary.total_quantity,
                minimum=summary.tipping_point,
            )
        )
    limit = campaign["second_approval_above"]
    needs_two = limit is not None and summary.total > limit
    if needs_two and campaign["first_approved_by"] is None:
        if await _record_first_approval(viewer, campaign, summary.total):
            return Approval(waiting_for_second=True)
        # Someone approved first a moment ago: this approval is the second.
        campaign = await campaign_by_id(campaign["id"])
    if needs_two and campaign["first_approved_by"] == viewer.user_id:
        return Approval(error=_("A second person must approve an order of this amount."))
    choices = summary.choices
    skus = await _skus(summary.items)
    missing = [
        f"{item.style_code} {item.size_label(choice['size'])}"
        for choice in choices
        for item in summary.items
        if item.id == choice["item"]
        and (item.style_id, item.colourway_id, choice["size"]) not in skus
    ]
    if missing:
        return Approval(error=_("No SKU for: %(items)s.", items=", ".join(sorted(set(missing)))))
    lines = order_lines(summary.items, choices, skus)
    draft = order_book.OrderDraft(
        buyer_id=campaign["organisation"],
        channel=OrderChannel.group,
        lines=[
            order_book.LineRequest(sku_id=sku_id, quantity=quantity, unit_price=price)
            for (sku_id, price), quantity in sorted(lines.items())
        ],
        ship_to=campaign["ship_to"],
        customer_po=campaign["name"][:60],
        notes=_delivery_note(campaign),
    )
    try:
        # One transaction: the campaign is "ordered" if and only if the order exists.
        async with write_transaction():
            if not await _claim_for_ordering(campaign):
                raise _AlreadyOrdered
            placed = await order_book.place_order(viewer, draft)
            if not placed.saved:
                raise _OrderRefused(placed.errors)
            await _mark_ordered(viewer, campaign, placed.uuid, summary.total_quantity)
    except _OrderRefused as refused:
        return Approval(error="; ".join(refused.errors.values()) or _("The order was refused."))
    except _AlreadyOrdered:
        # Another approval placed the order while this one was checking the figures.
        current = await campaign_by_id(campaign["id"])
        if current["status"] != CampaignStatus.ordered:
            return Approval(error=_("Close the campaign before approving it."))
        return Approval(order_uuid=current["order_uuid"])
    return Approval(order_uuid=placed.uuid)


async def _record_first_approval(
    viewer: Viewer, campaign: Mapping[str, Any], total: Decimal
) -> bool:
    """The first of two approvals, unless another approver's came first (False)."""
    async with write_transaction():
        return await _change_if(
            viewer,
            campaign,
            {Campaign.first_approved_by: viewer.user_id, Campaign.first_approved_at: utcnow()},
            Campaign.first_approved_by.is_null(),
            action="first_approval",
            summary=f"{total} {campaign['currency']}",
        )


@access.checked_by_caller("approve(), on a campaign fetched with get_campaign")
async def _claim_for_ordering(campaign: Mapping[str, Any]) -> bool:
    """Move the campaign from closed to ordered, if no other approval did: on PostgreSQL
    the update waits for a concurrent approval's transaction and then finds it ordered."""
    claimed = await (
        Campaign.update({Campaign.status: CampaignStatus.ordered, Campaign.updated_at: utcnow()})
        .where((Campaign.id == campaign["id"]) & (Campaign.status == CampaignStatus.closed))
        .returning(Campaign.id)
    )
    return bool(claimed)


class _AlreadyOrdered(Exception):
    """Rolls back an approval that found the campaign already ordered."""


def _stale_review() -> Approval:
    return Approval(
        error=_("The totals changed since the review was opened. Check them and approve again.")
    )


class _OrderRefused(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("order refused")
        self.errors = errors


@access.checked_by_caller("the campaign comes from get_campaign")
async def _mark_ordered(
    viewer: Viewer, campaign: Mapping[str, Any], order_uuid: UUID | None, quantity: int
) -> None:
    await Campaign.update(
        {
            Campaign.status: CampaignStatus.ordered,
            Campaign.order_uuid: order_uuid,
            Campaign.updated_at: utcnow(),
        }
    ).where(Campaign.id == campaign["id"])
    await audit_log.record(
        viewer,
        entity_kind=ENTITY,
        entity_uuid=campaign["uuid"],
        organisation_id=campaign["organisation"],
        action="approve",
        summary=f"Order {order_uuid}: {quantity} pieces",
    )


def _delivery_note(campaign: Mapping[str, Any]) -> str:
    mode = campaign["delivery_mode"]
    if mode == DeliveryMode.per_department:
        return "Group campaign: packed per person, delivered per department."
    if mode == DeliveryMode.per_site:
        return "Group campaign: packed per person, delivered per site."
    return "Group campaign: packed per person, delivered in bulk."


async def _skus(items: Sequence[OfferedItem]) -> dict[tuple[int, int, int], int]:
    if not items:
        return {}
    rows = await Sku.select(Sku.id, Sku.style, Sku.colourway, Sku.size).where(
        Sku.colourway.is_in(sorted({item.colourway_id for item in items}))
    )
    return {(row["style"], row["colourway"], row["size"]): row["id"] for row in rows}


# ---------------------------------------------------------------------------
# Packing list


async def packing_list(campaign: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Parcels per department or site (one for bulk delivery), each with its people and
    every person's items in sizes (two queries plus the items)."""
    items = {item.id: item for item in await offered_items(campaign)}
    people = await roster(campaign)
    chosen = await current_choices([person["id"] for person in people])
    mode = campaign["delivery_mode"]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in people:
        picks = chosen.get(person["id"], {})
        if not picks:
            continue
        person["picks"] = [
            {
                "item": items[item_id],
                "size": items[item_id].size_label(choice["size"]),
                "quantity": choice["quantity"],
            }
            for item_id, choice in sorted(picks.items())
        ]
        key = (
            person["department"]
            if mode == DeliveryMode.per_department
            else person["site"]
            if mode == DeliveryMode.per_site
            else ""
        )
        groups[key].append(person)
    return [
        {
            "name": name,
            "people": people_in,
            "pieces": sum(pick["quantity"] for person in people_in for pick in person["picks"]),
        }
        for name, people_in in sorted(groups.items())
    ]


# ---------------------------------------------------------------------------
# Reminders (scheduled job) and demand for suppliers (demand source)


@access.system_query("scheduled job: every open campaign's non-responders")
async def send_reminders(base_url: str, secret: str, now: datetime | None = None) -> int:
    """Remind non-responders of collecting campaigns, at most every REMINDER_INTERVAL.

    Each person is claimed with a conditional update inside the transaction that queues
    their mail, so two scheduler processes never remind the same person twice.
    """
    now = now or utcnow()
    cutoff = now - REMINDER_INTERVAL
    campaigns = await Campaign.select(*Campaign.all_columns()).where(
        (Campaign.status == CampaignStatus.open)
        & (Campaign.opens_on <= now.date())
        & (Campaign.closes_on >= now.date())
    )
    sent = 0
    for campaign in campaigns:
        client = await client_name(campaign["organisation"])
        async with write_transaction():
            claimed = (
                await Employee.update({Employee.reminded_at: now})
                .where(
                    (Employee.campaign == campaign["id"])
                    & (Employee.email != "")
                    & Employee.responded_at.is_null()
                    & Employee.link_sent_at.is_not_null()
                    & (Employee.link_sent_at < cutoff)
                    & (Employee.reminded_at.is_null() | (Employee.reminded_at < cutoff))
                )
                .returning(*Employee.all_columns())
            )
            for employee in claimed:
                await _mail_link(
                    employee, campaign, client, base_url, secret, "group_orders/reminder"
                )
        sent += len(claimed)
    return sent


@access.system_query("demand source: every open campaign's garments, for supplier forecasts")
async def campaign_demand(from_date: date) -> list[DemandLine]:
    """Expected garments of campaigns still collecting: the sizes chosen so far, scaled up
    to the whole roster (people who have not answered will pick like those who have);
    expected in the week after the closing date. Ordered campaigns are in the order book."""
    campaigns = await Campaign.select(*Campaign.all_columns()).where(
        (Campaign.status.is_in([CampaignStatus.open, CampaignStatus.closed]))
        & (Campaign.closes_on >= from_date - timedelta(days=60))
    )
    if not campaigns:
        return []
    ids = [row["id"] for row in campaigns]
    counts = await _roster_counts(ids)
    rows = await Choice.select(
        Choice.quantity,
        Choice.size,
        Choice.employee.campaign.as_alias("campaign"),  # type: ignore[attr-defined]
        Choice.item.style.as_alias("style"),  # type: ignore[attr-defined]
        Choice.item.colourway.as_alias("colourway"),  # type: ignore[attr-defined]
    ).where(Choice.employee.campaign.is_in(ids))  # type: ignore[attr-defined]
    by_campaign = {row["id"]: row for row in campaigns}
    totals: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for row in rows:
        totals[(row["campaign"], row["style"], row["colourway"], row["size"])] += row["quantity"]
    lines = []
    for (campaign_id, style_id, colourway_id, size_id), quantity in sorted(totals.items()):
        campaign = by_campaign[campaign_id]
        roster_size, responded = counts.get(campaign_id, (0, 0))
        scale = Decimal(roster_size) / Decimal(responded) if responded else Decimal(1)
        closes: date = campaign["closes_on"]
        week_start = closes + timedelta(days=7 - closes.weekday())
        lines.append(
            DemandLine(
                style_id=style_id,
                colourway_id=colourway_id,
                size_id=size_id,
                quantity=int((quantity * scale).to_integral_value()),
                week_start=max(week_start, from_date),
                firm=False,
                # Only the people who answered are certain; the rest is extrapolated.
                probability=(Decimal(responded) / Decimal(roster_size)).quantize(Decimal("0.01"))
                if roster_size
                else Decimal("0"),
            )
        )
    return lines


async def response_lines(campaign: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every choice of the campaign, one row per person and item (for the API and exports)."""
    items = {item.id: item for item in await offered_items(campaign)}
    people = await roster(campaign)
    chosen = await current_choices([person["id"] for person in people])
    return [
        {
            "employee_number": person["employee_number"],
            "style_code": items[item_id].style_code,
            "colour": items[item_id].colour,
            "size": items[item_id].size_label(choice["size"]),
            "quantity": choice["quantity"],
            "unit_price": choice["unit_price"],
        }
        for person in people
        for item_id, choice in sorted(chosen.get(person["id"], {}).items())
    ]


PACKING_COLUMNS = (
    "parcel",
    "employee_number",
    "name",
    "department",
    "site",
    "style_code",
    "item",
    "colour",
    "size",
    "quantity",
)


def packing_list_rows(groups: Sequence[Mapping[str, Any]], locale: str) -> list[dict[str, Any]]:
    """The packing list for a workbook: one row per person and item, by parcel."""
    rows = []
    for group in groups:
        for person in group["people"]:
            for pick in person["picks"]:
                item: OfferedItem = pick["item"]
                rows.append(
                    {
                        "parcel": group["name"],
                        "employee_number": person["employee_number"],
                        "name": person["name"],
                        "department": person["department"],
                        "site": person["site"],
                        "style_code": item.style_code,
                        "item": item.name(locale),
                        "colour": item.colour,
                        "size": pick["size"],
                        "quantity": pick["quantity"],
                    }
                )
    return rows


async def partner_panel(viewer: Viewer, organisation: dict[str, Any]) -> dict[str, Any] | None:
    """The corporate client's campaigns on its partner 360 page (group clients only)."""
    if organisation["kind"] != OrganisationKind.group_client or not viewer.can(
        GroupOrderAction.view_group_campaigns
    ):
        return None
    query = scoped_group(
        Campaign.select(*Campaign.all_columns()), viewer, Campaign.organisation
    ).where(Campaign.organisation == organisation["id"])
    campaigns = await query.order_by(Campaign.closes_on, ascending=False).limit(10)
    counts = await _roster_counts([row["id"] for row in campaigns])
    for row in campaigns:
        row["roster"], row["responded"] = counts.get(row["id"], (0, 0))
    return {"campaigns": campaigns, "organisation": organisation}


ROSTER_PAGE_SIZE = 100


@dataclass
class RosterPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    search: str
    waiting_only: bool


@access.checked_by_caller("the campaign comes from get_campaign")
async def roster_page(
    campaign: Mapping[str, Any], search: str = "", waiting_only: bool = False, page: int = 1
) -> RosterPage:
    """One page of the roster (a campaign may have 20,000 people), found by name, number,
    department or e-mail, optionally only those who have not answered (two queries)."""
    condition = Employee.campaign == campaign["id"]
    search = search.strip()[:100]
    if search:
        columns = (Employee.name, Employee.employee_number, Employee.department, Employee.email)
        matches = [contains_text(column, search) for column in columns]
        condition &= matches[0] | matches[1] | matches[2] | matches[3]
    if waiting_only:
        condition &= Employee.responded_at.is_null()
    total = await Employee.count().where(condition)
    pages = max(1, -(-total // ROSTER_PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = (
        await Employee.select(*Employee.all_columns())
        .where(condition)
        .order_by(Employee.department)
        .order_by(Employee.employee_number)
        .limit(ROSTER_PAGE_SIZE)
        .offset((page - 1) * ROSTER_PAGE_SIZE)
    )
    return RosterPage(rows, total, page, pages, search, waiting_only)
