"""Input of the distributor pages: the fields above the grid and the ids pages pass along."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from distributors.services import MatrixDetails
from partner_portal.inputs import whole_number


def uuid_or_none(text: Any) -> UUID | None:
    """A UUID from a form or query value; None for empty or malformed text (the page then
    behaves as if nothing had been chosen)."""
    try:
        return UUID(str(text)) if text else None
    except ValueError:
        return None


def matrix_details(form: Mapping[str, Any]) -> MatrixDetails:
    """The fields above the grid, each style's delivery window (``window-<style id>``) and
    the PO number of each window's order (``po-<window uuid>``)."""
    style_windows: dict[int, str] = {}
    window_pos: dict[str, str] = {}
    for name, value in form.items():
        text = str(value).strip()
        if name.startswith("window-") and text:
            style_id = whole_number(name.removeprefix("window-"))
            if style_id is not None:
                style_windows[style_id] = text
        elif name.startswith("po-"):
            window_pos[name.removeprefix("po-")] = text
    return MatrixDetails(
        customer_po=str(form.get("customer_po", "")).strip(),
        window_uuid=str(form.get("window", "")).strip(),
        ship_to=str(form.get("ship_to", "")).strip(),
        style_windows=style_windows,
        window_pos=window_pos,
    )


def version_of(form: Mapping[str, Any]) -> int:
    return whole_number(form.get("version", "")) or 0
