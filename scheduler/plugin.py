"""The scheduler module's plug: its routes, its jobs, panel, e-mail kinds and the
in-process host, and its demo follow-ups."""

from __future__ import annotations

import random
from datetime import datetime

from partner_portal.i18n import N_
from partner_portal.registries import HomeTile, NavEntry, PartnerPanel, Registry
from scheduler import agenda, controllers, follow_ups, handover, host, jobs, reminders
from scheduler.access import SCOPED_TABLES, SchedulerAction
from scheduler.api import follow_up_api_routes

routes = [*controllers.routes, *follow_up_api_routes]


def register(registry: Registry) -> None:
    registry.add_actions(SchedulerAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    registry.add_owned_work(handover.FOLLOW_UPS)
    registry.add_nav_entry(
        NavEntry(
            key="agenda",
            order=10,
            label=N_("Agenda"),
            path="/agenda",
            actions=(SchedulerAction.view_follow_ups,),
            current=("/agenda", "/follow-ups"),
        )
    )
    # The brand's users start the day with their agenda.
    registry.add_home_tile(
        HomeTile(
            key="agenda",
            order=10,
            label=N_("Agenda"),
            path="/agenda",
            actions=(SchedulerAction.view_follow_ups,),
            audience="brand",
        )
    )
    for job in jobs.JOBS:
        registry.add_job(job)
    registry.add_partner_panel(
        PartnerPanel(
            key="follow_ups",
            order=20,
            template="scheduler/_partner_panel.html",
            load=agenda.partner_panel,
        )
    )
    for kind, label in reminders.EMAIL_KINDS.items():
        registry.add_email_kind(kind, label)
    registry.add_email_kind(follow_ups.MAIL_ASSIGNED, follow_ups.ASSIGNED_LABEL)
    registry.add_lifespan_service("scheduler", host.in_web_process)


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    from scheduler.demo import load_follow_ups

    return await load_follow_ups(rng, now)
