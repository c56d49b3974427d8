"""A partner's status and tier over time (partner_status_change): written beside the audit
entry of every change of either, so figures per period count partners as they were then
(a partner churned today was active last year)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from partner_portal import access
from partner_portal.partners.tables import Organisation, PartnerStatusChange


@dataclass(frozen=True)
class StatusSpan:
    """From ``valid_from`` on (until the next span), the partner had this status and tier."""

    valid_from: datetime
    status: str
    tier: str


@access.checked_by_caller("written in the transaction of a change to a partner its caller may make")
async def record_change(organisation_id: int, changes: Mapping[str, Any], at: datetime) -> None:
    """Keep the status and tier a change leaves (``changes``: {field: [before, after]}).

    A partner without a history yet (created before it was kept) first gets a row at its
    creation with the values before this change, so earlier periods still see them."""
    if "status" not in changes and "tier" not in changes:
        return
    current = (
        await Organisation.select(Organisation.status, Organisation.tier, Organisation.created_at)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if current is None:
        return
    after = {
        name: (changes[name][1] if name in changes else current[name])
        for name in ("status", "tier")
    }
    rows = []
    if not await PartnerStatusChange.exists().where(
        PartnerStatusChange.organisation == organisation_id
    ):
        before = {
            name: (changes[name][0] if name in changes else current[name]) or after[name]
            for name in ("status", "tier")
        }
        if before != after:
            rows.append(
                PartnerStatusChange(
                    organisation=organisation_id,
                    valid_from=min(current["created_at"], at),
                    **before,
                )
            )
    rows.append(PartnerStatusChange(organisation=organisation_id, valid_from=at, **after))
    await PartnerStatusChange.insert(*rows)


@access.checked_by_caller("the partners its caller found through the access policy")
async def spans_of(organisation_ids: Sequence[int]) -> dict[int, list[StatusSpan]]:
    """Each partner's spans, oldest first (partners without any have kept their status);
    of two spans from the same moment, the one written later holds."""
    spans: dict[int, list[StatusSpan]] = defaultdict(list)
    rows = await PartnerStatusChange.select(
        PartnerStatusChange.id,
        PartnerStatusChange.organisation,
        PartnerStatusChange.valid_from,
        PartnerStatusChange.status,
        PartnerStatusChange.tier,
    ).where(PartnerStatusChange.organisation.is_in(list(organisation_ids) or [-1]))
    rows.sort(key=lambda row: (row["organisation"], row["valid_from"], row["id"]))
    for row in rows:
        spans[row["organisation"]].append(StatusSpan(row["valid_from"], row["status"], row["tier"]))
    return spans


def as_of(spans: Sequence[StatusSpan], moment: datetime, now: Mapping[str, Any]) -> StatusSpan:
    """The status and tier at ``moment``: the span it falls in; before the first span, the
    first one (a partner's history starts at its creation); without spans, ``now``'s."""
    if not spans:
        return StatusSpan(moment, now["status"], now["tier"])
    index = bisect.bisect_right([span.valid_from for span in spans], moment) - 1
    return spans[max(index, 0)]
