"""Contract PDFs go to this test's own media directory, never to var/media."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def media_dir(
    work_dir: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = work_dir / f"media-{request.node.name[:50]}-{id(request)}"
    path.mkdir(parents=True)
    monkeypatch.setenv("MEDIA_DIR", str(path))
    return path


# Acceptance codes are e-mailed: the real SMTP server of the outbox's tests.
from tests.notifications.conftest import mail_settings, smtp, smtp_down  # noqa: E402

__all__ = ["mail_settings", "media_dir", "smtp", "smtp_down"]
