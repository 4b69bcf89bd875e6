"""Which top-level module names belong to the standard library of a target Python.

The running interpreter answers for its own version (``sys.stdlib_module_names``);
the ``stdlib-list`` package answers for the others, so a project pinned to 3.8 still
treats ``distutils`` as stdlib while one pinned to 3.12 does not.
"""

from __future__ import annotations

import functools
import sys

# Names that are never third-party candidates whatever the list says.
_ALWAYS = frozenset({"__future__", "__main__", "builtins"})


def target_version(target_python: str | None) -> str:
    """``"X.Y"`` for a target such as ``"3.11"``, ``"3.11.4"`` or ``"python-3.11"``;
    the running interpreter's version for None or anything unparseable."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if not target_python:
        return running
    text = target_python.strip().lower().removeprefix("python").lstrip("-= ")
    from packaging.version import InvalidVersion, Version

    try:
        release = Version(text).release
    except InvalidVersion:
        return running
    if len(release) == 1:
        return f"{release[0]}.0" if release[0] != 3 else running
    return f"{release[0]}.{release[1]}"


@functools.lru_cache(maxsize=16)
def stdlib_names(target_python: str | None = None) -> frozenset[str]:
    """Top-level stdlib module names (private ``_x`` modules included) for a target."""
    version = target_version(target_python)
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version == running:
        return frozenset(sys.stdlib_module_names) | _ALWAYS
    import stdlib_list  # only needed for versions other than the running one

    known = list(stdlib_list.short_versions)
    if version not in known:
        version = _nearest_known(version, known)
    names = {name.split(".", 1)[0] for name in stdlib_list.stdlib_list(version)}
    return frozenset(names) | _ALWAYS


#: what Python 3 calls the Python 2 modules notebooks use most
PYTHON3_NAMES = {
    "cPickle": "pickle", "ConfigParser": "configparser", "urllib2": "urllib.request",
    "urlparse": "urllib.parse", "StringIO": "io", "cStringIO": "io", "Queue": "queue",
    "Tkinter": "tkinter", "httplib": "http.client", "HTMLParser": "html.parser",
    "cookielib": "http.cookiejar", "__builtin__": "builtins", "SocketServer": "socketserver",
    "copy_reg": "copyreg", "xmlrpclib": "xmlrpc.client", "commands": "subprocess",
    "thread": "_thread", "htmlentitydefs": "html.entities", "tkMessageBox": "tkinter.messagebox",
    "tkFileDialog": "tkinter.filedialog", "ttk": "tkinter.ttk", "robotparser": "urllib.robotparser",
    "anydbm": "dbm", "UserDict": "collections", "md5": "hashlib", "sha": "hashlib", "sets": "set",
    "SimpleHTTPServer": "http.server", "BaseHTTPServer": "http.server", "Cookie": "http.cookies",
    "dummy_thread": "_dummy_thread", "repr": "reprlib", "exceptions": "builtins",
}


@functools.lru_cache(maxsize=1)
def python2_only_names() -> frozenset[str]:
    """Top-level names of Python 2.7's standard library that no Python 3 has
    (``cPickle``, ``urllib2``, ``ConfigParser``...), from the ``stdlib-list`` data."""
    import stdlib_list

    def tops(version: str) -> set[str]:
        return {name.split(".", 1)[0] for name in stdlib_list.stdlib_list(version)}

    python3: set[str] = set(sys.stdlib_module_names)
    for version in stdlib_list.short_versions:
        if version.startswith("3."):
            python3 |= tops(version)
    return frozenset(tops("2.7") - python3)


def is_stdlib(module: str, target_python: str | None = None) -> bool:
    """Whether the top-level name of ``module`` is in the target's standard library."""
    return module.split(".", 1)[0] in stdlib_names(target_python)


def _nearest_known(version: str, known: list[str]) -> str:
    """The closest version stdlib-list knows, preferring the newest not above ``version``."""
    from packaging.version import Version

    wanted = Version(version)
    parsed = sorted(Version(v) for v in known)
    lower = [v for v in parsed if v <= wanted]
    chosen = lower[-1] if lower else parsed[0]
    return f"{chosen.major}.{chosen.minor}"
