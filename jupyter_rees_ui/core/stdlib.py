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


#: Top-level names of Python 2.7's standard library that no Python 3 has (``cPickle``,
#: ``urllib2``, ``ConfigParser``...): what ``python2_only_names_from_data`` computes from
#: stdlib-list (its lists of every version), kept here because reading those lists took
#: about 10 ms of every run. A test checks the two agree.
PYTHON2_ONLY = frozenset(
    """
    AL BaseHTTPServer Bastion CGIHTTPServer Canvas Carbon ColorPicker ConfigParser
    Cookie DEVICE Dialog DocXMLRPCServer EasyDialogs FL FileDialog FixTk FrameWork GL
    HTMLParser MacOS MimeWriter MiniAEFrame Nav PixMapWrapper Queue SUNAUDIODEV
    ScrolledText SimpleDialog SimpleHTTPServer SimpleXMLRPCServer SocketServer StringIO
    Tix Tkconstants Tkdnd Tkinter UserDict UserList UserString W _LWPCookieJar
    _MozillaCookieJar __builtin__ _abcoll _bsddb _hotshot _sha _winreg aepack aetools
    aetypes al anydbm applesingle audiodev autoGIL bsddb buildtools cPickle cStringIO cd
    cfmfile commands compiler cookielib copy_reg dbhash dircache dl dumbdbm dummy_thread
    exceptions findertools fl flp fm fpformat future_builtins gdbm gensuitemodule gl
    hotshot htmlentitydefs htmllib httplib ic icopen ihooks imageop imgfile imputil jpeg
    linuxaudiodev macerrors macostools macresource markupbase md5 mhlib mimetools mimify
    multifile mutex new os2emxpath popen2 posixfile repr rexec rfc822 robotparser sets
    sgmllib sha sre statvfs stringold strop sunaudio sunaudiodev thread tkColorChooser
    tkCommonDialog tkFileDialog tkFont tkMessageBox tkSimpleDialog toaiff ttk urllib2
    urlparse user videoreader whichdb xmllib xmlrpclib
    """.split()
)


def python2_only_names() -> frozenset[str]:
    return PYTHON2_ONLY


def python2_only_names_from_data() -> frozenset[str]:
    """``PYTHON2_ONLY`` computed from the ``stdlib-list`` data: 2.7's top-level names
    minus those of every Python 3 it knows and of the running one."""
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
