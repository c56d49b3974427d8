"""Deal registration: a distributor or retailer claims a deal it is working; the brand
decides within the policy's days; an approved claim protects that partner for the end
customer and region for the policy's period. A claim on a customer and region someone
else already holds (pending, or approved and still protected) is flagged as a conflict
and decided side by side with the earlier claim."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar.exceptions import PermissionDeniedException
from piccolo.columns.combination import Combinable

from partner_portal import access, messages, regions
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Style
from partner_portal.clock import utcnow
from partner_portal.database import after_position, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from partner_portal.notifications.inbox import NewNotification, notify
from partner_portal.notifications.services import mail_user
from partner_portal.partners import services as partner_services
from partner_portal.partners.tables import Organisation, User
from partner_portal.settings import current_settings
from sales import forms, opportunities
from sales.access import (
    SalesAction,
    VisibleDealRegistration,
    get_deal_registration,
    may_see_rival_claims,
    require_deal_registrant,
    scoped_registrations,
)
from sales.records import (
    DealRegistrationRecord,
    LapsedClaim,
    ProtectedCustomer,
    RegistrationEntry,
    RivalClaim,
)
from sales.tables import DealRegistration, RegistrationStatus, SalesPolicy
from scheduler import services as follow_ups

DEFAULT_DECISION_DAYS = 5
DEFAULT_PROTECTION_DAYS = 180
LIST_LIMIT = 200
LIST_NAME = "sales.registrations"
# The decision e-mail to the partner's user who registered (one they may turn off).
MAIL_DECISION = "sales_registration_decision"
MAIL_DECISION_LABEL = N_("The brand decides a deal I registered")


@dataclass(frozen=True)
class Policy:
    decision_days: int = DEFAULT_DECISION_DAYS
    protection_days: int = DEFAULT_PROTECTION_DAYS
    version: int = 0


async def policy() -> Policy:
    row = await SalesPolicy.select(*SalesPolicy.all_columns()).order_by(SalesPolicy.id).first()
    if row is None:
        return Policy()
    return Policy(row["decision_days"], row["protection_days"], row["version"])


async def save_policy(viewer: Viewer, data: Mapping[str, Any]) -> dict[str, str]:
    """Save how long the brand takes to decide and how long an approval protects."""
    access.require(viewer, SalesAction.manage_sales_settings)
    values, errors = forms.parse_policy(data)
    if values is None:
        return errors
    async with write_transaction():
        before = await policy()
        changed: dict[Any, Any] = {
            "decision_days": values.decision_days,
            "protection_days": values.protection_days,
        }
        updated = await SalesPolicy.update(changed, force=True).returning(SalesPolicy.id)
        if not updated:
            await SalesPolicy.insert(SalesPolicy(**changed)).run()
        await audit_log.record(
            viewer,
            entity_kind="sales_policy",
            entity_uuid=None,
            organisation_id=viewer.organisation_id,
            action="update",
            changes=audit_log.changes_between(
                {"decision_days": before.decision_days, "protection_days": before.protection_days},
                changed,
            ),
            summary_message=N_("Deal registration terms"),
        )
    return {}


async def save_settings(viewer: Viewer, data: Mapping[str, Any]) -> dict[str, str]:
    """The sales settings page: stage probabilities and registration terms, checked
    together and saved in one transaction (a bad field saves nothing)."""
    access.require(viewer, SalesAction.manage_sales_settings)
    _probabilities, errors = forms.parse_probabilities(data)
    _terms, policy_errors = forms.parse_policy(data)
    errors |= policy_errors
    if errors:
        return errors
    async with write_transaction():
        await opportunities.save_stage_probabilities(viewer, data)
        await save_policy(viewer, data)
    return {}


def _live_claim() -> Combinable:
    """A claim that still stands: waiting for a decision, or approved and protected."""
    today = utcnow().date()
    return (DealRegistration.status == RegistrationStatus.pending.value) | (
        (DealRegistration.status == RegistrationStatus.approved.value)
        & (DealRegistration.protected_until >= today)
    )


async def _unknown_styles(codes: list[str], viewer: Viewer) -> list[str]:
    if not codes:
        return []
    query = Style.select(Style.code).where(Style.code.is_in(codes))
    condition = access.style_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    known = {row["code"] for row in await query}
    return [code for code in codes if code not in known]


@access.system_query("a new claim is checked against every partner's claims")
async def submit_registration(
    viewer: Viewer, data: Mapping[str, Any], idempotency_key: str = ""
) -> SaveResult:
    """Register a deal for the viewer's own organisation. A repeated key finds the first
    registration; a claim on a customer and region another partner holds is saved and
    flagged as a conflict with the earlier claim."""
    require_deal_registrant(viewer)
    values, errors = forms.parse_registration(data)
    if values is None:
        return SaveResult(errors=errors)
    unknown = await _unknown_styles(values.styles, viewer)
    if unknown:
        return SaveResult(
            errors={"styles": _("No such style: %(codes)s.", codes=", ".join(unknown))}
        )
    key = forms.customer_key(values.end_customer)
    region = regions.canonical(values.region)
    terms = await policy()
    idempotency = idempotency_key[:80] or None
    async with write_transaction():
        if idempotency:
            earlier = (
                await DealRegistration.select(DealRegistration.uuid)
                .where(DealRegistration.idempotency_key == idempotency)
                .first()
            )
            if earlier:
                return SaveResult(uuid=earlier["uuid"])
        # Checked inside the write transaction, so two claims at once cannot both miss
        # each other.
        claims = (
            await DealRegistration.select(DealRegistration.id, DealRegistration.organisation)
            .where(
                DealRegistration.customer_key == key,
                DealRegistration.region.is_in(regions.overlapping(region)),
                _live_claim(),
            )
            .order_by(DealRegistration.id)
        )
        if any(claim["organisation"] == viewer.organisation_id for claim in claims):
            return SaveResult(
                errors={
                    "end_customer": _("You have already registered this customer in this region.")
                }
            )
        now = utcnow()
        stored: dict[str, Any] = {
            "end_customer": values.end_customer,
            "region": region,
            "expected_quantity": values.expected_quantity,
            "expected_value": values.expected_value,
            "currency": values.currency,
            "styles": " ".join(values.styles),
            "notes": values.notes,
        }
        row = await DealRegistration.insert(
            DealRegistration(
                **stored,
                organisation=viewer.organisation_id,
                customer_key=key,
                status=RegistrationStatus.pending.value,
                conflict_with=claims[0]["id"] if claims else None,
                decision_due_at=now + timedelta(days=terms.decision_days),
                submitted_by=viewer.user_id,
                idempotency_key=idempotency,
                created_at=now,
                version=1,
            )
        ).returning(DealRegistration.uuid)
        await audit_log.record(
            viewer,
            entity_kind="deal_registration",
            entity_uuid=row[0]["uuid"],
            organisation_id=viewer.organisation_id,
            action="create",
            changes=audit_log.changes_between({}, stored),
            summary=values.end_customer,
        )
        owner = (
            await Organisation.select(Organisation.owner)
            .where(Organisation.id == viewer.organisation_id)
            .first()
        )
        if owner and owner["owner"]:
            # The partner's KAM decides (or passes it on) within the policy's days.
            await notify(
                NewNotification(
                    user_id=owner["owner"],
                    kind="sales_registration",
                    message=N_("Deal registration to decide: %(customer)s (%(region)s)"),
                    params={"customer": values.end_customer, "region": region},
                    link=f"/sales/registrations/{row[0]['uuid']}",
                )
            )
    return SaveResult(uuid=row[0]["uuid"])


REGISTRATION_COLUMNS = (
    *DealRegistration.all_columns(),
    DealRegistration.organisation._.legal_name.as_alias("partner_name"),
    DealRegistration.organisation._.uuid.as_alias("partner_uuid"),
    DealRegistration.submitted_by._.display_name.as_alias("submitter_name"),
    DealRegistration.decided_by._.display_name.as_alias("decider_name"),
)


async def list_registrations(
    viewer: Viewer, status: str = "", after: int | None = None, limit: int = LIST_LIMIT
) -> list[RegistrationEntry]:
    """Up to ``limit`` of the registrations the viewer may see (a partner: only its own),
    newest first, after the one whose id is ``after`` (the API's cursor); conflicts and
    overdue decisions marked."""
    access.require(viewer, SalesAction.view_deal_registrations)
    query = scoped_registrations(DealRegistration.select(*REGISTRATION_COLUMNS), viewer)
    if status == "conflict":
        query = query.where(
            DealRegistration.conflict_with.is_not_null(),
            DealRegistration.status == RegistrationStatus.pending.value,
        )
    elif status in RegistrationStatus.__members__:
        query = query.where(DealRegistration.status == status)
    if after is not None:
        query = query.where(after_position((DealRegistration.id,), [after], descending=True))
    rows = await query.order_by(DealRegistration.id, ascending=False).limit(limit)
    now = utcnow()
    return [_entry(row, viewer, now) for row in rows]


def _state(row: Mapping[str, Any], viewer: Viewer, now: datetime) -> dict[str, bool]:
    """Whether a registration's decision is overdue, it protects its partner today, and
    (for the brand) it collides with an earlier claim."""
    return {
        "overdue": row["status"] == RegistrationStatus.pending and row["decision_due_at"] < now,
        "protected": (
            row["status"] == RegistrationStatus.approved
            and row["protected_until"] is not None
            and row["protected_until"] >= now.date()
        ),
        "conflict": may_see_rival_claims(viewer) and row["conflict_with"] is not None,
    }


def _entry(row: Mapping[str, Any], viewer: Viewer, now: datetime) -> RegistrationEntry:
    """A registration from its row (REGISTRATION_COLUMNS), with its state at ``now``."""
    return RegistrationEntry.from_row({**row, **_state(row, viewer, now)})


@dataclass
class RegistrationView:
    registration: RegistrationEntry
    # The other claims on the same customer and region (brand only), for deciding side by side.
    rivals: list[RivalClaim]


async def registration_view(viewer: Viewer, registration_uuid: UUID) -> RegistrationView:
    found = await get_deal_registration(
        viewer, registration_uuid, SalesAction.view_deal_registrations
    )
    row = (
        await DealRegistration.select(*REGISTRATION_COLUMNS)
        .where(DealRegistration.id == found.id)
        .first()
    )
    assert row is not None
    now = utcnow()
    registration = _entry(row, viewer, now)
    rivals: list[RivalClaim] = []
    if may_see_rival_claims(viewer):
        rival_rows = await _rival_claims(registration)
        visible = {
            visible_row["id"]
            for visible_row in await scoped_registrations(
                DealRegistration.select(DealRegistration.id), viewer
            ).where(DealRegistration.id.is_in([rival["id"] for rival in rival_rows] or [-1]))
        }
        for rival in rival_rows:
            claim = {**rival, **_state(rival, viewer, now), "hidden": rival["id"] not in visible}
            if claim["hidden"]:
                # The decider sees every claim approving would end; another KAM's partner
                # stays unnamed.
                claim.update(partner_name=None, partner_uuid=None, submitter_name=None, notes="")
            rivals.append(RivalClaim.from_row(claim))
        registration = registration.replace(conflict=registration.conflict or bool(rivals))
    return RegistrationView(registration, rivals)


@access.system_query("the decider sees every rival claim; names outside their scope are hidden")
async def _rival_claims(registration: DealRegistrationRecord) -> list[dict[str, Any]]:
    """The other standing claims on the customer in an overlapping region (the same one in
    any spelling, the country holding it, or one of its subdivisions)."""
    return list(
        await DealRegistration.select(*REGISTRATION_COLUMNS)
        .where(
            DealRegistration.customer_key == registration.customer_key,
            DealRegistration.region.is_in(regions.overlapping(registration.region)),
            DealRegistration.id != registration.id,
            _live_claim(),
        )
        .order_by(DealRegistration.id)
    )


DECIDED_FOR_OTHER = N_("Another partner's claim on this customer and region was approved.")
APPROVED_ENTRY = N_("Deal registration for %(customer)s (%(region)s) approved until %(until)s.")
REJECTED_ENTRY = N_("Deal registration for %(customer)s (%(region)s) rejected: %(note)s")


async def decide(
    viewer: Viewer, registration: VisibleDealRegistration, data: Mapping[str, Any]
) -> SaveResult:
    """Approve or reject a pending claim. Approving protects the partner for the policy's
    days and rejects the rival claims still standing on the same customer and region;
    a stale version decides nothing (someone decided first)."""
    access.require(viewer, SalesAction.decide_deal_registrations, registration.organisation)
    decision = field_text(data, "decision", 10)
    note = field_text(data, "note", 2000)
    errors: dict[str, str] = {}
    if decision not in ("approve", "reject"):
        errors["decision"] = _("Approve or reject the registration.")
    if decision == "reject" and not note:
        errors["note"] = _("Tell the partner why the registration is rejected.")
    version_errors = forms.Errors()
    opened = forms.parse_version(data, version_errors)
    errors |= version_errors.messages
    if errors:
        return SaveResult(errors=errors)
    if registration.status != RegistrationStatus.pending:
        raise PermissionDeniedException(_("This registration has already been decided."))
    opened_version = opened if opened is not None else registration.version
    terms = await policy()
    now = utcnow()
    approved = decision == "approve"
    changed = {
        "status": (RegistrationStatus.approved if approved else RegistrationStatus.rejected).value,
        "protected_until": now.date() + timedelta(days=terms.protection_days) if approved else None,
        "decided_by": viewer.user_id,
        "decided_at": now,
        "decision_note": note,
    }
    async with write_transaction():
        version = await update_if_version(
            DealRegistration, registration.id, opened_version, changed
        )
        if version:
            await _record_decision(viewer, registration, changed, (opened_version, version))
            await _mail_decision(registration, "approved" if approved else "rejected", changed)
            if approved:
                await _reject_rivals(viewer, registration, now)
    if not version:
        return SaveResult(
            conflicts=await audit_log.changes_since(registration.uuid, opened_version),
            current_version=registration.version,
        )
    return SaveResult(uuid=registration.uuid)


async def _record_decision(
    viewer: Viewer,
    registration: DealRegistrationRecord,
    changed: Mapping[str, Any],
    versions: tuple[int, int],
) -> None:
    await audit_log.record(
        viewer,
        entity_kind="deal_registration",
        entity_uuid=registration.uuid,
        organisation_id=registration.organisation,
        action="decide",
        changes=audit_log.changes_between(
            {**registration.as_dict(), "version": versions[0]},
            {**changed, "version": versions[1]},
        ),
        summary=registration.end_customer,
    )
    if changed["status"] == RegistrationStatus.approved:
        entry = APPROVED_ENTRY
        params = {
            "customer": registration.end_customer,
            "region": registration.region,
            "until": messages.on_date(changed["protected_until"]),
        }
    else:
        entry = REJECTED_ENTRY
        params = {
            "customer": registration.end_customer,
            "region": registration.region,
            "note": changed["decision_note"],
        }
    # Shared with the partner: the decision is theirs to read on their timeline, in
    # their own language.
    await partner_services.add_worded_note(
        viewer, registration.organisation, entry, params, internal=False
    )
    if registration.submitted_by:
        await notify(
            NewNotification(
                user_id=registration.submitted_by,
                kind="sales_registration",
                message=entry,
                params=params,
                link=f"/sales/registrations/{registration.uuid}",
            )
        )


@access.system_query("a decision on one claim ends the rival claims of other partners")
async def _reject_rivals(
    viewer: Viewer, registration: VisibleDealRegistration, now: datetime
) -> None:
    rivals = await DealRegistration.select(*DealRegistration.all_columns()).where(
        DealRegistration.customer_key == registration.customer_key,
        DealRegistration.region.is_in(regions.overlapping(registration.region)),
        DealRegistration.id != registration.id,
        _live_claim(),
    )
    for rival in DealRegistrationRecord.from_rows(rivals):
        changed = {
            "status": RegistrationStatus.rejected.value,
            "protected_until": None,
            "decided_by": viewer.user_id,
            "decided_at": now,
            "decision_note": _(DECIDED_FOR_OTHER),
        }
        version = await update_if_version(DealRegistration, rival.id, rival.version, changed)
        if version:
            await _record_decision(viewer, rival, changed, (rival.version, version))
            await _mail_decision(rival, "conflict", changed)


@access.checked_by_caller("the registration comes from get_deal_registration")
async def _mail_decision(
    registration: DealRegistrationRecord, outcome: str, changed: Mapping[str, Any]
) -> None:
    """E-mail the decision to the partner's user who registered the deal: "approved",
    "rejected", or "conflict" (another partner's claim on the customer was approved).
    Inside the decision's transaction."""
    if registration.submitted_by is None:
        return
    user = (
        await User.select(User.id, User.email, User.display_name, User.locale, User.time_zone)
        .where(
            User.id == registration.submitted_by,
            User.organisation == registration.organisation,
            User.is_active == True,  # noqa: E712
        )
        .first()
    )
    if user is None:
        return
    settings = current_settings()
    await mail_user(
        user,
        MAIL_DECISION,
        "sales_registration_decision",
        {
            "name": user["display_name"],
            "customer": registration.end_customer,
            "region": registration.region,
            "outcome": outcome,
            "note": changed["decision_note"] if outcome == "rejected" else "",
            "protected_until": changed["protected_until"],
            "link": f"{settings.base_url}/sales/registrations/{registration.uuid}",
        },
        settings,
    )


@access.checked_by_caller("the partner page fetched the organisation; may_see_sales_panel decides")
async def protection_for(organisation_id: int) -> list[ProtectedCustomer]:
    """The customers and regions a partner is protected for today (for its 360 panel)."""
    return ProtectedCustomer.from_rows(
        await DealRegistration.select(
            DealRegistration.uuid,
            DealRegistration.end_customer,
            DealRegistration.region,
            DealRegistration.protected_until,
        )
        .where(
            DealRegistration.organisation == organisation_id,
            DealRegistration.status == RegistrationStatus.approved.value,
            DealRegistration.protected_until >= utcnow().date(),
        )
        .order_by(DealRegistration.protected_until)
    )


@access.system_query("scheduled job: every partner's claims and protections")
async def run_registration_deadlines() -> str:
    """Scheduled: end protections whose period is over, and flag the pending claims whose
    decision time has passed (once each: the flag is claimed by a conditional update)."""
    now = utcnow()
    async with write_transaction():
        expired = LapsedClaim.from_rows(
            await DealRegistration.update(
                {DealRegistration.status: RegistrationStatus.expired.value}
            )
            .where(
                DealRegistration.status == RegistrationStatus.approved.value,
                DealRegistration.protected_until < now.date(),
            )
            .returning(
                DealRegistration.uuid,
                DealRegistration.organisation,
                DealRegistration.end_customer,
            )
        )
        for claim in expired:
            await audit_log.record(
                None,
                entity_kind="deal_registration",
                entity_uuid=claim.uuid,
                organisation_id=claim.organisation,
                action="expire",
                changes={"status": ["approved", "expired"]},
            )
        overdue = LapsedClaim.from_rows(
            await DealRegistration.update({DealRegistration.escalated_at: now})
            .where(
                DealRegistration.status == RegistrationStatus.pending.value,
                DealRegistration.decision_due_at < now,
                DealRegistration.escalated_at.is_null(),
            )
            .returning(
                DealRegistration.uuid,
                DealRegistration.organisation,
                DealRegistration.end_customer,
            )
        )
        for claim in overdue:
            await audit_log.record(
                None,
                entity_kind="deal_registration",
                entity_uuid=claim.uuid,
                organisation_id=claim.organisation,
                action="decision_overdue",
            )
        # The KAM gets a follow-up (and its notification) to decide now.
        kams = {
            row["id"]: row["owner"]
            for row in await Organisation.select(Organisation.id, Organisation.owner).where(
                Organisation.id.is_in([claim.organisation for claim in overdue] or [-1])
            )
        }
        await follow_ups.insert_rule_follow_ups(
            [
                follow_ups.RuleFollowUp(
                    rule_key="sales.registration_overdue",
                    episode=str(claim.uuid),
                    organisation_id=claim.organisation,
                    owner_id=kams[claim.organisation],
                    title=N_("Decide the deal registration: %(customer)s"),
                    title_params={"customer": claim.end_customer},
                    notes=f"/sales/registrations/{claim.uuid}",
                    due_at=now,
                    priority="high",
                    subject_kind="deal_registration",
                    subject_uuid=claim.uuid,
                )
                for claim in overdue
                if kams.get(claim.organisation)
            ]
        )
    return f"{len(expired)} protections ended, {len(overdue)} decisions overdue"
