"""Typed rows: what services hand to controllers, templates and other services.

A query gives dictionaries; a service turns them into records, frozen ``msgspec`` structs
that say which fields a row has (``order.status``, not ``order["status"]``; templates read
both the same way). Each module keeps its records in ``<module>/records.py``.

A row the access policy fetched for a viewer is a distinct type from the same row read
without it: beside each record the module's access file declares, for example,

    class VisibleOrder(OrderRecord, frozen=True): ...

and only its ``get_*`` fetchers make one (``VisibleOrder.from_row(row)``). (A subclass, not
``NewType("VisibleOrder", OrderRecord)``: mypy 2.4 crashes on a NewType of a msgspec
struct.) A
service that must only ever act on a row the viewer may see takes ``VisibleOrder``, so mypy
refuses a raw ``OrderRecord`` there; a function that works on any order takes ``OrderRecord``
and accepts both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self

import msgspec


class Record(msgspec.Struct, frozen=True, kw_only=True):
    """The base of every typed row. Fields are named as the query's columns (give a joined
    column an alias, ``Order.buyer.legal_name.as_alias("buyer_name")``); a row's columns
    that the record does not name are ignored."""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        # Values are already Python objects (Decimal, datetime, UUID); strict=False lets a
        # stored string become its StrEnum member.
        return msgspec.convert(row, cls, strict=False)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> list[Self]:
        return [cls.from_row(row) for row in rows]

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dictionary (a form's values, an audit snapshot)."""
        return msgspec.structs.asdict(self)

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (records are frozen)."""
        return msgspec.structs.replace(self, **changes)
