"""A distributor's whole ordering walk in a real browser, as a buyer used to JOOR would take
it: from the start page into the line sheet's grid, quantities typed with the keyboard
(arrows, Enter, Tab) and a block pasted as from Excel, refused input marked in place, a
draft saved and reopened from the start page in its sheet's whole grid, the order split over two delivery windows
and submitted, then a past order reordered at today's prices with what changed. In Chinese
on a desktop and in Korean on a phone: every message on the way is the catalogue's
translation, never the English."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from playwright.async_api import Locator, Page, ViewportSize, expect

from distributors.tables import RuleKind
from partner_portal import i18n
from partner_portal.orders.tables import Order
from partner_portal.partners.tables import User
from tests.browser import DESKTOP, PHONE, reading_in, screenshot, sign_in, translated
from tests.distributors.support import Sheet, add_windows, make_sheet, set_rule
from tests.orders.support import OrderableStyle, set_price
from tests.support import Cast

MULTIPLE = 2
MINIMUM = 12


async def paste(cell: Locator, block: str) -> None:
    """Paste a block into a cell as the browser does after Ctrl+V from a spreadsheet."""
    await cell.focus()
    await cell.evaluate(
        """(cell, block) => {
            const data = new DataTransfer();
            data.setData("text/plain", block);
            cell.dispatchEvent(new ClipboardEvent(
                "paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        block,
    )


@pytest.mark.parametrize(
    ("locale", "viewport"), [("zh_Hans", DESKTOP), ("ko", PHONE)], ids=["zh-desktop", "ko-phone"]
)
async def test_a_distributor_orders_in_two_windows_by_keyboard_and_paste_then_reorders(
    cast: Cast, database: str, live_server: str, page: Page, locale: str, viewport: ViewportSize
) -> None:
    sheet: Sheet = await make_sheet(style_count=3)
    early, late = await add_windows(sheet)
    first, second, third = sheet.shop.styles
    await set_rule(RuleKind.order_multiple, True, quantity=MULTIPLE)
    await set_rule(RuleKind.min_style_quantity, True, quantity=MINIMUM)
    said = partial(translated, locale)
    main = page.locator("main")
    await page.set_viewport_size(viewport)
    await sign_in(page, live_server, cast.distributor)
    await User.update({User.locale: locale}).where(User.id == cast.distributor.id)
    phone = viewport == PHONE
    name = "phone" if phone else "desktop"

    def cell(style: OrderableStyle, colour: str, size: str) -> Locator:
        return page.get_by_label(f"{style.code} {colour} {size}", exact=True)

    def cell_error(style: OrderableStyle, colour: str, size: str) -> Locator:
        return page.locator(f"#e-{style.skus[(colour, size)]}")

    # The start page leads to the sheets open for ordering.
    await page.goto(f"{live_server}/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(said("What needs you now"))
    await expect(main).to_contain_text(said("Line sheets open for ordering"))
    await page.get_by_role("link", name=said("Order from this sheet")).click()

    # The rules are said before typing, and the pre-book sheet delivers in its first window.
    await expect(main).to_contain_text(said("Minimum %(count)s pieces per style.", count=MINIMUM))
    await expect(main).to_contain_text(
        said("Every colour and size in multiples of %(multiple)s.", multiple=MULTIPLE)
    )
    await expect(page.locator("#f-window")).to_have_value(early)
    # The order's total and its submit button stay in sight, on a phone too.
    await expect(page.get_by_role("button", name=said("Submit order"))).to_be_in_viewport()

    # Typed as in a spreadsheet: arrows, Enter (down a colour) and Tab move between cells.
    await cell(first, "BLK", "S").click()
    await page.keyboard.type("10")
    await page.keyboard.press("ArrowRight")
    await page.keyboard.type("3")
    await expect(cell(first, "BLK", "M")).to_have_attribute("aria-invalid", "true")
    await expect(cell_error(first, "BLK", "M")).to_have_text(
        said("Order in multiples of %(multiple)s.", multiple=MULTIPLE)
    )
    await page.keyboard.press("Enter")
    await page.keyboard.type("x")
    whole = said("Whole pieces, 0 to 1,000,000.")
    await expect(cell_error(first, "WHT", "M")).to_have_text(whole)
    await expect(page.locator("#grid-invalid")).to_contain_text(
        said("Some quantities are not valid: %(problem)s", problem="")
    )
    await page.keyboard.press("ArrowUp")
    await page.keyboard.type("4")
    await expect(cell(first, "BLK", "M")).not_to_have_attribute("aria-invalid", "true")
    await page.keyboard.press("Tab")
    await page.keyboard.type("6")
    await expect(cell(first, "BLK", "L")).to_have_value("6")
    await expect(page.locator(f"#sq-{first.id}")).to_have_text("20")
    await screenshot(page, f"buyer-walk-grid-{locale}-{name}")

    # Sent with a cell that is not a number: refused, the cell marked, nothing typed lost.
    await page.get_by_role("button", name=said("Submit order")).click()
    await expect(page.locator("#matrix-findings")).to_contain_text(
        said("Some quantities are not valid: %(problem)s", problem=whole)
    )
    await expect(cell(first, "WHT", "M")).to_have_value("x")
    await expect(cell(first, "BLK", "M")).to_have_value("4")
    assert await Order.count() == 0
    await cell(first, "WHT", "S").click()
    await page.keyboard.press("ArrowRight")
    await page.keyboard.type("8")
    await expect(page.locator("#grid-invalid")).to_have_text("")

    # A small block pasted into the second style: under its minimum, saved as a draft.
    await paste(cell(second, "BLK", "S"), "2\t4\n")
    await expect(cell(second, "BLK", "M")).to_have_value("4")
    await expect(page.locator("#order-quantity")).to_have_text("34")
    below = said("Below the minimum of %(count)s pieces per style.", count=MINIMUM)
    await expect(page.locator(f"#sm-{second.id}")).to_have_text(below)
    await page.get_by_role("button", name=said("Save draft")).click()
    await expect(main).to_contain_text(
        said("Draft saved. You can come back to it from your orders or the start page.")
    )
    await expect(page.locator("#matrix-findings")).to_contain_text(
        said(
            "Style %(code)s: %(quantity)s pieces; the minimum per style is %(minimum)s.",
            code=second.code,
            quantity=6,
            minimum=MINIMUM,
        )
    )
    await expect(page.locator("#matrix-findings")).to_contain_text(said("Blocks submission:"))

    # The draft reopens in its grid from the start page, as saved.
    await page.goto(f"{live_server}/")
    drafts = page.locator("section", has=page.locator("#home-drafts"))
    await drafts.get_by_role("link", name=said("Open in the order grid")).click()
    await expect(cell(first, "WHT", "M")).to_have_value("8")
    await expect(cell(first, "BLK", "M")).to_have_value("4")
    await expect(cell(second, "BLK", "M")).to_have_value("4")
    # In its sheet's whole grid: the style the draft does not hold is there to order too.
    await expect(cell(third, "BLK", "S")).to_have_value("")
    await expect(page.locator("#order-quantity")).to_have_text("34")

    # The whole second style pasted as a block, then sent in the later window on its own PO.
    await paste(cell(second, "BLK", "S"), "2\t4\t6\r\n8\t10\t12\r\n")
    await expect(page.locator(f"#sq-{second.id}")).to_have_text("42")
    await expect(page.locator("#order-quantity")).to_have_text("70")
    await expect(page.locator(f"#sm-{second.id}")).to_have_text("")
    # The check made when the draft was saved no longer holds: put aside until the next save.
    await expect(page.locator("#matrix-findings")).to_be_hidden()
    await expect(page.locator("#findings-stale")).to_have_text(
        said("Changed since the last check: saving or submitting checks the order again.")
    )
    await page.locator("#f-po").fill("PO-EARLY")
    split = "Split by delivery window: one order per window, each with its own PO number"
    await page.get_by_text(said(split)).click()
    await page.locator(f"#window-{second.id}").select_option(late)
    await page.locator(f"#po-{late}").fill("PO-LATE")
    await screenshot(page, f"buyer-walk-split-{locale}-{name}")
    await page.get_by_role("button", name=said("Submit order")).click()

    await expect(main).to_contain_text(
        said("Orders submitted: one per delivery window. The brand has been told.")
    )
    rows = page.locator("table.list tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("PO-EARLY")
    await expect(rows.nth(1)).to_contain_text("PO-LATE")
    orders = await Order.select(Order.customer_po, Order.status, Order.total_quantity).order_by(
        Order.delivery_window_start
    )
    assert [(row["customer_po"], row["status"], row["total_quantity"]) for row in orders] == [
        ("PO-EARLY", "submitted", 28),
        ("PO-LATE", "submitted", 42),
    ]
    await screenshot(page, f"buyer-walk-split-done-{locale}-{name}")

    # A past order reordered: a new draft at today's prices, saying what changed.
    await set_price(sheet.shop.cny_gold_list, first.id, Decimal("105"))
    await rows.nth(0).get_by_role("link").first.click()
    await page.get_by_role("button", name=said("Reorder")).click()
    await expect(main).to_contain_text(
        said("A new draft is made from the past order at today's prices.")
    )
    await expect(main).to_contain_text(said("What has changed since:"))
    with reading_in(locale):
        then, now = (i18n.format_money(Decimal(price), "CNY") for price in ("100", "105"))
    await expect(main).to_contain_text(
        said(
            "%(code)s %(sizes)s: %(then)s then, %(now)s today",
            code=first.code,
            sizes="S/M/L",
            then=then,
            now=now,
        )
    )
    # Pre-booked for a window still to come: the reorder is for the same window.
    await expect(page.locator("#f-window")).to_have_value(early)
    await expect(cell(first, "BLK", "S")).to_have_value("10")
    await expect(page.locator("#order-value")).to_contain_text("2,940")
    await screenshot(page, f"buyer-walk-reorder-{locale}-{name}")
