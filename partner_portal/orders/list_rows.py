"""The order list's rows, each rendered once per what it shows (partner_portal/fragments.py).

Fifty rows of Jinja were about half of the list's CPU, and a row looks the same on every
visit until its order changes: it is kept per process, keyed by the row as read on this
request and the links the viewer is offered on it (with the reader's language, region and
time zone), so a new status, total or PO shows at once, in every process.
"""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from partner_portal.fragments import RenderedOnce
from partner_portal.orders.records import OrderSummary
from partner_portal.registries import registry

# About 1 KB each: the rows a busy brand's staff and buyers page through.
ROWS = RenderedOnce("orders/_row.html", kept=5000)


@pass_context
def order_row(context: Context, row: OrderSummary) -> Markup:
    """``{{ order_row(row) }}`` in orders/_rows.html."""
    links = [
        link for link in registry.order_links_for(context["viewer"], row) if link.method == "get"
    ]
    key = (row, *(link.key for link in links))
    return ROWS.render(context.environment, key, {"row": row, "links": links})
