"""The one way styles, their colourways, SKUs and prices are written.

The style form (one style), the style import (a CSV or xlsx file) and the JSON API (one
style, or up to 10,000 styles and 100,000 SKUs in one call) each turn their input into
``StyleChange`` values and hand them to ``upsert_styles``: the rules (references that
must exist, codes, barcodes and external references unique, a style's size scale fixed,
colours that were ordered kept, money in the price list's currency) are written once,
here.

All or nothing: every change is checked first, with each problem named by the change's
index and its field (``skus[2].barcode``), and then everything is written in one
transaction. Whatever the number of styles the cost is a fixed number of statements: the
reference data and the styles concerned are read once (ids, codes and references travel
as one parameter, ``database.one_of``), and each kind of write is one set-based statement
whose rows travel as one JSON parameter the database unpacks itself
(``database.json_rows``). Nothing runs a query per style.

A style's SKUs are its colours in every size of its scale (the matrix of the form). A
change lists the style's colours: colours left out are removed with their SKUs, unless
an order holds one of them. ``skus`` entries set barcodes and the ERP's references of
single SKUs; an entry that leaves a field out leaves it as it is, and a change marked
``all_barcodes`` (the form, the import) clears the barcodes it does not list. Prices are
set for the lists and sizes given and left as they are elsewhere. ``upsert_prices`` sets
prices of saved styles alone (the price import) with the same checks and writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import asyncpg

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.bulk import RowProblem
from partner_portal.catalog.tables import Style, StyleStatus
from partner_portal.catalog.upsert import checks, writes
from partner_portal.catalog.upsert.changes import (
    CHANGED_MEANWHILE,
    MAX_SKUS,
    MAX_STYLES,
    STYLE_FIELDS,
    Intent,
    PriceChange,
    PricesResult,
    Refused,
    SavedStyle,
    SkuChange,
    StyleChange,
    StylePrices,
    UpsertResult,
    change_from_form,
)
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.i18n import gettext as _

__all__ = [
    "MAX_SKUS",
    "MAX_STYLES",
    "STYLE_FIELDS",
    "Intent",
    "PriceChange",
    "PricesResult",
    "SavedStyle",
    "SkuChange",
    "StyleChange",
    "StylePrices",
    "UpsertResult",
    "archive_style",
    "change_from_form",
    "upsert_prices",
    "upsert_styles",
]


def problem_for_unique_index() -> str:
    """What the second of two simultaneous saves is told: on PostgreSQL both can pass the
    checks at once, and a unique index then refuses the second (not an error page)."""
    return _(CHANGED_MEANWHILE)


async def upsert_styles(
    viewer: Viewer, changes: Sequence[StyleChange], check_only: bool = False
) -> UpsertResult:
    """Create or update every style of ``changes`` with its colours, SKUs and prices, or
    none of them (Action.manage_catalog). See the module's docstring. ``check_only``:
    report the problems and write nothing (an import with errors of its own)."""
    access.require(viewer, Action.manage_catalog)
    if not 0 < len(changes) <= MAX_STYLES:
        return UpsertResult(
            problems=[RowProblem(-1, "items", _("Send 1 to %(n)s items.", n=f"{MAX_STYLES:,}"))]
        )
    try:
        async with write_transaction():
            known = await checks.load(changes)
            checker = checks.Checker(known)
            plans = checker.check(changes)
            skus = sum(len(plan.colours) * len(plan.sizes) for plan in plans)
            if skus > MAX_SKUS:
                checker.problem(
                    -1, "items", _("At most %(n)s SKUs in one call.", n=f"{MAX_SKUS:,}")
                )
            if checker.problems or checker.stale or check_only:
                problems = sorted(checker.problems, key=lambda problem: problem.index)
                return UpsertResult(problems=problems, stale=checker.stale)
            writer = writes.Writer(viewer, known, plans)
            await writer.write()
    except Refused as refused:
        return refused.result
    except Exception as error:
        if not is_unique_violation(error):
            raise
        return UpsertResult(problems=[RowProblem(-1, "items", problem_for_unique_index())])
    return UpsertResult(
        styles=[writer.saved[index] for index in sorted(writer.saved)],
        prices_changed=writer.prices_changed,
    )


async def upsert_prices(viewer: Viewer, changes: Sequence[StylePrices]) -> PricesResult:
    """Set the prices of saved styles, or none of them (Action.manage_catalog): each
    change names a style by code and its prices (list by id or name, a size or all sizes,
    amounts in the list's currency). Problems are named by the change's index and field
    (``code``, ``prices[2].wholesale``). Four reads and at most two writes, whatever the
    number of prices."""
    access.require(viewer, Action.manage_catalog)
    async with write_transaction():
        known = await checks.load_for_prices(changes)
        checker = checks.Checker(known)
        plans = checker.check_prices(changes)
        if checker.problems:
            return PricesResult(problems=checker.problems)
        created, updated, entries = await writes.write_prices(known, plans)
        await audit_log.record_many(viewer, entries)
    return PricesResult(created=created, updated=updated)


def is_unique_violation(error: BaseException) -> bool:
    """Whether a unique index refused a write (SQLite or PostgreSQL)."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE" in str(error)
    return isinstance(error, asyncpg.exceptions.UniqueViolationError)


async def archive_style(viewer: Viewer, style: access.VisibleStyle) -> bool:
    """Take a style out of the range: discontinued, so partners no longer see or order it;
    its orders, SKUs and history stay. False when it already was."""
    access.require(viewer, Action.manage_catalog)
    if style.status == StyleStatus.discontinued:
        return False
    async with write_transaction():
        version = await update_if_version(
            Style,
            style.id,
            style.version,
            {Style.status: StyleStatus.discontinued.value, Style.updated_at: utcnow()},
        )
        if version is None:
            return False
        await audit_log.record(
            viewer,
            entity_kind="style",
            entity_uuid=style.uuid,
            organisation_id=None,
            action="update",
            changes={
                "status": [style.status.value, StyleStatus.discontinued.value],
                "version": [style.version, version],
            },
            summary=style.code,
        )
    return True
