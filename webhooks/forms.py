"""Input of the endpoint form and its API payload: (value or None, messages by field)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from partner_portal.i18n import gettext as _
from partner_portal.partners.forms import Errors

URL_LENGTH = 500
DESCRIPTION_LENGTH = 200


@dataclass(frozen=True)
class EndpointInput:
    url: str
    description: str
    event_types: tuple[str, ...]


def _chosen_types(data: Mapping[str, Any]) -> list[str]:
    """The event types a form (repeated checkboxes) or a JSON body (a list) names."""
    value = data.get("event_types")
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return ["?"]  # neither: refused below as an unknown type


def parse_endpoint(
    data: Mapping[str, Any], offered: Collection[str]
) -> tuple[EndpointInput | None, dict[str, str]]:
    """An endpoint's address, description and event types, of those ``offered``."""
    errors = Errors()
    url = str(data.get("url") or "").strip()
    parts = urlsplit(url) if len(url) <= URL_LENGTH else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        errors.add(
            "url",
            _(
                "Enter the address that receives the events, starting with https:// (at most %(n)s characters).",
                n=URL_LENGTH,
            ),
        )
    description = str(data.get("description") or "").strip()
    if len(description) > DESCRIPTION_LENGTH:
        errors.add(
            "description", _("Keep the description to %(n)s characters.", n=DESCRIPTION_LENGTH)
        )
    chosen = _chosen_types(data)
    if not chosen or len(chosen) > len(offered) or not set(chosen) <= set(offered):
        errors.add("event_types", _("Choose the kinds of event this endpoint hears of."))
    if not errors.ok:
        return None, errors.messages
    return EndpointInput(url, description, tuple(sorted(set(chosen)))), {}
