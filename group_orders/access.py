"""Who sees and runs group-order campaigns: the corporate client's users their own, a KAM
those of the partners they own, the brand's admins and staff all (staff only read them).
Every campaign row (its roster, items, allotments and choices too) carries the client
organisation, so one rule scopes them all."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.columns.combination import Combinable

from group_orders.records import CampaignRecord, EmployeeRecord
from group_orders.tables import (
    Campaign,
    CampaignApprover,
    CampaignItem,
    CategoryAllotment,
    Choice,
    Employee,
)
from partner_portal.access import (
    ActionSet,
    ScopedTable,
    Viewer,
    fetch_one,
    narrow,
    organisation_filter,
)


class VisibleCampaign(CampaignRecord, frozen=True):
    """A campaign the access policy fetched for a viewer, made only by get_campaign.

    A subclass rather than the NewType docs/CONVENTIONS.md describes: mypy 2.4 crashes on
    a NewType of a msgspec struct (its dataclass-transform plugin); the guarantee is the same.
    """


class VisibleEmployee(EmployeeRecord, frozen=True):
    """A roster entry the access policy fetched for a viewer, made only by get_employee."""


class GroupOrderAction(ActionSet):
    view_group_campaigns = "group_orders.view_group_campaigns", "See group-order campaigns"
    manage_group_campaigns = (
        "group_orders.manage_group_campaigns",
        "Run campaigns: rosters, items, links, approval, ordering",
    )


# Every campaign row carries the client organisation.
SCOPED_TABLES = (
    ScopedTable(Campaign, Campaign.organisation),
    ScopedTable(CampaignItem, CampaignItem.organisation),
    ScopedTable(CategoryAllotment, CategoryAllotment.organisation),
    ScopedTable(Employee, Employee.organisation),
    ScopedTable(Choice, Choice.organisation),
    ScopedTable(CampaignApprover, CampaignApprover.organisation),
)


def group_campaign_filter(viewer: Viewer, reference: Any) -> Combinable | None:
    """Campaign rows (or their roster, items, choices: ``reference`` is the row's
    organisation column) the viewer may see: a group client its own, a KAM those of the
    partners they own, the brand's admins and staff all, anyone else none."""
    if not viewer.can(GroupOrderAction.view_group_campaigns):
        return reference < 0  # type: ignore[no-any-return]
    return organisation_filter(viewer, reference)


def scoped_group(query: Any, viewer: Viewer, reference: Any) -> Any:
    return narrow(query, group_campaign_filter(viewer, reference))


async def get_campaign(
    viewer: Viewer,
    campaign_uuid: UUID,
    action: ActionSet = GroupOrderAction.view_group_campaigns,
) -> VisibleCampaign:
    """One campaign the viewer may see (404 otherwise), checked for the action (403)."""
    query = scoped_group(
        Campaign.select(*Campaign.all_columns()), viewer, Campaign.organisation
    ).where(Campaign.uuid == campaign_uuid)
    row = await fetch_one(viewer, query, "No such campaign.", action, "organisation")
    return VisibleCampaign.from_row(row)


async def get_employee(
    viewer: Viewer,
    employee_uuid: UUID,
    action: ActionSet = GroupOrderAction.view_group_campaigns,
) -> tuple[VisibleEmployee, VisibleCampaign]:
    """One roster entry the viewer may see (404 otherwise), checked for the action (403),
    and its campaign (which the viewer sees too: it carries the same organisation)."""
    query = scoped_group(
        Employee.select(
            *Employee.all_columns(), Employee.campaign._.uuid.as_alias("campaign_uuid")
        ),
        viewer,
        Employee.organisation,
    ).where(Employee.uuid == employee_uuid)
    row = await fetch_one(viewer, query, "No such employee.", action, "organisation")
    return VisibleEmployee.from_row(row), await get_campaign(viewer, row["campaign_uuid"])
