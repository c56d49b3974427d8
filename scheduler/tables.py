"""Follow-ups (the KAM's planned calls, visits, e-mails, meetings and tasks), the
rules that create them, the daily digest claims, calendar feeds, and the runs of
the scheduler host's jobs."""

from __future__ import annotations

import enum
import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partner_portal.partners.tables import Organisation, User


class FollowUpKind(enum.StrEnum):
    call = "call"
    visit = "visit"
    email = "email"
    meeting = "meeting"
    task = "task"


class FollowUpState(enum.StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class Priority(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"


class SubjectKind(enum.StrEnum):
    """What a follow-up may be about besides its partner (a generic reference by UUID)."""

    order = "order"
    contract = "contract"
    timeline_entry = "timeline_entry"


class AssigneeMode(enum.StrEnum):
    partner_owner = "partner_owner"
    fixed_user = "fixed_user"


class FollowUpSeries(Table, tablename="follow_up_series"):
    """A repeating follow-up: its rule and first start. Its occurrences are computed; one
    becomes a FollowUp row when it is due next, done, moved, edited or skipped (its
    ``occurrence_at`` is the start the rule gave it, iCalendar's RECURRENCE-ID)."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    # RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=MO"), evaluated on the wall clock of time_zone.
    rule = Varchar(length=300)
    starts_at = Timestamptz()
    time_zone = Varchar(length=60)
    created_at = Timestamptz()


class FollowUp(Table, tablename="follow_up"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=FollowUpKind, default=FollowUpKind.call)
    title = Varchar(length=200)
    # A title a rule made: its message id and parameters, rendered in each reader's
    # language (partner_portal/messages.py); ``title`` then holds it in English for
    # searches and the audit log. Empty for titles people write.
    title_message = Varchar(length=300, default="")
    title_params = JSON(default="{}")
    notes = Text(default="")
    # Optional generic reference: an order or a contract (another module's row) by UUID.
    subject_kind = Varchar(length=20, default="")
    subject_uuid = UUID(null=True, default=None, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.restrict, index=True)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    due_at = Timestamptz(index=True)
    priority = Varchar(length=10, choices=Priority, default=Priority.normal)
    # RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=MO"), evaluated in the owner's time zone.
    recurrence = Varchar(length=300, default="")
    state = Varchar(length=10, choices=FollowUpState, default=FollowUpState.open, index=True)
    outcome = Text(default="")
    completed_at = Timestamptz(null=True, default=None)
    completed_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    # The reminder: sent once when remind_at has passed (reminded_at set by its claim).
    remind_at = Timestamptz(null=True, default=None, index=True)
    reminded_at = Timestamptz(null=True, default=None)
    # Set by the rule that made it: "<rule>:<subject>:<episode>", unique, so however often a
    # rule runs it creates one follow-up for a subject's episode (insert ... on conflict).
    rule_key = Varchar(length=40, default="")
    rule_guard = Varchar(length=200, null=True, default=None, unique=True)
    # The series this occurrence belongs to, and the start its rule gave it (moving the
    # occurrence changes due_at, never occurrence_at). A skipped occurrence is cancelled.
    series = ForeignKey(FollowUpSeries, null=True, default=None, on_delete=OnDelete.cascade)
    occurrence_at = Timestamptz(null=True, default=None)
    # The occurrence this one follows in a repeating series.
    previous: ForeignKey[FollowUp] = ForeignKey(
        "self", null=True, default=None, on_delete=OnDelete.set_null, index=False
    )
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class FollowUpCause(Table, tablename="follow_up_cause"):
    """One cause a rule found that is listed in a grouped follow-up: a rule that finds many
    causes for one owner at once (enabled on a full database, a new install's first run)
    makes one follow-up listing them rather than one each. The unique guard keeps the rule
    from making another follow-up for the same cause; ``cleared_at`` says when it stopped
    holding (the group closes itself when every cause has cleared)."""

    id: Serial
    guard = Varchar(length=200, unique=True)
    follow_up = ForeignKey(FollowUp, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    # The rule's message id for this cause and its parameters: read in each reader's
    # language on the follow-up's page (only the causes at partners the reader sees).
    title = Varchar(length=200)
    title_params = JSON(default="{}")
    cleared_at = Timestamptz(null=True, default=None)


class FollowUpRule(Table, tablename="follow_up_rule"):
    """A brand admin's settings of one rule (rows exist once an admin saved them)."""

    id: Serial
    key = Varchar(length=40, unique=True)
    enabled = Boolean(default=True)
    threshold_days = Integer(default=30)
    assignee_mode = Varchar(length=20, choices=AssigneeMode, default=AssigneeMode.partner_owner)
    assignee = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz()


class DigestClaim(Table, tablename="follow_up_digest"):
    """One daily digest per user and local date: the insert is the claim."""

    id: Serial
    user_date = Varchar(length=60, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    local_date = Date()
    claimed_at = Timestamptz()
    claimed_by = Varchar(length=100, default="")


class CalendarFeed(Table, tablename="calendar_feed"):
    """A user's secret iCalendar address; only a hash of the secret is kept."""

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, unique=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()


class JobRun(Table, tablename="scheduler_job_run"):
    id: Serial
    job_key = Varchar(length=60, index=True)
    started_at = Timestamptz(index=True)
    finished_at = Timestamptz(null=True, default=None)
    duration_ms = Integer(null=True, default=None)
    ok = Boolean(null=True, default=None)
    result = Text(default="")
    error = Text(default="")
    runner = Varchar(length=100, default="")
