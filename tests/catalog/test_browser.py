"""The catalog in a real browser: a merchandiser builds a season's style from nothing
through the pages (season and delivery window, size scale, style with its Chinese and
English names, colourways and barcodes, a picture, prices with a volume break, stock),
publishes it, and a distributor finds it with its price. Bad input is refused in place.

Screenshots go to var/screenshots/catalog-*.png for a person to look at.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, expect

from tests.browser import screenshot, sign_in
from tests.catalog.support import ean13
from tests.support import Cast

STYLE = "SS27-SH-001"
NAME_ZH = "牛津纺衬衫"
NAME_EN = "Oxford shirt"
GOOD_BARCODE = ean13("690123456789")
# The same twelve digits with a wrong check digit, as a mistyped label would give.
BAD_BARCODE = GOOD_BARCODE[:12] + str((int(GOOD_BARCODE[12]) + 1) % 10)


@pytest.fixture(autouse=True)
def _media_in_the_test_directory(
    media_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The live server keeps uploaded pictures in this test's directory, not the repository's."""
    monkeypatch.setenv("MEDIA_DIR", str(media_dir))
    yield


def _png(width: int, height: int) -> bytes:
    picture = Image.new("RGB", (width, height), (30, 80, 160))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


async def _shows_picture(page: Page, selector: str, width: int) -> None:
    """The picture has loaded in the page (served to this user), not just its <img> tag."""
    await page.locator(selector).first.scroll_into_view_if_needed()
    await page.wait_for_function(
        "([selector, width]) => { const img = document.querySelector(selector);"
        " return img && img.complete && img.naturalWidth === width; }",
        arg=[selector, width],
    )


async def _count(table: str) -> int:
    from partner_portal.catalog import tables

    return int(await getattr(tables, table).count())


async def test_a_merchandiser_builds_a_style_and_a_distributor_sees_it_with_its_price(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    await sign_in(page, live_server, cast.staff)

    # A season with its order window, then its first delivery window.
    await page.get_by_role("link", name="Catalog").click()
    await page.get_by_role("link", name="Seasons").click()
    await page.get_by_role("link", name="New season").click()
    await page.get_by_label("Season code").fill("ss27")
    await page.get_by_label("Name").fill("Spring/Summer 2027")
    await page.get_by_label("Order window opens").fill("2026-09-01")
    await page.get_by_label("Order window closes").fill("2026-10-15")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Edit SS27")
    windows = page.locator("#windows")
    await windows.get_by_label("Window name").fill("Drop 1")
    await windows.get_by_label("First delivery day").fill("2027-02-01")
    await windows.get_by_label("Last delivery day").fill("2027-02-15")
    await windows.get_by_role("button", name="Add delivery window").click()
    await expect(page.locator("#windows tbody tr")).to_have_count(1)
    await expect(page.locator("#windows tbody")).to_contain_text("Drop 1")
    await screenshot(page, "catalog-season")

    # A size scale.
    await page.goto(f"{live_server}/catalog/styles")
    await page.get_by_role("link", name="Size scales").click()
    await page.get_by_role("link", name="New size scale").click()
    await page.get_by_label("Code").fill("ALPHA")
    await page.get_by_label("Name").fill("Letters S–L")
    await page.get_by_label("Kind").select_option("alpha")
    await page.get_by_label("Sizes, smallest first").fill("S, M, L")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Size scales")
    await expect(page.locator("main")).to_contain_text("Letters S–L")

    # The style, first with a mistyped barcode: refused in place, nothing saved.
    await page.goto(f"{live_server}/catalog/styles")
    await page.get_by_role("link", name="New style").click()
    await page.get_by_label("Style code").fill(STYLE)
    await page.get_by_label("Season").select_option(label="SS27 Spring/Summer 2027")
    await page.get_by_label("Category").select_option("shirts")
    await page.get_by_label("Gender").select_option("men")
    await page.get_by_label("Name (English)").fill(NAME_EN)
    await page.get_by_label("Name (Chinese)").fill(NAME_ZH)
    await page.get_by_label("Fabric composition").fill("100% cotton")
    await page.get_by_label("Size scale").select_option(label="Letters S–L")
    await page.get_by_label("Colourways").fill("WHT White\nBLU Light blue")
    await page.get_by_label("Barcodes (EAN-13)").fill(f"WHT M {BAD_BARCODE}")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    await expect(page.locator(".field-error")).to_contain_text(
        f"{BAD_BARCODE} is not a valid EAN-13 barcode"
    )
    await expect(page.get_by_label("Barcodes (EAN-13)")).to_have_attribute("aria-invalid", "true")
    # What was typed is still there, so only the barcode needs fixing.
    await expect(page.get_by_label("Name (Chinese)")).to_have_value(NAME_ZH)
    await expect(page.get_by_label("Colourways")).to_have_value("WHT White\nBLU Light blue")
    await screenshot(page, "catalog-style-bad-barcode")
    assert await _count("Style") == 0
    assert await _count("Sku") == 0

    await page.get_by_label("Barcodes (EAN-13)").fill(f"WHT M {GOOD_BARCODE}")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"{STYLE} · {NAME_EN}")
    style_url = page.url
    facts = page.locator("dl.facts")
    await expect(facts).to_contain_text(NAME_ZH)
    await expect(facts).to_contain_text("Draft")
    skus = page.locator("#skus")
    await expect(skus.locator("tbody tr")).to_have_count(2)
    await expect(skus.get_by_role("row", name=re.compile("^WHT"))).to_contain_text(GOOD_BARCODE)
    await expect(skus.locator("thead th")).to_have_text(["Colour", "S", "M", "L"])

    # A picture, uploaded and shown on the style page.
    await page.get_by_label(re.compile("^Add a picture")).set_input_files(
        {"name": "oxford-white.png", "mimeType": "image/png", "buffer": _png(48, 64)}
    )
    await page.get_by_role("button", name="Upload picture").click()
    await expect(page.locator("#pictures img")).to_have_count(1)
    await _shows_picture(page, "#pictures img", 48)

    # A price list for the gold tier; a negative price is refused and saves nothing.
    await page.goto(f"{live_server}/catalog/price-lists")
    await page.get_by_role("link", name="New price list").click()
    await page.get_by_label("Name").fill("SS27 Gold CNY")
    await page.get_by_label("Currency").fill("CNY")
    await page.get_by_label("Tier").select_option("gold")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("SS27 Gold CNY")
    wholesale = page.get_by_label(f"Wholesale {STYLE}", exact=True)
    retail = page.get_by_label(f"Suggested retail {STYLE}", exact=True)
    await wholesale.fill("-399")
    await retail.fill("899")
    await page.get_by_role("button", name="Save prices").click()
    await expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    await expect(page.locator("table.prices .field-error")).to_have_text(
        "The amount cannot be negative."
    )
    await expect(wholesale).to_have_value("-399")
    await screenshot(page, "catalog-prices-negative")
    assert await _count("Price") == 0

    await wholesale.fill("399")
    await page.get_by_role("button", name="Save prices").click()
    await expect(page.get_by_role("alert")).to_have_count(0)
    await expect(wholesale).to_have_value("399.00")
    await expect(retail).to_have_value("899.00")

    # A volume break: 5 % off from 500 units of the style.
    breaks = page.locator("#breaks")
    await breaks.get_by_label("From units per style").first.fill("500")
    await breaks.get_by_label("Percent off").first.fill("5")
    await breaks.get_by_role("button", name="Save volume breaks").click()
    await expect(page).to_have_url(re.compile("#breaks$"))
    await expect(page.get_by_role("alert")).to_have_count(0)
    await expect(breaks.get_by_label("From units per style").first).to_have_value("500")
    await expect(breaks.get_by_label("Percent off").first).to_have_value(re.compile(r"^5(\.0+)?$"))
    await screenshot(page, "catalog-prices")

    # Stock: 120 white M to ship at once, 300 for the first drop.
    await page.goto(style_url)
    await page.get_by_role("link", name="Edit availability").click()
    await page.get_by_label("At once WHT M", exact=True).fill("120")
    await page.get_by_label(re.compile(r"^Drop 1 .* WHT M$")).fill("300")
    await screenshot(page, "catalog-availability")
    await page.get_by_role("button", name="Save availability").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"{STYLE} · {NAME_EN}")
    stock = page.locator("#availability tbody")
    await expect(stock.get_by_role("row", name=re.compile(r"^WHT\s+At once"))).to_contain_text(
        "120"
    )
    # The white rows come first; the second row of a colour names only its window.
    await expect(stock.get_by_role("row", name=re.compile(r"^Drop 1")).first).to_contain_text("300")
    prices = page.locator("#prices")
    await expect(prices).to_contain_text("SS27 Gold CNY")
    await expect(prices).to_contain_text("399.00")
    await expect(prices).to_contain_text("899.00")

    # A draft is the brand's own: a distributor does not see it yet.
    await sign_in(page, live_server, cast.distributor)
    await page.get_by_role("link", name="Catalog").click()
    await expect(page.locator("#style-rows")).to_contain_text("No styles match")
    response = await page.goto(style_url)
    assert response is not None and response.status == 404
    await sign_in(page, live_server, cast.staff)
    await page.goto(style_url)

    # Live: the style goes active and onto a line sheet for the gold partners.
    await page.get_by_role("link", name="Edit", exact=True).click()
    await page.get_by_label("Status").select_option("active")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("dl.facts")).to_contain_text("Active")
    await screenshot(page, "catalog-style")

    await page.get_by_role("link", name="Line sheets").click()
    await page.get_by_role("link", name="New line sheet").click()
    await page.get_by_label("Title").fill("SS27 first drop")
    await page.get_by_label("Season").select_option(label="SS27 Spring/Summer 2027")
    await page.get_by_label(re.compile("^Style codes")).fill(STYLE)
    await page.get_by_label("Every Gold partner").check()
    await page.get_by_label("Published: the partners above see it").check()
    await page.get_by_role("button", name="Save line sheet").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("SS27 first drop")

    # The distributor (a gold partner) finds the style in the catalog and on the sheet.
    await sign_in(page, live_server, cast.distributor)
    await page.get_by_role("link", name="Catalog").click()
    await expect(page.locator("#style-rows")).to_contain_text(NAME_EN)
    await page.locator("#style-rows").get_by_role("link", name=STYLE).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"{STYLE} · {NAME_EN}")
    await _shows_picture(page, "#pictures img", 48)
    await expect(page.get_by_role("button", name="Upload picture")).to_have_count(0)
    await expect(page.get_by_role("link", name="Edit availability")).to_have_count(0)
    await screenshot(page, "catalog-style-as-distributor")

    await page.get_by_role("link", name="Line sheets").click()
    await page.get_by_role("link", name="SS27 first drop").click()
    card = page.locator("article.sheet-style")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text(STYLE)
    await expect(card.locator("dd").first).to_contain_text("399.00")
    await expect(card).to_contain_text("899.00")
    await _shows_picture(page, "article.sheet-style img", 48)
    await screenshot(page, "catalog-line-sheet-as-distributor")
