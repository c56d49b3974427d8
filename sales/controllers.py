"""The sales pages, gathered for the app. Each sub-domain's handlers live in its own file:
pipeline_pages (the board, the list, an opportunity, the forecast, the sales settings),
registration_pages (deal registrations), case_pages (service cases and the knowledge
base), rebate_pages (balances, ledgers, programmes) and care_pages (care events)."""

from __future__ import annotations

from sales.care_pages import care_routes
from sales.case_pages import case_routes
from sales.pipeline_pages import pipeline_routes
from sales.rebate_pages import rebate_routes
from sales.registration_pages import registration_routes

sales_routes = [
    *pipeline_routes,
    *registration_routes,
    *case_routes,
    *rebate_routes,
    *care_routes,
]
