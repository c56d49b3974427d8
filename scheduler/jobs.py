"""The scheduled jobs this module hands the scheduler host, and the jobs page's view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.query.functions.aggregate import Max

from partner_portal import idempotency
from partner_portal.notifications import digest
from partner_portal.notifications.services import send_due
from partner_portal.registries import ScheduledJob, registry
from partner_portal.settings import current_settings
from scheduler import host, reminders, rules
from scheduler.records import JobRunRecord
from scheduler.tables import JobRun


async def _send_mail() -> str:
    return (await send_due(current_settings(), host.runner_id())).message


async def _reminders() -> str:
    return await reminders.send_reminders(current_settings())


async def _digests() -> str:
    return await reminders.send_digests(current_settings(), host.runner_id())


async def _notification_digests() -> str:
    return await digest.send_digests(current_settings(), host.runner_id())


async def _rules() -> str:
    report = await rules.run_rules()
    if report.failed:
        # Recorded as a failed run (the other rules did run); retried next time.
        raise RuntimeError(report.message)
    return report.message


JOBS = (
    ScheduledJob("send_mail", "Send queued e-mail", timedelta(seconds=30), _send_mail),
    ScheduledJob("follow_up_reminders", "Follow-up reminders", timedelta(minutes=1), _reminders),
    ScheduledJob(
        "daily_digest", "Daily digest e-mails (08:00 local)", timedelta(minutes=5), _digests
    ),
    ScheduledJob(
        "notification_digest",
        "Daily summary of held notifications (08:00 local)",
        timedelta(minutes=5),
        _notification_digests,
    ),
    ScheduledJob("follow_up_rules", "Follow-up rules", timedelta(hours=1), _rules),
    ScheduledJob(
        "forget_idempotency_keys",
        "Forget idempotency keys older than a day",
        timedelta(hours=1),
        idempotency.purge_expired,
    ),
)


@dataclass(frozen=True)
class JobStatus:
    """A registered job on the jobs page: its last run, and when it runs next."""

    job: ScheduledJob
    last: JobRunRecord | None
    next_run: datetime | None


async def job_overview() -> list[JobStatus]:
    """Each registered job with its last run (two queries whatever the history's length)."""
    latest_ids = [
        row["last"]
        for row in await JobRun.select(JobRun.job_key, Max(JobRun.id, alias="last")).group_by(
            JobRun.job_key
        )
    ]
    last_runs = {
        run.job_key: run
        for run in JobRunRecord.from_rows(
            await JobRun.select(*JobRun.all_columns()).where(JobRun.id.is_in(latest_ids))
            if latest_ids
            else []
        )
    }
    in_process = host.current_host.next_runs() if host.current_host else {}
    overview = []
    for job in registry.jobs.values():
        last = last_runs.get(job.key)
        next_run: datetime | None = in_process.get(job.key)
        if next_run is None and last is not None:
            next_run = last.started_at + job.every
        overview.append(JobStatus(job, last, next_run))
    return overview


async def recent_runs(limit: int = 50) -> list[JobRunRecord]:
    return JobRunRecord.from_rows(
        await JobRun.select(*JobRun.all_columns()).order_by(JobRun.id, ascending=False).limit(limit)
    )
