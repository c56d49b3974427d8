"""Verifiable signing: acceptance is confirmed with a one-time code e-mailed to the
accepting user (bounded tries, a lifetime); the accepted PDF is sealed by the portal
(PAdES) with a certificate of completion, which pyHanko's validator and poppler's pdfsig
both accept; the public verify page tells a sealed copy from a tampered one."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contracts import documents
from contracts.records import VersionRecord
from contracts.tables import ContractSignature
from tests.contracts.support import (
    CODE_SUBJECT,
    accept_with_code,
    contract_row,
    delivered_code,
    issue,
    make_contract,
    make_template,
    sign_form,
)
from tests.notifications.conftest import SmtpServer
from tests.pdfs import pdf_text
from tests.support import Cast, PortalClient

BROWSER = "Mozilla/5.0 (Threadline signing test)"


async def _accepted(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> tuple[dict[str, Any], VersionRecord, bytes]:
    """An issued contract accepted by the distributor's admin; the sealed PDF's bytes."""
    contract = await make_contract(cast.admin, cast.distributor_a, await make_template(cast.admin))
    version = await issue(cast.admin, contract)
    await client.sign_in(cast.distributor)
    confirmed, _code = await accept_with_code(
        client, contract, version, mail_settings, smtp, {"user-agent": BROWSER}
    )
    assert confirmed.status_code == 303, confirmed.text
    signature = await ContractSignature.select(ContractSignature.uuid).first()
    assert signature is not None
    page = await client.get(f"/contracts/{contract['uuid']}")
    assert f"/contracts/signatures/{signature['uuid']}/pdf" in page.text
    download = await client.get(f"/contracts/signatures/{signature['uuid']}/pdf")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    return contract, version, download.content


async def _code_asked_for(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> tuple[dict[str, Any], VersionRecord, str]:
    """An issued contract whose acceptance the distributor's admin asked for; the code."""
    contract = await make_contract(cast.admin, cast.distributor_a, await make_template(cast.admin))
    version = await issue(cast.admin, contract)
    await client.sign_in(cast.distributor)
    url = f"/contracts/{contract['uuid']}/accept"
    assert (await client.post_form(url, sign_form(version))).status_code == 303
    return contract, version, await delivered_code(mail_settings, smtp)


def _pdfsig(path: Path) -> str:
    """What poppler's pdfsig says of a PDF's signatures."""
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True).stdout


async def _verify(client: PortalClient, content: bytes, name: str = "contract.pdf") -> Any:
    return await client.post(
        "/contracts/verify",
        files={"file": (name, content, "application/pdf")},
        headers={"x-csrftoken": await client.csrf_token()},
    )


async def test_the_accepted_pdf_is_sealed_and_valid_for_pyhanko_and_pdfsig(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer, tmp_path: Path
) -> None:
    contract, version, sealed = await _accepted(client, cast, mail_settings, smtp)

    # The offered PDF, byte for byte, is where the sealed one starts.
    assert sealed.startswith(documents.read_pdf(version.pdf_path))
    # The certificate anyone can download is the one that signed.
    pem = await client.get("/contracts/signing-certificate.pem")
    assert pem.status_code == 200 and pem.content.startswith(b"-----BEGIN CERTIFICATE-----")
    certificate = next(iter(load_certs_from_pemder_data(pem.content)))

    signatures = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert len(signatures) == 1
    status = await async_validate_pdf_signature(
        signatures[0], ValidationContext(trust_roots=[certificate], allow_fetching=False)
    )
    assert status.bottom_line, status.pretty_print_details()
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.dump() == certificate.dump()

    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    pdfsig = _pdfsig(path)
    assert "Signature Validation: Signature is Valid." in pdfsig, pdfsig
    assert "Total document signed" in pdfsig, pdfsig

    # The certificate of completion: who, when, from where, and the hash of what was offered.
    text = pdf_text(sealed)
    assert "签署完成证明" in text and "Certificate of completion" in text
    assert "王总" in text and "总经理" in text
    assert cast.distributor.email in text
    assert version.pdf_sha256 in text
    assert BROWSER in text
    assert (await contract_row(contract["uuid"]))["status"] == "accepted"


async def test_the_verify_page_tells_the_sealed_copy_from_a_tampered_one(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer, app: Any
) -> None:
    contract, version, sealed = await _accepted(client, cast, mail_settings, smtp)

    # Anyone may check a copy: a visitor who is not signed in.
    async with PortalClient.for_app(app) as visitor:
        page = await visitor.get("/contracts/verify?lang=en")
        assert page.status_code == 200

        genuine = await _verify(visitor, sealed)
        assert genuine.status_code == 200
        assert 'data-verdict="genuine"' in genuine.text
        assert contract["number"] in genuine.text and "王总" in genuine.text

        tampered = bytearray(sealed)
        at = sealed.index(b"stream", 200) + 40  # inside the first page's content
        tampered[at] ^= 0x01
        refused = await _verify(visitor, bytes(tampered))
        assert refused.status_code == 422
        assert 'data-verdict="refused"' in refused.text
        assert contract["number"] not in refused.text

        appended = await _verify(visitor, sealed + b"\n%% added after signing\n")
        assert 'data-verdict="refused"' in appended.text

        unsigned = await _verify(visitor, documents.read_pdf(version.pdf_path))
        assert 'data-verdict="refused"' in unsigned.text

        not_a_pdf = await _verify(visitor, b"GIF89a not a contract", "x.pdf")
        assert not_a_pdf.status_code == 400


async def test_a_wrong_code_is_refused_and_the_tries_are_bounded(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    contract, version, code = await _code_asked_for(client, cast, mail_settings, smtp)
    url = f"/contracts/{contract['uuid']}/accept"
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    for attempt in range(1, 5):
        refused = await client.post_form(
            f"{url}/confirm", {"code": wrong, "idempotency_key": f"wrong-code-{attempt}"}
        )
        assert refused.status_code == 400
        assert f"{5 - attempt} tries left" in refused.text
    last = await client.post_form(
        f"{url}/confirm", {"code": wrong, "idempotency_key": "wrong-code-5"}
    )
    assert "expired or was used up" in last.text
    # Five wrong tries spend the code: even the right one no longer accepts.
    spent = await client.post_form(
        f"{url}/confirm", {"code": code, "idempotency_key": "right-code-1"}
    )
    assert spent.status_code == 400
    assert await ContractSignature.count() == 0
    assert (await contract_row(contract["uuid"]))["status"] == "issued"

    # A new code works.
    assert (await client.post_form(url, sign_form(version, key="again-code-1"))).status_code == 303
    fresh = await delivered_code(mail_settings, smtp)
    accepted = await client.post_form(
        f"{url}/confirm", {"code": fresh, "idempotency_key": "right-code-2"}
    )
    assert accepted.status_code == 303
    assert await ContractSignature.count() == 1


async def test_a_code_expires_after_a_quarter_of_an_hour(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    contract, _version, code = await _code_asked_for(client, cast, mail_settings, smtp)
    url = f"/contracts/{contract['uuid']}/accept"

    frozen_clock.frozen_at += timedelta(minutes=16)
    late = await client.post_form(
        f"{url}/confirm", {"code": code, "idempotency_key": "late-code-1"}
    )
    assert late.status_code == 400
    assert "expired" in late.text
    assert await ContractSignature.count() == 0


async def test_the_code_goes_to_the_accepting_user_alone(
    client: PortalClient, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    contract, _version, _code = await _code_asked_for(client, cast, mail_settings, smtp)
    # Other mail may go out with it (the notice that the contract was sent): the code alone
    # is looked at.
    codes = [
        (message, recipients)
        for message, recipients in zip(
            smtp.mailbox.messages, smtp.mailbox.envelope_recipients, strict=True
        )
        if CODE_SUBJECT.search(str(message["subject"]))
    ]
    ((message, recipients),) = codes
    assert recipients == [cast.distributor.email]
    assert contract["number"] in str(message["subject"])
