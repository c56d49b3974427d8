"""What a supplier sees of the forecast and how it answers: its own materials only, the
firm/forecast split and the change against the previous version, never a customer."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import Organisation
from suppliers.tables import Commitment
from tests.suppliers.support import NEEDED
from tests.support import Cast, PortalClient


def customer_traces(cast: Cast) -> list[str]:
    return [
        cast.distributor_a.legal_name,
        cast.distributor_b.legal_name,
        "Jincheng",
        "Seoul Fashion",
        "SO-000777",
        "SO-000778",
        "JC-PO-2027-001",
        "SEOUL-PO-55",
    ]


async def test_a_supplier_sees_its_own_forecast_with_split_and_change_but_no_customer(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)

    page = await client.get("/suppliers/forecast")

    assert page.status_code == 200
    html = page.text
    assert "HF-POP-120" in html
    assert "HD-BTN-18L" not in html  # another supplier's trim
    for trace in customer_traces(cast):
        assert trace not in html
    # Version 2 adds 40 × 1.5 × 0.8 = 48 m forecast to the 150 m firm.
    row = re.search(r"<tr[^>]*>\s*<td>[^<]*</td>\s*<td class=\"num\">150</td>.*?</tr>", html, re.S)
    assert row is not None
    assert "198" in row.group(0) and "+48" in row.group(0)

    api = await client.get("/api/v1/suppliers/forecast")
    assert api.status_code == 200
    body = api.json()
    assert [m["code"] for m in body["materials"]] == ["HF-POP-120"]
    week = body["materials"][0]["weeks"][0]
    assert week == {
        "week_start": NEEDED.isoformat(),
        "quantity": "198.000",
        "firm": "150.000",
        "forecast": "48.000",
        "change": "48.000",
        "commitment": None,
    }
    for trace in customer_traces(cast):
        assert trace not in api.text
    for listing in ("/suppliers/materials",):
        other = await client.get(listing)
        assert "HD-BTN-18L" not in other.text


async def test_a_supplier_commits_a_week_once_however_often_it_clicks(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)
    url = f"/suppliers/materials/{forecast['shell']['uuid']}/commitments"
    answer = {"week": NEEDED.isoformat(), "decision": "accepted"}

    first = await client.post_form(url, answer)
    second = await client.post_form(url, answer)

    assert first.status_code == second.status_code == 303
    rows = await Commitment.select(Commitment.status, Commitment.quantity)
    assert [(row["status"], row["quantity"]) for row in rows] == [("accepted", Decimal(198))]
    audited = await AuditEntry.count().where(AuditEntry.entity_kind == "material_commitment")
    assert audited == 1


async def test_a_proposal_needs_a_comment_and_the_brand_sees_the_gap(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)
    url = f"/suppliers/materials/{forecast['shell']['uuid']}/commitments"
    proposal = {"week": NEEDED.isoformat(), "decision": "proposed", "quantity": "150",
                "delivery_date": (NEEDED + timedelta(days=9)).isoformat()}  # fmt: skip

    refused = await client.post_form(url, proposal)
    assert refused.status_code == 400
    assert "Tell the brand why you propose something else." in refused.text
    assert await Commitment.count() == 0

    saved = await client.post_form(url, {**proposal, "comment": "Greige short; 150 m now."})
    assert saved.status_code == 303

    await client.log_in(cast.staff)
    page = await client.get("/suppliers/forecast")
    assert page.status_code == 200
    assert "Greige short; 150 m now." in page.text
    # Needed in 12 days from a mill with 28 days of lead time.
    assert "Inside lead time" in page.text
    gap_row = re.search(r'<tr class="gap-row">.*?</tr>', page.text, re.S)
    assert gap_row is not None and "<strong>48</strong>" in gap_row.group(0)


async def test_a_supplier_cannot_answer_for_another_suppliers_material(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)
    url = f"/suppliers/materials/{forecast['buttons']['uuid']}/commitments"
    response = await client.post_form(url, {"week": NEEDED.isoformat(), "decision": "accepted"})
    assert response.status_code == 404


async def test_buyers_and_sales_people_have_no_purchasing_pages(
    client: PortalClient, cast: Cast
) -> None:
    for member in (cast.kam, cast.distributor, cast.client):
        await client.log_in(member)
        assert (await client.get("/suppliers/forecast")).status_code == 403


async def test_no_supplier_page_or_api_answer_names_a_customer_or_another_supplier(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    from tests.suppliers.support import add_purchase_order

    await add_purchase_order(cast.mill.id, forecast["shell"]["id"], "100", NEEDED)
    rival_id = (
        await Organisation.select(Organisation.id).where(Organisation.kind == "trim_supplier")
    )[0]["id"]
    await add_purchase_order(rival_id, forecast["buttons"]["id"], "5000", NEEDED)
    await client.log_in(cast.supplier)
    orders = (await client.get("/api/v1/suppliers/purchase-orders")).json()["items"]
    assert len(orders) == 1
    urls = [
        "/suppliers/forecast",
        "/suppliers/materials",
        "/suppliers/purchase-orders",
        f"/suppliers/purchase-orders/{orders[0]['id']}",
        "/suppliers/scorecards",
        "/api/v1/suppliers/forecast",
        "/api/v1/suppliers/purchase-orders",
        f"/api/v1/suppliers/purchase-orders/{orders[0]['id']}",
    ]
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        for trace in [*customer_traces(cast), "HD-BTN-18L", "苏州恒达辅料"]:
            assert trace not in response.text, (url, trace)


async def test_a_supplier_downloads_its_forecast_as_excel(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    import io

    from openpyxl import load_workbook

    await client.log_in(cast.supplier)
    response = await client.get("/suppliers/forecast.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "material_code",
        "material_name",
        "unit",
        "week_start",
        "firm",
        "forecast",
        "quantity",
    )
    assert [(row[0], row[4], row[5], row[6]) for row in rows[1:]] == [("HF-POP-120", 150, 48, 198)]
    text = " ".join(str(value) for row in rows for value in row)
    for trace in [*customer_traces(cast), "HD-BTN-18L"]:
        assert trace not in text


async def test_the_brand_narrows_the_forecast_to_one_supplier(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.staff)
    everything = await client.get("/suppliers/forecast")
    assert "HF-POP-120" in everything.text and "HD-BTN-18L" in everything.text
    narrowed = await client.get(f"/suppliers/forecast?supplier={cast.mill.uuid}")
    assert "HF-POP-120" in narrowed.text and "HD-BTN-18L" not in narrowed.text


async def test_a_supplier_accepts_all_unanswered_weeks_at_once(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    await client.log_in(cast.supplier)
    url = f"/suppliers/materials/{forecast['shell']['uuid']}/commitments/accept-open"
    first = await client.post_form(url)
    assert first.status_code == 303 and "accepted=1" in first.headers["location"]
    again = await client.post_form(url)
    assert "accepted=0" in again.headers["location"]
    rows = await Commitment.select(Commitment.status, Commitment.quantity, Commitment.week_start)
    assert rows == [{"status": "accepted", "quantity": Decimal(198), "week_start": NEEDED}]
    page = await client.get(first.headers["location"])
    assert "1 week accepted." in page.text
