"""Input of the follow-up pages and its parsing (shape only, no database).

Each ``parse_*`` returns ``(value, errors)``: the value is None when any field is
wrong, and ``errors`` maps each wrong field to a message shown beside it. Times are
typed in the viewer's time zone and kept in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from partner_portal import inputs
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from scheduler.tables import FollowUpKind, Priority, SubjectKind

if TYPE_CHECKING:
    from scheduler.records import FollowUpRecord

KINDS = tuple(kind.value for kind in FollowUpKind)
PRIORITIES = tuple(priority.value for priority in Priority)
SUBJECT_KINDS = ("order", "contract")
DEFAULT_TIME = time(9, 0)
# Lead times a reminder may have, in minutes (0: no reminder).
REMIND_CHOICES: tuple[tuple[int, str], ...] = (
    (0, N_("No reminder")),
    (15, N_("15 minutes before")),
    (60, N_("1 hour before")),
    (24 * 60, N_("1 day before")),
    (2 * 24 * 60, N_("2 days before")),
)
DEFAULT_REMIND_MINUTES = 60
# Repeats offered as choices; any other RFC 5545 RRULE can be typed.
RECURRENCE_PRESETS: tuple[tuple[str, str], ...] = (
    ("", N_("Does not repeat")),
    ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", N_("Every weekday")),
    ("FREQ=WEEKLY", N_("Every week")),
    ("FREQ=WEEKLY;INTERVAL=2", N_("Every 2 weeks")),
    ("FREQ=MONTHLY", N_("Every month")),
    ("FREQ=MONTHLY;BYDAY=1MO", N_("First Monday of the month")),
    ("FREQ=MONTHLY;INTERVAL=3", N_("Every quarter")),
)
SNOOZE_CHOICES: tuple[tuple[str, str], ...] = (
    ("1h", N_("1 hour")),
    ("tomorrow", N_("Tomorrow 09:00")),
    ("next_week", N_("Next Monday 09:00")),
)


@dataclass(frozen=True)
class FollowUpInput:
    kind: str
    title: str
    notes: str
    due_at: datetime
    priority: str
    recurrence: str
    remind_minutes: int
    subject_kind: str = ""
    subject_uuid: UUID | None = None


def local_moment(day: date, at: time, time_zone: str) -> datetime:
    """A wall-clock time in a zone as a UTC moment."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def parse_due(data: Mapping[str, Any], time_zone: str, errors: dict[str, str]) -> datetime | None:
    raw_date = field_text(data, "due_date", 20)
    raw_time = field_text(data, "due_time", 10)
    if not raw_date:
        errors["due_date"] = _("Enter the day it is due.")
        return None
    day = inputs.valid(
        errors, "due_date", inputs.date(raw_date), _("Enter the day like 2026-03-01.")
    )
    if day is None:
        return None
    at = DEFAULT_TIME
    if raw_time:
        try:
            at = time.fromisoformat(raw_time)
        except ValueError:
            errors["due_time"] = _("Enter the time like 14:30.")
            return None
    return local_moment(day, at.replace(second=0, microsecond=0), time_zone)


def recurrence_problem(rule: str) -> str | None:
    """Why an RRULE cannot be used, or None. COUNT is refused: each occurrence is the
    next one's start, so a count would never end; UNTIL ends a series instead."""
    if not rule:
        return None
    body = rule.removeprefix("RRULE:")
    if "COUNT=" in body.upper():
        return _("Use UNTIL=YYYYMMDD to end a series; COUNT is not supported.")
    try:
        rrulestr(body, dtstart=datetime(2026, 1, 5, 9, 0))
    except (ValueError, TypeError):
        return _("This is not a repeat rule (RFC 5545), like FREQ=WEEKLY;BYDAY=MO.")
    return None


def normalise_recurrence(rule: str) -> str:
    return rule.strip().removeprefix("RRULE:").upper().replace(" ", "")


def parse_follow_up(
    data: Mapping[str, Any], time_zone: str
) -> tuple[FollowUpInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    kind = field_text(data, "kind", 20)
    if kind not in KINDS:
        errors["kind"] = _("Choose what to do.")
    title = field_text(data, "title", 200)
    if not title:
        errors["title"] = _("Say in a few words what to do.")
    notes = field_text(data, "notes", 10_000)
    priority = field_text(data, "priority", 10) or Priority.normal.value
    if priority not in PRIORITIES:
        errors["priority"] = _("Choose a priority.")
    due_at = parse_due(data, time_zone, errors)
    custom = normalise_recurrence(field_text(data, "recurrence_rule", 300))
    recurrence = custom or field_text(data, "recurrence", 300)
    problem = recurrence_problem(recurrence)
    if problem:
        errors["recurrence_rule"] = problem
    try:
        remind_minutes = int(field_text(data, "remind_minutes", 10) or DEFAULT_REMIND_MINUTES)
    except ValueError:
        remind_minutes = -1
    if remind_minutes not in {minutes for minutes, _label in REMIND_CHOICES}:
        errors["remind_minutes"] = _("Choose when to be reminded.")
    subject_kind = field_text(data, "subject_kind", 20)
    subject_uuid: UUID | None = None
    raw_subject = field_text(data, "subject_uuid", 60)
    if subject_kind or raw_subject:
        if subject_kind not in SUBJECT_KINDS and subject_kind != SubjectKind.timeline_entry:
            errors["subject_kind"] = _("Choose an order or a contract.")
        try:
            subject_uuid = UUID(raw_subject)
        except ValueError:
            errors["subject_uuid"] = _("Paste the order's or contract's reference.")
    if errors or due_at is None:
        return None, errors
    return (
        FollowUpInput(
            kind=kind,
            title=title,
            notes=notes,
            due_at=due_at,
            priority=priority,
            recurrence=recurrence,
            remind_minutes=remind_minutes,
            subject_kind=subject_kind if subject_uuid else "",
            subject_uuid=subject_uuid,
        ),
        {},
    )


def snooze_until(choice: str, now: datetime, time_zone: str) -> datetime | None:
    """The new due time for a snooze choice, in the viewer's zone; None if unknown."""
    zone = ZoneInfo(time_zone)
    local_today = now.astimezone(zone).date()
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        return local_moment(local_today + timedelta(days=1), DEFAULT_TIME, time_zone)
    if choice == "next_week":
        days_ahead = 7 - local_today.weekday()
        return local_moment(local_today + timedelta(days=days_ahead), DEFAULT_TIME, time_zone)
    return None


def form_values(row: FollowUpRecord, time_zone: str) -> dict[str, Any]:
    """A follow-up as the form shows it (due time in the viewer's zone)."""
    local = row.due_at.astimezone(ZoneInfo(time_zone))
    presets = {value for value, _label in RECURRENCE_PRESETS}
    return {
        "kind": row.kind,
        "title": row.title,
        "notes": row.notes,
        "priority": row.priority,
        "due_date": local.date().isoformat(),
        "due_time": local.strftime("%H:%M"),
        "recurrence": row.recurrence if row.recurrence in presets else "",
        "recurrence_rule": "" if row.recurrence in presets else row.recurrence,
        "remind_minutes": str(row.remind_minutes),
        "subject_kind": row.subject_kind,
        "subject_uuid": str(row.subject_uuid) if row.subject_uuid else "",
        "version": str(row.version),
    }


def parse_moment(text: str) -> datetime | None:
    """An occurrence's start as the calendar wrote it (ISO 8601 with its offset), in UTC."""
    try:
        moment = datetime.fromisoformat(text[:40])
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def position(query: Mapping[str, Any]) -> tuple[datetime, int] | None:
    """The (due time, id) of the last row a list showed, as its "Show more" link wrote it
    (after_due, after_id); None (from the first row) when either is missing or malformed."""
    due_at = parse_moment(str(query.get("after_due") or ""))
    follow_up_id = inputs.whole_number(query.get("after_id"))
    return None if due_at is None or follow_up_id is None else (due_at, follow_up_id)
