"""group_orders in the kernel: its pages, the reminder job and the demand of open campaigns."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from group_orders import campaigns, events, invitations, reports
from group_orders.access import SCOPED_TABLES, GroupOrderAction
from group_orders.api import group_order_api_routes
from group_orders.controllers import group_order_routes
from partner_portal.i18n import N_
from partner_portal.registries import NavEntry, PartnerPanel, Registry, ScheduledJob
from partner_portal.settings import current_settings

routes = [*group_order_routes, *group_order_api_routes]


async def remind_non_responders() -> str:
    settings = current_settings()
    sent = await invitations.send_reminders(settings.base_url, settings.secret_key)
    return f"{sent} reminders queued"


def register(registry: Registry) -> None:
    registry.add_actions(GroupOrderAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    for kind in events.KINDS:
        registry.add_event_kind(kind)
    registry.add_nav_entry(
        NavEntry(
            key="group_orders",
            order=80,
            label=N_("Group orders"),
            path="/group-orders",
            actions=(GroupOrderAction.view_group_campaigns,),
        )
    )
    registry.add_partner_panel(
        PartnerPanel(
            key="group_orders",
            order=40,
            template="group_orders/_partner_panel.html",
            load=campaigns.partner_panel,
        )
    )
    registry.add_job(
        ScheduledJob(
            key="group_orders.reminders",
            title="Remind employees who have not chosen their sizes",
            every=timedelta(hours=6),
            run=remind_non_responders,
        )
    )
    registry.add_demand_source("group_campaigns", reports.campaign_demand)


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    from group_orders.demo import load

    return await load(rng, now)
