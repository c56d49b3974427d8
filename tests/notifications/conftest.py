"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """The aiosmtpd handler: every message the server accepted, parsed, with its envelope
    and the client connection (host, port) it came over.

    A message is stored before the server answers 250, so once send_due has returned,
    ``messages`` holds everything it delivered; wait_for covers senders in other processes.
    ``busy_recipients`` are refused for now (450) at RCPT. ``before_accepting``, if set, is
    awaited (in the server's thread) with the number of messages accepted so far before a
    message is accepted; if it raises, the message is refused.
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[list[str]] = []
        self.connections: list[tuple[str, int]] = []
        self.busy_recipients: set[str] = set()
        self.before_accepting: Callable[[int], Awaitable[None]] | None = None
        # The server runs in its own thread; it notifies waiters when a message arrives.
        self._arrived = threading.Condition()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.busy_recipients:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.before_accepting is not None:
            await self.before_accepting(len(self.messages))
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._arrived:
            self.envelope_recipients.append(list(envelope.rcpt_tos))
            self.connections.append(tuple(session.peer[:2]))
            self.messages.append(parsed)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, limit_seconds: float = 30) -> list[EmailMessage]:
        """The messages, once at least ``count`` arrived or the limit passed (then fewer)."""

        def wait() -> None:
            with self._arrived:
                self._arrived.wait_for(lambda: len(self.messages) >= count, limit_seconds)

        await asyncio.to_thread(wait)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """Starts and stops an aiosmtpd server on a fixed free port (down until started)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """A free port with no SMTP server listening yet (call .start() to bring it up)."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down: SmtpServer) -> SmtpServer:
    smtp_down.start()
    return smtp_down


@pytest.fixture
def mail_settings(settings, smtp_down: SmtpServer):  # type: ignore[no-untyped-def]
    """The test settings with SMTP_URL pointing at this test's server."""
    return dataclasses.replace(settings, smtp_url=smtp_down.url)
