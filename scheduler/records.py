"""Typed rows of the scheduler (partner_portal/records.py): a follow-up as the agenda, the
calendar, its page and the API show it, and the rows the agenda, the jobs and rules pages
and the feed hand around. One fetched through the access policy is a ``VisibleFollowUp``
(scheduler/access.py), made only by get_follow_up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Self
from uuid import UUID

import msgspec

from partner_portal import messages
from partner_portal.clock import utcnow
from partner_portal.records import Record
from scheduler.tables import FollowUp, FollowUpKind, FollowUpState, Priority

# The columns a FollowUpRecord is made from (FollowUpRecord.for_reader).
FOLLOW_UP_COLUMNS = (
    FollowUp.id,
    FollowUp.uuid,
    FollowUp.kind,
    FollowUp.title,
    FollowUp.title_message,
    FollowUp.title_params,
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
    FollowUp.organisation._.uuid.as_alias("partner_uuid"),
    FollowUp.organisation._.legal_name.as_alias("partner_name"),
    FollowUp.owner._.display_name.as_alias("owner_name"),
    FollowUp.owner._.uuid.as_alias("owner_uuid"),
    FollowUp.owner._.manager.as_alias("owner_manager"),
    FollowUp.series,
    FollowUp.occurrence_at,
    FollowUp.series._.uuid.as_alias("series_uuid"),
    FollowUp.series._.rule.as_alias("series_rule"),
    FollowUp.series._.starts_at.as_alias("series_starts_at"),
    FollowUp.series._.time_zone.as_alias("series_time_zone"),
)


class TitledFollowUp(Record, frozen=True):
    """A follow-up's title as stored: the text as written or, when a rule made it, the
    rule's message id (``title_message``) and parameters, ``title`` then holding it in
    English for searches and the audit log."""

    title: str
    title_message: str = ""
    title_params: dict[str, Any] = msgspec.field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        # Piccolo returns the JSON parameters as text.
        return super().from_row(
            {**row, "title_params": messages.loaded_params(row.get("title_params"))}
        )

    def title_parameter(self) -> str | dict[str, Any]:
        """The title as a parameter of another message (a notification, a reminder, a
        digest line): the nested message when a rule made it, so each reader reads it in
        their language; else the title as written."""
        if not self.title_message:
            return self.title
        return messages.nested(self.title_message, **self.title_params)

    def shown_title(self) -> str:
        """The title in the current reader's language."""
        if not self.title_message:
            return self.title
        return messages.render(self.title_message, self.title_params)


class FollowUpRecord(TitledFollowUp, frozen=True, kw_only=True):
    """A follow-up as the agenda, the calendar and its page show it, with its partner's and
    owner's names and what the viewer may do with it."""

    id: int
    uuid: UUID
    kind: FollowUpKind
    title: str  # in the viewer's language when a rule made it (title_message)
    notes: str
    due_at: datetime
    priority: Priority
    recurrence: str
    state: FollowUpState
    outcome: str
    completed_at: datetime | None
    rule_key: str
    subject_kind: str
    subject_uuid: UUID | None
    remind_at: datetime | None
    version: int
    owner: int
    organisation: int
    partner_uuid: UUID
    partner_name: str
    owner_name: str
    owner_uuid: UUID
    owner_manager: int | None
    # Its series (None for a one-off) and the start the series' rule gave it.
    series: int | None = None
    occurrence_at: datetime | None = None
    series_uuid: UUID | None = None
    series_rule: str | None = None
    series_starts_at: datetime | None = None
    series_time_zone: str | None = None
    # An occurrence computed from its series, not stored (yet): the calendar shows it, and
    # moving or skipping it stores it.
    computed: bool = False
    # Decided for the viewer who asked.
    may_change: bool = False
    overdue: bool = False
    remind_minutes: int = 0

    @classmethod
    def for_reader(cls, row: Mapping[str, Any], may_change: bool) -> Self:
        """The record of a row of FOLLOW_UP_COLUMNS for the viewer who asked: a rule's
        title in their language (the stored one is English), whether they may change it."""
        remind_at = row["remind_at"]
        record = cls.from_row(
            {
                **row,
                "may_change": may_change,
                "overdue": row["state"] == FollowUpState.open and row["due_at"] < utcnow(),
                "remind_minutes": 0
                if remind_at is None
                else int((row["due_at"] - remind_at).total_seconds() // 60),
            }
        )
        return record.replace(title=record.shown_title()) if record.title_message else record


class StoredFollowUp(Record, frozen=True):
    """A follow-up just stored (services.insert_row): what its creator records and links
    to."""

    id: int
    uuid: UUID
    due_at: datetime


class CreatedFollowUp(TitledFollowUp, frozen=True, kw_only=True):
    """A follow-up a rule just created: whom to tell, and where it is."""

    id: int
    uuid: UUID
    owner: int


class ClaimedReminder(TitledFollowUp, frozen=True, kw_only=True):
    """A follow-up whose reminder this process claimed: whom to remind of what, and when
    it is due."""

    id: int
    uuid: UUID
    due_at: datetime
    owner: int
    organisation: int
    kind: FollowUpKind


class DigestItem(TitledFollowUp, frozen=True, kw_only=True):
    """An open follow-up on its owner's daily digest."""

    uuid: UUID
    kind: FollowUpKind
    due_at: datetime
    owner: int
    priority: Priority
    partner_name: str


class Person(Record, frozen=True):
    """A brand user someone may plan follow-ups for (the owner menus) or a rule may assign
    them to."""

    id: int
    uuid: UUID
    display_name: str


class Workload(Person, frozen=True):
    """A person of the viewer's team with their open follow-ups: all of them, overdue, and
    due later within the week."""

    open: int
    overdue: int
    week: int


class JobRunRecord(Record, frozen=True):
    """One run of a scheduled job: when, how long, whether it worked and what it said."""

    id: int
    job_key: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    ok: bool | None
    result: str
    error: str
    runner: str


class FeedEntry(Record, frozen=True):
    """A follow-up as the calendar feed writes it (feeds.FEED_COLUMNS): a one-off, or an
    occurrence of its series with the series' rule, first start and zone."""

    uuid: UUID
    kind: FollowUpKind
    title: str
    notes: str
    due_at: datetime
    remind_at: datetime | None
    state: FollowUpState
    updated_at: datetime
    occurrence_at: datetime | None
    partner_name: str
    series_uuid: UUID | None
    series_rule: str | None
    series_starts_at: datetime | None
    series_time_zone: str | None


class RuleFollowUpRef(Record, frozen=True):
    """An open follow-up a rule made (upkeep.close_cleared): its partner and, when it
    answers one cause, that cause's guard (None for a grouped one, whose causes are
    FollowUpCause rows)."""

    id: int
    uuid: UUID
    organisation: int
    rule_guard: str | None


class CauseRecord(Record, frozen=True):
    """A cause a grouped follow-up lists, and whether it stopped holding."""

    id: int
    follow_up: int
    guard: str
    cleared_at: datetime | None


class MovedFollowUp(Record, frozen=True):
    """An open follow-up that moves to a partner's new KAM (handover.py)."""

    uuid: UUID
    organisation: int
    title: str
