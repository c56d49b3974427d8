import json
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "follow-up titles rules wrote in English become message ids with parameters"

# Follow-ups the rules made before this migration have an English title. Those of the
# rules' shapes get their message id and parameters, so each reader now reads them in
# their own language (the English title stays for searches); any other is kept as it is.
RULE_SHAPES = (
    (
        re.compile(r"^No order for (?P<days>\d+) days: call (?P<name>.*)$", re.S),
        "No order for %(days)d days: call %(name)s",
    ),
    (
        re.compile(r"^Order (?P<number>\S*) of (?P<name>.*) has not moved for (?P<days>\d+) days$", re.S),
        "Order %(number)s of %(name)s has not moved for %(days)d days",
    ),
    (re.compile(r"^First contact with (?P<name>.*)$", re.S), "First contact with %(name)s"),
    (
        re.compile(r"^Answer the complaint of (?P<name>.*)$", re.S),
        "Answer the complaint of %(name)s",
    ),
)


async def convert_rule_titles():
    engine = engine_finder()
    rows = await engine.run_ddl("SELECT id, title FROM follow_up WHERE rule_key <> ''")
    for row in rows or []:
        for shape, message_id in RULE_SHAPES:
            found = shape.match(row["title"])
            if found:
                params = {
                    name: int(value) if name == "days" else value
                    for name, value in found.groupdict().items()
                }
                await engine.run_ddl(
                    "UPDATE follow_up SET title_message = {}, title_params = {} WHERE id = {}".format(
                        _literal(message_id), _literal(json.dumps(params)), int(row["id"])
                    )
                )
                break


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scheduler", description=DESCRIPTION)
    # Apart from the previous migration: a migration's raw steps run before its columns
    # are added, and this one needs the new title columns.
    manager.add_raw(convert_rule_titles)
    return manager
