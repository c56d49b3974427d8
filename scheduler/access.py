"""Who sees and changes follow-ups and agendas, and who runs the scheduler.

Follow-ups are the brand's working notes on a partner: the brand's users see those of the
partners they see; a partner's own users never do. Only the follow-up's owner, the owner's
manager and brand admins change one. KAMs and admins create them; brand staff read them.
The scheduler's pages belong to brand admins.
"""

from __future__ import annotations

from uuid import UUID

from litestar.exceptions import PermissionDeniedException
from piccolo.columns.combination import Combinable

from partner_portal.access import ActionSet, ScopedTable, Viewer, fetch_one, scoped
from partner_portal.partners.tables import Role, User
from scheduler.records import FOLLOW_UP_COLUMNS, FollowUpRecord
from scheduler.tables import FollowUp, FollowUpCause, FollowUpSeries


class SchedulerAction(ActionSet):
    view_follow_ups = "scheduler.view_follow_ups", "See follow-ups and agendas"
    manage_follow_ups = "scheduler.manage_follow_ups", "Plan and change follow-ups"
    manage_scheduler = "scheduler.manage_scheduler", "See and run the scheduled jobs"


SCOPED_TABLES = (
    ScopedTable(FollowUp, FollowUp.organisation),
    ScopedTable(FollowUpSeries, FollowUpSeries.organisation),
    ScopedTable(FollowUpCause, FollowUpCause.organisation),
)


def may_change_follow_up(
    viewer: Viewer, owner_id: int | None, owner_manager_id: int | None
) -> bool:
    """The owner, the owner's manager and brand admins change a follow-up."""
    if not viewer.can(SchedulerAction.manage_follow_ups):
        return False
    return viewer.role == Role.brand_admin or viewer.user_id in (owner_id, owner_manager_id)


class VisibleFollowUp(FollowUpRecord, frozen=True):
    """A follow-up the viewer may see: made only by get_follow_up. A subclass rather than
    a NewType: mypy (2.4) crashes on a NewType of a msgspec struct."""


async def get_follow_up(
    viewer: Viewer, follow_up_uuid: UUID, action: ActionSet = SchedulerAction.view_follow_ups
) -> VisibleFollowUp:
    """One follow-up of a partner the viewer may see (404 otherwise), with its partner and
    owner names, checked for the action (403): manage_follow_ups also needs the viewer to
    be its owner, their manager or a brand admin."""
    query = scoped(FollowUp.select(*FOLLOW_UP_COLUMNS), viewer, FollowUp.organisation).where(
        FollowUp.uuid == follow_up_uuid
    )
    row = await fetch_one(viewer, query, "No such follow-up.", action, "organisation")
    may_change = may_change_follow_up(viewer, row["owner"], row["owner_manager"])
    if action == SchedulerAction.manage_follow_ups and not may_change:
        raise PermissionDeniedException("Only its owner, their manager or an admin changes it.")
    return VisibleFollowUp.for_reader(row, may_change)


def agenda_owner_filter(viewer: Viewer) -> Combinable | None:
    """Whose agenda the viewer may open: a KAM their own and their team's (the users they
    manage); brand admins and staff everyone's; None means all."""
    if viewer.role in (Role.brand_admin, Role.brand_staff):
        return None
    return (User.id == viewer.user_id) | (User.manager == viewer.user_id)
