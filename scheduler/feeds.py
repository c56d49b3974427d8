"""Each user's secret iCalendar (.ics) address with their follow-ups, for Outlook,
Google and Apple calendars to subscribe to. Only a hash of the secret is stored; a
new secret (rotation) stops the old address at once."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from partner_portal import access
from partner_portal.accounts.services import hash_secret, viewer_for_user_id
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.partners.tables import User
from scheduler.tables import CalendarFeed, FollowUp, FollowUpState

EVENT_MINUTES = 30
PAST_DAYS = 30
FUTURE_DAYS = 366
FEED_LIMIT = 2000
PRODUCT_ID = "-//Threadline//Follow-ups//EN"

_organisation: Any = FollowUp.organisation


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
    async with write_transaction():
        await CalendarFeed.delete().where(CalendarFeed.user == viewer.user_id)


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
        await access.scoped(
            FollowUp.select(
                FollowUp.uuid,
                FollowUp.kind,
                FollowUp.title,
                FollowUp.notes,
                FollowUp.due_at,
                FollowUp.state,
                FollowUp.updated_at,
                _organisation.legal_name.as_alias("partner_name"),
            ),
            viewer,
            FollowUp.organisation,
        )
        .where(
            FollowUp.owner == row["user"],
            FollowUp.state != FollowUpState.cancelled,
            FollowUp.due_at >= now - timedelta(days=PAST_DAYS),
            FollowUp.due_at < now + timedelta(days=FUTURE_DAYS),
        )
        .order_by(FollowUp.due_at)
        .limit(FEED_LIMIT)
    )
    return calendar_text(rows, base_url, now)


def calendar_text(rows: Iterable[Mapping[str, Any]], base_url: str, now: datetime) -> str:
    """An RFC 5545 VCALENDAR with one VEVENT per follow-up (times in UTC)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Threadline",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for row in rows:
        start = row["due_at"].astimezone(UTC)
        link = f"{base_url}/follow-ups/{row['uuid']}"
        description = "\n".join(part for part in (row["notes"], link) if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{row['uuid']}@threadline",
            f"DTSTAMP:{_stamp(now)}",
            f"LAST-MODIFIED:{_stamp(row['updated_at'])}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(start + timedelta(minutes=EVENT_MINUTES))}",
            f"SUMMARY:{_escape(_summary(row))}",
            f"DESCRIPTION:{_escape(description)}",
            f"URL:{link}",
            f"STATUS:{'CANCELLED' if row['state'] == FollowUpState.cancelled else 'CONFIRMED'}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _summary(row: Mapping[str, Any]) -> str:
    done = "✓ " if row["state"] == FollowUpState.done else ""
    return f"{done}{row['title']} · {row['partner_name']}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545
    3.1), cut between characters, never inside a multi-byte one."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    for character in line:
        if len((current + character).encode()) > limit:
            parts.append(current)
            current = character
            limit = 74  # the leading space of a continuation counts
        else:
            current += character
    parts.append(current)
    return "\r\n ".join(parts)
