"""A line sheet's card, rendered once per what it shows (issue 21).

Rendering a page of 24 cards with Jinja was about half of the line sheet's CPU. A card
shows the same HTML to every buyer who sees the same style, prices, availability, rules,
language and kind of viewer, so each process keeps the HTML of the cards it rendered
last, keyed by exactly those values as read from the database on this request. Nothing
needs invalidating, in this process or another: a changed price, stock figure, picture,
name or sheet gives a new key, and the next request renders the card afresh; the old
entry ages out of the bounded cache. The form's per-request fields (the reader's CSRF
token, the buyer the brand chose, the filters to come back to) are not in the kept HTML:
they are put in where the card's ``form_fields`` stood, on every request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from distributors.sheets import SheetCard
from partner_portal import i18n

CARD_TEMPLATE = "distributors/_card.html"
# About 2.5 KB each: a few megabytes per process, every card of a busy season's sheets.
KEPT_CARDS = 2000
# Where the per-request form fields go; no card's own text can hold a NUL character.
FORM_FIELDS_MARK = "\x00form-fields\x00"

_kept: OrderedDict[tuple[Hashable, ...], str] = OrderedDict()


def card_key(card: SheetCard, shown: dict[str, Any]) -> tuple[Hashable, ...]:
    """Everything distributors/_card.html shows, as read on this request."""
    style = card.style
    return (
        i18n.current_locale.get(),
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
        "sheet_uuid": context["page"].sheet["uuid"],
        "is_brand": context["viewer"].is_brand,
        "priced": context["page"].buyer is not None,
        "orderable": context["cart"] is not None and card.style.price is not None,
        "rules": (rules.min_style_quantity, rules.multiple),
        "eager": eager,
    }
    key = card_key(card, shown)
    html = _kept.get(key)
    if html is None:
        template = context.environment.get_template(CARD_TEMPLATE)
        variables = {**shown, "rules": rules, "card": card}
        html = template.render(**variables, form_fields=Markup(FORM_FIELDS_MARK))
        _kept[key] = html
        if len(_kept) > KEPT_CARDS:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(key)
    return Markup(html.replace(FORM_FIELDS_MARK, form_fields))
