import json
from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import JSON
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Organisation(Table, tablename="organisation", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )
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


ID = "2026-12-06T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partners: status history (partner_status_change), backfilled from the audit log"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    manager.add_table(
        class_name="PartnerStatusChange",
        tablename="partner_status_change",
        schema=None,
        columns=None,
    )
    manager.add_column(
        table_class_name="PartnerStatusChange",
        tablename="partner_status_change",
        column_name="organisation",
        db_column_name="organisation",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Organisation,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    manager.add_column(
        table_class_name="PartnerStatusChange",
        tablename="partner_status_change",
        column_name="valid_from",
        db_column_name="valid_from",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    choices = {
        "status": Enum(
            "PartnerStatus",
            {"prospect": "prospect", "active": "active", "dormant": "dormant", "churned": "churned"},
        ),
        "tier": Enum(
            "Tier",
            {"platinum": "platinum", "gold": "gold", "silver": "silver", "standard": "standard"},
        ),
    }
    for name in ("status", "tier"):
        manager.add_column(
            table_class_name="PartnerStatusChange",
            tablename="partner_status_change",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params={
                "length": 20,
                "default": "",
                "null": False,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": choices[name],
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )

    async def backfill() -> None:
        """Each partner's history from what exists: the values before its first audited
        status or tier change from its creation on, then the values each change left."""
        changes_of: dict[int, list[tuple[object, dict]]] = {}
        # On a new database the audit app's tables come after the partners app's.
        has_audit = await AuditEntry.table_exists()
        entries = [] if not has_audit else (
            await AuditEntry.select(
                AuditEntry.organisation, AuditEntry.occurred_at, AuditEntry.changes
            )
            .where(
                (AuditEntry.entity_kind == "organisation") & AuditEntry.organisation.is_not_null()
            )
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
                changes_of.setdefault(entry["organisation"], []).append(
                    (entry["occurred_at"], changes)
                )
        rows = []
        for organisation in await Organisation.select(
            Organisation.id, Organisation.status, Organisation.tier, Organisation.created_at
        ):
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
                    PartnerStatusChange(
                        organisation=organisation["id"], valid_from=valid_from, **held
                    )
                )
        for start in range(0, len(rows), 500):
            await PartnerStatusChange.insert(*rows[start : start + 500])

    manager.add_raw(backfill)
    return manager
