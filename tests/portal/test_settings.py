import pytest

from partner_portal.settings import SettingsError, load_settings


def test_it_uses_a_sqlite_file_by_default() -> None:
    settings = load_settings({})
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
