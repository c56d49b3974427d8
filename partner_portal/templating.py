"""The one Jinja environment: pages, partials, e-mails and (later) PDFs share it."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from partner_portal import i18n, labels, messages, regions, spreadsheets
from partner_portal.registries import registry

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@cache
def static_url(path: str) -> str:
    """A static file's URL with a content hash, so browsers may cache it for good."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


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
    }
    environment.globals.update(globals_)
    return environment
