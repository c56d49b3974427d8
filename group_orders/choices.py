"""What an employee chooses: their entitlement, size suggestions and saving their choices."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from group_orders import forms, sizing
from group_orders.campaigns import ENTITY, category_allotments, is_collecting, today
from group_orders.offer import OfferedItem, offered_items
from group_orders.records import CampaignRecord, CategoryLeft, ChoiceRecord, EmployeeRecord
from group_orders.tables import (
    CampaignStatus,
    Choice,
    Employee,
    EntitlementKind,
    OverAllowance,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.size_charts import SizeChartRecord
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.labels import label


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


def items_for(items: Sequence[OfferedItem], employee: EmployeeRecord) -> list[OfferedItem]:
    """The items offered to this employee: an item for one gender or one role goes only to
    the people of that gender or role (roles compared without case or spaces around)."""
    role = employee.job_role.strip().casefold()
    return [
        item
        for item in items
        if (not item.gender or item.gender == employee.gender)
        and (not item.job_role or item.job_role.strip().casefold() == role)
    ]


@access.checked_by_caller("employees of a campaign its caller fetched")
async def current_choices(employee_ids: Sequence[int]) -> dict[int, dict[int, ChoiceRecord]]:
    """employee id -> item id -> choice, for many employees in one query."""
    if not employee_ids:
        return {}
    rows = await Choice.select(*Choice.all_columns()).where(
        Choice.employee.is_in(list(employee_ids))
    )
    found: dict[int, dict[int, ChoiceRecord]] = defaultdict(dict)
    for choice in ChoiceRecord.from_rows(rows):
        found[choice.employee][choice.item] = choice
    return found


@dataclass
class ChoiceForm:
    """The employee page: their items, current choices, what is left, and the messages."""

    employee: EmployeeRecord
    campaign: CampaignRecord
    items: list[OfferedItem]
    values: dict[str, str]
    settlement: Settlement
    suggestions: dict[int, int]  # item id -> suggested size id
    collecting: bool
    per_category: dict[str, int] = field(default_factory=dict)  # category -> pieces allowed
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def categories_left(self) -> list[CategoryLeft]:
        """Each limited category of this person's items: allowed, chosen and left."""
        offered = {item.category for item in self.items}
        return [
            CategoryLeft(
                category=category,
                allotment=allotment,
                chosen=self.settlement.per_category.get(category, 0),
                left=max(0, allotment - self.settlement.per_category.get(category, 0)),
                error=self.errors.get(category_error_key(category), ""),
            )
            for category, allotment in sorted(self.per_category.items())
            if category in offered
        ]

    def charts_shown(self, item: OfferedItem) -> list[SizeChartRecord]:
        """The size charts the person sees for an item: the one of their gender (or the
        unisex one); every chart of the style when nobody said their gender."""
        gender = item.gender or self.employee.gender
        chart = item.chart_for(gender)
        if chart is not None:
            return [chart]
        return [] if gender else list(item.charts)

    @property
    def allowance_left(self) -> Decimal | None:
        if self.campaign.entitlement != EntitlementKind.allowance:
            return None
        return max(Decimal("0"), (self.campaign.allowance or Decimal("0")) - self.settlement.total)


def suggested_size(
    item: OfferedItem,
    gender: str,
    height: float | None,
    chest: float | None,
    waist: float | None,
) -> int | None:
    """The size id suggested for a person of ``gender`` ("" unknown) with these
    measurements: by the style's chart for that gender where it has one, else by the
    size labels."""
    chart = item.chart_for(gender)
    fits = [sizing.chart_fit(size["fit"], chart, size["id"]) for size in item.sizes]
    label = sizing.suggest_size(fits, height, chest, waist)
    return next((size["id"] for size in item.sizes if size["label"] == label), None)


def _suggestions(items: Sequence[OfferedItem], employee: EmployeeRecord) -> dict[int, int]:
    """item id -> the size id suggested from the employee's measurements."""
    suggested = {}
    for item in items:
        size_id = suggested_size(
            item,
            employee.gender,
            employee.height_cm,
            employee.chest_cm,
            employee.waist_cm,
        )
        if size_id is not None:
            suggested[item.id] = size_id
    return suggested


async def choice_form(employee: EmployeeRecord, campaign: CampaignRecord) -> ChoiceForm:
    items = items_for(await offered_items(campaign), employee)
    per_category = await category_allotments(campaign.id)
    chosen = (await current_choices([employee.id])).get(employee.id, {})
    values: dict[str, str] = {
        "height_cm": str(employee.height_cm or ""),
        "chest_cm": str(employee.chest_cm or ""),
        "waist_cm": str(employee.waist_cm or ""),
    }
    picks = []
    for item in items:
        choice = chosen.get(item.id)
        values[f"size_{item.uuid}"] = str(choice.size) if choice else ""
        values[f"qty_{item.uuid}"] = str(choice.quantity) if choice else "0"
        if choice:
            picks.append(
                Pick(item.uuid, item.allotment, choice.quantity, choice.unit_price, item.category)
            )
    settlement = settle(
        campaign.entitlement,
        campaign.allowance,
        campaign.over_allowance,
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


def _measurements(data: Mapping[str, str]) -> dict[str, int | None]:
    return {
        "height_cm": forms.parse_measurement(data.get("height_cm", ""), 90, 220),
        "chest_cm": forms.parse_measurement(data.get("chest_cm", ""), 50, 160),
        "waist_cm": forms.parse_measurement(data.get("waist_cm", ""), 40, 160),
    }


async def suggestion_form(
    employee: EmployeeRecord, campaign: CampaignRecord, data: Mapping[str, str]
) -> ChoiceForm:
    """The form again with sizes suggested from the submitted measurements; saves nothing.
    What was typed stays; an item without a size yet gets the suggested one and, if no
    pieces were entered, one piece (which the employee may change before saving)."""
    form = await choice_form(employee.replace(**_measurements(data)), campaign)
    form.employee = employee
    form.values.update({key: value for key, value in data.items() if value})
    for item in form.items:
        suggested = form.suggestions.get(item.id)
        if suggested is None or form.values.get(f"size_{item.uuid}"):
            continue
        form.values[f"size_{item.uuid}"] = str(suggested)
        if whole_number(form.values.get(f"qty_{item.uuid}") or "0") == 0 and item.allotment:
            form.values[f"qty_{item.uuid}"] = "1"
    return form


@dataclass(frozen=True)
class _NewChoice:
    item: OfferedItem
    size_id: int
    quantity: int
    unit_price: Decimal


def _read_choices(form: ChoiceForm, data: Mapping[str, str]) -> list[_NewChoice]:
    """The pieces the form asks for, each item checked (size, price); problems go into
    form.errors by item."""
    chosen = []
    for item in form.items:
        key = str(item.uuid)
        quantity = whole_number((data.get(f"qty_{key}") or "0").strip())
        if quantity is None:
            form.errors[key] = _("Enter a number of pieces.")
            continue
        if quantity == 0:
            continue
        size_id = whole_number(data.get(f"size_{key}") or "") or 0
        price = item.price_of(size_id)
        if not size_id or not item.size_label(size_id):
            form.errors[key] = _("Choose a size.")
        elif price is None:
            form.errors[key] = _("This size has no price yet; ask your administrator.")
        else:
            chosen.append(_NewChoice(item, size_id, quantity, price))
    return chosen


@access.checked_by_caller("the employee comes from their signed link or get_employee")
async def save_choices(
    employee: EmployeeRecord,
    campaign: CampaignRecord,
    data: Mapping[str, str],
    entered_by: Viewer | None = None,
) -> ChoiceForm:
    """Replace an employee's choices with the submitted ones, if the campaign is collecting
    and the entitlement allows them; with ``entered_by`` the client admin entered them
    (recorded on the employee and in the audit log). Returns the form to show again.

    Saving no piece at all withdraws the answer: the employee counts as not answered
    (and is reminded) until they choose something."""
    form = await choice_form(employee, campaign)
    form.values.update({key: str(value) for key, value in data.items()})
    measurements = _measurements(data)
    for name, value in measurements.items():
        if data.get(name, "").strip() and value is None:
            form.errors[name] = _("Enter your measurement in whole centimetres.")
    if not form.collecting and entered_by is None:
        form.errors["campaign"] = _("This campaign is closed; your choices can no longer change.")
    if entered_by is not None and campaign.status != CampaignStatus.open:
        form.errors["campaign"] = _("This campaign is closed; choices can no longer change.")
    chosen = _read_choices(form, data)
    form.settlement = settle(
        campaign.entitlement,
        campaign.allowance,
        campaign.over_allowance,
        [
            Pick(row.item.uuid, row.item.allotment, row.quantity, row.unit_price, row.item.category)
            for row in chosen
        ],
        form.per_category,
    )
    form.errors.update(form.settlement.errors)
    if form.errors:
        return form
    await _store_choices(employee, campaign, chosen, measurements, entered_by)
    saved = await Employee.select(*Employee.all_columns()).where(Employee.id == employee.id).first()
    assert saved is not None
    fresh = await choice_form(EmployeeRecord.from_row(saved), campaign)
    fresh.values.update({"saved": "1" if chosen else "nothing"})
    return fresh


@access.checked_by_caller("save_choices(), for an employee its caller fetched")
async def _store_choices(
    employee: EmployeeRecord,
    campaign: CampaignRecord,
    chosen: Sequence[_NewChoice],
    measurements: Mapping[str, int | None],
    entered_by: Viewer | None,
) -> None:
    now = utcnow()
    async with write_transaction():
        await Choice.delete().where(Choice.employee == employee.id)
        if chosen:
            await Choice.insert(
                *(
                    Choice(
                        employee=employee.id,
                        item=row.item.id,
                        organisation=campaign.organisation,
                        size=row.size_id,
                        quantity=row.quantity,
                        unit_price=row.unit_price,
                        chosen_at=now,
                    )
                    for row in chosen
                )
            ).run()
        updates: dict[Any, Any] = {
            Employee.responded_at: now if chosen else None,
            Employee.height_cm: measurements["height_cm"],
            Employee.chest_cm: measurements["chest_cm"],
            Employee.waist_cm: measurements["waist_cm"],
            Employee.entered_by: entered_by.user_id if entered_by else None,
        }
        await Employee.update(updates).where(Employee.id == employee.id)
        if entered_by is not None:
            await audit_log.record(
                entered_by,
                entity_kind=ENTITY,
                entity_uuid=campaign.uuid,
                organisation_id=campaign.organisation,
                action="enter_choices",
                summary=f"{employee.employee_number} {employee.name}: "
                + (
                    ", ".join(
                        f"{row.item.style_code} {row.item.size_label(row.size_id)} x{row.quantity}"
                        for row in chosen
                    )
                    or "nothing"
                ),
            )
