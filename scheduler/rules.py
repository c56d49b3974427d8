"""Rules that create follow-ups on their own (brand admins turn each on or off and set
its threshold and assignee on the rules page).

Each rule lists candidates with an *episode* key (what the follow-up answers: this
partner's dormancy since its last order, this order stuck in this status since that
day...), and upkeep creates each episode's follow-up at most once, however often the rules
run and in however many processes (many found at once for one owner: one follow-up listing
them), and closes it when the rule no longer finds its episode.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Max

from partner_portal import access, inputs, messages
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.services import entry_text
from partner_portal.partners.tables import (
    InteractionKind,
    Organisation,
    OrganisationKind,
    PartnerStatus,
    Role,
    TimelineEntry,
    User,
)
from partner_portal.registries import registry
from scheduler import upkeep
from scheduler.records import Person
from scheduler.services import RuleFollowUp, rule_guard
from scheduler.tables import AssigneeMode, FollowUp, FollowUpKind, FollowUpRule, Priority

logger = logging.getLogger(__name__)

BUYER_KINDS = (
    OrganisationKind.distributor.value,
    OrganisationKind.retailer.value,
    OrganisationKind.group_client.value,
)
PARTNER_KINDS = (
    *BUYER_KINDS,
    OrganisationKind.fabric_supplier.value,
    OrganisationKind.trim_supplier.value,
)
STUCK_STATUSES = (
    OrderStatus.submitted.value,
    OrderStatus.confirmed.value,
    OrderStatus.in_production.value,
)
CONTACT_KINDS = (
    InteractionKind.call.value,
    InteractionKind.visit.value,
    InteractionKind.email.value,
    InteractionKind.meeting.value,
)
# A complaint older than this is history, not a reason for a follow-up today.
COMPLAINT_LOOKBACK = timedelta(days=60)


@dataclass(frozen=True)
class RuleSettings:
    key: str
    enabled: bool
    threshold_days: int
    assignee_mode: str
    assignee_id: int | None


@dataclass(frozen=True)
class Candidate:
    """A follow-up a rule wants, before its assignee is chosen."""

    organisation_id: int
    partner_owner_id: int | None
    episode: str
    title: str  # a message id marked with N_, read in each reader's language
    title_params: dict[str, Any]
    kind: str = FollowUpKind.task
    priority: str = Priority.normal
    subject_kind: str = ""
    subject_uuid: UUID | None = None
    notes: str = ""


Finder = Callable[[RuleSettings, datetime], Awaitable[list[Candidate]]]


@dataclass(frozen=True)
class Rule:
    key: str
    title: str  # marked with N_, translated where shown
    threshold_label: str
    default_threshold: int
    find: Finder
    # Why its follow-ups close themselves (the outcome and the partner's timeline note).
    cleared: str
    # The title of one follow-up listing many causes found at once for one owner.
    group_title: str


# ---------------------------------------------------------------------------
# The rules


@access.system_query("the follow-up rules job: every buying partner")
async def _dormant(settings: RuleSettings, now: datetime) -> list[Candidate]:
    """Active buyers without a submitted order for N days (since their last order, or since
    they were created when they never ordered); the rule also marks them dormant."""
    cutoff = now - timedelta(days=settings.threshold_days)
    partners = await Organisation.select(
        Organisation.id,
        Organisation.uuid,
        Organisation.legal_name,
        Organisation.owner,
        Organisation.created_at,
    ).where(
        # Dormant ones too: the rule marked them, and their follow-up holds until they order.
        Organisation.status.is_in([PartnerStatus.active.value, PartnerStatus.dormant.value]),
        Organisation.kind.is_in(list(BUYER_KINDS)),
        Organisation.created_at < cutoff,
    )
    if not partners:
        return []
    last_orders = {
        row["buyer"]: _moment(row["last"])
        for row in await Order.select(Order.buyer, Max(Order.submitted_at, alias="last"))
        .where(Order.submitted_at.is_not_null())
        .group_by(Order.buyer)
    }
    candidates = []
    for partner in partners:
        last = last_orders.get(partner["id"])
        if last is not None and last >= cutoff:
            continue
        since = last.date().isoformat() if last else "never"
        candidates.append(
            Candidate(
                organisation_id=partner["id"],
                partner_owner_id=partner["owner"],
                episode=f"{partner['uuid']}:{since}",
                title=N_("No order for %(days)d days: call %(name)s"),
                title_params={"days": settings.threshold_days, "name": partner["legal_name"]},
                kind=FollowUpKind.call,
                priority=Priority.high,
            )
        )
    return candidates


@access.system_query("the follow-up rules job: the partners the dormant rule found")
async def _mark_dormant(candidates: list[Candidate], days: int) -> int:
    """Move the partners the dormant rule found to 'dormant', audited and on their timeline."""
    if not candidates:
        return 0
    now = utcnow()
    ids = [candidate.organisation_id for candidate in candidates]
    # Read later by people of every language: stored as a message with its parameters
    # (the audit log keeps the English text).
    note, params = N_("Marked dormant: no order for %(days)d days."), {"days": days}
    async with write_transaction():
        moved = await (
            Organisation.update(
                {
                    Organisation.status: PartnerStatus.dormant.value,
                    Organisation.updated_at: now,
                    Organisation.version: Organisation.version + 1,
                }
            )
            .where(Organisation.id.is_in(ids), Organisation.status == PartnerStatus.active.value)
            .returning(Organisation.id, Organisation.uuid)
        )
        for row in moved:
            await audit_log.record(
                None,
                entity_kind="organisation",
                entity_uuid=row["uuid"],
                organisation_id=row["id"],
                action="update",
                changes={"status": [PartnerStatus.active.value, PartnerStatus.dormant.value]},
                summary=messages.render_in("en", note, params),
            )
        await upkeep.add_system_notes([row["id"] for row in moved], note, now, params)
    return len(moved)


async def _contract_notice(settings: RuleSettings, now: datetime) -> list[Candidate]:
    """Contracts entering their notice period within N days, from the contracts module's
    attention source (nothing when no module provides one)."""
    source = registry.attention_sources.get("contract_notice")
    if source is None:
        return []
    today = now.date()
    items = await source(today, today + timedelta(days=settings.threshold_days))
    owners = await _owners([item.organisation_id for item in items])
    return [
        Candidate(
            organisation_id=item.organisation_id,
            partner_owner_id=owners.get(item.organisation_id),
            episode=f"{item.subject_uuid}:{item.due_on.isoformat()}",
            title=item.summary,
            title_params=dict(item.summary_params),
            kind=FollowUpKind.call,
            priority=Priority.high,
            subject_kind=item.subject_kind,
            subject_uuid=item.subject_uuid,
        )
        for item in items
    ]


@access.system_query("the follow-up rules job: every stuck order")
async def _stuck_order(settings: RuleSettings, now: datetime) -> list[Candidate]:
    """Orders in submitted, confirmed or in production for longer than N days."""
    cutoff = now - timedelta(days=settings.threshold_days)
    rows = await Order.select(
        Order.uuid,
        Order.number,
        Order.status,
        Order.status_changed_at,
        Order.buyer,
        Order.buyer._.owner.as_alias("owner"),
        Order.buyer._.legal_name.as_alias("buyer_name"),
    ).where(Order.status.is_in(list(STUCK_STATUSES)), Order.status_changed_at < cutoff)
    return [
        Candidate(
            organisation_id=row["buyer"],
            partner_owner_id=row["owner"],
            episode=f"{row['uuid']}:{row['status']}:{row['status_changed_at'].date().isoformat()}",
            title=N_("Order %(number)s of %(name)s has not moved for %(days)d days"),
            title_params={
                "number": row["number"] or "",
                "name": row["buyer_name"],
                "days": (now - row["status_changed_at"]).days,
            },
            kind=FollowUpKind.task,
            priority=Priority.high,
            subject_kind="order",
            subject_uuid=row["uuid"],
        )
        for row in rows
    ]


@access.system_query("the follow-up rules job: every new partner")
async def _first_contact(settings: RuleSettings, now: datetime) -> list[Candidate]:
    """Partners created more than N days ago with no call, visit, e-mail or meeting logged."""
    cutoff = now - timedelta(days=settings.threshold_days)
    contacted = TimelineEntry.select(TimelineEntry.organisation).where(
        TimelineEntry.kind.is_in(list(CONTACT_KINDS))
    )
    rows = await Organisation.select(
        Organisation.id, Organisation.uuid, Organisation.legal_name, Organisation.owner
    ).where(
        Organisation.kind.is_in(list(PARTNER_KINDS)),
        Organisation.status.is_in([PartnerStatus.prospect.value, PartnerStatus.active.value]),
        Organisation.created_at < cutoff,
        Organisation.id.not_in(contacted),
    )
    return [
        Candidate(
            organisation_id=row["id"],
            partner_owner_id=row["owner"],
            episode=str(row["uuid"]),
            title=N_("First contact with %(name)s"),
            title_params={"name": row["legal_name"]},
            kind=FollowUpKind.call,
        )
        for row in rows
    ]


@access.system_query("the follow-up rules job: every partner's complaints")
async def _complaint(settings: RuleSettings, now: datetime) -> list[Candidate]:
    """Complaints on a timeline older than N days with no follow-up on that partner since."""
    cutoff = now - timedelta(days=settings.threshold_days)
    complaints = await TimelineEntry.select(
        TimelineEntry.uuid,
        TimelineEntry.organisation,
        TimelineEntry.occurred_at,
        TimelineEntry.kind,
        TimelineEntry.summary,
        TimelineEntry.params,
        TimelineEntry.organisation._.owner.as_alias("owner"),
        TimelineEntry.organisation._.legal_name.as_alias("partner_name"),
    ).where(
        TimelineEntry.kind == InteractionKind.complaint.value,
        TimelineEntry.occurred_at < cutoff,
        TimelineEntry.occurred_at >= now - COMPLAINT_LOOKBACK,
    )
    if not complaints:
        return []
    partners = list({row["organisation"] for row in complaints})
    # Answered: a contact logged, or a follow-up planned by someone (not this rule) since.
    planned = (
        await FollowUp.select(FollowUp.organisation, Max(FollowUp.created_at, alias="latest"))
        .where(FollowUp.organisation.is_in(partners), FollowUp.rule_key != "complaint")
        .group_by(FollowUp.organisation)
    )
    contacted = (
        await TimelineEntry.select(
            TimelineEntry.organisation, Max(TimelineEntry.occurred_at, alias="latest")
        )
        .where(
            TimelineEntry.organisation.is_in(partners),
            TimelineEntry.kind.is_in(list(CONTACT_KINDS)),
        )
        .group_by(TimelineEntry.organisation)
    )
    latest: dict[int, datetime] = {}
    for row in [*planned, *contacted]:
        moment = _moment(row["latest"])
        if moment is not None and (
            row["organisation"] not in latest or moment > latest[row["organisation"]]
        ):
            latest[row["organisation"]] = moment
    return [
        Candidate(
            organisation_id=row["organisation"],
            partner_owner_id=row["owner"],
            episode=str(row["uuid"]),
            title=N_("Answer the complaint of %(name)s"),
            title_params={"name": row["partner_name"]},
            kind=FollowUpKind.call,
            priority=Priority.high,
            subject_kind="timeline_entry",
            subject_uuid=row["uuid"],
            notes=entry_text(row)[:2000],
        )
        for row in complaints
        if latest.get(row["organisation"]) is None
        or latest[row["organisation"]] < row["occurred_at"]
    ]


def _moment(value: Any) -> datetime | None:
    """An aggregate's timestamp: SQLite hands MAX() back as text."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@access.system_query("the follow-up rules job: the partners' owners")
async def _owners(organisation_ids: list[int]) -> dict[int, int | None]:
    if not organisation_ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.owner).where(
        Organisation.id.is_in(list(set(organisation_ids)))
    )
    return {row["id"]: row["owner"] for row in rows}


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(
            "dormant",
            N_("Dormant partner"),
            N_("Days without an order"),
            90,
            _dormant,
            cleared=N_("Closed by itself: the partner ordered again."),
            group_title=N_("%(count)d partners have not ordered for %(days)d days: call them"),
        ),
        Rule(
            "contract_notice",
            N_("Contract entering its notice period"),
            N_("Days ahead"),
            7,
            _contract_notice,
            cleared=N_("Closed by itself: the contract was renewed or has ended."),
            group_title=N_("%(count)d contracts enter their notice period within %(days)d days"),
        ),
        Rule(
            "stuck_order",
            N_("Order stuck in one status"),
            N_("Days in one status"),
            14,
            _stuck_order,
            cleared=N_("Closed by itself: the order moved on."),
            group_title=N_("%(count)d orders have not moved for %(days)d days or more"),
        ),
        Rule(
            "first_contact",
            N_("New partner without a first contact"),
            N_("Days since created"),
            14,
            _first_contact,
            cleared=N_("Closed by itself: a first contact was logged."),
            group_title=N_("First contact with %(count)d new partners"),
        ),
        Rule(
            "complaint",
            N_("Complaint without a follow-up"),
            N_("Days after the complaint"),
            2,
            _complaint,
            cleared=N_("Closed by itself: the complaint was answered."),
            group_title=N_("Answer %(count)d complaints"),
        ),
    )
}


# ---------------------------------------------------------------------------
# Settings and running


async def rule_settings() -> dict[str, RuleSettings]:
    """Every rule's settings: saved ones, defaults (on, partner owner) for the others."""
    saved = {row["key"]: row for row in await FollowUpRule.select(*FollowUpRule.all_columns())}
    result = {}
    for key, rule in RULES.items():
        row = saved.get(key)
        result[key] = (
            RuleSettings(
                key, row["enabled"], row["threshold_days"], row["assignee_mode"], row["assignee"]
            )
            if row
            else RuleSettings(key, True, rule.default_threshold, AssigneeMode.partner_owner, None)
        )
    return result


@access.system_query("the brand's KAMs and admins, as a rule's assignee")
async def assignable_users() -> list[Person]:
    """The fixed assignees a rule may have: active KAMs and brand admins."""
    return Person.from_rows(
        await User.select(User.id, User.uuid, User.display_name)
        .where(
            User.is_active == True,  # noqa: E712
            User.role.is_in([Role.kam.value, Role.brand_admin.value]),
        )
        .order_by(User.display_name)
    )


async def save_rule_settings(actor: Viewer | None, data: Mapping[str, Any]) -> dict[str, str]:
    """Save every rule's form fields (``<key>.enabled``, ``.threshold_days``,
    ``.assignee``: "owner" or a user's UUID); errors by field, nothing saved on any."""
    users = {str(user.uuid): user.id for user in await assignable_users()}
    errors: dict[str, str] = {}
    values: list[RuleSettings] = []
    for key in RULES:
        days = inputs.valid(
            errors,
            f"{key}.threshold_days",
            inputs.quantity(data.get(f"{key}.threshold_days"), allow_zero=True, maximum=3650),
            _("Enter a number of days from 0 to 3650."),
        )
        assignee = str(data.get(f"{key}.assignee") or "owner")
        if assignee != "owner" and assignee not in users:
            errors[f"{key}.assignee"] = _("Choose who gets the follow-ups.")
        values.append(
            RuleSettings(
                key,
                str(data.get(f"{key}.enabled") or "") in ("on", "1", "true"),
                -1 if days is None else days,
                AssigneeMode.partner_owner if assignee == "owner" else AssigneeMode.fixed_user,
                users.get(assignee),
            )
        )
    if errors:
        return errors
    now = utcnow()
    before = await rule_settings()
    async with write_transaction():
        for value in values:
            await FollowUpRule.insert(
                FollowUpRule(
                    key=value.key,
                    enabled=value.enabled,
                    threshold_days=value.threshold_days,
                    assignee_mode=value.assignee_mode,
                    assignee=value.assignee_id,
                    updated_at=now,
                )
            ).on_conflict(
                target=FollowUpRule.key,
                action="DO UPDATE",
                values=[
                    FollowUpRule.enabled,
                    FollowUpRule.threshold_days,
                    FollowUpRule.assignee_mode,
                    FollowUpRule.assignee,
                    FollowUpRule.updated_at,
                ],
            )
        await audit_log.record(
            actor,
            entity_kind="follow_up_rule",
            entity_uuid=None,
            organisation_id=None,
            action="update",
            changes=audit_log.changes_between(
                {key: str(value) for key, value in before.items()},
                {value.key: str(value) for value in values},
            ),
            summary_message=N_("Follow-up rules"),
        )
    return {}


@dataclass
class RulesReport:
    # by rule: the causes newly given a follow-up (alone or listed in a group), and the
    # follow-ups closed because their cause cleared
    created: dict[str, int]
    closed: dict[str, int] = field(default_factory=dict)
    dormant_marked: int = 0
    unassigned: int = 0
    # found at partners the rule's fixed assignee may not see: given to the partner's owner
    to_owner: int = 0
    failed: dict[str, str] | None = None

    @property
    def message(self) -> str:
        parts = [f"{key}: {count}" for key, count in self.created.items()]
        text = "Follow-ups created by rule: " + (", ".join(parts) or "none enabled")
        if any(self.closed.values()):
            text += "; closed as their cause cleared: " + ", ".join(
                f"{key}: {count}" for key, count in self.closed.items() if count
            )
        if self.dormant_marked:
            text += f"; {self.dormant_marked} partner(s) marked dormant"
        if self.to_owner:
            text += (
                f"; {self.to_owner} given to the partner's owner (the fixed assignee may not "
                "see the partner)"
            )
        if self.unassigned:
            text += (
                f"; {self.unassigned} skipped (partner without an owner, and no fixed "
                "assignee who may see it)"
            )
        if self.failed:
            text += "; failed: " + "; ".join(
                f"{key}: {error}" for key, error in self.failed.items()
            )
        return text


async def _assignees(
    settings: RuleSettings, candidates: list[Candidate], report: RulesReport
) -> list[int | None]:
    """Who gets each candidate's follow-up: the partner's owner, or the rule's fixed
    assignee. A fixed assignee who may not see the partner (a KAM, another KAM's partner)
    could neither open nor close it, and nobody else would be told: such a follow-up goes
    to the partner's owner instead (counted in the report; skipped when it has none)."""
    if settings.assignee_mode != AssigneeMode.fixed_user or settings.assignee_id is None:
        return [candidate.partner_owner_id for candidate in candidates]
    seen = await upkeep.partners_seen_by(
        settings.assignee_id, {candidate.organisation_id for candidate in candidates}
    )
    assignees: list[int | None] = []
    for candidate in candidates:
        if candidate.organisation_id in seen:
            assignees.append(settings.assignee_id)
        else:
            assignees.append(candidate.partner_owner_id)
            report.to_owner += candidate.partner_owner_id is not None
    return assignees


async def run_rules(only: str | None = None) -> RulesReport:
    """Run every enabled rule (or just ``only``); a rule that fails is logged and reported,
    and the others still run. Each run also closes the rule's follow-ups whose cause no
    longer holds (upkeep.close_cleared)."""
    now = utcnow()
    report = RulesReport(created={}, failed={})
    for key, settings in (await rule_settings()).items():
        if (only and key != only) or not settings.enabled:
            continue
        rule = RULES[key]
        try:
            candidates = await rule.find(settings, now)
            assignees = await _assignees(settings, candidates, report)
            wanted: list[RuleFollowUp] = []
            for candidate, owner_id in zip(candidates, assignees, strict=True):
                if owner_id is None:
                    report.unassigned += 1
                    continue
                wanted.append(
                    RuleFollowUp(
                        rule_key=key,
                        episode=candidate.episode,
                        organisation_id=candidate.organisation_id,
                        owner_id=owner_id,
                        title=candidate.title,
                        title_params=candidate.title_params,
                        due_at=now,
                        kind=candidate.kind,
                        notes=candidate.notes,
                        priority=candidate.priority,
                        subject_kind=candidate.subject_kind,
                        subject_uuid=candidate.subject_uuid,
                    )
                )
            report.created[key] = await upkeep.create_follow_ups(
                wanted, rule.group_title, settings.threshold_days
            )
            report.closed[key] = await upkeep.close_cleared(
                key, {rule_guard(key, candidate.episode) for candidate in candidates}, rule.cleared
            )
            if key == "dormant":
                report.dormant_marked = await _mark_dormant(candidates, settings.threshold_days)
        except Exception as error:  # one broken rule must not stop the others
            logger.exception("follow-up rule %s failed", key)
            assert report.failed is not None
            report.failed[key] = f"{type(error).__name__}: {error}"[:500]
    return report
