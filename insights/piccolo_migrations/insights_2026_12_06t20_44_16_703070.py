from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Float
from piccolo.columns.column_types import Numeric
from piccolo.columns.indexes import IndexMethod
import decimal

ID = "2026-12-06T20:44:16:703070"
VERSION = "1.38.0"
DESCRIPTION = (
    "partner metrics: BG/NBD expected orders, alive probability, margin per order"
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="insights", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="PartnerMetrics",
        tablename="insight_partner_metrics",
        column_name="margin_per_quarter",
        db_column_name="margin_per_quarter",
        schema=None,
    )

    manager.drop_column(
        table_class_name="PartnerMetrics",
        tablename="insight_partner_metrics",
        column_name="remaining_quarters",
        db_column_name="remaining_quarters",
        schema=None,
    )

    manager.drop_column(
        table_class_name="PartnerMetrics",
        tablename="insight_partner_metrics",
        column_name="retention",
        db_column_name="retention",
        schema=None,
    )

    manager.add_column(
        table_class_name="PartnerMetrics",
        tablename="insight_partner_metrics",
        column_name="alive_probability",
        db_column_name="alive_probability",
        column_class_name="Float",
        column_class=Float,
        params={
            "default": 0.0,
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
        table_class_name="PartnerMetrics",
        tablename="insight_partner_metrics",
        column_name="expected_orders",
        db_column_name="expected_orders",
        column_class_name="Float",
        column_class=Float,
        params={
            "default": 0.0,
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
        table_class_name="PartnerMetrics",
        tablename="insight_partner_metrics",
        column_name="margin_per_order",
        db_column_name="margin_per_order",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": decimal.Decimal("0"),
            "digits": (16, 2),
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

    return manager
