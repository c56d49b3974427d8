import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from partner_portal.settings import SettingsError, load_settings

A_KEY = "k" * 32


def test_it_uses_a_sqlite_file_by_default() -> None:
    settings = load_settings({"SECRET_KEY": A_KEY})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.is_sqlite


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_URL": "mysql://localhost/x"}, "DATABASE_URL must start with"),
        ({"DATABASE_URL": "sqlite:///:memory:"}, "in-memory"),
        ({"PORT": "eighty"}, "PORT must be a whole number"),
        ({"PORT": "70000"}, "PORT must be between"),
        ({"BASE_URL": "portal.example.com"}, "BASE_URL must be an http"),
        ({"SMTP_URL": "mail.example.com"}, "SMTP_URL must look like"),
        ({"DEFAULT_LOCALE": "fr"}, "DEFAULT_LOCALE must be one of"),
        ({"DEFAULT_TIME_ZONE": "Mars/Olympus"}, "DEFAULT_TIME_ZONE"),
        ({"SCHEDULER_IN_PROCESS": "maybe"}, "SCHEDULER_IN_PROCESS must be"),
        ({"THREADLINE_ENV": "production"}, "SECRET_KEY must be set in production"),
        ({"THREADLINE_ENV": "test"}, "SECRET_KEY must be set in test"),
        ({"SECRET_KEY": "short"}, "at least 32 characters"),
    ],
)
def test_it_refuses_bad_values_naming_the_variable(variables: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(variables)


def test_the_command_line_stops_with_a_clear_message_on_a_bad_setting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "partner_portal.cli", "migrate"],
        env={**os.environ, "DATABASE_URL": "oracle://nowhere"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Configuration error: DATABASE_URL must start with" in result.stderr


def _development_key_in(directory: Path) -> str:
    """The secret key a development process started in ``directory`` uses, as it prints it."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("SECRET_KEY", "THREADLINE_ENV")
    }
    result = subprocess.run(
        [sys.executable, "-c", "from partner_portal.settings import load_settings; "
         "print(load_settings().secret_key)"],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_development_without_a_secret_key_makes_a_random_one_once_and_keeps_it(
    tmp_path: Path,
) -> None:
    first_checkout, second_checkout = tmp_path / "one", tmp_path / "two"
    first_checkout.mkdir()
    second_checkout.mkdir()

    key = _development_key_in(first_checkout)
    kept = first_checkout / "var" / "secret_key"
    assert kept.read_text().strip() == key
    assert len(key) >= 32
    # Only its owner may read it.
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # The next run (make run again) signs with the same key: links and forms stay valid.
    assert _development_key_in(first_checkout) == key
    # Another checkout gets its own: no key is shared, so none is known to an attacker.
    assert _development_key_in(second_checkout) != key


def test_a_development_key_file_that_is_too_short_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("short\n")
    with pytest.raises(SettingsError, match="var/secret_key"):
        load_settings({})
