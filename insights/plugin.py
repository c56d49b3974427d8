"""Partner health plugged into the kernel: pages, API, the 360 scorecard, the nightly
recomputation and the survey sender."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from insights import segmentation, snapshots, surveys
from insights.access import SCOPED_TABLES, InsightAction
from insights.api import insight_api_routes
from insights.controllers import insight_routes
from partner_portal.i18n import N_
from partner_portal.registries import NavEntry, PartnerPanel, Registry, ScheduledJob

routes = [*insight_routes, *insight_api_routes]


async def _recompute() -> str:
    return await snapshots.recompute_all()


def register(registry: Registry) -> None:
    registry.add_actions(InsightAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    registry.add_nav_entry(
        NavEntry(
            key="insights",
            order=60,
            label=N_("Health"),
            path="/insights",
            actions=(InsightAction.view_insights,),
        )
    )
    registry.add_partner_panel(
        PartnerPanel(
            key="health",
            order=5,
            template="insights/_partner_panel.html",
            load=segmentation.partner_health_panel,
        )
    )
    registry.add_job(
        ScheduledJob(
            key="insights.recompute",
            title=N_("Recompute partner health (KPIs, CLV, segments, cross-sell)"),
            every=timedelta(hours=6),
            run=_recompute,
        )
    )
    registry.add_job(
        ScheduledJob(
            key="insights.surveys",
            title=N_("Send satisfaction surveys for delivered orders"),
            every=timedelta(minutes=15),
            run=surveys.send_due_surveys,
        )
    )
    registry.add_email_kind(surveys.SURVEY_EMAIL, N_("Satisfaction surveys after delivery"))


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    """Treatments for the segments the demo shows (the figures come from the order history)."""
    return await segmentation.load_demo_treatments()
