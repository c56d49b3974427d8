from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "timeline: an index for a partner's newest entries"

# Without it PostgreSQL pages a partner's timeline by scanning every entry backwards
# through the occurred_at index (110 ms at 200,000 entries, bench/RESULTS.md).
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS timeline_entry_organisation_newest "
    "ON timeline_entry (organisation, occurred_at DESC, id DESC)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(CREATE_INDEX)

    manager.add_raw(create_index)
    return manager
