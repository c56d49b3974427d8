"""The contracts module plugged into the kernel: its routes, the partner 360 panel, the
terms in force for ordering, the renewal attention source and the daily lifecycle job."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from contracts import acceptance, lifecycle
from contracts.access import SCOPED_TABLES, ContractAction
from contracts.api import api_routes
from contracts.controllers import contract_routes
from partner_portal.i18n import N_
from partner_portal.registries import (
    HomeSection,
    NavEntry,
    PartnerPanel,
    Registry,
    ScheduledJob,
)

routes = [*contract_routes, *api_routes]


def register(registry: Registry) -> None:
    registry.add_actions(ContractAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    registry.add_home_section(
        HomeSection(
            key="contracts_to_accept",
            order=30,
            template="contracts/_home.html",
            load=acceptance.contracts_to_accept,
        )
    )
    registry.add_nav_entry(
        NavEntry(
            key="contracts",
            order=100,
            label=N_("Contracts"),
            path="/contracts",
            actions=(ContractAction.view_contracts,),
        )
    )
    registry.add_partner_panel(
        PartnerPanel(
            key="contracts",
            order=20,
            template="contracts/_panel.html",
            load=lifecycle.partner_panel,
        )
    )
    registry.commercial_terms = lifecycle.commercial_terms
    registry.add_attention_source("contract_notice", lifecycle.contracts_due_for_attention)
    registry.add_job(
        ScheduledJob(
            key="contracts.lifecycle",
            title="Contracts: start, notice period and expiry",
            every=timedelta(days=1),
            run=lifecycle.run_lifecycle,
        )
    )


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    from contracts.demo import load

    return await load(rng, now)
