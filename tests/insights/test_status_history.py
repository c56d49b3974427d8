"""Churned, new and upgraded partners counted per period with the status and tier each
partner had then (partner_status_change), on the hand-counted history of support.py:
distributor_a books on 10 Jan and 10 Feb, distributor_b on 12 Jan, retailer_a on 15 Feb."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from insights import figures
from partner_portal.audit import services as audit_log
from partner_portal.database import write_transaction
from partner_portal.partners import history
from partner_portal.partners.tables import Organisation, PartnerStatusChange
from tests.insights.support import TODAY, make_history
from tests.insights.test_health import kpis_for
from tests.support import Cast, Org


async def change(clock: Any, when: datetime, partner: Org, **values: str) -> None:
    """Change a partner's status or tier the way the portal does: the row and its audit
    entry in one transaction."""
    clock.frozen_at = when
    async with write_transaction():
        columns = [Organisation._meta.get_column_by_name(name) for name in values]
        before = await Organisation.select(*columns).where(Organisation.id == partner.id).first()
        assert before is not None
        await Organisation.update(dict(zip(columns, values.values(), strict=True))).where(
            Organisation.id == partner.id
        )
        await audit_log.record(
            None,
            entity_kind="organisation",
            entity_uuid=partner.uuid,
            organisation_id=partner.id,
            action="update",
            changes={name: [before[name], value] for name, value in values.items()},
        )
    clock.frozen_at = TODAY


async def test_a_partner_set_to_churned_counts_once_in_the_month_it_happened(
    cast: Cast, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    # distributor_a ordered in January and February, then was set to churned on 20 February.
    await change(
        frozen_clock, datetime(2026, 2, 20, tzinfo=UTC), cast.distributor_a, status="churned"
    )
    await figures.refresh_facts()

    table = await kpis_for(cast.admin)

    # Nobody had ordered before January: no partner was live at its start.
    assert table.figure("", "2026-01", "churned").value == 0
    # Live on 1 February (January's order, 180-day window), churned by its end.
    february = table.figure("", "2026-02", "churned")
    assert february.partners == {cast.distributor_a.id}
    # At the start of February distributor_a and distributor_b were live: 1 of 2.
    assert february.rate == 0.5
    # Already churned on 1 March: not counted again (it was, in every month, before).
    assert table.figure("", "2026-03", "churned").value == 0


async def test_a_status_set_after_a_period_does_not_reach_back(
    cast: Cast, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    await change(
        frozen_clock, datetime(2026, 3, 2, tzinfo=UTC), cast.distributor_b, status="churned"
    )
    await figures.refresh_facts()

    table = await kpis_for(cast.admin)

    assert table.figure("", "2026-02", "churned").value == 0
    assert table.figure("", "2026-03", "churned").partners == {cast.distributor_b.id}


async def test_tiers_of_past_periods_are_those_the_partner_had_then(
    cast: Cast, frozen_clock: Any
) -> None:
    await make_history(cast, frozen_clock)
    # distributor_b (silver) ordered 104 CNY on 12 January, then moved up to gold on 5 February.
    await change(frozen_clock, datetime(2026, 2, 5, tzinfo=UTC), cast.distributor_b, tier="gold")
    await change(frozen_clock, datetime(2026, 3, 3, tzinfo=UTC), cast.distributor_a, tier="silver")
    await figures.refresh_facts()

    table = await kpis_for(cast.admin, dimension="tier")

    # January: distributor_b was silver, distributor_a gold (1,000).
    assert table.figure("tier:silver", "2026-01", "revenue").value == Decimal("104.00")
    assert table.figure("tier:gold", "2026-01", "revenue").value == Decimal("1000.00")
    assert table.figure("", "2026-02", "upgraded").partners == {cast.distributor_b.id}
    assert table.figure("tier:gold", "2026-02", "upgraded").partners == {cast.distributor_b.id}
    assert table.figure("", "2026-03", "downgraded").partners == {cast.distributor_a.id}
    assert table.figure("", "2026-03", "upgraded").value == 0


async def test_every_change_of_status_or_tier_is_kept_with_the_one_before(
    cast: Cast, frozen_clock: Any
) -> None:
    await change(frozen_clock, datetime(2026, 1, 5, tzinfo=UTC), cast.retailer_a, status="dormant")
    await change(frozen_clock, datetime(2026, 2, 5, tzinfo=UTC), cast.retailer_a, status="active")
    await change(frozen_clock, datetime(2026, 2, 6, tzinfo=UTC), cast.retailer_a, legal_name="x")

    spans = (await history.spans_of([cast.retailer_a.id]))[cast.retailer_a.id]

    # The status it had before the first kept change, then each change (not the name's).
    assert [span.status for span in spans] == ["active", "dormant", "active"]
    assert await PartnerStatusChange.count() == 3
    moment = datetime(2026, 1, 20, tzinfo=UTC)
    assert history.as_of(spans, moment, {"status": "?", "tier": "?"}).status == "dormant"
