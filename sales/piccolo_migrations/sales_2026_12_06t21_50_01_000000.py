import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "a care event's one message goes to the column of its language"

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def language_of(text):
    """The language a message was written in, by its script: Korean, Chinese or English."""
    if HANGUL.search(text):
        return "ko"
    if HAN.search(text):
        return "zh"
    return "en"


async def move_messages():
    engine = engine_finder()
    rows = await engine.run_ddl(
        "SELECT id, partner_message FROM sales_care_event WHERE partner_message <> ''"
    )
    for row in rows or []:
        column = f"partner_message_{language_of(row['partner_message'])}"
        await engine.run_ddl(
            "UPDATE sales_care_event SET {} = partner_message WHERE id = {}".format(
                column, int(row["id"])
            )
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)
    # Apart from the previous migration: raw steps run before columns are added; here the
    # messages move first, then the old column goes.
    manager.add_raw(move_messages)
    manager.drop_column(
        table_class_name="CareEvent",
        tablename="sales_care_event",
        column_name="partner_message",
        db_column_name="partner_message",
        schema=None,
    )
    return manager
