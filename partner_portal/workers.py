"""CPU-heavy work (reading and writing spreadsheets) in a few worker processes, so the
event loop goes on answering every other request meanwhile.

Processes, not threads: openpyxl parses and writes XML in pure Python and holds the GIL.
Measured (bench/spreadsheets_bench.py, bench/RESULTS.md), a worker thread leaves the
loop only the gaps between GIL switches (/healthz waits up to ~0.2 s), a worker process
leaves it alone.

Each worker process belongs to one thread of a small thread pool: the thread sends the
job, waits for the answer (without the GIL) and, if the job outlives its time limit,
kills the process and starts a fresh one for the next job. The pool's size bounds how many
jobs run at once; the others wait their turn in the pool's queue.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

Result = TypeVar("Result")

# Two at a time: the portal runs on small machines, and a job is seconds at most.
MAX_WORKERS = 2
# Workers are niced: under contention the web process (the event loop) gets the CPU first.
WORKER_NICENESS = 10


class Batches:
    """A long list argument, sent to the worker a few hundred items at a time.

    Pickling a list whole is one C call that holds the GIL, and so the event loop, for as
    long as it takes (0.25 s of CPU for 36,000 order lines); pickled batch by batch in the
    job's thread, the loop gets its turn between batches. The worker receives a list."""

    def __init__(self, items: Sequence[Any], size: int = 500) -> None:
        self.items = items
        self.size = size

    def pickled(self) -> _PickledBatches:
        return _PickledBatches(
            [
                pickle.dumps(self.items[start : start + self.size], pickle.HIGHEST_PROTOCOL)
                for start in range(0, len(self.items), self.size)
            ]
        )


@dataclass(frozen=True)
class _PickledBatches:
    batches: list[bytes]

    def unpickled(self) -> list[Any]:
        return [item for batch in self.batches for item in pickle.loads(batch)]


def _for_sending(arguments: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        argument.pickled() if isinstance(argument, Batches) else argument for argument in arguments
    )


def _as_received(arguments: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        argument.unpickled() if isinstance(argument, _PickledBatches) else argument
        for argument in arguments
    )


# A spawned worker imports the job's module before it starts on the job: that is given its
# own bound, so a cold start on a busy machine does not eat the job's time limit.
STARTUP_SECONDS = 120
STARTED = "started"


class WorkerTimeout(Exception):
    """The job ran past its time limit; its worker process was stopped."""


class WorkerLost(Exception):
    """The worker process died during the job (killed from outside, out of memory)."""


def _serve(connection: Connection) -> None:
    """A worker process: run each job it is sent and send back its result or exception."""
    os.nice(WORKER_NICENESS)
    while True:
        try:
            function, arguments = connection.recv()
        except EOFError:  # the web process has gone
            return
        # Received: the function's module is imported (a cold worker takes seconds on a
        # busy machine); the job's time limit starts now.
        connection.send(STARTED)
        try:
            outcome = (True, function(*_as_received(arguments)))
        except Exception as error:
            outcome = (False, error)
        try:
            connection.send(outcome)
        except Exception as error:  # a result or exception that does not pickle
            connection.send((False, RuntimeError(f"{function.__name__}: {error!r}")))


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self) -> None:
        # Spawned, not forked: the web process has threads (database drivers) and an
        # event loop, which a fork would copy half-way.
        context = multiprocessing.get_context("spawn")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child_end,), name="threadline-worker", daemon=True
        )
        self.process.start()
        child_end.close()

    def run(
        self, function: Callable[..., Result], arguments: tuple[Any, ...], timeout: float
    ) -> Result:
        self.connection.send((function, _for_sending(arguments)))
        try:
            if not self.connection.poll(STARTUP_SECONDS):
                self.stop()
                raise WorkerTimeout(f"the worker for {function.__name__} did not start")
            self.connection.recv()  # STARTED
            if not self.connection.poll(timeout):
                self.stop()
                raise WorkerTimeout(f"{function.__name__} ran longer than {timeout} s")
            succeeded, value = self.connection.recv()
        except (EOFError, OSError) as error:
            self.stop()
            raise WorkerLost(f"the worker running {function.__name__} died") from error
        if not succeeded:
            raise value
        return value  # type: ignore[no-any-return]

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


_threads = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix="threadline-worker")
_own = threading.local()


def _run_in_this_threads_worker(
    function: Callable[..., Result], arguments: tuple[Any, ...], timeout: float
) -> Result:
    worker: _Worker | None = getattr(_own, "worker", None)
    if worker is None or not worker.alive:
        worker = _own.worker = _Worker()
    return worker.run(function, arguments, timeout)


async def run(function: Callable[..., Result], *arguments: Any, time_limit: float) -> Result:
    """``function(*arguments)`` in a worker process, stopped after ``time_limit`` seconds
    (WorkerTimeout). The function and its arguments and result must pickle: a module-level
    function and plain data; wrap a long list in ``Batches``."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _threads, _run_in_this_threads_worker, function, arguments, time_limit
    )
