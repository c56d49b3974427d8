"""Service cases: complaints, quality defects, wrong shipments, alteration requests and
questions, with a thread both sides read, internal notes only the brand reads, an SLA
by priority counted in business hours, escalation before a breach, and a small
knowledge base of answers per language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar.exceptions import NotFoundException, PermissionDeniedException

from partner_portal import access, messages, uploads
from partner_portal.access import Viewer
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Style
from partner_portal.clock import utcnow
from partner_portal.database import (
    after_position,
    contains_text,
    update_if_version,
    write_transaction,
)
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_, current_locale
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from partner_portal.labels import label
from partner_portal.orders.tables import Order
from partner_portal.partners.tables import InteractionKind, TimelineEntry, User
from sales import events, forms
from sales.access import (
    SalesAction,
    VisibleServiceCase,
    case_message_filter,
    find_case_organisation,
    get_service_case,
    require_case_triage,
    scoped_cases,
)
from sales.knowledge import search_articles
from sales.records import CaseEntry, CaseMessageEntry, Colleague
from sales.tables import (
    CaseKind,
    CaseMessage,
    CasePhoto,
    CasePriority,
    CaseStatus,
    KnowledgeArticle,
    ServiceCase,
)

# The brand's service desk works Monday to Friday, 09:00 to 18:00 Shanghai time.
DESK_ZONE = ZoneInfo("Asia/Shanghai")
DESK_OPENS = time(9, 0)
DESK_CLOSES = time(18, 0)
# (first response, resolution) in business hours.
SLA_HOURS: dict[CasePriority, tuple[int, int]] = {
    CasePriority.urgent: (2, 8),
    CasePriority.high: (4, 18),
    CasePriority.normal: (9, 45),
    CasePriority.low: (18, 90),
}
# A case is escalated when a deadline is this close (or already passed).
ESCALATE_AHEAD = timedelta(hours=2)
COMPLAINT_KINDS = (CaseKind.complaint, CaseKind.quality_defect, CaseKind.wrong_shipment)
OPEN_STATUSES = (CaseStatus.new, CaseStatus.in_progress, CaseStatus.waiting_on_partner)
LIST_LIMIT = 200
LIST_NAME = "sales.cases"
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Recognised by their first bytes, not by their names or what the browser claims.
PHOTO_TYPES = (uploads.JPEG, uploads.PNG, uploads.GIF, uploads.WEBP)


@dataclass(frozen=True)
class Photo:
    filename: str
    content: bytes


def photo_problem(photos: list[Photo]) -> str | None:
    """Why the attached photos cannot be kept, or None."""
    if len(photos) > MAX_PHOTOS:
        return _("Attach at most %(count)s photos.", count=MAX_PHOTOS)
    for photo in photos:
        if len(photo.content) > MAX_PHOTO_BYTES:
            return _("%(name)s is larger than 5 MB.", name=photo.filename)
        if uploads.detect_type(photo.content, PHOTO_TYPES) is None:
            return _("%(name)s is not a JPEG, PNG, GIF or WebP photo.", name=photo.filename)
    return None


async def _save_photos(case_id: int, message_id: int, photos: list[Photo]) -> None:
    if not photos:
        return
    now = utcnow()
    rows = []
    for photo in photos:
        kind = uploads.detect_type(photo.content, PHOTO_TYPES)
        assert kind is not None, "photo_problem() refuses what is not a photo"
        rows.append(
            CasePhoto(
                case=case_id,
                message=message_id,
                filename=uploads.display_name(photo.filename, kind, fallback="photo"),
                content_type=kind.content_type,
                data=photo.content,
                size=len(photo.content),
                created_at=now,
            )
        )
    await CasePhoto.insert(*rows).run()


def add_business_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` of desk time after ``start``: evenings, nights and weekends
    do not count (a case opened on Friday at 17:00 with a 2-hour clock is due Monday at
    10:00)."""
    local = start.astimezone(DESK_ZONE)
    remaining = timedelta(hours=hours)
    while True:
        day_open = datetime.combine(local.date(), DESK_OPENS, DESK_ZONE)
        day_close = datetime.combine(local.date(), DESK_CLOSES, DESK_ZONE)
        if local.weekday() >= 5 or local >= day_close:
            local = datetime.combine(local.date() + timedelta(days=1), DESK_OPENS, DESK_ZONE)
            continue
        local = max(local, day_open)
        available = day_close - local
        if remaining <= available:
            return (local + remaining).astimezone(UTC)
        remaining -= available
        local = datetime.combine(local.date() + timedelta(days=1), DESK_OPENS, DESK_ZONE)


def sla_deadlines(opened_at: datetime, priority: str) -> tuple[datetime, datetime]:
    first, resolution = SLA_HOURS[CasePriority(priority)]
    return add_business_hours(opened_at, first), add_business_hours(opened_at, resolution)


# ---------------------------------------------------------------------------
# Opening and listing


@access.system_query("a repeated submit finds its first case by the form's idempotency key")
async def open_case(
    viewer: Viewer,
    data: Mapping[str, Any],
    idempotency_key: str = "",
    photos: list[Photo] | None = None,
) -> SaveResult:
    """Open a case with its first message; the SLA clocks start now. A repeated key finds
    the first case (a double-clicked submit opens one case)."""
    access.require(viewer, SalesAction.open_case)
    values, errors = forms.parse_case(data)
    problem = photo_problem(photos or [])
    if problem:
        errors["photos"] = problem
    if values is None or problem:
        return SaveResult(errors=errors)
    references = await _case_references(viewer, values)
    if isinstance(references, SaveResult):
        return references
    organisation_id, style_id = references
    key = idempotency_key[:80] or None
    async with write_transaction():
        if key:
            earlier = (
                await ServiceCase.select(ServiceCase.uuid)
                .where(ServiceCase.idempotency_key == key)
                .first()
            )
            if earlier:
                return SaveResult(uuid=earlier["uuid"])
        case_uuid = await _insert_case(viewer, values, organisation_id, style_id, key, photos or [])
    return SaveResult(uuid=case_uuid)


async def _case_references(
    viewer: Viewer, values: forms.CaseInput
) -> tuple[int, int | None] | SaveResult:
    """The partner (one the viewer may open a case for), and the order and style the case
    names checked: (organisation id, style id), or the form's errors."""
    organisation_id = await find_case_organisation(viewer, values.organisation)
    if organisation_id is None:
        return SaveResult(errors={"organisation": _("Choose the partner from the list.")})
    if values.order_number:
        order = (
            await Order.select(Order.id)
            .where(Order.number == values.order_number, Order.buyer == organisation_id)
            .first()
        )
        if order is None:
            return SaveResult(
                errors={"order_number": _("No order of this partner has this number.")}
            )
    style_id = None
    if values.style_code:
        style_query = Style.select(Style.id).where(Style.code == values.style_code)
        condition = access.style_filter(viewer)
        if condition is not None:
            style_query = style_query.where(condition)
        style = await style_query.first()
        if style is None:
            return SaveResult(errors={"style_code": _("No style has this code.")})
        style_id = style["id"]
    return organisation_id, style_id


async def _insert_case(
    viewer: Viewer,
    values: forms.CaseInput,
    organisation_id: int,
    style_id: int | None,
    key: str | None,
    photos: list[Photo],
) -> UUID:
    """The case, its first message and photos, a complaint's timeline entry and the audit
    entry, inside the caller's transaction; the new case's uuid."""
    now = utcnow()
    first_due, resolution_due = sla_deadlines(now, values.priority)
    stored: dict[str, Any] = {
        "subject": values.subject,
        "kind": values.kind,
        "priority": values.priority,
        "order_number": values.order_number,
        "style": style_id,
    }
    row = await ServiceCase.insert(
        ServiceCase(
            **stored,
            organisation=organisation_id,
            status=CaseStatus.new.value,
            opened_by=viewer.user_id,
            assignee=viewer.user_id if viewer.can(SalesAction.work_cases) else None,
            first_response_due_at=first_due,
            resolution_due_at=resolution_due,
            idempotency_key=key,
            created_at=now,
            updated_at=now,
            version=1,
        )
    ).returning(ServiceCase.id, ServiceCase.uuid)
    message = await CaseMessage.insert(
        CaseMessage(
            case=row[0]["id"],
            author=viewer.user_id,
            body=values.description,
            internal=False,
            created_at=now,
        )
    ).returning(CaseMessage.id)
    await _save_photos(row[0]["id"], message[0]["id"], photos)
    if values.kind in COMPLAINT_KINDS:
        # A complaint on the partner's timeline is what the health figures count
        # towards satisfaction (insights reads the timeline, not this module).
        await TimelineEntry.insert(
            TimelineEntry(
                organisation=organisation_id,
                kind=InteractionKind.complaint.value,
                occurred_at=now,
                author=viewer.user_id,
                # Read by KAMs in their own language, not the opener's.
                summary=N_("Service case opened: %(subject)s"),
                params=messages.plain_params({"subject": values.subject}),
                internal=True,
                created_at=now,
            )
        ).run()
    await audit_log.record(
        viewer,
        entity_kind="service_case",
        entity_uuid=row[0]["uuid"],
        organisation_id=organisation_id,
        action="create",
        changes=audit_log.changes_between({}, stored),
        summary=values.subject,
    )
    case_uuid: UUID = row[0]["uuid"]
    return case_uuid


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    priority: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> CaseFilters:
        status = str(params.get("status") or "")
        priority = str(params.get("priority") or "")
        return cls(
            status=status if status in (*CaseStatus.__members__, "open") else "",
            priority=priority if priority in CasePriority.__members__ else "",
            q=field_text(params, "q", 100),
        )

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in vars(self).items() if v})


CASE_COLUMNS = (
    ServiceCase.id,
    ServiceCase.uuid,
    ServiceCase.subject,
    ServiceCase.kind,
    ServiceCase.priority,
    ServiceCase.status,
    ServiceCase.order_number,
    ServiceCase.first_response_due_at,
    ServiceCase.resolution_due_at,
    ServiceCase.first_responded_at,
    ServiceCase.resolved_at,
    ServiceCase.escalated_at,
    ServiceCase.created_at,
    ServiceCase.updated_at,
    ServiceCase.version,
    ServiceCase.organisation,
    ServiceCase.organisation._.legal_name.as_alias("partner_name"),
    ServiceCase.organisation._.uuid.as_alias("partner_uuid"),
    ServiceCase.assignee._.display_name.as_alias("assignee_name"),
    ServiceCase.assignee._.uuid.as_alias("assignee_uuid"),
    ServiceCase.style._.code.as_alias("style_code"),
)


def sla_state(row: Mapping[str, Any], now: datetime) -> str:
    """ "breached", "at_risk" (within ESCALATE_AHEAD of a deadline) or "ok"; "" once solved."""
    if row["status"] not in OPEN_STATUSES:
        return ""
    deadlines = [row["resolution_due_at"]]
    if row["first_responded_at"] is None:
        deadlines.append(row["first_response_due_at"])
    nearest = min(deadlines)
    if nearest <= now:
        return "breached"
    if nearest <= now + ESCALATE_AHEAD:
        return "at_risk"
    return "ok"


async def list_cases(
    viewer: Viewer,
    filters: CaseFilters,
    after: tuple[datetime, int] | None = None,
    limit: int = LIST_LIMIT,
) -> list[CaseEntry]:
    """Up to ``limit`` of the cases the viewer may see, the nearest deadline first, after
    the position (resolution deadline, id) ``after`` (the API's cursor)."""
    access.require(viewer, SalesAction.view_cases)
    query = scoped_cases(ServiceCase.select(*CASE_COLUMNS), viewer)
    if filters.status == "open":
        query = query.where(ServiceCase.status.is_in([status.value for status in OPEN_STATUSES]))
    elif filters.status:
        query = query.where(ServiceCase.status == filters.status)
    if filters.priority:
        query = query.where(ServiceCase.priority == filters.priority)
    if filters.q:
        query = query.where(
            contains_text(ServiceCase.subject, filters.q)
            | contains_text(ServiceCase.organisation._.legal_name, filters.q)
            | (ServiceCase.order_number == filters.q.upper())
        )
    order = (ServiceCase.resolution_due_at, ServiceCase.id)
    if after is not None:
        query = query.where(after_position(order, after))
    rows = await query.order_by(*order).limit(limit)
    now = utcnow()
    return [_entry(row, now) for row in rows]


def _entry(row: Mapping[str, Any], now: datetime) -> CaseEntry:
    """A case from its row (CASE_COLUMNS), with its SLA state at ``now``."""
    return CaseEntry.from_row({**row, "sla": sla_state(row, now)})


@dataclass
class CaseView:
    case: CaseEntry
    messages: list[CaseMessageEntry]
    # The answers a reply can link (the brand's case workers only).
    articles: list[dict[str, Any]]


async def case_view(viewer: Viewer, case_uuid: UUID) -> CaseView:
    found = await get_service_case(viewer, case_uuid, SalesAction.view_cases)
    row = await ServiceCase.select(*CASE_COLUMNS).where(ServiceCase.id == found.id).first()
    assert row is not None
    messages = CaseMessage.select(
        CaseMessage.uuid,
        CaseMessage.body,
        CaseMessage.internal,
        CaseMessage.created_at,
        CaseMessage.author._.display_name.as_alias("author_name"),
        CaseMessage.author._.role.as_alias("author_role"),
        CaseMessage.article._.uuid.as_alias("article_uuid"),
        CaseMessage.article._.title.as_alias("article_title"),
        CaseMessage.article._.body.as_alias("article_body"),
    ).where(CaseMessage.case == found.id)
    messages = access.narrow(messages, case_message_filter(viewer))
    articles = await search_articles(current_locale.get(), "") if viewer.is_brand else []
    thread = await messages.order_by(CaseMessage.id)
    photos: dict[UUID, list[dict[str, Any]]] = {}
    for photo in (
        await CasePhoto.select(
            CasePhoto.uuid,
            CasePhoto.filename,
            CasePhoto.message._.uuid.as_alias("message_uuid"),
        )
        .where(CasePhoto.case == found.id)
        .order_by(CasePhoto.id)
    ):
        photos.setdefault(photo["message_uuid"], []).append(photo)
    return CaseView(
        _entry(row, utcnow()),
        [
            CaseMessageEntry.from_row({**message, "photos": photos.get(message["uuid"], [])})
            for message in thread
        ],
        articles,
    )


# ---------------------------------------------------------------------------
# Replies and status


# Where a reply moves the case: the brand answering starts the work (or hands it back to
# the partner when asked); the partner answering puts it back in the brand's hands.
ALLOWED_STATUS = {
    CaseStatus.new: (CaseStatus.in_progress, CaseStatus.waiting_on_partner, CaseStatus.resolved),
    CaseStatus.in_progress: (CaseStatus.waiting_on_partner, CaseStatus.resolved),
    CaseStatus.waiting_on_partner: (CaseStatus.in_progress, CaseStatus.resolved),
    CaseStatus.resolved: (CaseStatus.closed, CaseStatus.in_progress),
    CaseStatus.closed: (),
}


@access.system_query("a repeated submit finds its first message by the form's idempotency key")
async def reply(
    viewer: Viewer,
    case: VisibleServiceCase,
    data: Mapping[str, Any],
    idempotency_key: str = "",
    photos: list[Photo] | None = None,
) -> SaveResult:
    """Add a message (or, for the brand, an internal note) and move the status. The
    brand's first public reply stops the first-response clock."""
    access.require(viewer, SalesAction.view_cases, case.organisation)
    values, errors = forms.parse_reply({**data, "has_photos": "1" if photos else ""})
    problem = photo_problem(photos or [])
    if problem:
        errors["photos"] = problem
    if values is None or problem:
        return SaveResult(errors=errors)
    brand = viewer.can(SalesAction.work_cases)
    internal = values.internal and brand
    if case.status == CaseStatus.closed:
        raise PermissionDeniedException(_("This case is closed."))
    article_id = None
    if values.article and brand:
        article = (
            await KnowledgeArticle.select(KnowledgeArticle.id)
            .where(KnowledgeArticle.uuid == _uuid_or_none(values.article))
            .first()
        )
        article_id = article["id"] if article else None
    status: CaseStatus = case.status
    if brand and values.status:
        if values.status not in {item.value for item in ALLOWED_STATUS[status]}:
            return SaveResult(errors={"status": _("The case cannot move to that status now.")})
        status = CaseStatus(values.status)
    elif (brand and not internal and status == CaseStatus.new) or (
        not brand and status in (CaseStatus.waiting_on_partner, CaseStatus.resolved)
    ):
        status = CaseStatus.in_progress
    key = idempotency_key[:80] or None
    now = utcnow()
    changed: dict[str, Any] = {"status": status.value, "updated_at": now}
    if brand and not internal and case.first_responded_at is None:
        changed["first_responded_at"] = now
    if status == CaseStatus.resolved and case.resolved_at is None:
        changed["resolved_at"] = now
    if status == CaseStatus.in_progress:
        changed["resolved_at"] = None
    if status == CaseStatus.closed:
        changed["closed_at"] = now
    async with write_transaction():
        if key and await CaseMessage.exists().where(CaseMessage.idempotency_key == key):
            return SaveResult(uuid=case.uuid)
        version = await update_if_version(ServiceCase, case.id, case.version, changed)
        if not version:
            # Someone answered in between: nothing is saved; the page shows their message.
            return SaveResult(
                conflicts=await audit_log.changes_since(case.uuid, case.version),
                current_version=case.version + 1,
            )
        message = await CaseMessage.insert(
            CaseMessage(
                case=case.id,
                author=viewer.user_id,
                body=values.body,
                internal=internal,
                article=article_id,
                idempotency_key=key,
                created_at=now,
            )
        ).returning(CaseMessage.id)
        await _save_photos(case.id, message[0]["id"], photos or [])
        if not internal:
            await events.record_reply(viewer, case, values.body, status.value)
        await audit_log.record(
            viewer,
            entity_kind="service_case",
            entity_uuid=case.uuid,
            organisation_id=case.organisation,
            action="reply",
            changes={
                "status": [case.status, status.value],
                "version": [case.version, version],
            },
            summary=case.subject,
        )
    return SaveResult(uuid=case.uuid)


# ---------------------------------------------------------------------------
# Priority and assignment

PRIORITY_CHANGED = N_("Priority changed from %(before)s to %(after)s; the SLA clock restarts.")
REASSIGNED = N_("Handed from %(before)s to %(after)s.")


@access.system_query("the brand's case workers, as whom a case can be handed to")
async def case_workers() -> list[Colleague]:
    """The brand's active users who work cases: whom a case can be handed to."""
    roles = [
        role.value
        for role in access.BRAND_ROLES
        if SalesAction.work_cases in access.ROLE_ACTIONS[role]
    ]
    return Colleague.from_rows(
        await User.select(User.id, User.uuid, User.display_name)
        .where(User.role.is_in(roles), User.is_active == True)  # noqa: E712
        .order_by(User.display_name)
    )


async def _assignee_for(
    case: VisibleServiceCase, assignee_uuid: str
) -> tuple[Colleague | None, str | None]:
    """The chosen agent (None: unassigned), or why they cannot take the case: they must be
    one of the brand's case workers who sees the partner."""
    if not assignee_uuid:
        return None, None
    workers = await case_workers()
    worker = next((row for row in workers if str(row.uuid) == assignee_uuid), None)
    if worker is None:
        return None, _("Choose the agent from the list.")
    try:
        await get_service_case(
            await viewer_for_user_id(worker.id), case.uuid, SalesAction.work_cases
        )
    except (NotFoundException, PermissionDeniedException):
        return None, _(
            "%(name)s does not look after this partner; choose someone who does.",
            name=worker.display_name,
        )
    return worker, None


async def triage(viewer: Viewer, case: VisibleServiceCase, data: Mapping[str, Any]) -> SaveResult:
    """Change the case's priority and who works it (the brand only). A new priority starts
    its SLA clocks from now (the first response only while none was given) and lets the
    escalation run again on them. The change is an internal event in the thread and an
    audit entry; a stale form changes nothing."""
    require_case_triage(viewer)
    values, errors = forms.parse_triage(data)
    if values is None:
        return SaveResult(errors=errors)
    if case.status == CaseStatus.closed:
        return SaveResult(errors={"priority": _("This case is closed.")})
    assignee, problem = await _assignee_for(case, values.assignee)
    if problem:
        return SaveResult(errors={"assignee": problem})
    assignee_id = assignee.id if assignee else None
    now = utcnow()
    changed: dict[str, Any] = {}
    events = []
    if values.priority != case.priority:
        first_due, resolution_due = sla_deadlines(now, values.priority)
        changed["priority"] = values.priority
        if case.first_responded_at is None:
            changed["first_response_due_at"] = first_due
        changed["resolution_due_at"] = resolution_due
        changed["escalated_at"] = None
        events.append(
            _(PRIORITY_CHANGED, before=label(case.priority), after=label(values.priority))
        )
    if assignee_id != case.assignee:
        changed["assignee"] = assignee_id
        names = {
            row["id"]: row["display_name"]
            for row in await User.select(User.id, User.display_name).where(
                User.id.is_in([case.assignee or -1])
            )
        }
        unassigned = _("Unassigned")
        events.append(
            _(
                REASSIGNED,
                before=names.get(case.assignee, unassigned),
                after=assignee.display_name if assignee else unassigned,
            )
        )
    if not changed:
        return SaveResult(uuid=case.uuid)
    opened_version = values.version if values.version is not None else case.version
    async with write_transaction():
        version = await update_if_version(
            ServiceCase, case.id, opened_version, {**changed, "updated_at": now}
        )
        if not version:
            return SaveResult(
                conflicts=await audit_log.changes_since(case.uuid, opened_version),
                current_version=case.version,
            )
        await CaseMessage.insert(
            CaseMessage(
                case=case.id,
                author=viewer.user_id,
                body=" ".join(events),
                internal=True,
                created_at=now,
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="service_case",
            entity_uuid=case.uuid,
            organisation_id=case.organisation,
            action="triage",
            changes=audit_log.changes_between(
                {
                    **case.as_dict(),
                    "version": opened_version,
                },
                {**changed, "version": version},
            ),
            summary=case.subject,
        )
    return SaveResult(uuid=case.uuid)


def _uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
