"""The partner 360 page: everything about one partner, and who may open it."""

from datetime import UTC, datetime

from partner_portal.partners.tables import Address, Contact, Territory, TimelineEntry
from tests.support import Cast, PortalClient


async def _fill(cast: Cast) -> None:
    now = datetime.now(UTC)
    await Address.insert(
        Address(
            organisation=cast.distributor_a.id,
            kind="office",
            country="CN",
            region="上海市",
            city="上海市",
            district="浦东新区",
            street="世纪大道100号",
            postal_code="200120",
        )
    ).run()
    await Territory.insert(Territory(organisation=cast.distributor_a.id, region_code="CN-SH")).run()
    await Contact.insert(
        Contact(
            organisation=cast.distributor_a.id,
            name="王小红",
            romanised_name="Wang Xiaohong",
            job_title="采购经理",
            wechat_id="wxh_sh",
            is_primary=True,
            created_at=now,
        )
    ).run()
    await TimelineEntry.insert(
        TimelineEntry(
            organisation=cast.distributor_a.id,
            kind="visit",
            occurred_at=now,
            author=cast.kam.id,
            summary="Showroom visit, SS27 pre-book discussed",
            internal=False,
            created_at=now,
        ),
        TimelineEntry(
            organisation=cast.distributor_a.id,
            kind="note",
            occurred_at=now,
            author=cast.kam.id,
            summary="Credit risk: pays late",
            internal=True,
            created_at=now,
        ),
    ).run()


async def test_it_shows_details_contacts_addresses_territories_and_timeline(
    client: PortalClient, cast: Cast
) -> None:
    await _fill(cast)
    await client.log_in(cast.kam)
    page = (await client.get(f"/partners/{cast.distributor_a.uuid}")).text
    for text in (
        "上海锦程贸易有限公司",
        "王小红",
        "wxh_sh",
        "CN-SH",
        "世纪大道100号",
        "王小明",
        "Showroom visit",
        "Credit risk",
        "杭州衣尚店",
    ):
        assert text in page, text


async def test_addresses_print_large_to_small_in_chinese_and_small_to_large_in_english() -> None:
    from partner_portal.partners.services import format_address

    address = {
        "country": "CN",
        "region": "上海市",
        "city": "上海",
        "district": "浦东新区",
        "street": "世纪大道100号",
        "postal_code": "200120",
    }
    assert format_address(address, "zh_Hans") == "中国 上海市 上海 浦东新区 世纪大道100号 200120"
    western = {
        "country": "US",
        "region": "CA",
        "city": "San Francisco",
        "district": "",
        "street": "1 Market St",
        "postal_code": "94105",
    }
    assert format_address(western, "en") == "1 Market St, San Francisco CA 94105, United States"


async def test_a_partner_user_sees_no_internal_notes_and_no_edit_buttons(
    client: PortalClient, cast: Cast
) -> None:
    await _fill(cast)
    await client.log_in(cast.distributor)
    page = (await client.get(f"/partners/{cast.distributor_a.uuid}")).text
    assert "Showroom visit" in page
    assert "Credit risk" not in page
    assert f"/partners/{cast.distributor_a.uuid}/edit" not in page
    assert "/transfer" not in page
    assert 'name="summary"' not in page  # no log form: partners do not write the brand's timeline
    assert f"/partners/{cast.distributor_a.uuid}/contacts/new" in page


async def test_a_distributor_opens_its_retailer_but_cannot_manage_its_contacts(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.distributor)
    page = await client.get(f"/partners/{cast.retailer_a.uuid}")
    assert page.status_code == 200
    assert "/contacts/new" not in page.text


async def test_an_invisible_partner_answers_404(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    assert (await client.get(f"/partners/{cast.distributor_b.uuid}")).status_code == 404
    await client.log_in(cast.retailer)
    assert (await client.get(f"/partners/{cast.distributor_a.uuid}")).status_code == 404


async def test_the_log_form_is_on_the_page_two_clicks_from_the_list(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    listing = (await client.get("/partners?clear=1")).text
    assert f"/partners/{cast.bank.uuid}" in listing
    page = (await client.get(f"/partners/{cast.bank.uuid}")).text
    assert f'action="/partners/{cast.bank.uuid}/timeline"' in page


async def test_a_brand_admin_sees_the_transfer_form(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    page = (await client.get(f"/partners/{cast.bank.uuid}")).text
    assert f'action="/partners/{cast.bank.uuid}/transfer"' in page
    assert f"/partners/{cast.bank.uuid}/edit" in page


async def test_registered_panels_are_shown(client: PortalClient, cast: Cast) -> None:
    from partner_portal.registries import PartnerPanel, registry

    async def load(viewer, organisation):  # type: ignore[no-untyped-def]
        return {"message": f"panel for {organisation.legal_name}"}

    panel = PartnerPanel(key="test", order=1, template="partners/_test_panel.html", load=load)
    from pathlib import Path

    from partner_portal.templating import TEMPLATES_DIR

    template = Path(TEMPLATES_DIR) / "partners" / "_test_panel.html"
    template.write_text("<p class='test-panel'>{{ panel.message }}</p>")
    registry.add_partner_panel(panel)
    try:
        await client.log_in(cast.kam)
        page = (await client.get(f"/partners/{cast.bank.uuid}")).text
        assert "panel for 华东银行" in page
    finally:
        del registry.partner_panels[panel.key]
        template.unlink()


async def test_the_parent_distributor_is_a_link_only_for_those_who_may_open_it(
    client: PortalClient, cast: Cast
) -> None:
    from partner_portal.partners.tables import Organisation

    link = f'href="/partners/{cast.distributor_a.uuid}"'
    await client.sign_in(cast.kam)
    assert link in (await client.get(f"/partners/{cast.retailer_a.uuid}")).text
    # The retailer moves to a KAM who does not own its distributor: a name, not a dead link.
    await Organisation.update({Organisation.owner: cast.other_kam.id}).where(
        Organisation.id == cast.retailer_a.id
    )
    await client.sign_in(cast.other_kam)
    page = (await client.get(f"/partners/{cast.retailer_a.uuid}")).text
    assert cast.distributor_a.legal_name in page
    assert link not in page
