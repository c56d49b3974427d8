"""A contract's money terms are read in the contract's currency (KRW has no decimals) and
bounded, its dates are ISO dates: a wrong one is a message beside its field and nothing
is saved."""

from __future__ import annotations

from tests.contracts.support import contract_row, make_contract, make_template
from tests.support import Cast, PortalClient


async def test_a_won_credit_limit_with_decimals_or_too_large_saves_nothing(
    client: PortalClient, cast: Cast
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_b, template, currency="KRW")
    await client.sign_in(cast.admin)
    url = f"/contracts/{contract['uuid']}/edit"
    form = {"title": contract["title"], "version": str(contract["version"]), **contract["terms"]}

    decimals = await client.post_form(url, {**form, "credit_limit": "50000000.5"})
    too_large = await client.post_form(url, {**form, "credit_limit": "9" * 16})
    bad_date = await client.post_form(url, {**form, "end_date": "2027-02-30"})
    percent = await client.post_form(url, {**form, "discount_percent": "12.345"})

    assert decimals.status_code == 400 and "KRW amounts have no decimals." in decimals.text
    assert too_large.status_code == 400 and "The amount is too large." in too_large.text
    assert bad_date.status_code == 400 and "Enter a date as YYYY-MM-DD." in bad_date.text
    assert percent.status_code == 400 and "Use at most 2 decimals." in percent.text
    assert (await contract_row(contract["uuid"]))["terms"] == contract["terms"]

    saved = await client.post_form(url, {**form, "credit_limit": "５０,０００,０００"})
    assert saved.status_code == 303, saved.text
    assert (await contract_row(contract["uuid"]))["terms"]["credit_limit"] == "50000000"
