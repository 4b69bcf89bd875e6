"""Long work the server runs in the background, with progress and cancel: a folder scan
(the proposal) and a verification of the REES.

A ``Job`` runs ``work(progress, cancel)`` in a small pool of its own (so long jobs never
starve the server's default executor), records ``progress(phase, done, total, message)``
as the work reports it, and ends ``done`` (with its JSON result), ``failed`` (with an
error message and status) or ``cancelled`` once the cancel event was set and the work
stopped. At most ``limit`` jobs are queued or running; finished jobs are forgotten after
``keep`` seconds.
"""

from __future__ import annotations

import atexit
import json
import queue
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .core.model import Cancelled, to_json
from .workflow_base import Busy, WorkflowError

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
Work = Callable[[Callable[[str, int, int, str], None], threading.Event], Any]


@dataclass
class Job:
    id: str
    kind: str  # scan | verify
    state: JobState = "queued"
    phase: str = "queued"
    done: int = 0
    total: int = 0
    message: str = ""
    result: Any = None
    error: dict[str, Any] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    ended_at: float | None = None
    # The finished job as JSON, encoded once in the job's thread: polls send it as is.
    answer: bytes | None = None

    def report(self, phase: str, done: int, total: int, message: str) -> None:
        self.phase, self.done, self.total, self.message = phase, done, total, message

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            # queued counts as running for the client: it is on its way
            "state": "running" if self.state == "queued" else self.state,
            "progress": {"phase": self.phase, "done": self.done, "total": self.total, "message": self.message},
            "cancelling": self.cancel.is_set() and self.ended_at is None,
            "result": self.result,
            "error": self.error,
        }


class Jobs:
    """The server's background jobs."""

    def __init__(self, *, workers: int = 2, limit: int = 8, keep: float = 600.0) -> None:
        self.workers, self.limit, self.keep = workers, limit, keep
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[Job, Work] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        _ALL.add(self)

    def submit(self, kind: str, work: Work) -> Job:
        with self._lock:
            self._expire()
            active = sum(1 for job in self._jobs.values() if not job.finished.is_set())
            if active >= self.limit:
                raise Busy(f"{active} jobs are already running: wait for one to end, or cancel one")
            job = Job(uuid.uuid4().hex, kind)
            self._jobs[job.id] = job
            if len(self._threads) < min(self.workers, active + 1):
                thread = threading.Thread(target=self._serve, name=f"rees-job-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        self._queue.put((job, work))
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            self._expire()
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        job = self.get(job_id)
        if job is not None:
            job.cancel.set()
        return job

    def cancel_all(self, wait: float = 0.0) -> None:
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel.set()
        deadline = time.monotonic() + wait
        for job in jobs:
            job.finished.wait(max(0.0, deadline - time.monotonic()))

    def _expire(self) -> None:
        now = time.monotonic()
        for job_id in [j.id for j in self._jobs.values() if j.ended_at is not None and now - j.ended_at > self.keep]:
            del self._jobs[job_id]

    def _serve(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, work = item
            self._run(job, work)

    @staticmethod
    def _run(job: Job, work: Work) -> None:
        try:
            if job.cancel.is_set():
                raise Cancelled("cancelled before it started")
            job.state = "running"
            job.result = work(job.report, job.cancel)
            job.state = "done"
        except Cancelled:
            job.state = "cancelled"
        except WorkflowError as exc:
            job.state, job.error = "failed", {"message": str(exc), "kind": type(exc).__name__}
        except Exception as exc:  # the job fails, the server goes on
            job.state, job.error = "failed", {"message": f"{type(exc).__name__}: {exc}", "kind": "internal"}
        finally:
            if job.state == "done" and job.cancel.is_set():
                job.state = "cancelled"  # asked to stop, and nothing was left to stop
            if job.state == "cancelled":
                job.result = None
            job.ended_at = time.monotonic()
            job.answer = _encode(job)
            job.finished.set()


def _encode(job: Job) -> bytes | None:
    try:
        return json.dumps(to_json(job.to_json())).encode()
    except (TypeError, ValueError):  # a result that is no JSON: polls say so themselves
        return None


_ALL: weakref.WeakSet[Jobs] = weakref.WeakSet()


@atexit.register
def _stop_everything() -> None:
    """At exit, cancel what runs: subprocesses (installs, notebooks) are killed."""
    for jobs in list(_ALL):
        jobs.cancel_all(wait=3.0)
