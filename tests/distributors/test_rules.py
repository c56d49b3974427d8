"""The brand's order rules: each one warns or blocks as configured, both on the grid
before submission and in the kernel's submit (registry.order_checks)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from distributors.tables import PartnerCredit, RuleKind
from partner_portal.catalog.tables import SkuStock
from partner_portal.clock import utcnow
from partner_portal.orders import services as orders
from partner_portal.orders.services import LineRequest, OrderDraft
from partner_portal.orders.tables import Order, OrderChannel, OrderStatus
from tests.distributors.support import Sheet, grid_form, make_sheet, set_rule, viewer
from tests.support import Cast, PortalClient


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet()


async def _draft(cast: Cast, sheet: Sheet, quantities: dict[tuple[str, str], int]) -> Any:
    first = sheet.shop.styles[0]
    result = await orders.create_draft(
        await viewer(cast.distributor),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[
                first.line(colour, size, quantity)
                for (colour, size), quantity in quantities.items()
            ],
        ),
    )
    assert result.saved, result.errors
    return result.uuid


async def _submit(cast: Cast, order_uuid: Any) -> Any:
    return await orders.submit_order(await viewer(cast.distributor), order_uuid)


# (rule, figures, lines of the first style at CNY 100 that break it, message fragment)
BROKEN: dict[str, tuple[dict[str, Any], dict[tuple[str, str], int], str]] = {
    "min_style_quantity": ({"quantity": 24}, {("BLK", "S"): 10}, "minimum per style is 24"),
    "order_multiple": ({"quantity": 6}, {("BLK", "S"): 10}, "multiples of 6"),
    "min_order_value": ({"amount": Decimal("5000")}, {("BLK", "S"): 10}, "the minimum order is"),
    "credit_limit": ({}, {("BLK", "S"): 10}, "exceed the credit limit"),
    "at_once_stock": ({}, {("BLK", "S"): 10}, "more than the stock available"),
}


async def _arrange(cast: Cast, kind: str, blocking: bool, figures: dict[str, Any]) -> None:
    await set_rule(RuleKind(kind), blocking, **figures)
    if kind == "credit_limit":
        # 1,000 unpaid + this order's 1,000 go over a limit of 1,500.
        await PartnerCredit.insert(
            PartnerCredit(
                organisation=cast.distributor_a.id,
                credit_limit=Decimal("1500"),
                unpaid_amount=Decimal("1000"),
                updated_at=utcnow(),
            )
        )


@pytest.mark.parametrize("kind", sorted(BROKEN))
async def test_a_blocking_rule_stops_submission(cast: Cast, sheet: Sheet, kind: str) -> None:
    figures, lines, message = BROKEN[kind]
    await _arrange(cast, kind, True, figures)
    order_uuid = await _draft(cast, sheet, lines)
    result = await _submit(cast, order_uuid)
    assert not result.saved
    assert message in result.errors["rules"]
    status = await Order.select(Order.status).where(Order.uuid == order_uuid).first()
    assert status == {"status": OrderStatus.draft}


@pytest.mark.parametrize("kind", sorted(BROKEN))
async def test_a_warning_rule_lets_the_order_through(cast: Cast, sheet: Sheet, kind: str) -> None:
    figures, lines, message = BROKEN[kind]
    await _arrange(cast, kind, False, figures)
    order_uuid = await _draft(cast, sheet, lines)
    order = await Order.select().where(Order.uuid == order_uuid).first()
    assert order is not None
    findings = await orders.findings_for(order)
    assert [finding.blocking for finding in findings] == [False]
    assert message in findings[0].message
    assert (await _submit(cast, order_uuid)).saved


async def test_orders_within_the_rules_pass_them_all(cast: Cast, sheet: Sheet) -> None:
    for kind, (figures, _lines, _message) in BROKEN.items():
        await _arrange(cast, kind, True, figures)
    first = sheet.shop.styles[0]
    await SkuStock.insert(
        SkuStock(sku=first.skus[("BLK", "S")], at_once=100, updated_at=utcnow()),
        SkuStock(sku=first.skus[("BLK", "M")], at_once=100, updated_at=utcnow()),
    )
    await PartnerCredit.update({PartnerCredit.credit_limit: Decimal("100000")}).where(
        PartnerCredit.organisation == cast.distributor_a.id
    )
    order_uuid = await _draft(cast, sheet, {("BLK", "S"): 24, ("BLK", "M"): 30})
    assert (await _submit(cast, order_uuid)).saved


async def test_the_grid_states_the_rules_before_typing_and_marks_the_cell_off_the_multiple(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await set_rule(RuleKind.min_style_quantity, False, quantity=24)
    await set_rule(RuleKind.order_multiple, True, quantity=6)
    await client.sign_in(cast.distributor)
    empty = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert "Minimum 24 pieces per style." in empty.text
    assert "Every colour and size in multiples of 6." in empty.text
    form = grid_form(sheet, {(0, "BLK", "S"): 10, (0, "BLK", "M"): 12})
    refused = await client.post_form("/distributors/matrix", {**form, "intent": "submit"})
    assert refused.status_code == 400
    black_small = sheet.shop.styles[0].skus[("BLK", "S")]
    assert f'<span id="e-{black_small}" class="cell-error">Order in multiples of 6.' in refused.text
    assert "Warning:" in refused.text and "minimum per style is 24" in refused.text
    assert "Blocks submission:" in refused.text and "multiples of 6" in refused.text


async def test_the_brand_admin_sets_the_rules_and_bad_figures_save_nothing(
    client: PortalClient, cast: Cast, database: str
) -> None:
    await client.sign_in(cast.admin)
    refused = await client.post_form(
        "/distributors/rules",
        {"min_style_quantity-enabled": "on", "min_style_quantity-quantity": "many"},
    )
    assert refused.status_code == 400
    assert 'value="many"' in refused.text
    saved = await client.post_form(
        "/distributors/rules",
        {
            "min_style_quantity-enabled": "on",
            "min_style_quantity-severity": "blocking",
            "min_style_quantity-quantity": "12",
        },
    )
    assert saved.status_code == 303
    page = await client.get("/distributors/rules")
    assert 'name="min_style_quantity-quantity" inputmode="numeric" size="6" value="12"' in page.text


async def test_finance_keeps_the_unpaid_amount_per_partner(
    client: PortalClient, cast: Cast, database: str
) -> None:
    await client.sign_in(cast.admin)
    url = f"/distributors/credit/{cast.distributor_a.uuid}"
    assert (await client.post_form(url, {"unpaid_amount": "-5", "version": "0"})).status_code == 400
    saved = await client.post_form(
        url, {"unpaid_amount": "12000.50", "credit_limit": "500000", "version": "0"}
    )
    assert saved.status_code == 303
    stale = await client.post_form(url, {"unpaid_amount": "1", "version": "0"})
    assert stale.status_code == 409
    row = (
        await PartnerCredit.select()
        .where(PartnerCredit.organisation == cast.distributor_a.id)
        .first()
    )
    assert row is not None and row["unpaid_amount"] == Decimal("12000.50")
    assert row["credit_limit"] == Decimal("500000")
    _ = LineRequest


async def test_an_order_is_held_to_the_minimum_order_value_of_its_own_currency(
    cast: Cast, sheet: Sheet
) -> None:
    await set_rule(RuleKind.min_order_value, True, amount=Decimal("5000"), currency="CNY")
    await set_rule(RuleKind.min_order_value, True, amount=Decimal("950000"), currency="KRW")
    first = sheet.shop.styles[0]
    # 서울패션유통 buys in won from the silver list: 10 × ₩20,000 = ₩200,000.
    korean = await orders.create_draft(
        await viewer(cast.other_distributor),
        OrderDraft(
            buyer_id=cast.distributor_b.id,
            channel=OrderChannel.distributor,
            lines=[first.line("BLK", "S", 10)],
        ),
    )
    assert korean.uuid is not None, korean.errors

    refused = await orders.submit_order(await viewer(cast.other_distributor), korean.uuid)

    assert not refused.saved
    assert "the minimum order is ₩950,000" in refused.errors["rules"]
    # 60 × CNY 100 passes the yuan minimum; the won minimum does not apply to it.
    chinese = await _draft(cast, sheet, {("BLK", "S"): 60})
    assert (await _submit(cast, chinese)).saved


async def test_the_brand_sets_a_minimum_order_value_in_each_currency_it_sells_in(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.admin)
    form = {
        "min_order_value-enabled": "on",
        "min_order_value-severity": "blocking",
        "min_order_value-amount-CNY": "5000",
        "min_order_value-amount-KRW": "-950000",
    }
    refused = await client.post_form("/distributors/rules", form)
    assert refused.status_code == 400
    assert 'value="-950000"' in refused.text
    assert (
        await client.post_form(
            "/distributors/rules", {**form, "min_order_value-amount-KRW": "950,000"}
        )
    ).status_code == 303

    page = (await client.get("/distributors/rules")).text
    assert 'name="min_order_value-amount-CNY"' in page and 'value="5000' in page
    assert 'name="min_order_value-amount-KRW"' in page and 'value="950000' in page


async def test_a_reps_grid_for_a_corporate_client_shows_the_rules_its_save_will_apply(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    # A KAM's entry is rep-entered, which the rules check (a client's own group order is
    # not): the grid's running findings judge it as the save will.
    await set_rule(RuleKind.min_order_value, False, amount=Decimal("5000"))
    first = sheet.shop.styles[0]
    draft = await orders.create_draft(
        await viewer(cast.kam),
        OrderDraft(
            buyer_id=cast.bank.id,
            channel=orders.channel_for({"kind": "group_client"}, await viewer(cast.kam)),
            lines=[first.line("BLK", "S", 10)],
        ),
    )
    assert draft.saved, draft.errors
    await client.sign_in(cast.kam)
    page = await client.get(f"/distributors/drafts/{draft.uuid}?sheet={sheet.uuid}")
    assert page.status_code == 200
    findings = page.text.split('id="matrix-findings"', 1)[1].split("</div>", 1)[0]
    assert "the minimum order is" in findings
