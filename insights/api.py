"""JSON API for partner health (/api/v1/insights): KPIs, a partner's CLV and segment,
and the segment list. The brand's users only (partners never see these figures); a KAM
sees their own partners'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar.params import FromPath, FromQuery

from insights import metrics, network, segmentation
from insights.access import InsightAction
from insights.figures import insight_settings
from partner_portal import access, api
from partner_portal.clock import utcnow
from partner_portal.web import CurrentViewer

API = "/api/v1/insights"


def _number(value: Any, currency: str) -> Any:
    """Money as a decimal string in the reporting currency's decimals; counts and rates as
    they are."""
    return api.money(value, currency) if isinstance(value, Decimal) else value


@api.get(f"{API}/kpis")
async def kpis(
    viewer: CurrentViewer,
    period: FromQuery[str] = "month",
    count: FromQuery[int] = 12,
    by: FromQuery[str] = "",
) -> dict[str, Any]:
    """Every KPI per period (``period``: month, quarter or season; per group when ``by`` is
    kam, tier, territory or kind); money as decimal strings in the reporting currency."""
    access.require(viewer, InsightAction.view_insights)
    table = await network.dashboard_kpis(
        viewer,
        period if period in network.PERIOD_KINDS else "month",
        min(max(count, 1), 36),
        by if by in network.DIMENSIONS else "",
        utcnow().date(),
    )
    return {
        "currency": table.currency,
        "definitions": {
            key: explanation for key, (_label, explanation) in metrics.DEFINITIONS.items()
        },
        "groups": [
            {
                "group": label,
                "periods": [
                    {
                        "period": window.label,
                        "starts_on": window.start.isoformat(),
                        "ends_on": window.last_day.isoformat(),
                        **{
                            kpi: _number(table.figure(group, window.key, kpi).value, table.currency)
                            for kpi in metrics.DEFINITIONS
                        },
                        **{
                            f"{kpi}_rate": table.figure(group, window.key, kpi).rate
                            for kpi in ("new", "churned", "upgraded", "downgraded")
                        },
                    }
                    for window in table.periods
                ],
            }
            for group, label in table.groups
        ],
    }


@api.get(f"{API}/partners/{{partner_id:uuid}}")
async def partner_health(viewer: CurrentViewer, partner_id: FromPath[UUID]) -> dict[str, Any]:
    """A partner's CLV with its inputs, segment, RFM, churn risk and cross-sell suggestions."""
    organisation = await access.get_organisation(viewer, partner_id, InsightAction.view_insights)
    latest = (await network.latest_metrics([organisation.id])).get(organisation.id)
    currency = (await insight_settings())["reporting_currency"]
    suggestions = await segmentation.cross_sell_for(organisation.id)
    return {
        "partner": str(organisation.uuid),
        "metrics": None
        if latest is None
        else {
            key: _number(value, currency)
            for key, value in latest.items()
            if key not in ("id", "organisation")
        }
        # No answers: no satisfaction (the stored 0 is not a score).
        | ({"satisfaction": None} if not latest["surveys"] else {}),
        "cross_sell": [
            {
                "style": row["style_code"],
                "because_of": row["reason_code"],
                "buyers_of_both": row["buyers_of_both"],
                "buyers_of_reason": row["buyers_of_reason"],
                "confidence": round(row["confidence"], 4),
                "lift": round(row["lift"], 4),
            }
            for row in suggestions
        ],
    }


@api.get(f"{API}/segments")
async def segments(viewer: CurrentViewer) -> dict[str, Any]:
    overview = await segmentation.segment_overview(viewer)
    return {
        "computed_on": overview["computed_on"].isoformat() if overview["computed_on"] else None,
        "partners": [
            {
                "partner": str(partner["uuid"]),
                "name": partner["legal_name"],
                "segment": code,
                "previous_segment": partner["previous_segment"],
                "rfm": [
                    partner["metrics"]["rfm_recency"],
                    partner["metrics"]["rfm_frequency"],
                    partner["metrics"]["rfm_monetary"],
                ],
            }
            for code, members in overview["segments"].items()
            for partner in members
        ],
    }


insight_api_routes = [kpis, partner_health, segments]
