"""Typed rows (partner_portal/records.py): a query's dictionary becomes a frozen record."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from partner_portal.records import Record


class Colour(enum.StrEnum):
    navy = "navy"
    white = "white"


class Line(Record, frozen=True):
    id: int
    uuid: UUID
    colour: Colour
    price: Decimal
    created_at: datetime
    note: str | None = None


def _row() -> dict[str, object]:
    return {
        "id": 7,
        "uuid": uuid4(),
        "colour": "navy",
        "price": Decimal("449.55"),
        "created_at": datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
        "column_the_record_does_not_name": 1,
    }


def test_a_row_becomes_a_record_with_its_values_kept_as_they_are() -> None:
    line = Line.from_row(_row())

    assert line.colour is Colour.navy
    assert line.price == Decimal("449.55") and isinstance(line.price, Decimal)
    assert line.created_at.tzinfo is UTC
    assert line.note is None


def test_a_record_cannot_be_changed_only_copied_with_changes() -> None:
    line = Line.from_row(_row())

    with pytest.raises(AttributeError):
        line.note = "changed"  # type: ignore[misc]
    assert line.replace(note="changed").note == "changed"
    assert line.note is None


def test_a_row_missing_a_field_the_record_needs_is_refused() -> None:
    row = _row()
    del row["price"]

    with pytest.raises(Exception, match="price"):
        Line.from_row(row)
