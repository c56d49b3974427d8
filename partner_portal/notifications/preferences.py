"""Each user's choice of how a kind of notice reaches them: by e-mail and in the portal
(the default), in the portal only, or not at all; and whether their e-mails wait for one
daily digest. One table for every kind: the kinds of domain event (registry.event_kinds)
and the kinds of e-mail modules send themselves (registry.email_kinds)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.notifications.tables import Choice, NotificationPreference

DIGEST = "digest"  # the kind whose choice "daily" holds e-mails for the daily digest


async def choices(kind: str, user_ids: Sequence[int]) -> dict[int, Choice]:
    """Each of these users' choice for ``kind`` (one query for any number)."""
    if not user_ids:
        return {}
    rows = await NotificationPreference.select(
        NotificationPreference.user, NotificationPreference.choice
    ).where(
        NotificationPreference.kind == kind,
        NotificationPreference.user.is_in(list(set(user_ids))),
    )
    chosen = {row["user"]: Choice(row["choice"]) for row in rows}
    return {user_id: chosen.get(user_id, Choice.email) for user_id in user_ids}


async def opted_out_users(kind: str, user_ids: Sequence[int]) -> set[int]:
    """Which of these users get no e-mail of ``kind``."""
    chosen = await choices(kind, user_ids)
    return {user_id for user_id, choice in chosen.items() if choice != Choice.email}


async def digest_users(user_ids: Sequence[int]) -> set[int]:
    """Which of these users have their notification e-mails wait for the daily digest."""
    chosen = await choices(DIGEST, user_ids)
    return {user_id for user_id, choice in chosen.items() if choice == Choice.daily}


async def user_choices(user_id: int) -> dict[str, Choice]:
    """The user's choices that differ from the default, by kind."""
    rows = await NotificationPreference.select(
        NotificationPreference.kind, NotificationPreference.choice
    ).where(NotificationPreference.user == user_id)
    return {row["kind"]: Choice(row["choice"]) for row in rows}


async def set_choices(user_id: int, wanted: Mapping[str, Choice]) -> None:
    """Make the user's choices exactly ``wanted`` (kinds left out go back to the default)."""
    different = {kind: choice for kind, choice in wanted.items() if choice != Choice.email}
    async with write_transaction():
        await NotificationPreference.delete().where(NotificationPreference.user == user_id)
        if different:
            now = utcnow()
            await NotificationPreference.insert(
                *(
                    NotificationPreference(
                        user=user_id,
                        kind=kind,
                        choice=choice,
                        user_kind=f"{user_id}:{kind}",
                        created_at=now,
                    )
                    for kind, choice in sorted(different.items())
                )
            )
