"""CSV export and import of partners and their contacts.

Files are UTF-8, with or without a byte-order mark (the export writes one, so Excel
opens Chinese and Korean text right). The import header is documented on the
import page and in the template file:

partners: legal_name (required), english_name, kind (required: distributor, retailer,
  fabric_supplier, trim_supplier, group_client), country (required, e.g. CN), tax_id,
  currency, language (en, zh_Hans, ko), tier, status, parent_distributor (legal name or
  UUID of an existing distributor, retailers only), owner (e-mail of an active KAM),
  phone, email, website, notes, territories (region codes separated by spaces, e.g.
  "CN-SH CN-ZJ"), address_kind, address_country, address_region, address_city,
  address_district, address_street, address_postal_code.
contacts: partner (UUID, tax id or exact legal name of an existing partner), name
  (required), romanised_name, job_title, phone, email, wechat_id, kakao_id, is_primary
  (yes/no).

Each row goes through the same validation as the forms. If any row is wrong, nothing
is saved and every problem is reported by row and column; otherwise all rows are
saved in one transaction, each with its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.partners import contacts, forms, listing, services
from partner_portal.partners.choices import ResolvedOrganisation, form_choices, resolve_organisation
from partner_portal.partners.listing import PartnerFilters
from partner_portal.partners.tables import Organisation, OrganisationKind
from partner_portal.spreadsheets import RowError, read_rows

ADDRESS_COLUMNS = tuple(f"address_{name}" for name in forms.ADDRESS_FIELDS)
PARTNER_COLUMNS = (
    "legal_name",
    "english_name",
    "kind",
    "country",
    "tax_id",
    "currency",
    "language",
    "tier",
    "status",
    "parent_distributor",
    "owner",
    "phone",
    "email",
    "website",
    "notes",
    "territories",
    *ADDRESS_COLUMNS,
)
PARTNER_REQUIRED = ("legal_name", "kind", "country")
CONTACT_COLUMNS = (
    "partner",
    "name",
    "romanised_name",
    "job_title",
    "phone",
    "email",
    "wechat_id",
    "kakao_id",
    "is_primary",
)
CONTACT_REQUIRED = ("partner", "name")
# Columns an export carries that an import ignores (it only adds new rows).
EXPORT_ONLY = ("uuid", "partner_uuid")

PARTNER_EXAMPLE = {
    "legal_name": "苏州锦华服饰贸易有限公司",
    "english_name": "Suzhou Jinhua Apparel Trading",
    "kind": "retailer",
    "country": "CN",
    "tax_id": "91310000MA1FL8TQ36",
    "currency": "CNY",
    "language": "zh_Hans",
    "tier": "standard",
    "status": "prospect",
    "parent_distributor": "",
    "owner": "",
    "phone": "+86 512 6888 0000",
    "email": "info@example.cn",
    "website": "",
    "notes": "",
    "territories": "CN-JS",
    "address_kind": "office",
    "address_country": "CN",
    "address_region": "江苏省",
    "address_city": "苏州市",
    "address_district": "姑苏区",
    "address_street": "人民路100号",
    "address_postal_code": "215000",
}


CONTACT_EXAMPLE = {
    "partner": PARTNER_EXAMPLE["legal_name"],
    "name": "王小明",
    "romanised_name": "Wang Xiaoming",
    "job_title": "采购经理",
    "phone": "+86 138 0000 0000",
    "email": "wang@example.cn",
    "wechat_id": "wangxm",
    "is_primary": "yes",
}
PARTNER_EXPORT_COLUMNS = (*EXPORT_ONLY, *PARTNER_COLUMNS)
CONTACT_EXPORT_COLUMNS = ("partner_uuid", *CONTACT_COLUMNS)


async def export_partners(viewer: Viewer, filters: PartnerFilters) -> list[dict[str, Any]]:
    """The visible partners matching the filters, as rows of PARTNER_EXPORT_COLUMNS
    (Action.export_partners)."""
    access.require(viewer, Action.export_partners)
    rows = []
    for partner in await listing.list_all_partners(viewer, filters):
        row = {name: partner.get(name) for name in PARTNER_COLUMNS}
        row["uuid"] = partner["uuid"]
        row["owner"] = partner["owner_email"] or ""
        row["parent_distributor"] = partner["parent_name"] or ""
        row["territories"] = " ".join(partner["territories"])
        address = partner["address"] or {}
        for name in forms.ADDRESS_FIELDS:
            row[f"address_{name}"] = address.get(name, "")
        rows.append(row)
    return rows


async def export_contacts(viewer: Viewer, filters: PartnerFilters) -> list[dict[str, Any]]:
    """The contacts of the visible partners matching the filters, as rows of
    CONTACT_EXPORT_COLUMNS."""
    access.require(viewer, Action.export_partners)
    return [
        {
            **contact,
            "partner": contact["partner_name"],
            "partner_uuid": contact["partner_uuid"],
            "is_primary": "yes" if contact["is_primary"] else "no",
        }
        for contact in await listing.list_all_contacts(viewer, filters)
    ]


@dataclass
class ImportResult:
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _form_field_to_column(name: str) -> str:
    if name.startswith("address-0-"):
        return "address_" + name.removeprefix("address-0-")
    return name


async def import_partners(viewer: Viewer, content: bytes) -> ImportResult:
    """Add every partner of the file, or none (Action.import_partners)."""
    access.require(viewer, Action.import_partners)
    rows, errors = await read_rows(content, PARTNER_COLUMNS, PARTNER_REQUIRED, EXPORT_ONLY)
    if errors:
        return ImportResult(errors=errors)
    choices = await form_choices(viewer)
    resolved_rows = []
    for row in rows:
        number = int(row["_row"])
        if row.get("uuid"):
            errors.append(
                RowError(number, "uuid", _("The import only adds new partners; leave uuid empty."))
            )
            continue
        data = {name: value for name, value in row.items() if not name.startswith("address_")}
        for name in forms.ADDRESS_FIELDS:
            data[f"address-0-{name}"] = row.get(f"address_{name}", "")
        values, field_errors = forms.parse_organisation(data)
        resolved = None
        if values is not None:
            resolved, field_errors = resolve_organisation(viewer, values, choices)
        for name, message in field_errors.items():
            errors.append(RowError(number, _form_field_to_column(name), message))
        if resolved is not None:
            resolved_rows.append(resolved)
    if errors:
        return ImportResult(errors=sorted(errors, key=lambda error: error.row))
    async with write_transaction():
        errors = await _tax_id_errors(rows, resolved_rows)
        if errors:
            return ImportResult(errors=errors)
        for resolved in resolved_rows:
            await services.insert_organisation(viewer, resolved)
    return ImportResult(saved=len(resolved_rows))


async def _tax_id_errors(
    rows: list[dict[str, str]], resolved_rows: list[ResolvedOrganisation]
) -> list[RowError]:
    """Rows whose tax id is already registered, or repeated earlier in the same file."""
    pairs = [(resolved.values.country, resolved.values.tax_id) for resolved in resolved_rows]
    registered = await services.tax_id_holders(pairs)
    first_row_of: dict[tuple[str, str], int] = {}
    errors = []
    for row, pair in zip(rows, pairs, strict=True):
        number = int(row["_row"])
        if not pair[1]:
            continue
        if pair in registered:
            errors.append(RowError(number, "tax_id", _(services.TAX_ID_TAKEN)))
        elif pair in first_row_of:
            errors.append(
                RowError(
                    number,
                    "tax_id",
                    _("The same tax id is on row %(row)s of this file.", row=first_row_of[pair]),
                )
            )
        else:
            first_row_of[pair] = number
    return errors


async def import_contacts(viewer: Viewer, content: bytes) -> ImportResult:
    """Add every contact of the file to existing partners, or none (Action.import_partners)."""
    access.require(viewer, Action.import_partners)
    rows, errors = await read_rows(content, CONTACT_COLUMNS, CONTACT_REQUIRED, EXPORT_ONLY)
    if errors:
        return ImportResult(errors=errors)
    partners = await access.scoped(
        Organisation.select(
            Organisation.id, Organisation.uuid, Organisation.legal_name, Organisation.tax_id
        ),
        viewer,
    ).where(Organisation.kind != OrganisationKind.brand.value)
    valid = []
    for row in rows:
        number = int(row["_row"])
        partner_id = _partner_id(partners, row.get("partner_uuid") or row.get("partner", ""))
        if partner_id is None:
            errors.append(
                RowError(
                    number,
                    "partner",
                    _("No such partner: give its UUID, tax id or exact legal name."),
                )
            )
        values, field_errors = forms.parse_contact(row)
        for name, message in field_errors.items():
            errors.append(RowError(number, name, message))
        if values is not None and partner_id is not None:
            valid.append((partner_id, values))
    if errors:
        return ImportResult(errors=sorted(errors, key=lambda error: error.row))
    async with write_transaction():
        for partner_id, values in valid:
            await contacts.insert_contact(viewer, partner_id, values)
    return ImportResult(saved=len(valid))


def _partner_id(partners: Sequence[Mapping[str, Any]], reference: str) -> int | None:
    reference = reference.strip()
    if not reference:
        return None
    try:
        wanted = UUID(reference)
    except ValueError:
        matches = [
            row for row in partners if reference in (row["legal_name"], row["tax_id"] or None)
        ]
        return matches[0]["id"] if len(matches) == 1 else None
    return next((row["id"] for row in partners if row["uuid"] == wanted), None)
