"""Templates: variables filled in, bad templates refused with the line and the reason,
sample-data previews, and clause versions."""

from __future__ import annotations

from contracts import library, rendering, template_values
from contracts.access import get_clause
from contracts.tables import ContractTemplate
from tests.contracts.support import TEMPLATE_BODY, make_template, viewer
from tests.pdfs import pdf_text
from tests.support import Cast, PortalClient


async def test_variables_are_filled_from_the_partner_terms_and_clauses(cast: Cast) -> None:
    bodies = {"confidentiality": "<p>Keep it for {{ terms.notice_days }} days</p>"}
    context = template_values.sample_context(bodies)
    html = rendering.render_body(TEMPLATE_BODY, context)
    assert "示例贸易有限公司 · 샘플무역 주식회사" in html
    assert "CNY 800,000.00" in html
    assert "Keep it for 90 days" in html


async def test_an_unknown_variable_is_refused_with_its_line_and_nothing_is_saved(
    client: PortalClient, cast: Cast
) -> None:
    await make_template(cast.admin)
    await client.sign_in(cast.admin)
    body = "<p>{{ partner.legal_name }}</p>\n<p>{{ terms.territory }}</p>\n<p>{{ partner.legal_nme }}</p>"
    response = await client.post_form(
        "/contracts/templates/new",
        {"name": "Broken", "kind": "distribution", "language": "en", "body": body},
    )
    assert response.status_code == 400
    assert "Line 3" in response.text
    assert "partner.legal_nme" in response.text
    assert not await ContractTemplate.exists().where(ContractTemplate.name == "Broken")


async def test_a_syntax_error_and_an_unknown_clause_are_refused_with_their_lines(
    client: PortalClient, cast: Cast
) -> None:
    await make_template(cast.admin)
    await client.sign_in(cast.admin)
    for body, expected in (
        ("<p>ok</p>\n{% if terms.tier %}\n<p>gold</p>", "Line 3"),
        ("<p>ok</p>\n{{ clause('no_such_clause') }}", "no clause named"),
        ("<p>{{ terms.tier.__class__.__mro__ }}</p>", "not allowed"),
    ):
        response = await client.post_form(
            "/contracts/templates/new",
            {"name": "Broken", "kind": "distribution", "language": "en", "body": body},
        )
        assert response.status_code == 400, body
        assert expected in response.text, body


def test_the_sandbox_refuses_python_internals() -> None:
    problems = rendering.check_source(
        "<p>{{ terms.tier.__class__.__base__.__subclasses__() }}</p>",
        frozenset(),
        template_values.sample_context(),
    )
    assert problems and problems[0].line == 1
    assert "not allowed" in problems[0].reason


async def test_the_preview_prints_the_template_with_sample_data(
    client: PortalClient, cast: Cast
) -> None:
    template_uuid = await make_template(cast.admin)
    await client.sign_in(cast.admin)
    response = await client.get(f"/contracts/templates/{template_uuid}/preview")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "示例贸易有限公司" in text and "샘플무역" in text


async def test_saving_a_clause_keeps_its_earlier_versions(cast: Cast) -> None:
    await make_template(cast.admin)
    admin = await viewer(cast.admin)
    clause = next(row for row in await library.list_clauses() if row["key"] == "confidentiality")
    result = await library.save_clause(
        admin,
        await get_clause(admin, clause["uuid"]),
        {"key": "confidentiality", "title": "Confidentiality", "body": "<p>Two years.</p>"},
    )
    assert result.saved
    clause = next(row for row in await library.list_clauses() if row["key"] == "confidentiality")
    assert clause["current_number"] == 2
    assert [version["number"] for version in clause["versions"]] == [2, 1]
    assert (await library.clause_bodies())["confidentiality"] == "<p>Two years.</p>"


def test_a_term_named_like_a_method_prints_the_term() -> None:
    # terms.items is the term "items" (the group purchase template prints it), not dict.items.
    html = rendering.render_body(
        "<p>{{ terms.items | nl2br }}</p>", template_values.sample_context()
    )
    assert "170/88A" in html and "built-in method" not in html
