import os

from piccolo.conf.apps import AppConfig

from contracts.tables import (
    AcceptanceCode,
    Clause,
    ClauseVersion,
    Contract,
    ContractSignature,
    ContractTemplate,
    ContractVersion,
    SigningIdentity,
)

APP_CONFIG = AppConfig(
    app_name="contracts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        ContractTemplate,
        Clause,
        ClauseVersion,
        Contract,
        ContractVersion,
        ContractSignature,
        AcceptanceCode,
        SigningIdentity,
    ],
    migration_dependencies=["partner_portal.partners.piccolo_app"],
    commands=[],
)
