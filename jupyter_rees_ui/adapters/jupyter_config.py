"""Which Jupyter config files hold the settings (``c.Rees.*``) the server and the
command line read, and where kernelspecs are looked up. Kept apart from the workflow so
that a remembered answer can check them without loading it."""

from __future__ import annotations

import os
from collections.abc import Sequence

CONFIG_NAMES = ("jupyter_config", "jupyter_server_config")

# The variables that move jupyter_core's folders (besides those a remembered answer's
# key already holds): with these and the interpreter unchanged, the folders are too.
FOLDER_VARIABLES = (
    "JUPYTER_CONFIG_PATH", "JUPYTER_NO_CONFIG", "JUPYTER_USE_PROGRAMDATA", "CONDA_DEFAULT_ENV",
    "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "XDG_DATA_HOME", "XDG_DATA_DIRS", "APPDATA", "PROGRAMDATA",
)


def config_dirs() -> list[str]:
    """jupyter_core's config folders, lowest priority last (its order)."""
    from jupyter_core.paths import jupyter_config_dir, jupyter_config_path

    directories = jupyter_config_path()
    if jupyter_config_dir() not in directories:
        directories.insert(0, jupyter_config_dir())
    return directories


def kernel_dirs() -> list[str]:
    """The folders searched for kernelspecs, in jupyter_client's order: jupyter_core's
    ``kernels`` data folders, then IPython's (found without importing IPython)."""
    from jupyter_core.paths import jupyter_path

    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    return [*jupyter_path("kernels"), os.path.join(ipython_dir, "kernels")]


def config_paths(directories: Sequence[str] | None = None) -> list[str]:
    """The Jupyter config files the server reads, lowest priority first:
    ``jupyter_config`` and ``jupyter_server_config`` (.py, then .json, then the
    ``.d/*.json`` drop-ins) in each of jupyter_core's config folders (``directories``:
    those of ``config_dirs``, else they are asked for)."""
    if directories is None:
        directories = config_dirs()
    found: list[str] = []
    isfile = os.path.isfile
    for directory in reversed(list(directories)):
        for name in CONFIG_NAMES:
            base = os.path.join(directory, name)
            found += [p for p in (f"{base}.py", f"{base}.json") if isfile(p)]
            try:
                drop_ins = sorted(os.listdir(f"{base}.d"))
            except OSError:
                continue
            found += [p for p in (os.path.join(f"{base}.d", n) for n in drop_ins if n.endswith(".json")) if isfile(p)]
    return found


def config_files(directories: Sequence[str] | None = None) -> list:
    """``config_paths`` as ``pathlib.Path`` objects."""
    from pathlib import Path

    return [Path(p) for p in config_paths(directories)]


def config_state(directories: Sequence[str] | None = None) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of each config file: what a remembered answer's settings
    came from (a file added, edited or removed changes it)."""
    found = []
    for path in config_paths(directories):
        try:
            info = os.stat(path)
        except OSError:
            continue
        found.append((path, info.st_size, info.st_mtime_ns))
    return tuple(found)
