"""Purchasing and the supplier portal plugged into the kernel: pages and API, and the
scheduled job that republishes the material forecast when anything behind it changed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from partner_portal.i18n import N_
from partner_portal.registries import NavEntry, PartnerPanel, Registry, ScheduledJob
from suppliers import events, forecasting, panel, purchasing
from suppliers.access import SCOPED_TABLES, SupplierAction
from suppliers.controllers import supplier_routes

routes = supplier_routes


def register(registry: Registry) -> None:
    registry.add_actions(SupplierAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    for kind in events.KINDS:
        registry.add_event_kind(kind)
    registry.add_nav_entry(
        NavEntry(
            key="purchasing",
            order=70,
            label=N_("Purchasing"),
            path="/suppliers/forecast",
            actions=(SupplierAction.view_materials,),
            # Every purchasing page but the reorder forecast (its own entry).
            current=(
                "/suppliers/forecast",
                "/suppliers/materials",
                "/suppliers/boms",
                "/suppliers/purchase-orders",
                "/suppliers/scorecards",
            ),
        )
    )
    registry.add_nav_entry(
        NavEntry(
            key="reorders",
            order=71,
            label=N_("Reorder forecast"),
            path="/suppliers/reorders",
            actions=(SupplierAction.view_reorder_forecast,),
            audience="brand",
            current=("/suppliers/reorders",),
        )
    )
    registry.add_partner_panel(
        PartnerPanel(
            key="suppliers",
            order=30,
            template="suppliers/_partner_panel.html",
            load=panel.partner_panel,
        )
    )
    registry.add_job(
        ScheduledJob(
            key="suppliers.material_forecast",
            title="Publish the material forecast",
            every=timedelta(hours=6),
            run=forecasting.scheduled_publish,
        )
    )
    registry.add_job(
        ScheduledJob(
            key="suppliers.follow_ups",
            title="Chase unanswered material POs and forecast weeks",
            every=timedelta(hours=12),
            run=purchasing.plan_follow_ups,
        )
    )


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    from suppliers import demo

    return await demo.load(rng, now)
