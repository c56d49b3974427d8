"""`threadline serve` as a subprocess on a free port of 127.0.0.1, for the tests that need
the real command (tests/portal/test_serve.py, test_concurrent_writes.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from tests.conftest import _free_port

STARTUP_SECONDS = 60
SHUTDOWN_SECONDS = 20


class ServeCommand:
    def __init__(self, database: str, *arguments: str) -> None:
        self.database = database
        self.arguments = arguments
        self.url = ""
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, processes: int = 1) -> str:
        """Start it and wait until each of its ``processes`` has started the app and the
        socket listens (uvicorn binds it after "startup complete" when it runs alone,
        before the workers start when it runs several); its URL."""
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "partner_portal.cli", "serve", "--port", str(port),
            *self.arguments,
            env={**os.environ, "DATABASE_URL": self.database, "BASE_URL": self.url},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        assert self.process.stdout is not None
        output: list[bytes] = []
        started = 0
        listening = False
        async with asyncio.timeout(STARTUP_SECONDS):
            while started < processes or not listening:
                line = await self.process.stdout.readline()
                assert line, b"".join(output).decode()  # it exited: say why
                output.append(line)
                started += b"Application startup complete" in line
                listening = listening or b"Uvicorn running on" in line
        return self.url

    async def stop(self) -> bytes:
        """SIGTERM, then wait for it to exit; what it printed since it started."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(SHUTDOWN_SECONDS):
            rest, _ = await self.process.communicate()
        return rest

    @property
    def returncode(self) -> int | None:
        assert self.process is not None
        return self.process.returncode
