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


def inside(base: str | os.PathLike, rel: str, *, where: str = "the folder",
           allow_dotdot: bool = False) -> Path:
    """The one path guard: ``base / rel`` (``base`` resolved, ``rel`` as given), refused
    (``PathRefused``) unless ``rel`` is a relative path that stays inside ``base``.

    Refuses non-strings, NUL bytes, absolute and drive paths, ``..`` (unless allowed, and
    then only where it stays inside), names over 255 bytes, and anything that resolves
    (after symlinks) outside ``base``. ``where`` names ``base`` in the messages.
    """
    if not isinstance(rel, str):
        raise PathRefused("path must be a string", 400)
    if "\x00" in rel:
        raise PathRefused(f"path contains a NUL byte: {rel[:60]!r}", 400)
    posix = rel.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        raise PathRefused(f"path must be relative to {where}: {rel[:60]!r}", 400)
    parts = [p for p in PurePosixPath(posix).parts if p not in ("", ".")]
    if not allow_dotdot and ".." in parts:
        raise PathRefused(f"path must be a relative path inside {where}: {rel[:60]!r}", 400)
    if len(rel) > MAX_PATH or any(len(p.encode("utf-8", "surrogateescape")) > NAME_MAX for p in parts):
        raise PathRefused(f"path is too long (a name over {NAME_MAX} bytes): {rel[:60]!r}…", 400)
    root = Path(base).resolve()
    candidate = root.joinpath(*parts)
    try:
        resolved = candidate.resolve()
    except OSError as exc:  # too long, a loop of links…: a bad path, not a server error
        raise PathRefused(f"cannot use the path {rel[:60]!r}: {exc.strerror or exc}", 400) from exc
    if resolved != root and root not in resolved.parents:
        raise PathRefused(f"path is outside {where}: {rel[:60]!r}")
    return candidate


def resolve_in_root(root_dir: str | os.PathLike, rel: str, *, allow_hidden: bool = False,
                    must_be_dir: bool = True) -> Path:
    """Resolve ``rel`` (a server-root-relative API path) to a real path inside ``root_dir``
    (``inside``, where ``..`` may be used while it stays inside), refusing also hidden
    components unless allowed, and missing folders.
    """
    if isinstance(rel, str):
        rel = rel.strip()
    target = inside(root_dir, rel, where="the server root", allow_dotdot=True)
    parts = PurePosixPath(rel.replace("\\", "/")).parts
    if not allow_hidden and any(p.startswith(".") and p not in (".", "..") for p in parts):
        raise PathRefused(f"hidden folders are not scanned: {rel!r}")
    try:
        target = target.resolve()
        if must_be_dir and not target.is_dir():
            raise PathRefused(f"no such folder: {rel or '.'!r}", 404)
    except OSError as exc:
        raise PathRefused(f"cannot use the path {rel[:60]!r}: {exc.strerror or exc}", 400) from exc
    return target


def api_path(root_dir: str | os.PathLike, path: Path) -> str:
    """The server-root-relative POSIX path of ``path`` ('' for the root)."""
    rel = Path(path).resolve().relative_to(Path(root_dir).resolve())
    return "" if str(rel) == "." else rel.as_posix()
