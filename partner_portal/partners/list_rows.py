"""The partner list's rows, each rendered once per what it shows (partner_portal/fragments.py).

Fifty rows of Jinja were a third of the list's CPU, and a row looks the same on every visit
until its partner changes: it is kept per process, keyed by every value the row shows as
read on this request and whether the viewer logs calls (with the reader's language, region
and time zone), so a new name, status, owner or contact shows at once, in every process.
Where its "Log a call" comes back to (the list with the reader's filters) is a slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from partner_portal.fragments import RenderedOnce

# About 1 KB each: the partners a brand's KAMs page through.
ROWS = RenderedOnce("partners/_row.html", kept=5000, slots=("here",))

# The row's own values that templates/partners/_row.html shows.
SHOWN = (
    "uuid",
    "legal_name",
    "english_name",
    "parent_name",
    "kind",
    "tier",
    "status",
    "contact_count",
    "owner_name",
)


@pass_context
def partner_row(context: Context, row: Mapping[str, Any]) -> Markup:
    """``{{ partner_row(row) }}`` in partners/_rows.html."""
    can_log_calls = bool(context["can_log_calls"])
    contact = row["primary_contact"] or {}
    key = (
        *(row[name] for name in SHOWN),
        tuple(row["territories"]),
        contact.get("name"),
        contact.get("phone"),
        can_log_calls,
    )
    url = context["request"].url
    here = url.path + (f"?{url.query}" if url.query else "")
    return ROWS.render(
        context.environment,
        key,
        {"row": row, "can_log_calls": can_log_calls},
        slots={"here": quote(here, safe="/")},
    )
