"""Helpers for the sales tests: viewers of the cast and rows made through the services."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from partner_portal.access import Viewer
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.clock import utcnow
from partner_portal.orders.tables import Order
from sales import cases, opportunities, registrations
from tests.support import Member, Org


async def viewer(member: Member) -> Viewer:
    return await viewer_for_user_id(member.id)


async def make_opportunity(
    member: Member, partner: Org, value: str = "100000", **fields: Any
) -> uuid.UUID:
    result = await opportunities.create_opportunity(
        await viewer(member),
        {
            "title": fields.pop("title", "AW27 reorder"),
            "kind": fields.pop("kind", "reorder_season"),
            "organisation": str(partner.uuid),
            "expected_value": value,
            "currency": fields.pop("currency", "CNY"),
            "expected_close_date": fields.pop("expected_close_date", "2026-12-15"),
            **fields,
        },
    )
    assert result.uuid is not None, result.errors
    return result.uuid


async def register_deal(
    member: Member, customer: str = "上海第一人民医院", region: str = "CN-SH", **fields: Any
) -> uuid.UUID:
    result = await registrations.submit_registration(
        await viewer(member),
        {
            "end_customer": customer,
            "region": region,
            "expected_quantity": "800",
            "expected_value": "240000",
            **fields,
        },
    )
    assert result.uuid is not None, result.errors
    return result.uuid


async def open_case(member: Member, partner: Org | None = None, **fields: Any) -> uuid.UUID:
    result = await cases.open_case(
        await viewer(member),
        {
            "subject": fields.pop("subject", "Collar seams open"),
            "kind": fields.pop("kind", "quality_defect"),
            "priority": fields.pop("priority", "normal"),
            "organisation": str(partner.uuid) if partner else "",
            "description": fields.pop("description", "12 of 200 shirts have open collar seams."),
            **fields,
        },
    )
    assert result.uuid is not None, result.errors
    return result.uuid


async def make_order(
    buyer: Org,
    total: str,
    status: str = "delivered",
    submitted_at: datetime | None = None,
    currency: str = "CNY",
) -> dict[str, Any]:
    """An order row as the order book keeps it (only what rebates read)."""
    now = utcnow()
    number = f"SO-{uuid.uuid4().hex[:6].upper()}"
    row = await Order.insert(
        Order(
            number=number,
            buyer=buyer.id,
            status=status,
            currency=currency,
            total=Decimal(total),
            subtotal=Decimal(total),
            submitted_at=submitted_at or now,
            status_changed_at=now,
            created_at=now,
            updated_at=now,
        )
    ).returning(Order.id, Order.uuid, Order.number)
    return dict(row[0])


def day(text: str) -> date:
    return date.fromisoformat(text)
