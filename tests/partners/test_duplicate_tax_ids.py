"""A partner is entered once: a tax id already on file is refused, on the form and in imports."""

from partner_portal.partners.tables import Organisation
from tests.partners.test_create_and_edit import VALID_USCC, _form
from tests.partners.test_csv_import import GOOD_ROWS, _csv, _upload
from tests.support import Cast, PortalClient


async def test_a_second_partner_with_the_same_tax_id_is_refused(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)
    first = await client.post_form("/partners/new", _form())
    assert first.status_code == 303
    await client.sign_in(cast.other_kam)
    second = await client.post_form("/partners/new", _form(legal_name="另一家公司"))
    assert second.status_code == 400
    assert "already registered with this tax id" in second.text
    # The other KAM cannot see the first partner, and the message does not name it.
    assert "宁波海风服饰有限公司" not in second.text
    assert await Organisation.count().where(Organisation.tax_id == VALID_USCC) == 1


async def test_editing_a_partner_keeps_its_own_tax_id(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.kam)
    created = await client.post_form("/partners/new", _form())
    location = created.headers["location"]
    edit = await client.get(f"{location}/edit")
    version = edit.text.split('name="version" value="')[1].split('"')[0]
    saved = await client.post_form(f"{location}/edit", _form(tier="gold", version=version))
    assert saved.status_code == 303


async def test_an_import_refuses_known_and_repeated_tax_ids_and_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    assert (
        await client.post_form(
            "/partners/new", _form(legal_name="已有公司", kind="retailer", tier="standard")
        )
    ).status_code == 303
    before = await Organisation.count()
    repeated = {**GOOD_ROWS[1], "legal_name": "부산패션"}
    response = await _upload(client, _csv([GOOD_ROWS[0], GOOD_ROWS[1], repeated]))
    assert response.status_code == 400
    assert "already registered with this tax id" in response.text
    assert "The same tax id is on row 3 of this file." in response.text
    assert await Organisation.count() == before
