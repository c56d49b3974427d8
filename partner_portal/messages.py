"""Stored messages: text one person's action leaves for others to read later (a bell
notification, an e-mail of an event, a follow-up title made by a rule) is stored as a
message id with parameters and rendered in the reader's language when it is read.

The message id is the English text marked with N_ ("Order %(number)s was confirmed");
the parameters are plain JSON values. A parameter that must itself be translated is a
small object: {"label": "confirmed"} (a stored code, labels.py), {"message": msgid,
"params": {...}} (a nested message), {"date": "2026-12-06"}, {"money": "12.50",
"currency": "CNY"}. Rows written before this rule hold an English sentence with no
parameters: it is shown as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from partner_portal import i18n, labels

# A stored parameter is bounded, so a free-text value cannot bloat every reader's page.
PARAMETER_LENGTH = 500
# A list (a webhook's payload: the SKUs an event names) keeps at most this many items.
PARAMETER_ITEMS = 1000


def label(code: str) -> dict[str, str]:
    """A parameter shown as the translated name of a stored code (an order status...)."""
    return {"label": code}


def nested(message: str, **params: Any) -> dict[str, Any]:
    """A parameter that is itself a message, translated with the rest."""
    return {"message": message, "params": params}


def on_date(value: date) -> dict[str, str]:
    """A parameter shown as a date in the reader's format."""
    return {"date": value.isoformat()}


def money(amount: Decimal, currency: str) -> dict[str, str]:
    """A parameter shown as an amount in the reader's format."""
    return {"money": str(amount), "currency": currency}


def loaded_params(params: Any) -> dict[str, Any]:
    """Stored parameters, from a JSON column read with or without load_json."""
    if isinstance(params, str):
        return dict(json.loads(params or "{}"))
    return dict(params or {})


def plain_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as they are stored: JSON values, text bounded."""
    return {name: _stored(value) for name, value in params.items()}


def _stored(value: Any) -> Any:
    if isinstance(value, str):
        return value[:PARAMETER_LENGTH]
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(key): _stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(item) for item in value[:PARAMETER_ITEMS]]
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:PARAMETER_LENGTH]


def render(message: str, params: Mapping[str, Any] | str | None = None) -> str:
    """The message in the current reader's language, its parameters filled in (as a
    mapping, or as the JSON text a column read without load_json holds).

    A parameter missing from a translation, or a translation that does not fit its
    parameters, falls back to the English message rather than failing the page."""
    translated = i18n.translate(message)
    if isinstance(params, str):
        params = loaded_params(params)
    if not params:
        return translated
    values = {name: _shown(value) for name, value in params.items()}
    for text in (translated, message):
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            continue
    return message


def render_in(locale: str, message: str, params: Mapping[str, Any] | None = None) -> str:
    """The message in ``locale`` whoever reads now: the text stored beside a message id
    for what searches and the audit log read (English)."""
    token = i18n.current_locale.set(locale)
    try:
        return render(message, params)
    finally:
        i18n.current_locale.reset(token)


def shown(value: Any) -> str:
    """One stored parameter as the current reader reads it: a plain value as it is, a
    label, date, amount or nested message (a follow-up's title made by a rule) in their
    language."""
    return str(_shown(value))


def _shown(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if "label" in value:
        return labels.label(value["label"])
    if "message" in value:
        return render(str(value["message"]), value.get("params"))
    if "date" in value:
        try:
            return i18n.format_date(date.fromisoformat(str(value["date"])))
        except ValueError:
            return str(value["date"])
    if "money" in value:
        try:
            return i18n.format_money(Decimal(str(value["money"])), str(value.get("currency", "")))
        except (InvalidOperation, ValueError):
            return str(value["money"])
    return str(value)
