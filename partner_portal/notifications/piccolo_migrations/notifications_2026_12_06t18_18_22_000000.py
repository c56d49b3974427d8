import json
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T18:18:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "bell notifications written in English become message ids with parameters"

# Bell notifications written before this migration hold an English sentence. Those of the
# known shapes become their message id and parameters, so each reader now gets them in
# their own language; any other text (a partner's own words) is kept as it was.
ENGLISH_SHAPES = (
    (re.compile(r"^New follow-up: (?P<title>.*)$", re.S), "New follow-up: %(title)s"),
    (
        re.compile(r"^(?P<name>.*) gave you a follow-up: (?P<title>.*)$", re.S),
        "%(name)s gave you a follow-up: %(title)s",
    ),
    (re.compile(r"^Due (?P<when>[^:]*): (?P<title>.*)$", re.S), "Due %(when)s: %(title)s"),
    (
        re.compile(r"^Deal registration to decide: (?P<customer>.*) \((?P<region>[^()]*)\)$", re.S),
        "Deal registration to decide: %(customer)s (%(region)s)",
    ),
)


async def convert_english_rows():
    engine = engine_finder()
    rows = await engine.run_ddl("SELECT id, message FROM notification")
    for row in rows or []:
        for shape, message_id in ENGLISH_SHAPES:
            found = shape.match(row["message"])
            if found:
                await engine.run_ddl(
                    "UPDATE notification SET message = {}, params = {} WHERE id = {}".format(
                        _literal(message_id), _literal(json.dumps(found.groupdict())), row["id"]
                    )
                )
                break


def _literal(text):
    return "'" + text.replace("'", "''") + "'"



async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="notifications", description=DESCRIPTION
    )
    # Apart from the previous migration: a migration's raw steps run before its columns
    # are added, and this one needs the new params column.
    manager.add_raw(convert_english_rows)
    return manager
