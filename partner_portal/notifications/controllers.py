"""In-app notifications (the bell), e-mail preferences and the failed-mail page.

Thin: parse, call partner_portal.notifications.services, render.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action
from partner_portal.handler_types import AnyRequest
from partner_portal.i18n import gettext as _
from partner_portal.notifications import forms, inbox, preferences, services
from partner_portal.notifications.tables import Choice
from partner_portal.registries import registry
from partner_portal.web import CurrentViewer, redirect_after_post, render


@get("/notifications", include_in_schema=False, cache=False)
async def notification_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    items = await inbox.recent_notifications(viewer.user_id)
    return render(request, "notifications/list.html", {"items": items})


@get("/notifications/bell", include_in_schema=False, cache=False)
async def notification_bell(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """The bell's count, loaded by htmx after the page so no page waits for it."""
    count = await inbox.unread_count(viewer.user_id)
    return render(request, "notifications/_bell.html", {"unread": count})


@post("/notifications/read", include_in_schema=False)
async def notifications_read(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    await inbox.mark_all_read(viewer.user_id)
    return redirect_after_post(request, "/notifications")


async def _preference_context(
    viewer: access.Viewer, saved: bool = False, error: str = ""
) -> dict[str, Any]:
    return {
        "event_kinds": sorted(registry.event_kinds.values(), key=lambda kind: kind.type),
        "email_kinds": registry.email_kinds,
        "choices": await preferences.user_choices(viewer.user_id),
        "Choice": Choice,
        "digest": preferences.DIGEST,
        "saved": saved,
        "error": error,
    }


@get("/account/email", include_in_schema=False, cache=False)
async def email_preferences(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return render(request, "notifications/preferences.html", await _preference_context(viewer))


@post("/account/email", include_in_schema=False)
async def email_preferences_save(request: AnyRequest, viewer: CurrentViewer) -> Template:
    form = await request.form()
    wanted = forms.parse_choices(
        form,
        event_kinds=list(registry.event_kinds),
        email_kinds=list(registry.email_kinds),
    )
    if wanted is None:
        return render(
            request,
            "notifications/preferences.html",
            await _preference_context(viewer, error=_("Choose one of the offered options.")),
            status_code=400,
        )
    await preferences.set_choices(viewer.user_id, wanted)
    return render(
        request, "notifications/preferences.html", await _preference_context(viewer, saved=True)
    )


@get("/outbox/failed", include_in_schema=False, cache=False)
async def failed_mail(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_outbox)
    mails = await services.failed_mails()
    outage = await services.smtp_outage()
    waiting = await services.waiting_count() if outage else 0
    return render(
        request,
        "notifications/failed.html",
        {"mails": mails, "outage": outage, "waiting": waiting},
    )


@post("/outbox/{mail_id:uuid}/retry", include_in_schema=False)
async def failed_mail_retry(
    request: AnyRequest, viewer: CurrentViewer, mail_id: FromPath[UUID]
) -> Response[Any]:
    access.require(viewer, Action.manage_outbox)
    if not await services.retry_failed(mail_id) and not await services.mail_exists(mail_id):
        raise NotFoundException("No such e-mail.")
    return redirect_after_post(request, "/outbox/failed")


notification_routes = [
    notification_list,
    notification_bell,
    notifications_read,
    email_preferences,
    email_preferences_save,
    failed_mail,
    failed_mail_retry,
]
