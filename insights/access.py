"""Who sees partner health. Figures about partners are the brand's: partners never see their
own segment or another partner's figures. KAMs see their partners' (the organisation
filter), brand staff read all; brand admins tune the definitions."""

from __future__ import annotations

from insights.tables import CrossSell, PartnerMetrics, PartnerMonth, Survey
from partner_portal.access import ActionSet, ScopedTable, Viewer, organisation_filter
from partner_portal.partners.tables import Role


class InsightAction(ActionSet):
    view_insights = "insights.view_insights", "See partner health figures"
    manage_insights = "insights.manage_insights", "Tune the health definitions and segments"
    plan_insight_follow_ups = (
        "insights.plan_insight_follow_ups",
        "Plan follow-ups for the partners a figure shows",
    )


SCOPED_TABLES = (
    ScopedTable(PartnerMonth, PartnerMonth.organisation),
    ScopedTable(PartnerMetrics, PartnerMetrics.organisation),
    ScopedTable(Survey, Survey.organisation),
    ScopedTable(CrossSell, CrossSell.organisation),
)


def figures_scope(viewer: Viewer) -> str | None:
    """Whose partners a viewer's stored health figures cover (organisation_filter's rule):
    "all" for those who see every partner, "kam:<id>" for a KAM (own and team's), None
    for users who see no partner figures."""
    if not viewer.can(InsightAction.view_insights):
        return None
    if organisation_filter(viewer) is None:
        return "all"
    return f"kam:{viewer.user_id}" if viewer.role == Role.kam else None
