"""Extension points the kernel owns and modules fill (docs/ARCHITECTURE.md §3).

Each module has a ``plugin.py`` with its ``routes`` and a ``register(registry)``
function; the composition root (app.py, PLUGINS) calls every ``register`` with this
registry, and the kernel then asks the registry instead of importing modules.
Entries are keyed, so registering twice (one app per test) replaces, never doubles.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, Protocol
from uuid import UUID

from partner_portal import access
from partner_portal.access import (
    KERNEL_SCOPED_TABLES,
    Action,
    ActionSet,
    ScopedTable,
    Viewer,
    VisibleOrganisationDetails,
)

# Whom a menu entry or a start-page tile is for, on top of the actions it needs.
Audience = Literal["everyone", "brand", "partners"]


@dataclass(frozen=True)
class PortalLink:
    """A link the kernel shows to the viewers it reaches: those of the audience whose role
    has any of ``actions`` (none: every signed-in user)."""

    key: str
    order: int
    label: str  # marked with N_, translated where shown
    path: str
    actions: tuple[ActionSet, ...] = ()
    audience: Audience = "everyone"

    def shown_to(self, viewer: Viewer) -> bool:
        if self.audience != "everyone" and viewer.is_brand != (self.audience == "brand"):
            return False
        return not self.actions or any(viewer.can(action) for action in self.actions)


@dataclass(frozen=True)
class NavEntry(PortalLink):
    """An entry of the main menu (templates/base.html); ``current`` are the path prefixes
    of the pages it stands for (default: its path)."""

    current: tuple[str, ...] = ()

    def marks(self, path: str) -> bool:
        """Whether the page at ``path`` is this entry's (its menu link is the current one)."""
        return any(path.startswith(prefix) for prefix in self.current or (self.path,))


@dataclass(frozen=True)
class HomeTile(PortalLink):
    """A link of a role's start page. Until the start page shows its tiles, "/" leads to
    the first (by ``order``) that reaches the viewer."""


@dataclass(frozen=True)
class HomeSection:
    """A part of a partner user's start page, filled by a module with what needs them now
    (drafts, shipments on the way, contracts to accept...). ``load`` returns the context
    of ``template`` (as ``section``): a record of the module's (its template reads its
    fields), or None when there is nothing to show."""

    key: str
    order: int
    template: str
    load: Callable[[Viewer], Awaitable[object | None]]


@dataclass(frozen=True)
class OrderLink:
    """An action a module offers on one order, on the order page and the order list (open a
    draft in the order grid, reorder a past order): shown for drafts (``drafts``) or for
    every other status, to viewers whose role has ``action``. ``path`` holds ``{uuid}``;
    a ``post`` link is a button in a form."""

    key: str
    order: int
    label: str  # marked with N_, translated where shown
    path: str
    drafts: bool
    action: ActionSet
    method: Literal["get", "post"] = "get"
    # the order channels it applies to (none: every channel)
    channels: tuple[str, ...] = ()

    def url(self, order: LinkedOrder) -> str:
        return self.path.format(uuid=order.uuid)


class LinkedOrder(Protocol):
    """What an order link needs of an order: an order record or a list row's summary."""

    @property
    def uuid(self) -> UUID: ...
    @property
    def status(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def buyer(self) -> int: ...


@dataclass(frozen=True)
class PartnerPanel:
    """A section of the partner 360 page filled by a module (orders, contracts, follow-ups...).

    ``load`` gets the partner as the page fetched it for the viewer (an access-checked
    record) and returns the context of ``template`` (as ``panel``): a record of the
    module's (its template reads its fields), or None when the viewer has nothing to see
    there.
    """

    key: str
    order: int
    template: str
    load: Callable[[Viewer, VisibleOrganisationDetails], Awaitable[object | None]]


@dataclass(frozen=True)
class HandoverItem:
    """One piece of open work that moves with a partner to its new KAM, as the transfer's
    confirmation page lists it."""

    organisation_id: int
    title: str
    link: str


@dataclass(frozen=True)
class OwnedWork:
    """Open work a module keeps for a partner's KAM (follow-ups, opportunities, cases...),
    moved with the partners when a brand admin transfers them.

    ``open_items(partner_ids, old_owner_id)`` lists what would move; ``move(admin,
    partner_ids, old_owner_id, new_owner_id)`` moves it inside the transfer's transaction,
    audited as the admin's, and returns how many moved. ``label`` (marked with N_) names the kind of work on the page."""

    key: str
    label: str
    open_items: Callable[[list[int], int | None], Awaitable[list[HandoverItem]]]
    move: Callable[[Viewer, list[int], int | None, int], Awaitable[int]]


@dataclass(frozen=True)
class ScheduledJob:
    """Work the scheduler host runs every ``every``; ``run`` must be idempotent (it claims its
    work in the database) and returns a short summary of what it did for the job runs page."""

    key: str
    title: str
    every: timedelta
    run: Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class EventKind:
    """A kind of domain event a module records (partner_portal/events/services.py): its
    type ("order.submitted"), its name on the notification preferences page, and who hears
    of it: "everyone" (the partner's users, its KAM, brand users following it), "brand"
    (the KAM and followers only) or "partners" (the partner's users only)."""

    type: str
    label: str  # marked with N_, translated where shown
    audience: Audience = "everyone"


@dataclass(frozen=True)
class CommercialTerms:
    """The commercial terms in force for a partner (from its active distribution contract).

    The order book prices drafts with them: the tier and currency choose the price list,
    the discount comes off catalog prices, and the payment terms and contract number are
    kept on the order; going over the credit limit blocks submission when
    ``credit_limit_blocks``, else it warns."""

    tier: str | None = None
    territory: str | None = None
    payment_terms: str | None = None
    currency: str | None = None
    credit_limit: Decimal | None = None
    credit_limit_blocks: bool = False
    discount_percent: Decimal | None = None
    contract_uuid: UUID | None = None
    contract_number: str | None = None


@dataclass(frozen=True)
class AttentionItem:
    """Something a KAM should act on by a date (a contract entering its notice period...)."""

    organisation_id: int
    subject_kind: str
    subject_uuid: UUID
    summary: str  # a message id marked with N_, with its parameters (messages.py)
    due_on: date
    summary_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemandLine:
    """Garment demand by style, colour and size in a week, with how firm it is (0..1)."""

    style_id: int
    colourway_id: int | None
    size_id: int | None
    quantity: int
    week_start: date
    firm: bool
    probability: Decimal


@dataclass(frozen=True)
class OrderFinding:
    """What an order check found: a message for the buyer, and whether it stops submission."""

    message: str
    blocking: bool


@dataclass(frozen=True)
class StockPolicy:
    """Whether an order may take more than is left: at-once stock (ATS), and pre-book
    capacity of a delivery window. Not blocking, the pieces are taken all the same (the
    stock page shows the SKU oversold) and the order rules warn."""

    at_once_blocks: bool = False
    pre_book_blocks: bool = False


# (the order row, its lines with style/colourway/size ids, quantities and prices) -> findings
OrderCheck = Callable[[dict[str, Any], list[dict[str, Any]]], Awaitable[list[OrderFinding]]]


@dataclass(frozen=True)
class WonDeal:
    """A won opportunity handed to a draft starter (sales -> group orders, the order book)."""

    opportunity_uuid: UUID
    organisation_id: int
    title: str
    kind: str
    expected_value: Decimal
    currency: str


@dataclass(frozen=True)
class DraftStarter:
    """Starts a draft from a won deal (a group-order campaign...) and returns the draft's
    page path; ``kinds`` are the opportunity kinds it suits (empty: every kind)."""

    key: str
    title: str  # marked with N_, translated where shown
    start: Callable[[Viewer, WonDeal], Awaitable[str]]
    kinds: frozenset[str] = frozenset()


@dataclass
class Registry:
    # every declared set of actions by its name, the kernel's and each module's: the role
    # table (access/roles.py) grants them, templates name them ({{ SalesAction.view_cases }})
    action_sets: dict[str, type[ActionSet]] = field(default_factory=lambda: {"Action": Action})
    # every organisation-scoped table by its name, the kernel's and each module's (queries
    # of them go through the access policy: tests/portal/test_scoped_queries.py)
    scoped_tables: dict[str, ScopedTable] = field(
        default_factory=lambda: {
            scope.table._meta.tablename: scope for scope in KERNEL_SCOPED_TABLES
        }
    )
    partner_panels: dict[str, PartnerPanel] = field(default_factory=dict)
    # key -> open work that follows a partner to its new KAM (partners/ownership.py)
    owned_work: dict[str, OwnedWork] = field(default_factory=dict)
    jobs: dict[str, ScheduledJob] = field(default_factory=dict)
    # organisation id -> terms in force, or None when no contract sets them
    commercial_terms: Callable[[int], Awaitable[CommercialTerms | None]] | None = None
    # organisation id -> the credit limit the brand keeps on the partner record (not a
    # contract's), or None; a new contract's terms start from it
    partner_credit_limit: Callable[[int], Awaitable[Decimal | None]] | None = None
    # key -> function listing what needs attention on some day from a first to a last date
    attention_sources: dict[str, Callable[[date, date], Awaitable[list[AttentionItem]]]] = field(
        default_factory=dict
    )
    # key -> function giving garment demand from a date on (order book, open campaigns)
    demand_sources: dict[str, Callable[[date], Awaitable[list[DemandLine]]]] = field(
        default_factory=dict
    )
    # kind -> label (marked with N_): e-mails a user may turn off on their account page
    email_kinds: dict[str, str] = field(default_factory=dict)
    # type -> the kinds of domain event modules record (each a line of the preferences page)
    event_kinds: dict[str, EventKind] = field(default_factory=dict)
    # key -> async context manager factory the web app's lifespan enters (with its settings),
    # for services a module runs beside the web process (the in-process scheduler host)
    lifespan_services: dict[str, Callable[[Any], AbstractAsyncContextManager[None]]] = field(
        default_factory=dict
    )
    # key -> an entry of the main menu (the kernel's apps and every module add theirs)
    navigation: dict[str, NavEntry] = field(default_factory=dict)
    # key -> a link of a role's start page
    home_tiles: dict[str, HomeTile] = field(default_factory=dict)
    # key -> a part of a partner user's start page
    home_sections: dict[str, HomeSection] = field(default_factory=dict)
    # key -> an action on one order (open a draft in the grid, reorder)
    order_links: dict[str, OrderLink] = field(default_factory=dict)
    # key -> rules an order must pass before submission (minimums, credit limit, stock...)
    order_checks: dict[str, OrderCheck] = field(default_factory=dict)
    # whether taking more stock or capacity than is left blocks (distributors' order rules)
    stock_policy: Callable[[], Awaitable[StockPolicy]] | None = None
    # key -> what a won opportunity can start (group campaign draft...)
    draft_starters: dict[str, DraftStarter] = field(default_factory=dict)
    # key -> the success message (marked with N_) a page shows after a post redirected to it
    # with ?done=<key> (web.redirect_after_post): keys in the address, never text
    notices: dict[str, str] = field(default_factory=dict)

    def add_actions(self, actions: type[ActionSet]) -> None:
        self.action_sets[actions.__name__] = actions

    def add_scoped_tables(self, *tables: ScopedTable) -> None:
        for scope in tables:
            self.scoped_tables[scope.table._meta.tablename] = scope

    def add_nav_entry(self, entry: NavEntry) -> None:
        self.navigation[entry.key] = entry

    def navigation_for(self, viewer: Viewer) -> list[NavEntry]:
        """The main menu a viewer sees, in order."""
        entries = sorted(self.navigation.values(), key=lambda entry: entry.order)
        return [entry for entry in entries if entry.shown_to(viewer)]

    def add_home_tile(self, tile: HomeTile) -> None:
        self.home_tiles[tile.key] = tile

    def home_tiles_for(self, viewer: Viewer) -> list[HomeTile]:
        """The start page's tiles a viewer sees, in order."""
        tiles = sorted(self.home_tiles.values(), key=lambda tile: tile.order)
        return [tile for tile in tiles if tile.shown_to(viewer)]

    def add_notices(self, notices: dict[str, str]) -> None:
        self.notices.update(notices)

    def add_home_section(self, section: HomeSection) -> None:
        self.home_sections[section.key] = section

    async def home_sections_for(self, viewer: Viewer) -> list[tuple[HomeSection, object]]:
        """The start page's sections with something to show the viewer, in order."""
        shown = []
        for section in sorted(self.home_sections.values(), key=lambda section: section.order):
            context = await section.load(viewer)
            if context is not None:
                shown.append((section, context))
        return shown

    def add_order_link(self, link: OrderLink) -> None:
        self.order_links[link.key] = link

    def order_links_for(self, viewer: Viewer, order: LinkedOrder) -> list[OrderLink]:
        """The actions on an order a viewer is offered: those the access policy allows on
        the buyer's orders, for the order's status and channel."""
        is_draft = order.status == "draft"
        links = sorted(self.order_links.values(), key=lambda link: link.order)
        return [
            link
            for link in links
            if link.drafts == is_draft
            and access.allows(viewer, link.action, order.buyer)
            and (not link.channels or order.channel in link.channels)
        ]

    def add_partner_panel(self, panel: PartnerPanel) -> None:
        self.partner_panels[panel.key] = panel

    def ordered_partner_panels(self) -> list[PartnerPanel]:
        return sorted(self.partner_panels.values(), key=lambda panel: panel.order)

    def add_owned_work(self, work: OwnedWork) -> None:
        self.owned_work[work.key] = work

    def add_job(self, job: ScheduledJob) -> None:
        self.jobs[job.key] = job

    def add_attention_source(
        self, key: str, source: Callable[[date, date], Awaitable[list[AttentionItem]]]
    ) -> None:
        self.attention_sources[key] = source

    def add_demand_source(
        self, key: str, source: Callable[[date], Awaitable[list[DemandLine]]]
    ) -> None:
        self.demand_sources[key] = source

    def add_order_check(self, key: str, check: OrderCheck) -> None:
        self.order_checks[key] = check

    async def check_order(
        self, order: dict[str, Any], lines: list[dict[str, Any]]
    ) -> list[OrderFinding]:
        findings: list[OrderFinding] = []
        for check in self.order_checks.values():
            findings.extend(await check(order, lines))
        return findings

    def add_email_kind(self, kind: str, label: str) -> None:
        self.email_kinds[kind] = label

    def add_event_kind(self, kind: EventKind) -> None:
        self.event_kinds[kind.type] = kind

    def add_lifespan_service(
        self, key: str, service: Callable[[Any], AbstractAsyncContextManager[None]]
    ) -> None:
        self.lifespan_services[key] = service

    async def stock_policy_in_force(self) -> StockPolicy:
        if self.stock_policy is None:
            return StockPolicy()
        return await self.stock_policy()

    async def partner_credit_limit_for(self, organisation_id: int) -> Decimal | None:
        if self.partner_credit_limit is None:
            return None
        return await self.partner_credit_limit(organisation_id)

    async def terms_for(self, organisation_id: int) -> CommercialTerms | None:
        if self.commercial_terms is None:
            return None
        return await self.commercial_terms(organisation_id)


registry = Registry()
