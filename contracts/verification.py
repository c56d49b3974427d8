"""The public "verify a contract PDF" page's answer: whether an uploaded file is a copy,
unaltered, of an accepted or countersigned contract the portal sealed, which one, and
who signed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts import sealing
from contracts.documents import brand_name
from contracts.tables import ContractSignature, SignatureDecision
from partner_portal import access

SEALED_DECISIONS = (SignatureDecision.accepted, SignatureDecision.countersigned)


@dataclass(frozen=True)
class Signed:
    """One of the signatures a sealed file carries: the partner's acceptance or the
    brand's countersignature."""

    decision: str
    signer_name: str
    signer_title: str
    party_name: str
    signed_at: datetime


@dataclass(frozen=True)
class Verification:
    """``genuine``: the platform's signatures hold and the file is one the portal sealed;
    then the contract it is, its ``stage`` ("accepted" or "countersigned") and its
    signatures, acceptance first. ``signed_unknown``: the signatures hold but no
    signature of this installation has this file (a copy from elsewhere).
    ``countersigned_since``: an accepted copy whose contract the brand has countersigned
    since (the countersigned copy is the final one)."""

    genuine: bool
    signed_unknown: bool
    sha256: str
    stage: str = ""
    number: str = ""
    title: str = ""
    version: int = 0
    partner_name: str = ""
    signatures: tuple[Signed, ...] = ()
    countersigned_since: bool = False


@access.system_query("the public verify page: anyone holding a sealed PDF may learn what it is")
async def _sealed_signature(sha256: str) -> dict[str, Any] | None:
    row = await (
        ContractSignature.select(
            ContractSignature.contract_version,
            ContractSignature.decision,
            ContractSignature.contract._.number.as_alias("number"),
            ContractSignature.contract._.title.as_alias("title"),
            ContractSignature.contract_version._.number.as_alias("version"),
            ContractSignature.organisation._.legal_name.as_alias("partner_name"),
        )
        .where(
            ContractSignature.sealed_pdf_sha256 == sha256,
            ContractSignature.decision.is_in(list(SEALED_DECISIONS)),
        )
        .first()
    )
    return dict(row) if row else None


@access.system_query("the public verify page: the signatures of the version a sealed PDF is")
async def _signatures_of(version_id: int) -> list[dict[str, Any]]:
    return list(
        await ContractSignature.select(
            ContractSignature.decision,
            ContractSignature.side,
            ContractSignature.signer_name,
            ContractSignature.signer_title,
            ContractSignature.signed_at,
            ContractSignature.organisation._.legal_name.as_alias("partner_name"),
        )
        .where(
            ContractSignature.contract_version == version_id,
            ContractSignature.decision.is_in(list(SEALED_DECISIONS)),
        )
        .order_by(ContractSignature.signed_at)
    )


async def verify_upload(content: bytes) -> Verification:
    """Check an uploaded PDF (in a worker process) and look it up among the sealed
    acceptances and countersignatures. The file's signatures must be as many as its
    stage has (one accepted, two countersigned)."""
    checked = await sealing.check(content)
    if not checked.sealed:
        return Verification(False, False, checked.sha256)
    found = await _sealed_signature(checked.sha256)
    if found is None or found["decision"] != checked.stage:
        return Verification(False, True, checked.sha256)
    rows = await _signatures_of(found["contract_version"])
    accepted = [row for row in rows if row["decision"] == SignatureDecision.accepted][-1:]
    countersigned = [row for row in rows if row["decision"] == SignatureDecision.countersigned]
    shown = accepted + (countersigned[-1:] if checked.stage == "countersigned" else [])
    brand = await brand_name()
    return Verification(
        genuine=True,
        signed_unknown=False,
        sha256=checked.sha256,
        stage=checked.stage,
        number=str(found["number"]),
        title=str(found["title"]),
        version=int(found["version"]),
        partner_name=str(found["partner_name"]),
        signatures=tuple(
            Signed(
                decision=row["decision"],
                signer_name=row["signer_name"],
                signer_title=row["signer_title"],
                party_name=row["partner_name"]
                if row["decision"] == SignatureDecision.accepted
                else brand,
                signed_at=row["signed_at"],
            )
            for row in shown
        ),
        countersigned_since=checked.stage == "accepted" and bool(countersigned),
    )
