"""The audit log: every change to partners, users (and later orders and contracts)."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from partner_portal import access, messages
from partner_portal.access import Viewer
from partner_portal.audit.tables import AuditEntry
from partner_portal.clock import utcnow
from partner_portal.database import contains_text
from partner_portal.partners import history

PAGE_SIZE = 50


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, readable in the log."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for each field of ``after`` whose value differs."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if _plain(before.get(name)) != _plain(value)
    }


async def record(
    actor: Viewer | None,
    *,
    entity_kind: str,
    entity_uuid: uuid.UUID | None,
    organisation_id: int | None,
    action: str,
    changes: Mapping[str, Any] | None = None,
    summary: str = "",
    summary_message: str = "",
    summary_params: Mapping[str, Any] | None = None,
) -> None:
    """Write one audit entry; call it inside the transaction of the change it records.

    ``summary`` is a line as written (a record's name); a line the portal words is a
    ``summary_message`` (an N_ message id) with its ``summary_params``, read in each
    reader's language. A change of a partner's status or tier is also kept in its
    status history."""
    now = utcnow()
    entry = Entry(
        entity_kind,
        entity_uuid,
        action,
        changes or {},
        summary,
        organisation_id,
        summary_message,
        summary_params or {},
    )
    await AuditEntry.insert(_row(actor, entry, now)).run()
    if entity_kind == "organisation" and organisation_id is not None and changes:
        await history.record_change(organisation_id, changes, now)


@dataclass(frozen=True)
class Entry:
    """One entry of a change that touches many records at once (``record_many``)."""

    entity_kind: str
    entity_uuid: uuid.UUID | None
    action: str
    changes: Mapping[str, Any]
    summary: str = ""
    organisation_id: int | None = None
    # A line the portal words: its message id and parameters (``record``).
    summary_message: str = ""
    summary_params: Mapping[str, Any] = field(default_factory=dict)


# Rows a statement of record_many inserts (Piccolo binds each column: PostgreSQL takes at
# most 32,767 parameters in a statement).
ENTRIES_A_STATEMENT = 1_000


def _row(actor: Viewer | None, entry: Entry, now: dt.datetime) -> AuditEntry:
    params = messages.plain_params(entry.summary_params)
    summary = (
        messages.render_in("en", entry.summary_message, params)
        if entry.summary_message
        else entry.summary
    )
    return AuditEntry(
        occurred_at=now,
        actor=actor.user_id if actor else None,
        actor_label=actor.email if actor else "system",
        ip_address=actor.ip_address if actor else "",
        entity_kind=entry.entity_kind,
        entity_uuid=entry.entity_uuid,
        organisation=entry.organisation_id,
        action=entry.action,
        summary=summary,
        summary_message=entry.summary_message,
        summary_params=params,
        changes={name: [_plain(v) for v in pair] for name, pair in entry.changes.items()},
    )


async def record_many(actor: Viewer | None, entries: Sequence[Entry]) -> None:
    """Write the entries of one bulk change (an import, an API upsert of thousands of
    styles) in a statement per thousand, inside the change's transaction. Not for
    organisations, whose status history ``record`` keeps."""
    now = utcnow()
    for start in range(0, len(entries), ENTRIES_A_STATEMENT):
        chunk = entries[start : start + ENTRIES_A_STATEMENT]
        await AuditEntry.insert(*(_row(actor, entry, now) for entry in chunk)).run()


@dataclass(frozen=True)
class AuditFilters:
    entity_kind: str = ""
    actor_email: str = ""
    before_id: int | None = None


@access.system_query("the audit log, read whole by brand administrators (view_audit_log)")
async def list_entries(filters: AuditFilters) -> tuple[list[dict[str, Any]], int | None]:
    """A page of entries, newest first, with the id to continue from (keyset paging)."""
    query = AuditEntry.select(
        AuditEntry.id,
        AuditEntry.occurred_at,
        AuditEntry.actor_label,
        AuditEntry.ip_address,
        AuditEntry.entity_kind,
        AuditEntry.entity_uuid,
        AuditEntry.action,
        AuditEntry.summary,
        AuditEntry.summary_message,
        AuditEntry.summary_params,
        AuditEntry.changes,
        AuditEntry.organisation.legal_name.as_alias("organisation_name"),
        AuditEntry.organisation.uuid.as_alias("organisation_uuid"),
    ).order_by(AuditEntry.id, ascending=False)
    if filters.entity_kind:
        query = query.where(AuditEntry.entity_kind == filters.entity_kind)
    if filters.actor_email:
        query = query.where(contains_text(AuditEntry.actor_label, filters.actor_email))
    if filters.before_id:
        query = query.where(AuditEntry.id < filters.before_id)
    rows = await query.limit(PAGE_SIZE + 1).output(load_json=True)
    next_before = rows[PAGE_SIZE - 1]["id"] if len(rows) > PAGE_SIZE else None
    for row in rows:
        row["summary_text"] = (
            messages.render(row["summary_message"], messages.loaded_params(row["summary_params"]))
            if row["summary_message"]
            else row["summary"]
        )
    return rows[:PAGE_SIZE], next_before


@access.system_query("the audit log, read whole by brand administrators (view_audit_log)")
async def entity_kinds() -> list[str]:
    """The kinds of record the log holds, for the filter's choices."""
    rows = await AuditEntry.select(AuditEntry.entity_kind).distinct()
    return sorted(row["entity_kind"] for row in rows)


@access.checked_by_caller("the history of a row its caller fetched through access")
async def entries_for(entity_uuid: uuid.UUID) -> list[dict[str, Any]]:
    """The history of one record, oldest first."""
    return await (
        AuditEntry.select(
            AuditEntry.occurred_at, AuditEntry.actor_label, AuditEntry.action, AuditEntry.changes
        )
        .where(AuditEntry.entity_uuid == entity_uuid)
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )


async def changes_since(entity_uuid: uuid.UUID, version: int) -> list[dict[str, Any]]:
    """Audit entries that moved a record past the version a form was opened at."""
    changed = []
    for entry in await entries_for(entity_uuid):
        pair = entry["changes"].get("version")
        if pair and isinstance(pair[1], int) and pair[1] > version:
            entry["fields"] = {
                name: values for name, values in entry["changes"].items() if name != "version"
            }
            changed.append(entry)
    return changed
