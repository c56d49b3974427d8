"""The agenda (overdue, today, this week), the day/week/month calendar, the team's
workload and the partner page's follow-up panel."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, TypedDict
from uuid import UUID
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from partner_portal import access, inputs
from partner_portal.access import Viewer, VisibleOrganisationDetails
from partner_portal.clock import utcnow
from partner_portal.i18n import N_, format_date, format_date_skeleton
from partner_portal.i18n import gettext as _
from partner_portal.partners import picker, search
from partner_portal.partners.tables import Organisation, Role, User
from scheduler import forms, recurrence
from scheduler.access import SchedulerAction, agenda_owner_filter
from scheduler.follow_ups import decorate, owner_choices
from scheduler.records import FOLLOW_UP_COLUMNS, FollowUpRecord, Person, Workload
from scheduler.tables import FollowUp, FollowUpState

# Rows shown per agenda section, the most urgent first; the section says how many more there
# are. 100 rows a section, each with its forms, made the agenda ~1 s to render for a busy
# KAM (bench/RESULTS.md; a row's forms now come when its menu is opened), and nobody works
# down 100 at once.
SECTION_LIMIT = 25
CALENDAR_LIMIT = 2000
# Past this many partners the partner filter is a search field, not a menu: 1,046 options
# were most of a busy KAM's 103 kB agenda, drawn on every view, and nobody picks from a
# thousand. The portal's one rule for such menus (the forms' partner picker, the order
# list's buyer filter).
PARTNER_MENU_LIMIT = picker.MENU_LIMIT


@dataclass(frozen=True)
class AgendaFilters:
    """``owner``: a user's UUID, "team" (everyone whose agenda the viewer may open) or ""
    (the viewer's own, or everyone's for those who own none). ``partner``: a partner's
    UUID (the menu, or a link from elsewhere). ``partner_name``: text typed to find
    partners as the partner list's search does (names, tax id, contacts), in place of the
    menu when the viewer sees many partners."""

    owner: str = ""
    partner: str = ""
    kind: str = ""
    partner_name: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> AgendaFilters:
        kind = str(query.get("kind") or "")
        return cls(
            owner=str(query.get("owner") or "")[:40],
            partner=str(query.get("partner") or "")[:40],
            kind=kind if kind in forms.KINDS else "",
            partner_name=inputs.field_text(query, "partner_name", search.MAX_QUERY),
        )

    def query_string(self, **overrides: str) -> str:
        from urllib.parse import urlencode

        values = {
            "owner": self.owner,
            "partner": self.partner,
            "partner_name": self.partner_name,
            "kind": self.kind,
            **overrides,
        }
        return urlencode({name: value for name, value in values.items() if value})


def _uuid_or_none(raw: str) -> UUID | None:
    try:
        return UUID(raw)
    except ValueError:
        return None


def _visible(viewer: Viewer, query: Any, filters: AgendaFilters) -> Any:
    """Follow-ups of partners the viewer sees, of owners whose agenda they may open."""
    query = access.scoped(query, viewer, FollowUp.organisation)
    owners = agenda_owner_filter(viewer)
    if owners is not None:
        query = query.where(FollowUp.owner.is_in(User.select(User.id).where(owners)))
    if filters.owner == "team":
        pass
    elif owner_uuid := _uuid_or_none(filters.owner):
        query = query.where(FollowUp.owner._.uuid == owner_uuid)
    elif viewer.can(SchedulerAction.manage_follow_ups) and viewer.role == Role.kam:
        query = query.where(FollowUp.owner == viewer.user_id)
    if partner_uuid := _uuid_or_none(filters.partner):
        query = query.where(FollowUp.organisation._.uuid == partner_uuid)
    if filters.partner_name:
        # The partner list's search (partners/search.py: one indexed condition).
        named = access.scoped(Organisation.select(Organisation.id), viewer).where(
            search.partner_condition(filters.partner_name)
        )
        query = query.where(FollowUp.organisation.is_in(named))
    if filters.kind:
        query = query.where(FollowUp.kind == filters.kind)
    return query


@dataclass(frozen=True)
class FollowUpQuery:
    """A list of follow-ups as the API asks for it: the agenda's filters, a state ("" for
    every state), a window of due times, and the (due time, id) of the last one already
    read."""

    filters: AgendaFilters = AgendaFilters()
    state: str = ""
    due_from: datetime | None = None
    due_before: datetime | None = None
    after: tuple[datetime, int] | None = None
    limit: int = 50


async def list_follow_ups(viewer: Viewer, wanted: FollowUpQuery) -> list[FollowUpRecord]:
    """Follow-ups the viewer may see (those of the agenda: partners they see, owners whose
    agenda they may open), by due time, up to ``wanted.limit``."""
    access.require(viewer, SchedulerAction.view_follow_ups)
    query = _visible(viewer, FollowUp.select(*FOLLOW_UP_COLUMNS), wanted.filters)
    if wanted.state:
        query = query.where(FollowUp.state == wanted.state)
    if wanted.due_from is not None:
        query = query.where(FollowUp.due_at >= wanted.due_from)
    if wanted.due_before is not None:
        query = query.where(FollowUp.due_at < wanted.due_before)
    if wanted.after is not None:
        due_at, follow_up_id = wanted.after
        query = query.where(
            (FollowUp.due_at > due_at)
            | ((FollowUp.due_at == due_at) & (FollowUp.id > follow_up_id))
        )
    rows = await query.order_by(FollowUp.due_at).order_by(FollowUp.id).limit(wanted.limit)
    return [decorate(viewer, row) for row in rows]


def local_day_start(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


@dataclass
class Section:
    key: str
    title: str
    rows: list[FollowUpRecord]
    total: int

    def more_query(self, filters: AgendaFilters) -> str:
        """The query of /agenda/more for the rows after the last one shown."""
        last = self.rows[-1]
        return filters.query_string(
            section=self.key, after_due=last.due_at.isoformat(), after_id=str(last.id)
        )


@dataclass(frozen=True)
class Window:
    """A section's span of due times in the viewer's zone (overdue has no start)."""

    title: str
    start: datetime | None
    end: datetime


def _windows(viewer: Viewer) -> tuple[date, dict[str, Window]]:
    """Today in the viewer's zone, and overdue, today and later this week."""
    today = utcnow().astimezone(ZoneInfo(viewer.time_zone)).date()
    today_start = local_day_start(today, viewer.time_zone)
    tomorrow_start = local_day_start(today + timedelta(days=1), viewer.time_zone)
    week_end = local_day_start(today + timedelta(days=7 - today.weekday()), viewer.time_zone)
    return today, {
        "overdue": Window(_("Overdue"), None, today_start),
        "today": Window(_("Today"), today_start, tomorrow_start),
        "week": Window(_("Later this week"), tomorrow_start, week_end),
    }


# The three sections' counts in one pass over the open follow-ups due before the week's
# end (the (owner, state, due_at) index), the access-scoped query wrapped in SQL.
_SECTION_COUNTS_SQL = """
SELECT SUM(CASE WHEN q.due_at < {} THEN 1 ELSE 0 END) AS overdue,
       SUM(CASE WHEN q.due_at >= {} AND q.due_at < {} THEN 1 ELSE 0 END) AS today,
       SUM(CASE WHEN q.due_at >= {} THEN 1 ELSE 0 END) AS week
FROM ({}) q
"""


async def _section_counts(
    viewer: Viewer, filters: AgendaFilters, today_start: datetime, tomorrow_start: datetime,
    week_end: datetime,
) -> dict[str, int]:  # fmt: skip
    """How many open follow-ups the viewer's agenda has overdue, today and later this
    week: one grouped query, however many there are."""
    inner = _visible(viewer, FollowUp.select(FollowUp.due_at), filters).where(
        FollowUp.state == FollowUpState.open, FollowUp.due_at < week_end
    )
    rows = await FollowUp.raw(
        _SECTION_COUNTS_SQL,
        today_start,
        today_start,
        tomorrow_start,
        tomorrow_start,
        inner.querystrings[0],
    )
    return {key: int(rows[0][key] or 0) if rows else 0 for key in ("overdue", "today", "week")}


async def _section_rows(
    viewer: Viewer,
    filters: AgendaFilters,
    window: Window,
    after: tuple[datetime, int] | None = None,
    limit: int = SECTION_LIMIT,
) -> list[FollowUpRecord]:
    """A section's open follow-ups after ``after`` (due time, id), the most urgent first."""
    return await list_follow_ups(
        viewer,
        FollowUpQuery(
            filters=filters,
            state=FollowUpState.open.value,
            due_from=window.start,
            due_before=window.end,
            after=after,
            limit=limit,
        ),
    )


class AgendaPage(TypedDict):
    """The agenda's sections (overdue, today, later this week) and the viewer's today (a
    template context, so a dictionary)."""

    sections: list[Section]
    today: date


async def agenda(viewer: Viewer, filters: AgendaFilters) -> AgendaPage:
    """Overdue, today and the rest of this week, in the viewer's zone (open follow-ups):
    each section's first rows and its count."""
    access.require(viewer, SchedulerAction.view_follow_ups)
    today, windows = _windows(viewer)
    counts = await _section_counts(
        viewer, filters, windows["overdue"].end, windows["today"].end, windows["week"].end
    )
    sections = [
        Section(
            key,
            window.title,
            await _section_rows(viewer, filters, window) if counts[key] else [],
            counts[key],
        )
        for key, window in windows.items()
    ]
    return {"sections": sections, "today": today}


@dataclass(frozen=True)
class MoreRows:
    """The next rows of a section (a "Show more"), and that section if more remain."""

    title: str
    rows: list[FollowUpRecord]
    more: Section | None


async def more_in_section(
    viewer: Viewer, filters: AgendaFilters, key: str, after: tuple[datetime, int] | None
) -> MoreRows | None:
    """The next SECTION_LIMIT rows of the section ``key`` after ``after``; None for no such
    section."""
    access.require(viewer, SchedulerAction.view_follow_ups)
    window = _windows(viewer)[1].get(key)
    if window is None:
        return None
    rows = await _section_rows(viewer, filters, window, after, SECTION_LIMIT + 1)
    shown = rows[:SECTION_LIMIT]
    more = Section(key, window.title, shown, len(rows)) if len(rows) > SECTION_LIMIT else None
    return MoreRows(window.title, shown, more)


async def workload(viewer: Viewer) -> list[Workload]:
    """Open, overdue and due-this-week counts per person of the viewer's team (one query);
    empty for a KAM without a team."""
    owners = agenda_owner_filter(viewer)
    people_query = User.select(User.id, User.uuid, User.display_name).where(
        User.is_active == True,  # noqa: E712
        User.role.is_in([Role.kam.value, Role.brand_admin.value]),
    )
    if owners is not None:
        people_query = people_query.where(owners)
    people = Person.from_rows(await people_query.order_by(User.display_name))
    if len(people) <= 1:
        return []
    people_ids = [person.id for person in people]
    now = utcnow()
    week_end = now + timedelta(days=7)
    rows = await access.scoped(
        FollowUp.select(FollowUp.owner, FollowUp.due_at), viewer, FollowUp.organisation
    ).where(
        FollowUp.state == FollowUpState.open,
        FollowUp.owner.is_in(people_ids),
        FollowUp.due_at < week_end,
    )
    overdue: Counter[int] = Counter()
    later: Counter[int] = Counter()
    for row in rows:
        (overdue if row["due_at"] < now else later)[row["owner"]] += 1
    open_counts = {
        row["owner"]: row["count"]
        for row in await access.scoped(
            FollowUp.select(FollowUp.owner, Count(FollowUp.id, alias="count")),
            viewer,
            FollowUp.organisation,
        )
        .where(FollowUp.state == FollowUpState.open, FollowUp.owner.is_in(people_ids))
        .group_by(FollowUp.owner)
    }
    return [
        Workload(
            id=person.id,
            uuid=person.uuid,
            display_name=person.display_name,
            open=open_counts.get(person.id, 0),
            overdue=overdue[person.id],
            week=later[person.id],
        )
        for person in people
    ]


CALENDAR_VIEWS = ("day", "week", "month")
DAY_LIMITS = {"day": 0, "week": 6, "month": 4}


@dataclass
class CalendarPage:
    view: str
    anchor: date
    start: date
    end: date  # exclusive
    days: list[date]
    by_day: dict[date, list[FollowUpRecord]]
    previous: date
    following: date
    truncated: bool
    title: str = ""
    today: date | None = None
    # Rows a day shows before "+N more" (its day view shows them all).
    day_limit: int = 0


def calendar_range(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day, day after the last, previous anchor, next anchor) of a view."""
    if view == "day":
        return (
            anchor,
            anchor + timedelta(days=1),
            anchor - timedelta(days=1),
            anchor + timedelta(days=1),
        )
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return (
            start,
            start + timedelta(days=7),
            start - timedelta(days=7),
            start + timedelta(days=7),
        )
    first = anchor.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    previous_month = (first - timedelta(days=1)).replace(day=1)
    # Whole weeks, Monday first, around the month.
    start = first - timedelta(days=first.weekday())
    end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
    return start, end, previous_month, next_month


async def calendar(
    viewer: Viewer, filters: AgendaFilters, view: str, anchor: date | None
) -> CalendarPage:
    """Follow-ups (open and done) of a day, a week or a month, by local day."""
    access.require(viewer, SchedulerAction.view_follow_ups)
    view = view if view in CALENDAR_VIEWS else "week"
    anchor = anchor or utcnow().astimezone(ZoneInfo(viewer.time_zone)).date()
    start, end, previous, following = calendar_range(view, anchor)
    zone = ZoneInfo(viewer.time_zone)
    rows = (
        await _visible(viewer, FollowUp.select(*FOLLOW_UP_COLUMNS), filters)
        .where(
            FollowUp.state != FollowUpState.cancelled,
            FollowUp.due_at >= local_day_start(start, viewer.time_zone),
            FollowUp.due_at < local_day_start(end, viewer.time_zone),
        )
        .order_by(FollowUp.due_at)
        .limit(CALENDAR_LIMIT)
    )
    window = (local_day_start(start, viewer.time_zone), local_day_start(end, viewer.time_zone))
    records = [decorate(viewer, row) for row in rows]
    records += await _computed_occurrences(viewer, filters, *window)
    by_day: dict[date, list[FollowUpRecord]] = defaultdict(list)
    for record in sorted(records, key=lambda record: record.due_at):
        by_day[record.due_at.astimezone(zone).date()].append(record)
    days = [start + timedelta(days=offset) for offset in range((end - start).days)]
    if view == "month":
        title = format_date_skeleton(anchor, "yMMMM")
    elif view == "week":
        title = f"{format_date(start)} – {format_date(days[-1])}"
    else:
        title = format_date(anchor, "full")
    return CalendarPage(
        view,
        anchor,
        start,
        end,
        days,
        dict(by_day),
        previous,
        following,
        len(rows) == CALENDAR_LIMIT,
        title=title,
        today=utcnow().astimezone(zone).date(),
        day_limit=DAY_LIMITS[view],
    )


async def _computed_occurrences(
    viewer: Viewer, filters: AgendaFilters, start: datetime, end: datetime
) -> list[FollowUpRecord]:
    """The occurrences of visible series in [start, end) after each series' current one
    (its earliest open stored occurrence) that are not stored: what the series will bring."""
    current: dict[int, FollowUpRecord] = {}
    open_rows = await (
        _visible(viewer, FollowUp.select(*FOLLOW_UP_COLUMNS), filters)
        .where(FollowUp.state == FollowUpState.open, FollowUp.series.is_not_null())
        .order_by(FollowUp.occurrence_at)
        .limit(CALENDAR_LIMIT)
    )
    for row in open_rows:
        current.setdefault(row["series"], decorate(viewer, row))
    if not current:
        return []
    stored = {
        (row["series"], row["occurrence_at"])
        for row in await access.scoped(
            FollowUp.select(FollowUp.series, FollowUp.occurrence_at),
            viewer,
            FollowUp.organisation,
        ).where(FollowUp.series.is_in(list(current)))
    }
    computed: list[FollowUpRecord] = []
    for series, row in current.items():
        assert row.series_rule and row.series_starts_at and row.series_time_zone
        assert row.occurrence_at is not None
        for moment in recurrence.occurrences(
            row.series_rule,
            row.series_starts_at,
            row.series_time_zone,
            max(start, row.occurrence_at + timedelta(seconds=1)),
            end,
        ):
            if (series, moment) not in stored:
                computed.append(
                    row.replace(
                        due_at=moment,
                        occurrence_at=moment,
                        computed=True,
                        overdue=False,
                        remind_at=None,
                    )
                )
    return computed[:CALENDAR_LIMIT]


@dataclass(frozen=True)
class PartnerChoices:
    """The partner filter: (uuid text, name) pairs, which Jinja draws about three times
    faster than rows whose UUIDs it converts (bench/RESULTS.md)."""

    # Every partner the viewer sees, when PARTNER_MENU_LIMIT or fewer; else None, and the
    # agenda has a search field instead.
    menu: list[tuple[str, str]] | None
    # Without a menu: the partner a link filtered by, to name it.
    chosen: tuple[str, str] | None
    # The longest text the search field sends.
    name_limit: ClassVar[int] = search.MAX_QUERY


async def _partner_choices(viewer: Viewer, filters: AgendaFilters) -> PartnerChoices:
    """A menu when the viewer sees few partners (one query); past that only the chosen
    partner, if the viewer sees it."""
    rows = await picker.menu(viewer)
    if len(rows) <= PARTNER_MENU_LIMIT:
        return PartnerChoices([(str(row["uuid"]), row["legal_name"]) for row in rows], None)
    named = await picker.chosen_partner(viewer, filters.partner)
    return PartnerChoices(None, (str(named["uuid"]), named["legal_name"]) if named else None)


@dataclass(frozen=True)
class FilterChoices:
    """What the agenda's and the calendar's filters offer."""

    owners: list[Person]
    partners: PartnerChoices
    kinds: tuple[str, ...]


async def filter_choices(viewer: Viewer, filters: AgendaFilters) -> FilterChoices:
    """The filters' choices."""
    return FilterChoices(
        await owner_choices(viewer), await _partner_choices(viewer, filters), forms.KINDS
    )


@dataclass(frozen=True)
class FollowUpsPanel:
    """The partner 360's follow-ups (scheduler/_partner_panel.html, its items
    scheduler/_item.html with the labels, snooze choices and recurrence names they show)."""

    partner: VisibleOrganisationDetails
    open: list[FollowUpRecord]
    done: list[FollowUpRecord]
    may_create: bool
    labels: Mapping[str, str]
    snooze_choices: tuple[tuple[str, str], ...]
    recurrence_label: Callable[[str], str]


@access.checked_by_caller("the partner page fetched the organisation with get_organisation")
async def partner_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> FollowUpsPanel | None:
    """The partner page's follow-ups: open ones first (by due time), then the last done."""
    if not viewer.can(SchedulerAction.view_follow_ups):
        return None
    base = FollowUp.select(*FOLLOW_UP_COLUMNS).where(FollowUp.organisation == organisation.id)
    open_rows = (
        await base.where(FollowUp.state == FollowUpState.open).order_by(FollowUp.due_at).limit(20)
    )
    done_rows = (
        await FollowUp.select(*FOLLOW_UP_COLUMNS)
        .where(FollowUp.organisation == organisation.id, FollowUp.state == FollowUpState.done)
        .order_by(FollowUp.completed_at, ascending=False)
        .limit(5)
    )
    return FollowUpsPanel(
        partner=organisation,
        open=[decorate(viewer, row) for row in open_rows],
        done=[decorate(viewer, row) for row in done_rows],
        may_create=access.allows(viewer, SchedulerAction.manage_follow_ups, organisation.id),
        labels=LABELS,
        snooze_choices=forms.SNOOZE_CHOICES,
        recurrence_label=recurrence_label,
    )


# Names of the follow-up codes, translated where shown (templates: _(labels[code])).
LABELS: dict[str, str] = {
    "call": N_("Call"),
    "visit": N_("Visit"),
    "email": N_("E-mail"),
    "meeting": N_("Meeting"),
    "task": N_("Task"),
    "open": N_("Open"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "order": N_("Order"),
    "contract": N_("Contract"),
    "timeline_entry": N_("Timeline entry"),
}


def recurrence_label(rule: str) -> str:
    for value, label in forms.RECURRENCE_PRESETS:
        if value == rule:
            return _(label)
    return rule
