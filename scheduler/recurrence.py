"""Repeating follow-ups: a series is an RFC 5545 RRULE with a first start, evaluated on its
owner's wall clock (naive local times placed in the zone afterwards), so "every Monday
09:00" stays at 09:00 across a daylight-saving change and "the last day of the month"
follows the calendar.

Only the occurrence due next (and any that was done, moved, edited or skipped) is a
stored follow-up; the others are computed here when the calendar or the feed shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

# How far one expansion may run: a daily series over a year view is 366; the bound keeps
# a rule such as FREQ=MINUTELY from costing more than a page.
MAX_OCCURRENCES = 1000


def _series(rule: str, starts_at: datetime, time_zone: str) -> tuple[rrule, ZoneInfo]:
    zone = ZoneInfo(time_zone)
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    parsed = rrulestr(rule.removeprefix("RRULE:"), dtstart=local_start)
    assert isinstance(parsed, rrule)
    return parsed, zone


def _placed(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def occurrences(
    rule: str, starts_at: datetime, time_zone: str, start: datetime, end: datetime
) -> list[datetime]:
    """The series' starts (UTC) in [start, end), at most MAX_OCCURRENCES."""
    series, zone = _series(rule, starts_at, time_zone)
    # Local bounds a day wider than the UTC window, then the exact cut in UTC: a zone's
    # offset never reaches a day.
    local_start = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    local_end = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    found: list[datetime] = []
    for local in series.xafter(local_start, count=MAX_OCCURRENCES + 50, inc=True):
        if local >= local_end or len(found) == MAX_OCCURRENCES:
            break
        moment = _placed(local, zone)
        if start <= moment < end:
            found.append(moment)
    return found


def following(
    rule: str, starts_at: datetime, time_zone: str, after: datetime
) -> Iterator[datetime]:
    """The series' starts (UTC) after ``after``, in order, at most MAX_OCCURRENCES."""
    series, zone = _series(rule, starts_at, time_zone)
    local_after = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    for local in series.xafter(local_after, count=MAX_OCCURRENCES, inc=False):
        moment = _placed(local, zone)
        if moment > after:
            yield moment


def ended_before(rule: str, moment: datetime, time_zone: str) -> str:
    """The rule cut so that its last occurrence comes before ``moment`` (its UNTIL, on the
    series' wall clock; a COUNT is dropped, as the cut decides the end)."""
    local = moment.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None) - timedelta(seconds=1)
    parts = [
        part
        for part in rule.removeprefix("RRULE:").split(";")
        if part and not part.upper().startswith(("UNTIL=", "COUNT="))
    ]
    return ";".join([*parts, f"UNTIL={local:%Y%m%dT%H%M%S}"])
