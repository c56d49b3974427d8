from partner_portal.migration_steps import drop_unique_column

ID = "2026-12-06T07:23:33:482719"
VERSION = "1.38.0"
DESCRIPTION = "contracts: idempotency keys live in idempotent_request, per user"


async def forwards():
    return drop_unique_column(
        migration_id=ID,
        app_name="contracts",
        description=DESCRIPTION,
        table_class_name="ContractSignature",
        table="contract_signature",
        column="idempotency_key",
    )
