"""Input types of the user-management and account forms, parsed from posted fields.

Each ``parse_*`` returns ``(value, errors)``: the value is None when any field is
wrong, and errors maps a field name to a message shown beside that field. Checks
that need the database (a duplicate e-mail, a role that does not fit the
organisation) happen in the services, which answer in the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text, whole_number
from partner_portal.partners.tables import Role
from partner_portal.settings import SUPPORTED_LOCALES

Errors = dict[str, str]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME_LENGTH = 120
MAX_TOKEN_NAME_LENGTH = 100


def _checked(data: Mapping[str, str], name: str) -> bool:
    return field_text(data, name) in ("1", "on", "true", "yes")


def parse_email(raw: str, errors: Errors, field: str = "email") -> str:
    email = raw.strip().lower()
    if not email:
        errors[field] = _("Enter an e-mail address.")
    elif len(email) > 254 or not _EMAIL.match(email):
        errors[field] = _("Enter an e-mail address like name@example.com.")
    return email


def parse_uuid(raw: str, errors: Errors, field: str, required: bool = False) -> UUID | None:
    raw = raw.strip()
    if not raw:
        if required:
            errors[field] = _("Choose one.")
        return None
    try:
        return UUID(raw)
    except ValueError:
        errors[field] = _("Choose one from the list.")
        return None


def parse_role(raw: str, errors: Errors, field: str = "role") -> Role | None:
    try:
        return Role(raw.strip())
    except ValueError:
        errors[field] = _("Choose a role.")
        return None


def parse_locale(raw: str, errors: Errors, field: str = "locale") -> str:
    """A supported locale, or "" for "follow my browser"."""
    locale = raw.strip()
    if locale and locale not in SUPPORTED_LOCALES:
        errors[field] = _("Choose a language from the list.")
    return locale


def parse_time_zone(raw: str, errors: Errors, field: str = "time_zone") -> str:
    zone = raw.strip()
    try:
        if not zone:
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors[field] = _("Enter a time zone like Asia/Shanghai or Asia/Seoul.")
    return zone


@dataclass(frozen=True)
class InviteInput:
    email: str
    display_name: str
    organisation_uuid: UUID
    role: Role
    is_org_admin: bool
    manager_uuid: UUID | None
    locale: str
    time_zone: str


def parse_invite(data: Mapping[str, str]) -> tuple[InviteInput | None, Errors]:
    errors: Errors = {}
    email = parse_email(data.get("email", ""), errors)
    display_name = field_text(data, "display_name")
    if not display_name:
        errors["display_name"] = _("Enter the name as it is written, family name first.")
    elif len(display_name) > MAX_NAME_LENGTH:
        errors["display_name"] = _("At most %(count)s characters, please.", count=MAX_NAME_LENGTH)
    organisation_uuid = parse_uuid(data.get("organisation", ""), errors, "organisation", True)
    role = parse_role(data.get("role", ""), errors)
    manager_uuid = parse_uuid(data.get("manager", ""), errors, "manager")
    locale = parse_locale(data.get("locale", ""), errors)
    time_zone = parse_time_zone(data.get("time_zone", ""), errors)
    if errors or organisation_uuid is None or role is None:
        return None, errors
    return (
        InviteInput(
            email=email,
            display_name=display_name,
            organisation_uuid=organisation_uuid,
            role=role,
            is_org_admin=_checked(data, "is_org_admin"),
            manager_uuid=manager_uuid,
            locale=locale,
            time_zone=time_zone,
        ),
        errors,
    )


@dataclass(frozen=True)
class EditUserInput:
    role: Role
    is_org_admin: bool
    manager_uuid: UUID | None
    version: int


def parse_edit_user(data: Mapping[str, str]) -> tuple[EditUserInput | None, Errors]:
    errors: Errors = {}
    role = parse_role(data.get("role", ""), errors)
    manager_uuid = parse_uuid(data.get("manager", ""), errors, "manager")
    version = whole_number(field_text(data, "version"))
    if version is None:
        errors["version"] = _("The form was out of date. Reload the page and try again.")
    if errors or role is None or version is None:
        return None, errors
    return (
        EditUserInput(
            role=role,
            is_org_admin=_checked(data, "is_org_admin"),
            manager_uuid=manager_uuid,
            version=version,
        ),
        errors,
    )


@dataclass(frozen=True)
class PreferencesInput:
    locale: str
    time_zone: str


def parse_preferences(data: Mapping[str, str]) -> tuple[PreferencesInput | None, Errors]:
    errors: Errors = {}
    locale = parse_locale(data.get("locale", ""), errors)
    time_zone = parse_time_zone(data.get("time_zone", ""), errors)
    if errors:
        return None, errors
    return PreferencesInput(locale=locale, time_zone=time_zone), errors


@dataclass(frozen=True)
class PasswordChangeInput:
    current: str
    new: str
    confirmation: str


def parse_password_change(data: Mapping[str, str]) -> tuple[PasswordChangeInput | None, Errors]:
    errors: Errors = {}
    # Passwords are taken as typed: spaces may be part of them.
    current = data.get("current", "")
    if not current:
        errors["current"] = _("Enter your current password.")
    new = data.get("password", "")
    if not new:
        errors["password"] = _("Enter a new password.")
    if errors:
        return None, errors
    return PasswordChangeInput(current, new, data.get("confirmation", "")), errors


def parse_token_name(data: Mapping[str, str]) -> tuple[str | None, Errors]:
    errors: Errors = {}
    name = field_text(data, "name")
    if not name:
        errors["name"] = _("Give the token a name, e.g. the program that will use it.")
    elif len(name) > MAX_TOKEN_NAME_LENGTH:
        errors["name"] = _("At most %(count)s characters, please.", count=MAX_TOKEN_NAME_LENGTH)
    return (None if errors else name), errors


@dataclass(frozen=True)
class UserFilters:
    organisation_uuid: UUID | None = None
    role: str = ""
    active: str = ""  # "", "1" (active only) or "0" (deactivated only)


def parse_user_filters(params: Mapping[str, str]) -> UserFilters:
    """Filters from the query string; anything unusable is ignored rather than an error."""
    ignored: Errors = {}
    organisation_uuid = parse_uuid(params.get("organisation", ""), ignored, "organisation")
    role = field_text(params, "role")
    active = field_text(params, "active")
    return UserFilters(
        organisation_uuid=organisation_uuid,
        role=role if role in Role.__members__ else "",
        active=active if active in ("1", "0") else "",
    )
