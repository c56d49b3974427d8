"""The partner list: who sees which partners, search, filters, remembered filters."""

from datetime import UTC, datetime

from partner_portal.partners.tables import Contact, Organisation, Territory
from tests.support import Cast, PortalClient


def _names(html: str, cast: Cast) -> set[str]:
    return {key for key, org in cast.organisations().items() if f"/partners/{org.uuid}" in html}


async def _visible(client: PortalClient, cast: Cast, member) -> set[str]:  # type: ignore[no-untyped-def]
    await client.log_in(member)
    response = await client.get("/partners?clear=1")
    assert response.status_code == 200
    return _names(response.text, cast)


ALL_PARTNERS = {"distributor_a", "distributor_b", "retailer_a", "mill", "bank"}


async def test_a_brand_admin_sees_every_partner_but_not_the_brand(
    client: PortalClient, cast: Cast
) -> None:
    assert await _visible(client, cast, cast.admin) == ALL_PARTNERS


async def test_brand_staff_see_every_partner(client: PortalClient, cast: Cast) -> None:
    assert await _visible(client, cast, cast.staff) == ALL_PARTNERS


async def test_a_kam_sees_only_the_partners_they_own(client: PortalClient, cast: Cast) -> None:
    assert await _visible(client, cast, cast.kam) == {"distributor_a", "retailer_a", "bank"}


async def test_a_kam_manager_sees_their_teams_partners(client: PortalClient, cast: Cast) -> None:
    assert await _visible(client, cast, cast.kam_manager) == {"distributor_a", "retailer_a", "bank"}


async def test_another_kam_does_not_see_the_first_kams_partners(
    client: PortalClient, cast: Cast
) -> None:
    assert await _visible(client, cast, cast.other_kam) == {"distributor_b", "mill"}


async def test_a_distributor_sees_itself_and_the_retailers_it_serves(
    client: PortalClient, cast: Cast
) -> None:
    assert await _visible(client, cast, cast.distributor) == {"distributor_a", "retailer_a"}


async def test_a_retailer_sees_only_itself(client: PortalClient, cast: Cast) -> None:
    assert await _visible(client, cast, cast.retailer) == {"retailer_a"}


async def test_a_supplier_sees_only_itself(client: PortalClient, cast: Cast) -> None:
    assert await _visible(client, cast, cast.supplier) == {"mill"}


async def test_a_group_client_sees_only_itself(client: PortalClient, cast: Cast) -> None:
    assert await _visible(client, cast, cast.client) == {"bank"}


async def test_it_searches_legal_and_english_names_ignoring_case(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.admin)
    response = await client.get("/partners?q=SEOUL fashion")
    assert _names(response.text, cast) == {"distributor_b"}
    response = await client.get("/partners?q=锦程")
    assert _names(response.text, cast) == {"distributor_a"}


async def test_it_searches_tax_ids_and_contact_names(client: PortalClient, cast: Cast) -> None:
    from partner_portal.partners.tables import Organisation

    await Organisation.update({Organisation.tax_id: "91310000MA1FL8TQ36"}).where(
        Organisation.id == cast.mill.id
    )
    await Contact.insert(
        Contact(
            organisation=cast.bank.id,
            name="张伟",
            romanised_name="Zhang Wei",
            created_at=datetime.now(UTC),
        )
    ).run()
    await client.log_in(cast.admin)
    assert _names((await client.get("/partners?q=ma1fl8")).text, cast) == {"mill"}
    assert _names((await client.get("/partners?q=张伟")).text, cast) == {"bank"}
    assert _names((await client.get("/partners?q=zhang")).text, cast) == {"bank"}


async def test_search_never_reaches_beyond_what_the_viewer_may_see(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.get("/partners?q=Seoul")
    assert _names(response.text, cast) == set()


async def test_it_filters_by_kind_tier_status_owner_and_territory(
    client: PortalClient, cast: Cast
) -> None:
    await Territory.insert(
        Territory(organisation=cast.retailer_a.id, region_code="CN-ZJ"),
        Territory(organisation=cast.distributor_b.id, region_code="KR-11"),
    ).run()
    await client.log_in(cast.admin)
    assert _names((await client.get("/partners?kind=distributor")).text, cast) == {
        "distributor_a",
        "distributor_b",
    }
    assert _names((await client.get("/partners?tier=gold")).text, cast) == {"distributor_a"}
    assert _names((await client.get("/partners?status=churned")).text, cast) == set()
    owner = await client.get(f"/partners?owner={cast.other_kam.uuid}")
    assert _names(owner.text, cast) == {"distributor_b", "mill"}
    assert _names((await client.get("/partners?territory=CN-ZJ")).text, cast) == {"retailer_a"}
    # Zhejiang under its former numeric code is the same region.
    assert _names((await client.get("/partners?territory=CN-33")).text, cast) == {"retailer_a"}
    assert _names((await client.get("/partners?territory=KR")).text, cast) == {"distributor_b"}


async def test_htmx_live_search_gets_only_the_rows(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    response = await client.get("/partners?q=Hangzhou", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert _names(response.text, cast) == {"retailer_a"}
    assert "HX-Request" in response.headers["vary"]


async def test_the_search_box_searches_as_you_type_with_htmx(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.admin)
    page = (await client.get("/partners?clear=1")).text
    assert 'hx-get="/partners"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-target="#partner-rows"' in page


async def test_the_list_remembers_the_last_filters(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    await client.get("/partners?kind=retailer")
    response = await client.get("/partners")
    assert response.status_code == 303
    assert response.headers["location"] == "/partners?kind=retailer"
    followed = await client.get(response.headers["location"])
    assert _names(followed.text, cast) == {"retailer_a"}


async def test_clearing_filters_forgets_them(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    await client.get("/partners?kind=retailer")
    cleared = await client.get("/partners?clear=1")
    assert _names(cleared.text, cast) == ALL_PARTNERS
    assert (await client.get("/partners")).status_code == 200


async def test_it_pages_fifty_partners_at_a_time(client: PortalClient, cast: Cast) -> None:

    from partner_portal.partners.tables import Organisation

    now = datetime.now(UTC)
    await Organisation.insert(
        *(
            Organisation(
                kind="retailer",
                legal_name=f"Shop {index:03}",
                owner=cast.kam.id,
                created_at=now,
                updated_at=now,
            )
            for index in range(60)
        )
    ).run()
    await client.log_in(cast.admin)
    first = await client.get("/partners?q=Shop")
    assert "Shop 000" in first.text and "Shop 049" in first.text and "Shop 050" not in first.text
    second = await client.get("/partners?q=Shop&page=2")
    assert "Shop 050" in second.text and "Shop 059" in second.text and "Shop 049" not in second.text


async def test_a_signed_out_visitor_is_sent_to_log_in(client: PortalClient, cast: Cast) -> None:
    response = await client.get("/partners")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_a_row_kept_from_an_earlier_visit_shows_a_change_at_once_and_comes_back_to_each_list(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    await client.get("/partners?q=&page=1")
    await Organisation.update({Organisation.legal_name: "锦程服饰（更名）"}).where(
        Organisation.id == cast.distributor_a.id
    )

    first = (await client.get("/partners?q=&page=1")).text
    searched = (await client.get("/partners?q=%E9%94%A6%E7%A8%8B&page=1")).text

    assert "锦程服饰（更名）" in first and cast.distributor_a.legal_name not in first
    link = f"/partners/{cast.distributor_a.uuid}/log-call?next="
    assert f"{link}/partners%3Fq%3D%26page%3D1" in first
    assert f"{link}/partners%3Fq%3D%25E9%2594%25A6%25E7%25A8%258B%26page%3D1" in searched
