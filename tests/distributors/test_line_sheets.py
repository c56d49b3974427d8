"""Line sheets: the brand publishes a season's styles to tiers or partners; each partner
sees those published to it with its own prices, on the page and in the PDF."""

from __future__ import annotations

import subprocess

import pytest

from distributors.tables import LineSheet, LineSheetAudience, LineSheetStyle
from tests.distributors.support import Sheet, make_sheet
from tests.support import Cast, PortalClient


def pdf_text(content: bytes) -> str:
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return completed.stdout.decode()


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet(tiers=("gold",))


async def test_a_partner_sees_the_sheet_with_its_own_prices(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)
    listing = await client.get("/line-sheets")
    assert "SS27 collection" in listing.text
    page = await client.get(f"/line-sheets/{sheet.uuid}")
    assert page.status_code == 200
    # distributor_a is a gold partner: CNY 100 and 120, not the other tiers' 110 and 130.
    assert "100.00" in page.text and "120.00" in page.text
    assert "110.00" not in page.text


async def test_a_partner_sees_the_volume_discounts_of_its_own_list(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    from decimal import Decimal

    from partner_portal.catalog.tables import VolumeBreak

    await VolumeBreak.insert(
        VolumeBreak(price_list=sheet.shop.cny_gold_list, min_quantity=1000, discount_percent=Decimal("8")),
        VolumeBreak(price_list=sheet.shop.cny_gold_list, min_quantity=500, discount_percent=Decimal("5")),
        VolumeBreak(price_list=sheet.shop.cny_any_list, min_quantity=100, discount_percent=Decimal("2")),
    )  # fmt: skip
    await client.sign_in(cast.distributor)

    page = (await client.get(f"/line-sheets/{sheet.uuid}")).text

    # The gold list's breaks, smallest first; not the tier-less list's 2% the gold partner never gets.
    assert page.index("5% off from 500 pieces") < page.index("8% off from 1,000 pieces")
    assert "2% off" not in page


async def test_partners_outside_the_audience_do_not_find_the_sheet(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.other_distributor)
    assert "SS27 collection" not in (await client.get("/line-sheets")).text
    assert (await client.get(f"/line-sheets/{sheet.uuid}")).status_code == 404
    await LineSheetAudience.insert(
        LineSheetAudience(line_sheet=sheet.id, organisation=cast.distributor_b.id)
    )
    assert (await client.get(f"/line-sheets/{sheet.uuid}")).status_code == 200
    await LineSheet.update({LineSheet.published: False}).where(LineSheet.id == sheet.id)
    assert (await client.get(f"/line-sheets/{sheet.uuid}")).status_code == 404


async def test_the_pdf_prints_the_partners_prices(
    client: PortalClient, cast: Cast, sheet: Sheet, tmp_path: object
) -> None:
    await client.sign_in(cast.distributor)
    response = await client.get(f"/line-sheets/{sheet.uuid}/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "SS27-001" in text and "SS27-002" in text
    assert "100.00" in text and "衬衫 1" not in text


async def test_merchandisers_publish_a_sheet_and_bad_codes_save_nothing(
    client: PortalClient, cast: Cast, database: str
) -> None:
    shop_sheet = await make_sheet(tiers=())
    await LineSheet.delete().where(LineSheet.id == shop_sheet.id)
    season = await _season_uuid()
    await client.sign_in(cast.staff)
    form = {
        "title": "SS27 for Shanghai",
        "season": season,
        "styles": "SS27-001\nSS27-404",
        "tier": "silver",
        "partner": str(cast.retailer_a.uuid),
        "published": "on",
        "version": "0",
    }
    refused = await client.post_form("/line-sheets/new", form)
    assert refused.status_code == 400 and "SS27-404" in refused.text
    assert await LineSheet.count() == 0
    saved = await client.post_form("/line-sheets/new", {**form, "styles": "ss27-002, SS27-001"})
    assert saved.status_code == 303
    styles = await LineSheetStyle.select(
        LineSheetStyle.style.code.as_alias("code")  # type: ignore[attr-defined]
    ).order_by(LineSheetStyle.position)
    assert [row["code"] for row in styles] == ["SS27-002", "SS27-001"]
    await client.sign_in(cast.retailer)
    assert "SS27 for Shanghai" in (await client.get("/line-sheets")).text


async def _season_uuid() -> str:
    from partner_portal.catalog.tables import Season

    row = await Season.select(Season.uuid).first()
    assert row is not None
    return str(row["uuid"])
