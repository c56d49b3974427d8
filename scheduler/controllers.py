"""The agenda, the calendar, follow-up pages and actions, the rules and jobs pages for
brand admins, and the calendar feed. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from partner_portal import access, inputs
from partner_portal.clock import utcnow
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.inputs import whole_number
from partner_portal.partners import picker
from partner_portal.registries import registry
from partner_portal.web import CurrentViewer, is_htmx, local_path, redirect_after_post, render
from scheduler import agenda as agenda_views
from scheduler import feeds, follow_ups, forms, host, jobs, rules
from scheduler.access import SchedulerAction, VisibleFollowUp, get_follow_up
from scheduler.agenda import AgendaFilters


def _common(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "labels": agenda_views.LABELS,
        "snooze_choices": forms.SNOOZE_CHOICES,
        "recurrence_label": agenda_views.recurrence_label,
        **context,
    }


@get("/agenda", include_in_schema=False, cache=False)
async def agenda(request: AnyRequest, viewer: CurrentViewer) -> Template:
    filters = AgendaFilters.from_query(request.query_params)
    view = await agenda_views.agenda(viewer, filters)
    page: dict[str, Any] = {**view, "filters": filters}
    if not is_htmx(request):  # htmx asks for the sections alone when a filter changes
        page["choices"] = await agenda_views.filter_choices(viewer, filters)
        page["workload"] = await agenda_views.workload(viewer)
    return render(
        request,
        "scheduler/agenda.html",
        _common(page),
        partial="scheduler/_agenda_sections.html",
    )


@get("/agenda/more", include_in_schema=False, cache=False)
async def agenda_more(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """A long section's next rows (its "Show more"), after the (due time, id) given; the
    overdue section's first rows when neither is."""
    query = request.query_params
    filters = AgendaFilters.from_query(query)
    page = await agenda_views.more_in_section(
        viewer, filters, str(query.get("section") or "overdue"), forms.position(query)
    )
    if page is None:
        raise NotFoundException("No such section of the agenda.")
    return render(
        request,
        "scheduler/agenda_more.html",
        _common({"page": page, "filters": filters}),
        partial="scheduler/_more_rows.html",
    )


@get("/agenda/calendar", include_in_schema=False, cache=False)
async def calendar(request: AnyRequest, viewer: CurrentViewer) -> Template:
    filters = AgendaFilters.from_query(request.query_params)
    parsed = inputs.date(request.query_params.get("date"))
    anchor = None if isinstance(parsed, inputs.Invalid) else parsed
    page = await agenda_views.calendar(
        viewer, filters, str(request.query_params.get("view") or "week"), anchor
    )
    return render(
        request,
        "scheduler/calendar.html",
        _common(
            {
                "page": page,
                "filters": filters,
                "choices": await agenda_views.filter_choices(viewer, filters),
            }
        ),
        partial="scheduler/_calendar_grid.html",
    )


async def _form_page(
    request: AnyRequest,
    viewer: access.Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    follow_up: VisibleFollowUp | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "scheduler/form.html",
        _common(
            {
                "values": values,
                "errors": errors,
                "follow_up": follow_up,
                # a follow-up's partner is chosen when it is created, never changed
                "partner_picker_choices": None
                if follow_up
                else await picker.partner_picker(
                    viewer, values.get("partner"), picker.query_text(request.query_params)
                ),
                "owners": await follow_ups.owner_choices(viewer),
                "kinds": forms.KINDS,
                "priorities": forms.PRIORITIES,
                "recurrences": forms.RECURRENCE_PRESETS,
                "remind_choices": forms.REMIND_CHOICES,
            }
        ),
        status_code=status_code,
    )


@get("/follow-ups/new", include_in_schema=False, cache=False)
async def follow_up_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    try:
        partner_uuid = UUID(str(request.query_params.get("partner") or ""))
    except ValueError:
        partner_uuid = None
    values = await follow_ups.new_form_values(viewer, partner_uuid)
    return await _form_page(request, viewer, values, {})


@post("/follow-ups/new", include_in_schema=False)
async def follow_up_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await follow_ups.create_from_form(viewer, data)
    if result.saved:
        return redirect_after_post(request, f"/follow-ups/{result.uuid}")
    return await _form_page(request, viewer, dict(data), result.errors, status_code=400)


@get("/follow-ups/{follow_up_id:uuid}", include_in_schema=False, cache=False)
async def follow_up_detail(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID]
) -> Template:
    row = await get_follow_up(viewer, follow_up_id)
    return await _detail(request, viewer, row)


@get("/follow-ups/{follow_up_id:uuid}/actions", include_in_schema=False, cache=False)
async def follow_up_actions(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID]
) -> Template:
    """A row's actions, fetched when its menu is opened (htmx); without JavaScript the
    follow-up's page, its forms coming back to ``next``."""
    row = await get_follow_up(viewer, follow_up_id, SchedulerAction.manage_follow_ups)
    back = local_path(request.query_params.get("next"))
    context = {"item": row, "here": back or f"/follow-ups/{follow_up_id}"}
    if not is_htmx(request):
        context = await _detail_context(viewer, row, back=back)
    return render(
        request, "scheduler/detail.html", _common(context), partial="scheduler/_actions.html"
    )


async def _detail_context(
    viewer: access.Viewer, row: VisibleFollowUp, error: str = "", back: str | None = None
) -> dict[str, Any]:
    """The follow-up's page; its action forms come back to ``back`` (a local path), by
    default to the page itself."""
    return {
        "item": row,
        "back": back,
        "error": error,
        "history": await follow_ups.history(row.uuid),
        "causes": await follow_ups.causes_for(viewer, row) if row.rule_key else [],
        "owners": await follow_ups.owner_choices(viewer) if row.may_change else [],
    }


async def _detail(
    request: AnyRequest,
    viewer: access.Viewer,
    row: VisibleFollowUp,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "scheduler/detail.html",
        _common(await _detail_context(viewer, row, error)),
        status_code=status_code,
    )


@get("/follow-ups/{follow_up_id:uuid}/edit", include_in_schema=False, cache=False)
async def follow_up_edit(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID]
) -> Template:
    row = await get_follow_up(viewer, follow_up_id, SchedulerAction.manage_follow_ups)
    values = forms.form_values(row, viewer.time_zone)
    return await _form_page(request, viewer, values, {}, follow_up=row)


@post("/follow-ups/{follow_up_id:uuid}/edit", include_in_schema=False)
async def follow_up_update(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await follow_ups.update_from_form(viewer, follow_up_id, data)
    if result.saved:
        return redirect_after_post(request, f"/follow-ups/{follow_up_id}")
    row = await get_follow_up(viewer, follow_up_id)
    values, status_code = result.form_again(data)
    return await _form_page(
        request, viewer, values, result.errors, follow_up=row, status_code=status_code
    )


async def _after_action(
    request: AnyRequest,
    viewer: access.Viewer,
    follow_up_id: UUID,
    outcome: follow_ups.ActionOutcome,
    data: dict[str, str],
) -> Response[Any]:
    """htmx: the acted-on row (and a recurrence's next one) in place; else back where the
    form was, or the follow-up's page with the message."""
    if is_htmx(request):
        next_page = local_path(data.get("next"))
        return render(
            request,
            "scheduler/_rows.html",
            _common(
                {
                    "rows": outcome.rows,
                    "error": outcome.error,
                    "next": next_page,
                }
            ),
            status_code=200 if outcome.status_code == 200 else outcome.status_code,
        )
    if outcome.error:
        row = await get_follow_up(viewer, follow_up_id)
        return await _detail(request, viewer, row, outcome.error, outcome.status_code)
    return redirect_after_post(
        request, local_path(data.get("next")) or f"/follow-ups/{follow_up_id}"
    )


def _version(data: dict[str, str]) -> int | None:
    return whole_number(data.get("version"))


@post("/follow-ups/{follow_up_id:uuid}/complete", include_in_schema=False)
async def follow_up_complete(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID], data: Form
) -> Response[Any]:
    outcome = await follow_ups.complete(viewer, follow_up_id, str(data.get("outcome") or ""))
    return await _after_action(request, viewer, follow_up_id, outcome, data)


@post("/follow-ups/{follow_up_id:uuid}/snooze", include_in_schema=False)
async def follow_up_snooze(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID], data: Form
) -> Response[Any]:
    until = forms.snooze_until(str(data.get("until") or ""), utcnow(), viewer.time_zone)
    outcome = await follow_ups.move(viewer, follow_up_id, until, "snooze", _version(data))
    return await _after_action(request, viewer, follow_up_id, outcome, data)


@post("/follow-ups/{follow_up_id:uuid}/reschedule", include_in_schema=False)
async def follow_up_reschedule(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID], data: Form
) -> Response[Any]:
    errors: dict[str, str] = {}
    due_at = forms.parse_due(data, viewer.time_zone, errors)
    outcome = await follow_ups.move(viewer, follow_up_id, due_at, "reschedule", _version(data))
    return await _after_action(request, viewer, follow_up_id, outcome, data)


@post("/follow-ups/{follow_up_id:uuid}/skip", include_in_schema=False)
async def follow_up_skip(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID], data: Form
) -> Response[Any]:
    outcome = await follow_ups.skip(viewer, follow_up_id)
    return await _after_action(request, viewer, follow_up_id, outcome, data)


@post("/follow-ups/{follow_up_id:uuid}/occurrence", include_in_schema=False)
async def follow_up_occurrence(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """Move or skip a later occurrence of the follow-up's series (one the calendar showed)."""
    skip = data.get("action") == "skip"
    errors: dict[str, str] = {}
    due_at = None if skip else forms.parse_due(data, viewer.time_zone, errors)
    outcome = await follow_ups.change_occurrence(
        viewer, follow_up_id, forms.parse_moment(str(data.get("occurrence") or "")), due_at, skip
    )
    return await _after_action(request, viewer, follow_up_id, outcome, data)


@post("/follow-ups/{follow_up_id:uuid}/reassign", include_in_schema=False)
async def follow_up_reassign(
    request: AnyRequest, viewer: CurrentViewer, follow_up_id: FromPath[UUID], data: Form
) -> Response[Any]:
    outcome = await follow_ups.reassign(viewer, follow_up_id, str(data.get("owner") or ""))
    return await _after_action(request, viewer, follow_up_id, outcome, data)


# ---------------------------------------------------------------------------
# Brand admins: jobs and rules


@get("/scheduler/jobs", include_in_schema=False, cache=False)
async def job_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SchedulerAction.manage_scheduler)
    return render(
        request,
        "scheduler/jobs.html",
        {
            "overview": await jobs.job_overview(),
            "runs": await jobs.recent_runs(),
            "in_process": host.current_host is not None,
            "ran": request.query_params.get("ran", ""),
        },
    )


@post("/scheduler/jobs/run", include_in_schema=False)
async def job_run_now(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    """Run a job now, in this request (jobs are idempotent: a scheduler running it at the
    same moment claims different work)."""
    access.require(viewer, SchedulerAction.manage_scheduler)
    job = registry.jobs.get(str(data.get("job") or ""))
    if job is None:
        return render(
            request,
            "scheduler/jobs.html",
            {
                "overview": await jobs.job_overview(),
                "runs": await jobs.recent_runs(),
                "in_process": host.current_host is not None,
                "error": "unknown",
            },
            status_code=400,
        )
    await host.run_job(job)
    return redirect_after_post(request, f"/scheduler/jobs?ran={job.key}")


async def _rules_page(
    request: AnyRequest,
    values: dict[str, Any] | None,
    errors: dict[str, str],
    saved: bool = False,
    status_code: int = 200,
) -> Template:
    current = await rules.rule_settings()
    users = await rules.assignable_users()
    if values is None:
        uuid_of = {user.id: str(user.uuid) for user in users}
        values = {}
        for key, setting in current.items():
            values[f"{key}.enabled"] = "on" if setting.enabled else ""
            values[f"{key}.threshold_days"] = str(setting.threshold_days)
            values[f"{key}.assignee"] = (
                uuid_of.get(setting.assignee_id, "owner")
                if setting.assignee_id and setting.assignee_mode == "fixed_user"
                else "owner"
            )
    return render(
        request,
        "scheduler/rules.html",
        {"rules": rules.RULES, "values": values, "errors": errors, "users": users, "saved": saved},
        status_code=status_code,
    )


@get("/scheduler/rules", include_in_schema=False, cache=False)
async def rule_settings(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SchedulerAction.manage_scheduler)
    return await _rules_page(request, None, {}, saved=bool(request.query_params.get("saved")))


@post("/scheduler/rules", include_in_schema=False)
async def rule_settings_save(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    access.require(viewer, SchedulerAction.manage_scheduler)
    errors = await rules.save_rule_settings(viewer, data)
    if errors:
        return await _rules_page(request, dict(data), errors, status_code=400)
    return redirect_after_post(request, "/scheduler/rules?saved=1")


# ---------------------------------------------------------------------------
# The calendar feed


@get("/account/calendar", include_in_schema=False, cache=False)
async def calendar_feed_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SchedulerAction.view_follow_ups)
    return render(
        request,
        "scheduler/feed.html",
        {"has_feed": await feeds.has_feed(viewer.user_id), "feed_url": None},
    )


@post("/account/calendar/rotate", include_in_schema=False)
async def calendar_feed_rotate(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SchedulerAction.view_follow_ups)
    token = await feeds.rotate_feed(viewer)
    base_url = request.app.state.settings.base_url
    return render(
        request,
        "scheduler/feed.html",
        {"has_feed": True, "feed_url": f"{base_url}/calendar-feed/{token}"},
    )


@post("/account/calendar/revoke", include_in_schema=False)
async def calendar_feed_revoke(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SchedulerAction.view_follow_ups)
    await feeds.revoke_feed(viewer)
    return render(
        request,
        "scheduler/feed.html",
        {"has_feed": False, "feed_url": None, "revoked": True},
    )


@get("/calendar-feed/{token:str}", include_in_schema=False, cache=False)
async def calendar_feed(request: AnyRequest, token: FromPath[str]) -> Response[str]:
    """The feed itself: no sign-in (calendar apps cannot), the secret in the address."""
    text = await feeds.feed_for_token(
        token.removesuffix(".ics"), request.app.state.settings.base_url
    )
    if text is None:
        raise NotFoundException("No such calendar.")
    return Response(
        content=text,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="threadline.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


routes = [
    agenda,
    agenda_more,
    calendar,
    follow_up_new,
    follow_up_create,
    follow_up_detail,
    follow_up_actions,
    follow_up_edit,
    follow_up_update,
    follow_up_complete,
    follow_up_snooze,
    follow_up_reschedule,
    follow_up_reassign,
    follow_up_skip,
    follow_up_occurrence,
    job_list,
    job_run_now,
    rule_settings,
    rule_settings_save,
    calendar_feed_page,
    calendar_feed_rotate,
    calendar_feed_revoke,
    calendar_feed,
]
