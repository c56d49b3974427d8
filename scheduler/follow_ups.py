"""One follow-up, for the viewer: its page, the form that creates or edits it, and the
agenda's actions on it (complete, snooze or reschedule, give to someone else)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar.exceptions import NotFoundException

from partner_portal import access, messages
from partner_portal.access import Viewer
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
from partner_portal.partners.tables import Role, User
from partner_portal.settings import current_settings
from scheduler import forms, recurrence, services
from scheduler.access import (
    SchedulerAction,
    VisibleFollowUp,
    agenda_owner_filter,
    get_follow_up,
    may_change_follow_up,
)
from scheduler.records import FollowUpRecord, Person
from scheduler.tables import (
    FollowUp,
    FollowUpCause,
    FollowUpKind,
    FollowUpSeries,
    FollowUpState,
    Priority,
)

MAIL_ASSIGNED = "follow_up_assigned"
ASSIGNED_LABEL = N_("A follow-up given to me by someone else")
# A follow-up's kind as the partner timeline records its outcome.
TIMELINE_KIND = {
    FollowUpKind.call: "call",
    FollowUpKind.visit: "visit",
    FollowUpKind.email: "email",
    FollowUpKind.meeting: "meeting",
    FollowUpKind.task: "note",
}


def decorate(viewer: Viewer, row: Mapping[str, Any]) -> FollowUpRecord:
    """The record of a queried row (FOLLOW_UP_COLUMNS), with what the viewer may do with it."""
    return FollowUpRecord.for_reader(
        row, may_change_follow_up(viewer, row["owner"], row["owner_manager"])
    )


async def history(follow_up_uuid: UUID) -> list[dict[str, Any]]:
    return await audit_log.entries_for(follow_up_uuid)


@dataclass(frozen=True)
class ListedCause:
    """One cause a grouped rule follow-up lists, as a reader sees it."""

    title: str
    partner_name: str
    partner_uuid: UUID
    cleared: bool


async def causes_for(viewer: Viewer, follow_up: VisibleFollowUp) -> list[ListedCause]:
    """The causes a grouped rule follow-up lists, only those at partners the viewer may
    see (a rule's fixed assignee may not see every partner it found), each in the
    viewer's language; the ones still holding first."""
    cause: Any = FollowUpCause
    rows = await access.scoped(
        FollowUpCause.select(
            FollowUpCause.title,
            FollowUpCause.title_params,
            FollowUpCause.cleared_at,
            cause.organisation.legal_name.as_alias("partner_name"),
            cause.organisation.uuid.as_alias("partner_uuid"),
        ),
        viewer,
        FollowUpCause.organisation,
    ).where(FollowUpCause.follow_up == follow_up.id)
    listed = [
        ListedCause(
            title=messages.render(row["title"], messages.loaded_params(row["title_params"])),
            partner_name=row["partner_name"],
            partner_uuid=row["partner_uuid"],
            cleared=row["cleared_at"] is not None,
        )
        for row in rows
    ]
    return sorted(listed, key=lambda item: (item.cleared, item.partner_name, item.title))


async def new_form_values(viewer: Viewer, partner_uuid: UUID | None) -> dict[str, str]:
    """The new-follow-up form's values: tomorrow 09:00 in the viewer's zone, a call, remind
    1 h before, for the partner given (one the viewer may plan for: 404/403 otherwise)."""
    access.require(viewer, SchedulerAction.manage_follow_ups)
    partner = None
    if partner_uuid is not None:
        partner = await access.get_organisation(
            viewer, partner_uuid, SchedulerAction.manage_follow_ups
        )
    tomorrow = utcnow().astimezone(ZoneInfo(viewer.time_zone)).date() + timedelta(days=1)
    return {
        "kind": FollowUpKind.call.value,
        "priority": Priority.normal.value,
        "due_date": tomorrow.isoformat(),
        "due_time": "09:00",
        "remind_minutes": str(forms.DEFAULT_REMIND_MINUTES),
        "partner": str(partner.uuid) if partner else "",
        "owner": str(viewer.user_uuid),
    }


async def create_from_form(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """A follow-up typed by a KAM or admin on a partner they see, for an owner they may plan for."""
    access.require(viewer, SchedulerAction.manage_follow_ups)
    values, errors = forms.parse_follow_up(data, viewer.time_zone)
    partner = await _partner_for_form(viewer, str(data.get("partner") or ""), errors)
    owner_id = await _owner_for_form(viewer, str(data.get("owner") or ""), errors)
    if values is None or partner is None or owner_id is None or errors:
        return SaveResult(errors=errors)
    async with write_transaction():
        row = await services.insert_row(
            organisation_id=partner.id,
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
        await services.audit_created(viewer, row, partner.id, values.title)
        if owner_id != viewer.user_id:
            await _tell_new_owner(viewer, owner_id, row.uuid, values.title, values.due_at)
    return SaveResult(uuid=row.uuid)


async def _partner_for_form(
    viewer: Viewer, raw: str, errors: dict[str, str]
) -> access.VisibleOrganisation | None:
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
        if choice.uuid == owner_uuid:
            return choice.id
    errors["owner"] = _("Choose who does it.")
    return None


async def owner_choices(viewer: Viewer) -> list[Person]:
    """Whom the viewer may plan follow-ups for: a KAM themself and their team; an admin
    every active KAM and admin."""
    query = User.select(User.id, User.uuid, User.display_name).where(
        User.is_active == True,  # noqa: E712
        User.role.is_in([Role.kam.value, Role.brand_admin.value]),
    )
    condition = agenda_owner_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    return Person.from_rows(await query.order_by(User.display_name))


async def update_from_form(
    viewer: Viewer, follow_up_uuid: UUID, data: Mapping[str, Any]
) -> SaveResult:
    """Edit what, when, how important and how it repeats; a stale form is a conflict.

    An occurrence of a series is changed alone (``scope`` "this": its repetition stays) or
    with all that follow (``scope`` "following": later stored occurrences take the new
    text; a new rule or time ends the series before this occurrence and starts a new one
    here)."""
    row = await get_follow_up(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    values, errors = forms.parse_follow_up(data, viewer.time_zone)
    opened_version = whole_number(str(data.get("version") or row.version))
    if opened_version is None:
        opened_version = row.version
    if values is None:
        return SaveResult(errors=errors)
    if row.state != FollowUpState.open:
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
        FollowUp.remind_at: services.reminder_time(values.due_at, values.remind_minutes),
        FollowUp.reminded_at: None,
        FollowUp.updated_at: utcnow(),
    }
    if values.title == row.title:
        # Left as shown: a rule's title stays a message each reader reads in their language.
        del changes[FollowUp.title]
    else:
        changes.update({FollowUp.title_message: "", FollowUp.title_params: "{}"})
    following = data.get("scope") == "following"
    if row.series is not None and not following:
        changes[FollowUp.recurrence] = row.recurrence
    async with write_transaction():
        if row.series is None and values.recurrence:
            changes[FollowUp.series] = await services.start_series(
                row.organisation, row.owner, values.recurrence, values.due_at
            )
            changes[FollowUp.occurrence_at] = values.due_at
        elif row.series is not None and following:
            changes.update(await _change_following(row, values))
        version = await update_if_version(FollowUp, row.id, opened_version, changes)
        if version is None:
            current = await FollowUp.select(FollowUp.version).where(FollowUp.id == row.id).first()
            return SaveResult(
                conflicts=await audit_log.changes_since(follow_up_uuid, opened_version),
                current_version=current["version"] if current else None,
                errors={"form": _("Someone else changed this follow-up; check and save again.")},
            )
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row.organisation,
            action="update",
            changes=audit_log.changes_between(
                {
                    "kind": row.kind,
                    "title": row.title,
                    "notes": row.notes,
                    "priority": row.priority,
                    "due_at": row.due_at,
                    "recurrence": row.recurrence,
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


@access.checked_by_caller("the occurrence comes from get_follow_up (update_from_form)")
async def _change_following(row: VisibleFollowUp, values: forms.FollowUpInput) -> dict[Any, Any]:
    """This occurrence and all that follow: the columns ``row`` takes, after the later stored
    occurrences took the new text or, for a new rule or time, the series was split."""
    assert row.series is not None and row.occurrence_at is not None and row.series_time_zone
    later = (FollowUp.series == row.series) & (FollowUp.occurrence_at > row.occurrence_at)
    if values.recurrence == row.series_rule and values.due_at == row.due_at:
        await FollowUp.update(
            {
                FollowUp.kind: values.kind,
                FollowUp.title: values.title,
                FollowUp.notes: values.notes,
                FollowUp.priority: values.priority,
                FollowUp.updated_at: utcnow(),
            }
        ).where(later, FollowUp.state == FollowUpState.open)
        return {}
    # Later exceptions belonged to occurrences the old rule placed: they go with it.
    await FollowUp.delete().where(later, FollowUp.state != FollowUpState.done)
    if row.occurrence_at == row.series_starts_at and values.recurrence:
        # The first occurrence: the whole series changes.
        await FollowUpSeries.update(
            {FollowUpSeries.rule: values.recurrence, FollowUpSeries.starts_at: values.due_at}
        ).where(FollowUpSeries.id == row.series)
        return {FollowUp.occurrence_at: values.due_at}
    await FollowUpSeries.update(
        {
            FollowUpSeries.rule: recurrence.ended_before(
                row.series_rule or "", row.occurrence_at, row.series_time_zone
            )
        }
    ).where(FollowUpSeries.id == row.series)
    if not values.recurrence:
        return {FollowUp.series: None, FollowUp.occurrence_at: None}
    return {
        FollowUp.series: await services.start_series(
            row.organisation, row.owner, values.recurrence, values.due_at
        ),
        FollowUp.occurrence_at: values.due_at,
    }


@dataclass
class ActionOutcome:
    """What an agenda action did: the rows to show in place of the acted-on one."""

    rows: list[VisibleFollowUp] = field(default_factory=list)
    error: str = ""
    status_code: int = 200


async def complete(viewer: Viewer, follow_up_uuid: UUID, outcome: str) -> ActionOutcome:
    """Mark done with its outcome, log the outcome on the partner's timeline and, for a
    repeating follow-up, plan the next occurrence; all in one transaction.

    Conditional on the follow-up being open, so a double click completes (and repeats) once.
    """
    row = await get_follow_up(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
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
            .where(FollowUp.id == row.id, FollowUp.state == FollowUpState.open)
            .returning(FollowUp.id)
        )
        if not done:
            return ActionOutcome(
                rows=[await get_follow_up(viewer, follow_up_uuid)],
                error=_("This follow-up was already done."),
                status_code=409,
            )
        organisation = await access.get_organisation(viewer, row.partner_uuid)
        entry, errors = await partners.add_timeline_entry(
            viewer,
            organisation.id,
            {
                "kind": TIMELINE_KIND.get(FollowUpKind(row.kind), "note"),
                "occurred_at": partner_forms.local_input_value(now, viewer.time_zone),
                "summary": f"{row.title}: {outcome}",
                "internal": "on",
            },
        )
        if entry is None:
            raise RuntimeError(f"the timeline refused the outcome: {errors}")
        next_uuid = await _schedule_next(viewer, row)
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row.organisation,
            action="complete",
            changes={"state": [row.state, FollowUpState.done.value], "outcome": ["", outcome]},
            summary=outcome[:200],
        )
    rows = [await get_follow_up(viewer, follow_up_uuid)]
    if next_uuid is not None:
        rows.append(await get_follow_up(viewer, next_uuid))
    return ActionOutcome(rows=rows)


@access.checked_by_caller("the follow-up comes from get_follow_up; its series' own rows")
async def _schedule_next(viewer: Viewer, row: VisibleFollowUp) -> UUID | None:
    """Store the series' occurrence after ``row`` as the one due next (None when the series
    ended or that occurrence is stored already); skipped occurrences are passed over."""
    if row.series is None or row.occurrence_at is None:
        return None
    assert row.series_rule and row.series_starts_at and row.series_time_zone
    stored = {
        stored_row["occurrence_at"]: stored_row["state"]
        for stored_row in await FollowUp.select(FollowUp.occurrence_at, FollowUp.state).where(
            FollowUp.series == row.series, FollowUp.occurrence_at > row.occurrence_at
        )
    }
    for moment in recurrence.following(
        row.series_rule, row.series_starts_at, row.series_time_zone, row.occurrence_at
    ):
        if stored.get(moment) == FollowUpState.cancelled:
            continue
        if moment in stored:
            return None
        created = await services.insert_row(
            organisation_id=row.organisation,
            owner_id=row.owner,
            title=row.title,
            due_at=moment,
            kind=row.kind,
            notes=row.notes,
            priority=row.priority,
            subject_kind=row.subject_kind,
            subject_uuid=row.subject_uuid,
            recurrence=row.series_rule,
            remind_minutes=row.remind_minutes,
            created_by=viewer.user_id,
            previous_id=row.id,
            series_id=row.series,
            occurrence_at=moment,
        )
        await services.audit_created(viewer, created, row.organisation, row.title)
        return created.uuid
    return None


async def _computed_occurrence(
    viewer: Viewer, follow_up_uuid: UUID, occurrence: datetime | None
) -> tuple[VisibleFollowUp, str]:
    """The open follow-up and, when ``occurrence`` names a later start of its series that is
    not stored yet, that start; else an error for the reader."""
    row = await get_follow_up(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    if row.state != FollowUpState.open:
        return row, _("This follow-up is already done.")
    if (
        occurrence is None
        or row.series is None
        or row.occurrence_at is None
        or occurrence <= row.occurrence_at
    ):
        return row, _("This occurrence is not in the series.")
    assert row.series_rule and row.series_starts_at and row.series_time_zone
    found = recurrence.occurrences(
        row.series_rule,
        row.series_starts_at,
        row.series_time_zone,
        occurrence,
        occurrence + timedelta(seconds=1),
    )
    taken = await FollowUp.exists().where(
        FollowUp.series == row.series, FollowUp.occurrence_at == occurrence
    )
    if found != [occurrence] or taken:
        return row, _("This occurrence is not in the series.")
    return row, ""


@access.checked_by_caller("the series comes from get_follow_up through _computed_occurrence")
async def change_occurrence(
    viewer: Viewer,
    follow_up_uuid: UUID,
    occurrence: datetime | None,
    due_at: datetime | None,
    skip: bool = False,
) -> ActionOutcome:
    """Move one later occurrence of a series to ``due_at``, or skip it (``skip``): it is
    stored as an exception of the series (iCalendar's RECURRENCE-ID or EXDATE)."""
    row, error = await _computed_occurrence(viewer, follow_up_uuid, occurrence)
    if error:
        return ActionOutcome(rows=[row], error=error, status_code=400)
    if due_at is None and not skip:
        return ActionOutcome(rows=[row], error=_("Choose the new time."), status_code=400)
    assert occurrence is not None
    async with write_transaction():
        created = await services.insert_row(
            organisation_id=row.organisation,
            owner_id=row.owner,
            title=row.title,
            due_at=occurrence if skip or due_at is None else due_at,
            kind=row.kind,
            notes=row.notes,
            priority=row.priority,
            subject_kind=row.subject_kind,
            subject_uuid=row.subject_uuid,
            recurrence=row.series_rule or "",
            remind_minutes=row.remind_minutes,
            created_by=viewer.user_id,
            series_id=row.series,
            occurrence_at=occurrence,
            state=FollowUpState.cancelled if skip else FollowUpState.open,
        )
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=created.uuid,
            organisation_id=row.organisation,
            action="skip" if skip else "reschedule",
            changes=audit_log.changes_between(
                {"due_at": occurrence}, {"due_at": None if skip else due_at}
            ),
            summary=row.title[:200],
        )
    return ActionOutcome(rows=[row, await get_follow_up(viewer, created.uuid)])


async def skip(viewer: Viewer, follow_up_uuid: UUID) -> ActionOutcome:
    """Skip the stored occurrence of a series: cancelled, and the next one becomes due."""
    row = await get_follow_up(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    if row.series is None:
        return ActionOutcome(
            rows=[row], error=_("This occurrence is not in the series."), status_code=400
        )
    async with write_transaction():
        cancelled = await (
            FollowUp.update(
                {
                    FollowUp.state: FollowUpState.cancelled,
                    FollowUp.updated_at: utcnow(),
                    FollowUp.version: FollowUp.version + 1,
                }
            )
            .where(FollowUp.id == row.id, FollowUp.state == FollowUpState.open)
            .returning(FollowUp.id)
        )
        if not cancelled:
            return ActionOutcome(
                rows=[row], error=_("This follow-up is already done."), status_code=409
            )
        next_uuid = await _schedule_next(viewer, row)
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row.organisation,
            action="skip",
            changes={"state": [row.state, FollowUpState.cancelled.value]},
            summary=row.title[:200],
        )
    rows = [await get_follow_up(viewer, follow_up_uuid)]
    if next_uuid is not None:
        rows.append(await get_follow_up(viewer, next_uuid))
    return ActionOutcome(rows=rows)


async def move(
    viewer: Viewer,
    follow_up_uuid: UUID,
    due_at: datetime | None,
    how: str,
    version: int | None = None,
) -> ActionOutcome:
    """Snooze or reschedule: a new due time (its reminder moves with it and is sent again)."""
    row = await get_follow_up(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    if due_at is None:
        return ActionOutcome(rows=[row], error=_("Choose the new time."), status_code=400)
    if row.state != FollowUpState.open:
        return ActionOutcome(
            rows=[row], error=_("This follow-up is already done."), status_code=409
        )
    conditions = [FollowUp.id == row.id, FollowUp.state == FollowUpState.open]
    if version is not None:
        conditions.append(FollowUp.version == version)
    async with write_transaction():
        moved = await (
            FollowUp.update(
                {
                    FollowUp.due_at: due_at,
                    FollowUp.remind_at: services.reminder_time(due_at, row.remind_minutes),
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
                rows=[await get_follow_up(viewer, follow_up_uuid)],
                error=_("Someone else changed this follow-up; check and try again."),
                status_code=409,
            )
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row.organisation,
            action=how,
            changes=audit_log.changes_between({"due_at": row.due_at}, {"due_at": due_at}),
            summary=row.title[:200],
        )
    return ActionOutcome(rows=[await get_follow_up(viewer, follow_up_uuid)])


async def reassign(viewer: Viewer, follow_up_uuid: UUID, owner_raw: str) -> ActionOutcome:
    """Give the follow-up to another KAM (one the viewer may plan for); they are told."""
    row = await get_follow_up(viewer, follow_up_uuid, SchedulerAction.manage_follow_ups)
    errors: dict[str, str] = {}
    owner_id = await _owner_for_form(viewer, owner_raw, errors) if owner_raw else None
    if owner_id is None:
        return ActionOutcome(rows=[row], error=_("Choose who does it."), status_code=400)
    if row.state != FollowUpState.open:
        return ActionOutcome(
            rows=[row], error=_("This follow-up is already done."), status_code=409
        )
    if owner_id == row.owner:
        return ActionOutcome(rows=[row])
    async with write_transaction():
        await FollowUp.update(
            {
                FollowUp.owner: owner_id,
                FollowUp.updated_at: utcnow(),
                FollowUp.version: FollowUp.version + 1,
            }
        ).where(FollowUp.id == row.id)
        await audit_log.record(
            viewer,
            entity_kind="follow_up",
            entity_uuid=follow_up_uuid,
            organisation_id=row.organisation,
            action="reassign",
            changes={"owner": [row.owner, owner_id]},
            summary=row.title[:200],
        )
        if owner_id != viewer.user_id:
            await _tell_new_owner(
                viewer,
                owner_id,
                follow_up_uuid,
                row.title_parameter(),
                row.due_at,
            )
    return ActionOutcome(rows=[await get_follow_up(viewer, follow_up_uuid)])


@access.checked_by_caller("the owner of a follow-up its caller fetched or created")
async def _tell_new_owner(
    viewer: Viewer,
    owner_id: int,
    follow_up_uuid: UUID,
    title: str | dict[str, Any],
    due_at: datetime,
) -> None:
    """The bell and an e-mail (unless they turned it off) for a follow-up given to someone;
    ``title`` as TitledFollowUp.title_parameter gives it (a rule's, in the owner's language)."""
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
    settings = current_settings()
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
