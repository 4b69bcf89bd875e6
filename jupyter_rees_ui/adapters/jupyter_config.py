"""Which Jupyter config files hold the settings (``c.Rees.*``) the server and the
command line read. Kept apart from the workflow so that a remembered answer can check
them without loading it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

CONFIG_NAMES = ("jupyter_config", "jupyter_server_config")


def config_files(directories: Sequence[str] | None = None) -> list[Path]:
    """The Jupyter config files the server reads, lowest priority first:
    ``jupyter_config`` and ``jupyter_server_config`` (.py, then .json, then the
    ``.d/*.json`` drop-ins) in each of jupyter_core's config folders."""
    if directories is None:
        from jupyter_core.paths import jupyter_config_dir, jupyter_config_path

        directories = jupyter_config_path()
        if jupyter_config_dir() not in directories:
            directories.insert(0, jupyter_config_dir())
    found: list[Path] = []
    for directory in reversed(list(directories)):
        for name in CONFIG_NAMES:
            base = Path(directory)
            found += [p for p in (base / f"{name}.py", base / f"{name}.json") if p.is_file()]
            drop_ins = base / f"{name}.d"
            if drop_ins.is_dir():
                found += sorted(p for p in drop_ins.glob("*.json") if p.is_file())
    return found


def config_state() -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of each config file: what a remembered answer's settings
    came from (a file added, edited or removed changes it)."""
    found = []
    for path in config_files():
        try:
            info = path.stat()
        except OSError:
            continue
        found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(found)
