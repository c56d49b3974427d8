"""Garment demand from the order book becomes a published, versioned material forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from partner_portal.app import register_plugins
from partner_portal.catalog.tables import Season, Style
from partner_portal.registries import registry
from suppliers import forecasting
from suppliers.tables import ForecastLine, ForecastVersion
from tests.suppliers.support import (
    FIRST_WEEK,
    NOW,
    add_bom,
    add_order,
    add_purchase_order,
    make_material,
    make_style,
)
from tests.support import Cast


@pytest.fixture
def plugins() -> None:
    register_plugins()


async def lines_of(number: int) -> dict[tuple[int, date], dict[str, Any]]:
    version = await ForecastVersion.select(ForecastVersion.id).where(
        ForecastVersion.number == number
    )
    rows = await ForecastLine.select(*ForecastLine.all_columns()).where(
        ForecastLine.forecast == version[0]["id"]
    )
    return {(row["material"], row["week_start"]): row for row in rows}


async def test_the_order_book_feeds_firm_and_likely_material_demand_net_of_stock_and_pos(
    cast: Cast, frozen_clock: Any, plugins: None
) -> None:
    frozen_clock.frozen_at = NOW
    assert "order_book" in registry.demand_sources
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120", on_hand="100")
    await add_bom(shirt, shell["id"], "1.45", "5", size="M")
    await add_bom(shirt, shell["id"], "1.60", "5", size="XL")
    ship = FIRST_WEEK + timedelta(weeks=4)
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 100}, status="confirmed", ship_date=ship
    )
    await add_order(
        cast.distributor_b.id, shirt, {("NVY", "XL"): 50}, status="submitted", ship_date=ship
    )
    # Drafts and cancelled orders are no demand.
    await add_order(cast.retailer_a.id, shirt, {("NVY", "M"): 999}, status="draft", ship_date=ship)
    await add_order(
        cast.retailer_a.id, shirt, {("NVY", "M"): 999}, status="cancelled", ship_date=ship
    )
    await add_purchase_order(cast.mill.id, shell["id"], "50", FIRST_WEEK + timedelta(days=9))

    outcome = await forecasting.publish_forecast(None)

    assert outcome.published and outcome.number == 1
    week = FIRST_WEEK + timedelta(weeks=2)  # two weeks of cutting and sewing before shipping
    line = (await lines_of(1))[(shell["id"], week)]
    # Firm 100 × 1.45 × 1.05 = 152.25 m; likely 50 × 1.60 × 1.05 × 0.8 = 67.2 m.
    assert line["gross_firm"] == Decimal("152.250")
    assert line["gross_likely"] == Decimal("67.200")
    # 219.45 m less 100 m on hand and 50 m on the open PO.
    assert line["net_total"] == Decimal("69.450")
    assert line["net_firm"] == Decimal("2.250")
    assert line["supplier"] == cast.mill.id


async def test_publishing_again_without_changes_keeps_the_version(
    cast: Cast, frozen_clock: Any, plugins: None
) -> None:
    frozen_clock.frozen_at = NOW
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120")
    await add_bom(shirt, shell["id"], "1.5")
    ship = FIRST_WEEK + timedelta(weeks=3)
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "S"): 10}, status="confirmed", ship_date=ship
    )
    assert (await forecasting.publish_forecast(None)).number == 1

    again = await forecasting.scheduled_publish()

    assert again == "material forecast version 1 is current"
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "S"): 20}, status="in_production", ship_date=ship
    )
    outcome = await forecasting.publish_forecast(None)
    assert outcome.published and outcome.number == 2
    assert (await lines_of(1))[(shell["id"], FIRST_WEEK + timedelta(weeks=1))][
        "net_total"
    ] == Decimal("15.000")
    assert (await lines_of(2))[(shell["id"], FIRST_WEEK + timedelta(weeks=1))][
        "net_total"
    ] == Decimal("45.000")


async def test_reorders_are_forecast_per_month_from_order_history_and_top_up_the_book(
    cast: Cast, frozen_clock: Any, plugins: None
) -> None:
    frozen_clock.frozen_at = NOW  # 6 January 2027: the history is October to December
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120")
    await add_bom(shirt, shell["id"], "2")
    # Three months of delivered reorders, 310 a month: too few for a model, so their mean.
    for month in (10, 11, 12):
        await add_order(
            cast.distributor_a.id, shirt, {("BLK", "S"): 210, ("NVY", "XL"): 100},
            status="delivered", submitted_at=datetime(2026, month, 15, tzinfo=UTC),
        )  # fmt: skip
    # Garment week 3 (25–31 January) already holds 12 garments: the forecast tops it up.
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 12}, status="confirmed",
        ship_date=FIRST_WEEK + timedelta(weeks=3),
    )  # fmt: skip

    await forecasting.publish_forecast(None)

    lines = await lines_of(1)
    # Material week 1 is garment week 3, all in January: 310 × 7 / 31 = 70 garments a
    # week, less the 12 booked, × 2 m.
    booked_week = lines[(shell["id"], FIRST_WEEK + timedelta(weeks=1))]
    assert booked_week["gross_firm"] == Decimal("24.000")
    assert booked_week["gross_statistical"] == Decimal("116.000")  # (70 − 12) × 2
    # Material week 2 is garment week 4, 1–7 February: 310 × 7 / 28 = 77.5 garments × 2 m.
    plain_week = lines[(shell["id"], FIRST_WEEK + timedelta(weeks=2))]
    assert plain_week["gross_statistical"] == Decimal("155.000")
    version = await ForecastVersion.select(ForecastVersion.parameters).first()
    assert version is not None
    parameters = version["parameters"]
    if isinstance(parameters, str):
        import json

        parameters = json.loads(parameters)
    assert parameters["models"] == {"mean": 1}


async def test_no_reorder_is_forecast_after_the_styles_season(
    cast: Cast, frozen_clock: Any, plugins: None
) -> None:
    frozen_clock.frozen_at = NOW
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120")
    await add_bom(shirt, shell["id"], "2")
    for month in (10, 11, 12):
        await add_order(
            cast.distributor_a.id, shirt, {("BLK", "S"): 310},
            status="delivered", submitted_at=datetime(2026, month, 15, tzinfo=UTC),
        )  # fmt: skip
    # The season's order window ends on 31 January 2027.
    style = await Style.select(Style.season).where(Style.id == shirt.style_id).first()
    assert style is not None
    await Season.update({Season.order_window_end: date(2027, 1, 31)}).where(
        Season.id == style["season"]
    )

    await forecasting.publish_forecast(None)

    lines = await lines_of(1)
    # Garment week 3 (25–31 January) is the season's last: 70 garments × 2 m.
    assert lines[(shell["id"], FIRST_WEEK + timedelta(weeks=1))]["gross_statistical"] == (
        Decimal("140.000")
    )
    # From February on, nothing: the style is not reordered after its season.
    later = [
        line["gross_statistical"]
        for (material, week), line in lines.items()
        if material == shell["id"] and week >= FIRST_WEEK + timedelta(weeks=2)
    ]
    assert not any(later)


async def test_a_planner_recomputes_with_other_settings_from_the_page(
    client: Any, cast: Cast, frozen_clock: Any, plugins: None
) -> None:
    frozen_clock.frozen_at = NOW
    await client.log_in(cast.staff)
    refused = await client.post_form("/suppliers/forecast/recompute", {"likely_percent": "150"})
    assert refused.status_code == 400
    assert "Enter a percentage from 0 to 100." in refused.text
    assert await ForecastVersion.count() == 0

    published = await client.post_form(
        "/suppliers/forecast/recompute",
        {"weeks": "8", "cut_lead_weeks": "3", "likely_percent": "50"},
    )
    assert published.status_code == 303 and "published=1" in published.headers["location"]
    version = await ForecastVersion.select(
        ForecastVersion.weeks, ForecastVersion.parameters
    ).first()
    assert version is not None and version["weeks"] == 8
    parameters = version["parameters"]
    if isinstance(parameters, str):
        import json

        parameters = json.loads(parameters)
    assert parameters["likely_probability"] == "0.5" and parameters["cut_lead_weeks"] == 3
    page = await client.get(published.headers["location"])
    assert "Version 1 published." in page.text
