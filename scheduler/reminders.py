"""Reminders before a follow-up is due, and each user's daily digest at 08:00 local time.

Both claim their work in the database, so any number of scheduler processes may run
them and a restart after downtime catches up once:
- a reminder is claimed by setting ``reminded_at`` with a conditional update (rows picked
  with FOR UPDATE SKIP LOCKED on PostgreSQL); the in-app notification and the e-mail are
  written in the same transaction as the claim, so each is made exactly once;
- a digest is claimed by inserting the (user, local date) row, unique, in the same
  transaction as its e-mail.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from partner_portal import access
from partner_portal.clock import utcnow
from partner_portal.database import claim_due, write_transaction
from partner_portal.i18n import N_
from partner_portal.notifications.inbox import NewNotification, notify
from partner_portal.notifications.preferences import opted_out_users
from partner_portal.notifications.services import mail_user
from partner_portal.partners.tables import Role, User
from partner_portal.settings import Settings
from scheduler.records import ClaimedReminder, DigestItem
from scheduler.tables import DigestClaim, FollowUp, FollowUpState

MAIL_REMINDER = "follow_up_reminder"
MAIL_DIGEST = "follow_up_digest"
EMAIL_KINDS = {
    MAIL_REMINDER: N_("Reminders before a follow-up is due"),
    MAIL_DIGEST: N_("My day: the daily digest at 08:00"),
}
DIGEST_AT = time(8, 0)
REMINDER_BATCH = 500


@access.system_query("the reminder job: every due follow-up")
async def _claim_reminders(now: datetime, batch: int) -> list[ClaimedReminder]:
    """Inside the caller's transaction: take up to ``batch`` due reminders for this process."""
    claimed = await claim_due(
        FollowUp,
        due=(FollowUp.state == FollowUpState.open)
        & FollowUp.reminded_at.is_null()
        & (FollowUp.remind_at <= now),
        order_by=(FollowUp.remind_at, FollowUp.id),
        batch=batch,
        claim={FollowUp.reminded_at: now},
        still_due=FollowUp.reminded_at.is_null(),
        returning=(
            FollowUp.id,
            FollowUp.uuid,
            FollowUp.title,
            FollowUp.title_message,
            FollowUp.title_params,
            FollowUp.due_at,
            FollowUp.owner,
            FollowUp.organisation,
            FollowUp.kind,
        ),
    )
    return ClaimedReminder.from_rows(claimed)


async def send_reminders(settings: Settings, batch: int = REMINDER_BATCH) -> str:
    """Remind owners of every follow-up whose reminder time has passed (bell + e-mail)."""
    now = utcnow()
    reminded = mailed = 0
    while True:
        async with write_transaction():
            claimed = await _claim_reminders(now, batch)
            if not claimed:
                break
            owners = await _users([reminder.owner for reminder in claimed])
            partners = await _partner_names([reminder.organisation for reminder in claimed])
            await notify(
                *(
                    NewNotification(
                        user_id=reminder.owner,
                        kind=MAIL_REMINDER,
                        message=N_("Due %(when)s: %(title)s"),
                        params={
                            "when": _short_time(reminder.due_at, owners.get(reminder.owner)),
                            "title": reminder.title_parameter(),
                        },
                        link=f"/follow-ups/{reminder.uuid}",
                    )
                    for reminder in claimed
                )
            )
            silent = await opted_out_users(MAIL_REMINDER, list(owners))
            for reminder in claimed:
                owner = owners.get(reminder.owner)
                if owner is None or not owner["is_active"] or owner["id"] in silent:
                    continue
                await mail_user(
                    owner,
                    MAIL_REMINDER,
                    "scheduler/follow_up_reminder",
                    {
                        "name": owner["display_name"],
                        "title": reminder.title_parameter(),
                        "kind": reminder.kind,
                        "partner": partners.get(reminder.organisation, ""),
                        "due_at": reminder.due_at,
                        "link": f"{settings.base_url}/follow-ups/{reminder.uuid}",
                    },
                    settings,
                )
                mailed += 1
        reminded += len(claimed)
        if len(claimed) < batch:
            break
    return f"Reminders: {reminded} sent in the portal, {mailed} by e-mail."


def _short_time(moment: datetime, owner: dict[str, Any] | None) -> str:
    zone = ZoneInfo(owner["time_zone"]) if owner and owner["time_zone"] else None
    local = moment.astimezone(zone) if zone else moment
    return local.strftime("%Y-%m-%d %H:%M")


@access.system_query("the reminder job: the owners of the claimed follow-ups")
async def _users(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await User.select(
        User.id, User.email, User.display_name, User.locale, User.time_zone, User.is_active
    ).where(User.id.is_in(list(set(ids))))
    return {row["id"]: row for row in rows}


async def _partner_names(ids: list[int]) -> dict[int, str]:
    from partner_portal.partners.tables import Organisation

    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.legal_name).where(
        Organisation.id.is_in(list(set(ids)))
    )
    return {row["id"]: row["legal_name"] for row in rows}


@dataclass(frozen=True)
class DigestLine:
    """A line of the digest e-mail: the follow-up's title as a message parameter (a rule's
    in the reader's language), when it is due and at which partner."""

    uuid: UUID
    due_at: datetime
    partner_name: str
    title: str | dict[str, Any]


@access.system_query("the digest job: each brand user's follow-ups of the day")
async def send_digests(settings: Settings, runner: str) -> str:
    """Each brand user whose local time has passed 08:00 today gets today's digest once:
    what is overdue and what is due by the end of their day (nothing to say, no e-mail)."""
    now = utcnow()
    users = await User.select(
        User.id, User.email, User.display_name, User.locale, User.time_zone
    ).where(
        User.is_active == True,  # noqa: E712
        User.role.is_in([Role.kam.value, Role.brand_admin.value]),
    )
    waiting: dict[str, dict[str, Any]] = {}
    for user in users:
        zone = ZoneInfo(user["time_zone"] or settings.default_time_zone)
        local_now = now.astimezone(zone)
        if local_now.time() >= DIGEST_AT:
            day = local_now.date()
            end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            waiting[f"{user['id']}:{day.isoformat()}"] = {**user, "day": day, "end": end_of_day}
    if not waiting:
        return "Digests: none due."
    claimed_before = {
        row["user_date"]
        for row in await DigestClaim.select(DigestClaim.user_date).where(
            DigestClaim.user_date.is_in(list(waiting))
        )
    }
    waiting = {key: user for key, user in waiting.items() if key not in claimed_before}
    if not waiting:
        return "Digests: all sent already."
    latest_end = max(user["end"] for user in waiting.values())
    items = DigestItem.from_rows(
        await FollowUp.select(
            FollowUp.uuid,
            FollowUp.title,
            FollowUp.title_message,
            FollowUp.title_params,
            FollowUp.kind,
            FollowUp.due_at,
            FollowUp.owner,
            FollowUp.priority,
            FollowUp.organisation._.legal_name.as_alias("partner_name"),
        )
        .where(
            FollowUp.state == FollowUpState.open,
            FollowUp.owner.is_in([user["id"] for user in waiting.values()]),
            FollowUp.due_at < latest_end,
        )
        .order_by(FollowUp.due_at)
    )
    by_owner: dict[int, list[DigestLine]] = defaultdict(list)
    for item in items:
        by_owner[item.owner].append(
            DigestLine(item.uuid, item.due_at, item.partner_name, item.title_parameter())
        )
    silent = await opted_out_users(MAIL_DIGEST, [user["id"] for user in waiting.values()])
    sent = 0
    for key, user in waiting.items():
        mine = [line for line in by_owner.get(user["id"], []) if line.due_at < user["end"]]
        async with write_transaction():
            claim = await (
                DigestClaim.insert(
                    DigestClaim(
                        user_date=key,
                        user=user["id"],
                        local_date=user["day"],
                        claimed_at=now,
                        claimed_by=runner,
                    )
                )
                .on_conflict(target=DigestClaim.user_date, action="DO NOTHING")
                .returning(DigestClaim.id)
            )
            if not claim or not mine or user["id"] in silent:
                continue
            day_start = datetime.combine(user["day"], time(0), tzinfo=user["end"].tzinfo)
            await mail_user(
                user,
                MAIL_DIGEST,
                "scheduler/follow_up_digest",
                {
                    "name": user["display_name"],
                    "day": user["day"],
                    "overdue": [line for line in mine if line.due_at < day_start],
                    "today": [line for line in mine if line.due_at >= day_start],
                    "base_url": settings.base_url,
                },
                settings,
            )
            sent += 1
    return f"Digests: {sent} sent, {len(waiting) - sent} with nothing to say or turned off."
