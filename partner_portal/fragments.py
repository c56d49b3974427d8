"""Fragments of a page rendered once per what they show (issue 21).

A list or a sheet repeats one small template per item (a line sheet's card, a row of the
order list), and Jinja's time for it was half of those pages' CPU. Most items look the
same to the next reader: the same style, price and stock for every buyer of a price
list, the same order row until the order changes. ``RenderedOnce`` keeps each process's
most recently used fragments, keyed by every value the fragment shows as read from the
database on this request, plus the reader's language, region and time zone. So nothing
is ever invalidated, in this process or another: a changed price, stock figure, status
or name makes a new key, the fragment is rendered afresh, and the old one ages out of
the bounded cache.

What differs per reader or per request and is not in the key (a CSRF token, the filters
to come back to) is a *slot*: the fragment is rendered with a marker there, and the
reader's own value is put in on every request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from partner_portal import i18n


class RenderedOnce:
    def __init__(self, template_name: str, kept: int, slots: tuple[str, ...] = ()) -> None:
        self.template_name = template_name
        self.kept = kept
        # No fragment's own text holds a NUL character: the markers cannot collide with it.
        self.markers = {name: f"\x00{name}\x00" for name in slots}
        self._fragments: OrderedDict[tuple[Hashable, ...], str] = OrderedDict()

    def render(
        self,
        environment: Environment,
        key: tuple[Hashable, ...],
        variables: Mapping[str, Any],
        slots: Mapping[str, str] | None = None,
    ) -> Markup:
        """The template rendered with ``variables``, which ``key`` must determine
        entirely; each slot's variable is the reader's own value from ``slots``."""
        # The template itself is in the key: one edited while the app auto-reloads its
        # templates (development) is a new Template, and renders anew.
        template = environment.get_template(self.template_name)
        full_key = (
            template,
            i18n.current_locale.get(),
            i18n.current_region_locale.get(),
            i18n.current_time_zone.get(),
            *key,
        )
        html = self._fragments.get(full_key)
        if html is None:
            markers = {name: Markup(marker) for name, marker in self.markers.items()}
            html = template.render(**variables, **markers)
            self._fragments[full_key] = html
            if len(self._fragments) > self.kept:
                self._fragments.popitem(last=False)
        else:
            self._fragments.move_to_end(full_key)
        for name, marker in self.markers.items():
            html = html.replace(marker, (slots or {})[name])
        return Markup(html)
