"""A small catalog for the catalog tests: one season, two size scales, price lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partner_portal.catalog import services
from partner_portal.catalog.forms import ean13_check_digit
from partner_portal.catalog.tables import Season, SizeScale, Style


@dataclass
class Catalog:
    season_uuid: str
    alpha_uuid: str
    china_uuid: str


async def make_catalog() -> Catalog:
    await services.create_season(None, "SS27", "Spring/Summer 2027")
    await services.create_size_scale(None, "ALPHA", "XS–3XL", "alpha", ["S", "M", "L"])
    await services.create_size_scale(
        None, "GB-TOPS", "GB/T 1335 tops", "china_gb", ["165/84A", "170/88A", "175/92A", "180/96A"]
    )
    season = await Season.select(Season.uuid).first()
    alpha = await SizeScale.select(SizeScale.uuid).where(SizeScale.code == "ALPHA").first()
    china = await SizeScale.select(SizeScale.uuid).where(SizeScale.code == "GB-TOPS").first()
    assert season and alpha and china
    return Catalog(str(season["uuid"]), str(alpha["uuid"]), str(china["uuid"]))


def ean13(first_twelve: str) -> str:
    return first_twelve + str(ean13_check_digit(first_twelve))


def style_form(catalog: Catalog, **values: str) -> dict[str, str]:
    return {
        "code": "SS27-SH-001",
        "season": catalog.season_uuid,
        "category": "shirts",
        "gender": "men",
        "name_en": "Oxford shirt",
        "name_zh": "牛津纺衬衫",
        "name_ko": "옥스포드 셔츠",
        "fabric_composition": "100% cotton",
        "size_scale": catalog.alpha_uuid,
        "status": "active",
        "colourways": "WHT White\nBLU Light blue",
        "barcodes": "",
        **values,
    }


async def style_row(code: str) -> dict[str, Any]:
    row = await Style.select(*Style.all_columns()).where(Style.code == code).first()
    assert row is not None
    return row
