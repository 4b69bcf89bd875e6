"""Which files of a folder are scanned: ``git ls-files`` in a git work tree (tracked and
untracked files not ignored), else a walk; hidden, environment and build folders are
skipped either way.

Kept apart from the scanner (``files``) so that a command that only needs the folder's
listing (a remembered answer checked before anything is read) starts without it.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from . import process

if TYPE_CHECKING:  # paths are strings or path objects alike here: pathlib is not imported
    from pathlib import Path

# Folder names never scanned, wherever they are.
SKIPPED_DIRS = frozenset(
    {"node_modules", "site-packages", "dist-packages", "__pycache__", "build", "dist", "_build", "__pypackages__"}
)
# A folder holding one of these is an environment, not project code.
ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")
SCANNED_SUFFIXES = (".ipynb", ".py", ".md")
GIT_TIMEOUT = 60  # seconds for a git listing; past it the folder is walked instead
# File systems stamp mtimes from a coarse clock, so a file rewritten within the same
# tick keeps its mtime. Like git's "racy" index entries, a result read less than this
# long after the file's mtime is not trusted and the file is read again next time.
RACY_NS = 50_000_000


class Listing(NamedTuple):
    """A folder's files to scan as listed at one moment, each with its ``lstat``: taken
    once by a command and shared by the steps that look at the same files (a
    remembered answer's check, then the scan), instead of listing and stat'ing twice."""

    root: str  # the folder's real path
    files: tuple[str, ...]  # relative POSIX paths, as list_files gives them
    stats: Mapping[str, os.stat_result]  # relative path -> lstat (absent: vanished or refused)
    started_ns: int  # wall-clock time just before the listing
    notes: tuple[str, ...] = ()  # what the proposal should say about the listing (git timed out)


def take_listing(root: str | Path) -> Listing:
    """The folder's files (``list_files``) and the ``lstat`` of each, now (git's listing
    taken over from ``start_early`` when it was started for this folder)."""
    started = time.time_ns()
    prefix = _joining(os.fspath(root))
    notes: list[str] = []
    base = os.fspath(root)
    git = _started_early.pop(os.path.abspath(base), None)
    if git is None:
        git = _start_git_listing(base)
    files = tuple(_finish_listing(base, git, notes))
    stats = {}
    lstat = os.lstat
    for relative in files:
        try:
            stats[relative] = lstat(prefix + relative)
        except (OSError, ValueError):
            continue
    return Listing(os.path.realpath(root), files, stats, started, tuple(notes))


_started_early: dict[str, subprocess.Popen[bytes]] = {}  # folder (absolute) -> its git listing


def start_early(root: str) -> None:
    """Start git listing ``root`` now (a first run, before its command line is parsed),
    so that it has answered when ``take_listing`` asks: it runs on another CPU while
    this process loads the pipeline. Nothing when git would not be asked anyway."""
    key = os.path.abspath(root)
    if key not in _started_early and os.path.isdir(root):
        git = _start_git_listing(root)
        if git is not None:
            _started_early[key] = git


def cancel_early() -> None:
    """Stop the git listings ``start_early`` began that nothing took over."""
    while _started_early:
        process.stop(_started_early.popitem()[1])


def _joining(base: str) -> str:
    """``base`` ready to be joined to a relative path by concatenation, as
    ``os.path.join`` joins it (thousands of joins per scan)."""
    return base if base.endswith(os.sep) else base + os.sep


def list_files(root: str | Path) -> list[str]:
    """Relative POSIX paths of the files to scan, sorted.

    In a git work tree the listing comes from ``git ls-files`` (tracked plus untracked
    files not ignored), so ignored folders are never walked; otherwise the folder is
    walked. Either way hidden, environment and build folders are skipped.
    """
    return _finish_listing(root, _start_git_listing(root))


def _finish_listing(
    root: str | Path, git: subprocess.Popen[bytes] | None, notes: list[str] | None = None
) -> list[str]:
    """The listing of ``root`` (git's, else walked); ``notes`` hears why git's was not used
    when that matters to the user (it did not answer in time)."""
    listed = _git_files(root, git, notes)
    walked = listed is None
    if listed is None:
        listed = _walk_files(root)  # the walk already leaves out skipped folders
    skipped: dict[str, bool] = {"": False}  # folder -> skipped?
    kept = []
    for relative in listed:
        if not relative.endswith(SCANNED_SUFFIXES):
            continue
        folder, _, name = relative.rpartition("/")
        if name.startswith("."):
            continue
        skip = skipped.get(folder)
        if skip is None:
            skip = _skipped_folder(root, folder, skipped, markers=not walked)
        if not skip:
            kept.append(relative)
    return sorted(dict.fromkeys(kept))


def _start_git_listing(root: str | Path) -> subprocess.Popen[bytes] | None:
    """``git ls-files`` (tracked plus untracked files not ignored), started but not
    awaited, so a re-scan can check its cached files while git lists."""
    if not _maybe_in_git(root):
        return None
    try:
        return process.start(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def _git_files(
    root: str | Path, git: subprocess.Popen[bytes] | None = None, notes: list[str] | None = None
) -> list[str] | None:
    """The git listing of ``root`` (None outside a work tree, when the folder itself is
    ignored, or when git does not answer within GIT_TIMEOUT, which is told to ``notes``);
    ``git`` is an already started ``_start_git_listing``."""
    if git is None:
        git = _start_git_listing(root)
        if git is None:
            return None
    try:
        output, _ = process.finish(git, GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        if notes is not None:  # stopped: the folder is walked instead
            notes.append(
                f"git did not list the files of {os.path.basename(os.path.abspath(root)) or root} "
                f"within {GIT_TIMEOUT:g} s (stopped): the folder was walked instead, so files "
                "that .gitignore excludes were scanned too"
            )
        return None
    if git.returncode != 0:
        return None
    names = output.decode("utf-8", "surrogateescape").split("\0")
    listed = [n for n in names if n and not n.endswith("/")]
    if not listed and _ignored_by_git(root):
        return None  # the folder itself is ignored: scanning it was asked for, so walk it
    if os.path.exists(os.path.join(root, ".gitmodules")):
        listed.extend(_submodule_files(root, notes))
    return listed


def _submodule_files(root: str | Path, notes: list[str] | None = None) -> list[str]:
    """Files of the submodules a repository's top folder declares (Binder clones them
    too; ``git ls-files --others`` cannot recurse into them)."""
    try:
        completed = process.run(
            ["git", "config", "--file", ".gitmodules", "-z", "--get-regexp", r"\.path$"],
            cwd=root,
            timeout=GIT_TIMEOUT,
            text=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    found: list[str] = []
    for entry in completed.stdout.decode("utf-8", "surrogateescape").split("\0"):
        _, _, path = entry.partition("\n")
        path = posixpath.normpath(path) if path else ""
        if not path or path.startswith(("..", "/")) or not os.path.isdir(os.path.join(root, path)):
            continue
        inner = _git_files(os.path.join(root, path), notes=notes)
        if inner is None:
            inner = _walk_files(os.path.join(root, path))
        found.extend(f"{path}/{name}" for name in inner)
    return found


def _maybe_in_git(root: str | Path) -> bool:
    """Whether a ``.git`` sits in the folder or above it (or GIT_DIR is set): only then
    is git asked, so folders outside any repository cost no process."""
    if os.environ.get("GIT_DIR"):
        return True
    path = os.path.abspath(root)
    while True:
        if os.path.exists(os.path.join(path, ".git")):
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent


def _ignored_by_git(root: str | Path) -> bool:
    try:
        completed = process.run(["git", "check-ignore", "-q", "."], cwd=root, timeout=GIT_TIMEOUT, text=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0


def _walk_files(root: str | Path) -> list[str]:
    found: list[str] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        try:
            with os.scandir(os.path.join(root, relative) if relative else root) as entries:
                children = list(entries)
        except OSError:
            continue
        names = {e.name for e in children}
        if relative and any(marker in names for marker in ENVIRONMENT_MARKERS):
            continue
        for entry in children:
            path = f"{relative}/{entry.name}" if relative else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _skipped_name(entry.name):
                        pending.append(path)
                else:  # links and special files too: the scan reports what it cannot read
                    found.append(path)
            except OSError:
                continue
    return found


def _skipped_name(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRS or name.endswith(".egg-info")


def _skipped_folder(root: str | Path, folder: str, skipped: dict[str, bool], *, markers: bool) -> bool:
    """Whether a root-relative folder, or one above it, is not scanned (memoised)."""
    parent, _, name = folder.rpartition("/")
    skip = skipped.get(parent)
    if skip is None:
        skip = _skipped_folder(root, parent, skipped, markers=markers)
    if not skip:
        skip = _skipped_name(name) or (
            markers and any(os.path.exists(os.path.join(root, folder, m)) for m in ENVIRONMENT_MARKERS)
        )
    skipped[folder] = skip
    return skip
