"""The scheduler module's plug: its routes, its jobs, panel, e-mail kinds and the
in-process host, and its demo follow-ups."""

from __future__ import annotations

import random
from datetime import datetime

from partner_portal.registries import PartnerPanel, Registry
from scheduler import controllers, host, jobs, reminders, services
from scheduler.access import SCOPED_TABLES, SchedulerAction

routes = controllers.routes


def register(registry: Registry) -> None:
    registry.add_actions(SchedulerAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    for job in jobs.JOBS:
        registry.add_job(job)
    registry.add_partner_panel(
        PartnerPanel(
            key="follow_ups",
            order=20,
            template="scheduler/_partner_panel.html",
            load=services.partner_panel,
        )
    )
    for kind, label in reminders.EMAIL_KINDS.items():
        registry.add_email_kind(kind, label)
    registry.add_email_kind(services.MAIL_ASSIGNED, services.ASSIGNED_LABEL)
    registry.add_lifespan_service("scheduler", host.in_web_process)
    registry.brand_home_path = "/agenda"


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    from scheduler.demo import load_follow_ups

    return await load_follow_ups(rng, now)
