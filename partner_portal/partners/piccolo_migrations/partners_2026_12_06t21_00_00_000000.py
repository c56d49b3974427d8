from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
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


class PartnerStatusChange(Table, tablename="partner_status_change", schema=None):
    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation)
    valid_from = Timestamptz()
    status = Varchar(length=20)
    tier = Varchar(length=20)


ID = "2026-12-06T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partners: status history (partner_status_change)"
# Its backfill is migration 2026-12-07T03:20: Piccolo runs a raw step before the table
# changes of the same migration, so a backfill here wrote to a table not yet made.


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

    return manager
