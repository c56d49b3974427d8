from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a care event's message to partners in each language"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)
    for language in ("zh", "ko", "en"):
        manager.add_column(
            table_class_name="CareEvent",
            tablename="sales_care_event",
            column_name=f"partner_message_{language}",
            db_column_name=f"partner_message_{language}",
            column_class_name="Text",
            column_class=Text,
            params={
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
    return manager
