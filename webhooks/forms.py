"""Input of the endpoint form and its API payload: (value or None, messages by field)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from partner_portal import inputs
from partner_portal.i18n import gettext as _

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
    errors: dict[str, str] = {}
    url_message = _(
        "Enter the address that receives the events, starting with https:// (at most %(n)s characters).",
        n=URL_LENGTH,
    )
    url = inputs.valid(
        errors,
        "url",
        inputs.text(data.get("url"), limit=URL_LENGTH, required=True),
        url_message,
    )
    parts = urlsplit(url) if url is not None else None
    if parts is not None and (parts.scheme not in ("http", "https") or not parts.hostname):
        errors["url"] = url_message
    description = inputs.valid(
        errors, "description", inputs.text(data.get("description"), limit=DESCRIPTION_LENGTH)
    )
    chosen = _chosen_types(data)
    if not chosen or len(chosen) > len(offered) or not set(chosen) <= set(offered):
        errors["event_types"] = _("Choose the kinds of event this endpoint hears of.")
    if url is None or description is None or errors:
        return None, errors
    return EndpointInput(url, description, tuple(sorted(set(chosen)))), {}
