"""Ship notices with certificates, receipts with inspection results, and the scorecards
computed from a fixed history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from partner_portal.accounts.services import viewer_for_user_id
from suppliers import scorecards
from suppliers.tables import (
    Commitment,
    ForecastVersion,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
)
from tests.orders.pages_support import idempotency_key
from tests.suppliers.support import NOW, add_purchase_order, make_material
from tests.support import Cast, PortalClient


async def test_a_supplier_announces_a_shipment_and_the_brand_records_what_passed(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    shell = await make_material(cast.mill.id, "HF-POP-120")
    po = await add_purchase_order(cast.mill.id, shell["id"], "300", date(2027, 1, 20))
    order_uuid = (await PurchaseOrder.select(PurchaseOrder.uuid).where(PurchaseOrder.id == po))[0][
        "uuid"
    ]
    line_uuid = (await PurchaseOrderLine.select(PurchaseOrderLine.uuid))[0]["uuid"]
    url = f"/suppliers/purchase-orders/{order_uuid}/ship-notices"
    fields = {
        "shipped_on": "2027-01-12", "expected_on": "2027-01-15", "carrier": "顺丰速运",
        "tracking_number": "SF1234567890", f"quantity-{line_uuid}": "300",
        "idempotency_key": "asn-form-0001",
    }  # fmt: skip
    report = ("检测报告.pdf", b"%PDF-1.4 colour fastness grade 4", "application/pdf")

    await client.log_in(cast.supplier)
    token = await client.csrf_token()
    missing_lot = await client.post(
        url, data=fields, files={"certificate": report}, headers={"x-csrftoken": token}
    )
    assert missing_lot.status_code == 400
    assert "Fabric ships with its dye lot." in missing_lot.text
    assert await ShipNotice.count() == 0
    # The form shown again carries a new key; sent twice with it, one notice is made.
    fields["idempotency_key"] = idempotency_key(missing_lot.text)
    for _attempt in range(2):
        sent = await client.post(
            url, data={**fields, "dye_lot": "L2611-07"}, files={"certificate": report},
            headers={"x-csrftoken": token},
        )  # fmt: skip
        assert sent.status_code == 303
    assert await ShipNotice.count() == 1
    notice = await ShipNotice.select(ShipNotice.uuid).first()
    assert notice is not None
    download = await client.get(f"/suppliers/ship-notices/{notice['uuid']}/certificate")
    assert download.content == report[1]

    await client.log_in(cast.staff)
    receipt_url = f"/suppliers/purchase-order-lines/{line_uuid}/receipts"
    refused = await client.post_form(
        receipt_url,
        {"received_on": "2027-01-15", "accepted_quantity": "280", "rejected_quantity": "20"},
    )
    assert refused.status_code == 400 and "Say why material was rejected." in refused.text
    saved = await client.post_form(
        receipt_url,
        {"received_on": "2027-01-15", "accepted_quantity": "280", "rejected_quantity": "20",
         "quality_note": "Shade off against the lab dip"},
    )  # fmt: skip
    assert saved.status_code == 303
    page = await client.get(f"/suppliers/purchase-orders/{order_uuid}")
    assert "L2611-07" in page.text and "Shade off against the lab dip" in page.text
    line = await PurchaseOrderLine.select(PurchaseOrderLine.received_quantity).first()
    assert line is not None and line["received_quantity"] == Decimal(280)
    # 20 m are still owed: the PO stays open.
    assert (await PurchaseOrder.select(PurchaseOrder.status).first()) == {"status": "sent"}


def at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def test_scorecards_from_a_fixed_history(cast: Cast, frozen_clock: Any) -> None:
    frozen_clock.frozen_at = NOW  # January 2027: December is the last full month
    shell = await make_material(cast.mill.id, "HF-POP-120")
    po = await add_purchase_order(cast.mill.id, shell["id"], "100", date(2026, 12, 10))
    await PurchaseOrder.update({PurchaseOrder.sent_at: at(date(2026, 12, 1), 9)}).where(
        PurchaseOrder.id == po
    )
    await PurchaseOrderLine.update(
        {PurchaseOrderLine.acknowledgement: "accepted",
         PurchaseOrderLine.acknowledged_at: at(date(2026, 12, 1), 21)}
    ).where(PurchaseOrderLine.purchase_order == po)  # fmt: skip
    first_line = (await PurchaseOrderLine.select(PurchaseOrderLine.id))[0]["id"]
    await PurchaseOrderLine.insert(
        PurchaseOrderLine(
            purchase_order=po, material=shell["id"], quantity=Decimal(200),
            unit_price=Decimal("18.5"), required_date=date(2026, 12, 15),
            acknowledgement="changed", confirmed_quantity=Decimal(200),
            confirmed_date=date(2026, 12, 20), acknowledged_at=at(date(2026, 12, 3), 9),
        )
    )  # fmt: skip
    second_line = (
        await PurchaseOrderLine.select(PurchaseOrderLine.id).order_by(PurchaseOrderLine.id)
    )[1]["id"]
    for line, day, accepted, rejected in (
        (first_line, date(2026, 12, 9), 90, 10),  # on time
        (second_line, date(2026, 12, 22), 150, 0),  # two days after the confirmed date
    ):
        await Receipt.insert(
            Receipt(
                purchase_order_line=line, supplier=cast.mill.id, received_on=day,
                accepted_quantity=Decimal(accepted), rejected_quantity=Decimal(rejected),
                recorded_at=at(day),
            )
        )  # fmt: skip
    version = await ForecastVersion.insert(
        ForecastVersion(number=1, first_week=date(2026, 11, 30), weeks=26, content_hash="x",
                        published_at=at(date(2026, 11, 30)))
    ).returning(ForecastVersion.id)  # fmt: skip
    for week, quantity in ((date(2026, 12, 7), 100), (date(2026, 12, 21), 150)):
        await Commitment.insert(
            Commitment(
                supplier=cast.mill.id, material=shell["id"], week_start=week,
                forecast=version[0]["id"], requirement=Decimal(quantity), status="accepted",
                quantity=Decimal(quantity), delivery_date=week, committed_at=at(week),
            )
        )  # fmt: skip

    cards = await scorecards.scorecards(await viewer_for_user_id(cast.supplier.id))

    assert [card.supplier.legal_name for card in cards] == [cast.mill.legal_name]
    december = cards[0].months[-2]
    assert december.month == date(2026, 12, 1)
    assert december.on_time == Decimal("40.0")  # 100 of 250 received by its date
    assert december.fill_rate == Decimal("83.3")  # 250 of 300 ordered
    assert december.quality == Decimal("96.0")  # 240 of 250 accepted
    assert december.acknowledgement_hours == Decimal("30.0")  # (12 h + 48 h) / 2
    assert december.acknowledgement == Decimal("95.8")  # 30 h: 6 h into the 144-hour slope
    assert december.commitment == Decimal("96.0")  # 90 + 150 of 250 committed
    # 0.30 × 40 + 0.25 × 83.3 + 0.25 × 96 + 0.10 × 95.8 + 0.10 × 96
    assert december.score == Decimal("76.0")
    assert cards[0].months[-1].score is None  # nothing happened in January yet


async def test_the_brand_reweights_the_scorecard(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.staff)
    weights = {
        "on_time": "50",
        "fill_rate": "50",
        "quality": "0",
        "acknowledgement": "0",
        "commitment": "0",
    }
    assert (
        await client.post_form("/suppliers/scorecards/weights", {**weights, "on_time": "x"})
    ).status_code == 400
    assert (await client.post_form("/suppliers/scorecards/weights", weights)).status_code == 303
    assert (await scorecards.scorecard_weights()).on_time == 50
    page = await client.get("/suppliers/scorecards")
    assert page.status_code == 200 and cast.mill.legal_name in page.text
    await client.sign_in(cast.supplier)
    assert (await client.post_form("/suppliers/scorecards/weights", weights)).status_code == 403
