"""Regions as a hierarchy in deal registration: the same province under its old and new
ISO 3166-2 codes, a whole country against one of its provinces, and the deciding KAM
seeing every rival claim (another KAM's partner unnamed) before approving."""

from __future__ import annotations

from typing import Any

from partner_portal import regions
from sales.tables import DealRegistration
from tests.sales.support import register_deal
from tests.support import Cast, PortalClient


async def _row(registration_uuid: Any) -> dict[str, Any]:
    row = await DealRegistration.select().where(DealRegistration.uuid == registration_uuid).first()
    assert row is not None
    return row


def test_codes_meet_across_spellings_and_levels() -> None:
    assert regions.canonical("cn-31") == "CN-SH"
    assert regions.canonical("KR-42") == "KR-51"  # Gangwon, renumbered in 2023
    assert regions.parent("CN-31") == "CN" and regions.parent("CN") is None
    assert {"CN-SH", "CN-31", "CN"} <= set(regions.overlapping("CN-31"))
    assert "CN-ZJ" not in regions.overlapping("CN-SH")
    assert {"CN-SH", "CN-31", "CN-ZJ"} <= set(regions.overlapping("CN"))
    assert "KR-11" not in regions.overlapping("CN")
    assert regions.name("CN-31") == "上海市" and regions.name("KR-11") == "서울특별시"
    assert regions.overlapping("JP-13") == ["JP-13", "JP"]


async def test_the_same_customer_under_cn_31_and_cn_sh_is_a_conflict(cast: Cast) -> None:
    first = await register_deal(cast.distributor, "上海第一人民医院", "CN-31")
    second = await register_deal(cast.other_distributor, "上海第一人民医院", "CN-SH")

    assert (await _row(first))["region"] == "CN-SH"  # stored under its current code
    assert (await _row(second))["conflict_with"] == (await _row(first))["id"]


async def test_the_deciding_kam_sees_every_rival_claim_with_a_foreign_partner_unnamed(
    client: PortalClient, cast: Cast
) -> None:
    mine = await register_deal(cast.distributor, "上海第一人民医院", "CN-SH")
    # distributor_b belongs to another KAM.
    theirs = await register_deal(cast.other_distributor, "上海第一人民医院", "CN-31")
    await client.sign_in(cast.kam)

    page = await client.get(f"/sales/registrations/{mine}")

    assert "Another partner claims the same customer" in page.text
    assert "A partner of another key-account manager" in page.text
    assert "서울패션유통" not in page.text
    assert f"/sales/registrations/{theirs}" not in page.text
    assert "Approving this claim rejects the 1 claim beside it." in page.text
    # An admin sees everyone's names.
    await client.sign_in(cast.admin)
    assert "서울패션유통" in (await client.get(f"/sales/registrations/{mine}")).text
