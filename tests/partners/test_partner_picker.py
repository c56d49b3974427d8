"""The partner picker of forms (partners/picker.py): a menu while the viewer sees few
partners; past 40 a search field whose matches, only among the partners the viewer sees,
come from GET /partners/choices as it is typed, or from the form page itself without
JavaScript. The form posts the partner's UUID as before. The new order's and the spreadsheet
upload's buyer fields are ones too (a brand's staff see every buying partner)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partner_portal.partners import picker
from partner_portal.partners.tables import Organisation
from sales.tables import Opportunity
from scheduler.tables import FollowUp
from tests.support import Cast, PortalClient

SEARCH = 'name="partner_q"'


@pytest.fixture
async def many_partners(cast: Cast) -> None:
    """41 more retailers for the kam (past the menu's 40), in one statement."""
    now = datetime.now(UTC)
    await Organisation.insert(
        *(
            Organisation(
                kind="retailer",
                legal_name=f"宁波门店{number:02d}",
                english_name=f"Ningbo Store {number:02d}",
                owner=cast.kam.id,
                status="active",
                created_at=now,
                updated_at=now,
            )
            for number in range(picker.MENU_LIMIT + 1)
        )
    )


async def test_a_kam_with_few_partners_picks_from_a_menu(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)

    page = (await client.get("/follow-ups/new")).text

    assert '<select id="partner" name="partner"' in page and SEARCH not in page
    assert f'<option value="{cast.bank.uuid}"' in page
    assert cast.distributor_b.legal_name not in page  # the other kam's


async def test_a_kam_with_many_partners_gets_a_search_field_not_a_long_menu(
    client: PortalClient, cast: Cast, many_partners: None
) -> None:
    await client.log_in(cast.kam)

    follow_up = (await client.get("/follow-ups/new")).text
    opportunity = (await client.get("/sales/opportunities/new")).text
    case = (await client.get("/sales/cases/new")).text
    new_order = (await client.get("/orders/new")).text
    upload = (await client.get("/distributors/upload")).text

    for page in (follow_up, opportunity, case, new_order, upload):
        assert SEARCH in page and "Name, tax id or contact" in page
        assert "宁波门店" not in page and f'value="{cast.bank.uuid}"' not in page


@pytest.mark.parametrize(
    ("member", "typed", "found", "left_out"),
    [
        ("kam", "锦程", "上海锦程贸易有限公司", "华东银行"),
        ("kam", "宁波门店07", "宁波门店07", "宁波门店08"),
        ("kam", "서울", None, "서울패션유통"),  # the other kam's partner
        ("admin", "서울", "서울패션유통", "上海锦程贸易有限公司"),
        ("admin", "east china", "华东银行", "서울패션유통"),
    ],
)
async def test_typed_text_finds_only_partners_the_viewer_sees(
    client: PortalClient,
    cast: Cast,
    many_partners: None,
    member: str,
    typed: str,
    found: str | None,
    left_out: str,
) -> None:
    await client.log_in(cast.users[member])

    answer = await client.get(
        "/partners/choices", params={"partner_q": typed}, headers={"HX-Request": "true"}
    )

    assert answer.status_code == 200
    assert "<html" not in answer.text and left_out not in answer.text
    if found:
        assert found in answer.text
    else:
        assert "No partners match these filters." in answer.text


async def test_at_most_40_matches_of_the_kinds_asked_for(
    client: PortalClient, cast: Cast, many_partners: None
) -> None:
    await client.log_in(cast.kam)

    stores = (await client.get("/partners/choices", params={"partner_q": "宁波"})).text
    distributors = (
        await client.get("/partners/choices", params={"partner_q": "宁波", "kind": "distributor"})
    ).text

    assert stores.count("<option") == picker.MENU_LIMIT
    assert "宁波" not in distributors


async def test_without_javascript_the_form_page_shows_the_matches(
    client: PortalClient, cast: Cast, many_partners: None
) -> None:
    await client.log_in(cast.kam)

    page = (await client.get("/follow-ups/new", params={"partner_q": "杭州"})).text

    assert f'<option value="{cast.retailer_a.uuid}">杭州衣尚店</option>' in page
    assert 'value="杭州"' in page and "宁波门店" not in page


async def test_the_follow_up_saves_with_the_chosen_partner_and_an_error_keeps_it_shown(
    client: PortalClient, cast: Cast, many_partners: None
) -> None:
    await client.log_in(cast.kam)
    form = {"partner": str(cast.retailer_a.uuid), "kind": "visit", "due_date": "2026-06-05"}

    bad = await client.post_form("/follow-ups/new", {**form, "title": ""})
    hidden = await client.post_form(
        "/follow-ups/new", {**form, "title": "巡店", "partner": str(cast.distributor_b.uuid)}
    )
    good = await client.post_form("/follow-ups/new", {**form, "title": "巡店"})

    assert bad.status_code == 400
    assert f'<option value="{cast.retailer_a.uuid}" selected>杭州衣尚店</option>' in bad.text
    assert hidden.status_code == 400 and cast.distributor_b.legal_name not in hidden.text
    assert good.status_code == 303
    saved = await FollowUp.select(FollowUp.organisation).first()
    assert saved is not None and saved["organisation"] == cast.retailer_a.id
    assert await FollowUp.count() == 1


async def test_the_opportunity_saves_with_the_picked_partner(
    client: PortalClient, cast: Cast, many_partners: None
) -> None:
    await client.log_in(cast.kam)

    saved = await client.post_form(
        "/sales/opportunities/new",
        {
            "title": "春季补货",
            "kind": "reorder_season",
            "organisation": str(cast.bank.uuid),
            "expected_value": "1000",
            "expected_close_date": "2027-03-31",
            "idempotency_key": "picker-1",
        },
    )

    assert saved.status_code == 303
    opportunity = await Opportunity.select(Opportunity.organisation).first()
    assert opportunity is not None and opportunity["organisation"] == cast.bank.id


async def test_a_new_contracts_partner_is_found_by_name_among_the_kinds_a_contract_fits(
    client: PortalClient, cast: Cast, many_partners: None
) -> None:
    await client.log_in(cast.kam)

    chooser = (await client.get("/contracts/new")).text
    found = (await client.get("/contracts/new", params={"partner_q": "宁波门店03"})).text
    typed = (
        await client.get(
            "/partners/choices", params={"partner_q": "锦程", "kind": ["distributor", "retailer"]}
        )
    ).text

    assert SEARCH in chooser and "宁波门店" not in chooser
    assert 'hx-get="/partners/choices?kind=distributor&amp;kind=retailer' in chooser
    assert "宁波门店03" in found and "宁波门店04" not in found
    assert str(cast.distributor_a.uuid) in typed
