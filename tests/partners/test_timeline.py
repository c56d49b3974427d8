"""Logging calls, visits and notes on a partner's timeline."""

from datetime import UTC, datetime

from partner_portal.audit.tables import AuditEntry
from partner_portal.partners.tables import TimelineEntry
from tests.support import Cast, PortalClient


async def test_a_note_logged_with_htmx_comes_back_as_the_new_entry(
    client: PortalClient, cast: Cast, frozen_clock
) -> None:  # type: ignore[no-untyped-def]
    frozen_clock.frozen_at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    await client.log_in(cast.kam)
    response = await client.post_form(
        f"/partners/{cast.bank.uuid}/timeline",
        {
            "kind": "call",
            "occurred_at": "2026-03-02T09:30",
            "summary": "Uniform sizes due Friday",
            "internal": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith("<li")
    assert "Uniform sizes due Friday" in response.text
    assert 'hx-swap-oob="true"' in response.text  # a fresh form replaces the sent one
    row = await TimelineEntry.select().first()
    assert row is not None
    # 09:30 in Shanghai is 01:30 UTC.
    assert row["occurred_at"] == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert (row["kind"], row["internal"], row["author"]) == ("call", True, cast.kam.id)
    assert await AuditEntry.count().where(AuditEntry.entity_kind == "timeline_entry") == 1


async def test_the_log_form_posts_with_htmx_and_prepends_to_the_timeline(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    page = (await client.get(f"/partners/{cast.bank.uuid}")).text
    assert f'hx-post="/partners/{cast.bank.uuid}/timeline"' in page
    assert 'hx-target="#timeline-list"' in page and 'hx-swap="afterbegin"' in page
    assert 'name="internal" value="1" checked' in page


async def test_without_javascript_logging_goes_back_to_the_partner_page(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        f"/partners/{cast.bank.uuid}/timeline", {"kind": "visit", "summary": "Visited HQ"}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/partners/{cast.bank.uuid}")
    page = (await client.get(f"/partners/{cast.bank.uuid}")).text
    assert "Visited HQ" in page


async def test_an_empty_note_is_refused_with_the_message_in_place(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    plain = await client.post_form(
        f"/partners/{cast.bank.uuid}/timeline", {"kind": "call", "summary": ""}
    )
    assert plain.status_code == 400
    assert "Write what was said or agreed." in plain.text
    htmx = await client.post_form(
        f"/partners/{cast.bank.uuid}/timeline",
        {"kind": "call", "summary": " "},
        headers={"HX-Request": "true"},
    )
    assert htmx.headers["HX-Retarget"] == "#timeline-form"
    assert "Write what was said or agreed." in htmx.text
    assert await TimelineEntry.count() == 0


async def test_partner_users_do_not_see_internal_notes(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.kam)
    await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/timeline",
        {"kind": "note", "summary": "Internal: slow payer", "internal": "1"},
    )
    await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/timeline",
        {"kind": "visit", "summary": "Shared: showroom visit"},
    )
    await client.log_in(cast.distributor)
    page = (await client.get(f"/partners/{cast.distributor_a.uuid}")).text
    assert "Shared: showroom visit" in page
    assert "slow payer" not in page


async def test_partner_users_may_not_log_entries(client: PortalClient, cast: Cast) -> None:
    await client.log_in(cast.distributor)
    response = await client.post_form(
        f"/partners/{cast.distributor_a.uuid}/timeline", {"kind": "note", "summary": "hi"}
    )
    assert response.status_code == 403
    assert await TimelineEntry.count() == 0


async def test_logging_on_an_invisible_partner_answers_404(
    client: PortalClient, cast: Cast
) -> None:
    await client.log_in(cast.kam)
    response = await client.post_form(
        f"/partners/{cast.mill.uuid}/timeline", {"kind": "note", "summary": "hi"}
    )
    assert response.status_code == 404


async def test_the_timeline_is_newest_first_and_paged(client: PortalClient, cast: Cast) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    await TimelineEntry.insert(
        *(
            TimelineEntry(
                organisation=cast.bank.id,
                kind="note",
                occurred_at=now.replace(day=day),
                summary=f"第{day:02}条记录",
                internal=False,
                created_at=now,
            )
            for day in range(1, 26)
        )
    ).run()
    await client.log_in(cast.kam)
    first = (await client.get(f"/partners/{cast.bank.uuid}")).text
    # Summaries that no element id (entry-<uuid>) can contain by chance.
    assert first.index("第25条记录") < first.index("第24条记录")
    assert "第06条记录" in first and "第05条记录" not in first
    older = (await client.get(f"/partners/{cast.bank.uuid}?timeline_page=2")).text
    assert "第05条记录" in older and "第01条记录" in older and "第06条记录" not in older
