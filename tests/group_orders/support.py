"""A uniform catalog and a campaign for the bank of the test cast."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from group_orders import approvals, campaigns, links, offer, rosters
from group_orders.records import CampaignRecord, EmployeeRecord
from group_orders.tables import Campaign, CampaignItem, Employee
from partner_portal.access import Viewer
from partner_portal.catalog import services as catalog
from partner_portal.catalog.tables import Colourway, Price, Size, Sku, Style
from tests.support import Cast

# Sessions made by PortalClient.sign_in expire a day after the real time, so the frozen
# clock stays near it: the start of the current hour.
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
SECRET = "test-secret-for-group-links-0123456789"
BASE_URL = "http://testserver"


@dataclass
class Uniform:
    shirt_id: int
    shirt_colour_id: int
    trousers_id: int
    trousers_colour_id: int
    sizes: dict[str, int]  # label -> size id


async def _style(code: str, category: str, scale: int, season: int, name: str) -> int:
    row = (
        await Style.insert(
            Style(
                code=code,
                season=season,
                category=category,
                name_en=name,
                name_zh=f"{name} 中",
                name_ko=f"{name} 한",
                size_scale=scale,
                status="active",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        .returning(Style.id)
        .run()
    )
    return int(row[0]["id"])


async def make_uniform() -> Uniform:
    """A shirt in GB/T tops sizes at 100 CNY and trousers in bottoms sizes at 80 CNY, with SKUs."""
    season = await catalog.create_season(None, "SS27", "Spring/Summer 2027")
    tops = await catalog.create_size_scale(
        None, "GB-TOPS", "GB tops", "china_gb", ["165/84A", "170/88A", "175/92A", "180/96A"]
    )
    bottoms = await catalog.create_size_scale(
        None, "GB-BOTTOMS", "GB bottoms", "china_gb", ["165/72A", "170/76A", "175/80A"]
    )
    shirt = await _style("SS27-UN-001", "uniform", tops, season, "Service shirt")
    trousers = await _style("SS27-PT-001", "trousers", bottoms, season, "Work trousers")
    colours = {}
    for style_id in (shirt, trousers):
        row = (
            await Colourway.insert(Colourway(style=style_id, code="NVY", name="Navy"))
            .returning(Colourway.id)
            .run()
        )
        colours[style_id] = row[0]["id"]
    sizes = await Size.select(Size.id, Size.label, Size.size_scale)
    await Sku.insert(
        *(
            Sku(style=style_id, colourway=colours[style_id], size=size["id"])
            for style_id, scale in ((shirt, tops), (trousers, bottoms))
            for size in sizes
            if size["size_scale"] == scale
        )
    ).run()
    list_id = await catalog.create_price_list(None, "CNY list", "CNY", True, None)
    await Price.insert(
        Price(price_list=list_id, style=shirt, wholesale=Decimal("100.00")),
        Price(price_list=list_id, style=trousers, wholesale=Decimal("80.00")),
    ).run()
    return Uniform(
        shirt, colours[shirt], trousers, colours[trousers], {s["label"]: s["id"] for s in sizes}
    )


async def make_campaign(
    cast: Cast, uniform: Uniform, today: date | None = None, **values: Any
) -> CampaignRecord:
    """An open campaign of the bank offering 2 shirts (with a 10 CNY logo) and 1 trousers."""
    today = today or NOW.date()
    row = (
        await Campaign.insert(
            Campaign(
                organisation=cast.bank.id,
                name="Spring uniforms",
                currency="CNY",
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=14),
                created_at=NOW,
                updated_at=NOW,
                **values,
            )
        )
        .returning(Campaign.id)
        .run()
    )
    campaign_id = row[0]["id"]
    await CampaignItem.insert(
        CampaignItem(
            campaign=campaign_id,
            organisation=cast.bank.id,
            style=uniform.shirt_id,
            colourway=uniform.shirt_colour_id,
            allotment=2,
            logo="Bank logo",
            logo_price=Decimal("10"),
            position=0,
        ),
        CampaignItem(
            campaign=campaign_id,
            organisation=cast.bank.id,
            style=uniform.trousers_id,
            colourway=uniform.trousers_colour_id,
            allotment=1,
            position=1,
        ),
    ).run()
    return await campaigns.campaign_by_id(campaign_id)


async def add_people(
    campaign: CampaignRecord, *people: tuple[str, str, str]
) -> list[EmployeeRecord]:
    """(employee number, name, department) rows with e-mail addresses; returns the roster."""
    await Employee.insert(
        *(
            Employee(
                campaign=campaign.id,
                organisation=campaign.organisation,
                employee_number=number,
                name=name,
                department=department,
                email=f"{number.lower()}@bank.test",
                link_key=links.new_link_key(),
                created_at=NOW,
            )
            for number, name, department in people
        )
    ).run()
    return await rosters.roster(campaign)


def token_for(campaign: CampaignRecord, employee: EmployeeRecord, secret: str) -> str:
    return links.make_token(secret, employee.link_key, links.link_expiry(campaign.closes_on))


async def items(campaign: CampaignRecord) -> list[offer.OfferedItem]:
    return await offer.offered_items(campaign)


def choice_form(
    offered: list[offer.OfferedItem], picks: dict[int, tuple[str, int]], **extra: str
) -> dict[str, str]:
    """Form fields picking (size label, quantity) per item index."""
    data = {**extra}
    for index, item in enumerate(offered):
        label, quantity = picks.get(index, ("", 0))
        size = next((s["id"] for s in item.sizes if s["label"] == label), "")
        data[f"size_{item.uuid}"] = str(size)
        data[f"qty_{item.uuid}"] = str(quantity)
    return data


async def approve_as_reviewed(viewer: Viewer, campaign_id: int) -> approvals.Approval:
    """Approve a campaign with the figures of its totals review, as its approve button does."""
    campaign = await campaigns.campaign_by_id(campaign_id)
    reviewed = (await approvals.review(campaign)).progress.fingerprint
    return await approvals.approve(viewer, campaign, reviewed)


def reviewed_value(review_page: str) -> str:
    """The fingerprint the review page's approve form sends."""
    found = re.search(r'name="reviewed" value="([0-9a-f]+)"', review_page)
    assert found, "the review page has no approve form"
    return found.group(1)


# The shirt's charts (GB/T tops): the men's regular chart is the labels' bodies plus the
# garment's length; in the women's slim chart a woman wearing 170/88A is 162 cm with an
# 84 cm chest.
SHIRT_SIZES = ("165/84A", "170/88A", "175/92A", "180/96A")
WOMEN_BODIES = {
    "165/84A": (157, 80, 64),
    "170/88A": (162, 84, 68),
    "175/92A": (167, 88, 72),
    "180/96A": (172, 92, 76),
}


async def add_shirt_charts(uniform: Uniform) -> None:
    """A men's regular and a women's slim size chart for the uniform's shirt."""
    from partner_portal.catalog.size_charts import ChartInput, store_chart

    men = {
        uniform.sizes[label]: {
            "height": Decimal(label[:3]),
            "chest": Decimal(label[4:6]),
            "length": Decimal(70 + index * 2),
        }
        for index, label in enumerate(SHIRT_SIZES)
    }
    women = {
        uniform.sizes[label]: {
            "height": Decimal(height),
            "chest": Decimal(chest),
            "waist": Decimal(waist),
        }
        for label, (height, chest, waist) in WOMEN_BODIES.items()
    }
    await store_chart(uniform.shirt_id, "men", ChartInput("regular", men))
    await store_chart(uniform.shirt_id, "women", ChartInput("slim", women))


async def set_genders(
    campaign: CampaignRecord, genders: dict[str, str]
) -> dict[str, EmployeeRecord]:
    """Give roster people (by employee number) a gender; returns the roster by number."""
    for number, gender in genders.items():
        await Employee.update({Employee.gender: gender}).where(
            (Employee.campaign == campaign.id) & (Employee.employee_number == number)
        )
    return {row.employee_number: row for row in await rosters.roster(campaign)}
