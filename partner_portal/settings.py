"""Every setting, read once from environment variables and validated.

A bad value stops the process at start with a message naming the variable,
instead of failing later in a request.

Only the composition roots read the environment (``create_app``, the ``threadline``
command, ``piccolo_conf`` for Piccolo's own commands): each calls ``load_settings`` once and
``install``s the result; everything else asks ``current_settings()`` for that one object
(tests/portal/test_settings_source.py keeps it so).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SUPPORTED_LOCALES = ("en", "zh_Hans", "ko")
ENVIRONMENTS = ("development", "test", "production")
MIN_SECRET_KEY_LENGTH = 32
# Where development keeps the random key it makes for itself when SECRET_KEY is not set.
DEVELOPMENT_KEY_FILE = Path("var/secret_key")


class SettingsError(ValueError):
    """Raised when an environment variable holds a value Threadline cannot use."""


@dataclass(frozen=True)
class Settings:
    # Signs CSRF tokens, employees' links and known-device cookies; no default, so no
    # install signs with a key that anyone else knows.
    secret_key: str = field(kw_only=True, repr=False)
    environment: str = "development"
    database_url: str = "sqlite:///var/threadline.sqlite3"
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    mail_from: str = "Threadline <no-reply@threadline.local>"
    default_locale: str = "en"
    default_time_zone: str = "Asia/Shanghai"
    media_dir: Path = field(default_factory=lambda: Path("var/media"))
    host: str = "127.0.0.1"
    port: int = 8000
    scheduler_in_process: bool = False
    session_days: int = 14
    # How long a web process remembers a signed-in viewer without looking up the session
    # again (partner_portal/accounts/session_cache.py); 0: look it up on every request.
    session_cache_seconds: int = 5
    invitation_hours: int = 72
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    template_auto_reload: bool = False
    # Load shedding per web process (partner_portal/shedding.py).
    max_concurrent_requests: int = 32
    max_waiting_requests: int = 256
    max_queue_ms: int = 2000
    # gzip level for text answers over 1 KiB (partner_portal/conditional.py); 0: not
    # compressed here (a reverse proxy does it). Level 1 gives most of the saving at a third
    # of level 6's CPU: a 470 KB grid page became 30 KB in ~10 ms against 27 KB in ~23 ms.
    gzip_level: int = 1
    # Webhooks may be sent to loopback, private and link-local addresses (webhooks/
    # targets.py): for the test suite's local receiver, or receivers deliberately on the
    # installation's own network. Off: only public addresses (no request forgery).
    webhook_allow_private_targets: bool = False
    # A SKU with this many pieces or fewer left at once is low: a change that takes it
    # there records stock.low (partner_portal/orders/services/stock.py).
    low_stock_pieces: int = 10

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


def _int(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")


def _database_url(env: Mapping[str, str]) -> str:
    url = _text(env, "DATABASE_URL", Settings.database_url)
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            raise SettingsError(
                f"DATABASE_URL for SQLite must name a file, like sqlite:///var/threadline.sqlite3; "
                f"got {url!r}"
            )
        if url.endswith(":memory:"):
            raise SettingsError("DATABASE_URL cannot be an in-memory SQLite database; name a file")
        return url
    if scheme in ("postgres", "postgresql"):
        if not urlsplit(url).hostname and "host=" not in url:
            raise SettingsError(f"DATABASE_URL for PostgreSQL needs a host, got {url!r}")
        return url
    raise SettingsError(f"DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}")


def _http_url(env: Mapping[str, str], name: str, default: str) -> str:
    url = _text(env, name, default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http:// or https:// address, got {url!r}")
    return url


def _smtp_url(env: Mapping[str, str]) -> str | None:
    url = env.get("SMTP_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise SettingsError(
            f"SMTP_URL must look like smtp://user:password@host:port (or smtps://), got {url!r}"
        )
    return url


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, name, default)
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _time_zone(env: Mapping[str, str]) -> str:
    value = _text(env, "DEFAULT_TIME_ZONE", Settings.default_time_zone)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"DEFAULT_TIME_ZONE must be an IANA time zone like Asia/Seoul, got {value!r}"
        ) from None
    return value


def _secret_key(env: Mapping[str, str], environment: str) -> str:
    secret_key = env.get("SECRET_KEY", "").strip()
    if not secret_key:
        if environment != "development":
            raise SettingsError(
                f"SECRET_KEY must be set in {environment} "
                f"({MIN_SECRET_KEY_LENGTH} or more random characters)"
            )
        return development_secret_key(DEVELOPMENT_KEY_FILE.resolve())
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long")
    return secret_key


@cache
def development_secret_key(path: Path) -> str:
    """The key kept in ``path``; made at random on first use and readable by its owner only.

    Each checkout has its own key, kept across runs (forms and links stay valid after a
    restart). Two processes starting at once agree on one key: the file appears whole or
    not at all (written aside, then hard-linked into place, which never replaces a file).
    Read once per process, so every part of it signs with the same key.
    """
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            aside = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
            descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as written:
                written.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(aside, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
            finally:
                aside.unlink()
        key = path.read_text().strip()
    except OSError as error:
        raise SettingsError(
            f"SECRET_KEY is not set and the development key in {path} cannot be kept: {error}"
        ) from None
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"{path} holds a key shorter than {MIN_SECRET_KEY_LENGTH} characters; "
            "delete it to get a new one"
        )
    return key


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise SettingsError naming the first bad variable.

    Without SECRET_KEY, development uses (and on first use makes) a random key kept in
    var/secret_key; tests and production must set one.
    """
    env = os.environ if env is None else env
    environment = _choice(env, "THREADLINE_ENV", "development", ENVIRONMENTS)
    return Settings(
        environment=environment,
        database_url=_database_url(env),
        base_url=_http_url(env, "BASE_URL", Settings.base_url),
        smtp_url=_smtp_url(env),
        mail_from=_text(env, "MAIL_FROM", Settings.mail_from),
        default_locale=_choice(env, "DEFAULT_LOCALE", "en", SUPPORTED_LOCALES),
        default_time_zone=_time_zone(env),
        media_dir=Path(_text(env, "MEDIA_DIR", "var/media")),
        host=_text(env, "HOST", Settings.host),
        port=_int(env, "PORT", Settings.port, 1, 65535),
        scheduler_in_process=_bool(env, "SCHEDULER_IN_PROCESS", False),
        session_days=_int(env, "SESSION_DAYS", Settings.session_days, 1, 365),
        session_cache_seconds=_int(
            env, "SESSION_CACHE_SECONDS", Settings.session_cache_seconds, 0, 60
        ),
        invitation_hours=_int(env, "INVITATION_HOURS", Settings.invitation_hours, 1, 24 * 30),
        login_max_failures=_int(env, "LOGIN_MAX_FAILURES", Settings.login_max_failures, 1, 100),
        login_lockout_minutes=_int(
            env, "LOGIN_LOCKOUT_MINUTES", Settings.login_lockout_minutes, 1, 24 * 60
        ),
        template_auto_reload=_bool(env, "TEMPLATE_AUTO_RELOAD", False),
        max_concurrent_requests=_int(
            env, "MAX_CONCURRENT_REQUESTS", Settings.max_concurrent_requests, 1, 10_000
        ),
        max_waiting_requests=_int(
            env, "MAX_WAITING_REQUESTS", Settings.max_waiting_requests, 0, 100_000
        ),
        max_queue_ms=_int(env, "MAX_QUEUE_MS", Settings.max_queue_ms, 0, 60_000),
        gzip_level=_int(env, "GZIP_LEVEL", Settings.gzip_level, 0, 9),
        webhook_allow_private_targets=_bool(env, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False),
        low_stock_pieces=_int(env, "LOW_STOCK_PIECES", Settings.low_stock_pieces, 0, 1_000_000),
        # Last: a bad value elsewhere stops the process before a development key is made.
        secret_key=_secret_key(env, environment),
    )


# The process's settings, installed by its composition root.
_installed: Settings | None = None


def install(settings: Settings) -> Settings:
    """Make ``settings`` the process's settings (composition roots only); returns them."""
    global _installed
    _installed = settings
    return settings


def is_installed() -> bool:
    return _installed is not None


def current_settings() -> Settings:
    """The settings the composition root installed (the object app.state.settings holds)."""
    if _installed is None:
        raise RuntimeError(
            "no settings installed: a composition root (create_app, the threadline command, "
            "piccolo_conf) must install load_settings() first"
        )
    return _installed
