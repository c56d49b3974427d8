"""Creating and editing partners: validation, rules on owner and parent, audit entries."""

from stdnum.cn import uscc

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import Address, Organisation, Territory
from tests.support import Cast, PortalClient

VALID_USCC = "91310000MA1FL8TQ36"
VALID_BRN = "1348672683"


def _form(**values: str) -> dict[str, str]:
    return {
        "legal_name": "宁波海风服饰有限公司",
        "english_name": "Ningbo Haifeng Apparel",
        "kind": "distributor",
        "country": "CN",
        "tax_id": VALID_USCC,
        "currency": "CNY",
        "language": "zh_Hans",
        "tier": "silver",
        "status": "active",
        # Shanghai under its former numeric code: kept under its current one.
        "territories": "cn-zj CN-31",
        "address-0-kind": "office",
        "address-0-country": "CN",
        "address-0-region": "浙江省",
        "address-0-city": "宁波市",
        "address-0-district": "鄞州区",
        "address-0-street": "天童南路1号",
        "address-0-postal_code": "315100",
        **values,
    }


async def test_the_example_uscc_is_valid() -> None:
    assert uscc.is_valid(VALID_USCC)


async def test_a_kam_creates_a_partner_they_then_own(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form("/partners/new", _form())
    assert response.status_code == 303, response.text
    row = (
        await Organisation.select().where(Organisation.legal_name == "宁波海风服饰有限公司").first()
    )
    assert row is not None
    assert row["owner"] == cast.kam.id
    assert row["tax_id"] == VALID_USCC
    assert response.headers["location"] == f"/partners/{row['uuid']}"
    territories = await Territory.select(Territory.region_code).where(
        Territory.organisation == row["id"]
    )
    assert sorted(t["region_code"] for t in territories) == ["CN-SH", "CN-ZJ"]
    assert await Address.count().where(Address.organisation == row["id"]) == 1
    audit = (
        await AuditEntry.select()
        .where(AuditEntry.entity_uuid == row["uuid"])
        .output(load_json=True)
    )
    assert [entry["action"] for entry in audit] == ["create"]
    assert audit[0]["changes"]["legal_name"] == [None, "宁波海风服饰有限公司"]
    assert audit[0]["actor"] == cast.kam.id


async def test_a_bad_chinese_credit_code_is_rejected_and_nothing_saved(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form("/partners/new", _form(tax_id="91310000MA1FL8TQ3X"))
    assert response.status_code == 400
    assert "not a valid unified social credit code" in response.text
    assert await Organisation.count() == 6
    assert await AuditEntry.count() == 0


async def test_a_bad_korean_business_number_is_rejected_and_nothing_saved(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/partners/new", _form(country="KR", tax_id="134-86-72684", currency="KRW")
    )
    assert response.status_code == 400
    assert "not a valid business registration number" in response.text
    assert await Organisation.count() == 6


async def test_a_korean_business_number_is_kept_in_compact_form(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/partners/new",
        _form(
            legal_name="부산의류",
            country="KR",
            tax_id="134-86-72683",
            currency="KRW",
            territories="KR-26",
            **{"address-0-country": "KR"},
        ),
    )
    assert response.status_code == 303, response.text
    row = (
        await Organisation.select(Organisation.tax_id)
        .where(Organisation.legal_name == "부산의류")
        .first()
    )
    assert row == {"tax_id": VALID_BRN}


async def test_it_reports_every_wrong_field_in_place(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/partners/new",
        _form(legal_name="", country="XX", currency="ABC", language="fr", territories="Atlantis"),
    )
    assert response.status_code == 400
    for message in (
        "Enter the legal name.",
        "two-letter country code",
        "three-letter currency",
        "Choose English, Simplified Chinese or Korean.",
        "Not a region: Atlantis",
    ):
        assert message in response.text, message
    assert await Organisation.count() == 6


async def test_only_a_retailer_has_a_parent_distributor(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/partners/new", _form(parent_distributor=str(cast.distributor_a.uuid))
    )
    assert response.status_code == 400
    assert "Only a retailer is served by a distributor." in response.text
    response = await client.post_form(
        "/partners/new", _form(kind="retailer", parent_distributor=str(cast.distributor_a.uuid))
    )
    assert response.status_code == 303


async def test_the_parent_distributor_must_be_one_the_viewer_can_see(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        "/partners/new", _form(kind="retailer", parent_distributor=str(cast.distributor_b.uuid))
    )
    assert response.status_code == 400
    assert "Choose one of the distributors in the list." in response.text


async def test_a_brand_admin_picks_an_active_kam_as_owner(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form("/partners/new", _form(owner=str(cast.staff.uuid)))
    assert response.status_code == 400
    assert "The owner must be an active key-account manager." in response.text
    response = await client.post_form("/partners/new", _form(owner=str(cast.other_kam.uuid)))
    assert response.status_code == 303
    row = (
        await Organisation.select(Organisation.owner)
        .where(Organisation.legal_name == "宁波海风服饰有限公司")
        .first()
    )
    assert row == {"owner": cast.other_kam.id}


async def test_brand_staff_and_partners_may_not_create_partners(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.staff)
    assert (await client.get("/partners/new")).status_code == 403
    assert (await client.post_form("/partners/new", _form())).status_code == 403
    await client.log_in(cast.distributor)
    assert (await client.post_form("/partners/new", _form())).status_code == 403
    assert await Organisation.count() == 6


async def test_a_kam_edits_their_partner_and_the_change_is_audited(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    form = await client.get(f"/partners/{cast.distributor_a.uuid}/edit")
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.text
    response = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/edit",
        _form(legal_name="上海锦程贸易有限公司", tier="platinum", version="1"),
    )
    assert response.status_code == 303, response.text
    row = await Organisation.select().where(Organisation.id == cast.distributor_a.id).first()
    assert row is not None
    assert (row["tier"], row["version"], row["owner"]) == ("platinum", 2, cast.kam.id)
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.entity_uuid == cast.distributor_a.uuid, AuditEntry.action == "update")
        .output(load_json=True)
        .first()
    )
    assert entry is not None
    assert entry["changes"]["tier"] == ["gold", "platinum"]
    assert entry["changes"]["version"] == [1, 2]
    assert "legal_name" not in entry["changes"]


async def test_a_kam_cannot_edit_another_kams_partner(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    assert (await client.get(f"/partners/{cast.distributor_b.uuid}/edit")).status_code == 404


async def test_partner_users_cannot_edit_even_their_own_organisation(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.distributor)
    assert (await client.get(f"/partners/{cast.distributor_a.uuid}/edit")).status_code == 403
    response = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/edit", _form(version="1")
    )
    assert response.status_code == 403


async def test_editing_a_partner_of_someone_who_left_keeps_its_owner(
    client: PortalClient, cast: Cast
) -> None:
    from partner_portal.partners.tables import User

    await User.update({User.is_active: False}).where(User.id == cast.kam.id)
    await client.log_in(cast.admin)
    form = await client.get(f"/partners/{cast.bank.uuid}/edit")
    assert f'value="{cast.kam.uuid}" selected' in form.text
    response = await client.post_form(
        f"/partners/{cast.bank.uuid}/edit",
        _form(
            legal_name="华东银行",
            kind="group_client",
            tax_id="",
            owner=str(cast.kam.uuid),
            version="1",
        ),
    )
    assert response.status_code == 303, response.text
    row = (
        await Organisation.select(Organisation.owner).where(Organisation.id == cast.bank.id).first()
    )
    assert row == {"owner": cast.kam.id}
