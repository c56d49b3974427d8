"""The brand edits its rebate programmes (tiers per season, points rate, term) and its
knowledge-base answers (per language); bad input and stale forms save nothing, partners
may not, and the ledger keeps what it booked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog.tables import Season
from sales import knowledge, rebates
from sales.tables import KnowledgeArticle, LedgerEntry, RebateProgramme, RebateTier
from tests.sales.support import make_order
from tests.sales.test_rebates import NOW, _programme
from tests.support import Cast, PortalClient

EDIT_FORM = {
    "name": "Channel rebate 2026",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "currency": "CNY",
    "points_per_hundred": "2",
    "points_expiry_days": "180",
    "tiers": "1,500,000 2.5\n3000000 4%",
    "version": "1",
}


async def _tiers(programme_id: int) -> list[tuple[Decimal, Decimal]]:
    rows = await RebateTier.select().where(RebateTier.programme == programme_id)
    return sorted((Decimal(row["threshold"]), Decimal(row["percent"])) for row in rows)


async def _stored(programme_id: int) -> dict[str, Any]:
    row = await RebateProgramme.select().where(RebateProgramme.id == programme_id).first()
    assert row is not None
    return row


async def test_the_admin_changes_rates_term_and_tiers_and_the_ledger_keeps_its_entries(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    programme = await _programme()
    order = await make_order(cast.distributor_a, "250000.00", submitted_at=NOW)
    await rebates.run_rebates()
    await client.sign_in(cast.admin)

    form = await client.get(f"/sales/rebates/programmes/{programme['uuid']}/edit")
    assert "1000000 2\n2000000 3" in form.text
    response = await client.post_form(
        f"/sales/rebates/programmes/{programme['uuid']}/edit", EDIT_FORM
    )

    assert response.status_code == 303
    stored = await _stored(programme["id"])
    assert (stored["points_per_hundred"], stored["points_expiry_days"], stored["version"]) == (
        Decimal("2"),
        180,
        2,
    )
    assert await _tiers(programme["id"]) == [
        (Decimal("1500000"), Decimal("2.5")),
        (Decimal("3000000"), Decimal("4")),
    ]
    [earned] = await LedgerEntry.select().where(LedgerEntry.order_uuid == order["uuid"])
    assert (earned["programme"], earned["points"]) == (programme["id"], Decimal("2500"))
    [entry] = (
        await AuditEntry.select()
        .where(AuditEntry.entity_uuid == programme["uuid"], AuditEntry.action == "update")
        .output(load_json=True)
    )
    assert entry["changes"]["tiers"][1] == ["1500000 2.5%", "3000000 4%"]
    overview = await client.get("/sales/rebates")
    assert "4% from" in overview.text


async def test_a_programme_moves_to_a_season_by_its_code(client: PortalClient, cast: Cast) -> None:
    programme = await _programme()
    season = (
        await Season.insert(
            Season(code="AW26", name="Autumn/Winter 2026", created_at=NOW)
        ).returning(Season.id, Season.code)
    )[0]
    await client.sign_in(cast.admin)

    response = await client.post_form(
        f"/sales/rebates/programmes/{programme['uuid']}/edit",
        {**EDIT_FORM, "season": season["code"].lower()},
    )

    assert response.status_code == 303
    assert (await _stored(programme["id"]))["season"] == season["id"]


async def test_bad_programme_input_saves_nothing(client: PortalClient, cast: Cast) -> None:
    programme = await _programme()
    await client.sign_in(cast.admin)
    url = f"/sales/rebates/programmes/{programme['uuid']}/edit"

    bad_tiers = await client.post_form(url, {**EDIT_FORM, "tiers": "lots 2\n"})
    bad_dates = await client.post_form(url, {**EDIT_FORM, "ends_on": "2025-12-31"})
    bad_term = await client.post_form(url, {**EDIT_FORM, "points_expiry_days": "0"})
    bad_season = await client.post_form(url, {**EDIT_FORM, "season": "ZZ99"})

    assert [r.status_code for r in (bad_tiers, bad_dates, bad_term, bad_season)] == [400] * 4
    assert "Write one tier a line" in bad_tiers.text
    assert "The last day comes after the first." in bad_dates.text
    stored = await _stored(programme["id"])
    assert (stored["points_per_hundred"], stored["version"]) == (Decimal("1"), 1)
    assert await _tiers(programme["id"]) == [
        (Decimal("1000000"), Decimal("2")),
        (Decimal("2000000"), Decimal("3")),
    ]


async def test_a_stale_programme_form_saves_nothing(client: PortalClient, cast: Cast) -> None:
    programme = await _programme()
    await client.sign_in(cast.admin)
    url = f"/sales/rebates/programmes/{programme['uuid']}/edit"

    first = await client.post_form(url, EDIT_FORM)
    stale = await client.post_form(url, {**EDIT_FORM, "points_per_hundred": "5"})

    assert (first.status_code, stale.status_code) == (303, 409)
    assert "Someone saved this record after you opened it" in stale.text
    assert (await _stored(programme["id"]))["points_per_hundred"] == Decimal("2")


async def test_only_the_brands_rebate_managers_edit_programmes(
    client: PortalClient, cast: Cast
) -> None:
    programme = await _programme()
    url = f"/sales/rebates/programmes/{programme['uuid']}/edit"
    for member in (cast.kam, cast.distributor):
        await client.sign_in(member)
        assert (await client.get(url)).status_code == 403
        assert (await client.post_form(url, EDIT_FORM)).status_code == 403
    assert (await _stored(programme["id"]))["version"] == 1


async def _answer(language: str = "en") -> Any:
    row = await KnowledgeArticle.insert(
        KnowledgeArticle(
            language=language,
            title="Return window",
            body="Unworn goods return within 30 days.",
            updated_at=NOW,
        )
    ).returning(KnowledgeArticle.uuid)
    return row[0]["uuid"]


async def test_an_agent_rewrites_an_answer_in_another_language_and_partners_find_it(
    client: PortalClient, cast: Cast
) -> None:
    answer = await _answer()
    await client.sign_in(cast.staff)

    response = await client.post_form(
        f"/sales/answers/{answer}/edit",
        {
            "title": "반품 기간",
            "body": "미착용 상품은 30일 이내 반품.",
            "language": "ko",
            "version": "1",
        },
    )

    assert response.status_code == 303
    row = await KnowledgeArticle.select().where(KnowledgeArticle.uuid == answer).first()
    assert row is not None
    assert (row["language"], row["title"], row["version"]) == ("ko", "반품 기간", 2)
    assert await AuditEntry.exists().where(
        AuditEntry.entity_uuid == answer, AuditEntry.action == "update"
    )

    assert [found["title"] for found in await knowledge.search_articles("ko", "반품")] == [
        "반품 기간"
    ]
    assert await knowledge.search_articles("en", "return") == []


async def test_bad_answer_input_saves_nothing_and_partners_may_not_edit(
    client: PortalClient, cast: Cast
) -> None:
    answer = await _answer()
    url = f"/sales/answers/{answer}/edit"
    await client.sign_in(cast.kam)

    empty = await client.post_form(url, {"title": "", "body": "", "language": "en", "version": "1"})
    language = await client.post_form(
        url, {"title": "Return", "body": "Text", "language": "fr", "version": "1"}
    )
    await client.sign_in(cast.distributor)
    partner = await client.post_form(
        url, {"title": "Mine", "body": "Text", "language": "en", "version": "1"}
    )

    assert (empty.status_code, language.status_code, partner.status_code) == (400, 400, 403)
    assert "Give the answer a title." in empty.text
    assert "Choose English, Simplified Chinese or Korean." in language.text
    row = await KnowledgeArticle.select().where(KnowledgeArticle.uuid == answer).first()
    assert row is not None and (row["title"], row["version"]) == ("Return window", 1)
