"""Typed rows of the contracts module (partner_portal/records.py): a contract, an issued
version, a signature, a template and a clause as the services hand them out. One fetched
through the access policy is a ``Visible...`` record (contracts/access.py), made only by
its fetchers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Self
from uuid import UUID

from contracts.tables import (
    ContractKind,
    ContractStatus,
    SignatureDecision,
    SignatureSide,
    TemplateLanguage,
    loaded,
)
from partner_portal.records import Record


class TermsRecord(Record, frozen=True):
    """A contract's or version's row: ``terms`` as the form keeps them (strings by field
    name, see contracts/forms.py), stored as JSON."""

    terms: dict[str, str]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        # Piccolo returns the JSON terms as text.
        return super().from_row(loaded(row))


class ContractRecord(TermsRecord, frozen=True):
    """A contract's own columns."""

    id: int
    uuid: UUID
    organisation: int
    template: int
    number: str
    title: str
    kind: ContractKind
    language: TemplateLanguage
    status: ContractStatus
    start_date: date | None
    end_date: date | None
    notice_days: int
    issued_number: int
    predecessor: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    status_changed_at: datetime
    version: int


class ContractSummary(Record, frozen=True):
    """A contract as the lists show it (drafting.LIST_COLUMNS), with its partner's name."""

    id: int
    uuid: UUID
    number: str
    title: str
    kind: ContractKind
    status: ContractStatus
    start_date: date | None
    end_date: date | None
    issued_number: int
    updated_at: datetime
    partner_name: str
    partner_uuid: UUID


class RelatedContract(Record, frozen=True):
    """The contract a contract renews, or one renewing it."""

    id: int
    uuid: UUID
    number: str
    status: ContractStatus
    predecessor: int | None


class RenewalDue(ContractSummary, frozen=True):
    """A contract in its notice period on the renewal list, with its renewal if one is
    under way."""

    notice_days: int
    notice_from: date | None
    days_left: int
    renewal: RelatedContract | None


class VersionRecord(TermsRecord, frozen=True):
    """An issued version: its frozen terms and PDF (path under the media root, SHA-256);
    its HTML is read only where it is compared (comparison.py)."""

    id: int
    uuid: UUID
    contract: int
    organisation: int
    number: int
    fingerprint: str
    pdf_path: str
    pdf_sha256: str
    pdf_bytes: int
    page_count: int
    issued_by: int | None
    issued_at: datetime
    superseded_at: datetime | None


class SignatureRecord(Record, frozen=True):
    """An acceptance, countersignature or refusal, with the number of the version it
    answers (``version_number``)."""

    id: int
    uuid: UUID
    contract: int
    contract_version: int
    version_number: int
    organisation: int
    side: SignatureSide
    decision: SignatureDecision
    user: int | None
    signer_name: str
    signer_title: str
    reason: str
    ip_address: str
    user_agent: str
    pdf_sha256: str
    signed_at: datetime
    sealed_pdf_path: str
    sealed_pdf_sha256: str


class IssuedVersion(VersionRecord, frozen=True):
    """A version as the contract page lists it, with the name of who issued it."""

    issued_by_name: str | None


class SignatureEntry(SignatureRecord, frozen=True):
    """A signature as the contract page lists it, with the signing account's e-mail."""

    user_email: str | None


class TemplateRecord(Record, frozen=True):
    id: int
    uuid: UUID
    name: str
    kind: ContractKind
    language: TemplateLanguage
    body: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class ClauseRecord(Record, frozen=True):
    """A clause of the library; its texts are ClauseVersion rows (library.clause_bodies)."""

    id: int
    uuid: UUID
    key: str
    title: str
    created_at: datetime
    current_number: int
