"""Acceptance in a real browser: the distributor's admin opens the issued contract,
accepts it with the code e-mailed to them, and the KAM sees it accepted. Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from tests.browser import screenshot, sign_in
from tests.contracts.support import delivered_code, issue, make_contract, make_template
from tests.notifications.conftest import SmtpServer
from tests.support import Cast


async def test_a_distributor_accepts_an_issued_contract_and_the_kam_sees_it_accepted(
    cast: Cast, live_server: str, page: Page, mail_settings: Any, smtp: SmtpServer
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    await issue(cast.admin, contract)

    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/contracts")
    await page.get_by_role("link", name=contract["number"]).click()
    await expect(page.locator("#contract-status")).to_have_text("Issued, awaiting the partner")
    await page.get_by_label("Your job title").fill("总经理")
    await page.get_by_label("I have read version 1").check()
    await screenshot(page, "contract-accept")
    await page.get_by_role("button", name="Accept this contract").click()
    await expect(page.locator("#confirm")).to_contain_text(cast.distributor.email)
    await page.get_by_label("Code").fill(await delivered_code(mail_settings, smtp))
    await page.get_by_role("button", name="Confirm and accept").click()
    await expect(page.locator("#contract-status")).to_have_text(
        "Accepted, awaiting countersignature"
    )
    await expect(page.locator("#signatures")).to_contain_text("总经理")

    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/partners/{cast.distributor_a.uuid}")
    panel = page.locator("#panel-contracts")
    await expect(panel).to_contain_text("Accepted, awaiting countersignature")
    await panel.get_by_role("link", name=contract["number"]).click()
    await expect(page.locator("#signatures")).to_contain_text("总经理")
    await screenshot(page, "contract-accepted-kam")


async def test_the_redline_reads_on_a_phone_in_chinese_and_korean(
    cast: Cast, live_server: str, page: Page
) -> None:
    from partner_portal.partners.tables import User
    from tests.contracts.test_redline import (
        CHINESE_AFTER,
        CHINESE_BEFORE,
        KOREAN_AFTER,
        KOREAN_BEFORE,
        _two_versions,
    )

    await page.set_viewport_size({"width": 390, "height": 844})
    for partner, member, language, before, after, heading in (
        (
            cast.distributor_a,
            cast.distributor,
            "zh_Hans",
            CHINESE_BEFORE,
            CHINESE_AFTER,
            "比较版本",
        ),
        (
            cast.distributor_b,
            cast.other_distributor,
            "ko",
            KOREAN_BEFORE,
            KOREAN_AFTER,
            "버전 비교",
        ),
    ):
        contract = await _two_versions(cast, partner, language, before, after)
        await sign_in(page, live_server, member)
        # The page speaks the reader's language (their setting, read on each request).
        await User.update({User.locale: language}).where(User.id == member.id)
        await page.goto(f"{live_server}/contracts/{contract['uuid']}")
        await page.locator("#versions").get_by_role("link", name=heading).click()
        await expect(page.locator("#redline")).to_be_visible()
        await expect(page.locator("#redline del").first).to_be_visible()
        # Nothing runs off the side of a phone's screen.
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        await screenshot(page, f"contract-redline-{language}")


async def test_the_verify_page_after_countersigning_in_chinese_and_korean(
    cast: Cast, live_server: str, browser: Any, tmp_path: Path
) -> None:
    from contracts import acceptance, documents
    from contracts.tables import ContractSignature, SignatureSide
    from tests.browser import SCREENSHOTS
    from tests.contracts.support import seen_by, sign_form, viewer

    contract = await make_contract(cast.admin, cast.distributor_a, await make_template(cast.admin))
    version = await issue(cast.admin, contract)
    for member, side, signer in (
        (cast.distributor, SignatureSide.partner, "王总"),
        (cast.admin, SignatureSide.brand, "陈总"),
    ):
        signed = await acceptance.sign(
            await viewer(member),
            await seen_by(member, contract["uuid"]),
            sign_form(version, signer_name=signer, signer_title="总经理"),
            acceptance.Client("198.51.100.7", "Mozilla/5.0 (browser test)"),
            side,
        )
        assert signed.saved, signed.errors
    row = await (
        ContractSignature.select(ContractSignature.sealed_pdf_path)
        .where(ContractSignature.decision == "countersigned")
        .first()
    )
    assert row is not None
    countersigned = documents.read_pdf(row["sealed_pdf_path"])
    # Kept beside the screenshots, to be rendered (pdftoppm) and looked at.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "contract-countersigned.pdf").write_bytes(countersigned)
    upload = tmp_path / "contract.pdf"
    upload.write_bytes(countersigned)

    for locale, name, stage in (("zh-CN", "zh", "品牌方"), ("ko-KR", "ko", "브랜드")):
        context = await browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
        visitor = await context.new_page()
        await visitor.goto(f"{live_server}/contracts/verify")
        await visitor.locator("#f-file").set_input_files(str(upload))
        await visitor.locator("form[action='/contracts/verify'] button").click()
        verdict = visitor.locator("#verdict")
        await expect(verdict).to_have_attribute("data-stage", "countersigned")
        await expect(verdict).to_contain_text("陈总")
        await expect(verdict).to_contain_text("王总")
        await expect(verdict).to_contain_text(stage)
        await screenshot(visitor, f"contract-verify-countersigned-{name}")
        await context.close()
