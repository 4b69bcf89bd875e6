"""Preview and write REES files (and the README badge) under a folder.

A preview reads what is there, merges (core.rees), and returns one ``FileChange`` per
file with a unified diff and the sha256 of what was read. A write carries those hashes
and is refused with ``ConflictError`` (HTTP 409) when any file changed since; files are
replaced atomically (all staged as temporary files in their folders first, then each
swapped in with ``os.replace``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from ..core import binder, model, rees, review
from .files import open_regular
from .paths import PathRefused, inside

Status = Literal["create", "update", "unchanged", "delete"]

#: where the REES goes: the name a request uses -> the folder under the root
TARGETS = {**{t: t for t in model.TARGETS}, "root": ".", "": "."}

#: the only files ``preview(remove=...)`` deletes: the ones repo2docker may ignore
REMOVABLE = frozenset(model.values(model.ReesFileName))

README_NAMES = ("README.md", "README.rst", "README.markdown", "README.txt", "README", "README.html")


class PathError(ValueError):
    """A path that is not a plain relative path inside the folder (HTTP 400)."""


class ConflictError(Exception):
    """A file changed between preview and write (HTTP 409)."""

    status_code = 409

    def __init__(self, path: str, expected: str | None, actual: str | None, *, previewed: bool = True):
        self.path = path
        self.expected = expected
        self.actual = actual
        if not previewed:
            super().__init__(f"{path} was not previewed (or changed since); preview again before writing.")
            return
        if actual is None:
            what = "was deleted"
        elif expected is None:
            what = "was created"
        else:
            what = "was modified"
        super().__init__(f"{path} {what} since the preview; preview again before writing.")


@dataclass(frozen=True)
class FileChange:
    path: str  # POSIX, relative to the root
    old: str | None  # text on disk at preview time, None when absent
    new: str | None  # text after the merge, None for a deletion
    diff: str  # unified diff old -> new, "" when unchanged
    old_sha256: str | None  # sha256 of the bytes read, None when absent
    status: Status
    pins: tuple[rees.PinChange, ...] = ()  # requirements whose pin the change adds/changes/removes
    notes: tuple[rees.ReesNote, ...] = ()  # what the change means beyond the diff


class _FolderLock:
    """A lock that can be weakly referenced (a bare ``threading.Lock`` cannot)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()


_folder_locks: weakref.WeakValueDictionary[str, _FolderLock] = weakref.WeakValueDictionary()
_folder_locks_guard = threading.Lock()


@contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """Hold the one lock of ``root`` (by real path): "check the hashes, then write"
    done under it is atomic against every other write to the same folder in this
    process. Locks of folders nobody writes to any more are forgotten."""
    key = os.path.realpath(root)
    with _folder_locks_guard:
        holder = _folder_locks.get(key)
        if holder is None:
            holder = _folder_locks[key] = _FolderLock()
    with holder.lock:
        yield


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def resolve_inside(root: Path, relative: str) -> Path:
    """``root / relative`` through the one path guard (``paths.inside``): absolute paths,
    NUL bytes, ``..`` and symlinks that lead outside the root are refused."""
    if not isinstance(relative, str) or not relative:
        raise PathError(f"{relative!r} is not a file path.")
    try:
        return inside(root, relative, where="the folder")
    except PathRefused as exc:
        raise PathError(str(exc)) from exc


def check_expected(changes: Iterable[FileChange], expected: Mapping[str, str | None]) -> None:
    """The one hash check: every change that would alter a file must carry, in
    ``expected`` (relative path -> the ``old_sha256`` its preview returned, None for "did
    not exist"), the hash its preview read; else ``ConflictError`` (nothing is written)."""
    for change in changes:
        if change.status == "unchanged":
            continue
        if change.path not in expected:
            raise ConflictError(change.path, None, change.old_sha256, previewed=False)
        if expected[change.path] != change.old_sha256:
            raise ConflictError(change.path, expected[change.path], change.old_sha256)


def _target_dir(target: str) -> str:
    folder = TARGETS.get(target.strip("/") if isinstance(target, str) else target)
    if folder is None:
        raise PathError(f"target must be one of binder, .binder or . (the root), not {target!r}.")
    return folder


def _relative(folder: str, name: str) -> str:
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise PathError(f"{name!r} must be a file name inside the target folder.")
    return name if folder == "." else f"{folder}/{name}"


def _read(path: Path) -> tuple[str | None, str | None]:
    """(text, sha256) of a file, (None, None) when absent."""
    try:
        with open_regular(path) as handle:  # never a FIFO or device: those would block
            data = handle.read()
    except FileNotFoundError:
        return None, None
    except IsADirectoryError as err:
        raise PathError(f"{path.name} is a folder, not a file.") from err
    except NotADirectoryError as err:
        raise PathError(f"{path.parent.name} is a file, not a folder.") from err
    except OSError as err:
        raise PathError(f"{path.name} cannot be read: {err.strerror or err}") from err
    try:  # a byte-order mark is dropped (and so not written back)
        return data.decode("utf-8-sig"), sha256(data)
    except UnicodeDecodeError as err:
        raise PathError(f"{path.name} is not UTF-8 text; not touching it.") from err


def _change(relative: str, old: str | None, digest: str | None, new: str | None) -> FileChange:
    if new is None:
        status: Status = "delete" if old is not None else "unchanged"
    elif old is None:
        status = "create"
    else:
        status = "unchanged" if old == new else "update"
    if status == "unchanged":
        new = old
    return FileChange(
        relative,
        old,
        new,
        rees.unified_diff(relative, old, new),
        digest,
        status,
        pins=rees.pin_changes(old, new, name=relative),
        notes=rees.change_notes(relative, old, new),
    )


def _existing_spelling(root: Path, folder: str, name: str) -> str:
    """``environment.yaml`` when that is the file the folder already has (repo2docker
    reads either; merging into it beats creating a second one)."""
    if name == rees.ENVIRONMENT_YML:
        base = Path(root) if folder == "." else Path(root) / folder
        if not (base / name).exists() and (base / rees.ENVIRONMENT_YAML).is_file():
            return rees.ENVIRONMENT_YAML
    return name


def preview(
    root: Path,
    files: Mapping[str, str],
    *,
    target: str = "binder",
    drop: Iterable[str] = (),
    remove: Iterable[str] = (),
    left_out: Iterable[str] | None = None,
) -> list[FileChange]:
    """What writing ``files`` (file name -> generated text) into ``target`` would do:
    each merged with what exists. ``drop`` names requirements (rows the user excluded)
    to take out of existing files; ``remove`` lists configuration files to delete, as
    paths relative to the root (the ``paths`` of an ``ignored-file`` or ``root-hidden``
    note: the files Binder would not read). ``left_out`` (when given) is recorded as
    the ``# left out:`` line of the requirements file. Sorted by path."""
    folder = _target_dir(target)
    drop = tuple(drop)
    changes = {}
    for name in sorted(files):
        relative = _relative(folder, _existing_spelling(root, folder, name))
        old, digest = _read(resolve_inside(root, relative))
        new = rees.merge_rees_file(name, old, files[name], drop=drop)
        if left_out is not None and name != rees.RUNTIME_TXT:
            new = review.record_left_out(new, left_out)
        changes[relative] = _change(relative, old, digest, new)
    for path in sorted(set(remove)):
        relative = PurePosixPath(path.replace("\\", "/")).as_posix()
        if not removable(relative):
            raise PathError(
                f"{path[:80]!r} is not a configuration file this tool removes (only REES files "
                "at the root, in binder/ or in .binder/)."
            )
        if relative not in changes:
            old, digest = _read(resolve_inside(root, relative))
            changes[relative] = _change(relative, old, digest, None)
    return [changes[path] for path in sorted(changes)]


def _stage(path: Path, text: str) -> Path:
    """Write ``text`` to a new temporary file beside ``path`` (fsynced; the mode of the
    file it replaces, else what the umask gives) and return the temporary's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # os.open applies the umask to 0o666, as creating the file directly would
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write(
    root: Path,
    changes: Sequence[FileChange] | Mapping[str, str],
    expected: Mapping[str, str | None] | None = None,
    *,
    target: str = "binder",
    drop: Iterable[str] = (),
) -> list[FileChange]:
    """Write what a preview showed. Either the previewed ``FileChange`` list, or the
    generated files again with ``expected`` (relative path -> the ``old_sha256`` the
    preview returned, None for "did not exist"). Every file is checked before any is
    written; a mismatch raises ``ConflictError``. Returns the changes made."""
    if isinstance(changes, Mapping):
        if expected is None:
            raise TypeError("write(root, files, expected) needs the hashes from the preview")
        planned = preview(root, changes, target=target, drop=drop)
        check_expected(planned, expected)
    else:
        planned = list(changes)
        for change in planned:
            if change.new is None and not removable(change.path):
                raise PathError(f"{change.path!r} is not a configuration file this tool removes.")
            _old, digest = _read(resolve_inside(root, change.path))
            if digest != change.old_sha256:
                raise ConflictError(change.path, change.old_sha256, digest)
    done = [change for change in planned if change.status != "unchanged"]
    # every new text is staged first: a failure (disk full, permissions) leaves all
    # files as they were; then each is swapped in with an atomic rename
    staged: list[tuple[Path, Path]] = []
    try:
        for change in done:
            if change.new is not None:
                path = resolve_inside(root, change.path)
                staged.append((_stage(path, change.new), path))
    except BaseException:
        for temporary, _path in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in staged:
        os.replace(temporary, path)
    for change in done:
        if change.new is None:
            resolve_inside(root, change.path).unlink(missing_ok=True)
    return done


def layout(root: Path) -> dict[str, str | None]:
    """The files repo2docker looks at: the root's config files and everything directly
    in ``binder/`` and ``.binder/`` (POSIX paths -> text for runtime.txt, else None)."""
    base = Path(root)
    found: dict[str, str | None] = {}
    for name in rees.CONFIG_FILES:
        if (base / name).is_file():
            found[name] = None
    for folder in model.BINDER_DIRS:
        directory = base / folder
        if directory.is_dir() and not directory.is_symlink():
            for entry in sorted(directory.iterdir()):
                if entry.is_file():
                    found[f"{folder}/{entry.name}"] = None
    for path in list(found):
        if path.rsplit("/", 1)[-1] == rees.RUNTIME_TXT:
            try:
                found[path] = (base / path).read_text(encoding="utf-8")[:200]
            except (OSError, UnicodeDecodeError):
                found[path] = None
    return dict(sorted(found.items()))


def notes(
    root: Path, files: Iterable[str], *, target: str = "binder", python_version: str | None = None
) -> tuple[rees.ReesNote, ...]:
    """The layout notes (core.rees.check_layout) for writing ``files`` into ``target``."""
    return rees.check_layout(
        layout(root), files, target=_target_dir(target), python_version=python_version
    )


#: the folders whose REES files this tool writes, removes and commits
CONFIG_FOLDERS = ("", *model.BINDER_DIRS)


def removable(relative: str) -> bool:
    """Whether a path (relative to the project folder) is a REES file where Binder
    looks for one: at the root, in binder/ or in .binder/ (never elsewhere)."""
    folder, _, name = relative.rpartition("/")
    return folder in CONFIG_FOLDERS and name in REMOVABLE


def is_readme(name: str) -> bool:
    """A README text file name (README, README.md, README.rst…), never a notebook."""
    return name in README_NAMES


def unmanaged(root: Path, relative: str) -> str | None:
    """Why ``relative`` is not a file this tool manages, or None when it is: a REES
    file at the root, in binder/ or .binder/ that starts with our header (runtime.txt:
    one python-X.Y line) or that is gone (a removal), or a README holding our badge."""
    posix = PurePosixPath(relative.replace("\\", "/")).as_posix()
    if is_readme(posix):
        try:
            text, _digest = _read(resolve_inside(root, posix))
        except PathError as err:
            return f"cannot be read ({err})"
        if text is None:
            return "does not exist"
        if binder.MARKERS["markdown"][0] not in text and binder.MARKERS["rst"][0] not in text:
            return "holds no Binder badge written by this tool"
        return None
    if not removable(posix):
        return "is not a REES file in the project's root, binder/ or .binder/"
    try:
        text, _digest = _read(resolve_inside(root, posix))
    except PathError as err:
        return f"cannot be read ({err})"
    if text is None:
        return None  # a REES file removed: committing the removal
    name = posix.rpartition("/")[2]
    if name == rees.RUNTIME_TXT:
        return None if rees.is_python_runtime(text) else "is not a runtime.txt this tool writes"
    first = text.partition("\n")[0]
    if rees.HEADER_MARK not in first:
        return "was not written by this tool (no header line)"
    return None


def find_readme(root: Path) -> str | None:
    for name in README_NAMES:
        if (Path(root) / name).is_file():
            return name
    return None


def preview_badge(
    root: Path,
    link: binder.BinderLink | str,
    *,
    readme: str | None = None,
    fmt: str | None = None,
) -> FileChange:
    """The README change that puts the Binder badge between markers (creating
    README.md, or README.rst for ``fmt="rst"``, when there is none)."""
    name = readme or find_readme(root) or ("README.rst" if fmt == "rst" else "README.md")
    if "/" in name.strip("/"):
        raise PathError(f"{name!r} must be a file at the top of the folder.")
    if not is_readme(name):
        raise PathError(f"{name[:80]!r} is not a README text file ({', '.join(README_NAMES)}).")
    fmt = fmt or binder.readme_format(name)
    old, digest = _read(resolve_inside(root, name))
    new = binder.insert_badge(
        old, binder.badge(link, fmt), fmt=fmt, title=Path(root).resolve().name
    )
    return _change(name, old, digest, new)


__all__ = [
    "README_NAMES",
    "REMOVABLE",
    "TARGETS",
    "ConflictError",
    "FileChange",
    "PathError",
    "CONFIG_FOLDERS",
    "find_readme",
    "is_readme",
    "removable",
    "unmanaged",
    "folder_lock",
    "layout",
    "notes",
    "preview",
    "preview_badge",
    "check_expected",
    "resolve_inside",
    "sha256",
    "write",
]
