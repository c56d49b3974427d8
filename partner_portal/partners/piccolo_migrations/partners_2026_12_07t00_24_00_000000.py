import json
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T00:24:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "system timeline notes written as sentences become message ids with parameters"

# Notes the dormant rule and the demo wrote before this migration hold a sentence in the
# language the job ran in (English). Those of these shapes get their message id and
# parameters, so each reader now reads them in their own language; others stay as they are.
NOTE_SHAPES = (
    (
        re.compile(r"^Marked dormant: no order for (?P<days>\d+) days\.$"),
        "Marked dormant: no order for %(days)d days.",
        lambda found: {"days": int(found["days"])},
    ),
    (
        re.compile(r"^Status changed to (?P<status>[a-z_]+)\.$"),
        "Status changed to %(status)s.",
        lambda found: {"status": {"label": found["status"]}},
    ),
)


async def convert_system_notes():
    engine = engine_finder()
    rows = await engine.run_ddl("SELECT id, summary FROM timeline_entry WHERE kind = 'system'")
    for row in rows or []:
        for shape, message_id, params_of in NOTE_SHAPES:
            found = shape.match(row["summary"])
            if found:
                await engine.run_ddl(
                    "UPDATE timeline_entry SET summary = {}, params = {} WHERE id = {}".format(
                        _literal(message_id),
                        _literal(json.dumps(params_of(found))),
                        int(row["id"]),
                    )
                )
                break


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)
    # Apart from the previous migration: a migration's raw steps run before its columns
    # are added, and this one needs the new params column.
    manager.add_raw(convert_system_notes)
    return manager
