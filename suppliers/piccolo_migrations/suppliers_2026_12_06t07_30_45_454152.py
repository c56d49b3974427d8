from partner_portal.migration_steps import drop_unique_column

ID = "2026-12-06T07:30:45:454152"
VERSION = "1.38.0"
DESCRIPTION = "suppliers: idempotency keys live in idempotent_request, per user"


async def forwards():
    return drop_unique_column(
        migration_id=ID,
        app_name="suppliers",
        description=DESCRIPTION,
        table_class_name="ShipNotice",
        table="material_ship_notice",
        column="idempotency_key",
    )
