"""The one place that turns request data into a path on disk."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


NAME_MAX = 255  # bytes in one path component, as file systems allow
MAX_PATH = 4096


class PathRefused(ValueError):
    """A path the server must not touch; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


def resolve_in_root(root_dir: str | os.PathLike, rel: str, *, allow_hidden: bool = False,
                    must_be_dir: bool = True) -> Path:
    """Resolve ``rel`` (a server-root-relative API path) to a real path inside ``root_dir``.

    Refuses NUL bytes, absolute paths, anything that resolves (after symlinks) outside the
    root, hidden components unless allowed, and missing folders.
    """
    if not isinstance(rel, str):
        raise PathRefused("path must be a string", 400)
    if "\x00" in rel:
        raise PathRefused("path contains a NUL byte", 400)
    rel = rel.strip().replace("\\", "/")
    if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        raise PathRefused(f"path must be relative to the server root: {rel!r}", 400)
    parts = [p for p in PurePosixPath(rel).parts if p not in ("", ".")]
    if len(rel) > MAX_PATH or any(len(p.encode("utf-8", "surrogateescape")) > NAME_MAX for p in parts):
        raise PathRefused(f"path is too long (a folder name over {NAME_MAX} bytes): {rel[:60]!r}…", 400)
    if not allow_hidden and any(p.startswith(".") and p != ".." for p in parts):
        raise PathRefused(f"hidden folders are not scanned: {rel!r}")
    root = Path(root_dir).resolve()
    try:
        target = root.joinpath(*parts).resolve() if parts else root
        if target != root and root not in target.parents:
            raise PathRefused(f"path is outside the server root: {rel!r}")
        if must_be_dir and not target.is_dir():
            raise PathRefused(f"no such folder: {rel or '.'!r}", 404)
    except OSError as exc:  # too long, a loop of links…: a bad path, not a server error
        raise PathRefused(f"cannot use the path {rel[:60]!r}: {exc.strerror or exc}", 400) from exc
    return target


def api_path(root_dir: str | os.PathLike, path: Path) -> str:
    """The server-root-relative POSIX path of ``path`` ('' for the root)."""
    rel = Path(path).resolve().relative_to(Path(root_dir).resolve())
    return "" if str(rel) == "." else rel.as_posix()
