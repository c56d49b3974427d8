"""Sales plugged into the kernel: pages and API, the partner 360 panel, the scheduled
jobs (registration deadlines, case escalation, rebate earning) and demo data."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from partner_portal.access import Viewer, VisibleOrganisationDetails
from partner_portal.i18n import N_
from partner_portal.labels import LABELS
from partner_portal.registries import NavEntry, PartnerPanel, Registry, ScheduledJob
from sales import care, case_escalation, events, handover, rebates, registrations
from sales.access import SCOPED_TABLES, SalesAction, may_see_sales_panel
from sales.api import sales_api_routes
from sales.controllers import sales_routes
from sales.records import CaseFigures, ProtectedCustomer

routes = [*sales_routes, *sales_api_routes]

# The names of this module's stored codes, for the kernel's |label filter.
SALES_LABELS = {
    "new_distributor": N_("New distributor"),
    "reorder_season": N_("Season reorder"),
    "group_tender": N_("Group / uniform tender"),
    "private_label": N_("Private label"),
    "lead": N_("Lead"),
    "qualified": N_("Qualified"),
    "proposal": N_("Proposal"),
    "negotiation": N_("Negotiation"),
    "won": N_("Won"),
    "lost": N_("Lost"),
    "approved": N_("Approved"),
    "expired": N_("Expired"),
    "complaint": N_("Complaint"),
    "quality_defect": N_("Quality defect"),
    "wrong_shipment": N_("Wrong shipment"),
    "alteration_request": N_("Alteration request"),
    "question": N_("Question"),
    "urgent": N_("Urgent"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
    "new": N_("New"),
    "in_progress": N_("In progress"),
    "waiting_on_partner": N_("Waiting on partner"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "earned": N_("Earned"),
    "reversed": N_("Reversed"),
    "bonus": N_("Bonus points"),
    "adjusted": N_("Adjustment"),
    "redeemed_credit": N_("Redeemed as credit note"),
    "redeemed_marketing": N_("Redeemed as marketing support"),
    "volume_rebate": N_("Volume rebate"),
    "after_delivery": N_("Days after delivery"),
    "before_window_end": N_("Days before the delivery window ends"),
}


@dataclass(frozen=True)
class SalesPanel:
    """The partner 360's sales panel (sales/_partner_panel.html)."""

    organisation: VisibleOrganisationDetails
    cases: CaseFigures
    protections: list[ProtectedCustomer]


async def _partner_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> SalesPanel | None:
    """What the sales module knows of a partner: open cases and how they were handled,
    and the customers its approved registrations protect."""
    if not may_see_sales_panel(viewer, organisation.id):
        return None
    return SalesPanel(
        organisation=organisation,
        cases=await case_escalation.case_figures(organisation.id),
        protections=await registrations.protection_for(organisation.id)
        if viewer.can(SalesAction.view_deal_registrations)
        else [],
    )


def register(registry: Registry) -> None:
    registry.add_actions(SalesAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    for work in handover.OWNED_WORK:
        registry.add_owned_work(work)
    # The brand works its pipeline and cases; partners register deals and open cases.
    registry.add_nav_entry(
        NavEntry(
            key="sales",
            order=90,
            label=N_("Sales and service"),
            path="/sales/opportunities",
            actions=(SalesAction.view_opportunities,),
            audience="brand",
            current=("/sales",),
        )
    )
    registry.add_nav_entry(
        NavEntry(
            key="deals",
            order=90,
            label=N_("Deals and service"),
            path="/sales/cases",
            actions=(SalesAction.view_cases,),
            audience="partners",
            current=("/sales",),
        )
    )
    for code, name in SALES_LABELS.items():
        LABELS.setdefault(code, name)
    registry.add_email_kind(case_escalation.MAIL_ESCALATION, case_escalation.MAIL_ESCALATION_LABEL)
    for kind in events.KINDS:
        registry.add_event_kind(kind)
    registry.add_email_kind(registrations.MAIL_DECISION, registrations.MAIL_DECISION_LABEL)
    registry.add_partner_panel(
        PartnerPanel(
            key="sales", order=60, template="sales/_partner_panel.html", load=_partner_panel
        )
    )
    registry.add_job(
        ScheduledJob(
            key="sales.registration_deadlines",
            title="End deal protections and flag overdue registration decisions",
            every=timedelta(hours=1),
            run=registrations.run_registration_deadlines,
        )
    )
    registry.add_job(
        ScheduledJob(
            key="sales.case_escalation",
            title="Escalate service cases about to breach their SLA",
            every=timedelta(minutes=15),
            run=case_escalation.run_escalations,
        )
    )

    registry.add_job(
        ScheduledJob(
            key="sales.care_reminders",
            title="Plan care follow-ups and tell partners",
            every=timedelta(hours=6),
            run=care.run_care_reminders,
        )
    )
    registry.add_job(
        ScheduledJob(
            key="sales.rebates",
            title="Earn, reverse and expire rebate points",
            every=timedelta(hours=6),
            run=rebates.run_rebates,
        )
    )


async def load_demo_data(rng: random.Random, now: datetime) -> str:
    from sales import demo

    return await demo.load(rng, now)
