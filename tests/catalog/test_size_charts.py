"""A style's size charts: one per gender, edited by the brand on the style page with
bounded input (a wrong cell is refused in place and nothing is saved), shown to everyone
who sees the style."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from partner_portal.catalog import services as catalog
from partner_portal.catalog import size_charts
from partner_portal.catalog.tables import Size, SizeChart, SizeChartRow, Style
from tests.support import Cast, PortalClient

# Signed-in pages speak the user's language, else the browser's.
CHINESE = {"accept-language": "zh-CN,zh;q=0.9"}
KOREAN = {"accept-language": "ko-KR,ko;q=0.9"}


async def _style() -> tuple[Any, dict[str, int]]:
    """An active shirt in S, M, L; returns its UUID and the size ids by label."""
    season = await catalog.create_season(None, "SS27", "Spring/Summer 2027")
    scale = await catalog.create_size_scale(None, "ALPHA", "Alpha", "alpha", ["S", "M", "L"])
    now = datetime.now(UTC)
    row = (
        await Style.insert(
            Style(
                code="SS27-SH-CHART",
                season=season,
                category="shirts",
                name_en="Oxford shirt",
                size_scale=scale,
                status="active",
                created_at=now,
                updated_at=now,
            )
        )
        .returning(Style.uuid)
        .run()
    )
    sizes = await Size.select(Size.id, Size.label).where(Size.size_scale == scale)
    return row[0]["uuid"], {size["label"]: size["id"] for size in sizes}


def _cells(sizes: dict[str, int], measure: str, *values: str) -> dict[str, str]:
    return {
        f"{measure}-{sizes[label]}": value
        for label, value in zip(("S", "M", "L"), values, strict=True)
    }


async def test_a_merchandiser_saves_a_womens_chart_and_everyone_who_sees_the_style_sees_it(
    client: PortalClient, cast: Cast
) -> None:
    style_uuid, sizes = await _style()
    await client.sign_in(cast.staff)
    page = await client.get(f"/catalog/styles/{style_uuid}?lang=en")
    assert "No size chart yet." in page.text and "Add a size chart for Women" in page.text
    form = await client.get(f"/catalog/styles/{style_uuid}/size-chart?gender=women&lang=en")
    assert form.status_code == 200 and 'name="gender" value="women"' in form.text
    saved = await client.post_form(
        f"/catalog/styles/{style_uuid}/size-chart",
        {
            "gender": "women",
            "fit": "slim",
            **_cells(sizes, "chest", "80", "84.5", "88,5"),
            **_cells(sizes, "height", "155", "160", "165"),
            **_cells(sizes, "length", "62", "64", ""),
        },
    )
    assert saved.status_code == 303
    [chart] = (await size_charts.charts_for_styles([(await _style_id(style_uuid))])).values()
    assert [(c.gender, c.fit) for c in chart] == [("women", "slim")]
    assert [line.values["chest"] for line in chart[0].lines] == [
        Decimal("80"),
        Decimal("84.5"),
        Decimal("88.5"),
    ]
    assert chart[0].lines[2].values["length"] is None
    assert [measure.code for measure in chart[0].measures] == ["height", "chest", "length"]

    await client.sign_in(cast.distributor)
    seen = await client.get(f"/catalog/styles/{style_uuid}", headers=CHINESE)
    assert "女装 · 修身版型" in seen.text and "84.5" in seen.text
    assert "/size-chart?gender=women" not in seen.text  # no edit link for a partner
    refused = await client.post_form(
        f"/catalog/styles/{style_uuid}/size-chart", {"gender": "men", "fit": "regular"}
    )
    assert refused.status_code == 403


async def _style_id(style_uuid: Any) -> int:
    row = await Style.select(Style.id).where(Style.uuid == style_uuid).first()
    assert row is not None
    return int(row["id"])


async def test_bad_cells_are_refused_in_place_and_nothing_is_saved(
    client: PortalClient, cast: Cast
) -> None:
    style_uuid, sizes = await _style()
    await client.sign_in(cast.admin)
    url = f"/catalog/styles/{style_uuid}/size-chart"
    await client.post_form(
        url, {"gender": "men", "fit": "regular", **_cells(sizes, "chest", "88", "92", "96")}
    )
    bad = await client.post_form(
        url + "?lang=en",
        {
            "gender": "men",
            "fit": "tight",
            **_cells(sizes, "chest", "9", "92", "abc"),
            **_cells(sizes, "waist", "80", "76", "84"),
            **_cells(sizes, "height", "170", "175.25", "1e3"),
        },
    )
    assert bad.status_code == 400
    text = bad.text
    assert "Please correct the marked fields. Nothing was saved." in text
    assert "Enter a value from 30 to 200 cm." in text  # chest 9
    assert text.count("Enter centimetres such as 92 or 92.5.") == 3  # abc, 175.25, 1e3
    assert "Smaller than the size before it" in text  # waist 76 after 80
    assert "Choose one of the options." in text  # the fit
    assert 'value="abc"' in text  # what was typed stays
    # The chart saved before is unchanged.
    rows = await SizeChartRow.select(SizeChartRow.chest, SizeChartRow.waist)
    assert sorted(row["chest"] for row in rows) == [Decimal("88"), Decimal("92"), Decimal("96")]
    assert all(row["waist"] is None for row in rows)
    assert await SizeChart.select(SizeChart.fit) == [{"fit": "regular"}]

    empty = await client.post_form(url, {"gender": "unisex", "fit": "regular"}, headers=KOREAN)
    assert empty.status_code == 400 and "치수를 하나 이상 입력하세요." in empty.text
    assert await SizeChart.count() == 1


async def test_a_chart_is_removed_and_partners_may_not_open_the_form(
    client: PortalClient, cast: Cast
) -> None:
    style_uuid, sizes = await _style()
    await client.sign_in(cast.staff)
    url = f"/catalog/styles/{style_uuid}/size-chart"
    await client.post_form(
        url, {"gender": "unisex", "fit": "relaxed", **_cells(sizes, "chest", "96", "102", "108")}
    )
    form = await client.get(url + "?gender=unisex&lang=en")
    assert 'value="102"' in form.text and "Remove this size chart" in form.text
    removed = await client.post_form(url + "/delete", {"gender": "unisex"})
    assert removed.status_code == 303
    assert await SizeChart.count() == 0 and await SizeChartRow.count() == 0
    await client.sign_in(cast.kam)
    assert (await client.get(url)).status_code == 403
