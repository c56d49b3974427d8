"""A contract as a document: its parties, terms filled from the partner, its HTML and stored PDF."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from contracts import forms, printing, rendering, template_values
from contracts.library import clause_bodies, contract_body
from contracts.periods import term_end
from contracts.records import ContractRecord
from contracts.states import ContractError
from contracts.tables import (
    ContractTemplate,
)
from partner_portal import access
from partner_portal.clock import utcnow
from partner_portal.i18n import gettext as _
from partner_portal.media import existing_media_file
from partner_portal.partners.records import OrganisationRecord
from partner_portal.partners.tables import (
    Address,
    Contact,
    Organisation,
    OrganisationKind,
    Territory,
)
from partner_portal.pdf import PrintedPdf
from partner_portal.registries import registry
from partner_portal.settings import current_settings


def media_root() -> Path:
    """Where issued PDFs are kept (MEDIA_DIR; tests point it at their own directory)."""
    return current_settings().media_dir


def store_pdf(contract_uuid: UUID, number: int, pdf: PrintedPdf, kind: str = "") -> str:
    """Write a version's PDF (``kind`` "accepted" or "countersigned": its sealed copy)
    once, never overwritten, and return its path under the media root."""
    name = f"v{number}-{kind}-" if kind else f"v{number}-"
    relative = Path("contracts") / str(contract_uuid) / f"{name}{pdf.sha256[:16]}.pdf"
    target = media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(pdf.content)
    os.replace(temporary, target)
    return relative.as_posix()


def read_pdf(relative_path: str) -> bytes:
    """An issued PDF; MissingMediaFile (a 410 page) if its file is gone from MEDIA_DIR."""
    return existing_media_file(media_root() / relative_path).read_bytes()


@access.system_query("the brand's own organisation, a party to every contract")
async def _brand() -> dict[str, Any]:
    row = await (
        Organisation.select(*Organisation.all_columns())
        .where(Organisation.kind == OrganisationKind.brand)
        .order_by(Organisation.id)
        .first()
    )
    if row is None:
        raise ContractError(_("The brand's own organisation is missing."))
    return dict(row)


async def brand_name() -> str:
    """The brand's legal name, as contracts name it."""
    return str((await _brand())["legal_name"])


def compose_address(address: Mapping[str, Any]) -> str:
    """An address as its country writes it (docs/DOMAIN.md): Chinese large to small without
    spaces, Korean large to small with spaces after the postal code, elsewhere small to
    large with commas. A part
    repeating the one before (a city that is its own province, 서울특별시 서울특별시) is
    written once."""
    large_to_small = [
        address.get("region") or "",
        address.get("city") or "",
        address.get("district") or "",
        address.get("street") or "",
    ]
    parts: list[str] = []
    for part in (part.strip() for part in large_to_small):
        if part and (not parts or part != parts[-1]):
            parts.append(part)
    postal_code = (address.get("postal_code") or "").strip()
    country = address.get("country") or ""
    if country == "CN":
        return "".join(parts)
    if country == "KR":
        return (f"({postal_code}) " if postal_code else "") + " ".join(parts)
    return ", ".join([*reversed(parts), *([postal_code] if postal_code else [])])


@access.checked_by_caller("the parties of a contract its caller fetched with get_contract")
async def party_values(organisation: Mapping[str, Any]) -> dict[str, str]:
    """A party as templates see it: names, tax id, office address and main contact."""
    address = await (
        Address.select(*Address.all_columns())
        .where(Address.organisation == organisation["id"])
        .order_by(Address.id)
        .first()
    )
    contact = await (
        Contact.select(Contact.name)
        .where(Contact.organisation == organisation["id"])
        .order_by(Contact.is_primary, ascending=False)
        .order_by(Contact.id)
        .first()
    )
    composed = compose_address(address) if address else ""
    return {
        "legal_name": organisation["legal_name"],
        "english_name": organisation.get("english_name") or "",
        "tax_id": organisation.get("tax_id") or "",
        "country": organisation.get("country") or "",
        "address": composed,
        "representative": contact["name"] if contact else "",
    }


@access.checked_by_caller("the partner comes from get_organisation")
async def terms_from_partner(
    organisation: OrganisationRecord, kind: str, language: str
) -> dict[str, str]:
    """A new contract's terms filled from the partner record (tier, territories, currency,
    the credit limit the brand keeps for it) and the brand's usual practice, written in
    the contract's ``language``; the KAM edits them before issuing."""
    today = utcnow().date()
    # A year from the first of next month.
    start = (date(today.year, today.month, 1) + timedelta(days=32)).replace(day=1)
    end = term_end(start, 12)
    territories = await Territory.select(Territory.region_code).where(
        Territory.organisation == organisation.id
    )
    credit_limit = await registry.partner_credit_limit_for(organisation.id)
    terms = {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "auto_renewal": "no",
        "notice_days": "90",
        "currency": organisation.currency or "CNY",
        # Korean partners settle monthly; Chinese ones pay a deposit and the balance.
        "payment_terms": template_values.value_word(
            language, "monthly" if organisation.country == "KR" else "deposit"
        ),
        "territory": ", ".join(row["region_code"] for row in territories),
        "tier": organisation.tier or "standard",
        "discount_percent": "",
        "credit_limit": "" if credit_limit is None else f"{credit_limit:f}",
        "credit_limit_blocks": "no",
        "minimum_purchase": "",
        "materials": "",
        "lead_time_days": "45" if kind == "supply" else "",
        "quality_terms": "AQL 2.5" if kind == "supply" else "",
        "items": "",
        "allowance": "",
        "delivery_terms": "",
        "confidentiality_years": "3" if kind == "nda" else "",
    }
    names = {field.name for field in forms.fields_for(kind)}
    return {name: value for name, value in terms.items() if name in names}


def _field_kinds() -> dict[str, str]:
    return {field.name: field.kind for field in forms.TERM_FIELDS}


@access.checked_by_caller("the contract comes from get_contract")
async def render_contract(
    contract: ContractRecord, version_number: int
) -> tuple[str, str, dict[str, str], str]:
    """(document HTML, body HTML, terms, fingerprint) of a contract as it would be issued now."""
    template = (
        await ContractTemplate.select(ContractTemplate.body)
        .where(ContractTemplate.id == contract.template)
        .first()
    )
    organisation = (
        await Organisation.select(*Organisation.all_columns())
        .where(Organisation.id == contract.organisation)
        .first()
    )
    if template is None or organisation is None:
        raise ContractError(_("The contract's template or partner is missing."))
    brand = await party_values(await _brand())
    partner = await party_values(organisation)
    terms = dict(contract.terms)
    bodies = await clause_bodies()
    context: dict[str, Any] = {
        "brand": brand,
        "partner": partner,
        "contract": {
            "number": contract.number,
            "title": contract.title,
            "kind": contract.kind,
            "version": version_number,
            "issued_on": template_values.document_date(utcnow().date(), contract.language),
            "language": contract.language,
        },
        "terms": template_values.terms_for_template(_field_kinds(), terms, contract.language),
    }
    context["clause"] = rendering.clause_function(bodies, context)
    body_html = await contract_body(template["body"], context)
    fingerprint = printing.fingerprint_of(contract.number, version_number, terms, body_html)
    html = printing.document_html(
        language=contract.language,
        title=contract.title,
        number=contract.number,
        version=version_number,
        brand=brand,
        partner=partner,
        body_html=body_html,
        fingerprint=fingerprint,
    )
    return html, body_html, terms, fingerprint
