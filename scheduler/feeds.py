"""Each user's secret iCalendar (.ics) address with their follow-ups, for Outlook,
Google and Apple calendars to subscribe to. Only a hash of the secret is stored; a
new secret (rotation) stops the old address at once."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vRecur

from partner_portal import access
from partner_portal.accounts.services import hash_secret, viewer_for_user_id
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.partners.tables import User
from scheduler.records import FeedEntry
from scheduler.tables import CalendarFeed, FollowUp, FollowUpState

EVENT_MINUTES = 30
PAST_DAYS = 30
FUTURE_DAYS = 366
FEED_LIMIT = 2000
PRODUCT_ID = "-//Threadline//Follow-ups//EN"

FEED_COLUMNS = (
    FollowUp.uuid,
    FollowUp.kind,
    FollowUp.title,
    FollowUp.notes,
    FollowUp.due_at,
    FollowUp.remind_at,
    FollowUp.state,
    FollowUp.updated_at,
    FollowUp.occurrence_at,
    FollowUp.organisation._.legal_name.as_alias("partner_name"),
    FollowUp.series._.uuid.as_alias("series_uuid"),
    FollowUp.series._.rule.as_alias("series_rule"),
    FollowUp.series._.starts_at.as_alias("series_starts_at"),
    FollowUp.series._.time_zone.as_alias("series_time_zone"),
)


async def has_feed(user_id: int) -> bool:
    return bool(await CalendarFeed.exists().where(CalendarFeed.user == user_id))


async def rotate_feed(viewer: access.Viewer) -> str:
    """A new secret for the viewer's feed (the old address stops working); returns it."""
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await CalendarFeed.delete().where(CalendarFeed.user == viewer.user_id)
        await CalendarFeed.insert(
            CalendarFeed(user=viewer.user_id, token_hash=hash_secret(token), created_at=utcnow())
        )
        await audit_log.record(
            viewer,
            entity_kind="calendar_feed",
            entity_uuid=viewer.user_uuid,
            organisation_id=viewer.organisation_id,
            action="rotate",
            summary="calendar feed address",
        )
    return token


async def revoke_feed(viewer: access.Viewer) -> None:
    """The viewer's feed address stops working, and no new one is made."""
    async with write_transaction():
        await CalendarFeed.delete().where(CalendarFeed.user == viewer.user_id)
        await audit_log.record(
            viewer,
            entity_kind="calendar_feed",
            entity_uuid=viewer.user_uuid,
            organisation_id=viewer.organisation_id,
            action="revoke",
            summary="calendar feed address",
        )


@access.system_query("a calendar feed's secret address: the token is the key")
async def feed_for_token(token: str, base_url: str) -> str | None:
    """The .ics text for a secret (its links under ``base_url``), or None when the secret is
    unknown or its user is inactive."""
    if not token or len(token) > 100:
        return None
    row = (
        await CalendarFeed.select(CalendarFeed.user)
        .where(CalendarFeed.token_hash == hash_secret(token))
        .first()
    )
    if row is None:
        return None
    user = await User.select(User.is_active).where(User.id == row["user"]).first()
    if user is None or not user["is_active"]:
        return None
    viewer = await viewer_for_user_id(row["user"])
    now = utcnow()
    # Still only partners the user may see: a partner moved to another KAM leaves the feed.
    rows = (
        await access.scoped(FollowUp.select(*FEED_COLUMNS), viewer, FollowUp.organisation)
        .where(
            FollowUp.owner == row["user"],
            FollowUp.due_at >= now - timedelta(days=PAST_DAYS),
            FollowUp.due_at < now + timedelta(days=FUTURE_DAYS),
        )
        .order_by(FollowUp.due_at)
        .limit(FEED_LIMIT)
    )
    return calendar_text(FeedEntry.from_rows(rows), base_url, now)


def calendar_text(rows: Sequence[FeedEntry], base_url: str, now: datetime) -> str:
    """An RFC 5545 VCALENDAR: a one-off follow-up is one VEVENT; a series is one VEVENT
    with its RRULE (on its owner's wall clock, with the zone's VTIMEZONE), EXDATE for the
    skipped occurrences and, for each stored occurrence that was done, moved or edited, a
    VEVENT with its RECURRENCE-ID. A follow-up with a reminder carries a VALARM."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Threadline")
    series: dict[UUID, list[FeedEntry]] = defaultdict(list)
    for row in rows:
        if row.series_uuid is None:
            if row.state != FollowUpState.cancelled:
                calendar.add_component(_event(row, base_url, now, uid=f"{row.uuid}@threadline"))
        else:
            series[row.series_uuid].append(row)
    for series_uuid, occurrences in series.items():
        uid = f"{series_uuid}@threadline"
        first = occurrences[0]
        # Every occurrence of a series carries its series' rule, start and zone.
        assert first.series_rule and first.series_starts_at and first.series_time_zone
        zone = ZoneInfo(first.series_time_zone)
        # The series' text is its current occurrence's: the first open one, else the last.
        current = next(
            (row for row in occurrences if row.state == FollowUpState.open), occurrences[-1]
        )
        master = _event(current, base_url, now, uid=uid, start=first.series_starts_at, zone=zone)
        master.add("rrule", vRecur.from_ical(first.series_rule.removeprefix("RRULE:")))
        skipped = [
            _occurrence(row, zone) for row in occurrences if row.state == FollowUpState.cancelled
        ]
        if skipped:
            master.add("exdate", skipped)
        calendar.add_component(master)
        for row in occurrences:
            if row.state == FollowUpState.cancelled or (row is current and _as_ruled(row)):
                continue
            event = _event(row, base_url, now, uid=uid)
            event.add("recurrence-id", _occurrence(row, zone))
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def _occurrence(row: FeedEntry, zone: ZoneInfo) -> datetime:
    """The start the series' rule gave an occurrence (its RECURRENCE-ID), in its zone."""
    assert row.occurrence_at is not None
    return row.occurrence_at.astimezone(zone)


def _as_ruled(row: FeedEntry) -> bool:
    """An occurrence the series' own VEVENT already describes (due when the rule says)."""
    return bool(row.due_at == row.occurrence_at and row.state == FollowUpState.open)


def _event(
    row: FeedEntry,
    base_url: str,
    now: datetime,
    *,
    uid: str,
    start: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> Event:
    start = (start or row.due_at).astimezone(zone or UTC)
    link = f"{base_url}/follow-ups/{row.uuid}"
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("last-modified", row.updated_at.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
    event.add("summary", _summary(row))
    event.add("description", "\n".join(part for part in (row.notes, link) if part))
    event.add("url", link)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    if row.remind_at is not None and row.state == FollowUpState.open:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", row.title)
        alarm.add("trigger", row.remind_at - row.due_at)
        event.add_component(alarm)
    return event


def _summary(row: FeedEntry) -> str:
    done = "✓ " if row.state == FollowUpState.done else ""
    return f"{done}{row.title} · {row.partner_name}"
