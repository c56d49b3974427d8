from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T19:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scheduler: an owner's open follow-ups by due time"

# The agenda reads one owner's (or a team's, owner by owner) open follow-ups in due order,
# a section at a time: with single-column indexes SQLite scanned every open follow-up
# (134 ms for a KAM's agenda over 50,000 follow-ups; 64 ms with this index).
STATEMENT = "CREATE INDEX IF NOT EXISTS follow_up_owner_open_due ON follow_up (owner, state, due_at)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scheduler", description=DESCRIPTION)

    async def add_index():
        await engine_finder().run_ddl(STATEMENT)

    manager.add_raw(add_index)
    return manager
