"""Satisfaction surveys: sent after delivery through a signed link, answered without an
account, and summed up (NPS) for the brand."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from insights.access import InsightAction
from insights.figures import SURVEY_DAYS
from insights.network import visible_partners
from insights.records import InsightPartner, SurveyAnswer, SurveyRecord
from insights.tables import (
    Survey,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.accounts.services import hash_secret
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.notifications.services import mail_user
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import (
    User,
)
from partner_portal.settings import current_settings

# ---------------------------------------------------------------------------
# Satisfaction surveys


SURVEY_EMAIL = "satisfaction_survey"


@access.system_query("scheduled job: surveys for every delivered order")
async def send_due_surveys() -> str:
    """After delivery, the buyer's person gets a survey link (once per order: the survey
    row is unique per order and is written with its e-mail in one transaction)."""
    settings = current_settings()
    since = utcnow() - timedelta(days=SURVEY_DAYS)
    due = await Order.select(
        Order.id, Order.uuid, Order.number, Order.buyer, Order.placed_by, Order.status_changed_at
    ).where(
        (Order.status == OrderStatus.delivered)
        & (Order.status_changed_at >= since)
        & Order.id.not_in(Survey.select(Survey.order))
    )
    sent = 0
    for order in due:
        recipient = (
            await User.select(User.id, User.email, User.display_name, User.locale, User.time_zone)
            .where(
                (User.organisation == order["buyer"])
                & (User.is_active == True)  # noqa: E712
                & ((User.id == order["placed_by"]) | (User.is_org_admin == True))  # noqa: E712
            )
            .order_by(User.is_org_admin)
            .first()
        )
        token = secrets.token_urlsafe(24)
        now = utcnow()
        async with write_transaction():
            inserted = (
                await Survey.insert(
                    Survey(
                        order=order["id"],
                        organisation=order["buyer"],
                        recipient=recipient["id"] if recipient else None,
                        token_hash=hash_secret(token),
                        sent_at=now,
                        expires_at=now + timedelta(days=SURVEY_DAYS),
                    )
                )
                .on_conflict(target=Survey.order, action="DO NOTHING")
                .returning(Survey.id)
            )
            if not inserted or recipient is None:
                continue
            await mail_user(
                recipient,
                SURVEY_EMAIL,
                "satisfaction_survey",
                {
                    "name": recipient["display_name"],
                    "number": order["number"],
                    "link": f"{settings.base_url}/survey/{token}",
                },
                settings,
            )
            sent += 1
    return f"{sent} surveys sent"


@dataclass
class SurveyView:
    survey: SurveyRecord | None
    problem: str = ""


@access.system_query("a survey's signed link: the token is the key")
async def survey_for_token(token: str) -> SurveyView:
    """The survey a link opens, or why it does not (unknown, expired, answered)."""
    if not 20 <= len(token) <= 64:
        return SurveyView(None, _("This link is not valid."))
    row = (
        await Survey.select(
            *Survey.all_columns(),
            Survey.order._.number.as_alias("number"),
            Survey.organisation._.legal_name.as_alias("partner_name"),
        )
        .where(Survey.token_hash == hash_secret(token))
        .first()
    )
    if row is None:
        return SurveyView(None, _("This link is not valid."))
    survey = SurveyRecord.from_row(row)
    if survey.answered_at is not None:
        return SurveyView(survey, _("Thank you: this survey has been answered."))
    if survey.expires_at < utcnow():
        return SurveyView(survey, _("This survey has closed."))
    return SurveyView(survey)


@access.system_query("a survey's signed link: the token is the key")
async def answer_survey(token: str, score_text: str, comment: str) -> SaveResult:
    view = await survey_for_token(token)
    if view.survey is None or view.problem:
        return SaveResult(errors={"token": view.problem})
    score = whole_number(score_text, maximum=10)
    if score is None:
        return SaveResult(errors={"score": _("Choose a score from 0 to 10.")})
    if len(comment) > 2000:
        return SaveResult(errors={"comment": _("At most 2,000 characters.")})
    async with write_transaction():
        answered = (
            await Survey.update(
                {
                    Survey.score: score,
                    Survey.comment: comment.strip(),
                    Survey.answered_at: utcnow(),
                }
            )
            .where((Survey.id == view.survey.id) & Survey.answered_at.is_null())
            .returning(Survey.id)
        )
    if not answered:
        return SaveResult(errors={"token": _("Thank you: this survey has been answered.")})
    return SaveResult(uuid=view.survey.uuid)


@dataclass(frozen=True)
class SatisfactionResults:
    """The satisfaction page: NPS per partner and per KAM (each with how many answers), the
    latest comments and the names of the partners they came from."""

    partners: list[tuple[InsightPartner, int, int]]
    kams: list[tuple[str, int, int]]
    comments: list[SurveyAnswer]
    partner_names: dict[int, str]


async def satisfaction_results(viewer: Viewer, today: date) -> SatisfactionResults:
    """NPS per partner and per KAM over the last 12 months (promoters 9-10, detractors 0-6)."""
    access.require(viewer, InsightAction.view_insights)
    partners = {partner["id"]: partner for partner in await visible_partners(viewer)}
    since = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    answers = SurveyAnswer.from_rows(
        await Survey.select(Survey.organisation, Survey.score, Survey.comment, Survey.answered_at)
        .where((Survey.answered_at >= since) & Survey.organisation.is_in(list(partners) or [-1]))
        .order_by(Survey.answered_at, ascending=False)
    )
    by_partner: dict[int, list[int]] = defaultdict(list)
    by_kam: dict[str, list[int]] = defaultdict(list)
    for answer in answers:
        by_partner[answer.organisation].append(answer.score)
        by_kam[partners[answer.organisation]["owner_name"] or _("No owner")].append(answer.score)
    return SatisfactionResults(
        partners=sorted(
            ((partners[key], nps(scores), len(scores)) for key, scores in by_partner.items()),
            key=lambda item: item[1],
        ),
        kams=sorted(
            ((name, nps(scores), len(scores)) for name, scores in by_kam.items()),
            key=lambda item: item[1],
        ),
        comments=[answer for answer in answers if answer.comment][:20],
        partner_names={key: partner["legal_name"] for key, partner in partners.items()},
    )


def nps(scores: Sequence[int]) -> int:
    """Net promoter score: % promoters (9-10) less % detractors (0-6)."""
    if not scores:
        return 0
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return round(100 * (promoters - detractors) / len(scores))
