import os

from piccolo.conf.apps import AppConfig

from partner_portal.accounts.tables import (
    ApiToken,
    IdempotentRequest,
    Invitation,
    ListPreference,
    LoginFailure,
    LoginThrottle,
    Session,
)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Session,
        ApiToken,
        Invitation,
        LoginFailure,
        LoginThrottle,
        ListPreference,
        IdempotentRequest,
    ],
    migration_dependencies=["partner_portal.partners.piccolo_app"],
    commands=[],
)
