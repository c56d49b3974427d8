"""The scheduler's routes (and the kernel's notification pages it added) in the access
matrix. Follow-ups are the brand's: its users see those of partners they see, a partner's
users never do; only the owner (here the partner's KAM), their manager and brand admins
change one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from partner_portal.notifications.tables import OutboxEmail
from scheduler.services import create_follow_up
from tests.access_matrix import (
    BRAND_MEMBERS,
    OK,
    PARTNER_EDITORS,
    SEES,
    Route,
    Subject,
    SubjectContext,
    anyone,
    only,
)

# Who owns each partner's follow-ups in the matrix (the partner's owner), and their manager.
OWNER = {
    "distributor_a": "kam",
    "retailer_a": "kam",
    "bank": "kam",
    "distributor_b": "other_kam",
    "mill": "other_kam",
}
MANAGER = {"kam": "kam_manager"}


def view_follow_up(member: str, target: str | None) -> int | str:
    assert target is not None
    if target not in SEES[member]:
        return 404
    return OK if member in BRAND_MEMBERS else 403


def change_follow_up(member: str, target: str | None) -> int | str:
    assert target is not None
    if target not in SEES[member]:
        return 404
    owner = OWNER[target]
    return OK if member in ("admin", owner, MANAGER.get(owner)) else 403


ADMIN = only({"admin"})

ROUTES: dict[str, Route] = {
    "GET /agenda": Route(only(BRAND_MEMBERS)),
    "GET /agenda/more": Route(only(BRAND_MEMBERS)),
    "GET /agenda/calendar": Route(only(BRAND_MEMBERS)),
    "GET /follow-ups/new": Route(only(PARTNER_EDITORS)),
    "POST /follow-ups/new": Route(only(PARTNER_EDITORS)),
    "GET /follow-ups/{follow_up_id:uuid}": Route(view_follow_up, "follow_up"),
    "GET /follow-ups/{follow_up_id:uuid}/actions": Route(change_follow_up, "follow_up"),
    "GET /follow-ups/{follow_up_id:uuid}/edit": Route(change_follow_up, "follow_up"),
    "POST /follow-ups/{follow_up_id:uuid}/edit": Route(change_follow_up, "follow_up"),
    "POST /follow-ups/{follow_up_id:uuid}/complete": Route(change_follow_up, "follow_up"),
    "POST /follow-ups/{follow_up_id:uuid}/snooze": Route(change_follow_up, "follow_up"),
    "POST /follow-ups/{follow_up_id:uuid}/reschedule": Route(change_follow_up, "follow_up"),
    "POST /follow-ups/{follow_up_id:uuid}/skip": Route(change_follow_up, "follow_up"),
    "POST /follow-ups/{follow_up_id:uuid}/occurrence": Route(change_follow_up, "follow_up"),
    "POST /follow-ups/{follow_up_id:uuid}/reassign": Route(change_follow_up, "follow_up"),
    "GET /api/v1/follow-ups": Route(only(BRAND_MEMBERS)),
    "GET /api/v1/follow-ups/{follow_up_id:uuid}": Route(view_follow_up, "follow_up"),
    "POST /api/v1/follow-ups": Route(only(PARTNER_EDITORS)),
    "POST /api/v1/follow-ups/{follow_up_id:uuid}/complete": Route(change_follow_up, "follow_up"),
    "GET /scheduler/jobs": Route(ADMIN),
    "POST /scheduler/jobs/run": Route(ADMIN),
    "GET /scheduler/rules": Route(ADMIN),
    "POST /scheduler/rules": Route(ADMIN),
    "GET /account/calendar": Route(only(BRAND_MEMBERS)),
    "POST /account/calendar/rotate": Route(only(BRAND_MEMBERS)),
    "POST /account/calendar/revoke": Route(only(BRAND_MEMBERS)),
    # The kernel's notification pages (partner_portal/notifications/controllers.py).
    "GET /notifications": Route(anyone),
    "GET /notifications/bell": Route(anyone),
    "POST /notifications/read": Route(anyone),
    "GET /account/email": Route(anyone),
    "POST /account/email": Route(anyone),
    "GET /outbox/failed": Route(ADMIN),
    "POST /outbox/{mail_id:uuid}/retry": Route(ADMIN, "failed_mail"),
}


async def follow_up(context: SubjectContext, target: str | None) -> Any:
    """A fresh open follow-up on the target partner, owned by its KAM (actions change it)."""
    organisation = context.cast.organisations()[str(target)]
    return await create_follow_up(
        organisation_id=organisation.id,
        owner_id=context.cast.users[OWNER[str(target)]].id,
        title="致电",
        due_at=datetime(2026, 6, 1, 1, 0, tzinfo=UTC),
    )


async def failed_mail(context: SubjectContext, target: str | None) -> Any:
    now = datetime.now(UTC)
    rows = await OutboxEmail.insert(
        OutboxEmail(
            kind="test",
            recipient="nobody@example.test",
            subject="S",
            body_text="T",
            state="failed",
            attempts=10,
            next_attempt_at=now,
            created_at=now,
        )
    ).returning(OutboxEmail.uuid)
    return rows[0]["uuid"]


SUBJECTS: dict[str, Subject] = {
    "follow_up": Subject(
        follow_up, ("distributor_a", "distributor_b", "retailer_a", "mill", "bank")
    ),
    "failed_mail": Subject(failed_mail),
}
