"""Satisfaction surveys: one per delivered order, a secret link, one answer, in the
buyer's language; the answers feed the partner's satisfaction."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from insights import figures, surveys
from insights.tables import PartnerMetrics, Survey
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.notifications.tables import OutboxEmail
from partner_portal.orders import services as orders
from partner_portal.orders.tables import OrderStatus
from tests.insights.support import book
from tests.orders.support import make_shop
from tests.support import Cast, PortalClient


async def delivered_order(cast: Cast, clock: Any) -> Any:
    shop = await make_shop()
    order_uuid = await book(
        cast,
        clock,
        shop,
        datetime(2026, 3, 1, tzinfo=UTC),
        cast.distributor,
        cast.distributor_a,
        "S",
        4,
    )
    staff = await viewer_for_user_id(cast.staff.id)
    await orders.change_status(staff, order_uuid, OrderStatus.shipped)
    await orders.change_status(staff, order_uuid, OrderStatus.delivered)
    await OutboxEmail.delete(force=True)  # the status mails; these tests read the survey's
    return order_uuid


def link_in(text: str) -> str:
    match = re.search(r"/survey/([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def test_a_delivered_order_gets_one_survey_in_the_buyers_language(
    cast: Cast, frozen_clock: Any
) -> None:
    await delivered_order(cast, frozen_clock)

    first = await surveys.send_due_surveys()
    second = await surveys.send_due_surveys()

    assert (first, second) == ("1 surveys sent", "0 surveys sent")
    mails = await OutboxEmail.select(
        OutboxEmail.recipient, OutboxEmail.subject, OutboxEmail.body_text
    )
    assert [mail["recipient"] for mail in mails] == [cast.distributor.email]
    assert "/survey/" in mails[0]["body_text"]
    assert await Survey.count() == 1


async def test_the_link_takes_one_answer_and_then_thanks(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await delivered_order(cast, frozen_clock)
    await surveys.send_due_surveys()
    mail = await OutboxEmail.select(OutboxEmail.body_text).first()
    assert mail is not None
    token = link_in(mail["body_text"])

    page = await client.get(f"/survey/{token}")
    bad = await client.post_form(f"/survey/{token}", {"score": "11"})
    answered = await client.post_form(f"/survey/{token}", {"score": "9", "comment": "发货很快"})
    again = await client.post_form(f"/survey/{token}", {"score": "0"})

    assert page.status_code == 200 and "SO-" in page.text
    assert bad.status_code == 400
    assert answered.status_code == 200
    assert again.status_code == 400 and "answered" in again.text
    survey = await Survey.select(Survey.score, Survey.comment).first()
    assert survey == {"score": 9, "comment": "发货很快"}


async def test_a_wrong_or_expired_link_shows_a_plain_page(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await delivered_order(cast, frozen_clock)
    await surveys.send_due_surveys()
    mail = await OutboxEmail.select(OutboxEmail.body_text).first()
    assert mail is not None
    token = link_in(mail["body_text"])

    wrong = await client.get("/survey/" + "x" * 32)
    frozen_clock.frozen_at = frozen_clock.frozen_at + timedelta(days=31)
    expired = await client.post_form(f"/survey/{token}", {"score": "5"})

    assert wrong.status_code == 404 and "not valid" in wrong.text
    assert expired.status_code == 400 and "closed" in expired.text
    assert (await Survey.select(Survey.score).first()) == {"score": None}


async def test_answers_raise_the_partners_satisfaction(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await delivered_order(cast, frozen_clock)
    await surveys.send_due_surveys()
    mail = await OutboxEmail.select(OutboxEmail.body_text).first()
    assert mail is not None
    await client.post_form(f"/survey/{link_in(mail['body_text'])}", {"score": "10"})

    await figures.recompute_metrics(frozen_clock.frozen_at.date())

    row = (
        await PartnerMetrics.select(PartnerMetrics.satisfaction, PartnerMetrics.surveys)
        .where(PartnerMetrics.organisation == cast.distributor_a.id)
        .first()
    )
    assert row == {"satisfaction": 10.0, "surveys": 1}


async def test_the_satisfaction_page_shows_each_partners_score_and_their_comment(
    cast: Cast, client: PortalClient, frozen_clock: Any
) -> None:
    await delivered_order(cast, frozen_clock)
    await surveys.send_due_surveys()
    mail = await OutboxEmail.select(OutboxEmail.body_text).first()
    assert mail is not None
    await client.post_form(
        f"/survey/{link_in(mail['body_text'])}", {"score": "6", "comment": "包装破损"}
    )
    await client.log_in(cast.admin)

    page = await client.get("/insights/satisfaction")

    assert page.status_code == 200
    partner_row = page.text.split(f'href="/partners/{cast.distributor_a.uuid}"')[1]
    assert cast.distributor_a.legal_name in partner_row.split("</tr>")[0]
    assert "-100" in partner_row.split("</tr>")[0]  # one detractor: NPS -100
    assert "包装破损" in page.text and "6/10" in page.text
