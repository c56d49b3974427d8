"""Who sees and works the sales side: opportunities, deal registrations, service cases,
rebates and care events.

Opportunities are the brand's own. Deal registrations, cases and the rebate ledger belong
to a partner: the brand sees those of partners it may see, a partner's users only their own
organisation's (a distributor not its retailers'). Merchandisers answer quality questions and
read the pipeline; they decide no deals. Deals are registered by distributors and retailers,
decided by the brand.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.exceptions import PermissionDeniedException
from piccolo.columns.combination import Combinable

from partner_portal.access import (
    ActionSet,
    ScopedTable,
    Viewer,
    fetch_one,
    narrow,
    organisation_filter,
    require,
)
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import Organisation, Role
from sales.records import (
    ArticleRecord,
    CareEventRecord,
    CasePhotoFile,
    DealRegistrationRecord,
    OpportunityRecord,
    ProgrammeSettings,
    SalesPartner,
    ServiceCaseRecord,
)
from sales.tables import (
    CareEvent,
    CareReminder,
    CaseMessage,
    CasePhoto,
    DealRegistration,
    KnowledgeArticle,
    LedgerEntry,
    Opportunity,
    OpportunityTotal,
    RebateProgramme,
    ServiceCase,
)


class SalesAction(ActionSet):
    view_opportunities = "sales.view_opportunities", "See the sales pipeline"
    manage_opportunities = "sales.manage_opportunities", "Add, change and move opportunities"
    manage_sales_settings = (
        "sales.manage_sales_settings",
        "Set stage probabilities, registration rules and care events",
    )
    view_deal_registrations = "sales.view_deal_registrations", "See deal registrations"
    register_deal = "sales.register_deal", "Register a deal (a partner's own customer)"
    decide_deal_registrations = (
        "sales.decide_deal_registrations",
        "Approve or reject deal registrations",
    )
    view_cases = "sales.view_cases", "See service cases"
    open_case = "sales.open_case", "Open a service case"
    work_cases = "sales.work_cases", "Answer, triage and hand over cases; edit the answers"
    view_rebates = "sales.view_rebates", "See rebate programmes, points and balances"
    manage_rebates = "sales.manage_rebates", "Set rebate programmes; book and redeem points"


# ---------------------------------------------------------------------------
# Opportunities

SCOPED_TABLES = (
    ScopedTable(Opportunity, Opportunity.organisation),
    ScopedTable(OpportunityTotal, OpportunityTotal.organisation),
    ScopedTable(DealRegistration, DealRegistration.organisation),
    ScopedTable(ServiceCase, ServiceCase.organisation),
    ScopedTable(CaseMessage, CaseMessage.case),
    ScopedTable(CasePhoto, CasePhoto.case),
    ScopedTable(LedgerEntry, LedgerEntry.organisation),
    ScopedTable(CareReminder, CareReminder.organisation),
)


def opportunity_filter(
    viewer: Viewer, reference: Any = Opportunity.organisation
) -> Combinable | None:
    """Opportunities are the brand's own: its users see those of partners they may see
    (None: all); a partner's users see none (so a URL of one answers 404). ``reference`` is
    the organisation column the rule applies to: the opportunities' own, or that of their
    stored stage totals (OpportunityTotal.organisation)."""
    if not viewer.is_brand:
        return reference == -1  # type: ignore[no-any-return]
    return organisation_filter(viewer, reference)


def scoped_opportunities(query: Any, viewer: Viewer) -> Any:
    return narrow(query, opportunity_filter(viewer))


def scoped_opportunity_totals(query: Any, viewer: Viewer) -> Any:
    """The stored stage totals of the partners whose opportunities the viewer sees."""
    return narrow(query, opportunity_filter(viewer, OpportunityTotal.organisation))


class VisibleOpportunity(OpportunityRecord, frozen=True):
    """An opportunity the viewer may see: made only by get_opportunity. A subclass rather
    than a NewType: mypy (2.4) crashes on a NewType of a msgspec struct."""


async def get_opportunity(
    viewer: Viewer, opportunity_uuid: UUID, action: ActionSet
) -> VisibleOpportunity:
    """One opportunity the viewer may see (404 otherwise), checked for the action (403)."""
    query = scoped_opportunities(Opportunity.select(*Opportunity.all_columns()), viewer)
    query = query.where(Opportunity.uuid == opportunity_uuid)
    row = await fetch_one(viewer, query, "No such opportunity.", action, "organisation")
    return VisibleOpportunity.from_row(row)


# ---------------------------------------------------------------------------
# The partners whose sales rows a viewer sees


def _own_or_visible(viewer: Viewer, reference: Any) -> Combinable | None:
    """The brand sees the rows of partners it may see; a partner only its own organisation's
    (a distributor does not see the registrations, cases or ledger of its retailers)."""
    if viewer.is_brand:
        return organisation_filter(viewer, reference)
    return reference == viewer.organisation_id  # type: ignore[no-any-return]


def sales_partner_filter(viewer: Viewer) -> Combinable | None:
    """Organisations whose sales rows the viewer may see (the same rule, on Organisation)."""
    if viewer.is_brand:
        return organisation_filter(viewer)
    return Organisation.id == viewer.organisation_id  # type: ignore[no-any-return]


def _sales_partners(viewer: Viewer) -> Any:
    return narrow(
        Organisation.select(Organisation.id, Organisation.uuid, Organisation.legal_name),
        sales_partner_filter(viewer),
    )


class VisibleSalesPartner(SalesPartner, frozen=True):
    """A partner whose sales rows the viewer may see: made only by get_sales_partner and
    find_sales_partner."""


async def get_sales_partner(viewer: Viewer, partner_uuid: UUID) -> VisibleSalesPartner:
    """One organisation whose sales rows the viewer may see (404 otherwise)."""
    query = _sales_partners(viewer).where(Organisation.uuid == partner_uuid)
    return VisibleSalesPartner.from_row(await fetch_one(viewer, query, _("No such partner.")))


async def find_sales_partner(viewer: Viewer, partner_uuid: str) -> VisibleSalesPartner | None:
    """The partner (not the brand) a form names by its uuid, if the viewer may see its sales
    rows; None otherwise, for the form to say so."""
    try:
        wanted = UUID(partner_uuid)
    except ValueError:
        return None
    query = _sales_partners(viewer).where(Organisation.uuid == wanted, Organisation.kind != "brand")
    row = await query.first()
    return None if row is None else VisibleSalesPartner.from_row(row)


def may_see_sales_panel(viewer: Viewer, organisation_id: int) -> bool:
    """The sales panel of a partner's page (its cases and protections): the brand's users
    on partners they see, a partner's users on their own organisation only (a distributor
    not on its retailers')."""
    if not viewer.can(SalesAction.view_cases):
        return False
    return viewer.is_brand or organisation_id == viewer.organisation_id


# ---------------------------------------------------------------------------
# Deal registrations


def may_register_deal(viewer: Viewer) -> bool:
    """Deals are registered by a distributor's or retailer's users for their own
    organisation; the brand (even its admins) decides them and registers none."""
    return viewer.role in (Role.distributor, Role.retailer) and viewer.can(
        SalesAction.register_deal
    )


def require_deal_registrant(viewer: Viewer) -> None:
    if not may_register_deal(viewer):
        raise PermissionDeniedException("Your role does not allow this.")


def may_see_rival_claims(viewer: Viewer) -> bool:
    """Whether a deal registration collides with another partner's claim, and that claim,
    are the brand's to see: a partner never learns who else claims its customer."""
    return viewer.is_brand


def deal_registration_filter(viewer: Viewer) -> Combinable | None:
    return _own_or_visible(viewer, DealRegistration.organisation)


def scoped_registrations(query: Any, viewer: Viewer) -> Any:
    return narrow(query, deal_registration_filter(viewer))


class VisibleDealRegistration(DealRegistrationRecord, frozen=True):
    """A deal registration the viewer may see: made only by get_deal_registration."""


async def get_deal_registration(
    viewer: Viewer, registration_uuid: UUID, action: ActionSet
) -> VisibleDealRegistration:
    """One deal registration the viewer may see (404 otherwise), checked for the action
    (403)."""
    query = scoped_registrations(DealRegistration.select(*DealRegistration.all_columns()), viewer)
    query = query.where(DealRegistration.uuid == registration_uuid)
    row = await fetch_one(viewer, query, "No such deal registration.", action, "organisation")
    return VisibleDealRegistration.from_row(row)


# ---------------------------------------------------------------------------
# Service cases and the answers the brand's case workers keep


def service_case_filter(viewer: Viewer) -> Combinable | None:
    return _own_or_visible(viewer, ServiceCase.organisation)


def scoped_cases(query: Any, viewer: Viewer) -> Any:
    return narrow(query, service_case_filter(viewer))


def case_message_filter(viewer: Viewer) -> Combinable | None:
    """Internal notes on a case are the brand's: partners read only the shared thread."""
    return None if viewer.is_brand else CaseMessage.internal == False  # noqa: E712


def case_photo_filter(viewer: Viewer) -> Combinable | None:
    """Photos of a case, on top of the case's own rule: those sent with an internal note
    are the brand's."""
    if viewer.is_brand:
        return None
    return CasePhoto.message._.internal == False  # type: ignore[no-any-return]  # noqa: E712


class VisibleServiceCase(ServiceCaseRecord, frozen=True):
    """A service case the viewer may see: made only by get_service_case."""


class VisibleCasePhoto(CasePhotoFile, frozen=True):
    """A photo of a case the viewer may see: made only by get_case_photo."""


async def get_service_case(
    viewer: Viewer, case_uuid: UUID, action: ActionSet
) -> VisibleServiceCase:
    """One service case the viewer may see (404 otherwise), checked for the action (403)."""
    query = scoped_cases(ServiceCase.select(*ServiceCase.all_columns()), viewer)
    query = query.where(ServiceCase.uuid == case_uuid)
    row = await fetch_one(viewer, query, "No such case.", action, "organisation")
    return VisibleServiceCase.from_row(row)


async def get_case_photo(viewer: Viewer, case_uuid: UUID, photo_uuid: UUID) -> VisibleCasePhoto:
    """A photo of a case the viewer may see; a partner never gets one from an internal note."""
    case = await get_service_case(viewer, case_uuid, SalesAction.view_cases)
    query = CasePhoto.select(CasePhoto.filename, CasePhoto.content_type, CasePhoto.data).where(
        CasePhoto.case == case.id, CasePhoto.uuid == photo_uuid
    )
    photo_query = narrow(query, case_photo_filter(viewer))
    return VisibleCasePhoto.from_row(await fetch_one(viewer, photo_query, _("No such photo.")))


async def find_case_organisation(viewer: Viewer, partner_uuid: str) -> int | None:
    """The id of whose case a new one is: a partner's user opens cases for their own
    organisation; the brand's for a partner it may see (None when the form names none)."""
    if not viewer.is_brand:
        return viewer.organisation_id
    partner = await find_sales_partner(viewer, partner_uuid)
    return None if partner is None else partner.id


def may_triage_case(viewer: Viewer) -> bool:
    """Changing a case's priority or handing it to another agent is the brand's: its case
    workers (KAMs, staff, admins), never the partner who opened it."""
    return viewer.is_brand and viewer.can(SalesAction.work_cases)


def require_case_triage(viewer: Viewer) -> None:
    if not may_triage_case(viewer):
        raise PermissionDeniedException("Only the brand's case workers change this.")


class VisibleArticle(ArticleRecord, frozen=True):
    """An answer its editors may change: made only by get_article."""


async def get_article(viewer: Viewer, article_uuid: UUID) -> VisibleArticle:
    """One answer, for the brand's case workers to edit."""
    require(viewer, SalesAction.work_cases)
    query = KnowledgeArticle.select(*KnowledgeArticle.all_columns()).where(
        KnowledgeArticle.uuid == article_uuid
    )
    return VisibleArticle.from_row(await fetch_one(viewer, query, _("No such answer.")))


# ---------------------------------------------------------------------------
# Rebates and care events (the brand's settings)


def ledger_filter(viewer: Viewer) -> Combinable | None:
    return _own_or_visible(viewer, LedgerEntry.organisation)


def scoped_ledger(query: Any, viewer: Viewer) -> Any:
    return narrow(query, ledger_filter(viewer))


class VisibleRebateProgramme(ProgrammeSettings, frozen=True, kw_only=True):
    """A rebate programme its setters may change: made only by get_rebate_programme."""


class VisibleCareEvent(CareEventRecord, frozen=True):
    """A care event its setters may change: made only by get_care_event."""


async def get_rebate_programme(viewer: Viewer, programme_uuid: UUID) -> VisibleRebateProgramme:
    """One rebate programme with its season's code, for those who set them."""
    require(viewer, SalesAction.manage_rebates)
    query = RebateProgramme.select(
        *RebateProgramme.all_columns(), RebateProgramme.season._.code.as_alias("season_code")
    ).where(RebateProgramme.uuid == programme_uuid)
    row = await fetch_one(viewer, query, _("No such programme."))
    return VisibleRebateProgramme.from_row(row)


async def get_care_event(viewer: Viewer, event_uuid: UUID) -> VisibleCareEvent:
    """One care event, for those who set the sales settings."""
    require(viewer, SalesAction.manage_sales_settings)
    query = CareEvent.select().where(CareEvent.uuid == event_uuid)
    return VisibleCareEvent.from_row(await fetch_one(viewer, query, _("No such care event.")))
