"""Service cases against their SLA, after they are opened: the scheduled escalation of
each open case about to breach a deadline (an internal note, an audit entry, a follow-up
and an e-mail for whoever answers for it), and the satisfaction figures a partner's page
shows (cases solved within their SLA)."""

from __future__ import annotations

from datetime import timedelta

from partner_portal import access
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.notifications.services import mail_user
from partner_portal.partners.tables import Organisation, User
from partner_portal.settings import current_settings
from sales.cases import ESCALATE_AHEAD, OPEN_STATUSES
from sales.records import CaseFigures, EscalatedCase
from sales.tables import CaseMessage, ServiceCase
from scheduler import services as follow_ups

# The e-mails of this module a user may turn off (registered in plugin.py).
MAIL_ESCALATION = "sales_case_escalation"
MAIL_ESCALATION_LABEL = N_("Service cases I answer for are about to breach their SLA")
USER_MAIL_COLUMNS = (
    User.id,
    User.email,
    User.display_name,
    User.locale,
    User.time_zone,
    User.is_active,
    User.role,
)


@access.system_query("scheduled job: every open case's deadlines")
async def run_escalations() -> str:
    """Scheduled: escalate each open case whose first response or resolution deadline is
    within ESCALATE_AHEAD (or passed), once: claimed by a conditional update. The
    escalation is an internal note on the case, an audit entry, and a follow-up and an
    e-mail for whoever answers for the case."""
    now = utcnow()
    soon = now + ESCALATE_AHEAD
    open_values = [status.value for status in OPEN_STATUSES]
    async with write_transaction():
        rows = (
            await ServiceCase.update({ServiceCase.escalated_at: now})
            .where(
                ServiceCase.status.is_in(open_values),
                ServiceCase.escalated_at.is_null(),
                (ServiceCase.resolution_due_at <= soon)
                | (
                    ServiceCase.first_responded_at.is_null()
                    & (ServiceCase.first_response_due_at <= soon)
                ),
            )
            .returning(
                ServiceCase.id,
                ServiceCase.uuid,
                ServiceCase.organisation,
                ServiceCase.subject,
                ServiceCase.assignee,
                ServiceCase.first_responded_at,
                ServiceCase.first_response_due_at,
                ServiceCase.resolution_due_at,
            )
        )
        escalated = EscalatedCase.from_rows(rows)
        if escalated:
            await CaseMessage.insert(
                *(
                    CaseMessage(
                        case=case.id,
                        author=None,
                        body=_("Escalated: the case's SLA is about to be breached."),
                        internal=True,
                        created_at=now,
                    )
                    for case in escalated
                )
            ).run()
        for case in escalated:
            await audit_log.record(
                None,
                entity_kind="service_case",
                entity_uuid=case.uuid,
                organisation_id=case.organisation,
                action="escalate",
                summary=case.subject,
            )
        await _tell_who_answers(escalated)
    return f"{len(escalated)} cases escalated"


@access.system_query("the escalation job: whoever answers each escalated case")
async def _tell_who_answers(escalated: list[EscalatedCase]) -> None:
    """A follow-up (with its notification on the bell) and an e-mail for whoever answers
    for each case: its assignee, else the partner's KAM. The follow-up is created once per
    case (the scheduler's guard); the e-mail goes with each escalation."""
    if not escalated:
        return
    partners = {
        row["id"]: row
        for row in await Organisation.select(
            Organisation.id, Organisation.owner, Organisation.legal_name
        ).where(Organisation.id.is_in([case.organisation for case in escalated]))
    }
    owner_of = {
        case.id: case.assignee or partners[case.organisation]["owner"] for case in escalated
    }
    users = {
        user["id"]: user
        for user in await User.select(*USER_MAIL_COLUMNS).where(
            User.id.is_in([owner for owner in owner_of.values() if owner] or [-1]),
            User.is_active == True,  # noqa: E712
        )
    }
    settings = current_settings()
    items = []
    for case in escalated:
        owner = owner_of[case.id]
        if owner is None:
            continue
        deadlines = [case.resolution_due_at]
        if case.first_responded_at is None:
            deadlines.append(case.first_response_due_at)
        items.append(
            follow_ups.RuleFollowUp(
                rule_key="sales.case_sla",
                episode=str(case.uuid),
                organisation_id=case.organisation,
                owner_id=owner,
                title=N_("Case about to breach its SLA: %(subject)s"),
                title_params={"subject": case.subject},
                notes=f"/sales/cases/{case.uuid}",
                due_at=min(deadlines),
                priority="high",
                subject_kind="service_case",
                subject_uuid=case.uuid,
            )
        )
        if owner in users:
            await mail_user(
                users[owner],
                MAIL_ESCALATION,
                "sales_case_escalation",
                {
                    "name": users[owner]["display_name"],
                    "subject": case.subject,
                    "partner": partners[case.organisation]["legal_name"],
                    "due_at": min(deadlines),
                    "link": f"{settings.base_url}/sales/cases/{case.uuid}",
                },
                settings,
            )
    await follow_ups.insert_rule_follow_ups(items)


@access.checked_by_caller("the partner page fetched the organisation; may_see_sales_panel decides")
async def case_figures(organisation_id: int) -> CaseFigures:
    """What a partner's cases say about its satisfaction: open cases, cases in the last
    year, and the share of those solved within their SLA."""
    since = utcnow() - timedelta(days=365)
    rows = await ServiceCase.select(
        ServiceCase.status, ServiceCase.resolved_at, ServiceCase.resolution_due_at
    ).where(ServiceCase.organisation == organisation_id, ServiceCase.created_at >= since)
    solved = [row for row in rows if row["resolved_at"] is not None]
    in_time = [row for row in solved if row["resolved_at"] <= row["resolution_due_at"]]
    return CaseFigures(
        open=sum(1 for row in rows if row["status"] in OPEN_STATUSES),
        last_year=len(rows),
        solved_in_time_percent=round(100 * len(in_time) / len(solved)) if solved else None,
    )
