"""The redline page: two issued versions of a contract chosen and compared
(contracts/redline.py), with the terms that changed between them, for whoever may see the
contract (the brand and the partner alike)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from contracts import forms, redline
from contracts.access import VisibleContract, get_contract
from contracts.redline import Redline
from contracts.tables import ContractVersion, loaded
from partner_portal import workers
from partner_portal.access import Viewer
from partner_portal.i18n import N_
from partner_portal.inputs import whole_number

COMPARE_SECONDS = 30
MAX_VERSION = 1_000_000


@dataclass(frozen=True)
class TermChange:
    """A term whose value differs: before and after, each with its version's currency."""

    field: forms.TermField
    old: str
    new: str
    old_currency: str
    new_currency: str


def term_changes(kind: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[TermChange]:
    """The terms of a contract's kind whose values differ between two versions."""
    return [
        TermChange(
            field,
            old.get(field.name) or "",
            new.get(field.name) or "",
            old.get("currency") or "",
            new.get("currency") or "",
        )
        for field in forms.fields_for(kind)
        if (old.get(field.name) or "") != (new.get(field.name) or "")
    ]


@dataclass(frozen=True)
class Comparison:
    """The redline page: the contract, its versions to choose from (newest first), the
    two chosen (``old`` and ``new`` numbers), and what changed, if two were chosen.
    ``problem``: why the choice cannot be compared (shown in place; nothing else)."""

    contract: VisibleContract
    versions: list[dict[str, Any]]
    old: int
    new: int
    redline: Redline | None = None
    terms: tuple[TermChange, ...] = ()
    problem: str = ""
    too_long: bool = False


class ChoiceRefused(ValueError):
    """Two versions that cannot be compared; ``reason`` says why (a message id)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def chosen_numbers(
    old_text: str | None, new_text: str | None, numbers: list[int]
) -> tuple[int, int]:
    """The version numbers to compare: the ones asked for, else the newest and the one
    before it. ChoiceRefused while fewer than two versions were issued, for a number that
    is not an issued version, or for the same version twice."""
    if len(numbers) < 2:
        raise ChoiceRefused(
            N_("Fewer than two versions have been issued: there is nothing to compare yet.")
        )

    def chosen(text: str | None, default: int) -> int:
        if not text:
            return default
        number = whole_number(text, minimum=1, maximum=MAX_VERSION)
        if number is None or number not in numbers:
            raise ChoiceRefused(N_("Choose versions that were issued."))
        return number

    new = chosen(new_text, max(numbers))
    old = chosen(old_text, max((number for number in numbers if number < new), default=new))
    if old == new:
        raise ChoiceRefused(N_("Choose two different versions."))
    return old, new


async def version_comparison(
    viewer: Viewer, contract_uuid: UUID, old_text: str | None, new_text: str | None
) -> Comparison:
    """The redline page of a contract the viewer may see (404 otherwise): for the brand and
    for the partner alike, any two issued versions, by default the newest against the one
    before it."""
    contract = await get_contract(viewer, contract_uuid)
    versions = list(
        await ContractVersion.select(
            ContractVersion.uuid,
            ContractVersion.number,
            ContractVersion.issued_at,
            ContractVersion.superseded_at,
        )
        .where(ContractVersion.contract == contract.id)
        .order_by(ContractVersion.number, ascending=False)
    )
    numbers = [row["number"] for row in versions]
    try:
        old, new = chosen_numbers(old_text, new_text, numbers)
    except ChoiceRefused as refused:
        return Comparison(contract, versions, 0, 0, problem=refused.reason)
    texts = {
        row["number"]: loaded(row)
        for row in await ContractVersion.select(
            ContractVersion.number, ContractVersion.body_html, ContractVersion.terms
        ).where(ContractVersion.contract == contract.id, ContractVersion.number.is_in([old, new]))
    }
    changes = tuple(
        term_changes(contract.kind, texts[old]["terms"] or {}, texts[new]["terms"] or {})
    )
    try:
        compared = await workers.run(
            redline.compare,
            texts[old]["body_html"],
            texts[new]["body_html"],
            time_limit=COMPARE_SECONDS,
        )
    except workers.WorkerTimeout:
        return Comparison(contract, versions, old, new, terms=changes, too_long=True)
    return Comparison(contract, versions, old, new, compared, changes)
