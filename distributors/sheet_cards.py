"""A line sheet's card, rendered once per what it shows (issue 21; partner_portal/fragments.py).

Rendering a page of 24 cards with Jinja was about half of the line sheet's CPU. A card
shows the same HTML to every buyer who sees the same style, prices, availability, rules
and kind of viewer: it is kept per process, keyed by exactly those values as read from
the database on this request, so a changed price, stock figure, picture, name or sheet
shows at once, in every process. The form's per-request fields (the reader's CSRF token,
the buyer the brand chose, the filters to come back to) are a slot, put in on every
request.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from distributors.sheets import SheetCard
from partner_portal.fragments import RenderedOnce

# About 2.5 KB each: a few megabytes per process, every card of a busy season's sheets.
CARDS = RenderedOnce("distributors/_card.html", kept=2000, slots=("form_fields",))


def card_key(card: SheetCard, shown: dict[str, Any]) -> tuple[Hashable, ...]:
    """Everything distributors/_card.html shows, as read on this request."""
    style = card.style
    return (
        *shown.items(),
        style.uuid,
        style.code,
        tuple(style.names.items()),
        tuple(card.pictures),
        tuple((colour["id"], colour["code"], colour["name"]) for colour in style.colours),
        tuple(size["label"] for size in style.sizes),
        tuple(style.prepacks),
        style.price,
        tuple(style.surcharges()),
        tuple(style.volume_breaks),
        card.summary.carry_over,
        card.summary.category,
        card.summary.gender,
        tuple(card.summary.colours),
        card.summary.at_once,
        tuple((window["name"], pieces) for window, pieces in card.windows),
    )


@pass_context
def sheet_card(context: Context, card: SheetCard, form_fields: Markup, eager: bool) -> Markup:
    """The card's HTML (``{{ sheet_card(card, form_fields, eager=...) }}`` in _cards.html):
    ``eager`` for the first picture of the sheet, which the browser should not defer."""
    rules = context["rules"]
    shown = {
        "sheet_uuid": context["page"].sheet.uuid,
        "is_brand": context["viewer"].is_brand,
        "priced": context["page"].buyer is not None,
        "orderable": context["cart"] is not None and card.style.price is not None,
        "rules": (rules.min_style_quantity, rules.multiple),
        "eager": eager,
    }
    return CARDS.render(
        context.environment,
        card_key(card, shown),
        {**shown, "rules": rules, "card": card},
        {"form_fields": form_fields},
    )
