"""REST layer: parse and validate, call core/adapters off the event loop, answer JSON."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from . import workflow
from .config import Rees

AUTH_RESOURCE = "contents"
NAMESPACE = "jupyter-rees-ui"

#: the one table from domain errors to HTTP statuses (first match wins)
STATUS = (
    (workflow.BadRequest, 400),
    (workflow.Forbidden, 403),
    (workflow.NotFound, 404),
    (workflow.Conflict, 409),
    (workflow.GitFailed, 409),
    (workflow.EnvironmentUnreadable, 502),
    (workflow.Busy, 429),
    (workflow.WorkflowError, 400),
)


def status_of(error: workflow.WorkflowError) -> int:
    return next(status for kind, status in STATUS if isinstance(error, kind))


#: The extension's own threads for its request handlers: a few, so that slow scans or
#: git calls never take the server's default pool (kernels, contents) with them.
EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="jupyter-rees")
#: Work running now, by what it computes (single flight).
IN_FLIGHT: dict[Any, Flight] = {}
#: The same flights by the request that started or joined them, as it came (query
#: arguments, the server's settings): a request identical to one already in flight joins
#: it without building and checking its parameters again.
ASKED: dict[Any, Flight] = {}
#: Waiting requests answered in one turn of the event loop; the others wait a turn per
#: batch, so that other requests (a status poll) are served between batches.
BATCH = 8


class Flight:
    """Work that identical requests share (single flight): its answer, encoded once.
    Once every request waiting for it has gone (its client closed the connection), its
    ``cancel`` event is set, so the scan stops between files, and a request arriving
    after that starts afresh."""

    def __init__(self, key: Any, future: asyncio.Future[Answer], cancel: threading.Event) -> None:
        self.key, self.future, self.cancel = key, future, cancel
        self.waiting = 0
        self.answered = 0
        self.asked: set[Any] = set()

    def join(self) -> None:
        self.waiting += 1

    def leave(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0 and not self.future.done():
            self.cancel.set()
            self.land()

    def land(self) -> None:
        if IN_FLIGHT.get(self.key) is self:
            del IN_FLIGHT[self.key]
        for asked in self.asked:
            if ASKED.get(asked) is self:
                del ASKED[asked]
        self.asked.clear()

    def alias(self, asked: Any) -> None:
        """Requests asked as ``asked`` join this flight while it runs."""
        if not self.future.done() and IN_FLIGHT.get(self.key) is self:
            ASKED[asked] = self
            self.asked.add(asked)

    async def turn(self) -> None:
        """Wait for this request's turn to be answered: the first ``BATCH`` at once,
        then a turn of the event loop per batch."""
        place, self.answered = self.answered, self.answered + 1
        for _ in range(place // BATCH):
            await asyncio.sleep(0)


@dataclass(frozen=True)
class Answer:
    """A JSON answer encoded once for every request that waits for it."""

    body: bytes
    etag: str


def encoded(fn, /, *args, **kwargs) -> Answer:
    """``fn``'s answer as JSON, with its entity tag; run in the executor, so a large
    reply is encoded (and hashed) once and off the event loop (50 waiting requests
    encoding a proposal each held the loop for about 150 ms)."""
    body = json.dumps(workflow.to_json(fn(*args, **kwargs))).encode()
    return Answer(body, f'"{hashlib.sha1(body).hexdigest()}"')


class ReesHandler(APIHandler):
    """Common plumbing: the server root, options, JSON errors, work in an executor."""

    auth_resource = AUTH_RESOURCE

    def initialize(self, rees: Rees, cache: Any, jobs: Any = None) -> None:
        self.rees = rees
        self.cache = cache
        self.jobs = jobs

    @property
    def root_dir(self) -> str:
        return self.settings["server_root_dir"]

    @property
    def allow_hidden(self) -> bool:
        return bool(getattr(self.contents_manager, "allow_hidden", False))

    def body(self) -> dict[str, Any]:
        try:
            data = self.get_json_body()
        except Exception as exc:  # get_json_body raises HTTPError(400) already
            raise tornado.web.HTTPError(400, f"request body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400, "request body must be a JSON object")
        return data

    async def run(self, fn, /, *args, **kwargs):
        """Run blocking work in the extension's own small executor (never the server's
        default pool, which other endpoints need) and turn known errors into HTTP ones."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(EXECUTOR, functools.partial(fn, *args, **kwargs))
        except workflow.WorkflowError as exc:
            raise tornado.web.HTTPError(status_of(exc), str(exc)) from exc

    def flight(self, key: Any, fn, /, *args, **kwargs) -> Flight:
        """The work ``fn(*args, cancel=event, **kwargs)`` under ``key``, shared: while it
        runs, an identical request waits for its answer instead of starting it again
        (single flight). When every waiting client has closed its connection the event
        is set and the work stops; nobody is answered."""
        flight = IN_FLIGHT.get(key)
        if flight is None:
            cancel = threading.Event()
            future = asyncio.ensure_future(self.run(encoded, fn, *args, cancel=cancel, **kwargs))
            flight = IN_FLIGHT[key] = Flight(key, future, cancel)
            future.add_done_callback(lambda _done: flight.land())
        return flight

    async def wait_for(self, flight: Flight) -> None:
        """Wait with ``flight`` and send its answer (unless every client went away)."""
        flight.join()
        self._flight = flight
        try:
            answer = await asyncio.shield(flight.future)
        except workflow.Cancelled:
            return  # every client went away
        finally:
            if self._flight is flight:
                self._flight = None
                flight.leave()
        await flight.turn()
        self._answer = answer
        self.set_header("Content-Type", "application/json")
        self.finish(answer.body)

    _answer: Answer | None = None

    def compute_etag(self) -> str | None:
        """A shared answer's tag was computed with it, once."""
        if self._answer is not None:
            return self._answer.etag
        return super().compute_etag()

    _flight: Flight | None = None

    def on_connection_close(self) -> None:
        """The client went away. Shared work stops once no client waits for it any more.
        Other work runs to its end: writes, commits and the badge change files and must
        not stop half-way (each is short); a preview stops its resolution check (see
        PreviewHandler); the build check and kernel listing end within their subprocess
        timeouts."""
        flight, self._flight = self._flight, None
        if flight is not None:
            flight.leave()
        super().on_connection_close()

    def parse(self, fn, /, *args, **kwargs):
        """Build a request; a bad value is a 400 (or 403/404 for paths) with the reason."""
        try:
            return fn(*args, **kwargs)
        except workflow.WorkflowError as exc:
            raise tornado.web.HTTPError(status_of(exc), str(exc)) from exc

    def folder(self, path: Any) -> workflow.Folder:
        if not isinstance(path, str):
            raise tornado.web.HTTPError(400, "'path' must be a string")
        return self.parse(workflow.locate, self.root_dir, path, allow_hidden=self.allow_hidden)

    def reply(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(workflow.to_json(data)))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # APIHandler already answers JSON {"message": ...}; keep the reason as the message.
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], tornado.web.HTTPError) and exc_info[1].log_message:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": exc_info[1].log_message, "status": status_code}))
            return
        super().write_error(status_code, **kwargs)


def _string(body: dict[str, Any], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        raise tornado.web.HTTPError(400, f"'{key}' must be a string")
    return value


def _strings(body: dict[str, Any], key: str) -> tuple[str, ...]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tornado.web.HTTPError(400, f"'{key}' must be a list of strings")
    return tuple(value)


class ProposalHandler(ReesHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = {k: self.get_query_argument(k, None) for k in ("path", "pin", "kernel", "overrides")}
        # The server's root, options and cache are part of what was asked (tests run
        # several servers in one process).
        asked = ("proposal", self.rees, self.cache, self.root_dir, self.allow_hidden, tuple(args.items()))
        flight = ASKED.get(asked)
        if flight is not None:  # checked, and being answered, for an identical request
            await self.wait_for(flight)
            return
        request = self.propose_request({k: v for k, v in args.items() if v is not None})
        key = ("proposal", str(request.folder.path), repr(request))
        flight = self.flight(key, workflow.propose, request, cache=self.cache)
        flight.alias(asked)
        await self.wait_for(flight)

    def propose_request(self, args: dict[str, Any]) -> workflow.ProposeRequest:
        """The proposal's parameters (query arguments, or a JSON body for a scan job)."""
        overrides = args.get("overrides", "")
        if isinstance(overrides, dict):
            overrides = json.dumps(overrides)
        if not isinstance(overrides, str):
            raise tornado.web.HTTPError(400, "'overrides' must map import names to distribution names")
        settings = workflow.Settings.from_rees(self.rees)
        arg = functools.partial(_string, args)
        return self.parse(
            workflow.ProposeRequest,
            self.folder(args.get("path", "")),
            pin=arg("pin", settings.pin),
            kernel=arg("kernel", "") or None,
            python=settings.python,
            overrides={**settings.overrides, **self.parse(workflow.parse_overrides, overrides)},
            check_index=settings.check_index,
            index_url=settings.index_url,
            timeout=settings.timeout,
            max_bytes=settings.max_bytes,
        )


class KernelsHandler(ReesHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply({"kernels": await self.run(workflow.kernels)})


class ReesBodyHandler(ReesHandler):
    """The reviewed rows of a POST body as a ReesRequest."""

    def rees_request(self, *, resolve: bool = False) -> tuple[workflow.ReesRequest, dict[str, Any]]:
        """``resolve``: run the resolution check (preview), as c.Rees.resolve_before_write says."""
        body = self.body()
        folder = self.folder(body.get("path", ""))
        return self.parse(
            workflow.ReesRequest,
            folder,
            self.parse(workflow.reviewed_rows, body.get("requirements")),
            _string(body, "python_version"),
            format=_string(body, "format", "requirements"),
            target=_string(body, "target", "binder"),
            remove=_strings(body, "remove"),
            resolve=resolve and bool(self.rees.resolve_before_write),
            hold=_strings(body, "hold"),
            force=_strings(body, "force"),
        ), body


class PreviewHandler(ReesBodyHandler):
    _stop: threading.Event | None = None

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request, _body = self.rees_request(resolve=True)
        self._stop = threading.Event()
        try:
            plan = await self.run(workflow.plan, request, cancel=self._stop)
        except workflow.Cancelled:
            return  # the client went away: nobody to answer
        self.reply(plan)

    def on_connection_close(self) -> None:
        """The client went away: the preview's resolution check stops its resolver, which
        could otherwise hold one of the extension's workers for up to ten minutes."""
        if self._stop is not None:
            self._stop.set()
        super().on_connection_close()


class WriteHandler(ReesBodyHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request, body = self.rees_request()
        self.reply(await self.run(workflow.apply, request, body.get("expected", {})))


class BuildCheckHandler(ReesBodyHandler):
    """POST the preview's body: what repo2docker would build from it (nothing written)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request, _body = self.rees_request()
        self.reply(await self.run(workflow.check_build, request))


class CommitHandler(ReesHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body()
        request = self.parse(
            workflow.CommitRequest,
            self.folder(body.get("path", "")),
            _strings(body, "files"),
            _string(body, "message", workflow.DEFAULT_MESSAGE),
        )
        self.reply(await self.run(workflow.commit, request))


class BadgeHandler(ReesHandler):
    """GET: the link, snippets and README preview; POST: insert the badge into the README."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        arg = self.get_query_argument
        request = self.parse(
            workflow.BadgeRequest,
            self.folder(arg("path", "")),
            remote=arg("remote", "") or None,
            ref=arg("ref", "") or None,
            notebook=arg("notebook", "") or None,
            mode=arg("mode", "") or "lab",
            doi=arg("doi", "") or None,
            provider=arg("provider", "") or None,
            env_repo=arg("env_repo", "") or None,
            env_ref=arg("env_ref", "") or "HEAD",
        )
        self.reply(await self.run(workflow.badge, request))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body()
        readme = body.get("readme") or None
        if readme is not None and not isinstance(readme, str):
            raise tornado.web.HTTPError(400, "'readme' must be a string")
        request = self.parse(
            workflow.WriteBadgeRequest,
            self.folder(body.get("path", "")),
            _string(body, "link"),
            expected=body.get("expected") or {},
            readme=readme,
            binderhubs=tuple(self.rees.binderhubs),
        )
        self.reply(await self.run(workflow.write_badge, request))


# ----------------------------------------------------------------------------- jobs


class JobStarter(ReesHandler):
    """POST starts a background job: 202 {job} at once; GET jobs/<id> follows it."""

    def start(self, kind: str, work) -> None:
        job = self.parse(self.jobs.submit, kind, work)
        self.set_status(202)
        self.reply({"job": job.to_json()})


class ScanJobHandler(JobStarter, ProposalHandler):
    """The proposal as a job: its result is exactly what GET proposal answers."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.propose_request(self.body())
        cache = self.cache

        def work(progress, cancel):
            return workflow.to_json(workflow.propose(request, cache=cache, progress=progress, cancel=cancel))

        self.start("scan", work)


class VerifyJobHandler(JobStarter):
    """Rebuild the folder's REES and check its notebooks: {path, run, timeout (per cell),
    total_timeout}."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body()
        run = body.get("run", False)
        if not isinstance(run, bool):
            raise tornado.web.HTTPError(400, "'run' must be true or false")
        settings = workflow.Settings.from_rees(self.rees)
        request = self.parse(
            workflow.VerifyRequest,
            self.folder(body.get("path", "")),
            run=run,
            cell_timeout=body.get("timeout", 300),
            total_timeout=body.get("total_timeout", 1800),
            python=settings.python,
            max_bytes=settings.max_bytes,
        )
        cache = self.cache

        def work(progress, cancel):
            verification = workflow.verify(request, cache=cache, progress=progress, cancel=cancel)
            return workflow.verification_json(request.folder, verification)

        self.start("verify", work)


class JobHandler(ReesHandler):
    """GET: a job's state, progress and result; DELETE: cancel it (answers once it
    stopped, or after a few seconds with ``cancelling``)."""

    def job(self, job_id: str) -> Any:
        job = self.jobs.get(job_id)
        if job is None:
            raise tornado.web.HTTPError(404, f"no job {job_id} (finished jobs are kept {self.jobs.keep:.0f} s)")
        return job

    @tornado.web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.reply_job(self.job(job_id))

    def reply_job(self, job: Any) -> None:
        """A finished job's answer was encoded once, in its own thread; a running job's
        is small (its progress)."""
        if job.answer is None:
            self.reply(job.to_json())
            return
        self.set_header("Content-Type", "application/json")
        self.finish(job.answer)

    @tornado.web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        job = self.job(job_id)
        job.cancel.set()
        for _ in range(100):
            if job.finished.is_set():
                break
            await asyncio.sleep(0.1)
        self.reply_job(job)


ROUTES = [
    ("proposal", ProposalHandler),
    ("kernels", KernelsHandler),
    ("preview", PreviewHandler),
    ("write", WriteHandler),
    ("check-build", BuildCheckHandler),
    ("badge", BadgeHandler),
    ("commit", CommitHandler),
    ("scan", ScanJobHandler),
    ("verify", VerifyJobHandler),
    (r"jobs/(?P<job_id>[0-9a-f]{32})", JobHandler),
]


def setup_handlers(web_app, server_app=None) -> None:
    host_pattern = ".*$"
    base_url = web_app.settings["base_url"]
    rees = Rees(parent=server_app) if server_app is not None else Rees()
    init = {"rees": rees, "cache": workflow.scan_cache(), "jobs": workflow.background_jobs()}
    handlers = [
        (url_path_join(base_url, NAMESPACE, name), handler, init) for name, handler in ROUTES
    ]
    web_app.add_handlers(host_pattern, handlers)
