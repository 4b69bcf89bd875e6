"""What one ``jupyter rees`` run learns and the next one can reuse, kept in the user's
cache folder (``$XDG_CACHE_HOME/jupyter-rees-ui``, else ``~/.cache/jupyter-rees-ui``).

Each entry is one file named after its key, holding the key and a value of plain data
(``marshal``, which builds values and never runs anything). Entries are written to a temporary file
and renamed into place, so concurrent runs only ever read whole entries (the last writer
wins); each kind of entry is bounded in count and bytes, least recently used first out.
Every failure (a read-only home, a full disk, a damaged file) only means no cache.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the layout of stored values changes


def cache_folder() -> Path:
    """Where entries live: ``$XDG_CACHE_HOME/jupyter-rees-ui`` or ``~/.cache/jupyter-rees-ui``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "jupyter-rees-ui")


class Store:
    """Entries of one kind (``scans``, ``environments``) under the cache folder.

    ``max_entries`` and ``max_bytes`` bound the kind; a value larger than a quarter of
    ``max_bytes`` is not kept at all.
    """

    def __init__(self, kind: str, *, max_entries: int, max_bytes: int, folder: Path | None = None):
        # marshal's format may change between Python versions: one folder per version.
        version = "py{}.{}-m{}".format(*sys.version_info[:2], marshal.version)
        self.folder = (folder or cache_folder()) / version / kind
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        data = key.encode("utf-8", "surrogateescape")
        digest = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"
        return self.folder / f"{digest}.bin"

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None (no entry, another key's, damaged)."""
        path = self.path(key)
        try:
            with open(path, "rb") as handle:
                stored = marshal.load(handle)
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
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            _replace(self.path(key), data)
        except OSError:
            return False
        self.prune()
        return True

    def prune(self) -> None:
        """Drop the least recently used entries beyond the bounds."""
        try:
            entries = []
            with os.scandir(self.folder) as found:
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
        for path in self.folder.glob("*.bin"):
            try:
                path.unlink()
            except OSError:
                pass


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, renamed over it."""
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
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


class StoredScans:
    """A folder's per-file scans kept in a ``Store`` between runs: loaded into a
    ``ScanCache`` before a scan, saved after it when something was read or removed.

    The entries are those the ``ScanCache`` keeps: a file's scan with the size and mtime
    it was read at (never a file read within ``RACY_NS`` of its mtime), so a stored
    scan is reused exactly when the server's in-memory cache would reuse it.
    """

    def __init__(self, root: str | os.PathLike[str], *, all_syntax: bool = False, store: Store | None = None):
        self.base = os.fspath(root)
        self.real_root = os.path.realpath(root)
        self.store = store if store is not None else scan_store()
        # Scans that parsed every cell report more syntax errors: kept apart, so that
        # a run's output never depends on which command ran before it.
        self.all_syntax = all_syntax
        self.key = f"{self.real_root}\0{scanner_version()}\0{'all cells' if all_syntax else 'import cells'}"
        self.packed: dict[str, tuple[Any, ...]] = {}  # relative path -> stored tuple
        self.reads = 0

    def load_into(self, cache: Any) -> int:
        """Put the stored scans into ``cache``; the number of files they cover."""
        from .files import _Entry, _unpack

        stored = self.store.get(self.key)
        if not isinstance(stored, dict):
            return 0
        self.reads = cache.reads
        entries = {}
        import gc

        collecting = gc.isenabled()
        gc.disable()  # tens of thousands of small objects: no point in tracing them now
        try:
            for relative, value in stored.items():
                try:
                    size, mtime_ns, all_syntax, packed = value
                    if all_syntax != self.all_syntax:
                        continue
                    entries[os.path.join(self.base, relative)] = _Entry(size, mtime_ns, _unpack(packed), all_syntax)
                except (TypeError, ValueError):
                    continue  # damaged or from another layout: read that file again
                self.packed[relative] = value
        finally:
            if collecting:
                gc.enable()
        cache._entries.update(entries)
        return len(entries)

    def save_from(self, cache: Any) -> bool:
        """Store the cache's scans of the folder's current files, when they differ from
        what was loaded (a file read, added or removed)."""
        from .files import _pack

        listing = cache.last_listing(self.real_root)
        if cache.reads == self.reads and set(listing) == set(self.packed):
            return False  # nothing read, nothing gone: the stored entry is current
        value = {}
        for relative in listing:
            entry = cache._entries.get(os.path.join(self.base, relative))
            if entry is None or entry.all_syntax != self.all_syntax:
                continue  # racy, unreadable, not a scanned file, or parsed otherwise: not kept
            packed = self.packed.get(relative)
            if packed is None or packed[:3] != (entry.size, entry.mtime_ns, entry.all_syntax):
                packed = (entry.size, entry.mtime_ns, entry.all_syntax, _pack(entry.scan))
            value[relative] = packed
        return self.store.put(self.key, value)
