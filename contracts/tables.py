"""Contracts: templates and a clause library (the brand's), contracts with their terms
for one partner, the frozen versions that were issued as PDFs, and every signature
or refusal given on a version.

A template or clause edit never touches an issued contract: issuing copies the
rendered text into a ContractVersion together with its PDF's SHA-256.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Mapping
from typing import Any

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LazyTableReference,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partner_portal.partners.tables import Organisation, User


class ContractKind(enum.StrEnum):
    distribution = "distribution"
    supply = "supply"
    group_purchase = "group_purchase"
    framework = "framework"
    nda = "nda"


class TemplateLanguage(enum.StrEnum):
    en = "en"
    zh_Hans = "zh_Hans"
    ko = "ko"
    bilingual_zh = "bilingual_zh"  # English and 简体中文 side by side
    bilingual_ko = "bilingual_ko"  # English and 한국어 side by side


class ContractStatus(enum.StrEnum):
    draft = "draft"
    issued = "issued"
    accepted = "accepted"
    countersigned = "countersigned"
    active = "active"
    expiring = "expiring"
    expired = "expired"
    renewed = "renewed"
    terminated = "terminated"
    declined = "declined"


class SignatureSide(enum.StrEnum):
    partner = "partner"
    brand = "brand"


class SignatureDecision(enum.StrEnum):
    accepted = "accepted"
    countersigned = "countersigned"
    declined = "declined"


class ContractTemplate(Table, tablename="contract_template"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    name = Varchar(length=200)
    kind = Varchar(length=20, choices=ContractKind, index=True)
    language = Varchar(length=20, choices=TemplateLanguage)
    body = Text(default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class Clause(Table, tablename="contract_clause"):
    """A named clause reused across templates (``{{ clause("confidentiality") }}``)."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    key = Varchar(length=60, unique=True)
    title = Varchar(length=200)
    created_at = Timestamptz()
    # The newest ClauseVersion.number, which templates use until a contract is issued.
    current_number = Integer(default=1)


class ClauseVersion(Table, tablename="contract_clause_version"):
    id: Serial
    clause = ForeignKey(Clause, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    body = Text()
    note = Varchar(length=200, default="")
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class Contract(Table, tablename="contract"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    template = ForeignKey(ContractTemplate, on_delete=OnDelete.restrict)
    number = Varchar(length=40, unique=True)
    title = Varchar(length=200)
    kind = Varchar(length=20, choices=ContractKind, index=True)
    language = Varchar(length=20, choices=TemplateLanguage)
    status = Varchar(length=20, choices=ContractStatus, default=ContractStatus.draft, index=True)
    # The structured terms as the form keeps them (strings); see contracts/forms.py Terms.
    terms = JSON(default="{}")
    # Copies of three terms as columns, for the lifecycle job and the renewal list.
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None, index=True)
    notice_days = Integer(default=60)
    # The newest issued version's number (0: never issued; partners see nothing yet).
    issued_number = Integer(default=0)
    # The contract this one renews, if any.
    predecessor: ForeignKey[Contract] = ForeignKey(
        LazyTableReference("Contract", module_path=__name__),
        null=True,
        on_delete=OnDelete.set_null,
        index=True,
    )
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    status_changed_at = Timestamptz()
    version = Integer(default=1)


class ContractVersion(Table, tablename="contract_version"):
    """One issued, frozen text of a contract: its terms, HTML and PDF (file + SHA-256)."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    contract = ForeignKey(Contract, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    number = Integer()
    terms = JSON(default="{}")
    body_html = Text()
    # SHA-256 of the frozen text, printed in the PDF's footer (a PDF cannot hold its own hash).
    fingerprint = Varchar(length=64)
    # Relative to the media directory (settings.media_dir).
    pdf_path = Varchar(length=300)
    pdf_sha256 = Varchar(length=64)
    pdf_bytes = Integer(default=0)
    page_count = Integer(default=0)
    issued_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    issued_at = Timestamptz()
    superseded_at = Timestamptz(null=True, default=None)


class ContractSignature(Table, tablename="contract_signature"):
    """An acceptance, countersignature or refusal of one version, with its evidence."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    contract = ForeignKey(Contract, on_delete=OnDelete.cascade, index=True)
    contract_version = ForeignKey(ContractVersion, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    side = Varchar(length=10, choices=SignatureSide)
    decision = Varchar(length=20, choices=SignatureDecision)
    user = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    signer_name = Varchar(length=120, default="")
    signer_title = Varchar(length=120, default="")
    reason = Text(default="")
    ip_address = Varchar(length=64, default="")
    user_agent = Varchar(length=400, default="")
    pdf_sha256 = Varchar(length=64)
    signed_at = Timestamptz()
    # An acceptance's PDF as the platform signed it (PAdES, with the certificate of
    # completion appended), relative to the media directory; blank for other decisions.
    sealed_pdf_path = Varchar(length=300, default="")
    sealed_pdf_sha256 = Varchar(length=64, default="", index=True)


class AcceptanceCode(Table, tablename="contract_acceptance_code"):
    """A one-time code e-mailed to a partner user who asked to accept a version: the
    acceptance is recorded only when they type it back, within its time and attempts.
    The signer's name and title wait here until then; only a hash of the code is kept."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    contract = ForeignKey(Contract, on_delete=OnDelete.cascade, index=True)
    contract_version = ForeignKey(ContractVersion, on_delete=OnDelete.cascade)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64)
    signer_name = Varchar(length=120, default="")
    signer_title = Varchar(length=120, default="")
    attempts = Integer(default=0)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SigningIdentity(Table, tablename="contract_signing_identity"):
    """The platform's own signing key and self-signed certificate, made once per
    installation on first use (``name`` is unique, so two processes keep one). The key is
    stored encrypted with a passphrase derived from the portal's SECRET_KEY."""

    id: Serial
    name = Varchar(length=40, unique=True)
    private_key_pem = Text()
    certificate_pem = Text()
    created_at = Timestamptz()


def loaded(row: Mapping[str, Any]) -> dict[str, Any]:
    """A contract or version row with its JSON terms as a dict (Piccolo returns text)."""
    values = dict(row)
    if isinstance(values.get("terms"), str):
        values["terms"] = json.loads(values["terms"] or "{}")
    return values
