"""The public "verify a contract PDF" page's answer: whether an uploaded file is a copy,
unaltered, of an accepted contract the portal sealed, and which one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts import sealing
from contracts.tables import ContractSignature, SignatureDecision
from partner_portal import access


@dataclass(frozen=True)
class Verification:
    """``genuine``: the platform's signature holds over the whole file and the file is one
    the portal sealed; then the contract it is. ``signed_unknown``: the signature holds
    but no acceptance of this installation has this file (a copy from elsewhere)."""

    genuine: bool
    signed_unknown: bool
    sha256: str
    number: str = ""
    title: str = ""
    version: int = 0
    partner_name: str = ""
    signer_name: str = ""
    signer_title: str = ""
    accepted_at: datetime | None = None


@access.system_query("the public verify page: anyone holding a sealed PDF may learn what it is")
async def _sealed_acceptance(sha256: str) -> dict[str, object] | None:
    row = await (
        ContractSignature.select(
            ContractSignature.signer_name,
            ContractSignature.signer_title,
            ContractSignature.signed_at,
            ContractSignature.contract.number.as_alias("number"),  # type: ignore[attr-defined]
            ContractSignature.contract.title.as_alias("title"),  # type: ignore[attr-defined]
            ContractSignature.contract_version.number.as_alias("version"),  # type: ignore[attr-defined]
            ContractSignature.organisation.legal_name.as_alias("partner_name"),  # type: ignore[attr-defined]
        )
        .where(
            ContractSignature.sealed_pdf_sha256 == sha256,
            ContractSignature.decision == SignatureDecision.accepted,
        )
        .first()
    )
    return dict(row) if row else None


async def verify_upload(content: bytes) -> Verification:
    """Check an uploaded PDF (in a worker process) and look it up among sealed acceptances."""
    checked = await sealing.check(content)
    if not checked.sealed:
        return Verification(False, False, checked.sha256)
    found = await _sealed_acceptance(checked.sha256)
    if found is None:
        return Verification(False, True, checked.sha256)
    return Verification(
        genuine=True,
        signed_unknown=False,
        sha256=checked.sha256,
        number=str(found["number"]),
        title=str(found["title"]),
        version=int(str(found["version"])),
        partner_name=str(found["partner_name"]),
        signer_name=str(found["signer_name"]),
        signer_title=str(found["signer_title"]),
        accepted_at=found["signed_at"],  # type: ignore[arg-type]
    )
