"""The audit log page: who changed what, when and from where (brand administrators)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action
from partner_portal.audit import services
from partner_portal.handler_types import AnyRequest
from partner_portal.i18n import N_
from partner_portal.inputs import whole_number
from partner_portal.registries import NavEntry
from partner_portal.web import CurrentViewer, render

# The signed-in user (web.require_viewer: 401 -> the log-in page).


@get("/audit", include_in_schema=False)
async def audit_page(
    request: AnyRequest,
    viewer: CurrentViewer,
    kind: FromQuery[str] = "",
    actor: FromQuery[str] = "",
    before: FromQuery[str] = "",
) -> Template:
    access.require(viewer, Action.view_audit_log)
    before_id = whole_number(before)
    filters = services.AuditFilters(
        entity_kind=kind.strip(), actor_email=actor.strip(), before_id=before_id
    )
    entries, next_before = await services.list_entries(filters)
    filter_query = {key: value for key, value in (("kind", kind), ("actor", actor)) if value}
    older_url = (
        f"/audit?{urlencode({**filter_query, 'before': next_before})}" if next_before else None
    )
    return render(
        request,
        "audit/log.html",
        {
            "entries": entries,
            "filters": filters,
            "kinds": await services.entity_kinds(),
            "older_url": older_url,
            "newest_url": f"/audit?{urlencode(filter_query)}" if before_id else None,
        },
        partial="audit/_entries.html",
    )


audit_routes = [audit_page]

audit_navigation = NavEntry(
    key="audit",
    order=120,
    label=N_("Audit log"),
    path="/audit",
    actions=(Action.view_audit_log,),
)
