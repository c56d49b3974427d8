"""Contract terms in calendar months: when a term ends and when the next one does.

A term of N months ends on the day before the same day N months later; when that month has
no such day (a term from 31 January, or from 29 February into a common year) it ends on the
month's last day. A renewal runs for as many months as the signed term, from the day after
the current end, so leap years and month ends never shift the dates by a day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def _same_day_later(start: date, months: int) -> date | None:
    """The day with start's number ``months`` later, or None when that month lacks it."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day > calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, start.day)


def term_end(start: date, months: int) -> date:
    """The last day of a term of ``months`` calendar months starting on ``start``."""
    same_day = _same_day_later(start, months)
    if same_day is not None:
        return same_day - ONE_DAY
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def term_months(start: date, end: date) -> int | None:
    """How many calendar months the term from ``start`` to ``end`` is; None when it is not
    a whole number of months (then it is renewed for the same number of days)."""
    approximate = (end.year - start.year) * 12 + end.month - start.month
    for months in (approximate, approximate + 1):
        if months > 0 and term_end(start, months) == end:
            return months
    return None


def next_term(start: date, end: date, current_end: date | None = None) -> tuple[date, date]:
    """The renewal of the term signed as ``start``–``end``: it starts the day after the
    current end (``current_end``, later than ``end`` once the contract has been extended)
    and lasts as long as the signed term."""
    new_start = (current_end or end) + ONE_DAY
    months = term_months(start, end)
    if months is None:
        return new_start, new_start + (end - start)
    return new_start, term_end(new_start, months)
