"""A command's answer remembered with everything it was computed from, so that running
it again on an unchanged folder prints the same answer without scanning or resolving.

This is the pre-commit case: ``jupyter rees check .`` on every commit, most commits
touching no notebook. The answer (what the command printed and its exit code) is kept
in the user's cache folder under the command line, and reused only while all of these
are as they were:

* the command line, the working directory and the variables that choose interpreters
  and kernelspecs (PATH, PYTHONPATH, JUPYTER_PATH, ...);
* this package's code (its version and every module's size and mtime);
* the folder's listing and each listed file's size and mtime (no file modified within
  ``RACY_NS`` of the run, as for the scan cache);
* the environments that gave the pins (their site folders' mtimes and listings) and
  the kernelspecs looked up (what each answers now);
* for ``check``, the entries of the folder, ``binder/`` and ``.binder/`` (the REES
  files' sizes and mtimes among them);
* the Jupyter config files that may hold ``c.Rees`` settings (their sizes and mtimes).

Anything else (a network check, a write) is never remembered.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from ..core.vocabulary import BINDER_DIRS
from .jupyter_config import FOLDER_VARIABLES
from .store import Store

VARIABLES = (
    "PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH",
    "JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_PREFER_ENV_PATH",
    "JUPYTER_PLATFORM_DIRS", "IPYTHONDIR", "HOME", "CONDA_PREFIX", "VIRTUAL_ENV",
)
REES_DIRS = (*BINDER_DIRS, ".")
PROGRESS = "\r\x1b[K"  # the CLI's progress line on a terminal: shown, not kept


def answer_store() -> Store:
    return Store("answers", max_entries=256, max_bytes=128 << 20)


def code_version() -> str:
    """The package's version and every module's and data file's size and mtime."""
    from .. import __version__

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = [__version__, sys.executable]
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "labextension"))
        for name in sorted(names):
            if name.endswith((".py", ".json", ".txt", ".toml")):
                info = os.stat(os.path.join(folder, name))
                parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


def folder_state(root: str, started_ns: int | None = None, listing: Any = None) -> tuple[int, int, bool]:
    """(number of files, checksum of their paths, sizes and mtimes, whether a file was
    modified within ``RACY_NS`` before ``started_ns`` or since). ``listing``: the
    folder's ``files.take_listing``, else it is taken now."""
    from .listing import RACY_NS, take_listing

    if listing is None:
        listing = take_listing(root)
    now = listing.started_ns if started_ns is None else started_ns
    checksum = 0
    racy = False
    stats = listing.stats
    for relative in listing.files:
        info = stats.get(relative)
        if info is None:
            line = f"{relative}\0-"
        else:
            line = f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_mode}"
            racy = racy or info.st_mtime_ns >= now - RACY_NS
        checksum = zlib.crc32(line.encode("utf-8", "surrogateescape") + b"\n", checksum)
    return len(listing.files), checksum, racy


def rees_state(root: str) -> tuple[int, ...]:
    """A checksum of what a check reads to find the REES: the entries (names, sizes,
    mtimes) of the folder, of ``binder/`` and of ``.binder/`` (-1: no such folder)."""
    found = []
    for folder in REES_DIRS:
        checksum = 0
        try:
            with os.scandir(os.path.join(root, folder)) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    info = entry.stat(follow_symlinks=True) if not entry.is_dir() else None
                    line = f"{entry.name}\0{info.st_size if info else 'dir'}\0{info.st_mtime_ns if info else ''}\n"
                    checksum = zlib.crc32(line.encode("utf-8", "surrogateescape"), checksum)
        except OSError:
            checksum = -1
        found.append(checksum)
    return tuple(found)


class RememberedAnswer:
    """The remembered answer of one command line in one folder."""

    def __init__(self, argv: Sequence[str], folder: str, *, reads_rees: bool = False, store: Store | None = None):
        self.folder = folder
        self.reads_rees = reads_rees
        self.listing: Any = None  # files.Listing of the folder, once taken
        self.before: tuple[Any, ...] | None = None
        self.store = store if store is not None else answer_store()
        self.key = command_line_key(argv)
        self.entry: Any = None  # what the store holds under the key, once read

    @classmethod
    def of_command_line(cls, argv: Sequence[str], store: Store | None = None) -> RememberedAnswer | None:
        """The answer remembered for this very command line (in this working directory,
        with these variables and this code), before the command line is even parsed: a
        command line is remembered only once it parsed as a command that may be, and the
        same words parse the same way. None when there is none."""
        store = store if store is not None else answer_store()
        entry = store.get(command_line_key(argv))
        if not (isinstance(entry, tuple) and len(entry) == 7 and _command(entry[6])):
            return None
        folder, _real, reads_rees = entry[6]
        answer = cls(argv, folder, reads_rees=reads_rees, store=store)
        answer.entry = entry
        return answer

    def _inputs(self, folders: Any = None) -> tuple[Any, ...]:
        """What the answer depends on in the folder, as it is now. The folder's listing
        is kept (``self.listing``): the command run next scans those very files.
        ``folders``: the Jupyter config folders, when known (see ``replay``)."""
        from .listing import take_listing

        self.listing = take_listing(self.folder)
        count, checksum, racy = folder_state(self.folder, listing=self.listing)
        rees = rees_state(self.folder) if self.reads_rees else ()
        from .jupyter_config import config_state

        return count, checksum, racy, rees, config_state(folders)

    def replay(self) -> int | None:
        """Print the remembered answer and return its exit code; None when there is
        none or something it depended on changed.

        The Jupyter folders (config files, kernelspecs) are those the answer was
        recorded with: they follow from the variables and the interpreter in the key,
        so an unchanged answer is checked without importing jupyter_core."""
        stored = self.entry if self.entry is not None else self.store.get(self.key)
        if not (
            isinstance(stored, tuple)
            and len(stored) == 7
            and _folders(stored[5])
            and stored[6] == (self.folder, os.path.realpath(self.folder), self.reads_rees)
        ):
            self.before = self._inputs()  # first of all, before anything is read
            return None
        inputs, environments, kernels, printed, code, (configs, kernel_folders), _command_ = stored
        self.before = self._inputs(configs)
        if not isinstance(code, int) or inputs != self.before:
            return None
        from .environment import environment_unchanged, kernel_lookup

        try:
            if not all(kernel_lookup(name, kernel_folders) == answer for name, answer in kernels):
                return None
            if not all(environment_unchanged(stamp) for stamp in environments):
                return None
        except (TypeError, ValueError):
            return None
        for where, text in printed:  # in the order it was printed, stdout and stderr
            stream = sys.stdout if where == 1 else sys.stderr
            stream.write(text)
            stream.flush()
        return code

    def record(self, command: Callable[[], int]) -> int:
        """Run ``command``, printing as it goes, and remember its answer under the
        folder's state from before it ran (that of ``replay()`` when it was called).

        The state is taken before the command reads anything, so a file edited while
        it runs has another size or mtime (or is racy, and nothing is remembered): the
        answer is then never replayed, as the folder no longer matches what it was
        remembered under."""
        from . import environment
        from .jupyter_config import config_dirs, kernel_dirs

        environment.environments_read.clear()  # what this command reads, from here on
        environment.kernels_looked_up.clear()
        before, self.before = self.before, None  # the state of replay(), used once
        if before is None:
            before = self._inputs()
        printed: list[tuple[int, str]] = []
        out, err = _Tee(sys.stdout, 1, printed), _Tee(sys.stderr, 2, printed)
        sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
        try:
            code = command()
        finally:
            sys.stdout, sys.stderr = out.stream, err.stream
        if not before[2]:  # nothing racy
            self.store.put(
                self.key,
                (
                    before,
                    tuple(environment.environments_read.values()),
                    tuple(sorted(environment.kernels_looked_up.items())),
                    tuple(printed),
                    code,
                    (tuple(config_dirs()), tuple(kernel_dirs())),
                    (self.folder, os.path.realpath(self.folder), self.reads_rees),
                ),
            )
        return code


def command_line_key(argv: Sequence[str]) -> str:
    """What a remembered answer is kept under: the command line, the working directory,
    the variables that choose interpreters, kernelspecs and Jupyter's folders, and this
    package's code. The folder it names is kept in the answer (and compared, symbolic
    links resolved, before it is replayed)."""
    return "\0".join(
        [
            "\x1f".join(argv),
            os.getcwd(),
            *(f"{name}={os.environ.get(name, '')}" for name in (*VARIABLES, *FOLDER_VARIABLES)),
            code_version(),
        ]
    )


def _command(value: Any) -> bool:
    """Whether ``value`` is the (folder, its real path, reads the REES) an answer keeps."""
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], str)
        and isinstance(value[2], bool)
    )


def _folders(value: Any) -> bool:
    """Whether ``value`` is the (config folders, kernelspec folders) an answer keeps."""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(group, tuple) and all(isinstance(f, str) for f in group) for group in value)
    )


class _Tee:
    """A text stream that writes through and keeps a copy."""

    def __init__(self, stream: Any, number: int, printed: list[tuple[int, str]]):
        self.stream, self.number, self.printed = stream, number, printed

    def write(self, text: str) -> int:
        if text and not text.startswith(PROGRESS):
            if self.printed and self.printed[-1][0] == self.number:
                self.printed[-1] = (self.number, self.printed[-1][1] + text)
            else:
                self.printed.append((self.number, text))
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
