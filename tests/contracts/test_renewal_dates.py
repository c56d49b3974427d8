"""Renewal dates over a whole calendar of start days: a term of N months renews for N
months, from the day after it ends, whatever the start day, month end or leap year."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest

from contracts import lifecycle
from contracts.periods import next_term, term_end, term_months
from contracts.tables import Contract, ContractStatus
from tests.contracts.support import contract_row, make_contract, make_template
from tests.support import Cast, PortalClient

EVERY_DAY = [
    date(2023, 1, 1) + timedelta(days=n) for n in range((date(2026, 1, 1) - date(2023, 1, 1)).days)
]


def _one_year_after(day: date) -> date:
    """The same day a year later; 1 March when there is no 29 February (an oracle written
    independently of contracts.periods)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def test_the_calendar_covers_leap_days_and_month_ends() -> None:
    assert date(2024, 2, 29) in EVERY_DAY and date(2023, 2, 28) in EVERY_DAY
    assert len(EVERY_DAY) == 365 + 366 + 365


@pytest.mark.parametrize("start", EVERY_DAY, ids=str)
def test_a_one_year_term_renews_for_exactly_one_year(start: date) -> None:
    end = term_end(start, 12)
    assert end + timedelta(days=1) == _one_year_after(start) or (
        start.month == 2 and start.day == 29 and end == date(start.year + 1, 2, 28)
    )
    assert term_months(start, end) == 12
    new_start, new_end = next_term(start, end)
    assert new_start == end + timedelta(days=1)
    assert new_end + timedelta(days=1) == _one_year_after(new_start) or (
        new_start.month == 2 and new_start.day == 29
    )
    # Renewed again from the extended end: still one year, never drifting.
    third_start, third_end = next_term(start, end, current_end=new_end)
    assert third_start == new_end + timedelta(days=1)
    assert term_months(third_start, third_end) == 12


@pytest.mark.parametrize("start", EVERY_DAY, ids=str)
def test_a_one_month_term_ends_the_day_before_the_same_day_or_on_the_month_end(
    start: date,
) -> None:
    end = term_end(start, 1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    last_day = calendar.monthrange(following.year, following.month)[1]
    if start.day <= last_day:
        assert end == following.replace(day=start.day) - timedelta(days=1)
    else:
        assert end == following.replace(day=last_day)
    new_start, new_end = next_term(start, end)
    assert new_start == end + timedelta(days=1) and term_months(new_start, new_end) == 1


def test_the_issues_contract_renews_to_the_last_day_of_november() -> None:
    assert next_term(date(2026, 12, 1), date(2027, 11, 30)) == (
        date(2027, 12, 1),
        date(2028, 11, 30),
    )
    assert next_term(date(2024, 2, 29), date(2025, 2, 28)) == (date(2025, 3, 1), date(2026, 2, 28))
    assert next_term(date(2023, 1, 31), date(2023, 2, 28)) == (date(2023, 3, 1), date(2023, 3, 31))


def test_a_term_that_is_not_whole_months_renews_for_as_many_days() -> None:
    assert next_term(date(2027, 1, 10), date(2027, 3, 1)) == (date(2027, 3, 2), date(2027, 4, 21))


async def _auto_renewing(cast: Cast, start: str, end: str) -> dict:  # type: ignore[type-arg]
    template = await make_template(cast.admin)
    contract = await make_contract(
        cast.admin, cast.distributor_a, template, start_date=start, end_date=end
    )
    terms = {**contract["terms"], "auto_renewal": "yes"}
    await Contract.update(
        {Contract.status: ContractStatus.active, Contract.issued_number: 1, Contract.terms: terms}
    ).where(Contract.id == contract["id"])
    return await contract_row(contract["uuid"])


async def test_the_daily_job_extends_an_auto_renewing_contract_by_its_signed_term_each_time(
    app: object, cast: Cast
) -> None:
    contract = await _auto_renewing(cast, "2026-12-01", "2027-11-30")
    assert "1 extended" in await lifecycle.run_lifecycle(date(2027, 12, 1))
    assert (await contract_row(contract["uuid"]))["end_date"] == date(2028, 11, 30)
    assert "0 extended" in await lifecycle.run_lifecycle(date(2027, 12, 1))
    assert "1 extended" in await lifecycle.run_lifecycle(date(2028, 12, 1))
    # One more year, not a term doubled by the first extension.
    assert (await contract_row(contract["uuid"]))["end_date"] == date(2029, 11, 30)


async def test_a_renewal_draft_starts_after_the_extended_end_and_lasts_the_signed_term(
    client: PortalClient, cast: Cast
) -> None:
    contract = await _auto_renewing(cast, "2026-12-01", "2027-11-30")
    await lifecycle.run_lifecycle(date(2027, 12, 1))
    await client.sign_in(cast.kam)
    assert (await client.post_form(f"/contracts/{contract['uuid']}/renew")).status_code == 303
    renewal = (
        await Contract.select(Contract.start_date, Contract.end_date)
        .where(Contract.predecessor == contract["id"])
        .first()
    )
    assert renewal == {"start_date": date(2028, 12, 1), "end_date": date(2029, 11, 30)}
