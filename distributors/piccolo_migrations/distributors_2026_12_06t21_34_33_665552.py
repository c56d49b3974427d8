from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Numeric
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
import decimal

ID = "2026-12-06T21:34:33:665552"
VERSION = "1.38.0"
DESCRIPTION = "True"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="distributors", description=DESCRIPTION
    )

    manager.add_table(
        class_name="MinimumOrderValue",
        tablename="order_minimum",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="MinimumOrderValue",
        tablename="order_minimum",
        column_name="currency",
        db_column_name="currency",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 3,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="MinimumOrderValue",
        tablename="order_minimum",
        column_name="amount",
        db_column_name="amount",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": decimal.Decimal("0"),
            "digits": (14, 2),
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
        table_class_name="MinimumOrderValue",
        tablename="order_minimum",
        column_name="updated_at",
        db_column_name="updated_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
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

    manager.alter_column(
        table_class_name="OrderRule",
        tablename="order_rule",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "RuleKind",
                {
                    "min_style_quantity": "min_style_quantity",
                    "order_multiple": "order_multiple",
                    "min_order_value": "min_order_value",
                    "credit_limit": "credit_limit",
                    "at_once_stock": "at_once_stock",
                    "pre_book_capacity": "pre_book_capacity",
                },
            )
        },
        old_params={
            "choices": Enum(
                "RuleKind",
                {
                    "min_style_quantity": "min_style_quantity",
                    "order_multiple": "order_multiple",
                    "min_order_value": "min_order_value",
                    "credit_limit": "credit_limit",
                    "at_once_stock": "at_once_stock",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
