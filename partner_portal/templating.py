"""The one Jinja environment: pages, partials, e-mails and (later) PDFs share it."""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from partner_portal import charts, i18n, labels, messages, regions, spreadsheets
from partner_portal.registries import registry

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@cache
def static_url(path: str) -> str:
    """A static file's URL with a content hash, so browsers may cache it for good."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


@lru_cache(maxsize=8192)
def _markup(locale: str, message: str) -> Markup:
    """``message`` in ``locale`` (the current locale: part of the key only), as Markup."""
    return Markup(i18n.translate(message))


@lru_cache(maxsize=8192)
def _formatted_markup(locale: str, message: str) -> Markup:
    """The same formatted without variables ("%%" becomes "%"), as Jinja always formats."""
    return _markup(locale, message) % {}


@pass_context
def template_gettext(context: Context, message: str, **variables: Any) -> str:
    """Jinja's newstyle gettext (``_()`` and ``gettext()`` in templates), with the same
    result for less work: a message's translation in a language is made Markup once, not
    looked up, wrapped and formatted on every call (a page's rows ask for the same words
    again and again: 470 calls were 4 ms of an agenda's render)."""
    if not context.eval_ctx.autoescape:
        return i18n.translate(message) % variables
    locale = i18n.current_locale.get()
    if variables:
        return _markup(locale, message) % variables  # type: ignore[no-any-return]
    return _formatted_markup(locale, message)


def create_environment(auto_reload: bool = False) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        auto_reload=auto_reload,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.translate, i18n.translate_plural, newstyle=True
    )
    # ``_`` was an alias that looks ``gettext`` up in the context on every call.
    environment.globals.update(_=template_gettext, gettext=template_gettext)
    environment.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        number=i18n.format_number,
        money=i18n.format_money,
        label=labels.label,
        # one stored parameter (a plain value or a nested message), for the reader
        stored=messages.shown,
    )
    globals_: dict[str, Any] = {
        "static_url": static_url,
        "language_names": i18n.LANGUAGE_NAMES,
        "current_locale": i18n.current_locale.get,
        # a stored message id with its parameters, in the reader's language (messages.py)
        "stored_message": messages.render,
        # a region code's name in its own language ("CN-31" -> 上海市), regions.py
        "region_name": regions.name,
        # ... in the reader's language with the regions holding it ("杭州市 · 浙江省 · 中国")
        "region_label": lambda code: regions.label(code, i18n.current_locale.get()),
        # every listed region for the region picker (templates/_region_picker.html)
        "region_choices": lambda: regions.choices(i18n.current_locale.get()),
        # Action and each module's actions by name ({% if viewer.can(SalesAction.view_cases) %})
        **registry.action_sets,
        # the main menu a viewer sees (every module registers its entries)
        "main_navigation": registry.navigation_for,
        # what modules offer on one order: {% for link in order_links(viewer, order) %}
        "order_links": registry.order_links_for,
        # What an upload may hold, stated beside every file field (templates/_upload_limits.html).
        "upload_limits": spreadsheets.LIMITS,
        # a server-drawn bar chart, drawn once per what it shows (charts.py)
        "bar_chart": charts.bar_chart,
    }
    environment.globals.update(globals_)
    return environment
