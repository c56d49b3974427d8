"""group_orders in the access matrix: a group client sees its own campaigns only, a KAM
those of the partners they own, the brand's admins and staff all, other partners none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from group_orders import links
from group_orders.tables import Campaign, Employee
from tests.access_matrix import (
    BRAND_MEMBERS,
    KAMS,
    OK,
    SEES,
    Route,
    Rule,
    Subject,
    SubjectContext,
    only,
)

VIEWERS = BRAND_MEMBERS | {"client"}
# Every KAM may start a campaign (for the clients they own); brand staff only read.
MANAGERS = frozenset({"admin", "client"}) | KAMS


def on_campaign(managing: bool) -> Rule:
    """A campaign's row: 404 unless its client is visible and the role reads campaigns,
    then 403 for a change the role may not make."""

    def rule(member: str, target: str | None) -> int | str:
        if target not in SEES[member] or member not in VIEWERS:
            return 404
        return OK if not managing or member in MANAGERS else 403

    return rule


view, manage = on_campaign(False), on_campaign(True)
C = "/group-orders/{campaign_id:uuid}"
E = "/group-orders/employees/{employee_id:uuid}"

ROUTES: dict[str, Route] = {
    "GET /group-orders": Route(only(VIEWERS)),
    "GET /group-orders/new": Route(only(MANAGERS)),
    "POST /group-orders/new": Route(only(MANAGERS)),
    f"GET {C}": Route(view, "campaign"),
    f"GET {C}/packing-list": Route(view, "campaign"),
    f"GET {C}/packing-list.pdf": Route(view, "campaign"),
    f"GET {C}/packing-list.xlsx": Route(view, "campaign"),
    f"GET {C}/edit": Route(manage, "campaign"),
    f"POST {C}/edit": Route(manage, "campaign"),
    f"POST {C}/items": Route(manage, "campaign"),
    f"POST {C}/close": Route(manage, "campaign"),
    f"GET {C}/review": Route(manage, "campaign"),
    f"POST {C}/approve": Route(manage, "campaign"),
    f"POST {C}/send-links": Route(manage, "campaign"),
    f"GET {C}/remind": Route(manage, "campaign"),
    f"POST {C}/approvers": Route(manage, "campaign"),
    f"GET {C}/payroll.xlsx": Route(manage, "campaign"),
    f"POST {C}/extend": Route(manage, "campaign"),
    f"POST {C}/cancel": Route(manage, "campaign"),
    f"POST {C}/remind": Route(manage, "campaign"),
    f"GET {C}/link-sheet": Route(manage, "campaign"),
    f"GET {C}/roster": Route(manage, "campaign"),
    f"POST {C}/roster": Route(manage, "campaign"),
    f"POST {C}/roster/import": Route(manage, "campaign"),
    f"GET {C}/roster-template.csv": Route(manage, "campaign"),
    f"GET {E}": Route(manage, "employee"),
    f"POST {E}": Route(manage, "employee"),
    f"POST {E}/remove": Route(manage, "employee"),
    f"GET {E}/choices": Route(manage, "employee"),
    f"POST {E}/choices": Route(manage, "employee"),
    "GET /api/v1/group-campaigns": Route(only(VIEWERS)),
    "GET /api/v1/group-campaigns/{campaign_id:uuid}": Route(view, "campaign"),
    "GET /api/v1/group-campaigns/{campaign_id:uuid}/employees": Route(manage, "campaign"),
    "POST /api/v1/group-campaigns/{campaign_id:uuid}/employees": Route(manage, "campaign"),
    "GET /api/v1/group-campaigns/{campaign_id:uuid}/responses": Route(manage, "campaign"),
}
# The employee's personal link: no account, the signed token is the key.
PUBLIC = {"GET /g/{token:str}", "POST /g/{token:str}"}


async def campaign(context: SubjectContext, target: str | None) -> Any:
    key = f"campaign:{target}"
    if key not in context.cache:
        organisation = context.cast.organisations()[str(target)]
        today = datetime.now(UTC).date()
        row = (
            await Campaign.insert(
                Campaign(
                    organisation=organisation.id,
                    name=f"Campaign of {target}",
                    currency="CNY",
                    opens_on=today - timedelta(days=1),
                    closes_on=today + timedelta(days=10),
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                )
            )
            .returning(Campaign.id, Campaign.uuid)
            .run()
        )
        context.cache[key] = row[0]
    return context.cache[key]["uuid"]


async def employee(context: SubjectContext, target: str | None) -> Any:
    # Recreated when a request removed it.
    await campaign(context, target)
    key = f"employee:{target}"
    existing = context.cache.get(key)
    if existing and await Employee.exists().where(Employee.uuid == existing):
        return existing
    parent = context.cache[f"campaign:{target}"]
    row = (
        await Employee.insert(
            Employee(
                campaign=parent["id"],
                organisation=context.cast.organisations()[str(target)].id,
                employee_number=f"E-{len(context.cache)}",
                name="王小明",
                email="employee@client.test",
                link_key=links.new_link_key(),
                created_at=datetime.now(UTC),
            )
        )
        .returning(Employee.uuid)
        .run()
    )
    context.cache[key] = row[0]["uuid"]
    return context.cache[key]


# A second campaign for another organisation shows that a client never sees other companies'.
SUBJECTS = {
    "campaign": Subject(campaign, ("bank", "distributor_b")),
    "employee": Subject(employee, ("bank", "distributor_b")),
}
