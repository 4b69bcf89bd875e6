"""Files read and parsed in separate processes, for a long-running server.

A server's scan would otherwise parse notebooks in one of its threads, holding the
interpreter lock that its event loop needs: every other request (even
``/api/status``) then waits. Here one or two long-lived reader processes (started on
first use, at most ``count`` of them, a core left to the server) read batches of files and send back each file's scan
as plain tuples; the server keeps its cache.

The readers are ordinary child processes running this module (``python -c``): not
forked from the server (forking a process that has threads can deadlock the child), and
not started through ``multiprocessing`` (whose children import the server's main module
again). Batches and answers travel as pickles over the child's stdin and stdout
(``multiprocessing.connection.Connection``). A reader that has been idle for
``IDLE_S`` seconds exits; the next scan starts another.

Every per-file protection of ``files.read_and_scan`` holds in the reader (only regular
files opened, size limit, per-file problems). A reader that dies while reading a batch
(a crash in a parser, the out-of-memory killer) costs no scan: its files are read again
one by one in fresh readers, and a file that ends a reader again is reported as that
file's problem.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from . import process

IDLE_S = 600.0  # a reader idle this long exits (its memory goes back to the system)
BATCH_FILES = 32  # at most this many files per batch (cancellation is checked between batches)
POLL_S = 0.1  # how often a waiting scan looks at its cancel event

#: (path, relative path, parse every cell) of one file to read
Job = tuple[str, str, bool]
#: a file's scan as ``files._pack`` makes it (None: a Markdown file that is no notebook)
Packed = Any

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_CHILD = (
    "import sys; sys.path.insert(0, {parent!r}); "
    "from jupyter_rees_ui.adapters.readers import serve; serve()"
)


class ReaderGone(Exception):
    """A reader process ended before answering."""


class _Reader:
    """One reader process and the two ends of its pipes."""

    def __init__(self) -> None:
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        try:
            self.process = process.start(
                [sys.executable, "-c", _CHILD.format(parent=_PACKAGE_PARENT)],
                stdin=to_child,
                stdout=from_child,
                close_fds=True,
            )
        except BaseException:
            for fd in (to_child, from_parent, to_parent, from_child):
                os.close(fd)
            raise
        os.close(to_child)
        os.close(from_child)
        self.send = Connection(from_parent, readable=False)
        self.answers = Connection(to_parent, writable=False)

    def alive(self) -> bool:
        return self.process.poll() is None

    def read(self, batch: Sequence[Job]) -> None:
        """Hand a batch over (``answer`` collects it)."""
        try:
            self.send.send(list(batch))
        except OSError as error:  # the reader exited (idle) or died
            raise ReaderGone(str(error)) from error

    def answer(self) -> list[Packed]:
        try:
            return self.answers.recv()
        except (EOFError, OSError) as error:
            raise ReaderGone(str(error)) from error

    def answer_unless(self, cancel: threading.Event | None, cancelled: type[Exception]) -> list[Packed]:
        """``answer()``, waited for in steps: ``cancelled`` is raised once ``cancel``
        is set (the caller stops this reader)."""
        while not self.answers.poll(POLL_S):
            if cancel is not None and cancel.is_set():
                raise cancelled("scan cancelled")
        return self.answer()

    def exit_code(self) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.process.wait(timeout=5)
        return None

    def stop(self) -> None:
        for end in (self.send, self.answers):
            with contextlib.suppress(OSError):
                end.close()
        process.stop(self.process)


class ReaderProcesses:
    """At most ``count`` reader processes shared by every scan of a server (a scan uses
    as many as are free, at least one, and waits for one when all are busy)."""

    def __init__(self, count: int | None = None) -> None:
        # One core is left to the server itself (its event loop and the proposal's own
        # work): one reader on two cores, two from three cores on.
        self.count = max(1, count if count is not None else min(2, (os.cpu_count() or 1) - 1))
        self._slots = threading.BoundedSemaphore(self.count)
        self._idle: list[_Reader] = []
        self._lock = threading.Lock()
        self.started = 0  # reader processes started so far (tests count them)

    # -- readers ------------------------------------------------------------------

    def _take(self) -> _Reader:
        """An idle reader, else a new one (the caller holds a slot)."""
        with self._lock:
            while self._idle:
                reader = self._idle.pop()
                if reader.alive():
                    return reader
                reader.stop()
        reader = _Reader()
        with self._lock:
            self.started += 1
        return reader

    def _give_back(self, reader: _Reader) -> None:
        with self._lock:
            self._idle.append(reader)
        self._slots.release()

    def _discard(self, reader: _Reader) -> None:
        reader.stop()
        self._slots.release()

    def _acquire(self, wanted: int, cancel: threading.Event | None, cancelled: type[Exception]) -> int:
        """Slots for up to ``wanted`` readers: waits for the first (watching ``cancel``),
        takes the others only if free."""
        while not self._slots.acquire(timeout=POLL_S):
            if cancel is not None and cancel.is_set():
                raise cancelled("scan cancelled")
        got = 1
        while got < wanted and self._slots.acquire(blocking=False):
            got += 1
        return got

    def close(self) -> None:
        """Stop the idle readers (busy ones are stopped by their scans)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for reader in idle:
            reader.stop()

    # -- reading ------------------------------------------------------------------

    def read(
        self,
        jobs: Sequence[Job],
        *,
        cancel: threading.Event | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: type[Exception] = RuntimeError,
        gone: Callable[[str, int | None], Packed] | None = None,
    ) -> list[Packed]:
        """Each job's packed scan, in order. Raises ``cancelled`` once ``cancel`` is set
        (the readers busy with this scan are stopped); ``progress(done, total)`` after
        each batch; ``gone(relative, exit_code)`` is the packed problem of a file that
        ended a reader twice. OSError when no reader process can be started."""
        if not jobs:
            return []
        size = max(1, min(BATCH_FILES, -(-len(jobs) // (self.count * 4))))
        batches = deque((i, jobs[i : i + size]) for i in range(0, len(jobs), size))
        results: list[Packed] = [None] * len(jobs)
        slots = self._acquire(len(batches), cancel, cancelled)  # one per busy reader
        busy: dict[Connection, tuple[_Reader, int, Sequence[Job]]] = {}
        done = 0
        try:
            while slots and batches:
                slots -= 1
                self._start_next(batches, busy)
            while busy:
                if cancel is not None and cancel.is_set():
                    raise cancelled("scan cancelled")
                for connection in wait(list(busy), timeout=POLL_S):
                    reader: _Reader | None
                    reader, start, batch = busy.pop(connection)  # type: ignore[index]
                    try:
                        answer = reader.answer()
                    except ReaderGone:
                        code = reader.exit_code()
                        reader.stop()
                        reader = None
                        try:
                            answer = self._one_by_one(batch, code, gone, cancel, cancelled)
                        except BaseException:
                            self._slots.release()
                            raise
                    results[start : start + len(batch)] = answer
                    done += len(batch)
                    if progress is not None:
                        progress(done, len(jobs))
                    if batches:
                        self._start_next(batches, busy, reader)
                    elif reader is not None:
                        self._give_back(reader)
                    else:
                        self._slots.release()
        finally:
            for reader, _start, _batch in busy.values():
                self._discard(reader)  # cancelled or failed: its half-read batch is dropped
            for _ in range(slots):
                self._slots.release()
        return results

    def _start_next(
        self,
        batches: deque[tuple[int, Sequence[Job]]],
        busy: dict[Connection, tuple[_Reader, int, Sequence[Job]]],
        reader: _Reader | None = None,
    ) -> None:
        """Hand the next batch to ``reader`` (else a taken one); a reader that exited
        while idle is replaced once. The caller's slot goes with the reader."""
        start, batch = batches.popleft()
        for attempt in range(2):
            if reader is None:
                try:
                    reader = self._take()
                except BaseException:
                    batches.appendleft((start, batch))
                    self._slots.release()
                    raise
            try:
                reader.read(batch)
            except ReaderGone:
                reader.stop()
                reader = None
                if attempt == 0:
                    continue
                batches.appendleft((start, batch))
                self._slots.release()
                raise OSError("a reader process could not be started") from None
            busy[reader.answers] = (reader, start, batch)
            return

    def _one_by_one(
        self,
        batch: Sequence[Job],
        code: int | None,
        gone: Callable[[str, int | None], Packed] | None,
        cancel: threading.Event | None = None,
        cancelled: type[Exception] = RuntimeError,
    ) -> list[Packed]:
        """A batch whose reader ended: each file again in its own request, so that only
        a file that ends a reader again becomes a problem (of that file). Runs in the
        slot of the reader that ended; the last reader is left idle. Once ``cancel`` is
        set, ``cancelled`` is raised and the reader is stopped."""
        answers: list[Packed] = []
        reader: _Reader | None = None
        try:
            for job in batch:
                for attempt in range(2):
                    if reader is None:
                        reader = self._take()
                    try:
                        reader.read([job])
                        answers += reader.answer_unless(cancel, cancelled)
                        break
                    except ReaderGone:
                        code = reader.exit_code()
                        reader.stop()
                        reader = None
                        if attempt == 1:
                            answers.append(gone(job[1], code) if gone is not None else None)
        except BaseException:
            if reader is not None:
                reader.stop()  # maybe busy with a file: not for another scan
                reader = None
            raise
        finally:
            if reader is not None:
                with self._lock:
                    self._idle.append(reader)
        return answers


def serve() -> None:
    """A reader process: read batches from stdin, answer each on stdout, until stdin
    closes or nothing came for ``IDLE_S`` seconds."""
    from .files import _read_batch

    requests = Connection(os.dup(0), writable=False)
    answers = Connection(os.dup(1), readable=False)
    # Nothing else may write into the answer pipe: stray prints go to stderr.
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    while requests.poll(IDLE_S):
        try:
            batch = requests.recv()
        except (EOFError, OSError):
            return
        try:
            answers.send(_read_batch(batch))
        except OSError:
            return


__all__ = ["IDLE_S", "ReaderGone", "ReaderProcesses", "serve"]
