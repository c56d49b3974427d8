"""A contract PDF carries nothing from the machine: a partner's name stays text, a
template's markup is limited to document structure (refused on save, cleaned when
printed), and a template cannot keep the server busy (refused on save and when issued,
within a budget, while the server keeps answering)."""

from __future__ import annotations

import asyncio
import html
import threading
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest

from contracts import rendering, template_values
from contracts.demo import CLAUSES, TEMPLATES
from contracts.markup import clean_html
from contracts.records import VersionRecord
from contracts.tables import ContractTemplate, ContractVersion
from partner_portal.clock import utcnow
from partner_portal.partners.tables import Organisation, User
from tests.contracts.support import contract_row, issue, make_contract, make_template
from tests.http_receiver import Receiver
from tests.pdfs import annotation_attachments, embedded_files, pdf_text, picture_count
from tests.support import Cast, PortalClient

HOSTILE_NAME = "x</style><link rel=attachment href=file:///proc/self/environ>"
NESTED_LOOPS = (
    "<p>{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}</p>"
)


def without_spaces(text: str) -> str:
    return "".join(text.split())


def reaching_out(far: str) -> dict[str, tuple[str, str]]:
    """Template texts that would make the PDF read a file or an address, and the words of
    the refusal that names what is not allowed."""
    return {
        "attachment": (
            "<p>Terms</p>\n<link rel=attachment href=file:///proc/self/environ>",
            "<link>",
        ),
        "picture": ("<p>Logo</p><img src=file:///etc/hostname>", "<img>"),
        "remote picture": (f'<p>Logo</p><img src="{far}/pixel.png">', "<img>"),
        "css url": (
            '<p style="background: url(file:///etc/hostname)">Terms</p>',
            'style="background: url(file:///etc/hostname)"',
        ),
        "import": (f'<style>@import url("{far}/x.css");</style><p>Terms</p>', "<style>"),
        "attachment link": (
            f'<p><a rel="attachment" href="{far}/terms">terms</a></p>',
            f"not to {far}/terms",
        ),
        "built tag": (
            '<p>Terms</p><{{ "link rel=attachment href=file:///etc/hostname" }}>',
            "<link>",
        ),
        "autoescape off": (
            "<p>{% autoescape false %}{{ partner.legal_name }}{% endautoescape %}</p>",
            "{% autoescape %} is not available",
        ),
    }


def template_form(body: str, name: str = "Reaches out") -> dict[str, str]:
    return {"name": name, "kind": "distribution", "language": "en", "body": body}


async def test_a_partner_name_stays_text_in_the_contract_and_attaches_nothing(
    client: PortalClient, cast: Cast
) -> None:
    await Organisation.update({Organisation.legal_name: HOSTILE_NAME}).where(
        Organisation.id == cast.distributor_a.id
    )
    contract = await make_contract(cast.admin, cast.distributor_a, await make_template(cast.admin))
    version = await issue(cast.admin, contract)
    await client.sign_in(cast.distributor)

    pdf = (await client.get(f"/contracts/versions/{version.uuid}/pdf")).content

    assert embedded_files(pdf) == {} and annotation_attachments(pdf) == []
    text = pdf_text(pdf)
    # The name prints as written: in the running header, the title, the parties and the
    # signatures.
    assert without_spaces(text).count(without_spaces(HOSTILE_NAME)) == 4
    assert without_spaces(text).startswith(without_spaces(f"锦绣服饰有限公司 · {HOSTILE_NAME}"))
    # The document's stylesheet survived: the footer and the page numbers print.
    assert f"SHA-256 {version.fingerprint}" in text and "1/1" in without_spaces(text)


@pytest.mark.parametrize(
    "vector",
    [
        "attachment",
        "picture",
        "remote picture",
        "css url",
        "import",
        "attachment link",
        "built tag",
        "autoescape off",
    ],
)
async def test_a_template_that_reaches_out_is_refused_naming_what_is_not_allowed(
    client: PortalClient, cast: Cast, receiver: Receiver, vector: str
) -> None:
    body, refusal = reaching_out(receiver.url)[vector]
    await client.sign_in(cast.admin)

    response = await client.post_form("/contracts/templates/new", template_form(body))

    assert response.status_code == 400
    assert refusal in html.unescape(response.text)
    assert not await ContractTemplate.exists().where(ContractTemplate.name == "Reaches out")
    assert receiver.requests == []


async def test_the_refusal_is_in_the_readers_language(client: PortalClient, cast: Cast) -> None:
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.admin.id)
    await client.sign_in(cast.admin)

    response = await client.post_form(
        "/contracts/templates/new",
        template_form("<p>Logo</p>\n<img src=file:///etc/hostname>"),
    )

    assert response.status_code == 400
    assert "第 2 行" in response.text and "合同文本中不允许使用元素 &lt;img&gt;" in response.text


async def _saved_without_checks(body: str) -> Any:
    """A template as one saved before today's checks would be (straight into the table)."""
    now = utcnow()
    row = (
        await ContractTemplate.insert(
            ContractTemplate(
                name="Saved long ago",
                kind="distribution",
                language="en",
                body=body,
                is_active=True,
                created_at=now,
                updated_at=now,
            )
        )
        .returning(ContractTemplate.uuid)
        .run()
    )
    return row[0]["uuid"]


async def test_a_template_saved_before_the_checks_prints_nothing_it_names(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    await make_template(cast.admin)  # the clause library
    vectors = reaching_out(receiver.url)
    del vectors["autoescape off"]  # refused when printed: see the test after the next
    body = "\n".join(text for text, _ in vectors.values()) + (
        "\n<p>The distributor sells in {{ terms.territory }}.</p>"
    )
    template = await _saved_without_checks(body)
    contract = await make_contract(cast.admin, cast.distributor_a, template)

    version = await issue(cast.admin, contract)

    pdf = Path(rendering_media(version)).read_bytes()
    # Region codes print as the names the contract's language gives them.
    assert "The distributor sells in Shanghai, Jiangsu." in pdf_text(pdf)
    assert embedded_files(pdf) == {} and annotation_attachments(pdf) == []
    assert picture_count(pdf) == 0
    stored = await ContractVersion.select(ContractVersion.body_html).first()
    assert stored is not None
    for markup in ("<link", "<img", "<style", "style=", "rel=", "href="):
        assert markup not in stored["body_html"]
    await client.sign_in(cast.admin)
    preview = await client.get(f"/contracts/templates/{template}/preview")
    assert embedded_files(preview.content) == {} and picture_count(preview.content) == 0
    assert receiver.requests == []


def rendering_media(version: VersionRecord) -> Path:
    from contracts.documents import media_root

    return media_root() / version.pdf_path


HEAVY_TEMPLATES = {
    "nested loops": (NESTED_LOOPS, "too much work"),
    "huge range": ("<p>{% for a in range(10 ** 9) %}x{% endfor %}</p>", "at most 10000 numbers"),
    "string repeat": ("<p>{{ 'x' * 10 ** 8 }}</p>", "longer than 20000 characters"),
    "power": ("<p>{{ (3 ** (10 ** 7)) % 7 }}</p>", "number that is too large"),
    "macro calling itself twice": (
        "{% macro twice(n) %}{% if n %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}"
        "{% endmacro %}<p>{{ twice(20) }}</p>",
        "too much work",
    ),
    "text doubling in a macro": (
        "{% macro doubled(s, n) %}{% if n %}{{ doubled(s ~ s, n - 1) }}{% else %}"
        "{{ s|length }}{% endif %}{% endmacro %}<p>{{ doubled('x', 28) }}</p>",
        "longer than 20000 characters",
    ),
}


@pytest.mark.parametrize("kind", list(HEAVY_TEMPLATES))
async def test_a_template_that_would_keep_the_server_busy_is_refused_on_save(
    client: PortalClient, cast: Cast, kind: str
) -> None:
    body, refusal = HEAVY_TEMPLATES[kind]
    await client.sign_in(cast.admin)

    response = await client.post_form("/contracts/templates/new", template_form(body, "Heavy"))

    assert response.status_code == 400
    assert refusal in response.text
    assert not await ContractTemplate.exists().where(ContractTemplate.name == "Heavy")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (NESTED_LOOPS, "too much work"),
        (
            "<p>{% autoescape false %}{{ partner.legal_name }}{% endautoescape %}</p>",
            "{% autoescape %} is not available",
        ),
    ],
)
async def test_issuing_a_template_saved_before_the_checks_that_breaks_them_issues_nothing(
    client: PortalClient, cast: Cast, media_dir: Path, body: str, reason: str
) -> None:
    template = await _saved_without_checks(body)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    await client.sign_in(cast.admin)

    response = await client.post_form(f"/contracts/{contract['uuid']}/issue")

    assert response.status_code == 409
    page = html.unescape(response.text)
    assert "The template does not render" in page and reason in page
    assert await ContractVersion.count() == 0
    assert (await contract_row(contract["uuid"]))["status"] == "draft"
    assert not list(media_dir.rglob("*.pdf"))


async def test_the_server_answers_healthz_while_a_heavy_template_is_checked(
    cast: Cast, live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template check renders in a worker thread: while it keeps a CPU busy, the event
    loop still answers /healthz. The real rendering runs again and again (each time
    until its budget is spent) for as long as the test asks, so the order of events is
    certain; were the rendering on the event loop, no answer could come while it runs."""
    started, finished, probed = threading.Event(), threading.Event(), threading.Event()
    render = rendering.render_body

    def render_until_probed(source: str, context: Any) -> str:
        started.set()
        try:
            while True:
                try:
                    return render(source, context)
                except Exception:
                    if probed.is_set():
                        raise
        finally:
            finished.set()

    monkeypatch.setattr(rendering, "render_body", render_until_probed)
    answered_while_rendering = 0
    async with (
        PortalClient(base_url=live_server) as admin,
        httpx.AsyncClient(base_url=live_server) as probe,
    ):
        await admin.sign_in(cast.admin)
        await admin.csrf_token()
        saving = asyncio.create_task(
            admin.post_form("/contracts/templates/new", template_form(NESTED_LOOPS, "Heavy"))
        )
        try:
            await anyio.to_thread.run_sync(started.wait, 60)
            for _ in range(3):
                assert (await probe.get("/healthz")).status_code == 200
                answered_while_rendering += not finished.is_set()
        finally:
            probed.set()
        saved = await saving

    assert answered_while_rendering == 3
    assert saved.status_code == 400 and "too much work" in saved.text


def test_the_demo_templates_and_clauses_pass_the_checks_unchanged() -> None:
    clauses = {key: body for key, (_, body) in CLAUSES.items()}
    for name, _, _, body in TEMPLATES:
        context = template_values.sample_context(clauses)
        assert rendering.check_source(body, frozenset(clauses), context) == [], name
        assert clean_html(rendering.render_body(body, context)).refusals == (), name
    for key, body in clauses.items():
        assert rendering.check_source(body, None, template_values.sample_context(), False) == [], (
            key
        )
