"""A campaign's roster: the employees, entered one by one or imported from a sheet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from group_orders import forms, links
from group_orders.access import VisibleCampaign, VisibleEmployee
from group_orders.campaigns import ENTITY, campaign_by_id
from group_orders.records import CampaignRecord, EmployeeRecord
from group_orders.tables import (
    CampaignStatus,
    Employee,
)
from partner_portal import access, spreadsheets
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.spreadsheets import RowError


@access.checked_by_caller("the campaign comes from get_campaign")
async def roster(campaign: CampaignRecord) -> list[EmployeeRecord]:
    return EmployeeRecord.from_rows(
        await Employee.select(*Employee.all_columns())
        .where(Employee.campaign == campaign.id)
        .order_by(Employee.department)
        .order_by(Employee.employee_number)
    )


async def roster_after(
    campaign: VisibleCampaign, after: int | None, limit: int
) -> list[EmployeeRecord]:
    """Up to ``limit`` people of the roster in the order they joined it, after the one
    whose id is ``after`` (the API's keyset paging: a roster may hold 20,000 people)."""
    query = Employee.select(*Employee.all_columns()).where(Employee.campaign == campaign.id)
    if after is not None:
        query = query.where(Employee.id > after)
    return EmployeeRecord.from_rows(await query.order_by(Employee.id).limit(limit))


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


def _may_change_roster(campaign: CampaignRecord) -> bool:
    return campaign.status == CampaignStatus.open


async def add_employee(
    viewer: Viewer, campaign: VisibleCampaign, data: Mapping[str, str]
) -> SaveResult:
    values, errors = forms.parse_employee(data)
    if not _may_change_roster(campaign):
        errors["employee_number"] = _("The roster can only change while the campaign is open.")
    if errors or values is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        taken = await Employee.exists().where(
            (Employee.campaign == campaign.id)
            & (Employee.employee_number == values.employee_number)
        )
        if taken:
            return SaveResult(
                errors={"employee_number": _("This employee number is already on the roster.")}
            )
        row = (
            await Employee.insert(
                Employee(
                    campaign=campaign.id,
                    organisation=campaign.organisation,
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
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action="add_employee",
            summary=f"{values.employee_number} {values.name}",
        )
    return SaveResult(uuid=row[0]["uuid"])


async def update_employee(
    viewer: Viewer, employee: VisibleEmployee, data: Mapping[str, str]
) -> SaveResult:
    campaign = await campaign_by_id(employee.campaign)
    values, errors = forms.parse_employee(data)
    if not _may_change_roster(campaign):
        errors["employee_number"] = _("The roster can only change while the campaign is open.")
    if errors or values is None:
        return SaveResult(errors=errors)
    new_values = _employee_values(values)
    async with write_transaction():
        taken = await Employee.exists().where(
            (Employee.campaign == campaign.id)
            & (Employee.employee_number == values.employee_number)
            & (Employee.id != employee.id)
        )
        if taken:
            return SaveResult(
                errors={"employee_number": _("This employee number is already on the roster.")}
            )
        await Employee.update(new_values).where(Employee.id == employee.id)
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action="update_employee",
            changes=audit_log.changes_between(
                {name: getattr(employee, name) for name in new_values}, new_values
            ),
            summary=values.employee_number,
        )
    return SaveResult(uuid=employee.uuid)


async def remove_employee(viewer: Viewer, employee: VisibleEmployee) -> bool:
    """Take someone off an open campaign's roster, with their choices."""
    campaign = await campaign_by_id(employee.campaign)
    if not _may_change_roster(campaign):
        return False
    async with write_transaction():
        await Employee.delete().where(Employee.id == employee.id)
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action="remove_employee",
            summary=f"{employee.employee_number} {employee.name}",
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
    viewer: Viewer, campaign: CampaignRecord, content: bytes, filename: str = ""
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
                Employee.campaign == campaign.id
            )
        }
        new_rows = [
            Employee(
                campaign=campaign.id,
                organisation=campaign.organisation,
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
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action="import_roster",
            summary=f"{result.created} added, {result.updated} updated",
        )
    return result


ROSTER_PAGE_SIZE = 100


@dataclass
class RosterPage:
    rows: list[EmployeeRecord]
    total: int
    page: int
    pages: int
    search: str
    waiting_only: bool


async def roster_page(
    campaign: VisibleCampaign, search: str = "", waiting_only: bool = False, page: int = 1
) -> RosterPage:
    """One page of the roster (a campaign may have 20,000 people), found by name, number,
    department or e-mail, optionally only those who have not answered (two queries)."""
    condition: Any = Employee.campaign == campaign.id
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
    rows = EmployeeRecord.from_rows(
        await Employee.select(*Employee.all_columns())
        .where(condition)
        .order_by(Employee.department)
        .order_by(Employee.employee_number)
        .limit(ROSTER_PAGE_SIZE)
        .offset((page - 1) * ROSTER_PAGE_SIZE)
    )
    return RosterPage(rows, total, page, pages, search, waiting_only)
