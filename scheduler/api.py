"""JSON API (/api/v1/follow-ups) for the brand's follow-ups: the agenda's list with its
filters, one follow-up, planning one and marking one done, with the pages' services and
rules (scheduler/access.py: the brand's users see those of partners they see, a partner's
users never; only its owner, their manager and brand admins complete one; KAMs and
admins plan them), as problems on refusal (partner_portal/api.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Response
from litestar.params import FromPath, JSONBody, QueryParameter

from partner_portal import api, idempotency
from partner_portal.handler_types import AnyRequest
from partner_portal.i18n import gettext as _
from partner_portal.web import CurrentViewer
from scheduler import agenda, follow_ups, forms
from scheduler.access import get_follow_up
from scheduler.agenda import AgendaFilters, FollowUpQuery
from scheduler.records import FollowUpRecord
from scheduler.tables import FollowUpState

API = "/api/v1/follow-ups"
Code = Annotated[str, msgspec.Meta(max_length=40)]
# The body's names of the form's fields where they differ (api.form_fields, api.invalid).
RENAMED = {
    "recurrence_rule": "recurrence",
    "subject_uuid": "subject_id",
    "due_date": "due_at",
    "due_time": "due_at",
}


class FollowUp(msgspec.Struct):
    id: UUID
    partner: UUID
    partner_name: str
    owner: UUID
    owner_name: str
    kind: str
    # In the reader's language when a rule made it.
    title: str
    notes: str
    due_at: datetime
    priority: str
    state: str
    outcome: str
    completed_at: datetime | None
    # An RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=MO"); empty: it does not repeat.
    recurrence: str
    # How long before it is due its owner is reminded; 0: not at all.
    remind_minutes: int
    # The order or contract it is about, if any.
    subject_kind: str
    subject_id: UUID | None
    version: int
    overdue: bool
    # Whether the caller may change it (its owner, their manager or a brand admin).
    may_change: bool


class FollowUpList(msgspec.Struct):
    items: list[FollowUp]
    # Pass as ?cursor= for the next follow-ups; null on the last page.
    next_cursor: str | None


class FollowUpBody(msgspec.Struct, forbid_unknown_fields=True):
    """A follow-up to plan, checked by the page form's own rules. ``owner`` empty: the
    caller; ``due_at`` is kept to the minute; ``recurrence`` an RFC 5545 RRULE without
    COUNT (UNTIL ends a series)."""

    partner: Code = ""
    owner: Code = ""
    kind: Code = ""
    title: Annotated[str, msgspec.Meta(max_length=200)] = ""
    notes: Annotated[str, msgspec.Meta(max_length=10_000)] = ""
    due_at: datetime | None = None
    priority: Code = ""
    recurrence: Annotated[str, msgspec.Meta(max_length=300)] = ""
    remind_minutes: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None = None
    subject_kind: Code = ""
    subject_id: Code = ""


class CompletionBody(msgspec.Struct, forbid_unknown_fields=True):
    # What came of it; logged on the partner's timeline. Empty: "Done."
    outcome: Annotated[str, msgspec.Meta(max_length=10_000)] = ""


class Completed(msgspec.Struct):
    follow_up: FollowUp
    # A repeating follow-up's next occurrence, now due.
    next: FollowUp | None


def _follow_up(row: FollowUpRecord) -> FollowUp:
    return FollowUp(
        id=row.uuid,
        partner=row.partner_uuid,
        partner_name=row.partner_name,
        owner=row.owner_uuid,
        owner_name=row.owner_name,
        kind=row.kind,
        title=row.title,
        notes=row.notes,
        due_at=api.timestamp(row.due_at),
        priority=row.priority,
        state=row.state,
        outcome=row.outcome,
        completed_at=api.timestamp(row.completed_at) if row.completed_at else None,
        recurrence=row.recurrence,
        remind_minutes=row.remind_minutes,
        subject_kind=row.subject_kind,
        subject_id=row.subject_uuid,
        version=row.version,
        overdue=row.overdue,
        may_change=row.may_change,
    )


def _moment(value: datetime | None) -> datetime | None:
    """A moment given in a query: with its offset, or UTC when it has none."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@api.get(API, tags=["follow-ups"])
async def api_follow_ups(
    viewer: CurrentViewer,
    owner: Annotated[
        str,
        QueryParameter(
            max_length=40,
            description='A user\'s id, "team" for everyone whose agenda you may open, or '
            "empty: your own (a brand admin's or staff's: everyone's).",
        ),
    ] = "",
    partner: Annotated[str, QueryParameter(max_length=40, description="A partner's id.")] = "",
    kind: Annotated[str, QueryParameter(max_length=20)] = "",
    wanted_state: Annotated[
        str,
        QueryParameter(
            name="state", max_length=20, description="open, done or cancelled; empty: all."
        ),
    ] = "",
    due_from: Annotated[datetime | None, QueryParameter(description="Due at or after.")] = None,
    due_before: Annotated[datetime | None, QueryParameter(description="Due before.")] = None,
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> FollowUpList:
    """Follow-ups you may see, soonest due first; filters as on the agenda."""
    position = api.decode_cursor(cursor, (datetime, int))
    if wanted_state and wanted_state not in {item.value for item in FollowUpState}:
        raise api.invalid({"state": _("Choose open, done or cancelled.")})
    rows = await agenda.list_follow_ups(
        viewer,
        FollowUpQuery(
            filters=AgendaFilters.from_query({"owner": owner, "partner": partner, "kind": kind}),
            state=wanted_state,
            due_from=_moment(due_from),
            due_before=_moment(due_before),
            after=(api.timestamp(position[0]), position[1]) if position else None,
            limit=limit + 1,
        ),
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [api.timestamp(row.due_at), row.id])
    return FollowUpList(items=[_follow_up(row) for row in shown], next_cursor=next_cursor)


@api.get(f"{API}/{{follow_up_id:uuid}}", tags=["follow-ups"])
async def api_follow_up(viewer: CurrentViewer, follow_up_id: FromPath[UUID]) -> FollowUp:
    return _follow_up(await get_follow_up(viewer, follow_up_id))


def _form_of(data: FollowUpBody, time_zone: str) -> dict[str, str]:
    """The body as the new-follow-up form's fields: ``due_at`` as the day and time on the
    caller's wall clock, as the form takes it."""
    fields = api.form_fields(data, RENAMED)
    fields["due_date"] = fields["due_time"] = ""
    if data.due_at is not None:
        local = api.timestamp(data.due_at).astimezone(ZoneInfo(time_zone))
        fields["due_date"] = local.date().isoformat()
        fields["due_time"] = local.strftime("%H:%M")
    if data.remind_minutes is None:
        fields["remind_minutes"] = str(forms.DEFAULT_REMIND_MINUTES)
    return fields


@api.post(API, tags=["follow-ups"], status_code=201)
async def api_plan_follow_up(
    request: AnyRequest,
    viewer: CurrentViewer,
    data: JSONBody[FollowUpBody],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[FollowUp]:
    """Plan a follow-up on a partner you see, for yourself or someone you may plan for;
    send an Idempotency-Key header to make a retry safe."""

    async def plan() -> Response[FollowUp]:
        result = await follow_ups.create_from_form(viewer, _form_of(data, viewer.time_zone))
        if not result.saved:
            raise api.refused(result, RENAMED)
        assert result.uuid is not None
        return Response(_follow_up(await get_follow_up(viewer, result.uuid)), status_code=201)

    return await idempotency.respond_once(request, viewer, idempotency_key, plan)


@api.post(f"{API}/{{follow_up_id:uuid}}/complete", tags=["follow-ups"], status_code=200)
async def api_complete_follow_up(
    request: AnyRequest,
    viewer: CurrentViewer,
    follow_up_id: FromPath[UUID],
    data: JSONBody[CompletionBody],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[Completed]:
    """Mark it done with what came of it (logged on the partner's timeline); a repeating
    one's next occurrence becomes due. Done already: a 409."""

    async def complete() -> Response[Completed]:
        outcome = await follow_ups.complete(viewer, follow_up_id, data.outcome)
        if outcome.error:
            raise api.ProblemException(api.problem(outcome.status_code, outcome.error))
        first, *rest = outcome.rows
        return Response(
            Completed(follow_up=_follow_up(first), next=_follow_up(rest[0]) if rest else None)
        )

    return await idempotency.respond_once(request, viewer, idempotency_key, complete)


follow_up_api_routes = [
    api_follow_ups,
    api_follow_up,
    api_plan_follow_up,
    api_complete_follow_up,
]
