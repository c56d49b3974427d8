"""Invitations go out by e-mail too, in the invitee's language, with the link shown on screen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from email.message import EmailMessage

from partner_portal.cli import send_mail
from partner_portal.database import write_transaction
from partner_portal.notifications.services import enqueue_email, send_due
from partner_portal.notifications.tables import MailState, OutboxEmail
from partner_portal.partners.tables import User
from tests.accounts.helpers import invite_form, link_token
from tests.notifications.conftest import SmtpServer
from tests.support import PortalClient


def part(message: EmailMessage, kind: str) -> str:
    body = message.get_body(preferencelist=(kind,))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


async def test_an_invitation_queues_a_mail_in_the_invitees_language_with_the_link_on_screen(
    client: PortalClient, cast, mail_settings, smtp: SmtpServer
) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form("/users/invite", invite_form(cast, locale="zh_Hans"))
    assert response.status_code == 200, response.text
    link = f"http://testserver/set-password/{link_token(response)}"
    assert link in response.text
    assert (
        "An e-mail with this link is also on its way to new.buyer@jincheng.test." in response.text
    )

    user = await User.select(User.id).where(User.email == "new.buyer@jincheng.test").first()
    assert user is not None
    row = await OutboxEmail.select().where(OutboxEmail.kind == "invitation").first()
    assert row is not None
    assert (row["recipient"], row["locale"], row["user"]) == (
        "new.buyer@jincheng.test",
        "zh_Hans",
        user["id"],
    )
    assert row["subject"] == "邀请您使用 Threadline（上海锦程贸易有限公司）"
    assert link in row["body_text"]
    assert "管理员" in row["body_text"]  # the inviter

    assert (await send_due(mail_settings, "worker-1")).sent == 1
    [message] = await smtp.mailbox.wait_for(1)
    assert message["To"] == "new.buyer@jincheng.test"
    assert message["Subject"] == row["subject"]
    text = part(message, "plain")
    assert "张伟" in text
    assert link in text
    assert f'href="{link}"' in part(message, "html")


async def test_a_failed_invitation_queues_no_mail(client: PortalClient, cast) -> None:
    await client.log_in(cast.admin)
    response = await client.post_form("/users/invite", invite_form(cast, email="KAM@brand.test"))
    assert response.status_code == 400
    assert await OutboxEmail.count() == 0


async def test_a_new_link_is_mailed_in_the_users_language(
    client: PortalClient, cast, mail_settings, smtp: SmtpServer
) -> None:
    await User.update({User.locale: "ko"}).where(User.id == cast.other_distributor.id)
    await client.log_in(cast.admin)

    response = await client.post_form(f"/users/{cast.other_distributor.uuid}/new-link")

    link = f"http://testserver/set-password/{link_token(response)}"
    await send_due(mail_settings, "worker-1")
    [message] = await smtp.mailbox.wait_for(1)
    assert message["To"] == cast.other_distributor.email
    assert message["Subject"] == "서울패션유통의 새 Threadline 링크"
    assert link in part(message, "plain")


async def test_create_user_on_the_command_line_queues_the_link_in_the_default_language(
    cast,
) -> None:
    from partner_portal.accounts.users import create_user_from_cli

    message = await create_user_from_cli("x@mill.test", "X", "supplier", str(cast.mill.uuid), "")

    row = await OutboxEmail.select().where(OutboxEmail.recipient == "x@mill.test").first()
    assert row is not None
    assert row["locale"] == "en"
    assert row["subject"] == "You are invited to Threadline for 绍兴纺织有限公司"
    link = message.split("): ")[1].split()[0]
    assert link in row["body_text"]


async def test_send_mail_once_delivers_what_is_due(
    database, smtp: SmtpServer, monkeypatch, capsys
) -> None:
    import dataclasses

    from partner_portal import settings

    # What `threadline send-mail` installs when SMTP_URL is set.
    settings.install(dataclasses.replace(settings.current_settings(), smtp_url=smtp.url))
    async with write_transaction():
        await enqueue_email(kind="test", recipient="a@b.test", subject="Hi", text="T", locale="en")

    assert await send_mail(once=True) == 0

    assert "sent 1" in capsys.readouterr().out
    assert len(await smtp.mailbox.wait_for(1)) == 1


async def test_the_send_mail_command_keeps_sending_until_sigterm(
    database: str, smtp: SmtpServer
) -> None:
    async with write_transaction():
        await enqueue_email(kind="test", recipient="a@b.test", subject="Hi", text="T", locale="en")
    process = subprocess.Popen(
        [sys.executable, "-m", "partner_portal.cli", "send-mail"],
        env={**os.environ, "DATABASE_URL": database, "SMTP_URL": smtp.url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert len(await smtp.mailbox.wait_for(1)) == 1
        process.send_signal(signal.SIGTERM)
        output, _unused = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output.decode()
    row = await OutboxEmail.select(OutboxEmail.state).first()
    assert row == {"state": MailState.sent}
