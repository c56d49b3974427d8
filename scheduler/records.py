"""The typed rows the scheduler's services hand to controllers, templates and the feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from partner_portal.records import Record
from scheduler.tables import FollowUpKind, FollowUpState, Priority


class FollowUpRecord(Record, frozen=True):
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
    # A title a rule made: its message id and parameters (services.title_parameter).
    title_message: str = ""
    title_params: dict[str, Any] = msgspec.field(default_factory=dict)
