"""What one ``jupyter rees`` run learns and the next one can reuse, kept in the user's
cache folder (``$XDG_CACHE_HOME/jupyter-rees-ui``, else ``~/.cache/jupyter-rees-ui``).

Each entry is one file named after its key, holding the key and a value of plain data
(``marshal``, which builds values and never runs anything). Entries are written to a temporary file
and renamed into place, so concurrent runs only ever read whole entries (the last writer
wins); each kind of entry is bounded in count and bytes, least recently used first out.
Every failure (a read-only home, a full disk, a damaged file) only means no cache.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import marshal
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a replayed answer reads its entry without importing pathlib
    from pathlib import Path

FORMAT = 1  # bump when the layout of stored values changes


def cache_folder() -> Path:
    """Where entries live: ``$XDG_CACHE_HOME/jupyter-rees-ui`` or ``~/.cache/jupyter-rees-ui``."""
    from pathlib import Path

    return Path(_cache_folder())


def _cache_folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jupyter-rees-ui")


class Store:
    """Entries of one kind (``scans``, ``environments``) under the cache folder.

    ``max_entries`` and ``max_bytes`` bound the kind; a value larger than a quarter of
    ``max_bytes`` is not kept at all.
    """

    def __init__(self, kind: str, *, max_entries: int, max_bytes: int, folder: str | Path | None = None):
        # marshal's format may change between Python versions: one folder per version.
        version = "py{}.{}-m{}".format(*sys.version_info[:2], marshal.version)
        self.where = os.path.join(os.fspath(folder) if folder is not None else _cache_folder(), version, kind)
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    @property
    def folder(self) -> Path:
        """The entries' folder."""
        from pathlib import Path

        return Path(self.where)

    def path(self, key: str) -> Path:
        """The file of the entry under ``key``."""
        from pathlib import Path

        return Path(self._file(key))

    def _file(self, key: str) -> str:
        data = key.encode("utf-8", "surrogateescape")
        digest = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"
        return os.path.join(self.where, f"{digest}.bin")

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None (no entry, another key's, damaged)."""
        path = self._file(key)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            # One read, then loads: marshal.load on a file reads object by object. The
            # collector is paused: a load builds tens of thousands of tuples at once.
            with _collector_paused():
                stored = marshal.loads(data)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not (isinstance(stored, tuple) and len(stored) == 3 and stored[:2] == (FORMAT, key)):
            return None  # another key with the same digest, or an older layout
        try:
            os.utime(path)  # recently used: pruned last
        except OSError:
            pass
        return stored[2]

    def put(self, key: str, value: Any) -> bool:
        """Store ``value`` (plain data: tuples, lists, dicts, str, int, float, bool,
        None, bytes) under ``key``; False when it was not kept."""
        try:
            data = marshal.dumps((FORMAT, key, value))
        except ValueError:
            return False  # not plain data
        if len(data) > self.max_bytes // 4:
            return False
        try:
            os.makedirs(self.where, mode=0o700, exist_ok=True)
            _replace(self._file(key), data)
        except OSError:
            return False
        self.prune()
        return True

    def prune(self) -> None:
        """Drop the least recently used entries beyond the bounds."""
        try:
            entries = []
            with os.scandir(self.where) as found:
                for entry in found:
                    if entry.name.endswith(".bin"):
                        stat = entry.stat()
                        entries.append((stat.st_mtime_ns, stat.st_size, entry.path))
        except OSError:
            return
        entries.sort(reverse=True)  # newest first
        total = 0
        for count, (_mtime, size, path) in enumerate(entries, 1):
            total += size
            if count > self.max_entries or total > self.max_bytes:
                try:
                    os.unlink(path)
                except OSError:
                    pass

    def clear(self) -> None:
        try:
            names = [n for n in os.listdir(self.where) if n.endswith(".bin")]
        except OSError:
            return
        for name in names:
            try:
                os.unlink(os.path.join(self.where, name))
            except OSError:
                pass


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while plain data is built (it holds no cycles)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _replace(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, renamed over it."""
    handle, temporary = _temporary_beside(path)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _temporary_beside(path: str) -> tuple[int, str]:
    """A new file (mode 0600, opened for writing) in the folder of ``path``, named after
    it, this process and a counter: what ``tempfile.mkstemp`` gives, without importing
    tempfile (shutil, random, bz2, lzma: about 3 ms of a first run)."""
    folder, name = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(1000):
        temporary = os.path.join(folder, f".{name}.{os.getpid()}.{attempt}.tmp")
        try:
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:
            continue  # left by an earlier process of the same number, or another thread's
    raise FileExistsError(errno.EEXIST, "no free temporary name", path)


def stamp(paths: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """``(path, mtime_ns)`` of each path (-1 when it is missing): what a cached answer
    depended on, compared again before it is reused."""
    found = []
    for path in paths:
        try:
            found.append((path, os.stat(path).st_mtime_ns))
        except OSError:
            found.append((path, -1))
    return tuple(found)


# ---------------------------------------------------------------------------- scans

# The modules whose code decides what a scan finds: a stored scan is reused only by the
# same code (the package's version and these files' size and mtime).
SCANNER_MODULES = ("core/scan.py", "core/implicit.py", "core/stdlib.py", "core/model.py", "adapters/files.py")


def scan_store() -> Store:
    """The scans kept between runs, one entry per scanned folder."""
    return Store("scans", max_entries=64, max_bytes=512 << 20)


def scanner_version() -> str:
    import importlib.util

    from .. import __version__

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = [__version__, "jupytext" if importlib.util.find_spec("jupytext") else "-"]
    for module in SCANNER_MODULES:
        try:
            info = os.stat(os.path.join(package, module))
            parts.append(f"{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            parts.append("?")
    return " ".join(parts)


# Standard-library modules of every Python the scanner knows (2.6 to 3.14; a test checks
# them against each version's list): whatever the kernel's Python, a folder's scan drops
# their imports, so a stored scan leaves them out and a re-run never rebuilds them.
EVERY_STDLIB = frozenset(
    """
    abc array ast base64 bisect calendar codecs collections contextlib copy csv datetime
    decimal dis email fnmatch fractions functools gc getpass glob gzip hashlib heapq
    inspect io itertools json locale logging math operator os pdb pickle platform pprint
    random re select shutil signal socket sqlite3 ssl string struct subprocess sys tarfile
    tempfile textwrap threading time timeit traceback types unittest urllib uuid warnings
    weakref xml zipfile zlib
    """.split()
)
SCAN_LAYOUT = 2  # bump when the stored form of a scan changes


class StoredScans:
    """A folder's per-file scans kept in a ``Store`` between runs, as one entry: loaded
    into a ``ScanCache`` before a scan, saved after it when a file was read or removed.

    The entry maps each file (relative path) to ``(size, mtime_ns, scan)``, the scan
    marshalled on its own (``files._pack``, without ``EVERY_STDLIB`` imports): a re-run
    loads it in one read, stats the files, reads only those whose size or mtime
    changed, and writes the entry back copying the other files' bytes as they are. The
    scanner's version is part of the key. The files are those the ``ScanCache`` keeps:
    never one read within ``RACY_NS`` of its mtime, so a stored scan is reused exactly
    when the server's in-memory cache would reuse it.
    """

    def __init__(self, root: str | os.PathLike[str], *, all_syntax: bool = False, store: Store | None = None):
        self.base = os.fspath(root)
        self.real_root = os.path.realpath(root)
        self.store = store if store is not None else scan_store()
        # Scans that parsed every cell report more syntax errors: kept apart, so that
        # a run's output never depends on which command ran before it.
        self.all_syntax = all_syntax
        self.key = "\0".join(
            [self.real_root, scanner_version(), f"layout {SCAN_LAYOUT}", "all cells" if all_syntax else "import cells"]
        )
        self.stored: dict[str, tuple[int, int, bytes]] = {}  # relative path -> what is stored
        self.reads = 0

    def load_into(self, cache: Any) -> int:
        """Put the stored scans into ``cache``; the number of files they cover."""
        from .files import _Entry, _joining, _unpack

        cache.stored_form = stored_form  # its readers make the forms save_from will write
        stored = self.store.get(self.key)
        if not isinstance(stored, dict):
            return 0
        self.reads = cache.reads
        prefix = _joining(self.base)
        loads = marshal.loads
        entries = {}
        with _collector_paused():  # tens of thousands of small objects: nothing to trace
            for relative, value in stored.items():
                try:
                    size, mtime_ns, blob = value
                    scan = _unpack(loads(blob))
                    entries[prefix + relative] = _Entry(size, mtime_ns, scan, self.all_syntax)
                except (TypeError, ValueError, EOFError, IndexError, AttributeError):
                    continue  # damaged or from another layout: read that file again
                self.stored[relative] = value
        cache._entries.update(entries)
        return len(entries)

    def save_from(self, cache: Any) -> bool:
        """Store the cache's scans of the folder's current files, when they differ from
        what was loaded (a file read, added or removed)."""
        from .files import _joining

        listing = cache.last_listing(self.real_root)
        if cache.reads == self.reads and set(listing) == set(self.stored):
            return False  # nothing read, nothing gone: the stored entry is current
        prefix = _joining(self.base)
        value = {}
        for relative in listing:
            entry = cache._entries.get(prefix + relative)
            if entry is None or entry.all_syntax != self.all_syntax:
                continue  # racy, unreadable, not a scanned file, or parsed otherwise: not kept
            kept = self.stored.get(relative)
            if kept is None or kept[:2] != (entry.size, entry.mtime_ns):
                form = entry.form if entry.form is not None else _stored_form(entry.scan)
                kept = (entry.size, entry.mtime_ns, form)
            value[relative] = kept
        return self.store.put(self.key, value)


def _stored_form(scan: Any) -> bytes:
    """A file's scan as stored: ``files._pack`` without the imports of ``EVERY_STDLIB``."""
    from .files import _pack

    return stored_form(_pack(scan))


def stored_form(packed: tuple[Any, ...] | None) -> bytes:
    """``_stored_form`` of a scan already packed (``files._pack``)."""
    if packed is None:
        return marshal.dumps(None)
    imports = tuple(site for site in packed[1] if site[0].partition(".")[0] not in EVERY_STDLIB)
    return marshal.dumps((packed[0], imports, *packed[2:]))
