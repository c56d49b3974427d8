"""Entitlement rules (allotment, allowance and what happens above it) and size suggestions."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from group_orders import approvals, choices, rosters, sizing
from group_orders.choices import Pick, settle
from tests.group_orders.support import (
    NOW,
    add_people,
    choice_form,
    items,
    make_campaign,
    make_uniform,
)
from tests.support import Cast

SHIRT, TROUSERS = uuid.uuid4(), uuid.uuid4()


def test_an_allotment_caps_pieces_per_item_and_the_company_pays_all() -> None:
    fine = settle("allotment", None, "employee_pays", [Pick(SHIRT, 2, 2, Decimal("110"))])
    assert not fine.errors
    assert (fine.total, fine.company_pays, fine.employee_pays) == (220, 220, 0)
    too_many = settle("allotment", None, "employee_pays", [Pick(SHIRT, 2, 3, Decimal("110"))])
    assert str(SHIRT) in too_many.errors


def test_above_the_allowance_the_employee_pays_the_difference() -> None:
    picks = [Pick(SHIRT, 2, 2, Decimal("110")), Pick(TROUSERS, 1, 1, Decimal("80"))]
    result = settle("allowance", Decimal("250"), "employee_pays", picks)
    assert not result.errors
    assert (result.total, result.company_pays, result.employee_pays) == (300, 250, 50)


def test_above_the_allowance_choices_are_refused_when_the_campaign_says_so() -> None:
    picks = [Pick(SHIRT, 2, 2, Decimal("110")), Pick(TROUSERS, 1, 1, Decimal("80"))]
    assert "allowance" in settle("allowance", Decimal("250"), "refused", picks).errors
    assert not settle("allowance", Decimal("300"), "refused", picks).errors


def test_sizes_are_suggested_from_height_chest_and_waist() -> None:
    tops = [
        sizing.body_fit(label, "china_gb", "uniform") for label in ("165/84A", "170/88A", "175/92A")
    ]
    assert sizing.suggest_size(tops, height=171, chest=89) == "170/88A"
    bottoms = [sizing.body_fit(label, "china_gb", "trousers") for label in ("165/72A", "170/76A")]
    assert sizing.suggest_size(bottoms, height=168, chest=100, waist=77) == "170/76A"
    alpha = [sizing.body_fit(label, "alpha", "shirts") for label in ("S", "M", "L", "XL")]
    assert sizing.suggest_size(alpha, chest=99) == "L"
    # Between two sizes the larger one is suggested.
    assert sizing.suggest_size(alpha, chest=95) == "L"
    assert sizing.suggest_size(alpha) is None


async def test_saving_over_the_allowance_when_refused_saves_nothing(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(
        cast, await make_uniform(), entitlement="allowance", allowance=Decimal("200"),
        over_allowance="refused",
    )  # fmt: skip
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    offered = await items(campaign)
    # 2 shirts at 110 (100 + 10 logo) = 220 > 200
    form = await choices.save_choices(person, campaign, choice_form(offered, {0: ("170/88A", 2)}))
    assert "allowance" in form.errors
    assert (await approvals.progress(campaign)).total_quantity == 0
    form = await choices.save_choices(
        person, campaign, choice_form(offered, {0: ("170/88A", 1), 1: ("170/76A", 1)})
    )
    assert not form.errors
    assert form.settlement.total == Decimal("190")
    assert form.allowance_left == Decimal("10")


async def test_items_for_one_gender_or_role_are_offered_to_those_people_only(
    cast: Cast, frozen_clock: Any
) -> None:
    from group_orders.tables import CampaignItem, Employee

    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    await CampaignItem.update({CampaignItem.gender: "women"}).where(CampaignItem.position == 0)
    await CampaignItem.update({CampaignItem.job_role: "Teller"}).where(CampaignItem.position == 1)
    await add_people(campaign, ("E1", "王小明", "零售"), ("E2", "李秀英", "零售"))
    await Employee.update({Employee.gender: "men", Employee.job_role: " teller "}).where(
        Employee.employee_number == "E1"
    )
    await Employee.update({Employee.gender: "women", Employee.job_role: "Manager"}).where(
        Employee.employee_number == "E2"
    )
    people = {row.employee_number: row for row in await rosters.roster(campaign)}
    offered = {
        number: [item.style_code for item in (await choices.choice_form(person, campaign)).items]
        for number, person in people.items()
    }
    assert offered == {"E1": ["SS27-PT-001"], "E2": ["SS27-UN-001"]}
