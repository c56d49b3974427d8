"""Backfill each partner's status history (partner_status_change) from the audit log.

This was a raw step of the migration that made the table (2026-12-06T21:00); Piccolo runs
raw steps before a migration's table changes, so on a database that already had partners
it wrote to a table not yet made and the upgrade stopped. Here the table exists. Partners
that already have a history (written since by partners/history.py) are left as they are."""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Organisation(Table, tablename="organisation", schema=None):
    id = Serial(primary_key=True)
    status = Varchar(length=20)
    tier = Varchar(length=20)
    created_at = Timestamptz()


class AuditEntry(Table, tablename="audit_entry", schema=None):
    id = Serial(primary_key=True)
    occurred_at = Timestamptz()
    entity_kind = Varchar(length=40)
    organisation = ForeignKey(Organisation, null=True)
    changes = JSON()


class PartnerStatusChange(Table, tablename="partner_status_change", schema=None):
    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation)
    valid_from = Timestamptz()
    status = Varchar(length=20)
    tier = Varchar(length=20)


ID = "2026-12-07T03:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partners: status history backfilled from the audit log where a partner has none"


async def _audited_changes() -> dict[int, list[tuple[object, dict]]]:
    """Each organisation's audited status and tier changes, oldest first."""
    changes_of: dict[int, list[tuple[object, dict]]] = {}
    # On a new database the audit app's tables come after the partners app's.
    if not await AuditEntry.table_exists():
        return changes_of
    entries = (
        await AuditEntry.select(AuditEntry.organisation, AuditEntry.occurred_at, AuditEntry.changes)
        .where((AuditEntry.entity_kind == "organisation") & AuditEntry.organisation.is_not_null())
        .order_by(AuditEntry.id)
    )
    for entry in entries:
        changes = entry["changes"]
        if isinstance(changes, str):
            changes = json.loads(changes or "{}")
        changes = {
            name: pair for name, pair in (changes or {}).items() if name in ("status", "tier")
        }
        if changes:
            changes_of.setdefault(entry["organisation"], []).append((entry["occurred_at"], changes))
    return changes_of


async def backfill() -> None:
    """Each partner's history from what exists: the values before its first audited status
    or tier change from its creation on, then the values each change left."""
    with_history = {
        row["organisation"]
        for row in await PartnerStatusChange.select(PartnerStatusChange.organisation).distinct()
    }
    changes_of = await _audited_changes()
    rows = []
    for organisation in await Organisation.select(
        Organisation.id, Organisation.status, Organisation.tier, Organisation.created_at
    ):
        if organisation["id"] in with_history:
            continue
        values = {"status": organisation["status"], "tier": organisation["tier"]}
        steps = []
        # Walk back from today's values: before each change, its "before" side held.
        for occurred_at, changes in reversed(changes_of.get(organisation["id"], [])):
            steps.append((occurred_at, dict(values)))
            for name, pair in changes.items():
                values[name] = pair[0] or values[name]
        steps.append((organisation["created_at"], dict(values)))
        for valid_from, held in reversed(steps):
            rows.append(
                PartnerStatusChange(organisation=organisation["id"], valid_from=valid_from, **held)
            )
    for start in range(0, len(rows), 500):
        await PartnerStatusChange.insert(*rows[start : start + 500])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
