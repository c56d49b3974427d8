"""A style's block of the order grid, rendered once per what it shows (issue 21;
partner_portal/fragments.py, as the line sheet's cards in sheet_cards.py).

Jinja's time for the grid's cells was half of the grid's CPU. A style nobody has typed
into yet (every style of a new order, the later batches, a draft's other styles) shows
the same HTML to every buyer who sees the same style, prices, contract discount, stock,
delivery windows and order rules: it is kept per process, keyed by exactly those values
as read from the database on this request. What the buyer typed, the messages and the
totals are in the key as well, for this style's cells only; an untouched style's are
empty, so its block is shared, and a typed one is rendered afresh (and soon ages out).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from distributors.services import MatrixDetails, MatrixStyle, Totals
from partner_portal.fragments import RenderedOnce

# 7 to 12 KB each (a bench style of 30 to 60 cells): up to about 20 MB per process.
BLOCKS = RenderedOnce("distributors/_grid_style.html", kept=2000)


def style_key(style: MatrixStyle) -> tuple[Hashable, ...]:
    """Everything of the style itself that distributors/_grid_style.html shows."""
    return (
        style.id,
        style.code,
        tuple(style.names.items()),
        style.image_url,
        style.price,
        style.contract_percent,
        style.contract_number,
        tuple(style.volume_breaks),
        tuple((colour["id"], colour["code"], colour["name"]) for colour in style.colours),
        tuple((size["id"], size["label"]) for size in style.sizes),
        tuple(style.skus.items()),
        tuple(style.size_prices.items()),
        tuple(style.stock.items()),
        tuple(style.prepacks),
    )


def entry_key(
    style: MatrixStyle,
    texts: Mapping[str, str],
    errors: Mapping[str, str],
    quantities: Mapping[int, int],
    totals: Totals,
    details: MatrixDetails,
) -> tuple[Hashable, ...]:
    """What was typed into the style's fields and what it adds up to: empty (every part)
    for a style nobody has typed into. An empty text shows as no text, a zero quantity or
    total as none, so only the others are in the key."""
    names = [
        f"paste-{style.id}",
        f"prepack-{style.id}",
        *(f"packs-{style.id}-{colour['id']}" for colour in style.colours),
        *(f"q-{sku_id}" for sku_id in style.skus.values()),
    ]
    typed = tuple((name, texts[name]) for name in names if texts.get(name)) if texts else ()
    refused = tuple((name, errors[name]) for name in names if errors.get(name)) if errors else ()
    meant = (
        tuple(
            (sku_id, quantities[sku_id]) for sku_id in style.skus.values() if quantities.get(sku_id)
        )
        if quantities
        else ()
    )
    rows = tuple(
        (colour["id"], totals.rows[(style.id, colour["id"])])
        for colour in style.colours
        if totals.rows.get((style.id, colour["id"]))
    )
    columns = tuple(
        (size["id"], totals.columns[(style.id, size["id"])])
        for size in style.sizes
        if totals.columns.get((style.id, size["id"]))
    )
    return (
        typed,
        refused,
        meant,
        rows,
        columns,
        totals.styles.get(style.id, 0),
        totals.style_values.get(style.id),
        totals.currency if style.id in totals.style_values else "",
        details.style_windows.get(style.id),
    )


@pass_context
def grid_style(context: Context, style: MatrixStyle) -> Markup:
    """The style's block (``{{ grid_style(style) }}`` in _grid_styles.html)."""
    rules = context["rules"]
    windows = context["windows"]
    variables: dict[str, Any] = {
        "style": style,
        "texts": context["texts"],
        "errors": context["errors"],
        "quantities": context["quantities"],
        "totals": context["totals"],
        "details": context["details"],
        "windows": windows,
        "rules": rules,
    }
    key = (
        *style_key(style),
        *entry_key(
            style,
            variables["texts"],
            variables["errors"],
            variables["quantities"],
            variables["totals"],
            variables["details"],
        ),
        tuple((window["uuid"], window["name"], window["starts_on"]) for window in windows),
        (rules.min_style_quantity, rules.multiple),
    )
    return BLOCKS.render(context.environment, key, variables)
