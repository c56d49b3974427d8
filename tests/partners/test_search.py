"""Partner search over the stored search text (partners/search.py): it follows every change
of a partner and its contacts, whoever writes them, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from partner_portal.partners.tables import Contact, Organisation, PartnerSearch
from tests.partners.test_create_and_edit import _form
from tests.support import Cast, PortalClient


def _names(html: str, cast: Cast) -> set[str]:
    return {key for key, org in cast.organisations().items() if f"/partners/{org.uuid}" in html}


async def _search(client: PortalClient, cast: Cast, text: str) -> set[str]:
    response = await client.get("/partners", params={"q": text})
    assert response.status_code == 200
    return _names(response.text, cast)


async def _contact_uuid(name: str) -> str:
    row = await Contact.select(Contact.uuid).where(Contact.name == name).first()
    assert row is not None
    return str(row["uuid"])


async def test_it_finds_a_partner_by_its_contacts_name_and_email(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)
    response = await client.post_form(
        f"/partners/{cast.bank.uuid}/contacts/new",
        {"name": "欧阳娜娜", "romanised_name": "Ouyang Nana", "email": "nana.ouyang@bank.test"},
    )
    assert response.status_code == 303
    assert await _search(client, cast, "欧阳娜娜") == {"bank"}
    assert await _search(client, cast, "nana.OUYANG@bank") == {"bank"}
    assert await _search(client, cast, "ouyang nana") == {"bank"}


async def test_it_finds_a_partner_by_its_english_name_and_a_two_character_fragment(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    assert await _search(client, cast, "jincheng trad") == {"distributor_a"}
    # Two and one CJK characters: answered by the bigram index on PostgreSQL.
    assert await _search(client, cast, "锦程") == {"distributor_a"}
    assert await _search(client, cast, "衣尚") == {"retailer_a"}
    assert await _search(client, cast, "패션") == {"distributor_b"}
    assert await _search(client, cast, "杭") == {"retailer_a"}
    # Three and more: the trigram index on PostgreSQL.
    assert await _search(client, cast, "锦程贸易") == {"distributor_a"}


async def test_the_search_text_follows_an_edit_and_a_deletion_of_a_contact(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.kam)
    await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/contacts/new",
        {"name": "赵敏", "email": "zhao.min@jincheng.test"},
    )
    contact = await _contact_uuid("赵敏")
    response = await client.post_form(
        f"/contacts/{contact}/edit",
        {"name": "周芷若", "email": "zhou.zhiruo@jincheng.test", "version": "1"},
    )
    assert response.status_code == 303
    assert await _search(client, cast, "赵敏") == set()
    assert await _search(client, cast, "zhao.min") == set()
    assert await _search(client, cast, "芷若") == {"distributor_a"}
    assert await _search(client, cast, "zhou.zhiruo") == {"distributor_a"}
    response = await client.post_form(f"/contacts/{contact}/delete", {})
    assert response.status_code == 303
    assert await _search(client, cast, "芷若") == set()


async def test_the_search_text_follows_a_partner_edit_and_rows_written_outside_the_forms(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    # An import, the API or a module writing the rows directly: the database keeps the text.
    await Organisation.update({Organisation.english_name: "Mulberry Mills"}).where(
        Organisation.id == cast.mill.id
    )
    await Contact.insert(
        Contact(organisation=cast.mill.id, name="朴서연", created_at=datetime.now(UTC))
    ).run()
    assert await _search(client, cast, "mulberry") == {"mill"}
    assert await _search(client, cast, "서연") == {"mill"}
    await Contact.update({Contact.organisation: cast.bank.id}).where(Contact.name == "朴서연")
    assert await _search(client, cast, "서연") == {"bank"}
    # A partner created through the form is searchable at once.
    response = await client.post_form(
        "/partners/new",
        _form(legal_name="苏州云裳服饰有限公司", english_name="Suzhou Yunshang Apparel", tax_id=""),
    )
    assert response.status_code == 303, response.text
    listing = (await client.get("/partners", params={"q": "云裳"})).text
    assert "苏州云裳服饰有限公司" in listing


async def test_every_partner_has_one_search_row_matching_its_fields(cast: Cast) -> None:
    rows = {
        row["organisation"]: row["body"]
        for row in await PartnerSearch.select(PartnerSearch.organisation, PartnerSearch.body)
    }
    organisations = await Organisation.select(
        Organisation.id, Organisation.legal_name, Organisation.english_name
    )
    assert set(rows) == {row["id"] for row in organisations}
    for organisation in organisations:
        lines = rows[organisation["id"]].split("\n")
        assert organisation["legal_name"] in lines
        assert organisation["english_name"] in lines


async def test_wildcards_are_searched_as_characters_and_the_search_is_bounded(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    assert await _search(client, cast, "%") == set()
    assert await _search(client, cast, "_") == set()
    response = await client.get("/partners", params={"q": "锦" * 5000})
    assert response.status_code == 200
    assert _names(response.text, cast) == set()


async def test_three_characters_and_more_find_the_same_partners_on_both_databases(
    client: PortalClient, cast: Cast
) -> None:
    """On SQLite an FTS5 trigram index answers these, on PostgreSQL pg_trgm: a substring
    anywhere in the text, whatever the case of Latin letters, with %, _ and quotes as
    characters; what each finds is written here once, for both."""
    await client.sign_in(cast.admin)
    await Organisation.update({Organisation.english_name: 'Mill "100%_Silk" Works'}).where(
        Organisation.id == cast.mill.id
    )
    expected = {
        "SHANGHAI jincheng": {"distributor_a"},
        "ncheng Tra": {"distributor_a"},
        "锦程贸": {"distributor_a"},
        "ion Distrib": {"distributor_b"},
        '"100%_silk"': {"mill"},
        "100%_": {"mill"},
        "0%x": set(),
        '"100': {"mill"},
        'k" W': {"mill"},
        "East China Bankx": set(),
        "east CHINA": {"bank"},
    }
    found = {text: await _search(client, cast, text) for text in expected}
    assert found == expected
