"""Who sees, drafts, accepts and countersigns contracts, and maintains their templates.

The brand's admins and staff see every contract, a KAM those of their (team's) partners;
a partner's users see their own organisation's once issued. Accepting binds the partner:
its organisation admin (its authorised signatory) accepts, for its own organisation only,
never the brand. Countersigning binds the brand: its administrators only, never the KAM
who negotiated.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.columns.combination import Combinable

from contracts.records import (
    ClauseRecord,
    ContractRecord,
    SignatureRecord,
    TemplateRecord,
    VersionRecord,
)
from contracts.tables import (
    AcceptanceCode,
    Clause,
    Contract,
    ContractSignature,
    ContractTemplate,
    ContractVersion,
)
from partner_portal.access import (
    ActionSet,
    ScopedTable,
    Viewer,
    fetch_one,
    narrow,
    organisation_filter,
    require,
)


class ContractAction(ActionSet):
    view_contracts = "contracts.view_contracts", "See contracts"
    manage_contracts = "contracts.manage_contracts", "Draft, issue, renew and end contracts"
    manage_contract_templates = (
        "contracts.manage_contract_templates",
        "Maintain contract templates and the clause library",
    )
    accept_contract = "contracts.accept_contract", "Accept a contract for the partner"
    countersign_contract = "contracts.countersign_contract", "Countersign a contract for the brand"


SCOPED_TABLES = (
    ScopedTable(Contract, Contract.organisation),
    ScopedTable(ContractVersion, ContractVersion.organisation),
    ScopedTable(ContractSignature, ContractSignature.organisation),
    ScopedTable(AcceptanceCode, AcceptanceCode.organisation),
)


def contract_filter(viewer: Viewer) -> Combinable | None:
    """Contracts the viewer may see: the brand's admins and staff all; a KAM their (team's)
    partners'; a partner's users only their own organisation's (not the retailers a
    distributor serves; a supplier so its supply agreements), and only once issued: drafts
    are the brand's working copies."""
    if viewer.is_brand:
        return organisation_filter(viewer, Contract.organisation)
    return (Contract.organisation == viewer.organisation_id) & (Contract.issued_number > 0)


def scoped_contracts(query: Any, viewer: Viewer) -> Any:
    return narrow(query, contract_filter(viewer))


class VisibleContract(ContractRecord, frozen=True):
    """A contract the viewer may see: made only by the fetchers below. A subclass rather
    than a NewType: mypy (2.4) crashes on a NewType of a msgspec struct."""


class VisibleVersion(VersionRecord, frozen=True):
    """An issued version of a contract the viewer may see: made only by get_version."""


class VisibleSignature(SignatureRecord, frozen=True):
    """A signature of a contract the viewer may see: made only by get_signature."""


class VisibleTemplate(TemplateRecord, frozen=True):
    """A template its maintainers may edit: made only by get_template."""


class VisibleClause(ClauseRecord, frozen=True):
    """A clause its maintainers may edit: made only by get_clause."""


async def get_contract(
    viewer: Viewer, contract_uuid: UUID, action: ActionSet = ContractAction.view_contracts
) -> VisibleContract:
    """One contract the viewer may see (404 otherwise), checked for the action (403)."""
    query = scoped_contracts(Contract.select(*Contract.all_columns()), viewer).where(
        Contract.uuid == contract_uuid
    )
    row = await fetch_one(viewer, query, "No such contract.", action, "organisation")
    return VisibleContract.from_row(row)


async def get_version(viewer: Viewer, version_uuid: UUID) -> tuple[VisibleContract, VisibleVersion]:
    """A version and its contract, if the viewer may see the contract (404 otherwise)."""
    query = ContractVersion.select(
        *ContractVersion.all_columns(),
        ContractVersion.contract._.uuid.as_alias("contract_uuid"),
    ).where(ContractVersion.uuid == version_uuid)
    version = await fetch_one(viewer, query, "No such version.")
    contract = await get_contract(viewer, version["contract_uuid"])
    return contract, VisibleVersion.from_row(version)


async def get_signature(
    viewer: Viewer, signature_uuid: UUID
) -> tuple[VisibleContract, VisibleSignature]:
    """A signature and its contract, if the viewer may see the contract (404 otherwise)."""
    query = ContractSignature.select(
        *ContractSignature.all_columns(),
        ContractSignature.contract._.uuid.as_alias("contract_uuid"),
        ContractSignature.contract_version._.number.as_alias("version_number"),
    ).where(ContractSignature.uuid == signature_uuid)
    signature = await fetch_one(viewer, query, "No such signature.")
    contract = await get_contract(viewer, signature["contract_uuid"])
    return contract, VisibleSignature.from_row(signature)


async def get_template(
    viewer: Viewer,
    template_uuid: UUID,
    action: ActionSet = ContractAction.manage_contract_templates,
) -> VisibleTemplate:
    """One contract template, for those who may take the action (403), else 404."""
    require(viewer, action)
    query = ContractTemplate.select(*ContractTemplate.all_columns()).where(
        ContractTemplate.uuid == template_uuid
    )
    return VisibleTemplate.from_row(await fetch_one(viewer, query, "No such template."))


async def get_clause(viewer: Viewer, clause_uuid: UUID) -> VisibleClause:
    """One clause of the library, for its maintainers (403), else 404."""
    require(viewer, ContractAction.manage_contract_templates)
    query = Clause.select(*Clause.all_columns()).where(Clause.uuid == clause_uuid)
    return VisibleClause.from_row(await fetch_one(viewer, query, "No such clause."))
