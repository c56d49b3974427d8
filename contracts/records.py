"""Typed rows of the contracts module (partner_portal/records.py): a contract as the
services hand it out. A contract fetched through the access policy is a
``VisibleContract`` (contracts/access.py), made only by its fetchers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Self
from uuid import UUID

from contracts.tables import ContractKind, ContractStatus, TemplateLanguage, loaded
from partner_portal.records import Record


class ContractRecord(Record, frozen=True):
    """A contract's own columns; ``terms`` as the form keeps them (strings by field name,
    see contracts/forms.py)."""

    id: int
    uuid: UUID
    organisation: int
    template: int
    number: str
    title: str
    kind: ContractKind
    language: TemplateLanguage
    status: ContractStatus
    terms: dict[str, str]
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

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        # Piccolo returns the JSON terms as text.
        return super().from_row(loaded(row))
