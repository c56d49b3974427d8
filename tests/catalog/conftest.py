"""The catalog's tests keep uploaded pictures in their own work directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def settings(database: str, media_dir: Path) -> Any:
    from partner_portal.settings import load_settings

    return load_settings(
        {
            **os.environ,
            "DATABASE_URL": database,
            "LOGIN_MAX_FAILURES": "5",
            "MEDIA_DIR": str(media_dir),
            "SESSION_CACHE_SECONDS": "0",  # as tests/conftest.py: users change between requests
        }
    )
