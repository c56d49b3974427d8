"""Regions as a hierarchy in deal registration: the same province under its old and new
ISO 3166-2 codes, a whole country against one of its provinces, a city inside its
province, names and aliases, the region picker, and the deciding KAM seeing every rival
claim (another KAM's partner unnamed) before approving."""

from __future__ import annotations

from typing import Any

from partner_portal import regions
from partner_portal.partners.tables import User
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


def test_cities_sit_inside_their_province_and_go_by_their_aliases() -> None:
    # Hangzhou is in Zhejiang, which is in China; Suzhou (Jiangsu) is not in Zhejiang.
    assert regions.parent("CN-ZJ-HZ") == "CN-ZJ" and regions.ancestors("CN-ZJ-HZ") == [
        "CN-ZJ",
        "CN",
    ]
    assert regions.contains("CN-ZJ", "CN-ZJ-HZ") and regions.contains("CN-33", "CN-3301")
    assert not regions.contains("CN-ZJ", "CN-JS-SZ") and not regions.contains("CN-ZJ-HZ", "CN-ZJ")
    assert "CN-ZJ-HZ" in regions.overlapping("CN-ZJ") and "CN-ZJ" in regions.overlapping("CN-ZJ-HZ")
    assert "CN-ZJ-NB" not in regions.overlapping("CN-ZJ-HZ")  # two cities do not meet
    assert "CN-ZJ-HZ" in regions.overlapping("CN")
    # Aliases: a division code, a former province code, names in any language or spelling.
    assert regions.canonical("CN-3301") == "CN-ZJ-HZ"
    assert regions.canonical("KR-45-JJ") == "KR-52-JJ"  # Jeonju under Jeonbuk's former code
    assert regions.canonical("KR-41110") == "KR-41-SW"
    for name, code in (
        ("杭州", "CN-ZJ-HZ"), ("杭州市", "CN-ZJ-HZ"), ("Hangzhou", "CN-ZJ-HZ"),
        ("항저우시", "CN-ZJ-HZ"), ("Canton", "CN-GD-GZ"), ("수원", "KR-41-SW"),
        ("Pusan", "KR-26"), ("上海", "CN-SH"), ("cn-31", "CN-SH"), ("Xi'an", "CN-SN-XA"),
    ):  # fmt: skip
        assert regions.resolve(name) == code, name
    assert regions.resolve("Atlantis") is None
    assert regions.parse("JP-13", {"JP", "CN"}) == "JP-13"  # a country's code, not listed
    assert regions.parse("XX-1", {"JP", "CN"}) is None
    # One table names every region in each language, with its parents.
    assert regions.label("CN-ZJ-HZ", "zh_Hans") == "杭州市 · 浙江省 · 中国"
    assert regions.label("CN-ZJ-HZ", "ko") == "항저우시 · 저장성 · 중국"
    assert regions.label("KR-41-SW", "en") == "Suwon · Gyeonggi · South Korea"
    assert regions.region_name("KR-42", "zh_Hans") == "江原特别自治道"
    # A document names a city with its province, as each language writes an address.
    assert regions.document_name("CN-3301", "zh_Hans") == "浙江省杭州市"
    assert regions.document_name("KR-41-SW", "ko") == "경기도 수원시"
    assert regions.document_name("KR-41-SW", "en") == "Suwon, Gyeonggi"
    assert regions.document_name("CN-33", "en") == "Zhejiang"
    assert regions.document_name("JP-13", "en") == "JP-13"


def test_the_picker_finds_regions_by_code_or_name_in_the_readers_language() -> None:
    assert regions.search("杭州", "ko")[0] == ("CN-ZJ-HZ", "항저우시 · 저장성 · 중국")
    assert regions.search("cn-zj", "en")[0] == ("CN-ZJ", "Zhejiang · China")
    assert [code for code, _label in regions.search("suzhou", "en")] == ["CN-JS-SZ"]
    choices = regions.choices("zh_Hans")
    codes = [code for code, _label in choices]
    # Each province is followed by its cities.
    assert codes.index("CN-ZJ") < codes.index("CN-ZJ-HZ") < codes.index("CN-AH")
    assert ("KR-41-SW", "水原市 · 京畿道 · 韩国") in choices


async def test_a_claim_in_a_city_meets_a_claim_on_its_province(cast: Cast) -> None:
    first = await register_deal(cast.distributor, "杭州西湖酒店", "CN-ZJ")
    city = await register_deal(cast.other_distributor, "杭州西湖酒店", "杭州")
    elsewhere = await register_deal(cast.retailer, "杭州西湖酒店", "CN-JS-SZ")

    assert (await _row(city))["region"] == "CN-ZJ-HZ"  # chosen by name, stored as its code
    assert (await _row(city))["conflict_with"] == (await _row(first))["id"]
    assert (await _row(elsewhere))["conflict_with"] is None


async def test_the_registration_form_offers_the_picker_in_korean(
    client: PortalClient, cast: Cast
) -> None:
    await User.update({User.locale: "ko"}).where(User.id == cast.distributor.id)
    await client.sign_in(cast.distributor)

    form = await client.get("/sales/registrations/new")

    assert 'list="region-choices"' in form.text
    assert '<option value="CN-ZJ-HZ" label="항저우시 · 저장성 · 중국">' in form.text
