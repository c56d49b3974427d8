"""The sales routes in the access matrix: opportunities are the brand's; registrations,
cases and ledgers are seen by the brand for partners it may see, and by a partner's users
for their own organisation only (a distributor does not see its retailers')."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from partner_portal.clock import utcnow
from sales.tables import (
    CareEvent,
    DealRegistration,
    KnowledgeArticle,
    Opportunity,
    RebateProgramme,
    ServiceCase,
)
from tests.access_matrix import (
    BRAND_MEMBERS,
    HOME,
    ORGANISATIONS,
    PARTNER_EDITORS,
    SEES,
    Route,
    Rule,
    Subject,
    SubjectContext,
    only,
)

SELLERS = frozenset({"distributor", "distributor_colleague", "other_distributor", "retailer"})
REGISTRATION_VIEWERS = BRAND_MEMBERS | SELLERS
CASE_VIEWERS = BRAND_MEMBERS | SELLERS | {"client"}
REBATE_VIEWERS = BRAND_MEMBERS | SELLERS
SALES_TARGETS = ("distributor_a", "distributor_b", "retailer_a", "bank")


def on_opportunity(may: Callable[[str], bool]) -> Rule:
    """The brand's own rows: a partner's user never finds one (404)."""

    def rule(member: str, target: str | None) -> int | str:
        if member not in BRAND_MEMBERS or target not in SEES[member]:
            return 404
        return "ok" if may(member) else 403

    return rule


def on_own_row(may: Callable[[str], bool]) -> Rule:
    """A partner's row: the brand sees it where it sees the partner, a partner's user only
    on its own organisation."""

    def rule(member: str, target: str | None) -> int | str:
        visible = target in SEES[member] if member in BRAND_MEMBERS else HOME[member] == target
        if not visible:
            return 404
        return "ok" if may(member) else 403

    return rule


def on_ledger(may: Callable[[str], bool]) -> Rule:
    """A partner's ledger: 403 for roles without rebates, then 404 unless visible."""

    def rule(member: str, target: str | None) -> int | str:
        if member not in REBATE_VIEWERS:
            return 403
        return on_own_row(may)(member, target)

    return rule


view_opportunity = on_opportunity(lambda member: True)
manage_opportunity = on_opportunity(lambda member: member in PARTNER_EDITORS)
view_registration = on_own_row(lambda member: True)
decide_registration = on_own_row(lambda member: member in PARTNER_EDITORS)
view_case = on_own_row(lambda member: True)
work_case = on_own_row(lambda member: member in BRAND_MEMBERS)
view_ledger = on_ledger(lambda member: True)
add_ledger_entry = on_ledger(lambda member: member == "admin")

ROUTES: dict[str, Route] = {
    "GET /sales/opportunities": Route(only(BRAND_MEMBERS)),
    "GET /sales/opportunities/column": Route(only(BRAND_MEMBERS)),
    "GET /sales/opportunities/list": Route(only(BRAND_MEMBERS)),
    "GET /sales/opportunities/new": Route(only(PARTNER_EDITORS)),
    "POST /sales/opportunities/new": Route(only(PARTNER_EDITORS)),
    "GET /sales/opportunities/{opportunity_id:uuid}": Route(view_opportunity, "opportunity"),
    "GET /sales/opportunities/{opportunity_id:uuid}/edit": Route(manage_opportunity, "opportunity"),
    "POST /sales/opportunities/{opportunity_id:uuid}/edit": Route(
        manage_opportunity, "opportunity"
    ),
    "POST /sales/opportunities/{opportunity_id:uuid}/move": Route(
        manage_opportunity, "opportunity"
    ),
    "POST /sales/opportunities/{opportunity_id:uuid}/draft": Route(
        manage_opportunity, "opportunity"
    ),
    "GET /sales/forecast": Route(only(BRAND_MEMBERS)),
    "GET /sales/settings": Route(only({"admin"})),
    "POST /sales/settings": Route(only({"admin"})),
    "GET /sales/registrations": Route(only(REGISTRATION_VIEWERS)),
    "GET /sales/registrations/new": Route(only(SELLERS)),
    "POST /sales/registrations/new": Route(only(SELLERS)),
    "GET /sales/registrations/{registration_id:uuid}": Route(
        view_registration, "deal_registration"
    ),
    "POST /sales/registrations/{registration_id:uuid}/decide": Route(
        decide_registration, "deal_registration"
    ),
    "GET /sales/cases": Route(only(CASE_VIEWERS)),
    "GET /sales/cases/new": Route(only(CASE_VIEWERS)),
    "POST /sales/cases/new": Route(only(CASE_VIEWERS)),
    "GET /sales/cases/{case_id:uuid}": Route(view_case, "service_case"),
    "POST /sales/cases/{case_id:uuid}/reply": Route(view_case, "service_case"),
    "POST /sales/cases/{case_id:uuid}/triage": Route(work_case, "service_case"),
    # A photo that does not exist: 404 for everyone, after the case's own 404.
    "GET /sales/cases/{case_id:uuid}/photos/{photo_id:uuid}": Route(
        lambda member, target: 404, "service_case"
    ),
    "GET /sales/answers": Route(only(CASE_VIEWERS)),
    "POST /sales/answers": Route(only(BRAND_MEMBERS)),
    "GET /sales/answers/{article_id:uuid}/edit": Route(only(BRAND_MEMBERS), "knowledge_article"),
    "POST /sales/answers/{article_id:uuid}/edit": Route(only(BRAND_MEMBERS), "knowledge_article"),
    "GET /sales/rebates": Route(only(REBATE_VIEWERS)),
    "GET /sales/rebates/{partner_id:uuid}": Route(view_ledger, "partner"),
    "POST /sales/rebates/{partner_id:uuid}/entries": Route(add_ledger_entry, "partner"),
    "GET /sales/rebates/programmes/new": Route(only({"admin"})),
    "POST /sales/rebates/programmes/new": Route(only({"admin"})),
    "GET /sales/rebates/programmes/{programme_id:uuid}/edit": Route(
        only({"admin"}), "rebate_programme"
    ),
    "POST /sales/rebates/programmes/{programme_id:uuid}/edit": Route(
        only({"admin"}), "rebate_programme"
    ),
    "GET /sales/care": Route(only({"admin"})),
    "POST /sales/care": Route(only({"admin"})),
    "POST /sales/care/{event_id:uuid}/toggle": Route(only({"admin"}), "care_event"),
    "GET /api/v1/opportunities": Route(only(BRAND_MEMBERS)),
    "GET /api/v1/opportunities/{opportunity_id:uuid}": Route(view_opportunity, "opportunity"),
    "GET /api/v1/deal-registrations": Route(only(REGISTRATION_VIEWERS)),
    "POST /api/v1/deal-registrations": Route(only(SELLERS)),
    "GET /api/v1/cases": Route(only(CASE_VIEWERS)),
    "POST /api/v1/cases": Route(only(CASE_VIEWERS)),
    "GET /api/v1/cases/{case_id:uuid}": Route(view_case, "service_case"),
    "GET /api/v1/rebates/{partner_id:uuid}/balances": Route(view_ledger, "partner"),
    "GET /api/v1/rebates/{partner_id:uuid}/ledger": Route(view_ledger, "partner"),
}


def _cached(kind: str, context: SubjectContext, target: str | None) -> Any:
    return context.cache.get(f"{kind}:{target}")


async def opportunity(context: SubjectContext, target: str | None) -> Any:
    if (found := _cached("opportunity", context, target)) is not None:
        return found
    now = utcnow()
    row = await Opportunity.insert(
        Opportunity(
            organisation=context.cast.organisations()[str(target)].id,
            title="Matrix opportunity",
            kind="reorder_season",
            expected_value=Decimal("1000"),
            expected_close_date=now.date(),
            created_at=now,
            updated_at=now,
        )
    ).returning(Opportunity.uuid)
    context.cache[f"opportunity:{target}"] = row[0]["uuid"]
    return row[0]["uuid"]


async def deal_registration(context: SubjectContext, target: str | None) -> Any:
    if (found := _cached("registration", context, target)) is not None:
        return found
    now = utcnow()
    row = await DealRegistration.insert(
        DealRegistration(
            organisation=context.cast.organisations()[str(target)].id,
            end_customer=f"Customer of {target}",
            customer_key=f"customerof{target}",
            region="CN-SH",
            decision_due_at=now + timedelta(days=5),
            created_at=now,
        )
    ).returning(DealRegistration.uuid)
    context.cache[f"registration:{target}"] = row[0]["uuid"]
    return row[0]["uuid"]


async def service_case(context: SubjectContext, target: str | None) -> Any:
    if (found := _cached("case", context, target)) is not None:
        return found
    now = utcnow()
    row = await ServiceCase.insert(
        ServiceCase(
            organisation=context.cast.organisations()[str(target)].id,
            subject="Matrix case",
            kind="question",
            first_response_due_at=now + timedelta(hours=8),
            resolution_due_at=now + timedelta(hours=40),
            created_at=now,
            updated_at=now,
        )
    ).returning(ServiceCase.uuid)
    context.cache[f"case:{target}"] = row[0]["uuid"]
    return row[0]["uuid"]


async def care_event(context: SubjectContext, target: str | None) -> Any:
    if (found := context.cache.get("care_event")) is not None:
        return found
    row = await CareEvent.insert(
        CareEvent(name="Matrix care", trigger="after_delivery", follow_up_title="Call")
    ).returning(CareEvent.uuid)
    context.cache["care_event"] = row[0]["uuid"]
    return row[0]["uuid"]


async def knowledge_article(context: SubjectContext, target: str | None) -> Any:
    if (found := context.cache.get("knowledge_article")) is not None:
        return found
    row = await KnowledgeArticle.insert(
        KnowledgeArticle(language="en", title="Matrix answer", body="Text", updated_at=utcnow())
    ).returning(KnowledgeArticle.uuid)
    context.cache["knowledge_article"] = row[0]["uuid"]
    return row[0]["uuid"]


async def rebate_programme(context: SubjectContext, target: str | None) -> Any:
    if (found := context.cache.get("rebate_programme")) is not None:
        return found
    today = utcnow().date()
    row = await RebateProgramme.insert(
        RebateProgramme(name="Matrix programme", starts_on=today, ends_on=today)
    ).returning(RebateProgramme.uuid)
    context.cache["rebate_programme"] = row[0]["uuid"]
    return row[0]["uuid"]


SUBJECTS: dict[str, Subject] = {
    "care_event": Subject(care_event),
    "knowledge_article": Subject(knowledge_article),
    "rebate_programme": Subject(rebate_programme),
    "opportunity": Subject(opportunity, SALES_TARGETS),
    "deal_registration": Subject(
        deal_registration, ("distributor_a", "distributor_b", "retailer_a")
    ),
    "service_case": Subject(service_case, SALES_TARGETS),
}
assert set(SALES_TARGETS) <= set(ORGANISATIONS)
