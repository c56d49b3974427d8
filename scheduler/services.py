"""Follow-ups: the public API other modules use to plan work for the brand's people,
and everything the agenda, the calendar and the partner page do with them.

Public for other modules (docs/ARCHITECTURE.md §3: modules import the kernel and this file only):
- ``create_follow_up(...)``: plan a follow-up (for example when a contract is sent for
  signature, "chase the signature in 7 days");
- ``ensure_open_follow_up(...)``: the same, at most once per (rule, subject, episode),
  however often it is called: the rules use it, and so may another module's job;
- ``insert_rule_follow_ups([RuleFollowUp(...), ...])``: its bulk form for jobs that find
  many at once (one statement; returns how many were new).
Both may run inside the caller's write_transaction() (then the follow-up exists if and
only if the caller's change commits) or outside it (they open their own).

Recurrence is an RFC 5545 RRULE evaluated on the owner's wall clock, so "every Monday
09:00" stays at 09:00 when daylight saving time starts or ends.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from litestar.exceptions import NotFoundException
from piccolo.query.functions.aggregate import Count

from partner_portal import access
from partner_portal.access import ActionSet, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.notifications.inbox import NewNotification, notify
from partner_portal.notifications.services import mail_user
from partner_portal.partners import forms as partner_forms
from partner_portal.partners import services as partners
from partner_portal.partners.tables import Organisation, OrganisationKind, Role, User
from partner_portal.settings import load_settings
from scheduler import forms
from scheduler.access import (
    SchedulerAction,
    agenda_owner_filter,
    get_follow_up,
    may_change_follow_up,
)
from scheduler.tables import FollowUp, FollowUpKind, FollowUpState, Priority

logger = logging.getLogger(__name__)

MAIL_ASSIGNED = "follow_up_assigned"
ASSIGNED_LABEL = N_("A follow-up given to me by someone else")
# Rows shown per agenda section, the most urgent first; the section says how many more there
# are. Each row carries its three in-place forms: 100 rows a section made the agenda
# ~1 s to render for a busy KAM (bench/RESULTS.md), and nobody works down 100 at once.
SECTION_LIMIT = 25
CALENDAR_LIMIT = 2000
# A follow-up's kind as the partner timeline records its outcome.
TIMELINE_KIND = {
    FollowUpKind.call: "call",
    FollowUpKind.visit: "visit",
    FollowUpKind.email: "email",
    FollowUpKind.meeting: "meeting",
    FollowUpKind.task: "note",
}

_organisation: Any = FollowUp.organisation
_owner: Any = FollowUp.owner

ROW_COLUMNS = (
    FollowUp.id,
    FollowUp.uuid,
    FollowUp.kind,
    FollowUp.title,
    FollowUp.notes,
    FollowUp.due_at,
    FollowUp.priority,
    FollowUp.recurrence,
    FollowUp.state,
    FollowUp.outcome,
    FollowUp.completed_at,
    FollowUp.rule_key,
    FollowUp.subject_kind,
    FollowUp.subject_uuid,
    FollowUp.remind_at,
    FollowUp.version,
    FollowUp.owner,
    FollowUp.organisation,
    _organisation.uuid.as_alias("partner_uuid"),
    _organisation.legal_name.as_alias("partner_name"),
    _owner.display_name.as_alias("owner_name"),
    _owner.uuid.as_alias("owner_uuid"),
    _owner.manager.as_alias("owner_manager"),
)


# ---------------------------------------------------------------------------
# Recurrence


def next_occurrence(rule: str, after: datetime, time_zone: str) -> datetime | None:
    """The occurrence of ``rule`` that follows ``after`` (UTC), or None when the series ended.

    The rule runs on the owner's wall clock (naive local times), then the result is
    placed in the zone: a weekly 09:00 is 09:00 local before and after a DST change.
    """
    zone = ZoneInfo(time_zone)
    local_start = after.astimezone(zone).replace(tzinfo=None)
    series = rrulestr(rule.removeprefix("RRULE:"), dtstart=local_start)
    following = series.after(local_start, inc=False)
    if following is None:
        return None
    return following.replace(tzinfo=zone).astimezone(UTC)


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
) -> UUID:
    """Plan a follow-up on a partner for ``owner_id`` (a brand user) and return its UUID.

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
        row = await _insert(
            organisation_id=organisation_id,
            owner_id=owner_id,
            title=title[:200],
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
        await _audit_create(actor, row, organisation_id, title)
    return UUID(str(row["uuid"]))


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

    @property
    def guard(self) -> str:
        return f"{self.rule_key}:{self.episode}"[:200]


@access.system_query("follow-up rules of every module: their guards across partners")
async def insert_rule_follow_ups(items: Sequence[RuleFollowUp]) -> int:
    """Create the rules' follow-ups that do not exist yet, in one statement; how many."""
    if not items:
        return 0
    guards = [item.guard for item in items]
    existing = {
        row["rule_guard"]
        for row in await FollowUp.select(FollowUp.rule_guard).where(
            FollowUp.rule_guard.is_in(guards)
        )
    }
    fresh = {item.guard: item for item in items if item.guard not in existing}
    if not fresh:
        return 0
    now = utcnow()
    rows = [
        FollowUp(
            organisation=item.organisation_id,
            owner=item.owner_id,
            kind=item.kind,
            title=item.title[:200],
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
        created = await (
            FollowUp.insert(*rows)
            .on_conflict(target=FollowUp.rule_guard, action="DO NOTHING")
            .returning(FollowUp.id, FollowUp.owner, FollowUp.title, FollowUp.uuid)
        )
        await notify(
            *(
                NewNotification(
                    user_id=row["owner"],
                    kind="follow_up_created",
                    message=N_("New follow-up: %(title)s"),
                    params={"title": row["title"]},
                    link=f"/follow-ups/{row['uuid']}",
                )
                for row in created
            )
        )
    return len(created)


async def _insert(
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
) -> dict[str, Any]:
    now = utcnow()
    rows = (
        await FollowUp.insert(
            FollowUp(
                organisation=organisation_id,
                owner=owner_id,
                created_by=created_by,
                kind=kind,
                title=title,
                notes=notes,
                priority=priority,
                subject_kind=subject_kind,
                subject_uuid=subject_uuid,
                due_at=due_at,
                recurrence=recurrence,
                remind_at=_remind_at(due_at, remind_minutes),
                previous=previous_id,
                created_at=now,
                updated_at=now,
            )
        )
        .returning(FollowUp.id, FollowUp.uuid, FollowUp.due_at)
        .run()
    )
    return dict(rows[0])


def _future_reminder(due_at: datetime, now: datetime) -> datetime | None:
    remind_at = _remind_at(due_at, forms.DEFAULT_REMIND_MINUTES)
    return remind_at if remind_at is not None and remind_at > now else None


def _remind_at(due_at: datetime, remind_minutes: int) -> datetime | None:
    return due_at - timedelta(minutes=remind_minutes) if remind_minutes > 0 else None


def remind_minutes_of(row: Mapping[str, Any]) -> int:
    if row.get("remind_at") is None:
        return 0
    return int((row["due_at"] - row["remind_at"]).total_seconds() // 60)


async def _audit_create(
    actor: Viewer | None, row: Mapping[str, Any], organisation_id: int, title: str
) -> None:
    await audit_log.record(
        actor,
        entity_kind="follow_up",
        entity_uuid=row["uuid"],
        organisation_id=organisation_id,
        action="create",
        changes=audit_log.changes_between({}, {"title": title, "due_at": row["due_at"]}),
        summary=title[:200],
    )


# ---------------------------------------------------------------------------
# One follow-up, for the viewer


async def get(
    viewer: Viewer, follow_up_uuid: UUID, action: ActionSet = SchedulerAction.view_follow_ups
) -> dict[str, Any]:
    """The follow-up with its partner and owner names (404/403 by get_follow_up)."""
    row = await get_follow_up(viewer, follow_up_uuid, action, ROW_COLUMNS)
    return _decorate(viewer, row)


def _decorate(viewer: Viewer, row: dict[str, Any]) -> dict[str, Any]:
    row["may_change"] = may_change_follow_up(viewer, row["owner"], row["owner_manager"])
    row["overdue"] = row["state"] == FollowUpState.open and row["due_at"] < utcnow()
    row["remind_minutes"] = remind_minutes_of(row)
    return row


async def history(follow_up_uuid: UUID) -> list[dict[str, Any]]:
    return await audit_log.entries_for(follow_up_uuid)


async def new_form_context(viewer: Viewer, partner_uuid: UUID | None) -> dict[str, Any]:
    """The new-follow-up form: tomorrow 09:00 in the viewer's zone, a call, remind 1 h before."""
    access.require(viewer, SchedulerAction.manage_follow_ups)
    partner = None
    if partner_uuid is not None:
        partner = await access.get_organisation(
            viewer, partner_uuid, SchedulerAction.manage_follow_ups
        )
    tomorrow = utcnow().astimezone(ZoneInfo(viewer.time_zone)).date() + timedelta(days=1)
    values = {
        "kind": FollowUpKind.call.value,
        "priority": Priority.normal.value,
        "due_date": tomorrow.isoformat(),
        "due_time": "09:00",
        "remind_minutes": str(forms.DEFAULT_REMIND_MINUTES),
        "partner": str(partner["uuid"]) if partner else "",
        "owner": str(viewer.user_uuid),
    }
    return {"values": values, "partner": partner}


async def create_from_form(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """A follow-up typed by a KAM or admin on a partner they see, for an owner they may plan for."""
    access.require(viewer, SchedulerAction.manage_follow_ups)
    values, errors = forms.parse_follow_up(data, viewer.time_zone)
    partner = await _partner_for_form(viewer, str(data.get("partner") or ""), errors)
    owner_id = await _owner_for_form(viewer, str(data.get("owner") or ""), errors)
    if values is None or partner is None or owner_id is None or errors:
        return SaveResult(errors=errors)
    async with write_transaction():
        row = await _insert(
            organisation_id=partner["id"],
            owner_id=owner_id,
            title=values.title,
            due_at=values.due_at,
            kind=values.kind,
            notes=values.notes,
            priority=values.priority,
            subject_kind=values.subject_kind,
            subject_uuid=values.subject_uuid,
            recurrence=values.recurrence,
            remind_minutes=values.remind_minutes,
            created_by=viewer.user_id,
        )
        await _audit_create(viewer, row, partner["id"], values.title)
        if owner_id != viewer.user_id:
            await _tell_new_owner(viewer, owner_id, row["uuid"], values.title, values.due_at)
    return SaveResult(uuid=UUID(str(row["uuid"])))


async def _partner_for_form(
    viewer: Viewer, raw: str, errors: dict[str, str]
) -> dict[str, Any] | None:
    try:
        partner_uuid = UUID(raw)
    except ValueError:
        errors["partner"] = _("Choose the partner.")
        return None
    try:
        return await access.get_organisation(
            viewer, partner_uuid, SchedulerAction.manage_follow_ups
        )
    except NotFoundException:
        errors["partner"] = _("Choose the partner.")
        return None


async def _owner_for_form(viewer: Viewer, raw: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return viewer.user_id
    try:
        owner_uuid = UUID(raw)
    except ValueError:
        errors["owner"] = _("Choose who does it.")
        return None
    choices = await owner_choices(viewer)
    for choice in choices:
        if choice["uuid"] == owner_uuid:
            return int(choice["id"])
    errors["owner"] = _("Choose who does it.")
    return None


async def owner_choices(viewer: Viewer) -> list[dict[str, Any]]:
    """Whom the viewer may plan follow-ups for: a KAM themself and their team; an admin
    every active KAM and admin."""
    query = User.select(User.id, User.uuid, User.display_name).where(
        User.is_active == True,  # noqa: E712
        User.role.is_in([Role.kam.value, Role.brand_admin.value]),
    )
    condition = agenda_owner_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    return await query.order_by(User.display_name)


async def partner_choices(viewer: Viewer) -> list[dict[str, Any]]:
    query = Organisation.select(Organisation.uuid, Organisation.legal_name).where(
        Organisation.kind != OrganisationKind.brand.value
    )
    return await access.scoped(query, viewer).order_by(Organisation.legal_name).limit(3000)


async def update_from_form(
    viewer: Viewer, follow_up_uuid: UUID, data: Mapping[str, Any]
) -> SaveResult:
    """Edit what, when, how important and how it repeats; a stale form is a conflict."""
    row = await get(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    values, errors = forms.parse_follow_up(data, viewer.time_zone)
    opened_version = whole_number(str(data.get("version") or row["version"]))
    if opened_version is None:
        opened_version = row["version"]
    if values is None:
        return SaveResult(errors=errors)
    if row["state"] != FollowUpState.open:
        return SaveResult(errors={"form": _("This follow-up is already done.")})
    changes = {
        FollowUp.kind: values.kind,
        FollowUp.title: values.title,
        FollowUp.notes: values.notes,
        FollowUp.priority: values.priority,
        FollowUp.due_at: values.due_at,
        FollowUp.recurrence: values.recurrence,
        FollowUp.subject_kind: values.subject_kind,
        FollowUp.subject_uuid: values.subject_uuid,
        FollowUp.remind_at: _remind_at(values.due_at, values.remind_minutes),
        FollowUp.reminded_at: None,
        FollowUp.updated_at: utcnow(),
    }
    async with write_transaction():
        version = await update_if_version(FollowUp, row["id"], opened_version, changes)
        if version is None:
            current = (
                await FollowUp.select(FollowUp.version).where(FollowUp.id == row["id"]).first()
            )
            return SaveResult(
                conflicts=await audit_log.changes_since(follow_up_uuid, opened_version),
                current_version=current["version"] if current else None,
                errors={"form": _("Someone else changed this follow-up; check and save again.")},
            )
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row["organisation"],
            action="update",
            changes=audit_log.changes_between(
                {
                    name: row[name]
                    for name in ("kind", "title", "notes", "priority", "due_at", "recurrence")
                },
                {
                    "kind": values.kind,
                    "title": values.title,
                    "notes": values.notes,
                    "priority": values.priority,
                    "due_at": values.due_at,
                    "recurrence": values.recurrence,
                },
            ),
            summary=values.title[:200],
        )
    return SaveResult(uuid=follow_up_uuid)


@dataclass
class ActionOutcome:
    """What an agenda action did: the rows to show in place of the acted-on one."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    status_code: int = 200


async def complete(viewer: Viewer, follow_up_uuid: UUID, outcome: str) -> ActionOutcome:
    """Mark done with its outcome, log the outcome on the partner's timeline and, for a
    repeating follow-up, plan the next occurrence; all in one transaction.

    Conditional on the follow-up being open, so a double click completes (and repeats) once.
    """
    row = await get(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    outcome = outcome.strip()[:10_000] or _("Done.")
    now = utcnow()
    next_uuid = None
    async with write_transaction():
        done = await (
            FollowUp.update(
                {
                    FollowUp.state: FollowUpState.done,
                    FollowUp.outcome: outcome,
                    FollowUp.completed_at: now,
                    FollowUp.completed_by: viewer.user_id,
                    FollowUp.updated_at: now,
                    FollowUp.version: FollowUp.version + 1,
                }
            )
            .where(FollowUp.id == row["id"], FollowUp.state == FollowUpState.open)
            .returning(FollowUp.id)
        )
        if not done:
            return ActionOutcome(
                rows=[await get(viewer, follow_up_uuid)],
                error=_("This follow-up was already done."),
                status_code=409,
            )
        organisation = await access.get_organisation(viewer, row["partner_uuid"])
        entry, errors = await partners.add_timeline_entry(
            viewer,
            organisation,
            {
                "kind": TIMELINE_KIND.get(FollowUpKind(row["kind"]), "note"),
                "occurred_at": partner_forms.local_input_value(now, viewer.time_zone),
                "summary": f"{row['title']}: {outcome}",
                "internal": "on",
            },
        )
        if entry is None:
            raise RuntimeError(f"the timeline refused the outcome: {errors}")
        if row["recurrence"]:
            next_uuid = await _schedule_next(viewer, row)
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row["organisation"],
            action="complete",
            changes={"state": [row["state"], FollowUpState.done.value], "outcome": ["", outcome]},
            summary=outcome[:200],
        )
    rows = [await get(viewer, follow_up_uuid)]
    if next_uuid is not None:
        rows.append(await get(viewer, next_uuid))
    return ActionOutcome(rows=rows)


@access.checked_by_caller("the follow-up comes from get_follow_up or the reminder job")
async def _schedule_next(viewer: Viewer | None, row: Mapping[str, Any]) -> UUID | None:
    """Plan the occurrence after ``row`` in its owner's zone (None when the series ended)."""
    owner = await User.select(User.time_zone).where(User.id == row["owner"]).first()
    zone = (owner or {}).get("time_zone") or load_settings().default_time_zone
    following = next_occurrence(row["recurrence"], row["due_at"], zone)
    if following is None:
        return None
    full = (
        await FollowUp.select(FollowUp.notes, FollowUp.remind_at, FollowUp.due_at)
        .where(FollowUp.id == row["id"])
        .first()
    )
    assert full is not None
    created = await _insert(
        organisation_id=row["organisation"],
        owner_id=row["owner"],
        title=row["title"],
        due_at=following,
        kind=row["kind"],
        notes=full["notes"],
        priority=row["priority"],
        subject_kind=row["subject_kind"],
        subject_uuid=row["subject_uuid"],
        recurrence=row["recurrence"],
        remind_minutes=remind_minutes_of(full),
        created_by=viewer.user_id if viewer else None,
        previous_id=row["id"],
    )
    await _audit_create(viewer, created, row["organisation"], row["title"])
    return UUID(str(created["uuid"]))


async def move(
    viewer: Viewer,
    follow_up_uuid: UUID,
    due_at: datetime | None,
    how: str,
    version: int | None = None,
) -> ActionOutcome:
    """Snooze or reschedule: a new due time (its reminder moves with it and is sent again)."""
    row = await get(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    if due_at is None:
        return ActionOutcome(rows=[row], error=_("Choose the new time."), status_code=400)
    if row["state"] != FollowUpState.open:
        return ActionOutcome(
            rows=[row], error=_("This follow-up is already done."), status_code=409
        )
    conditions = [FollowUp.id == row["id"], FollowUp.state == FollowUpState.open]
    if version is not None:
        conditions.append(FollowUp.version == version)
    async with write_transaction():
        moved = await (
            FollowUp.update(
                {
                    FollowUp.due_at: due_at,
                    FollowUp.remind_at: _remind_at(due_at, row["remind_minutes"]),
                    FollowUp.reminded_at: None,
                    FollowUp.updated_at: utcnow(),
                    FollowUp.version: FollowUp.version + 1,
                }
            )
            .where(*conditions)
            .returning(FollowUp.id)
        )
        if not moved:
            return ActionOutcome(
                rows=[await get(viewer, follow_up_uuid)],
                error=_("Someone else changed this follow-up; check and try again."),
                status_code=409,
            )
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row["organisation"],
            action=how,
            changes=audit_log.changes_between({"due_at": row["due_at"]}, {"due_at": due_at}),
            summary=row["title"][:200],
        )
    return ActionOutcome(rows=[await get(viewer, follow_up_uuid)])


async def reassign(viewer: Viewer, follow_up_uuid: UUID, owner_raw: str) -> ActionOutcome:
    """Give the follow-up to another KAM (one the viewer may plan for); they are told."""
    row = await get(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    errors: dict[str, str] = {}
    owner_id = await _owner_for_form(viewer, owner_raw, errors) if owner_raw else None
    if owner_id is None:
        return ActionOutcome(rows=[row], error=_("Choose who does it."), status_code=400)
    if row["state"] != FollowUpState.open:
        return ActionOutcome(
            rows=[row], error=_("This follow-up is already done."), status_code=409
        )
    if owner_id == row["owner"]:
        return ActionOutcome(rows=[row])
    async with write_transaction():
        await FollowUp.update(
            {
                FollowUp.owner: owner_id,
                FollowUp.updated_at: utcnow(),
                FollowUp.version: FollowUp.version + 1,
            }
        ).where(FollowUp.id == row["id"])
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row["organisation"],
            action="reassign",
            changes={"owner": [row["owner"], owner_id]},
            summary=row["title"][:200],
        )
        if owner_id != viewer.user_id:
            await _tell_new_owner(viewer, owner_id, follow_up_uuid, row["title"], row["due_at"])
    return ActionOutcome(rows=[await get(viewer, follow_up_uuid)])


@access.checked_by_caller("the owner of a follow-up its caller fetched or created")
async def _tell_new_owner(
    viewer: Viewer, owner_id: int, follow_up_uuid: Any, title: str, due_at: datetime
) -> None:
    """The bell and an e-mail (unless they turned it off) for a follow-up given to someone."""
    link = f"/follow-ups/{follow_up_uuid}"
    await notify(
        NewNotification(
            user_id=owner_id,
            kind=MAIL_ASSIGNED,
            message=N_("%(name)s gave you a follow-up: %(title)s"),
            params={"name": viewer.display_name, "title": title},
            link=link,
        )
    )
    owner = (
        await User.select(User.id, User.email, User.locale, User.time_zone, User.display_name)
        .where(User.id == owner_id)
        .first()
    )
    if owner is None:
        return
    settings = load_settings()
    await mail_user(
        owner,
        MAIL_ASSIGNED,
        "scheduler/follow_up_assigned",
        {
            "name": owner["display_name"],
            "by": viewer.display_name,
            "title": title,
            "due_at": due_at,
            "link": f"{settings.base_url}{link}",
        },
        settings,
    )


# ---------------------------------------------------------------------------
# The agenda and the calendar


@dataclass(frozen=True)
class AgendaFilters:
    """``owner``: a user's UUID, "team" (everyone whose agenda the viewer may open) or ""
    (the viewer's own, or everyone's for those who own none)."""

    owner: str = ""
    partner: str = ""
    kind: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> AgendaFilters:
        kind = str(query.get("kind") or "")
        return cls(
            owner=str(query.get("owner") or "")[:40],
            partner=str(query.get("partner") or "")[:40],
            kind=kind if kind in forms.KINDS else "",
        )

    def query_string(self, **overrides: str) -> str:
        from urllib.parse import urlencode

        values = {"owner": self.owner, "partner": self.partner, "kind": self.kind, **overrides}
        return urlencode({name: value for name, value in values.items() if value})


def _uuid_or_none(raw: str) -> UUID | None:
    try:
        return UUID(raw)
    except ValueError:
        return None


def _visible(viewer: Viewer, query: Any, filters: AgendaFilters) -> Any:
    """Follow-ups of partners the viewer sees, of owners whose agenda they may open."""
    query = access.scoped(query, viewer, FollowUp.organisation)
    owners = agenda_owner_filter(viewer)
    if owners is not None:
        query = query.where(FollowUp.owner.is_in(User.select(User.id).where(owners)))
    if filters.owner == "team":
        pass
    elif owner_uuid := _uuid_or_none(filters.owner):
        query = query.where(_owner.uuid == owner_uuid)
    elif viewer.can(SchedulerAction.manage_follow_ups) and viewer.role == Role.kam:
        query = query.where(FollowUp.owner == viewer.user_id)
    if partner_uuid := _uuid_or_none(filters.partner):
        query = query.where(_organisation.uuid == partner_uuid)
    if filters.kind:
        query = query.where(FollowUp.kind == filters.kind)
    return query


def local_day_start(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


@dataclass
class Section:
    key: str
    title: str
    rows: list[dict[str, Any]]
    total: int


async def _section(
    viewer: Viewer,
    filters: AgendaFilters,
    key: str,
    title: str,
    start: datetime | None,
    end: datetime,
) -> Section:
    def narrowed(query: Any) -> Any:
        query = _visible(viewer, query, filters).where(
            FollowUp.state == FollowUpState.open, FollowUp.due_at < end
        )
        return query.where(FollowUp.due_at >= start) if start is not None else query

    rows = (
        await narrowed(FollowUp.select(*ROW_COLUMNS)).order_by(FollowUp.due_at).limit(SECTION_LIMIT)
    )
    total = len(rows)
    if total == SECTION_LIMIT:
        total = await narrowed(FollowUp.count())
    return Section(key, title, [_decorate(viewer, row) for row in rows], total)


async def agenda(viewer: Viewer, filters: AgendaFilters) -> dict[str, Any]:
    """Overdue, today and the rest of this week, in the viewer's zone (open follow-ups)."""
    access.require(viewer, SchedulerAction.view_follow_ups)
    today = utcnow().astimezone(ZoneInfo(viewer.time_zone)).date()
    today_start = local_day_start(today, viewer.time_zone)
    tomorrow_start = local_day_start(today + timedelta(days=1), viewer.time_zone)
    week_end = local_day_start(today + timedelta(days=7 - today.weekday()), viewer.time_zone)
    sections = [
        await _section(viewer, filters, "overdue", _("Overdue"), None, today_start),
        await _section(viewer, filters, "today", _("Today"), today_start, tomorrow_start),
        await _section(viewer, filters, "week", _("Later this week"), tomorrow_start, week_end),
    ]
    return {"sections": sections, "today": today}


async def workload(viewer: Viewer) -> list[dict[str, Any]]:
    """Open, overdue and due-this-week counts per person of the viewer's team (one query);
    empty for a KAM without a team."""
    owners = agenda_owner_filter(viewer)
    people_query = User.select(User.id, User.uuid, User.display_name).where(
        User.is_active == True,  # noqa: E712
        User.role.is_in([Role.kam.value, Role.brand_admin.value]),
    )
    if owners is not None:
        people_query = people_query.where(owners)
    people = await people_query.order_by(User.display_name)
    if len(people) <= 1:
        return []
    now = utcnow()
    week_end = now + timedelta(days=7)
    rows = await access.scoped(
        FollowUp.select(FollowUp.owner, FollowUp.due_at), viewer, FollowUp.organisation
    ).where(
        FollowUp.state == FollowUpState.open,
        FollowUp.owner.is_in([person["id"] for person in people]),
        FollowUp.due_at < week_end,
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"overdue": 0, "week": 0})
    for row in rows:
        counts[row["owner"]]["overdue" if row["due_at"] < now else "week"] += 1
    open_counts = {
        row["owner"]: row["count"]
        for row in await access.scoped(
            FollowUp.select(FollowUp.owner, Count(FollowUp.id, alias="count")),
            viewer,
            FollowUp.organisation,
        )
        .where(
            FollowUp.state == FollowUpState.open, FollowUp.owner.is_in([p["id"] for p in people])
        )
        .group_by(FollowUp.owner)
    }
    return [
        {**person, "open": open_counts.get(person["id"], 0), **counts[person["id"]]}
        for person in people
    ]


CALENDAR_VIEWS = ("day", "week", "month")


@dataclass
class CalendarPage:
    view: str
    anchor: date
    start: date
    end: date  # exclusive
    days: list[date]
    by_day: dict[date, list[dict[str, Any]]]
    previous: date
    following: date
    truncated: bool


def calendar_range(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day, day after the last, previous anchor, next anchor) of a view."""
    if view == "day":
        return (
            anchor,
            anchor + timedelta(days=1),
            anchor - timedelta(days=1),
            anchor + timedelta(days=1),
        )
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return (
            start,
            start + timedelta(days=7),
            start - timedelta(days=7),
            start + timedelta(days=7),
        )
    first = anchor.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    previous_month = (first - timedelta(days=1)).replace(day=1)
    # Whole weeks, Monday first, around the month.
    start = first - timedelta(days=first.weekday())
    end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
    return start, end, previous_month, next_month


async def calendar(
    viewer: Viewer, filters: AgendaFilters, view: str, anchor: date | None
) -> CalendarPage:
    """Follow-ups (open and done) of a day, a week or a month, by local day."""
    access.require(viewer, SchedulerAction.view_follow_ups)
    view = view if view in CALENDAR_VIEWS else "week"
    anchor = anchor or utcnow().astimezone(ZoneInfo(viewer.time_zone)).date()
    start, end, previous, following = calendar_range(view, anchor)
    zone = ZoneInfo(viewer.time_zone)
    rows = (
        await _visible(viewer, FollowUp.select(*ROW_COLUMNS), filters)
        .where(
            FollowUp.state != FollowUpState.cancelled,
            FollowUp.due_at >= local_day_start(start, viewer.time_zone),
            FollowUp.due_at < local_day_start(end, viewer.time_zone),
        )
        .order_by(FollowUp.due_at)
        .limit(CALENDAR_LIMIT)
    )
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_day[row["due_at"].astimezone(zone).date()].append(_decorate(viewer, row))
    days = [start + timedelta(days=offset) for offset in range((end - start).days)]
    return CalendarPage(
        view,
        anchor,
        start,
        end,
        days,
        dict(by_day),
        previous,
        following,
        len(rows) == CALENDAR_LIMIT,
    )


async def filter_choices(viewer: Viewer) -> dict[str, Any]:
    return {
        "owners": await owner_choices(viewer),
        "partners": await partner_choices(viewer),
        "kinds": forms.KINDS,
    }


@access.checked_by_caller("the partner page fetched the organisation with get_organisation")
async def partner_panel(viewer: Viewer, organisation: dict[str, Any]) -> dict[str, Any] | None:
    """The partner page's follow-ups: open ones first (by due time), then the last done."""
    if not viewer.can(SchedulerAction.view_follow_ups):
        return None
    base = FollowUp.select(*ROW_COLUMNS).where(FollowUp.organisation == organisation["id"])
    open_rows = (
        await base.where(FollowUp.state == FollowUpState.open).order_by(FollowUp.due_at).limit(20)
    )
    done_rows = (
        await FollowUp.select(*ROW_COLUMNS)
        .where(FollowUp.organisation == organisation["id"], FollowUp.state == FollowUpState.done)
        .order_by(FollowUp.completed_at, ascending=False)
        .limit(5)
    )
    return {
        "open": [_decorate(viewer, row) for row in open_rows],
        "done": [_decorate(viewer, row) for row in done_rows],
        "partner": organisation,
        "may_create": access.allows(viewer, SchedulerAction.manage_follow_ups, organisation["id"]),
        "labels": LABELS,
        "snooze_choices": forms.SNOOZE_CHOICES,
        "recurrence_label": recurrence_label,
    }


# Names of the follow-up codes, translated where shown (templates: _(labels[code])).
LABELS: dict[str, str] = {
    "call": N_("Call"),
    "visit": N_("Visit"),
    "email": N_("E-mail"),
    "meeting": N_("Meeting"),
    "task": N_("Task"),
    "open": N_("Open"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "order": N_("Order"),
    "contract": N_("Contract"),
    "timeline_entry": N_("Timeline entry"),
}


def recurrence_label(rule: str) -> str:
    for value, label in forms.RECURRENCE_PRESETS:
        if value == rule:
            return _(label)
    return rule
