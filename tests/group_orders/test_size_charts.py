"""The size page of a campaign shows each employee the style's size chart of their gender
(in their language), and the size suggestion reads it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from group_orders import sizing
from group_orders.records import CampaignRecord, EmployeeRecord
from partner_portal.catalog.size_charts import ChartInput, store_chart
from tests.group_orders.support import (
    NOW,
    Uniform,
    add_people,
    add_shirt_charts,
    items,
    make_campaign,
    make_uniform,
    set_genders,
    token_for,
)
from tests.support import Cast, PortalClient


async def _charted(cast: Cast) -> tuple[CampaignRecord, Uniform, dict[str, EmployeeRecord]]:
    """The bank's campaign with the shirt's charts; a man (E1), a woman (E2) and someone
    of no stated gender (E3)."""
    uniform = await make_uniform()
    await add_shirt_charts(uniform)
    campaign = await make_campaign(cast, uniform)
    await add_people(
        campaign, ("E1", "王小明", "零售"), ("E2", "김서연", "운항"), ("E3", "Lee", "IT")
    )
    people = await set_genders(campaign, {"E1": "men", "E2": "women"})
    return campaign, uniform, people


def _charts_on(page: str) -> list[str]:
    return re.findall(r'data-chart="(\w+)"', page)


async def test_each_employee_sees_the_chart_of_their_gender_in_their_language(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, _uniform, people = await _charted(cast)

    def link(number: str, lang: str) -> str:
        return f"/g/{token_for(campaign, people[number], settings.secret_key)}?lang={lang}"

    woman = await client.get(link("E2", "zh_Hans"))
    assert woman.status_code == 200
    assert _charts_on(woman.text) == ["women"]
    assert "女装 · 修身版型" in woman.text and '胸围<span class="unit">' in woman.text
    assert "衣长" not in woman.text  # the women's chart gives no garment length
    man = await client.get(link("E1", "ko"))
    assert _charts_on(man.text) == ["men"]
    assert "남성 · 레귤러 핏" in man.text and "옷 길이" in man.text
    # The trousers have no chart: the guide from their size labels, as before.
    assert "사이즈 안내" in man.text
    unknown = await client.get(link("E3", "en"))
    assert _charts_on(unknown.text) == ["men", "women"]


async def test_the_suggestion_reads_the_chart_of_the_employees_gender(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, uniform, people = await _charted(cast)
    measurements = {"height_cm": "162", "chest_cm": "84", "action": "suggest"}
    answers = {}
    for number in ("E1", "E2"):
        url = f"/g/{token_for(campaign, people[number], settings.secret_key)}?lang=en"
        page = await client.post_form(url, measurements)
        assert page.status_code == 200
        answers[number] = page.text
    # By the label (the men's chart) 162/84 is a 165/84A; by the women's chart a 170/88A.
    men_size, women_size = uniform.sizes["165/84A"], uniform.sizes["170/88A"]
    assert f'<option value="{men_size}" selected>165/84A' in answers["E1"]
    assert f'<option value="{women_size}" selected>170/88A' in answers["E2"]
    assert "Suggested size: 170/88A" in answers["E2"]
    # The suggested size is marked in the chart.
    row = re.search(r'<tr class="go-suggested">\s*<th scope="row">([^<]+)</th>', answers["E2"])
    assert row is not None and row.group(1) == "170/88A"


async def test_the_chart_decides_the_body_unless_it_gives_garment_measures_only(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, uniform, _people = await _charted(cast)
    # The trousers get a unisex chart of garment lengths only.
    lengths = {
        uniform.sizes[label]: {"length": Decimal(100 + index * 2)}
        for index, label in enumerate(("165/72A", "170/76A", "175/80A"))
    }
    await store_chart(uniform.trousers_id, "unisex", ChartInput("regular", lengths))
    shirt, trousers = await items(campaign)
    size = next(size for size in shirt.sizes if size["label"] == "170/88A")
    men = sizing.chart_fit(size["fit"], shirt.chart_for("men"), size["id"])
    assert (men.height, men.chest, men.waist) == (170.0, 88.0, None)
    women = sizing.chart_fit(size["fit"], shirt.chart_for("women"), size["id"])
    assert (women.height, women.chest, women.waist) == (162.0, 84.0, 68.0)
    # Someone of no stated gender has no chart of theirs (the shirt has no unisex one).
    assert shirt.chart_for("") is None
    waist = next(size for size in trousers.sizes if size["label"] == "170/76A")
    chart = trousers.chart_for("women")
    assert chart is not None and chart.gender == "unisex"
    assert sizing.chart_fit(waist["fit"], chart, waist["id"]) == waist["fit"]
