"""Signing in and out, sessions, API tokens, invitations and passwords."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from piccolo.query.methods.select import Select

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.accounts import session_cache
from partner_portal.accounts.tables import (
    ApiToken,
    Invitation,
    ListPreference,
    LoginFailure,
    LoginThrottle,
    Session,
)
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.i18n import ngettext
from partner_portal.partners.tables import Role, User
from partner_portal.settings import Settings, current_settings
from partner_portal.signing import is_signed, signature
from partner_portal.statements import Parameter, Prepared

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
API_TOKEN_PREFIX = "tl_"
# A token's "last used" is kept to within a few minutes: writing it on every request
# would turn every API read into a write.
TOKEN_USE_PRECISION = timedelta(minutes=5)


@cache
def _hasher(environment: str) -> PasswordHasher:
    """The test suite hashes hundreds of passwords; it uses the cheapest Argon2 settings,
    every other environment the library's recommended ones."""
    if environment == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


@cache
def _dummy_hash(environment: str) -> str:
    """Verified when the e-mail is unknown, so a wrong address costs as long as a wrong
    password."""
    return _hasher(environment).hash("not-a-real-password")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher(current_settings().environment).hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        environment = current_settings().environment
        hasher = _hasher(environment)
        return hasher.verify(password_hash or _dummy_hash(environment), password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, confirmation: str) -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _(
            "The password must be at least %(count)s characters long.", count=MIN_PASSWORD_LENGTH
        )
    if password != confirmation:
        return _("The two passwords do not match.")
    return None


_VIEWER_COLUMNS = (
    User.id,
    User.uuid,
    User.email,
    User.display_name,
    User.role,
    User.organisation,
    User.is_org_admin,
    User.locale,
    User.time_zone,
)


def _viewer(row: dict[str, Any], ip_address: str) -> Viewer:
    return Viewer(
        user_id=row["id"],
        user_uuid=row["uuid"],
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        organisation_id=row["organisation"],
        is_org_admin=row["is_org_admin"],
        locale=row["locale"],
        time_zone=row["time_zone"],
        ip_address=ip_address,
    )


@dataclass(frozen=True)
class LoginResult:
    session_token: str | None = None
    error: str | None = None
    # The known-device cookie for this browser after a successful sign-in.
    known_device: str | None = None


# Log-in throttling. Every attempt claims a place in counters kept in the database BEFORE
# its password is checked, so parallel guesses cannot all slip past one reading of a count.
# A browser the account signed in from before (it holds a signed known-device cookie)
# counts only against its own allowance; every other attempt counts against the account
# from its address and against the address. A stranger can then use up the allowance of
# their own address, never the owner's known browser, nor the owner's address from another.
ADDRESS_ALLOWANCE_FACTOR = 5  # one address may fail for several accounts (an office)
KNOWN_DEVICE_PURPOSE = "known-device"
FAILURE_RECORD_DAYS = 30
_CLAIM_SQL = (
    "INSERT INTO login_throttle (bucket, window_start, attempts) VALUES ({}, {}, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET attempts = login_throttle.attempts + 1 "
    "RETURNING attempts"
)


@dataclass(frozen=True)
class Allowance:
    bucket: str  # the counter's row: the key and the window, hashed
    limit: int


def _window_start(now: datetime, length: timedelta) -> datetime:
    """Windows follow the clock (a 15-minute window starts at :00, :15, :30 and :45)."""
    seconds = int(length.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=UTC)


def address_group(ip_address: str) -> str:
    """The address throttled as one: an IPv6 /64 network (what one subscriber gets), else
    the address itself."""
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return ip_address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def known_device_cookie(secret: str, email: str) -> str:
    """A new known-device value for ``email``: a random device id, signed with the account."""
    device_id = secrets.token_urlsafe(12)
    return f"{device_id}.{signature(secret, KNOWN_DEVICE_PURPOSE, f'{device_id}:{email}')}"


def _known_device_id(secret: str, email: str, cookie: str) -> str | None:
    """The device id of a genuine known-device cookie for ``email``; None otherwise."""
    device_id, _dot, claimed = cookie.partition(".")
    if device_id and is_signed(secret, KNOWN_DEVICE_PURPOSE, f"{device_id}:{email}", claimed):
        return device_id
    return None


def _allowances(
    settings: Settings, window: datetime, email: str, ip_address: str, device_id: str | None
) -> list[Allowance]:
    def bucket(*key: str) -> str:
        return hash_secret("\x1f".join((window.isoformat(), *key)))

    limit = settings.login_max_failures
    if device_id:
        return [Allowance(bucket("device", device_id, email), limit)]
    address = address_group(ip_address)
    return [
        Allowance(bucket("account", address, email), limit),
        Allowance(bucket("address", address), limit * ADDRESS_ALLOWANCE_FACTOR),
    ]


async def _claim_attempt(
    allowances: list[Allowance], window: datetime, window_length: timedelta
) -> bool:
    """Count this attempt in every allowance; False (and nothing counted) if one is used up.

    Refused attempts are not counted, so a counter holds the failed attempts of its window
    plus those being checked right now. Counters are always taken in the order of their
    buckets, so two transactions never wait for each other's rows crosswise (PostgreSQL).
    """
    buckets = sorted(allowance.bucket for allowance in allowances)
    limits = {allowance.bucket: allowance.limit for allowance in allowances}
    used = await LoginThrottle.select(LoginThrottle.bucket, LoginThrottle.attempts).where(
        LoginThrottle.bucket.is_in(buckets)
    )
    if any(row["attempts"] >= limits[row["bucket"]] for row in used):
        return False  # under attack, most attempts are answered here, without a write
    async with write_transaction():
        # Rows of the window before stay: a sign-in that began then still gives its place back.
        await LoginThrottle.delete().where(LoginThrottle.window_start < window - window_length)
        over_limit = False
        for bucket in buckets:
            (claimed,) = await LoginThrottle.raw(_CLAIM_SQL, bucket, window)
            over_limit = over_limit or claimed["attempts"] > limits[bucket]
        if over_limit:  # parallel attempts took the last places first
            await _give_back(buckets)
    return not over_limit


async def _give_back(buckets: list[str]) -> None:
    """Uncount an attempt (it succeeded, or was refused after all). Inside a transaction."""
    for bucket in sorted(buckets):
        await LoginThrottle.update({LoginThrottle.attempts: LoginThrottle.attempts - 1}).where(
            LoginThrottle.bucket == bucket
        )


def _too_many_attempts(retry_at: datetime, now: datetime) -> str:
    # One message whatever ran out, so it tells nobody which accounts or addresses are watched.
    minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(num)s minute.",
        "Too many failed attempts. Try again in %(num)s minutes.",
        minutes,
    )


@access.system_query("signing in finds the account by its e-mail")
async def log_in(
    settings: Settings,
    email: str,
    password: str,
    ip_address: str,
    user_agent: str,
    known_device: str = "",
) -> LoginResult:
    """Check the credentials, throttled (above); start a session if they are right.

    Within a window of ``login_lockout_minutes``, at most ``login_max_failures`` passwords
    are checked for an account from one address, five times that from one address over
    all accounts, and ``login_max_failures`` on a browser that holds the account's
    ``known_device`` cookie (which does not count against its address). Successful
    sign-ins do not count. Further attempts are refused unchecked until the window ends.
    """
    email = email.strip().lower()
    now = utcnow()
    window_length = timedelta(minutes=settings.login_lockout_minutes)
    window = _window_start(now, window_length)
    device_id = _known_device_id(settings.secret_key, email, known_device)
    allowances = _allowances(settings, window, email, ip_address, device_id)
    if not await _claim_attempt(allowances, window, window_length):
        return LoginResult(error=_too_many_attempts(window + window_length, now))
    user = (
        await User.select(User.id, User.password_hash, User.is_active)
        .where(User.email == email)
        .first()
    )
    # Argon2 takes tens of milliseconds of CPU: off the event loop, so other requests go on.
    # An unknown e-mail is checked against a dummy hash, so it answers no faster.
    matches = await asyncio.to_thread(
        password_matches, user["password_hash"] if user else "", password
    )
    if user is None or not matches or not user["is_active"]:
        async with write_transaction():
            await LoginFailure.delete().where(
                LoginFailure.failed_at < now - timedelta(days=FAILURE_RECORD_DAYS)
            )
            await LoginFailure.insert(
                LoginFailure(email=email[:254], ip_address=ip_address[:64], failed_at=now)
            ).run()
        return LoginResult(error=_("Wrong e-mail or password."))
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await Session.insert(
            Session(
                token_hash=hash_secret(token),
                user=user["id"],
                created_at=now,
                expires_at=now + timedelta(days=settings.session_days),
                ip_address=ip_address,
                user_agent=user_agent[:300],
            )
        ).run()
        await User.update({User.last_login_at: now}).where(User.id == user["id"])
        await _give_back([allowance.bucket for allowance in allowances])
    return LoginResult(
        session_token=token,
        known_device=known_device if device_id else known_device_cookie(settings.secret_key, email),
    )


async def log_out(session_token: str) -> None:
    ended = await (
        Session.delete()
        .where(Session.token_hash == hash_secret(session_token))
        .returning(Session.user)
    )
    for row in ended:
        session_cache.forget_user(row["user"])


# Every request runs one of these two lookups, so they are plain SQL: building the
# equivalent Piccolo join costs about 2 ms of CPU, the query itself a tenth of that.
_USER_COLUMNS_SQL = ", ".join(f'u."{column._meta.db_column_name}"' for column in _VIEWER_COLUMNS)
_SESSION_VIEWER_SQL = (
    f"SELECT {_USER_COLUMNS_SQL} FROM user_session s "
    'JOIN app_user u ON u.id = s."user" '
    "WHERE s.token_hash = {} AND s.expires_at > {} AND u.is_active = {}"
)
_TOKEN_VIEWER_SQL = (
    f"SELECT t.id AS token_id, t.last_used_at, {_USER_COLUMNS_SQL} FROM api_token t "
    'JOIN app_user u ON u.id = t."user" '
    "WHERE t.token_hash = {} AND t.revoked_at IS NULL AND u.is_active = {}"
)


async def viewer_for_session(session_token: str, ip_address: str) -> Viewer | None:
    """The user a session cookie belongs to, if the session is live and the user active;
    remembered for a few seconds by this process (accounts/session_cache.py says why
    that is safe)."""
    token_hash = hash_secret(session_token)
    seconds = current_settings().session_cache_seconds
    row = session_cache.get(token_hash, seconds) if seconds else None
    if row is None:
        started = session_cache.clock()
        rows = await Session.raw(_SESSION_VIEWER_SQL, token_hash, utcnow(), True)
        if not rows:
            return None
        row = rows[0]
        if seconds:
            session_cache.remember(token_hash, row, started)
    return _viewer(row, ip_address)


async def viewer_for_api_token(token: str, ip_address: str) -> Viewer | None:
    """The user an API token belongs to, if it is neither revoked nor of an inactive user."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    rows = await ApiToken.raw(_TOKEN_VIEWER_SQL, hash_secret(token), True)
    if not rows:
        return None
    last_used_at = rows[0]["last_used_at"]
    if last_used_at is None or last_used_at <= utcnow() - TOKEN_USE_PRECISION:
        await _note_token_use(rows[0]["token_id"])
    return _viewer(rows[0], ip_address)


async def _note_token_use(token_id: int) -> None:
    """Note that a token was used now. Bookkeeping: it never fails the request it serves
    (a failure is logged, and a later request notes the use)."""
    now = utcnow()
    try:
        async with write_transaction():
            # Requests with the same token at once: the first notes it, the rest match nothing.
            await ApiToken.update({ApiToken.last_used_at: now}).where(
                ApiToken.id == token_id,
                ApiToken.last_used_at.is_null()
                | (ApiToken.last_used_at <= now - TOKEN_USE_PRECISION),
            )
    except Exception:
        logger.warning("could not note the use of API token %s", token_id, exc_info=True)


@access.system_query("the Viewer of a user its caller names (a session, a token)")
async def viewer_for_user_id(user_id: int, ip_address: str = "") -> Viewer:
    row = await User.select(*_VIEWER_COLUMNS).where(User.id == user_id).first()
    if row is None:
        raise LookupError(f"no user {user_id}")
    return _viewer(row, ip_address)


async def create_api_token(viewer: Viewer, name: str) -> str:
    """Make a token for the viewer; the plain token is returned once and stored only hashed."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        row = (
            await ApiToken.insert(
                ApiToken(
                    user=viewer.user_id,
                    name=name.strip()[:100],
                    token_hash=hash_secret(token),
                    prefix=token[:10],
                    created_at=utcnow(),
                )
            )
            .returning(ApiToken.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind="api_token",
            entity_uuid=row[0]["uuid"],
            organisation_id=viewer.organisation_id,
            action="token_create",
            summary=name,
        )
    return token


async def list_api_tokens(viewer: Viewer) -> list[dict[str, Any]]:
    return await (
        ApiToken.select(
            ApiToken.uuid,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
        )
        .where(ApiToken.user == viewer.user_id, ApiToken.revoked_at.is_null())
        .order_by(ApiToken.id, ascending=False)
    )


async def revoke_api_token(viewer: Viewer, token_uuid: UUID) -> bool:
    """Revoke one of the viewer's own tokens; False if they have no such token."""
    async with write_transaction():
        revoked = await (
            ApiToken.update({ApiToken.revoked_at: utcnow()})
            .where(
                ApiToken.uuid == token_uuid,
                ApiToken.user == viewer.user_id,
                ApiToken.revoked_at.is_null(),
            )
            .returning(ApiToken.name)
        )
        if revoked:
            await audit_log.record(
                viewer,
                entity_kind="api_token",
                entity_uuid=token_uuid,
                organisation_id=viewer.organisation_id,
                action="token_revoke",
                summary=revoked[0]["name"],
            )
    return bool(revoked)


async def create_invitation(
    settings: Settings, invited_user_id: int, created_by: Viewer | None
) -> str:
    """A one-time set-password token for a user, valid for ``invitation_hours``.

    Call inside the transaction that creates or resets the user.
    """
    token = secrets.token_urlsafe(32)
    now = utcnow()
    await Invitation.insert(
        Invitation(
            token_hash=hash_secret(token),
            user=invited_user_id,
            created_by=created_by.user_id if created_by else None,
            created_at=now,
            expires_at=now + timedelta(hours=settings.invitation_hours),
        )
    ).run()
    return token


def invitation_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/set-password/{token}"


async def invitation_user(token: str) -> dict[str, Any] | None:
    """The user a live (unused, unexpired) invitation is for, or None."""
    return await (
        Invitation.select(Invitation.id, Invitation.user.email, Invitation.user.display_name)
        .where(
            Invitation.token_hash == hash_secret(token),
            Invitation.used_at.is_null(),
            Invitation.expires_at > utcnow(),
        )
        .first()
    )


@access.system_query("an invitation link: the token is the key")
async def accept_invitation(token: str, password: str) -> bool:
    """Set the password through a live invitation and use the invitation up.

    The conditional update makes a link usable once even when two requests race.
    """
    async with write_transaction():
        used = await (
            Invitation.update({Invitation.used_at: utcnow()})
            .where(
                Invitation.token_hash == hash_secret(token),
                Invitation.used_at.is_null(),
                Invitation.expires_at > utcnow(),
            )
            .returning(Invitation.user)
        )
        if not used:
            return False
        user_id = used[0]["user"]
        await User.update({User.password_hash: hash_password(password)}).where(User.id == user_id)
        ended = await end_sign_ins(user_id)
        user = await viewer_for_user_id(user_id)
        await audit_log.record(
            user,
            entity_kind="user",
            entity_uuid=user.user_uuid,
            organisation_id=user.organisation_id,
            action="password_set",
            changes=ended,
        )
    session_cache.forget_user(user_id)
    return True


async def end_sign_ins(user_id: int, keep_session_token: str | None = None) -> dict[str, list[int]]:
    """End the user's sessions (but the one ``keep_session_token`` names) and revoke their
    API tokens: a new password, or a deactivation, closes every way in the old state
    opened. Call inside the change's transaction, and session_cache.forget_user after it
    committed; returns the audit log's changes."""
    sessions = Session.delete().where(Session.user == user_id)
    if keep_session_token:
        sessions = sessions.where(Session.token_hash != hash_secret(keep_session_token))
    ended = await sessions.returning(Session.id)
    revoked = await (
        ApiToken.update({ApiToken.revoked_at: utcnow()})
        .where(ApiToken.user == user_id, ApiToken.revoked_at.is_null())
        .returning(ApiToken.name)
    )
    return {"other_sessions": [len(ended), 0], "live_api_tokens": [len(revoked), 0]}


@access.checked_by_caller("the viewer's own account")
async def change_password(
    viewer: Viewer,
    current: str,
    new: str,
    confirmation: str,
    keep_session_token: str | None = None,
) -> str | None:
    """Change the viewer's password; the error message, or None on success.

    Every other session and every API token of the user ends (a stolen one dies with
    the old password); the session ``keep_session_token`` names, the one making the
    change, stays signed in.
    """
    row = await User.select(User.password_hash).where(User.id == viewer.user_id).first()
    if row is None or not password_matches(row["password_hash"], current):
        return _("The current password is wrong.")
    problem = password_problem(new, confirmation)
    if problem:
        return problem
    async with write_transaction():
        await User.update(
            {User.password_hash: hash_password(new), User.version: User.version + 1}
        ).where(User.id == viewer.user_id)
        ended = await end_sign_ins(viewer.user_id, keep_session_token)
        await audit_log.record(
            viewer,
            entity_kind="user",
            entity_uuid=viewer.user_uuid,
            organisation_id=viewer.organisation_id,
            action="password_change",
            changes=ended,
        )
    session_cache.forget_user(viewer.user_id)
    return None


@Prepared
def _saved_filters() -> Select:
    return (
        ListPreference.select(ListPreference.query_string)
        .where(
            ListPreference.user == Parameter("user"),
            ListPreference.list_name == Parameter("list_name"),
        )
        .limit(1)
    )


async def saved_filters(viewer: Viewer, list_name: str) -> str:
    """The filters the viewer last used on a list ("" for none); read on every list page."""
    row = await _saved_filters.first(user=viewer.user_id, list_name=list_name)
    return row["query_string"] if row else ""


async def remember_filters(viewer: Viewer, list_name: str, query_string: str) -> None:
    """Keep the filters a user last used on a list; the list opens with them next time.

    Opening a list again with the same filters writes nothing: a read stays a read.
    """
    if await saved_filters(viewer, list_name) == query_string:
        return
    async with write_transaction():
        updated = await (
            ListPreference.update({ListPreference.query_string: query_string})
            .where(ListPreference.user == viewer.user_id, ListPreference.list_name == list_name)
            .returning(ListPreference.id)
        )
        if not updated:
            await ListPreference.insert(
                ListPreference(user=viewer.user_id, list_name=list_name, query_string=query_string)
            ).run()
