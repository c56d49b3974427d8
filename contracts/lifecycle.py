"""The contract lifecycle after signing: activation, notice period, expiry, auto-renewal,
and what it feeds (attention items, the renewal list, terms in force, the partner panel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from piccolo.query.methods.select import Select

from contracts import events
from contracts.access import ContractAction, scoped_contracts
from contracts.drafting import LIST_COLUMNS, move
from contracts.periods import next_term
from contracts.records import ContractRecord, ContractSummary, RelatedContract, RenewalDue
from contracts.states import IN_FORCE, KINDS_FOR_PARTNER, S, label
from contracts.tables import (
    Contract,
    ContractKind,
    ContractVersion,
    loaded,
)
from partner_portal import access, messages
from partner_portal.access import Viewer, VisibleOrganisationDetails
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.partners.tables import (
    Organisation,
)
from partner_portal.registries import AttentionItem, CommercialTerms
from partner_portal.statements import Parameter, Prepared


@access.checked_by_caller("the contract comes from get_contract or the lifecycle job")
async def activate(contract: ContractRecord, actor: Viewer | None) -> bool:
    """Countersigned -> active: the renewed contract becomes "renewed" and a distribution
    contract's tier becomes the partner's tier (the contract is the one source of truth)."""
    if not await move(contract.id, (S.countersigned,), S.active):
        return False
    await audit_log.record(
        actor,
        entity_kind="contract",
        entity_uuid=contract.uuid,
        organisation_id=contract.organisation,
        action="activate",
        changes={"status": [S.countersigned, S.active]},
        summary=contract.number,
    )
    if contract.predecessor:
        previous = (
            await Contract.select(Contract.uuid, Contract.status, Contract.number)
            .where(Contract.id == contract.predecessor)
            .first()
        )
        if previous and await move(
            contract.predecessor, (S.active, S.expiring, S.expired), S.renewed
        ):
            await audit_log.record(
                actor,
                entity_kind="contract",
                entity_uuid=previous["uuid"],
                organisation_id=contract.organisation,
                action="renewed",
                changes={"status": [previous["status"], S.renewed]},
                summary=f"{previous['number']} renewed by {contract.number}",
            )
    tier = contract.terms.get("tier")
    if contract.kind == ContractKind.distribution and tier:
        organisation = (
            await Organisation.select(Organisation.tier, Organisation.uuid)
            .where(Organisation.id == contract.organisation)
            .first()
        )
        if organisation and organisation["tier"] != tier:
            await Organisation.update(
                {
                    Organisation.tier: tier,
                    Organisation.updated_at: utcnow(),
                    Organisation.version: Organisation.version + 1,
                }
            ).where(Organisation.id == contract.organisation)
            await audit_log.record(
                actor,
                entity_kind="organisation",
                entity_uuid=organisation["uuid"],
                organisation_id=contract.organisation,
                action="update",
                changes={"tier": [organisation["tier"], tier]},
                summary=f"tier from contract {contract.number}",
            )
    return True


def notice_date(end_date: date | None, notice_days: int) -> date | None:
    """The first day of a contract's notice period (None: it has no end)."""
    if end_date is None:
        return None
    return end_date - timedelta(days=notice_days)


@access.system_query("scheduled job: every contract's lifecycle")
async def run_lifecycle(on: date | None = None) -> str:
    """The daily job: start countersigned contracts whose day has come, move active ones
    into their notice period and past their end. Idempotent: each move is a conditional
    update, so running twice (or in two processes) moves each contract once."""
    on = on or utcnow().date()
    counts = {"active": 0, "expiring": 0, "expired": 0, "extended": 0}
    rows = await Contract.select(*Contract.all_columns()).where(
        Contract.status.is_in([S.countersigned, S.active, S.expiring])
    )
    for contract in ContractRecord.from_rows(rows):
        async with write_transaction():
            if contract.status == S.countersigned:
                if (
                    contract.start_date
                    and contract.start_date <= on
                    and await activate(contract, None)
                ):
                    counts["active"] += 1
                continue
            end = contract.end_date
            if end is None:
                continue
            if end < on:
                if contract.terms.get("auto_renewal") == "yes":
                    counts["extended"] += await _extend(contract)
                elif await move(contract.id, (S.active, S.expiring), S.expired):
                    counts["expired"] += 1
                    await _record_system_move(contract, S.expired)
            elif (
                contract.status == S.active
                and (notice := notice_date(end, contract.notice_days))
                and notice <= on
            ) and await move(contract.id, (S.active,), S.expiring):
                counts["expiring"] += 1
                await _record_system_move(contract, S.expiring)
                await events.record(
                    None,
                    events.EXPIRING,
                    contract,
                    events.EXPIRING_MESSAGE,
                    end=messages.on_date(end),
                )
    return ", ".join(f"{count} {state}" for state, count in counts.items())


async def _record_system_move(contract: ContractRecord, to_status: str) -> None:
    await audit_log.record(
        None,
        entity_kind="contract",
        entity_uuid=contract.uuid,
        organisation_id=contract.organisation,
        action=to_status,
        changes={"status": [contract.status, to_status]},
        summary=contract.number,
    )


@access.checked_by_caller("contracts of the lifecycle job (run_lifecycle)")
async def _extend(contract: ContractRecord) -> int:
    """An auto-renewing contract past its end runs for another term as long as the signed
    one (the signed text says so), in calendar months; nothing is re-signed."""
    start, end = contract.start_date, contract.end_date
    if start is None or end is None:
        return 0
    signed = contract.terms
    if signed.get("start_date") and signed.get("end_date"):
        start = date.fromisoformat(signed["start_date"])
        signed_end = date.fromisoformat(signed["end_date"])
    else:
        signed_end = end
    _new_start, new_end = next_term(start, signed_end, current_end=end)
    updated = await (
        Contract.update(
            {
                Contract.end_date: new_end,
                Contract.status: S.active,
                Contract.status_changed_at: utcnow(),
                Contract.version: Contract.version + 1,
            }
        )
        .where(Contract.id == contract.id, Contract.end_date == end)
        .returning(Contract.id)
    )
    if not updated:
        return 0
    await audit_log.record(
        None,
        entity_kind="contract",
        entity_uuid=contract.uuid,
        organisation_id=contract.organisation,
        action="auto_renew",
        changes={"end_date": [end.isoformat(), new_end.isoformat()]},
        summary=contract.number,
    )
    return 1


async def _due(first: date, last: date, query: Any) -> list[dict[str, Any]]:
    """The running contracts of ``query`` in their notice period on some day from ``first``
    to ``last``."""
    rows = await query.where(
        Contract.status.is_in([S.active, S.expiring]), Contract.end_date >= first
    ).order_by(Contract.end_date)
    return [
        row
        for row in rows
        if (notice := notice_date(row["end_date"], row["notice_days"])) is not None
        and notice <= last
    ]


# What a contract in its notice period asks of its KAM (a follow-up's title).
NOTICE_SUMMARY = N_("Contract %(number)s (%(title)s) ends on %(end)s: renew it or let it end")


@access.system_query("attention source: every contract in its notice period")
async def contracts_due_for_attention(first: date, last: date) -> list[AttentionItem]:
    """Contracts in their notice period on some day from ``first`` to ``last`` (renew or
    let them end), for the follow-up rules: one item per contract, due on the day the
    notice period starts."""
    rows = await _due(
        first,
        last,
        Contract.select(
            Contract.id,
            Contract.uuid,
            Contract.organisation,
            Contract.number,
            Contract.title,
            Contract.end_date,
            Contract.notice_days,
        ),
    )
    renewing = {
        row["predecessor"]
        for row in await Contract.select(Contract.predecessor).where(
            Contract.predecessor.is_in([row["id"] for row in rows] or [-1]),
            Contract.status.not_in([S.terminated, S.declined]),
        )
    }
    return [
        AttentionItem(
            organisation_id=row["organisation"],
            subject_kind="contract",
            subject_uuid=row["uuid"],
            summary=NOTICE_SUMMARY,
            summary_params={
                "number": row["number"],
                "title": row["title"],
                "end": messages.on_date(row["end_date"]),
            },
            due_on=notice_date(row["end_date"], row["notice_days"]) or first,
        )
        for row in rows
        if row["id"] not in renewing
    ]


async def renewals_due(viewer: Viewer, on: date) -> list[RenewalDue]:
    """The KAM's renewal list: their partners' contracts inside the notice period, with
    the renewal under way if there is one."""
    access.require(viewer, ContractAction.manage_contracts)
    rows = await _due(
        on,
        on,
        scoped_contracts(Contract.select(Contract.notice_days, *LIST_COLUMNS), viewer),
    )
    successors = RelatedContract.from_rows(
        await Contract.select(
            Contract.id, Contract.predecessor, Contract.uuid, Contract.number, Contract.status
        ).where(
            Contract.predecessor.is_in([row["id"] for row in rows] or [-1]),
            Contract.status.not_in([S.terminated, S.declined]),
        )
    )
    by_predecessor = {row.predecessor: row for row in successors}
    return [
        RenewalDue.from_row(
            {
                **row,
                "renewal": by_predecessor.get(row["id"]),
                "notice_from": notice_date(row["end_date"], row["notice_days"]),
                "days_left": (row["end_date"] - on).days,
            }
        )
        for row in rows
    ]


_IN_FORCE_CONTRACT = ContractVersion.contract._


@Prepared
@access.system_query("the terms in force for a partner, for the kernel's order checks")
def _terms_in_force() -> Select:
    """The issued version of the partner's latest distribution contract in force, with
    the contract's uuid and number: one statement, read by every sheet, grid and order."""
    return (
        ContractVersion.select(
            ContractVersion.terms,
            _IN_FORCE_CONTRACT.uuid.as_alias("uuid"),
            _IN_FORCE_CONTRACT.number.as_alias("number"),
        )
        .where(
            _IN_FORCE_CONTRACT.organisation == Parameter("organisation"),
            _IN_FORCE_CONTRACT.kind == ContractKind.distribution,
            _IN_FORCE_CONTRACT.status.is_in(list(IN_FORCE)),
            ContractVersion.number == _IN_FORCE_CONTRACT.issued_number,
        )
        .order_by(_IN_FORCE_CONTRACT.start_date, ascending=False)
        .limit(1)
    )


@access.system_query("the terms in force for a partner, for the kernel's order checks")
async def commercial_terms(organisation_id: int) -> CommercialTerms | None:
    """The terms in force for a partner: its active distribution contract's, as signed
    (the frozen version's terms), or None when it has none."""
    row = await _terms_in_force.first(organisation=organisation_id)
    if row is None:
        return None
    terms = loaded(row)["terms"] or {}

    def decimal_or_none(value: str | None) -> Decimal | None:
        return Decimal(value) if value else None

    return CommercialTerms(
        tier=terms.get("tier") or None,
        territory=terms.get("territory") or None,
        payment_terms=terms.get("payment_terms") or None,
        currency=terms.get("currency") or None,
        credit_limit=decimal_or_none(terms.get("credit_limit")),
        credit_limit_blocks=terms.get("credit_limit_blocks") == "yes",
        discount_percent=decimal_or_none(terms.get("discount_percent")),
        contract_uuid=row["uuid"],
        contract_number=row["number"],
    )


@dataclass(frozen=True)
class ContractsPanel:
    """The partner 360's contracts panel (contracts/_panel.html)."""

    partner: VisibleOrganisationDetails
    contracts: list[ContractSummary]
    terms: CommercialTerms | None
    can_create: bool
    label: Callable[[str], str]


async def partner_panel(
    viewer: Viewer, organisation: VisibleOrganisationDetails
) -> ContractsPanel | None:
    """The partner 360 page's contracts panel: the partner's contracts and terms in force."""
    if not viewer.can(ContractAction.view_contracts):
        return None
    rows = ContractSummary.from_rows(
        await scoped_contracts(Contract.select(*LIST_COLUMNS), viewer)
        .where(Contract.organisation == organisation.id)
        .order_by(Contract.updated_at, ascending=False)
    )
    terms = await commercial_terms(organisation.id)
    if not rows and not access.allows(viewer, ContractAction.manage_contracts, organisation.id):
        return None
    return ContractsPanel(
        partner=organisation,
        contracts=rows,
        terms=terms,
        can_create=access.allows(viewer, ContractAction.manage_contracts, organisation.id)
        and organisation.kind in KINDS_FOR_PARTNER,
        label=label,
    )
