"""What the suppliers' JSON API answers, as typed documents (so the OpenAPI document shows
every field): the material forecast a supplier commits against, and one purchase order.

Quantities are decimal strings with three decimals and unit prices with four (materials are
bought by the metre and the kilogram), the same on SQLite and PostgreSQL; dates are ISO
dates, moments RFC 3339 with their offset."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from partner_portal import api
from suppliers.forecasting_view import ForecastView
from suppliers.purchasing import PurchaseOrderView
from suppliers.records import CommitmentRecord

UNIT_PRICE_PLACES = 4
QUANTITY_PLACES = 3


def quantity_text(value: Decimal) -> str:
    return api.decimal_text(value, QUANTITY_PLACES)


class Commitment(msgspec.Struct):
    id: UUID
    status: str
    quantity: str
    delivery_date: date
    comment: str
    # What the forecast version the supplier answered asked for that week.
    forecast_version_requirement: str


class ForecastWeek(msgspec.Struct):
    week_start: date
    # The net requirement, and how much of it is firm (orders) and forecast.
    quantity: str
    firm: str
    forecast: str
    # Against the previous version.
    change: str
    commitment: Commitment | None


class MaterialForecast(msgspec.Struct):
    id: UUID
    code: str
    name: str
    unit: str
    weeks: list[ForecastWeek]


class ForecastDocument(msgspec.Struct):
    # null until a forecast is published.
    version: int | None
    previous_version: int | None
    published_at: datetime | None
    first_week: date | None
    materials: list[MaterialForecast]


def forecast_document(view: ForecastView) -> ForecastDocument:
    """Per material and week: net quantities, the firm/forecast split, the change against
    the previous version and the commitment (never the demand's origins)."""
    version = view.version
    return ForecastDocument(
        version=version.number if version else None,
        previous_version=view.previous_number,
        published_at=api.timestamp(version.published_at) if version else None,
        first_week=version.first_week if version else None,
        materials=[
            MaterialForecast(
                id=item.material.uuid,
                code=item.material.code,
                name=item.material.name,
                unit=item.material.unit,
                weeks=[
                    ForecastWeek(
                        week_start=cell.week_start,
                        quantity=quantity_text(cell.net_total),
                        firm=quantity_text(cell.net_firm),
                        forecast=quantity_text(cell.net_forecast),
                        change=quantity_text(cell.change),
                        commitment=_commitment(cell.commitment),
                    )
                    for cell in item.cells
                ],
            )
            for item in view.materials
        ],
    )


def _commitment(commitment: CommitmentRecord | None) -> Commitment | None:
    if commitment is None:
        return None
    return Commitment(
        id=commitment.uuid,
        status=commitment.status,
        quantity=quantity_text(commitment.quantity),
        delivery_date=commitment.delivery_date,
        comment=commitment.comment,
        forecast_version_requirement=quantity_text(commitment.requirement),
    )


class PurchaseOrderLine(msgspec.Struct):
    id: UUID
    # The material's code.
    material: str
    quantity: str
    unit_price: str
    required_date: date
    # null until the supplier answers: accepted, changed, rejected or backordered.
    acknowledgement: str | None
    confirmed_quantity: str | None
    confirmed_date: date | None
    comment: str
    received_quantity: str


class PurchaseOrderDocument(msgspec.Struct):
    id: UUID
    # A draft has no number yet.
    number: str | None
    status: str
    currency: str
    sent_at: datetime | None
    lines: list[PurchaseOrderLine]


def purchase_order_document(view: PurchaseOrderView) -> PurchaseOrderDocument:
    order = view.order
    return PurchaseOrderDocument(
        id=order.uuid,
        number=order.number,
        status=order.status,
        currency=order.currency,
        sent_at=api.timestamp(order.sent_at) if order.sent_at else None,
        lines=[
            PurchaseOrderLine(
                id=line.uuid,
                material=line.material_code,
                quantity=quantity_text(line.quantity),
                unit_price=api.decimal_text(line.unit_price, UNIT_PRICE_PLACES),
                required_date=line.required_date,
                acknowledgement=line.acknowledgement or None,
                confirmed_quantity=quantity_text(line.confirmed_quantity)
                if line.confirmed_quantity is not None
                else None,
                confirmed_date=line.confirmed_date,
                comment=line.acknowledgement_comment or "",
                received_quantity=quantity_text(line.received_quantity),
            )
            for line in view.lines
        ],
    )
