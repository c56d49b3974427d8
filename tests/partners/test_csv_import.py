"""Importing partners and contacts from CSV: all rows or none, problems by row and column."""

import csv
import io

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.csv_io import PARTNER_COLUMNS
from partner_portal.partners.tables import Contact, Organisation, Territory
from tests.support import Cast, PortalClient

GOOD_ROWS = [
    {
        "legal_name": "苏州锦华服饰贸易有限公司",
        "kind": "retailer",
        "country": "CN",
        "tax_id": "91310000MA1FL8TQ36",
        "parent_distributor": "上海锦程贸易有限公司",
        "owner": "kam@brand.test",
        "territories": "CN-JS",
        "address_city": "苏州市",
        "address_country": "CN",
        "address_street": "人民路100号",
    },
    {
        "legal_name": "대구패션",
        "kind": "distributor",
        "country": "KR",
        "tax_id": "220-81-62517",
        "currency": "KRW",
        "language": "ko",
        "territories": "KR-27",
    },
]


def _csv(rows: list[dict[str, str]], bom: bool = True, columns=PARTNER_COLUMNS) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


async def _upload(client: PortalClient, content: bytes, kind: str = "partners"):  # type: ignore[no-untyped-def]
    token = await client.csrf_token()
    return await client.post(
        "/partners/import",
        data={"file_kind": kind},
        files={"file": ("partners.csv", content, "text/csv")},
        headers={"x-csrftoken": token},
    )


async def test_a_good_file_saves_every_row_with_audit_entries(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.admin)
    response = await _upload(client, _csv(GOOD_ROWS))
    assert response.status_code == 200, response.text
    assert "2 rows imported." in response.text
    retailer = (
        await Organisation.select()
        .where(Organisation.legal_name == "苏州锦华服饰贸易有限公司")
        .first()
    )
    assert retailer is not None
    assert retailer["parent_distributor"] == cast.distributor_a.id
    assert retailer["owner"] == cast.kam.id
    korean = await Organisation.select().where(Organisation.legal_name == "대구패션").first()
    assert korean is not None and korean["tax_id"] == "2208162517"
    assert await Territory.count().where(Territory.organisation == korean["id"]) == 1
    assert await AuditEntry.count().where(AuditEntry.action == "create") == 2


async def test_a_file_without_a_byte_order_mark_is_read_too(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.admin)
    response = await _upload(client, _csv(GOOD_ROWS, bom=False))
    assert response.status_code == 200
    assert await Organisation.count() == 8


async def test_one_bad_row_saves_nothing_and_is_reported_by_row_and_column(
    client: PortalClient, cast: Cast
) -> None:
    bad = {
        "legal_name": "北京坏数据有限公司",
        "kind": "retailer",
        "country": "CN",
        "tax_id": "91310000MA1FL8TQ3X",
    }
    await client.log_in(cast.admin)
    response = await _upload(client, _csv([GOOD_ROWS[0], bad, {**GOOD_ROWS[1], "country": "ZZ"}]))
    assert response.status_code == 400
    assert "Nothing was imported" in response.text
    assert "<td>3</td><td>tax_id</td>" in response.text
    assert "<td>4</td><td>country</td>" in response.text
    assert await Organisation.count() == 6
    assert await AuditEntry.count() == 0


async def test_an_unknown_column_is_reported(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    response = await _upload(client, b"legal_name,kind,country,colour\nA,retailer,CN,red\n")
    assert response.status_code == 400
    assert "colour" in response.text and "Unknown column" in response.text


async def test_a_file_that_is_not_utf8_is_refused(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    response = await _upload(client, "legal_name,kind,country\n上海,retailer,CN\n".encode("gbk"))
    assert response.status_code == 400
    assert "not UTF-8" in response.text


async def test_contacts_import_into_existing_partners(client: PortalClient, cast: Cast) -> None:
    from partner_portal.partners.csv_io import CONTACT_COLUMNS

    rows = [
        {
            "partner": "上海锦程贸易有限公司",
            "name": "赵敏",
            "wechat_id": "zhaomin",
            "is_primary": "yes",
        },
        {"partner": str(cast.distributor_b.uuid), "name": "박서준", "kakao_id": "seojun"},
    ]
    await client.log_in(cast.admin)
    response = await _upload(client, _csv(rows, columns=CONTACT_COLUMNS), kind="contacts")
    assert response.status_code == 200, response.text
    contacts = await Contact.select(
        Contact.name, Contact.organisation, Contact.is_primary
    ).order_by(Contact.id)
    assert contacts == [
        {"name": "赵敏", "organisation": cast.distributor_a.id, "is_primary": True},
        {"name": "박서준", "organisation": cast.distributor_b.id, "is_primary": False},
    ]


async def test_a_contact_row_for_an_unknown_partner_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    from partner_portal.partners.csv_io import CONTACT_COLUMNS

    rows = [
        {"partner": "上海锦程贸易有限公司", "name": "赵敏"},
        {"partner": "Nobody Ltd", "name": "X"},
    ]
    await client.log_in(cast.admin)
    response = await _upload(client, _csv(rows, columns=CONTACT_COLUMNS), kind="contacts")
    assert response.status_code == 400
    assert "<td>3</td><td>partner</td>" in response.text
    assert await Contact.count() == 0


async def test_only_brand_admins_may_import(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    assert (await client.get("/partners/import")).status_code == 403
    assert (await _upload(client, _csv(GOOD_ROWS))).status_code == 403
    assert (await client.get("/partners/import-template.csv")).status_code == 403
    assert await Organisation.count() == 6


async def test_the_template_has_the_header_and_an_example_row_that_imports(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.admin)
    template = await client.get("/partners/import-template.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    lines = template.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(PARTNER_COLUMNS)
    assert len(lines) == 2
    response = await _upload(client, template.content)
    assert response.status_code == 200, response.text
    assert await Organisation.count() == 7
