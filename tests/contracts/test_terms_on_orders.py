"""The terms of the contract in force reach the order book through the kernel's registry:
its discount and payment terms price and describe every new draft and every repricing,
the order page says which contract they came from, a submitted order keeps them when the
contract changes, and its credit limit blocks when the contract says so."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from contracts import acceptance
from contracts.tables import SignatureSide
from partner_portal.app import register_plugins
from partner_portal.orders import services
from partner_portal.orders.tables import OrderLine, OrderStatus
from tests.contracts.support import (
    contract_row,
    issue,
    make_contract,
    make_template,
    seen_by,
    sign_form,
    viewer,
)
from tests.orders.support import make_shop
from tests.orders.test_order_book import draft_for, order_row
from tests.support import Cast, PortalClient


@pytest.fixture(autouse=True)
def plugins_registered() -> None:
    """Contracts fill the terms registry and distributors the order checks, as in the app."""
    register_plugins()


NET_60 = "Monthly statement, net 60 days · 月结60天"
DEPOSIT = "30% deposit, 70% before shipment (T/T)"


async def _in_force(cast: Cast, template: Any, start: str, **terms: str) -> dict[str, Any]:
    """A distribution contract of 上海锦程 (gold, CNY) signed by both sides, in force."""
    contract = await make_contract(
        cast.admin,
        cast.distributor_a,
        template,
        start_date=start,
        end_date="2036-12-31",
        tier="gold",
        currency="CNY",
        **terms,
    )
    version = await issue(cast.admin, contract)
    client = acceptance.Client("203.0.113.9", "test")
    for member, side, key in (
        (cast.distributor, SignatureSide.partner, "sign-partner-01"),
        (cast.admin, SignatureSide.brand, "sign-brand-0001"),
    ):
        signed = await acceptance.sign(
            await viewer(member),
            await seen_by(member, contract["uuid"]),
            sign_form(version, key=key),
            client,
            side,
        )
        assert signed.saved, signed.errors
    contract = await contract_row(contract["uuid"])
    assert contract["status"] == "active"
    return contract


async def test_a_contracts_discount_and_payment_terms_reach_a_new_draft_and_stay_after_the_contract_changes(
    client: PortalClient, cast: Cast
) -> None:
    shop = await make_shop()
    template = await make_template(cast.admin)
    first = await _in_force(
        cast, template, "2025-01-01", discount_percent="20", payment_terms=DEPOSIT
    )

    order_uuid = await draft_for(cast, shop)
    order = await order_row(order_uuid)
    assert order["total"] == Decimal("2880.00")  # 3,600 less the contract's 20%
    assert order["contract_discount_percent"] == Decimal("20")
    assert order["payment_terms"] == DEPOSIT
    assert order["contract_number"] == first["number"]
    lines = await OrderLine.select(OrderLine.discount_percent)
    assert {line["discount_percent"] for line in lines} == {Decimal("20")}

    await client.sign_in(cast.distributor)
    page = (await client.get(f"/orders/{order_uuid}")).text
    assert f"20% — contract {first['number']}" in page
    assert DEPOSIT in page

    submitted = await services.submit_order(await viewer(cast.distributor), order_uuid)
    assert submitted.saved, submitted.errors
    # A later contract with other terms takes effect: the submitted order keeps its own.
    second = await _in_force(
        cast, template, "2026-01-01", discount_percent="10", payment_terms=NET_60
    )
    order = await order_row(order_uuid)
    assert order["status"] == OrderStatus.submitted
    assert (order["total"], order["payment_terms"]) == (Decimal("2880.00"), DEPOSIT)
    page = (await client.get(f"/orders/{order_uuid}")).text
    assert f"20% — contract {first['number']}" in page
    assert "later changes to the contract do not alter them" in page

    # A new draft, and a draft repriced when it is submitted, take the terms now in force.
    later = await order_row(await draft_for(cast, shop))
    assert later["total"] == Decimal("3240.00")  # 3,600 less 10%
    assert (later["payment_terms"], later["contract_number"]) == (NET_60, second["number"])


async def test_a_contract_discount_comes_before_the_volume_break_and_survives_a_change(
    cast: Cast,
) -> None:
    from partner_portal.catalog.tables import VolumeBreak

    shop = await make_shop()
    await VolumeBreak.insert(
        VolumeBreak(price_list=shop.cny_gold_list, min_quantity=30, discount_percent=Decimal("8"))
    )
    await _in_force(
        cast,
        await make_template(cast.admin),
        "2025-01-01",
        discount_percent="20",
        payment_terms=NET_60,
    )
    order_uuid = await draft_for(cast, shop)
    assert (await services.submit_order(await viewer(cast.distributor), order_uuid)).saved
    order = await order_row(order_uuid)
    # First style: 30 pieces × 100 less 20% then 8% (26.4%) = 2,208; second: 5 × 120 less 20%.
    assert order["total"] == Decimal("2208.00") + Decimal("480.00")

    first = shop.styles[0]
    asked = await services.request_change(
        await viewer(cast.distributor),
        order_uuid,
        {first.skus[("BLK", "M")]: 10},
        None,
        "Fewer of the M",
        order["version"],
    )
    assert asked.uuid is not None, asked.errors
    decided = await services.decide_change(await viewer(cast.kam), asked.uuid, accept=True)
    assert decided.saved, decided.errors

    order = await order_row(order_uuid)
    # 20 pieces no longer reach the break; the contract's 20% stays: 1,600 + 480.
    assert order["total"] == Decimal("2080.00")
    assert (order["payment_terms"], order["contract_discount_percent"]) == (NET_60, Decimal("20"))


async def test_going_over_the_contracts_credit_limit_blocks_when_the_contract_says_so(
    cast: Cast,
) -> None:
    shop = await make_shop()
    template = await make_template(cast.admin)
    await _in_force(cast, template, "2025-01-01", credit_limit="1000", credit_limit_blocks="on")
    order_uuid = await draft_for(cast, shop)

    result = await services.submit_order(await viewer(cast.distributor), order_uuid)

    assert not result.saved
    assert "exceed the credit limit" in result.errors["rules"]
    assert (await order_row(order_uuid))["status"] == OrderStatus.draft
