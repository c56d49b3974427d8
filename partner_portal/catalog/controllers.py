"""The catalog's pages, gathered for the app. Each sub-domain's handlers live in its own
file: style_pages (the style list, a style, its form, availability and pictures),
price_pages (price lists, their prices and volume breaks), reference_pages (seasons,
collections, delivery windows, size scales, prepacks), spreadsheet_pages (exports, import
templates, the import) and size_chart_pages."""

from __future__ import annotations

from partner_portal.access import Action
from partner_portal.catalog.price_pages import price_routes
from partner_portal.catalog.reference_pages import reference_routes
from partner_portal.catalog.size_chart_pages import size_chart_routes
from partner_portal.catalog.spreadsheet_pages import spreadsheet_routes
from partner_portal.catalog.style_pages import style_routes
from partner_portal.i18n import N_
from partner_portal.registries import NavEntry

catalog_routes = [
    *style_routes,
    *price_routes,
    *reference_routes,
    *spreadsheet_routes,
    *size_chart_routes,
]

catalog_navigation = NavEntry(
    key="catalog",
    order=30,
    label=N_("Catalog"),
    path="/catalog/styles",
    actions=(Action.view_catalog,),
    current=("/catalog",),
)
