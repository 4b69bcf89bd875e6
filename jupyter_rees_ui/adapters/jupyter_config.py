"""Which Jupyter config files hold the settings (``c.Rees.*``) the server and the
command line read, and where kernelspecs are looked up. Kept apart from the workflow so
that a remembered answer can check them without loading it."""

from __future__ import annotations

import os
import sys
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
    folders = _linux_folders()
    if folders is not None:
        directories, config_dir = folders.config_path(), folders.config_dir()
    else:
        from jupyter_core.paths import jupyter_config_dir, jupyter_config_path

        directories, config_dir = jupyter_config_path(), jupyter_config_dir()
    if config_dir not in directories:
        directories.insert(0, config_dir)
    return directories


def kernel_dirs() -> list[str]:
    """The folders searched for kernelspecs, in jupyter_client's order: jupyter_core's
    ``kernels`` data folders, then IPython's (found without importing IPython)."""
    folders = _linux_folders()
    if folders is not None:
        data = [os.path.join(path, "kernels") for path in folders.data_path()]
    else:
        from jupyter_core.paths import jupyter_path

        data = jupyter_path("kernels")
    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    return [*data, os.path.join(ipython_dir, "kernels")]


# -- jupyter_core's folders on Linux, without importing jupyter_core.paths
#
# Importing jupyter_core.paths (tempfile, shutil, platformdirs...) costs a first run about
# 5 ms before the environment can start being read. On Linux, with jupyter_core 5 and its
# own defaults (no JUPYTER_PLATFORM_DIRS, no JUPYTER_NO_CONFIG), its folders follow the
# few rules below; anywhere else jupyter_core itself is asked. A test compares the two
# under many settings of the variables involved.

_FALSE_WORDS = ("no", "n", "false", "off", "0", "0.0")  # jupyter_core's ``envset``
SYSTEM_DATA = ("/usr/local/share/jupyter", "/usr/share/jupyter")
SYSTEM_CONFIG = ("/usr/local/etc/jupyter", "/etc/jupyter")


def _set(name: str) -> bool:
    value = os.environ.get(name)
    return value is not None and value.lower() not in _FALSE_WORDS


def _linux_folders() -> _LinuxFolders | None:
    if not sys.platform.startswith("linux") or _set("JUPYTER_PLATFORM_DIRS") or os.environ.get("JUPYTER_NO_CONFIG"):
        return None
    try:
        from jupyter_core.version import version_info
    except ImportError:
        return None
    return _LinuxFolders() if version_info[0] == 5 else None


def _path(*parts: str) -> str:
    """``str(pathlib.Path(*parts))``: the same cleaning of the joined path."""
    joined = os.path.join(*parts)
    if ".." in joined.split("/"):
        from pathlib import Path

        return str(Path(*parts))
    return os.path.normpath(joined)


class _LinuxFolders:
    """jupyter_core 5's ``jupyter_config_dir``, ``jupyter_config_path`` and
    ``jupyter_path`` for Linux and its default folders."""

    def __init__(self) -> None:
        self.env = os.environ
        self.home = os.path.realpath(os.path.expanduser("~"))

    def config_dir(self) -> str:
        return self.env.get("JUPYTER_CONFIG_DIR") or os.path.join(self.home, ".jupyter")

    def data_dir(self) -> str:
        if self.env.get("JUPYTER_DATA_DIR"):
            return self.env["JUPYTER_DATA_DIR"]
        return os.path.join(self.env.get("XDG_DATA_HOME") or os.path.join(self.home, ".local", "share"), "jupyter")

    def config_path(self) -> list[str]:
        return self._search("JUPYTER_CONFIG_PATH", self.config_dir(), "etc", SYSTEM_CONFIG, system_last=False)

    def data_path(self) -> list[str]:
        return self._search("JUPYTER_PATH", self.data_dir(), "share", SYSTEM_DATA, system_last=True)

    def _search(self, variable: str, own: str, kind: str, system: tuple[str, ...], *, system_last: bool) -> list[str]:
        paths = [p.rstrip(os.sep) for p in self.env[variable].split(os.pathsep)] if self.env.get(variable) else []
        user = [own]
        import site

        if site.ENABLE_USER_SITE:
            userbase = site.getuserbase() if hasattr(site, "getuserbase") else site.USER_BASE
            if userbase and _path(userbase, kind, "jupyter") not in user:
                user.append(_path(userbase, kind, "jupyter"))
        environment = [_path(sys.prefix, kind, "jupyter")]
        if list(system) != environment:
            environment = [p for p in environment if p not in system]
        paths += [*environment, *user] if _prefer_environment() else [*user, *environment]
        if system_last:  # jupyter_path: each system folder not already there
            paths += [p for p in system if p not in paths]
        elif list(system) != [_path(sys.prefix, kind, "jupyter")]:  # jupyter_config_path
            paths += system
        return paths


def _prefer_environment() -> bool:
    """jupyter_core's ``prefer_environment_over_user``."""
    env = os.environ
    if "JUPYTER_PREFER_ENV_PATH" in env:
        return _set("JUPYTER_PREFER_ENV_PATH")
    if sys.prefix != sys.base_prefix and _owned_here(sys.prefix):
        return True
    return bool(
        "CONDA_PREFIX" in env
        and sys.prefix.startswith(env["CONDA_PREFIX"])
        and env.get("CONDA_DEFAULT_ENV", "base") != "base"
        and _owned_here(sys.prefix)
    )


def _owned_here(path: str) -> bool:
    """jupyter_core's ``_do_i_own``: the nearest existing folder's owner by name against
    the login name, else by uid against the effective uid, else write access."""
    folder = os.path.realpath(path)
    while not os.path.exists(folder) and folder != os.path.dirname(folder):
        folder = os.path.dirname(folder)
    try:
        import pwd

        return pwd.getpwuid(os.stat(folder).st_uid).pw_name == os.getlogin()
    except Exception:  # noqa: BLE001 - as there: any failure moves on to the next check
        pass
    try:
        return os.stat(folder).st_uid == os.geteuid()
    except (NotImplementedError, OSError):
        pass
    return os.access(folder, os.W_OK)


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
