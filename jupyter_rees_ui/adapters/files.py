"""Scan a folder of notebooks and Python files: which files, read how, cached how.

The parsing itself is pure (``core.scan``); this module walks the tree, applies the
skip rules (hidden folders, virtual environments, build outputs, ``.gitignore`` when
the folder is in a git repository), reads each file and remembers the result per file
by ``(size, mtime)`` so a re-scan only re-reads what changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import gc
import json
import marshal
import mmap
import os
import posixpath
import subprocess
import sys
import threading
import time
import tokenize
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG, S_ISSOCK
from typing import Any, BinaryIO

from . import process
from .listing import (  # the folder's listing; kept here under these names for callers
    ENVIRONMENT_MARKERS,
    GIT_TIMEOUT,
    RACY_NS,
    SCANNED_SUFFIXES,
    SKIPPED_DIRS,
    Listing,
    _finish_listing,
    _git_files,
    _joining,
    _start_git_listing,
    _walk_files,
    list_files,
    take_listing,
)
from ..core import model
from ..core.implicit import ImplicitTrigger
from ..core.model import ImportSite, InstallHint, Location, ScanIssue, ScanResult
from ..core.scan import CodeScan, merge_scans, scan_code, scan_notebook_code



@functools.lru_cache(maxsize=None)
def _notebook_reader() -> tuple[Any, Any] | None:
    """(msgspec, the notebook type it decodes) -- a fast reader that skips outputs
    without building them -- or None without msgspec (json is the fallback). Imported
    on first use: a run that reads no notebook (every scan remembered) goes without."""
    try:
        import msgspec
    except ImportError:  # pragma: no cover
        return None

    # Built from real types: string annotations here could not name a local class.
    cell = msgspec.defstruct("Cell", [("cell_type", str, ""), ("source", str | list[str], "")])
    notebook = msgspec.defstruct(
        "Notebook",
        [
            ("cells", list[cell], msgspec.field(default_factory=list)),  # type: ignore[valid-type]
            ("metadata", dict[str, Any], msgspec.field(default_factory=dict)),
            ("nbformat", int, 4),
        ],
    )
    return msgspec, notebook

#: ``progress(phase, done, total, message)``, as long-running work reports it
Progress = Callable[[str, int, int, str], None]


Cancelled = model.Cancelled  # raised between files once the caller's cancel event is set


MYST_MARKER = "{code-cell}"
MMAP_BYTES = 1 << 20  # notebooks from this size on are read through mmap
PARALLEL_MIN_FILES = 400  # below this, starting processes costs more than it saves
MAX_FILE_BYTES = 256 << 20  # larger files are reported, not read (c.Rees.max_file_size)
PARALLEL_MIN_FORKED = 100  # the same when workers are forked: they start in a millisecond


@dataclass(frozen=True)
class _Entry:
    size: int
    mtime_ns: int
    scan: CodeScan  # standard-library imports included: one read serves every target Python
    all_syntax: bool = False  # every code cell was parsed (not only those that can import)
    form: bytes | None = None  # the scan as a StoredScans keeps it, when its reader made it

    def serves(self, size: int, mtime_ns: int, all_syntax: bool) -> bool:
        """Whether this result stands for the file as stat'ed now, as fully parsed as asked."""
        return self.size == size and self.mtime_ns == mtime_ns and (self.all_syntax or not all_syntax)




#: A server's scan cache keeps at most this many files' results (a few KB each), and
#: the listings of this many folders.
MAX_CACHED_FILES = 50_000
MAX_LISTINGS = 64


class ScanCache:
    """Per-file scan results keyed by absolute path, valid while (size, mtime) match.

    Safe to share between threads (a server runs scans in an executor). ``reads``
    counts the files actually read and parsed, which tests and benchmarks use to check
    that a warm re-scan re-reads only what changed.
    """

    def __init__(self, max_entries: int = MAX_CACHED_FILES, readers: Any = None) -> None:
        self._entries: dict[str, _Entry] = {}
        # Where files missing from the cache are read: a server's reader processes
        # (``readers.ReaderProcesses``), which keep the parsing off its interpreter
        # lock; None: in the scanning thread (or ``workers`` processes).
        self.readers = readers
        self._lock = threading.Lock()
        self.reads = 0
        self.max_entries = max_entries  # the oldest results are forgotten beyond this
        # Local module names of the last listing: recomputed only when the listing changes.
        self._layout: tuple[tuple[str, ...], LocalNames] | None = None
        self._listings: dict[str, tuple[str, ...]] = {}  # folder -> its last listing
        # How a StoredScans that will save this cache's scans stores one (packed scan ->
        # bytes), set by it: processes that read files then also make each scan's stored
        # form, in parallel (``_Entry.form``).
        self.stored_form: Callable[[tuple[Any, ...] | None], bytes] | None = None

    def last_listing(self, folder: str) -> tuple[str, ...]:
        return self._listings.get(folder, ())

    def remember_listing(self, folder: str, files: tuple[str, ...]) -> None:
        self._listings.pop(folder, None)
        self._listings[folder] = files
        while len(self._listings) > MAX_LISTINGS:
            del self._listings[next(iter(self._listings))]

    def local_names(self, files: tuple[str, ...]) -> LocalNames:
        layout = self._layout
        if layout is not None and layout[0] == files:
            return layout[1]
        names = LocalNames.of(files)
        self._layout = (files, names)
        return names

    def put(
        self, path: str, size: int, mtime_ns: int, scan: CodeScan, read_at_ns: int, *, all_syntax: bool = False,
        form: bytes | None = None,
    ) -> None:
        """Remember a result; ``read_at_ns`` is the wall-clock time just before the stat;
        ``form``: its stored form, when already made."""
        with self._lock:
            self.reads += 1
            if mtime_ns < read_at_ns - RACY_NS:
                self._entries.pop(path, None)  # re-inserted last: the newest entry
                self._entries[path] = _Entry(size, mtime_ns, scan, all_syntax, form)
                while len(self._entries) > self.max_entries:  # bounded: the oldest go first
                    del self._entries[next(iter(self._entries))]
            else:
                self._entries.pop(path, None)

    def forget(self, keep: Iterable[str]) -> None:
        """Drop entries under no longer listed paths (call with the live paths)."""
        alive = set(keep)
        with self._lock:
            for path in [p for p in self._entries if p not in alive]:
                del self._entries[path]

    def __len__(self) -> int:
        return len(self._entries)


def scan_folder(
    root: str | Path,
    *,
    target_python: str | None = None,
    cache: ScanCache | None = None,
    workers: int | None = 1,
    all_syntax: bool = False,
    max_bytes: int | None = MAX_FILE_BYTES,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    listing: Listing | None = None,
    meanwhile: Callable[[list[CodeScan | None]], None] | None = None,
) -> ScanResult:
    """Scan every notebook, Python file and text notebook under ``root``.

    ``imports`` leave out the standard library of ``target_python`` (the running
    Python when None), ``__future__``, relative imports and modules that live in the
    tree (those are listed in ``local_modules``). Paths are relative to ``root``.

    Files not in ``cache`` are read in ``workers`` processes when there are at least
    ``PARALLEL_MIN_FILES`` of them (None: one per CPU; 1, the default: in this process).
    Workers are forked from a single-threaded process and started by a forkserver
    otherwise, so a script that asks for them needs the usual
    ``if __name__ == "__main__":`` guard.

    Code that cannot hold an import is not parsed; ``all_syntax`` parses every code cell
    and file, so that each syntax error is reported (about twice the work).

    Only regular files are read: a FIFO, device or socket (or a link to one), a link
    that loops, dangles or leaves the folder, and a file over ``max_bytes`` (None: no
    limit) are each reported as a problem of that file, and the scan goes on.

    ``progress("scanning", done, total, path)`` is called as files are read, and
    ``Cancelled`` is raised between files once ``cancel`` is set.

    ``listing`` (``take_listing`` of this folder, taken just before) is used instead of
    listing the folder again.

    ``meanwhile(scans)`` lets the caller prepare what follows the scan while worker
    processes read: it is called with ``[]`` as soon as they have the files (else before
    the files are read here), then with the scans of each batch as it comes back. It
    must not raise.
    """
    root_path = Path(root)
    base = os.fspath(root_path)
    real_root = os.path.realpath(root_path)
    early: Mapping[str, os.stat_result] = {}
    if listing is not None and listing.root == real_root:
        read_at_ns = listing.started_ns  # before its stats: the racy check holds
        files = listing.files
        early = listing.stats
        told = listing.notes
    else:
        read_at_ns = time.time_ns()  # before any stat: the earlier, the safer for the racy check
        git = _start_git_listing(root_path)
        # While git lists, stat what the last scan of this folder listed (a re-scan's files).
        if git is not None and cache is not None:
            stats: dict[str, os.stat_result] = {}
            for relative in cache.last_listing(real_root):
                with contextlib.suppress(OSError):
                    stats[relative] = os.lstat(os.path.join(base, relative))
            early = stats
        messages: list[str] = []
        files = tuple(_finish_listing(root_path, git, messages))
        told = tuple(messages)
    if cache is not None:
        cache.remember_listing(real_root, files)
    slots: list[CodeScan | None] = [None] * len(files)
    pending: list[tuple[str, str, int, int, int]] = []  # path, relative, size, mtime, slot
    entries = cache._entries if cache is not None else {}  # read without the lock: dict reads are atomic
    prefix = _joining(base)
    for slot, relative in enumerate(files):
        path = prefix + relative
        stat, problem = _stat_for_reading(path, real_root, early.get(relative), max_bytes)
        if problem is not None:
            kind = "other" if problem.endswith(_OUTSIDE) else "unreadable"
            slots[slot] = CodeScan(relative, issues=(ScanIssue(Location(relative), kind, problem),))
            continue
        if stat is None:
            continue  # vanished since listing
        entry = entries.get(path)
        if entry is not None and entry.serves(stat.st_size, stat.st_mtime_ns, all_syntax):
            slots[slot] = entry.scan
        else:
            pending.append((path, relative, stat.st_size, stat.st_mtime_ns, slot))
    if cancel is not None and cancel.is_set():
        raise Cancelled("scan cancelled")
    readers = cache.readers if cache is not None else None
    stored_form = cache.stored_form if cache is not None else None
    forms: dict[str, bytes] | None = {} if stored_form is not None else None
    read = _read_all(
        pending, workers, all_syntax, progress=progress, cancel=cancel, readers=readers, meanwhile=meanwhile,
        forms=(forms, stored_form) if forms is not None else None,
    )
    for (path, _, size, mtime_ns, slot), scan in zip(pending, read, strict=True):
        slots[slot] = scan
        if cache is not None and scan is not None:
            cache.put(path, size, mtime_ns, scan, read_at_ns, all_syntax=all_syntax, form=forms.get(path) if forms else None)
    scans = [scan for scan in slots if scan is not None]
    names = cache.local_names(files) if cache is not None else LocalNames.of(files)
    local = local_modules_by_file(names, scans, root=root_path)
    issues = [
        ScanIssue(location, "other", f"sys.path entry {entry!r} is outside the scanned folder")
        for scan in scans
        for location, entry in scan.path_entries
        if _inside(posixpath.dirname(scan.path), entry, root_path) is None
    ]
    merged = merge_scans(
        str(root), scans, local_modules=local, issues=issues, target_python=target_python,
        tree_modules=tree_modules(files),
    )
    if told:  # the listing's own notes (git timed out, the folder was walked)
        merged = dataclasses.replace(merged, notes=tuple(model.Note(m, code="listing") for m in told))
    return merged


def _stat_for_reading(
    path: str, real_root: str, early: os.stat_result | None, max_bytes: int | None
) -> tuple[os.stat_result | None, str | None]:
    """(the stat of a listed file, None) when it may be read; (None, why not) when it
    must be reported instead; (None, None) when it vanished since the listing."""
    try:
        stat = early or os.lstat(path)
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as error:
        return None, f"cannot be examined: {_os_reason(error)}"
    if S_ISLNK(stat.st_mode):
        try:
            target = os.path.realpath(path, strict=True)
        except FileNotFoundError:
            return None, "a symbolic link to nothing (dangling): not read"
        except OSError as error:
            if error.errno == errno.ELOOP:
                return None, "a symbolic link loop: not read"
            return None, f"a symbolic link that cannot be followed: {_os_reason(error)}"
        if os.path.commonpath([target, real_root]) != real_root:
            return None, "a symbolic link to a file " + _OUTSIDE
        try:
            stat = os.stat(path)
        except OSError as error:
            return None, f"a symbolic link that cannot be followed: {_os_reason(error)}"
    if not S_ISREG(stat.st_mode):
        return None, f"not a regular file ({_file_kind(stat.st_mode)}): not read"
    if max_bytes is not None and stat.st_size > max_bytes:
        return None, f"{_megabytes(stat.st_size)} is over the size limit of {_megabytes(max_bytes)}: not read"
    return stat, None


_OUTSIDE = "outside the scanned folder: not read"


def _file_kind(mode: int) -> str:
    for test, kind in (
        (S_ISFIFO, "a named pipe"),
        (S_ISSOCK, "a socket"),
        (S_ISCHR, "a character device"),
        (S_ISBLK, "a block device"),
        (S_ISDIR, "a folder"),
    ):
        if test(mode):
            return kind
    return "not a plain file"


def _megabytes(size: int) -> str:
    if size < 1 << 10:
        return f"{size} bytes"
    if size < 1 << 20:
        return f"{size / (1 << 10):.1f} KB"
    return f"{size / (1 << 20):.1f} MB"


def _os_reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


# ---------------------------------------------------------------------------- reading


def _read_all(
    pending: list[tuple[str, str, int, int, int]],
    workers: int | None,
    all_syntax: bool = False,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    readers: Any = None,
    meanwhile: Callable[[list[CodeScan | None]], None] | None = None,
    forms: tuple[dict[str, bytes], Callable[[tuple[Any, ...] | None], bytes]] | None = None,
) -> list[CodeScan | None]:
    """Read and scan files: in ``readers`` (a server's reader processes) when given, else
    in parallel processes when there are many, else here. ``forms``: (a dict, a function
    making a packed scan's stored form): forked children make the forms, the dict hears
    them by path."""
    if readers is not None and pending:
        try:
            read = _read_in_readers(readers, pending, all_syntax, progress=progress, cancel=cancel)
        except OSError:
            pass  # no process to be had here: read them in this one
        else:
            if meanwhile is not None:
                meanwhile([])
                meanwhile(read)
            return read
    count = workers if workers is not None else (os.cpu_count() or 1)
    if len(pending) < min(PARALLEL_MIN_FILES, PARALLEL_MIN_FORKED):
        count = 1  # too few to share out: multiprocessing is not even imported
    forked = count > 1 and _start_method(_start_methods()) == "fork"
    minimum = min(PARALLEL_MIN_FILES, PARALLEL_MIN_FORKED) if forked else PARALLEL_MIN_FILES
    if count > 1 and len(pending) >= minimum:
        try:
            watched = {"progress": progress, "cancel": cancel} if progress or cancel else {}
            if meanwhile is not None:
                watched["meanwhile"] = meanwhile
            if forms is not None:
                watched["forms"] = forms
            return _read_in_processes(pending, count, all_syntax, **watched)
        except (OSError, RuntimeError):  # a BrokenProcessPool is a RuntimeError
            pass  # no processes to be had here: read them in this one
    if meanwhile is not None:
        meanwhile([])
        read = _read_all(pending, 1, all_syntax, progress=progress, cancel=cancel)
        meanwhile(read)
        return read
    if progress is None and cancel is None:
        with _collector_paused():
            return [read_and_scan(Path(path), relative, all_syntax=all_syntax) for path, relative, *_ in pending]
    read: list[CodeScan | None] = []
    total = len(pending)
    with _collector_paused():
        for done, (path, relative, *_) in enumerate(pending):
            if cancel is not None and cancel.is_set():
                raise Cancelled("scan cancelled")
            if progress is not None:
                progress("scanning", done, total, relative)
            read.append(read_and_scan(Path(path), relative, all_syntax=all_syntax))
    if progress is not None:
        progress("scanning", total, total, "")
    return read


def _read_in_readers(
    readers: Any,
    pending: list[tuple[str, str, int, int, int]],
    all_syntax: bool,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[CodeScan | None]:
    total = len(pending)
    if progress is not None:
        progress("scanning", 0, total, "")
    packed = readers.read(
        [(path, relative, all_syntax) for path, relative, *_ in pending],
        cancel=cancel,
        progress=(lambda done, total: progress("scanning", done, total, "")) if progress is not None else None,
        cancelled=Cancelled,
        gone=_ended_its_reader,
    )
    return [_unpack(scan) for scan in packed]


def _ended_its_reader(relative: str, code: int | None) -> tuple[Any, ...] | None:
    """The problem of a file whose reading ended the reader process, twice."""
    how = f" (exit code {code})" if code is not None else ""
    message = f"reading it stopped the process that reads files{how}: not read"
    return _pack(CodeScan(relative, issues=(_unreadable(relative, message),)))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while files are parsed.

    Every parse builds thousands of AST nodes that live just long enough to be promoted
    to the old generation, which then triggers full collections over everything alive:
    that doubled the cold scan of 3,000 notebooks. Reference counting still frees the
    trees; the collector is back on (if it was on) as soon as the files are read.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _read_in_processes(
    pending: list[tuple[str, str, int, int, int]],
    count: int,
    all_syntax: bool = False,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    meanwhile: Callable[[list[CodeScan | None]], None] | None = None,
    forms: tuple[dict[str, bytes], Callable[[tuple[Any, ...] | None], bytes]] | None = None,
) -> list[CodeScan | None]:
    _notebook_reader()  # imported once here, not in every worker
    batch = max(16, len(pending) // (count * 8))
    jobs = [
        [(path, relative, all_syntax) for path, relative, *_ in pending[i : i + batch]]
        for i in range(0, len(pending), batch)
    ]
    method = _start_method(_start_methods())
    if method == "fork":
        return _read_in_forks(
            jobs, count, len(pending), progress=progress, cancel=cancel, meanwhile=meanwhile, forms=forms
        )
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        chunks = pool.map(_read_batch, jobs)  # every job handed out: the workers are reading
        if meanwhile is not None:
            meanwhile([])
        if progress is None and cancel is None and meanwhile is None:
            return [_unpack(packed) for chunk in chunks for packed in chunk]
        read: list[CodeScan | None] = []
        for chunk in chunks:
            if cancel is not None and cancel.is_set():
                pool.shutdown(wait=False, cancel_futures=True)
                raise Cancelled("scan cancelled")
            scans = [_unpack(packed) for packed in chunk]
            read += scans
            if meanwhile is not None:
                meanwhile(scans)
            if progress is not None:
                progress("scanning", len(read), len(pending), "")
        return read


def _start_methods() -> list[str]:
    """``multiprocessing.get_all_start_methods()``; on Linux without importing
    multiprocessing (and concurrent.futures), which a forked read does not use: there
    it lists these three (a test holds the two together)."""
    if sys.platform.startswith("linux") and hasattr(os, "fork"):
        return list(LINUX_START_METHODS)
    import multiprocessing

    return multiprocessing.get_all_start_methods()


LINUX_START_METHODS = ("fork", "spawn", "forkserver")


def _read_in_forks(
    jobs: list[list[tuple[str, str, bool]]],
    count: int,
    total: int,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    meanwhile: Callable[[list[CodeScan | None]], None] | None = None,
    forms: tuple[dict[str, bytes], Callable[[tuple[Any, ...] | None], bytes]] | None = None,
) -> list[CodeScan | None]:
    """Read ``jobs`` (batches of files) in ``count`` forked children, from a process
    with no other thread (the command line). With ``forms`` (a dict, the function that
    makes a packed scan's stored form), the children also make each scan's stored form,
    which the dict receives by path.

    Forked children start with everything this process has imported and with the
    jobs in their memory, so nothing is sent to them but a job's number: all numbers
    are written at once into one pipe, from which each child takes the next one when
    it is free. Each sends back its batches' packed scans, framed, through its own
    pipe. No process pool (multiprocessing and concurrent.futures cost a first run
    about 9 ms to import, before the first file is read). Batches are taken in
    order, as a pool's ``map`` gives them; one that no child sent back (a child that
    ended early) is read here."""
    import selectors

    tickets, ticket_writer = os.pipe()
    children: dict[int, int] = {}  # reading end of a child's pipe -> its pid
    try:
        for _ in range(count):
            reader, writer = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(reader)
                os.close(writer)
                raise
            if pid == 0:  # the child: never returns into the caller's code
                code = 1
                try:
                    for unused in (ticket_writer, reader, *children):
                        os.close(unused)
                    _serve_jobs(jobs, tickets, writer, forms[1] if forms is not None else None)
                    code = 0
                finally:
                    os._exit(code)
            os.close(writer)
            children[reader] = pid
        # every number at once; the children take them as they come
        os.write(ticket_writer, b"".join(index.to_bytes(4, "little") for index in range(len(jobs))))
    except BaseException:
        _stop_children(children)
        raise
    finally:
        os.close(ticket_writer)
        os.close(tickets)
    packed: list[list[tuple[Any, ...] | None] | None] = [None] * len(jobs)
    read: list[CodeScan | None] = []
    done = 0  # batches handed on, in order
    watched = progress is not None or cancel is not None or meanwhile is not None
    finished = False
    selector = selectors.DefaultSelector()
    try:
        if meanwhile is not None:
            meanwhile([])
        pending = {reader: bytearray() for reader in children}
        for reader in children:
            selector.register(reader, selectors.EVENT_READ)
        while pending:
            for key, _ in selector.select(0.05 if cancel is not None else None):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fd)
                    del pending[key.fd]
                    continue
                buffer = pending[key.fd]
                buffer += chunk
                while len(buffer) >= 8:
                    size = int.from_bytes(buffer[:8], "little")
                    if len(buffer) < 8 + size:
                        break
                    index, batch, made = marshal.loads(bytes(buffer[8 : 8 + size]))
                    packed[index] = batch
                    if made is not None and forms is not None:
                        forms[0].update(zip((path for path, _, _ in jobs[index]), made))
                    del buffer[: 8 + size]
            if cancel is not None and cancel.is_set():
                raise Cancelled("scan cancelled")
            if watched:
                while done < len(jobs) and packed[done] is not None:
                    scans = [_unpack(p) for p in packed[done]]  # type: ignore[union-attr]
                    read += scans
                    done += 1
                    if meanwhile is not None:
                        meanwhile(scans)
                    if progress is not None:
                        progress("scanning", len(read), total, "")
        finished = True
    finally:
        selector.close()
        _stop_children(children, kill=not finished)
    for index in range(done, len(jobs)):
        batch = packed[index]
        if batch is None:  # its child ended before sending it back
            batch = _read_batch(jobs[index])
        scans = [_unpack(p) for p in batch]
        read += scans
        if meanwhile is not None:
            meanwhile(scans)
        if progress is not None:
            progress("scanning", len(read), total, "")
    return read


def _stop_children(children: dict[int, int], *, kill: bool = True) -> None:
    """Close the pipes from forked children and wait for them; killed first unless
    they finished their work (cancelled, or this process is failing)."""
    import signal

    for reader, pid in children.items():
        os.close(reader)
        if kill:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _serve_jobs(
    jobs: list[list[tuple[str, str, bool]]],
    tickets: int,
    out: int,
    stored_form: Callable[[tuple[Any, ...] | None], bytes] | None = None,
) -> None:
    """A forked child's work: take the next job number until none is left, send back
    ``(number, packed scans, their stored forms or None)`` as marshal data after its
    length."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        ticket = os.read(tickets, 4)
        if len(ticket) < 4:
            return
        index = int.from_bytes(ticket, "little")
        batch = _read_batch(jobs[index])
        made = [stored_form(p) for p in batch] if stored_form is not None else None
        data = marshal.dumps((index, batch, made))
        view = memoryview(len(data).to_bytes(8, "little") + data)
        while view:
            view = view[os.write(out, view) :]


def _start_method(available: list[str]) -> str:
    """How worker processes start. A single-threaded process (the command line) forks:
    its workers start in about a millisecond with everything already imported. Forking a
    process with other threads (a server, whose executor may hold locks) can deadlock the
    child, so there forkserver starts them, with this module preloaded; spawn elsewhere."""
    if "fork" in available and sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in available else "spawn"


def _read_batch(job: list[tuple[str, str, bool]]) -> list[tuple[Any, ...] | None]:
    with _collector_paused():
        return [_pack(read_and_scan(Path(path), relative, all_syntax=every)) for path, relative, every in job]


# Results cross the process boundary as plain tuples: unpickling thousands of frozen
# dataclasses costs the parent more than the parsing it handed out.


def _pack(scan: CodeScan | None) -> tuple[Any, ...] | None:
    if scan is None:
        return None

    def at(location: Location) -> tuple[str, int | None, int]:
        return (location.path, location.cell, location.line)

    return (
        scan.path,
        tuple((s.module, at(s.location), s.kind, s.alternatives, s.dynamic, s.names, s.marker) for s in scan.imports),
        tuple((h.requirement, h.name, at(h.location), h.manager) for h in scan.installs),
        tuple((at(i.location), i.kind, i.message) for i in scan.issues),
        tuple(sorted(scan.defined_modules)),
        tuple((at(location), entry) for location, entry in scan.path_entries),
        scan.kernel,
        scan.language,
        tuple((t.kind, t.name, at(t.location)) for t in scan.triggers),
    )


#: the fields ``_site`` fills, in the order of ``_pack``'s tuples (a test checks them)
SITE_FIELDS = ("module", "location", "kind", "alternatives", "dynamic", "names", "marker")
LOCATION_FIELDS = ("path", "cell", "line")


def _site(packed: tuple[Any, ...], _new: Any = object.__new__) -> ImportSite:
    """An ImportSite from its packed tuple. Import sites are most of a folder's scan
    (tens of thousands): built by filling the frozen instances' fields directly, as
    unpickling does, rather than through ``__init__``, which sets each field with a
    call to ``object.__setattr__``."""
    module, at, kind, alternatives, dynamic, names, marker = packed
    location = _new(Location)
    location.__dict__.update(path=at[0], cell=at[1], line=at[2])
    site = _new(ImportSite)
    site.__dict__.update(
        module=module, location=location, kind=kind, alternatives=alternatives, dynamic=dynamic, names=names,
        marker=marker,
    )
    return site


def _unpack(packed: tuple[Any, ...] | None) -> CodeScan | None:
    if packed is None:
        return None
    path, imports, installs, issues, defined, entries, kernel, language, triggers = packed
    return CodeScan(
        path,
        tuple(map(_site, imports)),
        tuple(InstallHint(r, n, Location(*at), manager) for r, n, at, manager in installs),
        tuple(ScanIssue(Location(*at), kind, message) for at, kind, message in issues),
        frozenset(defined),
        tuple((Location(*at), entry) for at, entry in entries),
        kernel,
        language,
        tuple(ImplicitTrigger(kind, name, Location(*at)) for kind, name, at in triggers),
    )


def read_and_scan(path: Path, relative: str, *, all_syntax: bool = False) -> CodeScan | None:
    """Read one file and scan it, standard-library imports included (the folder scan
    drops them for its target Python); None for a Markdown file that is no MyST notebook.

    Any failure to read or parse this one file (not a regular file, too deeply nested
    JSON, out of memory, an OS error, undecodable text) is reported as its problem."""
    try:
        return _read_and_scan(path, relative, all_syntax)
    except RecursionError:
        return CodeScan(relative, issues=(_unreadable(relative, "nested too deeply to be read"),))
    except MemoryError:
        return CodeScan(relative, issues=(_unreadable(relative, "too large to be read in memory"),))
    except OSError as error:
        return CodeScan(relative, issues=(_unreadable(relative, _os_reason(error)),))
    except Exception as error:  # one file's surprise must not end the whole scan
        message = f"could not be read: {type(error).__name__}: {str(error)[:200]}"
        return CodeScan(relative, issues=(_unreadable(relative, message),))


def _read_and_scan(path: Path, relative: str, all_syntax: bool) -> CodeScan | None:
    if relative.endswith(".ipynb"):
        try:
            nb = read_notebook_file(path)
        except ValueError as error:
            return CodeScan(relative, issues=(_unreadable(relative, f"not a notebook: {error}"),))
        return scan_notebook_code(nb, relative, keep_stdlib=True, all_syntax=all_syntax)
    with open_regular(path) as handle:
        data = handle.read()
    text = _decode_source(data)
    if relative.endswith(".md"):
        if MYST_MARKER not in text:
            return None
        return _scan_text_notebook(text, relative, "md:myst", all_syntax)
    if _is_percent_script(text):
        return _scan_text_notebook(text, relative, "py:percent", all_syntax)
    return scan_code(text, relative, None, ipython=False, keep_stdlib=True, all_syntax=all_syntax)


def read_notebook_file(path: Path) -> Mapping[str, Any]:
    """``read_notebook_bytes`` of a file; a large file is mapped rather than copied, so
    megabytes of outputs cost one pass of the decoder over the page cache."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < MMAP_BYTES:
            return read_notebook_bytes(handle.read())
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return read_notebook_bytes(mapped)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file for reading only if it is a regular file. Opened without blocking
    (a FIFO swapped in after the stat would otherwise wait for a writer forever), then
    checked on the open descriptor; OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not S_ISREG(mode):
            raise OSError(errno.EINVAL, f"not a regular file ({_file_kind(mode)})")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_notebook_bytes(data: bytes | mmap.mmap) -> Mapping[str, Any]:
    """The parts of an .ipynb the scanner needs (cells' type and source, metadata,
    nbformat), without materialising outputs when msgspec is available.

    Raises ValueError when the bytes are not a JSON object.
    """
    reader = _notebook_reader()
    if reader is not None:
        msgspec, notebook_type = reader
        try:
            nb = msgspec.json.decode(data, type=notebook_type)
        except msgspec.ValidationError:
            nb = None  # valid JSON of an unexpected shape: read it plainly below
        except msgspec.DecodeError as error:
            raise ValueError(str(error)) from error
        if nb is not None and nb.nbformat >= 4:
            return {
                "nbformat": nb.nbformat,
                "metadata": nb.metadata,
                "cells": [{"cell_type": c.cell_type, "source": c.source} for c in nb.cells],
            }
    try:
        value = json.loads(data if isinstance(data, bytes) else bytes(data))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(str(error)) from error
    if not isinstance(value, dict):
        raise ValueError("the top level is not a JSON object")
    return value


def _decode_source(data: bytes) -> str:
    """Python source text, honouring a coding cookie; undecodable bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _is_percent_script(text: str) -> bool:
    return text.startswith("# %%") or "\n# %%" in text


def _scan_text_notebook(text: str, relative: str, fmt: str, all_syntax: bool = False) -> CodeScan:
    try:
        import jupytext
    except ImportError:
        if fmt.startswith("py"):
            return scan_code(text, relative, None, ipython=False, keep_stdlib=True, all_syntax=all_syntax)
        return CodeScan(relative, issues=(_unreadable(relative, "jupytext is needed to read MyST notebooks"),))
    try:
        nb = jupytext.reads(text, fmt=fmt)
    except Exception as error:  # jupytext raises many kinds on malformed text
        return CodeScan(relative, issues=(_unreadable(relative, f"cannot read as {fmt}: {error}"),))
    return scan_notebook_code(nb, relative, keep_stdlib=True, all_syntax=all_syntax)


def _unreadable(relative: str, message: str) -> ScanIssue:
    return ScanIssue(Location(relative), "unreadable", message)


# ---------------------------------------------------------------------------- local modules


def module_names_by_folder(files: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each folder (root-relative, ``""`` for the root), the top-level names that
    importing from there finds in the tree: ``x.py`` gives ``x``, and a folder holding
    Python files at any depth (a package, or a namespace package) gives its name."""
    names_at: dict[str, set[str]] = {}
    for relative in files:
        if not relative.endswith(".py"):
            continue
        parts = relative.split("/")
        for depth in range(len(parts)):
            folder = "/".join(parts[:depth])
            name = parts[depth]
            if depth == len(parts) - 1:
                name = name[:-3]
            if name.isidentifier():
                names_at.setdefault(folder, set()).add(name)
    return {folder: frozenset(names) for folder, names in names_at.items()}


def tree_modules(files: Iterable[str]) -> frozenset[str]:
    """Top-level names a module or a regular package (with ``__init__.py``) provides
    anywhere in the tree, in any folder: a notebook that imports one of them runs where
    its folder is on the path (a parent or sibling folder, ``%run``, a sys.path change
    the scan cannot read)."""
    found: set[str] = set()
    for relative in files:
        if not relative.endswith(".py"):
            continue
        parts = relative.split("/")
        name = parts[-1][:-3]
        if name == "__init__" and len(parts) > 1:
            name = parts[-2]
        if name.isidentifier() and name != "__init__":
            found.add(name)
    return frozenset(found)


@dataclass(frozen=True)
class LocalNames:
    """What a listing makes local: names importable from each folder (``by_folder``)
    and, for each listed file, those seen from its own folder, the root and ``src/``."""

    by_folder: Mapping[str, frozenset[str]]
    by_file: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, files: Iterable[str]) -> LocalNames:
        files = list(files)
        by_folder = module_names_by_folder(files)
        empty: frozenset[str] = frozenset()
        base = by_folder.get("", empty) | by_folder.get("src", empty)
        seen: dict[str, frozenset[str]] = {}
        by_file: dict[str, frozenset[str]] = {}
        for relative in files:
            folder = posixpath.dirname(relative)
            names = seen.get(folder)
            if names is None:
                names = seen[folder] = base | by_folder.get(folder, empty)
            by_file[relative] = names
        return cls(by_folder, by_file)


def local_modules_by_file(
    names: LocalNames, scans: Iterable[CodeScan], *, root: Path | None = None
) -> Mapping[str, frozenset[str]]:
    """For each scanned file, the top-level names importable from the tree: modules and
    packages at the root, in ``src/``, next to the file, and in its literal
    ``sys.path`` additions that stay inside the tree."""
    local: Mapping[str, frozenset[str]] = names.by_file
    widened: dict[str, frozenset[str]] = {}
    empty: frozenset[str] = frozenset()
    for scan in scans:
        if not scan.path_entries:
            continue
        folder = posixpath.dirname(scan.path)
        extra = local.get(scan.path, empty)
        for _, entry in scan.path_entries:
            inside = _inside(folder, entry, root)
            if inside is not None:
                extra = extra | names.by_folder.get(inside, empty)
        widened[scan.path] = extra
    return {**local, **widened} if widened else local


def _inside(folder: str, entry: str, root: Path | None) -> str | None:
    """A literal sys.path entry seen from ``folder`` (the notebook's working directory),
    as a root-relative folder, or None when it leaves the tree."""
    if not entry or entry.startswith("~"):
        return None
    if os.path.isabs(entry):
        if root is None:
            return None
        try:
            relative = Path(os.path.normpath(entry)).relative_to(Path(os.path.abspath(root)))
        except ValueError:
            return None
        return relative.as_posix() if relative.parts else ""
    entry = entry.replace("\\", "/")
    joined = posixpath.normpath(posixpath.join(folder, entry))
    if joined == ".":
        return ""
    if joined.startswith(".."):
        return None
    return joined
