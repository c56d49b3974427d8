"""The scheduler host: APScheduler 3 (AsyncIOScheduler) running every job in
registry.jobs, in its own process (`threadline scheduler`) or inside the web
process (SCHEDULER_IN_PROCESS=1).

Every job starts once at start-up, so work that came due while nothing ran is done
then (the jobs claim their work in the database, so it is done once), and then every
``job.every``. Each run is recorded in scheduler_job_run; a job that raises is logged
with its error and runs again next time; it never stops the others.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TypedDict

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.registries import ScheduledJob, registry
from partner_portal.settings import Settings
from scheduler.tables import JobRun

logger = logging.getLogger("threadline.scheduler")
ERROR_LENGTH = 2000


def runner_id() -> str:
    """Who ran a job or claimed work: host and process, so it can be traced."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class JobOutcome(TypedDict):
    """What one run of a job did (the CLI prints it; read by key)."""

    ok: bool
    result: str
    error: str
    duration_ms: int


async def run_job(job: ScheduledJob, runner: str | None = None) -> JobOutcome:
    """Run one job now and record the run (start, end, duration, result or error)."""
    runner = runner or runner_id()
    started_at = utcnow()
    async with write_transaction():
        rows = await JobRun.insert(
            JobRun(job_key=job.key, started_at=started_at, runner=runner)
        ).returning(JobRun.id)
    run_id = rows[0]["id"]
    started = time.perf_counter()
    result, error, ok = "", "", True
    try:
        result = await job.run()
    except Exception as failure:  # the run is recorded and retried next time
        ok = False
        error = f"{type(failure).__name__}: {failure}"[:ERROR_LENGTH]
        logger.exception("scheduled job %s failed", job.key)
    duration_ms = int((time.perf_counter() - started) * 1000)
    async with write_transaction():
        await JobRun.update(
            {
                JobRun.finished_at: utcnow(),
                JobRun.duration_ms: duration_ms,
                JobRun.ok: ok,
                JobRun.result: (result or "")[:ERROR_LENGTH],
                JobRun.error: error,
            }
        ).where(JobRun.id == run_id)
    if ok:
        logger.info("job %s: %s (%d ms)", job.key, result, duration_ms)
    return {"ok": ok, "result": result, "error": error, "duration_ms": duration_ms}


class SchedulerHost:
    def __init__(self, jobs: Iterable[ScheduledJob], runner: str | None = None) -> None:
        self.jobs = list(jobs)
        self.runner = runner or runner_id()
        self.scheduler = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        """Schedule every job to run now and then every ``job.every`` (one at a time each;
        missed runs are coalesced into one)."""
        # APScheduler logs every run at INFO; run_job logs what matters (results, errors).
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        now = datetime.now(UTC)
        for job in self.jobs:
            self.scheduler.add_job(
                run_job,
                IntervalTrigger(seconds=job.every.total_seconds(), timezone=UTC),
                args=[job, self.runner],
                id=job.key,
                name=job.title,
                next_run_time=now,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                replace_existing=True,
            )
        self.scheduler.start()
        logger.info("scheduler %s started with %d job(s)", self.runner, len(self.jobs))

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        logger.info("scheduler %s stopped", self.runner)


# The host running in this process, if any (the jobs page shows its next run times).
current_host: SchedulerHost | None = None


@asynccontextmanager
async def in_web_process(settings: Settings) -> AsyncIterator[None]:
    """The web app's lifespan service: run the host beside the web app when
    SCHEDULER_IN_PROCESS=1 (the default of `make run`)."""
    global current_host
    if not settings.scheduler_in_process:
        yield
        return
    host = SchedulerHost(registry.jobs.values())
    host.start()
    current_host = host
    try:
        yield
    finally:
        current_host = None
        host.stop()


async def run_until_stopped() -> int:
    """`threadline scheduler`: run the host until SIGINT or SIGTERM."""
    import asyncio
    import signal

    from partner_portal.database import close_database, open_database

    global current_host
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    started_pool = await open_database()
    host = SchedulerHost(registry.jobs.values())
    host.start()
    current_host = host
    try:
        await stop.wait()
    finally:
        current_host = None
        host.stop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signal_number)
        await close_database(started_pool)
    return 0


async def run_all_once() -> list[JobOutcome]:
    """`threadline scheduler --once`: every job once, in order (cron, catching up by hand)."""
    from partner_portal.database import close_database, open_database

    started_pool = await open_database()
    try:
        return [await run_job(job) for job in registry.jobs.values()]
    finally:
        await close_database(started_pool)
