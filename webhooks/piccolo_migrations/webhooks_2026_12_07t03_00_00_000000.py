from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "webhooks: contract.signed splits into contract.accepted (the partner accepts) and "
    "contract.countersigned (the brand countersigns) in every row that names it"
)

OLD = "contract.signed"
ACCEPTED = "contract.accepted"
COUNTERSIGNED = "contract.countersigned"
# contracts/events.py ACCEPTED_MESSAGE: the message id an acceptance was stored with; the
# countersignature had its own. Kept here as text: a migration does not import the app.
ACCEPTED_MESSAGE = "Contract %(number)s (%(title)s) was accepted by %(signer)s"


def _split_by_message(table, column):
    return (
        f"UPDATE {table} SET {column} = CASE WHEN message = '{ACCEPTED_MESSAGE}' "
        f"THEN '{ACCEPTED}' ELSE '{COUNTERSIGNED}' END WHERE {column} = '{OLD}'"
    )


async def split_contract_signed():
    """Each stored row of the old type takes the type of what happened; a user's choice
    and an endpoint's subscription for it hold for both new types."""
    engine = engine_finder()
    postgres = engine.engine_type == "postgres"
    json_text = "event_types::text" if postgres else "event_types"
    back_to_json = "::json" if postgres else ""
    statements = (
        _split_by_message("domain_event", "type"),
        _split_by_message("notification", "kind"),
        # A delivery and an e-mail carry no message: they take their event's type; an
        # e-mail is written in the transaction of its event, so its event is the
        # newest contract signature recorded before it.
        f"UPDATE webhook_delivery SET event_type = (SELECT type FROM domain_event "
        f"WHERE domain_event.id = webhook_delivery.event) WHERE event_type = '{OLD}'",
        f'UPDATE webhook_delivery SET body = REPLACE(body, \'"type":"{OLD}"\', '
        f'\'"type":"\' || event_type || \'"\') WHERE body LIKE \'{{"type":"{OLD}"%\'',
        f"UPDATE outbox_email SET kind = COALESCE((SELECT type FROM domain_event "
        f"WHERE type IN ('{ACCEPTED}', '{COUNTERSIGNED}') "
        f"AND domain_event.created_at <= outbox_email.created_at "
        f"ORDER BY domain_event.created_at DESC, domain_event.id DESC LIMIT 1), '{ACCEPTED}') "
        f"WHERE kind = '{OLD}'",
        'INSERT INTO notification_preference ("user", kind, choice, user_kind, created_at) '
        f"SELECT \"user\", '{COUNTERSIGNED}', choice, "
        f"REPLACE(user_kind, ':{OLD}', ':{COUNTERSIGNED}'), created_at "
        f"FROM notification_preference WHERE kind = '{OLD}'",
        f"UPDATE notification_preference SET kind = '{ACCEPTED}', "
        f"user_kind = REPLACE(user_kind, ':{OLD}', ':{ACCEPTED}') WHERE kind = '{OLD}'",
        f"UPDATE webhook_endpoint SET event_types = "
        f'REPLACE({json_text}, \'"{OLD}"\', \'"{ACCEPTED}", "{COUNTERSIGNED}"\')'
        f"{back_to_json} WHERE {json_text} LIKE '%\"{OLD}\"%'",
    )
    for statement in statements:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)
    manager.add_raw(split_contract_signed)
    return manager
