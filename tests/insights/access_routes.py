"""Partner health in the access matrix: the brand's users only; partners never see it."""

from __future__ import annotations

from tests.access_matrix import BRAND_MEMBERS, PARTNER_EDITORS, Route, on_partner, only

ROUTES = {
    "GET /insights": Route(only(BRAND_MEMBERS)),
    "GET /insights/partners": Route(only(BRAND_MEMBERS)),
    "POST /insights/follow-ups": Route(only(PARTNER_EDITORS)),
    "GET /insights/export.csv": Route(only(BRAND_MEMBERS)),
    "GET /insights/export.xlsx": Route(only(BRAND_MEMBERS)),
    "GET /insights/segments": Route(only(BRAND_MEMBERS)),
    "POST /insights/treatments": Route(only({"admin"})),
    "GET /insights/satisfaction": Route(only(BRAND_MEMBERS)),
    "GET /insights/settings": Route(only({"admin"})),
    "POST /insights/settings": Route(only({"admin"})),
    "POST /insights/recompute": Route(only({"admin"})),
    "GET /api/v1/insights/kpis": Route(only(BRAND_MEMBERS)),
    "GET /api/v1/insights/segments": Route(only(BRAND_MEMBERS)),
    "GET /api/v1/insights/partners/{partner_id:uuid}": Route(
        on_partner(lambda member, target: member in BRAND_MEMBERS), "partner"
    ),
}
# The survey link is the employee-free, account-free way a buyer answers.
PUBLIC = {"GET /survey/{token:str}", "POST /survey/{token:str}"}
