"""Importing a hundred styles costs the database no more queries than importing ten: the
import hands every style to the upsert service at once, which reads the reference data
and the styles concerned once and writes each kind of row in one statement."""

from __future__ import annotations

import pytest

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog import csv_io
from partner_portal.catalog.tables import Sku, Style
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
