"""The access policy's fetchers hand out access-checked records, and nothing for a row the
viewer may not see."""

from __future__ import annotations

import pytest
from litestar.exceptions import NotFoundException

from sales.access import (
    SalesAction,
    VisibleDealRegistration,
    VisibleOpportunity,
    VisibleServiceCase,
    get_deal_registration,
    get_opportunity,
    get_service_case,
)
from sales.tables import CaseStatus, RegistrationStatus, Stage
from tests.sales.support import make_opportunity, open_case, register_deal, viewer
from tests.support import Cast


async def test_an_opportunity_is_the_brands_own(cast: Cast) -> None:
    made = await make_opportunity(cast.kam, cast.distributor_a)

    opportunity = await get_opportunity(
        await viewer(cast.kam), made, SalesAction.view_opportunities
    )

    assert isinstance(opportunity, VisibleOpportunity)
    assert (opportunity.uuid, opportunity.stage) == (made, Stage.lead)
    with pytest.raises(NotFoundException):
        await get_opportunity(await viewer(cast.distributor), made, SalesAction.view_opportunities)


async def test_a_case_is_its_partners_and_not_another_partners(cast: Cast) -> None:
    made = await open_case(cast.distributor)

    case = await get_service_case(await viewer(cast.distributor), made, SalesAction.view_cases)

    assert isinstance(case, VisibleServiceCase)
    assert (case.uuid, case.status) == (made, CaseStatus.new)
    with pytest.raises(NotFoundException):
        await get_service_case(await viewer(cast.retailer), made, SalesAction.view_cases)


async def test_a_registration_is_its_partners_and_not_another_partners(cast: Cast) -> None:
    made = await register_deal(cast.distributor)
    action = SalesAction.view_deal_registrations

    registration = await get_deal_registration(await viewer(cast.distributor), made, action)

    assert isinstance(registration, VisibleDealRegistration)
    assert (registration.uuid, registration.status) == (made, RegistrationStatus.pending)
    with pytest.raises(NotFoundException):
        await get_deal_registration(await viewer(cast.retailer), made, action)
