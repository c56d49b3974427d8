"""Follow-ups: the public API other modules use to plan work for the brand's people.

Public for other modules (docs/ARCHITECTURE.md §3: modules import the kernel and this file only):
- ``create_follow_up(...)``: plan a follow-up (for example when a contract is sent for
  signature, "chase the signature in 7 days");
- ``ensure_open_follow_up(...)``: the same, at most once per (rule, subject, episode),
  however often it is called: the rules use it, and so may another module's job;
- ``insert_rule_follow_ups([RuleFollowUp(...), ...])``: its bulk form for jobs that find
  many at once (one statement; returns how many were new).
Both may run inside the caller's write_transaction() (then the follow-up exists if and
only if the caller's change commits) or outside it (they open their own).

What a viewer does with one follow-up is in ``scheduler.follow_ups``; the agenda, the
calendar and the partner panel in ``scheduler.agenda``.

A ``recurrence`` (an RFC 5545 RRULE) makes a series (scheduler.recurrence) on the owner's
wall clock, so "every Monday 09:00" stays at 09:00 when daylight saving time starts or ends.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from piccolo.columns import Column

from partner_portal import access, messages
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.notifications.inbox import NewNotification, notify
from partner_portal.partners.tables import User
from partner_portal.settings import current_settings
from scheduler import forms
from scheduler.records import CreatedFollowUp, StoredFollowUp
from scheduler.tables import FollowUp, FollowUpKind, FollowUpSeries, FollowUpState, Priority

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# The public API for other modules


async def create_follow_up(
    *,
    organisation_id: int,
    owner_id: int,
    title: str,
    due_at: datetime,
    kind: str = FollowUpKind.task,
    notes: str = "",
    priority: str = Priority.normal,
    subject_kind: str = "",
    subject_uuid: UUID | None = None,
    recurrence: str = "",
    remind_minutes: int = forms.DEFAULT_REMIND_MINUTES,
    actor: Viewer | None = None,
    title_params: Mapping[str, Any] | None = None,
) -> UUID:
    """Plan a follow-up on a partner for ``owner_id`` (a brand user) and return its UUID.

    ``title_params`` given, ``title`` is a message id marked with N_ (RuleFollowUp).
    ``due_at`` must be timezone-aware; ``subject_kind``/``subject_uuid`` optionally name
    the order or contract it is about; ``recurrence`` is an RRULE ("FREQ=WEEKLY;BYDAY=MO").
    The caller decides who may plan it (this function checks nothing about the actor,
    who is only recorded in the audit log: None means the system).
    Raises ValueError for a naive ``due_at`` or an unusable ``recurrence``.
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    problem = forms.recurrence_problem(recurrence)
    if problem:
        raise ValueError(problem)
    async with write_transaction():
        row = await insert_row(
            organisation_id=organisation_id,
            owner_id=owner_id,
            title=title,
            title_params=title_params,
            due_at=due_at.astimezone(UTC),
            kind=kind,
            notes=notes,
            priority=priority,
            subject_kind=subject_kind,
            subject_uuid=subject_uuid,
            recurrence=recurrence,
            remind_minutes=remind_minutes,
            created_by=actor.user_id if actor else None,
        )
        await audit_created(
            actor, row, organisation_id, stored_title(title, title_params)[FollowUp.title]
        )
    return row.uuid


async def ensure_open_follow_up(
    rule_key: str,
    *,
    episode: str,
    organisation_id: int,
    owner_id: int,
    title: str,
    due_at: datetime,
    kind: str = FollowUpKind.task,
    notes: str = "",
    priority: str = Priority.normal,
    subject_kind: str = "",
    subject_uuid: UUID | None = None,
    title_params: Mapping[str, Any] | None = None,
) -> bool:
    """Create the follow-up for (``rule_key``, ``episode``) unless one was created before;
    True if it was created now.

    ``episode`` names what the follow-up answers, for example "<order uuid>:confirmed:
    2026-03-01" for an order stuck in one status since that day: the same episode never
    gets a second follow-up (a unique key and INSERT ... ON CONFLICT DO NOTHING, so two
    processes running the same rule at once also create one).
    """
    created = await insert_rule_follow_ups(
        [
            RuleFollowUp(
                rule_key=rule_key,
                episode=episode,
                organisation_id=organisation_id,
                owner_id=owner_id,
                title=title,
                due_at=due_at,
                kind=kind,
                notes=notes,
                priority=priority,
                subject_kind=subject_kind,
                subject_uuid=subject_uuid,
                title_params=title_params,
            )
        ]
    )
    return created == 1


@dataclass(frozen=True)
class RuleFollowUp:
    rule_key: str
    episode: str
    organisation_id: int
    owner_id: int
    title: str
    due_at: datetime
    kind: str = FollowUpKind.task
    notes: str = ""
    priority: str = Priority.normal
    subject_kind: str = ""
    subject_uuid: UUID | None = None
    # Given (even empty), ``title`` is a message id marked with N_ and these its
    # parameters: each reader reads the title in their language. None: plain text.
    title_params: Mapping[str, Any] | None = None

    @property
    def guard(self) -> str:
        return rule_guard(self.rule_key, self.episode)


def rule_guard(rule_key: str, episode: str) -> str:
    """The key that lets a rule make one follow-up per episode (FollowUp.rule_guard)."""
    return f"{rule_key}:{episode}"[:200]


@access.system_query("follow-up rules of every module: their guards across partners")
async def guards_in_use(guards: list[str]) -> set[str]:
    """Which of the rule guards a follow-up already carries."""
    return {
        row["rule_guard"]
        for row in await FollowUp.select(FollowUp.rule_guard).where(
            FollowUp.rule_guard.is_in(guards)
        )
    }


@access.system_query("follow-up rules of every module: their guards across partners")
async def insert_rule_follow_ups(items: Sequence[RuleFollowUp]) -> int:
    """Create the rules' follow-ups that do not exist yet, in one statement; how many."""
    if not items:
        return 0
    existing = await guards_in_use([item.guard for item in items])
    fresh = {item.guard: item for item in items if item.guard not in existing}
    if not fresh:
        return 0
    now = utcnow()
    rows = [
        FollowUp(
            stored_title(item.title, item.title_params),
            organisation=item.organisation_id,
            owner=item.owner_id,
            kind=item.kind,
            notes=item.notes,
            priority=item.priority,
            subject_kind=item.subject_kind,
            subject_uuid=item.subject_uuid,
            due_at=item.due_at,
            # Due now or soon: the bell and the digest tell the owner; later: a reminder too.
            remind_at=_future_reminder(item.due_at, now),
            rule_key=item.rule_key,
            rule_guard=item.guard,
            created_at=now,
            updated_at=now,
        )
        for item in fresh.values()
    ]
    async with write_transaction():
        created = CreatedFollowUp.from_rows(
            await FollowUp.insert(*rows)
            .on_conflict(target=FollowUp.rule_guard, action="DO NOTHING")
            .returning(
                FollowUp.id,
                FollowUp.owner,
                FollowUp.title,
                FollowUp.title_message,
                FollowUp.title_params,
                FollowUp.uuid,
            )
        )
        await notify(
            *(
                NewNotification(
                    user_id=follow_up.owner,
                    kind="follow_up_created",
                    message=N_("New follow-up: %(title)s"),
                    params={"title": follow_up.title_parameter()},
                    link=f"/follow-ups/{follow_up.uuid}",
                )
                for follow_up in created
            )
        )
    return len(created)


def stored_title(title: str, params: Mapping[str, Any] | None) -> dict[Column, Any]:
    """The title columns of a new follow-up: a message id with parameters (``params``
    given) stored with its English text, or a title as written."""
    if params is None:
        return {FollowUp.title: title[:200]}
    plain = messages.plain_params(params)
    return {
        FollowUp.title: messages.render_in("en", title, plain)[:200],
        FollowUp.title_message: title,
        FollowUp.title_params: json.dumps(plain),
    }


async def insert_row(
    *,
    organisation_id: int,
    owner_id: int,
    title: str,
    due_at: datetime,
    kind: str,
    notes: str,
    priority: str,
    subject_kind: str,
    subject_uuid: UUID | None,
    recurrence: str,
    remind_minutes: int,
    created_by: int | None,
    previous_id: int | None = None,
    series_id: int | None = None,
    occurrence_at: datetime | None = None,
    state: str = FollowUpState.open,
    title_params: Mapping[str, Any] | None = None,
) -> StoredFollowUp:
    """Store one follow-up (``title_params``: see RuleFollowUp). With a ``recurrence`` and no ``series_id`` it is the first
    occurrence of a new series starting at ``due_at``; with a ``series_id``, the occurrence
    of that series the rule placed at ``occurrence_at``."""
    now = utcnow()
    if recurrence and series_id is None:
        series_id = await start_series(organisation_id, owner_id, recurrence, due_at)
        occurrence_at = due_at
    rows = (
        await FollowUp.insert(
            FollowUp(
                stored_title(title, title_params),
                organisation=organisation_id,
                owner=owner_id,
                created_by=created_by,
                kind=kind,
                notes=notes,
                priority=priority,
                subject_kind=subject_kind,
                subject_uuid=subject_uuid,
                due_at=due_at,
                recurrence=recurrence if series_id is not None else "",
                series=series_id,
                occurrence_at=occurrence_at,
                state=state,
                remind_at=reminder_time(due_at, remind_minutes),
                previous=previous_id,
                created_at=now,
                updated_at=now,
            )
        )
        .returning(FollowUp.id, FollowUp.uuid, FollowUp.due_at)
        .run()
    )
    return StoredFollowUp.from_row(rows[0])


@access.system_query("the owner's time zone for a series the caller is creating")
async def start_series(organisation_id: int, owner_id: int, rule: str, starts_at: datetime) -> int:
    """A new series on its owner's wall clock; its id."""
    owner = await User.select(User.time_zone).where(User.id == owner_id).first()
    zone = (owner or {}).get("time_zone") or current_settings().default_time_zone
    rows = await FollowUpSeries.insert(
        FollowUpSeries(
            organisation=organisation_id,
            rule=rule,
            starts_at=starts_at,
            time_zone=zone,
            created_at=utcnow(),
        )
    ).returning(FollowUpSeries.id)
    return int(rows[0]["id"])


def _future_reminder(due_at: datetime, now: datetime) -> datetime | None:
    remind_at = reminder_time(due_at, forms.DEFAULT_REMIND_MINUTES)
    return remind_at if remind_at is not None and remind_at > now else None


def reminder_time(due_at: datetime, remind_minutes: int) -> datetime | None:
    return due_at - timedelta(minutes=remind_minutes) if remind_minutes > 0 else None


async def audit_created(
    actor: Viewer | None, row: StoredFollowUp, organisation_id: int, title: str
) -> None:
    await audit_log.record(
        actor,
        entity_kind="follow_up",
        entity_uuid=row.uuid,
        organisation_id=organisation_id,
        action="create",
        changes=audit_log.changes_between({}, {"title": title, "due_at": row.due_at}),
        summary=title[:200],
    )
