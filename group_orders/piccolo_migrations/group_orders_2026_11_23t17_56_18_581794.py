from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Numeric
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import UUID
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Campaign(Table, tablename="group_campaign", schema=None):
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


ID = "2026-11-23T17:56:18:581794"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="group_orders", description=DESCRIPTION
    )

    manager.add_table(
        class_name="CategoryAllotment",
        tablename="group_campaign_category_allotment",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="CategoryAllotment",
        tablename="group_campaign_category_allotment",
        column_name="campaign",
        db_column_name="campaign",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Campaign,
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
        table_class_name="CategoryAllotment",
        tablename="group_campaign_category_allotment",
        column_name="organisation",
        db_column_name="organisation",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Organisation,
            "on_delete": OnDelete.restrict,
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
        table_class_name="CategoryAllotment",
        tablename="group_campaign_category_allotment",
        column_name="category",
        db_column_name="category",
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
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="CategoryAllotment",
        tablename="group_campaign_category_allotment",
        column_name="allotment",
        db_column_name="allotment",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Campaign",
        tablename="group_campaign",
        column_name="contract_discount_percent",
        db_column_name="contract_discount_percent",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": None,
            "digits": (5, 2),
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Campaign",
        tablename="group_campaign",
        column_name="contract_uuid",
        db_column_name="contract_uuid",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Campaign",
        tablename="group_campaign",
        column_name="price_source",
        db_column_name="price_source",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "price_list",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "PriceSource",
                {"price_list": "price_list", "contract": "contract"},
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
