"""`threadline demo-data`: a believable partner network that every demo user can sign in to."""

from __future__ import annotations

from stdnum.cn import uscc
from stdnum.kr import brn

from partner_portal.accounts.services import password_matches
from partner_portal.demo import DEMO_PASSWORD, demo_logins, load_demo_data
from partner_portal.partners.tables import (
    Contact,
    Organisation,
    OrganisationKind,
    TimelineEntry,
    User,
)
from tests.support import Demo, PortalClient


async def _counts() -> dict[str, int]:
    return {
        "organisations": await Organisation.count(),
        "users": await User.count(),
        "contacts": await Contact.count(),
        "timeline": await TimelineEntry.count(),
    }


async def _count_of(kind: OrganisationKind | tuple[OrganisationKind, ...]) -> int:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return await Organisation.count().where(Organisation.kind.is_in(list(kinds)))


async def test_the_demo_network_has_partners_of_every_kind_and_status(demo: Demo) -> None:
    assert demo.summary.startswith("Demo data loaded")
    assert await _count_of(OrganisationKind.brand) == 1
    suppliers = (OrganisationKind.fabric_supplier, OrganisationKind.trim_supplier)
    assert await _count_of(suppliers) == 3
    assert await _count_of(OrganisationKind.distributor) == 6
    assert await _count_of(OrganisationKind.retailer) == 20
    assert await _count_of(OrganisationKind.group_client) == 3
    retailers_without_distributor = await Organisation.count().where(
        (Organisation.kind == OrganisationKind.retailer) & Organisation.parent_distributor.is_null()
    )
    assert retailers_without_distributor == 0
    statuses = {row["status"] for row in await Organisation.select(Organisation.status)}
    assert statuses == {"active", "prospect", "dormant", "churned"}


async def test_every_tax_id_is_valid(demo: Demo) -> None:
    rows = await Organisation.select(Organisation.country, Organisation.tax_id)
    for row in rows:
        validator = brn if row["country"] == "KR" else uscc
        assert validator.is_valid(row["tax_id"]), row


async def test_every_partner_has_a_user_who_signs_in_with_the_demo_password(
    demo: Demo, client: PortalClient
) -> None:
    partners = await Organisation.select(Organisation.id, Organisation.kind).where(
        Organisation.kind != OrganisationKind.brand
    )
    admins = await User.select(User.organisation, User.role, User.password_hash).where(
        User.is_org_admin.eq(True)
    )
    admin_by_organisation = {row["organisation"]: row for row in admins}
    role_of_kind = {
        "fabric_supplier": "supplier",
        "trim_supplier": "supplier",
        "distributor": "distributor",
        "retailer": "retailer",
        "group_client": "group_client",
    }
    for partner in partners:
        admin = admin_by_organisation[partner["id"]]
        assert admin["role"] == role_of_kind[partner["kind"]]
        # One hash for every demo user: checking it once covers them all.
        assert admin["password_hash"] == admins[0]["password_hash"]
    assert password_matches(admins[0]["password_hash"], DEMO_PASSWORD)
    # And through the login form, one user of every role.
    for login in demo_logins():
        client.cookies.clear()
        response = await client.post_form(
            "/login", {"email": login.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 303, login.email


async def test_a_second_run_if_empty_changes_nothing(demo: Demo) -> None:
    before = await _counts()

    summary = await load_demo_data(only_if_empty=True)

    assert "already exists" in summary
    assert await _counts() == before
