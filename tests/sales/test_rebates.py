"""Rebates and points: tiers at their thresholds, earning once per delivered order,
reversal of cancelled orders, expiry, redemptions, and partners seeing only their ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from partner_portal.orders.tables import Order
from sales import rebates
from sales.tables import LedgerEntry, RebateProgramme, RebateTier
from tests.sales.support import make_order
from tests.support import Cast, PortalClient, cursor_pages, problem_fields

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
TIERS = [(Decimal("1000000"), Decimal("2")), (Decimal("2000000"), Decimal("3"))]


async def _programme(ends_on: date = date(2026, 12, 31)) -> dict[str, Any]:
    row = await RebateProgramme.insert(
        RebateProgramme(
            name="Channel rebate 2026",
            starts_on=date(2026, 1, 1),
            ends_on=ends_on,
            currency="CNY",
            points_per_hundred=Decimal("1"),
            points_expiry_days=365,
        )
    ).returning(RebateProgramme.id, RebateProgramme.uuid)
    await RebateTier.insert(
        *(RebateTier(programme=row[0]["id"], threshold=t, percent=p) for t, p in TIERS)
    ).run()
    return dict(row[0])


async def _ledger(organisation_id: int) -> list[dict[str, Any]]:
    return list(
        await LedgerEntry.select()
        .where(LedgerEntry.organisation == organisation_id)
        .order_by(LedgerEntry.id)
    )


def test_a_tier_counts_from_its_threshold_exactly() -> None:
    assert rebates.rebate_for(Decimal("999999.99"), TIERS) == (Decimal("0"), Decimal("0.00"))
    assert rebates.rebate_for(Decimal("1000000"), TIERS) == (Decimal("2"), Decimal("20000.00"))
    assert rebates.rebate_for(Decimal("1999999.99"), TIERS)[0] == Decimal("2")
    assert rebates.rebate_for(Decimal("2000000"), TIERS) == (Decimal("3"), Decimal("60000.00"))
    assert rebates.points_for(Decimal("12345.67"), Decimal("1")) == Decimal("123")


async def test_a_delivered_order_earns_once_however_often_the_job_runs(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await _programme()
    order = await make_order(cast.distributor_a, "250000.00", submitted_at=NOW)
    await make_order(cast.distributor_a, "90000.00", status="confirmed", submitted_at=NOW)
    await make_order(cast.distributor_a, "50000.00", currency="KRW", submitted_at=NOW)

    first = await rebates.run_rebates()
    second = await rebates.run_rebates()

    assert first.startswith("1 orders earned") and second.startswith("0 orders earned")
    [entry] = await _ledger(cast.distributor_a.id)
    assert (entry["kind"], entry["points"], entry["order_number"]) == (
        "earned",
        Decimal("2500.00"),
        order["number"],
    )
    assert entry["expires_on"] == date(2027, 6, 15)


async def test_a_cancelled_order_reverses_its_points_once(cast: Cast, frozen_clock: Any) -> None:
    frozen_clock.frozen_at = NOW
    await _programme()
    order = await make_order(cast.distributor_a, "100000.00", submitted_at=NOW)
    await rebates.run_rebates()
    await Order.update({Order.status: "cancelled"}).where(Order.id == order["id"])

    await rebates.run_rebates()
    await rebates.run_rebates()

    entries = await _ledger(cast.distributor_a.id)
    assert [(e["kind"], e["points"]) for e in entries] == [
        ("earned", Decimal("1000.00")),
        ("reversed", Decimal("-1000.00")),
    ]
    assert all(entry["order_uuid"] == order["uuid"] for entry in entries)


async def test_points_expire_after_their_term_but_never_below_zero(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    programme = await _programme(ends_on=date(2027, 12, 31))
    await make_order(cast.distributor_a, "100000.00", submitted_at=NOW)
    await rebates.run_rebates()
    await client.sign_in(cast.admin)
    await client.post_form(
        f"/sales/rebates/{cast.distributor_a.uuid}/entries",
        {
            "programme": str(programme["uuid"]),
            "kind": "redeemed_credit",
            "points": "400",
            "note": "Credit note CN-17",
            "idempotency_key": "k1",
        },
    )

    frozen_clock.frozen_at = NOW + timedelta(days=366)
    await rebates.run_rebates()
    await rebates.run_rebates()

    entries = await _ledger(cast.distributor_a.id)
    assert [(e["kind"], e["points"]) for e in entries] == [
        ("earned", Decimal("1000.00")),
        ("redeemed_credit", Decimal("-400.00")),
        ("expired", Decimal("-600.00")),
    ]


async def test_a_finished_season_books_its_volume_rebate_once(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await _programme(ends_on=date(2026, 6, 30))
    await make_order(cast.distributor_a, "1500000.00", submitted_at=NOW)
    await make_order(cast.distributor_a, "500000.00", status="shipped", submitted_at=NOW)
    await make_order(cast.retailer_a, "999999.99", submitted_at=NOW)

    frozen_clock.frozen_at = datetime(2026, 7, 2, tzinfo=UTC)
    await rebates.run_rebates()
    await rebates.run_rebates()

    rebate = [e for e in await _ledger(cast.distributor_a.id) if e["kind"] == "volume_rebate"]
    assert [entry["amount"] for entry in rebate] == [Decimal("60000.00")]  # 3% of 2,000,000
    assert not [e for e in await _ledger(cast.retailer_a.id) if e["kind"] == "volume_rebate"]


async def test_a_redemption_needs_the_points_and_a_repeated_submit_books_once(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    programme = await _programme()
    await make_order(cast.distributor_a, "100000.00", submitted_at=NOW)
    await rebates.run_rebates()
    await client.sign_in(cast.admin)
    url = f"/sales/rebates/{cast.distributor_a.uuid}/entries"
    form = {
        "programme": str(programme["uuid"]),
        "kind": "redeemed_marketing",
        "points": "700",
        "note": "Window display",
        "idempotency_key": "same-form",
    }

    first = await client.post_form(url, form)
    repeated = await client.post_form(url, form)
    too_much = await client.post_form(url, {**form, "idempotency_key": "other"})

    assert first.status_code == 303 and repeated.status_code == 303
    assert too_much.status_code == 400 and "only 300" in too_much.text
    assert len(await _ledger(cast.distributor_a.id)) == 2
    await client.sign_in(cast.kam)
    assert (await client.post_form(url, {**form, "idempotency_key": "kam"})).status_code == 403


async def test_partners_see_their_own_ledger_and_no_one_elses(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await _programme()
    own = await make_order(cast.distributor_a, "100000.00", submitted_at=NOW)
    await make_order(cast.retailer_a, "100000.00", submitted_at=NOW)
    await rebates.run_rebates()
    await client.sign_in(cast.distributor)

    overview = await client.get("/sales/rebates")
    ledger = await client.get(f"/sales/rebates/{cast.distributor_a.uuid}")
    api = await client.get(f"/api/v1/rebates/{cast.distributor_a.uuid}/ledger")

    assert overview.status_code == 302
    assert overview.headers["location"] == f"/sales/rebates/{cast.distributor_a.uuid}"
    assert own["number"] in ledger.text and "1,000" in ledger.text
    assert [entry["order_number"] for entry in api.json()["items"]] == [own["number"]]
    assert (await client.get(f"/sales/rebates/{cast.retailer_a.uuid}")).status_code == 404
    assert (await client.get(f"/api/v1/rebates/{cast.retailer_a.uuid}/ledger")).status_code == 404


async def test_the_ledger_api_pages_by_cursor_latest_first_and_balances_stand_apart(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW - timedelta(days=1)
    await _programme()
    await make_order(cast.distributor_a, "10000.00", submitted_at=NOW)
    await rebates.run_rebates()
    # Earned in one run, so in the same instant: ordered by id.
    frozen_clock.frozen_at = NOW
    for total in ("20000.00", "30000.00", "40000.00", "50000.00"):
        await make_order(cast.distributor_a, total, submitted_at=NOW)
    await rebates.run_rebates()
    await client.sign_in(cast.distributor)
    path = f"/api/v1/rebates/{cast.distributor_a.uuid}"

    pages = await cursor_pages(client, f"{path}/ledger", key="points")
    balances = await client.get(f"{path}/balances")
    forged = await client.get(f"{path}/ledger", params={"cursor": "eyJ4IjoxfQ"})

    assert pages == [["500.00", "400.00"], ["300.00", "200.00"], ["100.00"]]
    assert [row["points"] for row in balances.json()["balances"]] == ["1500.00"]
    assert problem_fields(forged) == {"cursor": "invalid"}


async def test_the_brand_admin_defines_a_programme_with_its_tiers(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    form = {
        "name": "Channel rebate 2027",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "currency": "CNY",
        "points_per_hundred": "1",
        "points_expiry_days": "365",
        "tiers": "2,000,000 3%\n1000000 2",
    }

    bad = await client.post_form("/sales/rebates/programmes/new", {**form, "tiers": "lots"})
    saved = await client.post_form("/sales/rebates/programmes/new", form)

    assert bad.status_code == 400
    assert saved.status_code == 303
    [programme] = await rebates.programmes()
    assert programme["tiers"] == TIERS
