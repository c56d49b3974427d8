"""The order grid in a real browser answers as the buyer types: totals from the cells,
spreadsheet keys, a block pasted from Excel, an invalid cell marked in place, and typed
quantities kept through a failed request."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.async_api import Page, Route, expect

from distributors.tables import PartnerCredit, RuleKind
from partner_portal.clock import utcnow
from partner_portal.orders.tables import Order
from tests.browser import PHONE, screenshot, sign_in, translated
from tests.distributors.support import Sheet, make_sheet, set_rule
from tests.support import Cast


async def test_the_buyer_types_with_the_keyboard_and_pastes_a_block(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    sheet: Sheet = await make_sheet()
    first, second = sheet.shop.styles
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")

    await page.get_by_label("SS27-001 BLK S", exact=True).click()
    await page.keyboard.type("10")
    await page.keyboard.press("ArrowRight")
    await page.keyboard.type("20")
    # Enter moves down a colour, as in a spreadsheet, instead of sending the form.
    await page.keyboard.press("Enter")
    await page.keyboard.type("4")
    await expect(page.get_by_label("SS27-001 WHT M", exact=True)).to_have_value("4")
    await expect(page.locator(f"#sq-{first.id}")).to_have_text("34")
    await expect(page.locator("#order-value")).to_contain_text("3,400.00")

    # A block copied from Excel, pasted into the second style's first cell.
    await page.get_by_label("SS27-002 BLK S", exact=True).focus()
    await page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData("text/plain", "1\\t2\\t3\\n4\\t5\\t6\\n");
            document.activeElement.dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    await expect(page.get_by_label("SS27-002 WHT M", exact=True)).to_have_value("5")
    await expect(page.locator(f"#sq-{second.id}")).to_have_text("21")
    await expect(page.locator("#order-quantity")).to_have_text("55")

    # Text, a decimal or a negative number is marked in its cell, never counted as 0 silently.
    await page.get_by_label("SS27-002 BLK L", exact=True).fill("1.5")
    cell = page.get_by_label("SS27-002 BLK L", exact=True)
    await expect(cell).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("main")).to_contain_text("Whole pieces, 0 to 1,000,000.")
    await cell.fill("-3")
    await expect(cell).to_have_attribute("aria-invalid", "true")
    await cell.fill("3")
    await expect(cell).not_to_have_attribute("aria-invalid", "true")
    # Stock is written under every cell, not hidden in a tooltip.
    await expect(page.locator("td .stock").first).to_contain_text("Stock")
    await screenshot(page, "distributors-grid-keyboard")

    await page.get_by_role("button", name="Submit order").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")


async def test_a_cell_off_the_multiple_is_marked_as_it_is_typed(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    sheet: Sheet = await make_sheet()
    await set_rule(RuleKind.order_multiple, True, quantity=6)
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")
    cell = page.get_by_label("SS27-001 BLK S", exact=True)
    await cell.fill("10")
    await expect(cell).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("main")).to_contain_text("Order in multiples of 6.")
    # The order's line names a problem while one is left in any style, and the order's
    # totals follow every change of a style's figures.
    summary = page.locator("#grid-invalid")
    other = page.get_by_label("SS27-002 BLK S", exact=True)
    await other.fill("x")
    await expect(summary).to_contain_text("Whole pieces, 0 to 1,000,000.")
    await other.fill("6")
    await expect(summary).to_contain_text("Order in multiples of 6.")
    await expect(page.locator("#order-quantity")).to_have_text("16")
    await cell.fill("12")
    await expect(cell).not_to_have_attribute("aria-invalid", "true")
    await expect(summary).to_have_text("")
    await expect(page.locator("#order-quantity")).to_have_text("18")


async def test_typed_quantities_survive_a_failed_request_and_a_reload(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    sheet: Sheet = await make_sheet()
    await sign_in(page, live_server, cast.distributor)
    grid_url = f"{live_server}/line-sheets/{sheet.uuid}/order"
    await page.goto(grid_url)
    await page.get_by_label("SS27-001 BLK S", exact=True).fill("10")
    await page.get_by_label("SS27-002 WHT L", exact=True).fill("6")

    async def fail(route: Route) -> None:
        await route.abort("connectionreset")

    await page.route("**/distributors/matrix", fail)
    await page.get_by_role("button", name="Save draft").click()
    await page.unroute("**/distributors/matrix", fail)
    await page.goto(grid_url)
    await expect(page.get_by_label("SS27-001 BLK S", exact=True)).to_have_value("")
    await page.get_by_role("button", name="Put them back").click()
    await expect(page.get_by_label("SS27-001 BLK S", exact=True)).to_have_value("10")
    await expect(page.get_by_label("SS27-002 WHT L", exact=True)).to_have_value("6")

    # Typed and not sent: a reload puts them back by itself.
    await page.get_by_label("SS27-001 BLK M", exact=True).fill("8")
    await page.reload()
    await expect(page.get_by_label("SS27-001 BLK M", exact=True)).to_have_value("8")
    await expect(page.locator("#grid-restore")).to_contain_text("put back")
    await expect(page.locator("#order-quantity")).to_have_text("24")


async def test_on_a_phone_the_colour_stays_in_view_and_the_total_follows(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    sheet: Sheet = await make_sheet()
    await page.set_viewport_size({"width": 390, "height": 800})
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")
    await page.get_by_label("SS27-001 BLK L", exact=True).fill("7")
    await expect(page.locator("#order-quantity")).to_have_text("7")
    await expect(page.get_by_role("button", name="Submit order")).to_be_in_viewport()
    await screenshot(page, "distributors-grid-phone")


async def test_the_home_and_the_grid_read_in_chinese_and_korean(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    from partner_portal.partners.tables import User

    sheet: Sheet = await make_sheet()
    await sign_in(page, live_server, cast.distributor)
    for locale, heading, stock in (
        ("zh_Hans", "需要您处理的事项", "库存"),
        ("ko", "지금 확인할 일", "재고"),
    ):
        await User.update({User.locale: locale}).where(User.id == cast.distributor.id)
        await page.goto(f"{live_server}/")
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await screenshot(page, f"buyer-home-{locale}")
        await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")
        await page.get_by_label("SS27-001 BLK S", exact=True).fill("x")
        await expect(page.locator("td .stock").first).to_contain_text(stock)
        await expect(page.locator(".cell-error").first).not_to_contain_text("Whole pieces")
        await screenshot(page, f"buyer-grid-{locale}")


async def test_a_long_sheet_draws_the_next_styles_as_the_buyer_scrolls_and_keeps_them(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    sheet: Sheet = await make_sheet(style_count=20)
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")
    sections = page.locator("section.matrix-style")
    await expect(sections).to_have_count(6)
    await page.get_by_label("SS27-001 BLK S", exact=True).fill("10")

    # Scrolling down brings the next styles before the buyer reaches the end.
    last = page.get_by_label("SS27-020 WHT L", exact=True)
    for _ in range(3):
        drawn = await sections.count()
        if drawn == 20:
            break
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        await page.wait_for_function(
            "drawn => document.querySelectorAll('section.matrix-style').length > drawn", arg=drawn
        )
    await expect(sections).to_have_count(20)
    # The arrows go on from a style of the first batch into the next batch's.
    await page.get_by_label("SS27-006 WHT S", exact=True).click()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.type("6")
    await expect(page.get_by_label("SS27-007 BLK S", exact=True)).to_have_value("6")
    await last.fill("4")
    await expect(page.locator("#order-quantity")).to_have_text("20")

    # A reload draws the first batch again: what was typed further down is put back too.
    await page.reload()
    await expect(last).to_have_value("4")
    await expect(page.get_by_label("SS27-007 BLK S", exact=True)).to_have_value("6")
    await expect(page.locator("#order-quantity")).to_have_text("20")
    await page.get_by_role("button", name="Submit order").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    order = await Order.select(Order.total_quantity).first()
    assert order is not None and order["total_quantity"] == 20


@pytest.mark.parametrize(("locale", "warning"), [("zh_Hans", "信用额度"), ("ko", "여신 한도")])
async def test_on_a_phone_a_long_credit_warning_keeps_the_order_bar_small(
    cast: Cast, database: str, live_server: str, page: Page, locale: str, warning: str
) -> None:
    from partner_portal.partners.tables import User

    sheet: Sheet = await make_sheet()
    await set_rule(RuleKind.credit_limit, False)
    await set_rule(RuleKind.min_style_quantity, False, quantity=24)
    # 1,000 unpaid and this order's 1,000 go over a limit of 1,500: the credit warning.
    await PartnerCredit.insert(
        PartnerCredit(
            organisation=cast.distributor_a.id,
            credit_limit=Decimal("1500"),
            unpaid_amount=Decimal("1000"),
            updated_at=utcnow(),
        )
    )
    await page.set_viewport_size(PHONE)
    await sign_in(page, live_server, cast.distributor)
    await User.update({User.locale: locale}).where(User.id == cast.distributor.id)
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")
    await page.get_by_label("SS27-001 BLK S", exact=True).fill("10")
    await page.locator(".matrix-summary button[value=save]").click()

    bar = page.locator(".matrix-summary")
    findings = bar.locator(".finding")
    await expect(findings).to_have_count(2)
    credit = findings.filter(has_text=warning)
    await expect(credit).to_have_count(1)
    await expect(
        page.get_by_role("button", name=translated(locale, "Submit order"))
    ).to_be_in_viewport()
    # Written out, the two warnings took 310 of the phone's 844 pixels.
    bar_box = await bar.bounding_box()
    assert bar_box is not None and bar_box["height"] < PHONE["height"] / 4
    await screenshot(page, f"distributors-grid-phone-findings-{locale}")
    # A tap shows the whole warning.
    one_line = await credit.bounding_box()
    await credit.locator("summary").click()
    whole = await credit.bounding_box()
    assert one_line is not None and whole is not None and whole["height"] > one_line["height"]
