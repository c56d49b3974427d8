"""Two people editing one partner: the second is told what changed and nothing is lost."""

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import Organisation
from tests.support import Cast, PortalClient


def _form(**values: str) -> dict[str, str]:
    return {
        "legal_name": "上海锦程贸易有限公司",
        "english_name": "Shanghai Jincheng Trading",
        "kind": "distributor",
        "country": "CN",
        "currency": "CNY",
        "language": "zh_Hans",
        "tier": "gold",
        "status": "active",
        "version": "1",
        **values,
    }


async def test_a_stale_edit_saves_nothing_and_says_who_changed_what(
    client: PortalClient, cast: Cast, app
) -> None:  # type: ignore[no-untyped-def]
    from tests.support import PortalClient as Client

    await client.log_in(cast.kam)
    async with Client.for_app(app) as admin:
        await admin.log_in(cast.admin)
        first = await admin.post_form(
            f"/partners/{cast.distributor_a.uuid}/edit",
            _form(tier="platinum", owner=str(cast.kam.uuid)),
        )
        assert first.status_code == 303, first.text
    second = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/edit", _form(status="dormant")
    )
    assert second.status_code == 409
    assert "Someone saved this record after you opened it" in second.text
    assert "admin@brand.test" in second.text
    assert "gold" in second.text and "platinum" in second.text
    # The form now carries the current version, so saving again is a deliberate choice.
    assert 'name="version" value="2"' in second.text
    row = (
        await Organisation.select(Organisation.tier, Organisation.status, Organisation.version)
        .where(Organisation.id == cast.distributor_a.id)
        .first()
    )
    assert row == {"tier": "platinum", "status": "active", "version": 2}
    assert await AuditEntry.count().where(AuditEntry.action == "update") == 1


async def test_saving_again_after_the_warning_goes_through(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    await client.post_form(f"/partners/{cast.distributor_a.uuid}/edit", _form(tier="silver"))
    stale = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/edit", _form(status="dormant")
    )
    assert stale.status_code == 409
    again = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/edit", _form(status="dormant", version="2")
    )
    assert again.status_code == 303
    row = (
        await Organisation.select(Organisation.status, Organisation.version)
        .where(Organisation.id == cast.distributor_a.id)
        .first()
    )
    assert row == {"status": "dormant", "version": 3}
