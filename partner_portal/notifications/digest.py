"""The daily digest: a user who chose "one summary a day" gets, once a day after 08:00 in
their time zone, one e-mail listing the notifications held for it since the last one, in
their language; those notifications are then marked as told.

Each (user, local date) is claimed by inserting its row in notification_digest_claim
(unique), in the transaction that writes the e-mail and marks the notifications: of two
schedulers running at once one claims it, the other's insert does nothing, so nobody gets
the same digest twice; a digest rolled back (a crash) is claimed again on the next run.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from partner_portal import access
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.notifications.services import mail_user
from partner_portal.notifications.tables import DigestClaim, Notification, NotificationMail
from partner_portal.partners.tables import User
from partner_portal.settings import Settings

DIGEST_AT = time(8, 0)  # local time after which the day's digest goes out
DIGEST_EMAIL = "notification_digest"  # templates/emails/notification_digest.*
# At most this many notifications are listed in one digest; the page shows all of them.
MOST_LISTED = 100


@access.system_query("the digest job: the users with notifications held for their digest")
async def send_digests(settings: Settings, runner: str) -> str:
    """Write each waiting user's digest of the day once (see the module's docstring)."""
    now = utcnow()
    waiting = await (
        Notification.select(Notification.user)
        .where(Notification.mail == NotificationMail.digest)
        .distinct()
    )
    if not waiting:
        return "Notification digests: none waiting."
    users = await User.select(
        User.id, User.email, User.display_name, User.locale, User.time_zone
    ).where(
        User.id.is_in([row["user"] for row in waiting]),
        User.is_active == True,  # noqa: E712
    )
    sent = 0
    for user in users:
        local_now = now.astimezone(ZoneInfo(user["time_zone"] or settings.default_time_zone))
        if local_now.time() < DIGEST_AT:
            continue
        async with write_transaction():
            claimed = await (
                DigestClaim.insert(
                    DigestClaim(
                        user=user["id"],
                        user_day=f"{user['id']}:{local_now.date().isoformat()}",
                        claimed_by=runner[:100],
                        created_at=now,
                    )
                )
                .on_conflict(target=DigestClaim.user_day, action="DO NOTHING")
                .returning(DigestClaim.id)
            )
            if not claimed:
                continue
            held = await (
                Notification.select(
                    Notification.id,
                    Notification.message,
                    Notification.params,
                    Notification.link,
                    Notification.created_at,
                )
                .where(
                    Notification.user == user["id"],
                    Notification.mail == NotificationMail.digest,
                    Notification.created_at <= now,
                )
                .order_by(Notification.id)
                .output(load_json=True)
            )
            if not held:
                continue
            await Notification.update({Notification.mail: NotificationMail.digested}).where(
                Notification.id.is_in([item["id"] for item in held])
            )
            await mail_user(
                user,
                DIGEST_EMAIL,
                DIGEST_EMAIL,
                {
                    "name": user["display_name"],
                    "count": len(held),
                    "items": held[:MOST_LISTED],
                    "base_url": settings.base_url,
                },
                settings,
            )
            sent += 1
    return f"Notification digests: {sent} sent."
