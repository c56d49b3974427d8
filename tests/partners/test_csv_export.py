"""Exporting partners and contacts to CSV: only what the viewer may see."""

import csv
import io
from datetime import UTC, datetime

from partner_portal.partners.tables import Contact
from tests.support import Cast, PortalClient


def _rows(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the mark to read UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


async def test_a_kam_exports_only_their_partners(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    response = await client.get("/partners/export.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    names = {row["legal_name"] for row in _rows(response.content)}
    assert names == {
        cast.distributor_a.legal_name,
        cast.retailer_a.legal_name,
        cast.bank.legal_name,
    }


async def test_the_export_follows_the_filters(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.admin)
    rows = _rows((await client.get("/partners/export.csv?kind=retailer")).content)
    assert [row["legal_name"] for row in rows] == [cast.retailer_a.legal_name]
    assert rows[0]["parent_distributor"] == cast.distributor_a.legal_name
    assert rows[0]["owner"] == "kam@brand.test"
    assert rows[0]["uuid"] == str(cast.retailer_a.uuid)


async def test_contacts_export_respects_visibility(client: PortalClient, cast: Cast) -> None:
    now = datetime.now(UTC)
    await Contact.insert(
        Contact(organisation=cast.bank.id, name="张伟", created_at=now),
        Contact(organisation=cast.mill.id, name="陈静", created_at=now),
    ).run()
    await client.log_in(cast.kam)
    rows = _rows((await client.get("/contacts/export.csv")).content)
    assert [(row["partner"], row["name"]) for row in rows] == [(cast.bank.legal_name, "张伟")]


async def test_partner_users_may_not_export(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.distributor)
    assert (await client.get("/partners/export.csv")).status_code == 403
    assert (await client.get("/contacts/export.csv")).status_code == 403
