"""The notification preferences form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from partner_portal.notifications.preferences import DIGEST
from partner_portal.notifications.tables import Choice

EVENT_CHOICES = (Choice.email, Choice.in_app, Choice.off)


def parse_choices(
    form: Any, *, event_kinds: Sequence[str], email_kinds: Sequence[str]
) -> dict[str, Choice] | None:
    """The choices a user made: per kind of event one of EVENT_CHOICES (field
    "event:<type>", missing means the default), per kind of e-mail on or off (checkboxes
    "send"), and the daily digest (checkbox "digest"). None when a value is not one offered.
    Only registered kinds are read, so the form cannot store anything else."""
    wanted: dict[str, Choice] = {}
    for kind in event_kinds:
        value = form.get(f"event:{kind}", Choice.email.value)
        if value not in {choice.value for choice in EVENT_CHOICES}:
            return None
        wanted[kind] = Choice(value)
    sent = set(form.getall("send")) if "send" in form else set()
    for kind in email_kinds:
        wanted[kind] = Choice.email if kind in sent else Choice.off
    wanted[DIGEST] = Choice.daily if form.get("digest") == "daily" else Choice.email
    return wanted
