from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "webhooks: the suppliers' event types take the names integrations subscribe to "
    "(po.sent, po.acknowledged, po.ship_notice, commitment.changed) in every row that names them"
)

# (old type, new type). Last among the apps (piccolo_conf), so every table exists.
RENAMED = (
    ("purchase_order.sent", "po.sent"),
    ("purchase_order.acknowledged", "po.acknowledged"),
    ("purchase_order.ship_notice", "po.ship_notice"),
    ("forecast.commitment", "commitment.changed"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def rename_event_types():
        engine = engine_finder()
        json_text = "event_types::text" if engine.engine_type == "postgres" else "event_types"
        back_to_json = "::json" if engine.engine_type == "postgres" else ""
        for old, new in RENAMED:
            for statement in (
                f"UPDATE domain_event SET type = '{new}' WHERE type = '{old}'",
                f"UPDATE notification SET kind = '{new}' WHERE kind = '{old}'",
                f"UPDATE outbox_email SET kind = '{new}' WHERE kind = '{old}'",
                f"UPDATE notification_preference SET kind = '{new}', "
                f"user_kind = REPLACE(user_kind, ':{old}', ':{new}') WHERE kind = '{old}'",
                f"UPDATE webhook_delivery SET event_type = '{new}' WHERE event_type = '{old}'",
                f"UPDATE webhook_endpoint SET event_types = "
                f"REPLACE({json_text}, '\"{old}\"', '\"{new}\"'){back_to_json} "
                f"WHERE {json_text} LIKE '%\"{old}\"%'",
            ):
                await engine.run_ddl(statement)

    manager.add_raw(rename_event_types)
    return manager
