"""A contract's steps tell exactly the people concerned on both sides, in the portal and
by e-mail, each in their own language: sent for signature (the partner's users and its
KAM), accepted, countersigned, declined, and its notice period beginning (told by the
daily job, to everyone). Counted at a real SMTP server."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts import acceptance, lifecycle
from contracts.tables import SignatureSide
from tests.contracts.support import (
    contract_row,
    issue,
    make_contract,
    make_template,
    seen_by,
    sign_form,
)
from tests.contracts.support import viewer as as_
from tests.notifications.conftest import SmtpServer, mail_settings, smtp, smtp_down
from tests.notifications.told import last_notification_id, set_languages, told_since
from tests.support import Cast

__all__ = ["mail_settings", "smtp", "smtp_down"]

CLIENT = acceptance.Client("198.51.100.1", "Mozilla/5.0")


async def test_issue_acceptance_and_countersignature_reach_both_sides_in_their_languages(
    cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    await set_languages(cast)
    template = await make_template(cast.admin)
    contract = await make_contract(
        cast.admin, cast.distributor_a, template, start_date="2026-01-01", end_date="2027-12-31"
    )
    number = contract["number"]
    partner_side = {cast.distributor.id, cast.distributor_colleague.id}

    version = await issue(cast.admin, contract)
    issued = await told_since(0, mail_settings, smtp)
    # The admin issued it: the partner's users and its KAM hear, not the admin.
    assert issued.users() == partner_side | {cast.kam.id}
    assert set(issued.mails) == {
        cast.distributor.email,
        cast.distributor_colleague.email,
        cast.kam.email,
    }
    chinese = issued.text_for(cast.distributor)
    assert number in chinese and "已发出待签署" in chinese
    assert "서명 요청으로 발송" in issued.subject_for(cast.distributor_colleague)
    assert f"Contract {number}" in issued.text_for(cast.kam)

    start = await last_notification_id()
    signed = await acceptance.sign(
        await as_(cast.distributor),
        await seen_by(cast.distributor, contract["uuid"]),
        sign_form(version),
        CLIENT,
        SignatureSide.partner,
    )
    assert signed.saved
    accepted = await told_since(start, mail_settings, smtp)
    assert accepted.users() == {cast.distributor_colleague.id, cast.kam.id}
    assert "was accepted by 王总" in accepted.text_for(cast.kam)
    assert "王总 님이 수락했습니다" in accepted.subject_for(cast.distributor_colleague)

    start = await last_notification_id()
    countersigned = await acceptance.sign(
        await as_(cast.admin),
        await seen_by(cast.admin, contract["uuid"]),
        sign_form(version, key="brand-key-0001", signer_name="陈总"),
        CLIENT,
        SignatureSide.brand,
    )
    assert countersigned.saved
    brand_signed = await told_since(start, mail_settings, smtp)
    assert brand_signed.users() == partner_side | {cast.kam.id}
    assert "已由 陈总 会签" in brand_signed.text_for(cast.distributor)
    assert sum(len(mails) for mails in brand_signed.mails.values()) == 3


async def test_a_declined_contract_and_its_notice_period_are_told(
    app: Any, cast: Cast, mail_settings: Any, smtp: SmtpServer
) -> None:
    await set_languages(cast)
    template = await make_template(cast.admin)
    contract = await make_contract(
        cast.admin, cast.distributor_a, template, start_date="2026-01-01", end_date="2027-12-31"
    )
    version = await issue(cast.admin, contract)
    await told_since(0, mail_settings, smtp)

    start = await last_notification_id()
    declined = await acceptance.decline(
        await as_(cast.distributor),
        await seen_by(cast.distributor, contract["uuid"]),
        {"version": str(version.uuid), "reason": "付款条件不能接受"},
        CLIENT,
    )
    assert declined.saved, declined.errors
    told = await told_since(start, mail_settings, smtp)
    assert told.users() == {cast.distributor_colleague.id, cast.kam.id}
    assert "was declined: 付款条件不能接受" in told.text_for(cast.kam)

    # An active contract reaching its notice period: the job tells everyone concerned.
    version = await issue(cast.admin, await contract_row(contract["uuid"]))
    for side, member, key in (
        (SignatureSide.partner, cast.distributor, "sign-key-0002"),
        (SignatureSide.brand, cast.admin, "brand-key-0002"),
    ):
        result = await acceptance.sign(
            await as_(member),
            await seen_by(member, contract["uuid"]),
            sign_form(version, key=key),
            CLIENT,
            side,
        )
        assert result.saved, result.errors
    await told_since(0, mail_settings, smtp)
    start = await last_notification_id()

    assert "1 expiring" in await lifecycle.run_lifecycle(date(2027, 10, 15))
    assert "0 expiring" in await lifecycle.run_lifecycle(date(2027, 10, 16))

    expiring = await told_since(start, mail_settings, smtp)
    everyone = {cast.distributor.id, cast.distributor_colleague.id, cast.kam.id}
    assert expiring.users() == everyone
    assert sum(len(mails) for mails in expiring.mails.values()) == 3
    assert "通知期已开始" in expiring.text_for(cast.distributor)
    assert "통지 기간이 시작" in expiring.text_for(cast.distributor_colleague)
    assert "its notice period began" in expiring.text_for(cast.kam)
