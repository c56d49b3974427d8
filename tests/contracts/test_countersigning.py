"""The brand's countersignature, signed the way the acceptance is: the partner's sealed PDF
gets a second PAdES signature added incrementally, with a second completion entry (who
countersigned, when, from where, the accepted PDF's SHA-256) shown on the completion
page. Both signatures hold for pyHanko's validator and poppler's pdfsig, and the verify
page reports both and the stage, and refuses a copy changed in any byte."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path
from typing import Any

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contracts import acceptance, sealing
from contracts.tables import ContractSignature, SignatureDecision, SignatureSide
from tests.contracts.support import (
    contract_row,
    issue,
    make_contract,
    make_template,
    seen_by,
    sign_form,
    viewer,
)
from tests.pdfs import pdf_text
from tests.support import Cast, PortalClient

PARTNER_BROWSER = "Mozilla/5.0 (partner accepting)"
BRAND_BROWSER = "Mozilla/5.0 (brand countersigning)"


async def _sealed_pdf(client: PortalClient, decision: str) -> tuple[dict[str, Any], bytes]:
    signature = await (
        ContractSignature.select(*ContractSignature.all_columns())
        .where(ContractSignature.decision == decision)
        .first()
    )
    assert signature is not None and signature["sealed_pdf_path"], signature
    download = await client.get(f"/contracts/signatures/{signature['uuid']}/pdf")
    assert download.status_code == 200, download.text
    assert f"-{decision}.pdf" in download.headers["content-disposition"]
    assert hashlib.sha256(download.content).hexdigest() == signature["sealed_pdf_sha256"]
    return signature, download.content


async def _countersigned(
    client: PortalClient, cast: Cast, **template: str
) -> tuple[dict[str, Any], bytes, bytes]:
    """A contract accepted by the distributor's admin (sealed) and countersigned by the
    brand's admin through the contract page's form; the accepted and the countersigned
    PDFs as downloaded."""
    contract = await make_contract(
        cast.admin, cast.distributor_a, await make_template(cast.admin, **template)
    )
    version = await issue(cast.admin, contract)
    accepted = await acceptance.sign(
        await viewer(cast.distributor),
        await seen_by(cast.distributor, contract["uuid"]),
        sign_form(version),
        acceptance.Client("198.51.100.7", PARTNER_BROWSER),
        SignatureSide.partner,
    )
    assert accepted.saved, accepted.errors
    await client.sign_in(cast.admin)
    response = await client.post_form(
        f"/contracts/{contract['uuid']}/countersign",
        sign_form(version, key="brand-key-0001", signer_name="陈总", signer_title="董事长"),
        headers={"user-agent": BRAND_BROWSER},
    )
    assert response.status_code == 303, response.text
    _signature, accepted_pdf = await _sealed_pdf(client, SignatureDecision.accepted)
    _signature, countersigned_pdf = await _sealed_pdf(client, SignatureDecision.countersigned)
    return contract, accepted_pdf, countersigned_pdf


def _pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True).stdout


async def test_both_signatures_hold_for_pyhanko_and_pdfsig_after_countersigning(
    client: PortalClient, cast: Cast, tmp_path: Path
) -> None:
    contract, accepted_pdf, countersigned_pdf = await _countersigned(client, cast)

    # The accepted file, byte for byte, is where the countersigned one starts.
    assert countersigned_pdf.startswith(accepted_pdf) and countersigned_pdf != accepted_pdf
    certificate = next(
        iter(
            load_certs_from_pemder_data(
                (await client.get("/contracts/signing-certificate.pem")).content
            )
        )
    )
    signatures = PdfFileReader(io.BytesIO(countersigned_pdf)).embedded_signatures
    assert [found.field_name for found in signatures] == [
        sealing.SIGNATURE_FIELD,
        sealing.COUNTERSIGNATURE_FIELD,
    ]
    partner, brand = [
        await async_validate_pdf_signature(
            found, ValidationContext(trust_roots=[certificate], allow_fetching=False)
        )
        for found in signatures
    ]
    # The partner's signature still holds: what came after it is a signature field filled.
    assert partner.bottom_line, partner.pretty_print_details()
    assert partner.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert partner.modification_level is not None
    assert partner.modification_level <= ModificationLevel.FORM_FILLING
    assert partner.docmdp_ok
    # The brand's covers the whole file.
    assert brand.bottom_line, brand.pretty_print_details()
    assert brand.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert brand.signing_cert.dump() == certificate.dump()

    path = tmp_path / "countersigned.pdf"
    path.write_bytes(countersigned_pdf)
    pdfsig = _pdfsig(path)
    assert pdfsig.count("Signature Validation: Signature is Valid.") == 2, pdfsig
    assert "Signature #2" in pdfsig and "Signature #3" not in pdfsig, pdfsig
    assert pdfsig.count("Total document signed") == 1, pdfsig

    # The second completion entry, on the completion page: who, when, from where, and the
    # SHA-256 of the accepted PDF it countersigns.
    countersignature = await (
        ContractSignature.select(*ContractSignature.all_columns())
        .where(ContractSignature.decision == SignatureDecision.countersigned)
        .first()
    )
    assert countersignature is not None
    text = pdf_text(countersigned_pdf)
    assert "品牌方会签" in text and "Countersignature by the brand" in text
    assert "陈总" in text and "董事长" in text
    assert cast.admin.email in text
    assert countersignature["ip_address"] and countersignature["ip_address"] in text
    assert hashlib.sha256(accepted_pdf).hexdigest() in text
    # And the partner's certificate of completion is still there.
    assert "王总" in text and "签署完成证明" in text
    assert countersignature["user_agent"] == BRAND_BROWSER
    assert (await contract_row(contract["uuid"]))["status"] == "countersigned"


async def _verify(client: PortalClient, content: bytes) -> Any:
    return await client.post(
        "/contracts/verify",
        files={"file": ("contract.pdf", content, "application/pdf")},
        headers={"x-csrftoken": await client.csrf_token()},
    )


async def test_the_verify_page_reports_both_signatures_and_refuses_a_changed_byte(
    client: PortalClient, cast: Cast, app: Any
) -> None:
    contract, accepted_pdf, countersigned_pdf = await _countersigned(client, cast)

    async with PortalClient.for_app(app) as visitor:
        genuine = await _verify(visitor, countersigned_pdf)
        assert genuine.status_code == 200, genuine.text
        assert 'data-verdict="genuine"' in genuine.text
        assert 'data-stage="countersigned"' in genuine.text
        assert 'data-decision="accepted"' in genuine.text
        assert 'data-decision="countersigned"' in genuine.text
        assert "王总" in genuine.text and "陈总" in genuine.text
        assert cast.distributor_a.legal_name in genuine.text
        assert contract["number"] in genuine.text

        # The accepted copy is still genuine, at its stage, and says a final one exists.
        earlier = await _verify(visitor, accepted_pdf)
        assert 'data-stage="accepted"' in earlier.text
        assert 'data-decision="countersigned"' not in earlier.text
        assert "has countersigned this contract since" in earlier.text

        # One byte changed anywhere after countersigning: in the contract's first page,
        # or in the countersignature's own update.
        for at in (
            countersigned_pdf.index(b"stream", 200) + 40,
            len(accepted_pdf) + (len(countersigned_pdf) - len(accepted_pdf)) // 3,
        ):
            tampered = bytearray(countersigned_pdf)
            tampered[at] ^= 0x01
            refused = await _verify(visitor, bytes(tampered))
            assert refused.status_code == 422
            assert 'data-verdict="refused"' in refused.text
            assert contract["number"] not in refused.text

        appended = await _verify(visitor, countersigned_pdf + b"\n%% added later\n")
        assert 'data-verdict="refused"' in appended.text


async def test_the_contract_page_offers_the_countersigned_pdf_to_both_sides(
    client: PortalClient, cast: Cast
) -> None:
    contract, _accepted_pdf, countersigned_pdf = await _countersigned(client, cast)
    countersignature = await (
        ContractSignature.select(ContractSignature.uuid)
        .where(ContractSignature.decision == SignatureDecision.countersigned)
        .first()
    )
    assert countersignature is not None
    link = f"/contracts/signatures/{countersignature['uuid']}/pdf"
    await client.sign_in(cast.distributor)
    page = await client.get(f"/contracts/{contract['uuid']}?lang=en")
    assert link in page.text and "Countersigned PDF with both signatures" in page.text
    download = await client.get(link)
    assert download.status_code == 200 and download.content == countersigned_pdf
    # Another distributor does not learn it exists.
    await client.sign_in(cast.other_distributor)
    assert (await client.get(link)).status_code == 404


def test_the_longest_countersignature_entry_fits_its_field_on_one_page() -> None:
    from datetime import UTC, datetime

    from contracts import completion
    from partner_portal.pdf import print_html_sync

    entry = completion.Countersignature(
        language="bilingual_ko",
        brand_name="锦绣服饰有限公司" * 10,
        signer_name="김" * 120,  # the form's bounds (contracts/forms.py)
        signer_title="대표이사" * 30,
        account_email=f"{'a' * 64}@{'b' * 180}.test",
        countersigned_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        ip_address="2001:db8:85a3:8d3:1319:8a2e:370:7348",
        accepted_sha256="f" * 64,
    )
    assert print_html_sync(completion.countersignature_html(entry)).page_count == 1
