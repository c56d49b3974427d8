from partner_portal.migration_steps import drop_unique_column

ID = "2026-12-06T07:19:01:958339"
VERSION = "1.38.0"
DESCRIPTION = "orders: idempotency keys live in idempotent_request, per user"


async def forwards():
    return drop_unique_column(
        migration_id=ID,
        app_name="orders",
        description=DESCRIPTION,
        table_class_name="Order",
        table="sales_order",
        column="idempotency_key",
    )
