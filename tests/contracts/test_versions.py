"""Issuing freezes a version: its PDF (with both parties' names in Chinese and Korean and
the fingerprint) is stored with its SHA-256, and later edits never change it."""

from __future__ import annotations

import hashlib

from contracts import documents, drafting
from contracts.tables import ContractTemplate, ContractVersion
from tests.contracts.support import (
    contract_row,
    issue,
    make_contract,
    make_template,
    seen_by,
    viewer,
)
from tests.pdfs import pdf_text
from tests.support import Cast, PortalClient


async def test_the_pdf_names_both_parties_in_their_scripts_and_prints_its_fingerprint(
    client: PortalClient, cast: Cast
) -> None:
    template = await make_template(cast.admin)
    # distributor_b is Korean (서울패션유통); the brand is Chinese (锦绣服饰有限公司).
    contract = await make_contract(cast.admin, cast.distributor_b, template, currency="KRW")
    version = await issue(cast.admin, contract)
    await client.sign_in(cast.other_distributor)
    response = await client.get(f"/contracts/versions/{version.uuid}/pdf")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == version.pdf_sha256
    text = pdf_text(response.content)
    assert "서울패션유통" in text
    assert "锦绣服饰有限公司" in text
    assert version.fingerprint in text.replace("\n", "")
    assert "KRW 500,000" in text
    assert version.page_count >= 1


async def test_editing_after_issue_makes_a_new_version_and_keeps_the_issued_pdf(
    cast: Cast,
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    first = await issue(cast.admin, contract)
    stored = documents.read_pdf(first.pdf_path)

    # The template and the terms change after issue.
    await ContractTemplate.update({ContractTemplate.body: "<p>Rewritten</p>"}).where(
        ContractTemplate.uuid == template
    )
    admin = await viewer(cast.admin)
    issued = await seen_by(cast.admin, contract["uuid"])
    values = {"title": issued.title, "version": str(issued.version), **issued.terms}
    saved = await drafting.update_contract(admin, issued, {**values, "credit_limit": "900000"})
    assert saved.saved
    assert (await contract_row(contract["uuid"]))["status"] == "draft"
    second = await issue(cast.admin, contract)

    assert second.number == 2
    assert documents.read_pdf(first.pdf_path) == stored
    assert hashlib.sha256(stored).hexdigest() == first.pdf_sha256
    assert second.pdf_sha256 != first.pdf_sha256
    # The new version follows the new template; the issued one keeps its text.
    assert "Rewritten" in pdf_text(documents.read_pdf(second.pdf_path))
    assert "Rewritten" not in pdf_text(stored)
    assert second.terms["credit_limit"] == "900000"
    assert first.terms["credit_limit"] == "500000"
    versions = await ContractVersion.select(
        ContractVersion.number, ContractVersion.superseded_at
    ).order_by(ContractVersion.number)
    assert versions[0]["superseded_at"] is not None and versions[1]["superseded_at"] is None


async def test_a_contract_cannot_be_issued_with_missing_terms(
    client: PortalClient, cast: Cast
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    await client.sign_in(cast.kam)
    response = await client.post_form(
        f"/contracts/{contract['uuid']}/edit",
        {
            "title": contract["title"],
            "version": str(contract["version"]),
            "start_date": "2027-13-01",
        },
    )
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD." in response.text
    assert (await contract_row(contract["uuid"]))["terms"] == contract["terms"]
