"""What a rule's run does with what it found: new causes become follow-ups (many at once
for one owner become one follow-up listing them), and follow-ups whose cause no longer
holds close themselves, with a note on the partner's timeline.

A cause is a rule's episode (scheduler.rules): "this order in this status since that
day". A follow-up made for one cause carries it as its ``rule_guard``; a grouped one lists
its causes as FollowUpCause rows. Either way the guard is unique, so a cause gets one
follow-up however often and in however many processes the rules run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from partner_portal import access, messages
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.notifications.inbox import NewNotification, notify
from partner_portal.partners.tables import InteractionKind, Organisation, TimelineEntry
from scheduler.records import CauseRecord, CreatedFollowUp, RuleFollowUpRef
from scheduler.services import (
    RuleFollowUp,
    guards_in_use,
    insert_rule_follow_ups,
    stored_title,
)
from scheduler.tables import FollowUp, FollowUpCause, FollowUpState, Priority

# From this many new causes for one owner in one run (a rule just enabled on a full
# database, a new install's first run), the owner gets one follow-up listing them.
GROUP_FROM = 6


@access.system_query("the follow-up rules job: which causes already have a follow-up")
async def create_follow_ups(wanted: Sequence[RuleFollowUp], group_title: str, days: int) -> int:
    """Follow-ups for the causes that have none yet; how many causes got one.

    ``group_title`` is the rule's message for a grouped follow-up (``count`` and ``days``
    filled in)."""
    if not wanted:
        return 0
    guards = [item.guard for item in wanted]
    known = await guards_in_use(guards) | {
        row["guard"]
        for row in await FollowUpCause.select(FollowUpCause.guard).where(
            FollowUpCause.guard.is_in(guards)
        )
    }
    by_owner: dict[int, dict[str, RuleFollowUp]] = defaultdict(dict)
    for item in wanted:
        if item.guard not in known:
            by_owner[item.owner_id][item.guard] = item
    singles: list[RuleFollowUp] = []
    created = 0
    for owner_id, items in by_owner.items():
        if len(items) < GROUP_FROM:
            singles.extend(items.values())
        else:
            created += await _insert_group(owner_id, list(items.values()), group_title, days)
    return created + await insert_rule_follow_ups(singles)


@access.system_query("the follow-up rules job: a grouped follow-up another run beat")
async def _insert_group(
    owner_id: int, items: list[RuleFollowUp], group_title: str, days: int
) -> int:
    """One follow-up listing ``items`` (the most urgent first); how many causes it took
    (another process may have taken them). It is filed under the first partner its owner
    may see and names no other: its page lists each reader only the causes at partners
    they see (causes_for), in their language; the notes stay empty."""
    items.sort(key=lambda item: (item.priority != Priority.high, item.title))
    seen = await partners_seen_by(owner_id, {item.organisation_id for item in items})
    first = next((item for item in items if item.organisation_id in seen), items[0])
    now = utcnow()
    async with write_transaction():
        [stored] = await FollowUp.insert(
            FollowUp(
                stored_title(group_title, {"count": len(items), "days": days}),
                organisation=first.organisation_id,
                owner=owner_id,
                kind=first.kind,
                priority=first.priority,
                due_at=first.due_at,
                rule_key=first.rule_key,
                created_at=now,
                updated_at=now,
            )
        ).returning(
            FollowUp.id,
            FollowUp.uuid,
            FollowUp.owner,
            FollowUp.title,
            FollowUp.title_message,
            FollowUp.title_params,
        )
        group = CreatedFollowUp.from_row(stored)
        listed = await (
            FollowUpCause.insert(
                *(
                    FollowUpCause(
                        guard=item.guard,
                        follow_up=group.id,
                        organisation=item.organisation_id,
                        title=item.title[:200],
                        title_params=json.dumps(messages.plain_params(item.title_params or {})),
                    )
                    for item in items
                )
            )
            .on_conflict(target=FollowUpCause.guard, action="DO NOTHING")
            .returning(FollowUpCause.id)
        )
        if not listed:
            await FollowUp.delete().where(FollowUp.id == group.id)
            return 0
        await notify(
            NewNotification(
                user_id=owner_id,
                kind="follow_up_created",
                message=N_("New follow-up: %(title)s"),
                params={"title": group.title_parameter()},
                link=f"/follow-ups/{group.uuid}",
            )
        )
    return len(listed)


async def partners_seen_by(user_id: int, organisation_ids: set[int]) -> set[int]:
    """Which of these partners the user may see (the access policy, as for their pages)."""
    viewer = await viewer_for_user_id(user_id)
    return {
        row["id"]
        for row in await access.scoped(Organisation.select(Organisation.id), viewer).where(
            Organisation.id.is_in(list(organisation_ids) or [-1])
        )
    }


@access.system_query("the follow-up rules job: a rule's open follow-ups across partners")
async def close_cleared(rule_key: str, current: set[str], reason: str) -> int:
    """Close the rule's open follow-ups whose causes are no longer in ``current`` (the
    guards the rule found just now); ``reason`` (a message id) becomes their outcome and a
    note on each partner's timeline. How many follow-ups closed."""
    open_rows = RuleFollowUpRef.from_rows(
        await FollowUp.select(
            FollowUp.id, FollowUp.uuid, FollowUp.organisation, FollowUp.rule_guard
        ).where(FollowUp.rule_key == rule_key, FollowUp.state == FollowUpState.open)
    )
    if not open_rows:
        return 0
    causes = CauseRecord.from_rows(
        await FollowUpCause.select(
            FollowUpCause.id,
            FollowUpCause.follow_up,
            FollowUpCause.guard,
            FollowUpCause.cleared_at,
        ).where(FollowUpCause.follow_up.is_in([row.id for row in open_rows]))
    )
    grouped = {cause.follow_up for cause in causes}
    holding = {
        cause.follow_up for cause in causes if cause.cleared_at is None and cause.guard in current
    }
    cleared = [
        cause.id for cause in causes if cause.cleared_at is None and cause.guard not in current
    ]
    closing = [
        row.id
        for row in open_rows
        if (row.id in grouped and row.id not in holding)
        or (row.id not in grouped and row.rule_guard not in current)
    ]
    if not cleared and not closing:
        return 0
    now = utcnow()
    async with write_transaction():
        partners = {
            row["organisation"]
            for row in (
                await FollowUpCause.update({FollowUpCause.cleared_at: now})
                .where(FollowUpCause.id.is_in(cleared), FollowUpCause.cleared_at.is_null())
                .returning(FollowUpCause.organisation)
                if cleared
                else []
            )
        }
        closed = (
            await FollowUp.update(
                {
                    FollowUp.state: FollowUpState.done.value,
                    FollowUp.outcome: reason,
                    FollowUp.completed_at: now,
                    FollowUp.updated_at: now,
                    FollowUp.version: FollowUp.version + 1,
                }
            )
            .where(FollowUp.id.is_in(closing), FollowUp.state == FollowUpState.open.value)
            .returning(FollowUp.id, FollowUp.uuid, FollowUp.organisation)
            if closing
            else []
        )
        for row in closed:
            await audit_log.record(
                None,
                entity_kind="follow_up",
                entity_uuid=row["uuid"],
                organisation_id=row["organisation"],
                action="update",
                changes={"state": [FollowUpState.open.value, FollowUpState.done.value]},
                summary=reason,
            )
            if row["id"] not in grouped:
                partners.add(row["organisation"])
        await add_system_notes(sorted(partners), reason, now)
    return len(closed)


async def add_system_notes(
    organisation_ids: list[int],
    message: str,
    now: datetime,
    params: Mapping[str, Any] | None = None,
) -> None:
    """An internal note by the system on each partner's timeline (what a rule did): a
    message id and its parameters, read in each reader's language."""
    if organisation_ids:
        await TimelineEntry.insert(
            *(
                TimelineEntry(
                    organisation=organisation_id,
                    kind=InteractionKind.system.value,
                    occurred_at=now,
                    author=None,
                    summary=message,
                    params=messages.plain_params(params or {}),
                    internal=True,
                    created_at=now,
                )
                for organisation_id in organisation_ids
            )
        )
