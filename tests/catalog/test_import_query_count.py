"""Importing a hundred styles, or their prices, costs the database no more queries than
importing ten: the import hands every style to the upsert service at once, which reads
the reference data and the styles concerned once and writes each kind of row in one
statement."""

from __future__ import annotations

import pytest

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog import csv_io, services
from partner_portal.catalog.tables import Price, Sku, Style
from tests.catalog.support import ean13, make_catalog
from tests.support import Cast, queries_during


def style_file(first: int, count: int, name: str) -> bytes:
    """``count`` styles of two colours in three sizes, the small ones with a barcode."""
    lines = [",".join(csv_io.STYLE_COLUMNS)]
    for number in range(first, first + count):
        for colour in ("BLK", "WHT"):
            for size in ("S", "M", "L"):
                barcode = ean13(f"6901{number:04d}{colour == 'BLK':1d}000") if size == "S" else ""
                lines.append(
                    f"SS27-KN-{number:04d},SS27,,knitwear,women,{name} {number},,,,,"
                    f"ALPHA,active,{colour},{colour.title()},{size},{barcode}"
                )
    return ("\n".join(lines) + "\n").encode()


def price_file(first: int, count: int, wholesale: int) -> bytes:
    """A price for all sizes of ``count`` styles and one for their size L, on one list."""
    lines = [",".join(csv_io.PRICE_COLUMNS)]
    for number in range(first, first + count):
        lines.append(f"CNY wholesale,SS27-KN-{number:04d},,{wholesale},{wholesale * 2}")
        lines.append(f"CNY wholesale,SS27-KN-{number:04d},L,{wholesale + 20},")
    return ("\n".join(lines) + "\n").encode()


async def test_a_hundred_styles_import_in_as_many_queries_as_ten(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_catalog()
    viewer = await viewer_for_user_id(cast.staff.id)

    async def imported(first: int, count: int, name: str) -> int:
        queries, result = await queries_during(
            lambda: csv_io.import_styles(viewer, style_file(first, count, name)), monkeypatch
        )
        assert result.ok, result.errors
        assert result.saved == count
        return queries

    new_ten = await imported(0, 10, "Merino")
    new_hundred = await imported(100, 100, "Merino")
    changed_ten = await imported(0, 10, "Merino crew")
    changed_hundred = await imported(100, 100, "Merino crew")

    assert new_hundred == new_ten
    assert changed_hundred == changed_ten
    assert await Style.count() == 110
    assert await Sku.count().where(Sku.barcode.is_not_null()) == 220


async def test_a_hundred_styles_prices_import_in_as_many_queries_as_ten(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_catalog()
    viewer = await viewer_for_user_id(cast.staff.id)
    result = await csv_io.import_styles(viewer, style_file(0, 110, "Merino"))
    assert result.ok, result.errors
    await services.create_price_list(None, "CNY wholesale", "CNY", False, None)
    entries = await AuditEntry.count()

    async def imported(first: int, count: int, wholesale: int) -> tuple[int, int, int]:
        queries, result = await queries_during(
            lambda: csv_io.import_prices(viewer, price_file(first, count, wholesale)),
            monkeypatch,
        )
        assert result.ok, result.errors
        return queries, result.created, result.updated

    new_ten = await imported(0, 10, 199)
    new_hundred = await imported(10, 100, 199)
    changed_ten = await imported(0, 10, 209)
    changed_hundred = await imported(10, 100, 209)

    assert new_ten[1:] == (20, 0) and new_hundred[1:] == (200, 0)
    assert changed_ten[1:] == (0, 20) and changed_hundred[1:] == (0, 200)
    assert new_hundred[0] == new_ten[0]
    assert changed_hundred[0] == changed_ten[0]
    assert await Price.count() == 220
    assert await Price.count().where(Price.wholesale == 229) == 110
    # One audit entry for the list per import.
    assert await AuditEntry.count() == entries + 4
