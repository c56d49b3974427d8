from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:11:21:253061"
VERSION = "1.38.0"
DESCRIPTION = "insight settings: high as a top share of the partners, not absolute thresholds"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="insights", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="InsightSettings",
        tablename="insight_settings",
        column_name="loyalty_threshold",
        db_column_name="loyalty_threshold",
        schema=None,
    )

    manager.drop_column(
        table_class_name="InsightSettings",
        tablename="insight_settings",
        column_name="potential_threshold",
        db_column_name="potential_threshold",
        schema=None,
    )

    manager.drop_column(
        table_class_name="InsightSettings",
        tablename="insight_settings",
        column_name="value_threshold",
        db_column_name="value_threshold",
        schema=None,
    )

    manager.add_column(
        table_class_name="InsightSettings",
        tablename="insight_settings",
        column_name="high_share_percent",
        db_column_name="high_share_percent",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 50,
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
