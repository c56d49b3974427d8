"""Every response carries a Content-Security-Policy that lets a page run only the portal's
own scripts and styles, and a Permissions-Policy that denies the camera, microphone and
position. In real Chromium the main pages run under it with no violation, and still work:
signing in, the partner list's search, the order grid's totals and pasted blocks, the
pipeline board's drag and drop, the agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import ConsoleMessage, Dialog, Page, expect

from partner_portal.partners.tables import Contact
from tests.browser import sign_in
from tests.distributors.support import make_sheet
from tests.sales.support import make_opportunity
from tests.scheduler.support import follow_up
from tests.support import Cast, PortalClient

POLICY_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def directives(header: str) -> set[str]:
    return {directive.strip() for directive in header.split(";")}


async def test_every_kind_of_response_carries_the_policies(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)
    responses = {
        "page": await client.get("/partners"),
        "htmx partial": await client.get("/partners", headers={"HX-Request": "true"}),
        "error page": await client.get("/partners/00000000-0000-0000-0000-000000000000"),
        "static file": await client.get("/static/js/portal.js"),
        "API": await client.get("/api/v1/partners"),
        "health check": await client.get("/healthz"),
    }
    for kind, response in responses.items():
        policy = response.headers.get("content-security-policy", "")
        assert set(POLICY_DIRECTIVES) <= directives(policy), kind
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, kind
        permissions = response.headers.get("permissions-policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()"):
            assert feature in permissions, kind


async def test_no_page_template_holds_inline_script_handlers_or_styles() -> None:
    """What the policy would block, found in the templates before a browser meets it."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    # PDFs are printed by WeasyPrint and e-mails read in mail programs: neither is a page.
    pages = [
        path
        for path in templates.rglob("*.html")
        if "emails" not in path.parts and not path.name.endswith("_pdf.html")
    ]
    offending = []
    for path in pages:
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)",
            r"\son[a-z]+\s*=\s*[\"']",
            r"\sstyle\s*=\s*[\"']",
            r"hx-on",
        ):
            offending += [
                f"{path.relative_to(templates)}: {pattern}" for _ in re.finditer(pattern, text)
            ]
    assert not offending, "\n".join(offending)


class PolicyWatch:
    """Collects what Chromium reports of the page's policies: console messages and
    securitypolicyviolation events (each page's own list, read before it is left)."""

    RECORD_VIOLATIONS = """
        window.policyViolations = [];
        document.addEventListener("securitypolicyviolation", (event) => {
            window.policyViolations.push(
                `${event.violatedDirective} blocked ${event.blockedURI} at ` +
                `${event.sourceFile}:${event.lineNumber}`);
        });
    """

    def __init__(self) -> None:
        self.reported: list[str] = []

    async def watch(self, page: Page) -> None:
        await page.add_init_script(self.RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if any(word in text for word in ("Content Security Policy", "Permissions-Policy")):
            self.reported.append(f"console: {text}")

    async def violations(self, page: Page) -> list[str]:
        return self.reported + list(await page.evaluate("window.policyViolations || []"))


async def test_the_main_pages_work_under_the_policy_without_a_violation(
    cast: Cast, live_server: str, page: Page, frozen_clock: Any
) -> None:
    sheet = await make_sheet()
    first_style = sheet.shop.styles[0]
    await make_opportunity(cast.kam, cast.distributor_a, title="AW27 workwear")
    await follow_up(
        cast.distributor_a, cast.kam, datetime.now(UTC) + timedelta(hours=1), title="每周订单电话"
    )
    policy = PolicyWatch()
    await policy.watch(page)

    # Signing in through the log-in page; the partner list's search, answered by htmx.
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/partners")
    await page.get_by_label("Search").fill("杭州")
    await expect(page.locator("#partner-rows")).to_contain_text("杭州衣尚店")
    await expect(page.locator("#partner-rows")).to_contain_text("1 partner")
    assert await policy.violations(page) == []

    # The order grid: totals follow typing, and a block pasted in a cell fills the grid.
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")
    await page.get_by_label("SS27-001 BLK S", exact=True).fill("10")
    await expect(page.locator(f"#sq-{first_style.id}")).to_have_text("10")
    await page.get_by_label("SS27-001 BLK S", exact=True).evaluate(
        """cell => {
            const pasted = new DataTransfer();
            pasted.setData("text/plain", "1\\t2\\t3\\n4\\t5\\t6\\n");
            cell.dispatchEvent(new ClipboardEvent("paste", {clipboardData: pasted, bubbles: true, cancelable: true}));
        }"""
    )
    await expect(page.get_by_label("SS27-001 BLK M", exact=True)).to_have_value("2")
    await expect(page.locator(f"#sq-{first_style.id}")).to_have_text("21")
    await expect(page.locator("#order-quantity")).to_have_text("21")
    assert await policy.violations(page) == []

    # The pipeline board: a card dragged onto the next column moves there.
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/sales/opportunities")
    await page.locator(".deal-card", has_text="AW27 workwear").drag_to(
        page.locator(".board-column[data-stage=qualified]")
    )
    await expect(page.locator(".board-column[data-stage=qualified]")).to_contain_text(
        "AW27 workwear"
    )
    assert await policy.violations(page) == []

    # Deleting a contact asks first (a handler of portal.js now): "no" keeps it.
    contact = await Contact.insert(
        Contact(organisation=cast.distributor_a.id, name="刘芳", created_at=datetime.now(UTC))
    ).returning(Contact.uuid)
    await page.goto(f"{live_server}/contacts/{contact[0]['uuid']}/edit")
    questions: list[str] = []

    async def answer_no(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", answer_no)
    await page.get_by_role("button", name="Delete contact").click()
    await expect(page.get_by_role("button", name="Delete contact")).to_be_visible()
    assert questions == ["Delete this contact?"]
    assert await Contact.exists().where(Contact.uuid == contact[0]["uuid"])
    assert await policy.violations(page) == []

    # The agenda: a follow-up is done in place.
    await page.goto(f"{live_server}/agenda")
    row = page.locator("li.follow-up", has_text="每周订单电话")
    # The row's actions come when its menu is opened (htmx, under the same policy).
    await row.locator("summary", has_text="Move, skip or finish").click()
    await row.get_by_label("Outcome").fill("下单 120 件")
    await row.get_by_role("button", name="Done").click()
    await expect(page.locator("li.follow-up", has_text="下单 120 件")).to_have_count(1)
    assert await policy.violations(page) == []
