"""The kernel's environment: which interpreter a kernelspec runs, and what it has installed.

``introspect`` runs ``introspect_env.py`` with that interpreter in a subprocess (stdlib
only, JSON out) and turns the answer into a ``core.model.Environment``. Answers are
cached per interpreter until one of its site directories (or ``conda-meta``) changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from . import process as bounded

if TYPE_CHECKING:
    from ..core.model import Environment, InstalledDistribution, Proposal, Source

# The model's dataclasses are imported where an environment is built: a command that
# replays a remembered answer only checks kernelspecs and site folders, without them.

# jupyter_client (and with it zmq, tornado, traitlets) is imported only when a kernel
# cannot be found by its kernel.json: the command line starts without it.

NATIVE_NAMES = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}


class IntrospectionError(RuntimeError):
    """The interpreter could not be run or did not answer with JSON."""


class _Cached(NamedTuple):
    stamp: tuple[tuple[str, str, int], ...]
    environment: Environment


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()

# What this process read, so that an answer remembered from it can be checked later
# (adapters.answers): each environment's stamp, and each kernelspec looked up.
environments_read: dict[str, tuple[tuple[str, str, int], ...]] = {}
kernels_looked_up: dict[str, Any] = {}

# What changes what the child interpreter finds on its sys.path, besides its site folders.
PATH_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH")


def environment_store() -> Any:
    """The environments kept between runs in the user's cache folder."""
    from .store import Store

    return Store("environments", max_entries=32, max_bytes=256 << 20)


def introspect(
    python: str | None = None,
    *,
    timeout: float = 60,
    env: Mapping[str, str] | None = None,
    store: Any = None,
) -> Environment:
    """What ``python`` (default: the server's interpreter) has installed.

    ``env``: variables the kernel runs with on top of the server's (a kernelspec's
    ``env``, e.g. PYTHONPATH), so the interpreter sees the same ``sys.path``.
    ``store`` (``environment_store()``): also keep the answer between runs.
    """
    return start_introspection(python, timeout=timeout, env=env, store=store).result()


class PendingEnvironment:
    """An introspection under way in a child process, or already answered by a cache.

    Started before a scan, it runs while the folder is read; ``result()`` waits for it.
    No thread is used: the scan may then fork its workers.
    """

    def __init__(self, interpreter: str, key: str, env: Mapping[str, str] | None, timeout: float, store: Any):
        self.interpreter, self.key, self.env, self.timeout, self.store = interpreter, key, env, timeout, store
        self.environment: Environment | None = None
        self.process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._failure: BaseException | None = None

    def read_in_background(self) -> None:
        """Take the child's answer in a thread as soon as it comes (decoded, cached and
        stored), so that ``result()`` has it ready. For a process that has forked what
        it needed: a thread would make a later fork unsafe. Never raises."""
        if self.environment is not None or self.process is None or self._reader is not None:
            return

        def read() -> None:
            try:
                self._read()
            except BaseException as error:  # noqa: BLE001 - given to result(), which raises it
                self._failure = error

        reader = threading.Thread(target=read, name="jupyter-rees-environment", daemon=True)
        try:
            reader.start()
        except RuntimeError:
            return  # no thread to be had: result() reads it
        self._reader = reader

    def result(self) -> Environment:
        if self._reader is not None:
            self._reader.join()
            if self._failure is not None:
                raise self._failure
        if self.environment is not None:
            return self.environment
        return self._read()

    def _read(self) -> Environment:
        if self.process is None:
            self.process = _start_script(self.interpreter, self.env)
        report = _finish_script(self.process, self.interpreter, self.timeout)
        environment = environment_from_report(report, self.interpreter)
        stamp = _first_stamp(self.interpreter, report)
        with _cache_lock:
            _cache[self.key] = _Cached(stamp, environment)
        environments_read[self.key] = stamp
        if self.store is not None:
            self.store.put(self.key, (stamp, report))
        self.environment = environment
        return environment

    def cancel(self) -> None:
        """Stop a child that is no longer needed (the notebooks named another kernel)."""
        if self.process is not None and self.process.poll() is None:
            _stop(self.process)


def start_introspection(
    python: str | None = None,
    *,
    timeout: float = 60,
    env: Mapping[str, str] | None = None,
    store: Any = None,
) -> PendingEnvironment:
    """``introspect`` without waiting: answered at once from the caches (in memory,
    then ``store``) while the environment's site folders are unchanged, else the
    script is started in a child process."""
    interpreter = _interpreter_path(python or sys.executable)
    key = introspection_key(interpreter, env)
    early = _started_early.pop(key, None)
    cancel_early()  # one started for another interpreter is not needed
    if early is not None:
        early.timeout, early.store = timeout, store
        return early
    pending = PendingEnvironment(interpreter, key, env, timeout, store)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and _current_stamp(cached.stamp) == cached.stamp:
        pending.environment = cached.environment
        environments_read[key] = cached.stamp
        return pending
    stored = store.get(key) if store is not None else None
    if _valid_stored(stored) and _current_stamp(stored[0]) == stored[0]:
        pending.environment = environment_from_report(stored[1], interpreter)
        with _cache_lock:
            _cache[key] = _Cached(stored[0], pending.environment)
        environments_read[key] = stored[0]
        return pending
    pending.process = _start_script(interpreter, env)
    return pending


_started_early: dict[str, PendingEnvironment] = {}  # by introspection key


def start_early(python: str | None, kernel: str | None, listing: Any, *, remember: bool) -> None:
    """Start reading the environment that will give the pins before the pipeline is even
    loaded: ``python`` (``--python``), else the kernel's interpreter (``kernel``, else
    the kernel the ``listing`` makes likely), as the workflow will choose them; its child
    process reads it on another CPU meanwhile. The ``start_introspection`` that asks for
    the same interpreter and variables takes it over; any other cancels it, as
    ``cancel_early`` does. Nothing is started when a Jupyter config file names
    ``c.Rees``: its settings may choose another interpreter."""
    from .jupyter_config import config_paths

    try:
        for path in config_paths():
            with open(path, encoding="utf-8", errors="replace") as handle:
                if "Rees" in handle.read():
                    return
        variables = None
        if python is None:
            chosen = kernel or likely_kernel(listing)
            python, variables = kernel_python(chosen), kernel_env(chosen)
        pending = start_introspection(python, env=variables, store=environment_store() if remember else None)
    except (OSError, ValueError, LookupError):
        return  # the workflow meets the same problem and says what it is
    _started_early[pending.key] = pending


def cancel_early() -> None:
    """Stop the introspections ``start_early`` began that nothing took over."""
    while _started_early:
        _started_early.popitem()[1].cancel()


#: the kernel nearly every Python notebook names
NOTEBOOK_KERNEL = "python3"


def likely_kernel(listing: Any) -> str | None:
    """The kernel whose environment is read while the folder is scanned, before the
    notebooks say which they name: ``python3``, the name nearly every Python notebook
    gives, when the listing shows notebooks; else none (this Python). A wrong guess is
    read again after the scan, as before."""
    if listing is not None and any(name.endswith(".ipynb") for name in listing.files):
        return NOTEBOOK_KERNEL
    return None


def introspection_key(python: str | None, env: Mapping[str, str] | None = None) -> str:
    """What an introspection's answer depends on besides the files it reads: the
    interpreter, the kernel's variables and those that move sys.path."""
    merged = {**os.environ, **(env or {})}
    return json.dumps(
        [
            _interpreter_path(python or sys.executable),
            sorted((env or {}).items()),
            [merged.get(name) for name in PATH_VARIABLES],
        ]
    )


def _valid_stored(stored: Any) -> bool:
    return (
        isinstance(stored, tuple)
        and len(stored) == 2
        and isinstance(stored[0], tuple)
        and all(isinstance(s, tuple) and len(s) == 3 for s in stored[0])
        and isinstance(stored[1], dict)
    )


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def run_introspection(
    python: str, *, timeout: float = 60, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run the introspection script with ``python`` and return its JSON report."""
    return _finish_script(_start_script(python, env), python, timeout)


# The script is imported from its folder rather than passed as text (``-c``): the
# interpreter then keeps its compiled form in ``__pycache__`` beside it (when it may
# write there), so a later run does not compile 500 lines again (3-4 ms of the child's
# time). The folder is taken off ``sys.path`` before the environment is described.
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, {folder!r}); from introspect_env import main; "
    "del sys.path[0]; sys.exit(main())"
)


def _start_script(python: str, env: Mapping[str, str] | None) -> subprocess.Popen[str]:
    script = _BOOTSTRAP.format(folder=os.path.dirname(os.path.abspath(__file__)))
    try:
        return bounded.start(
            [python, "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=os.path.dirname(python) or None,
            env={**os.environ, **env} if env else None,
        )
    except OSError as error:
        raise IntrospectionError(f"cannot run {python}: {error}") from error


def _finish_script(process: subprocess.Popen[str], python: str, timeout: float) -> dict[str, Any]:
    try:
        stdout, stderr = bounded.finish(process, timeout)
    except subprocess.TimeoutExpired as error:
        raise IntrospectionError(f"{python} did not answer within {timeout:g} s") from error
    try:
        report = json.loads(stdout)
    except ValueError as error:
        detail = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
        if detail[0].startswith("SyntaxError"):
            detail = ["it cannot parse the introspection script: Python 3.8 or later is required"]
        raise IntrospectionError(
            f"{python} exited with {process.returncode}: {detail[0]}"
        ) from error
    if not isinstance(report, dict) or "error" in report:
        message = report.get("error") if isinstance(report, dict) else "unexpected output"
        raise IntrospectionError(f"{python}: {message}")
    return report


def _stop(process: subprocess.Popen[str]) -> None:
    """Kill the child and whatever it started; close its pipes without waiting for them
    to end: a wrapper script's own children may hold them open."""
    bounded.stop(process)


# An answer stays valid while these are unchanged: the interpreter ("m": its mtime), each
# folder on its sys.path ("m") and the names of the distributions installed there ("l":
# a checksum of the *.dist-info / *.egg-info names, for file systems with coarse mtimes).


def _first_stamp(interpreter: str, report: dict[str, Any]) -> tuple[tuple[str, str, int], ...]:
    """The stamp of a fresh answer; the folders' mtimes are the script's, taken before
    it read them, so an install that lands during the read is seen next time."""
    stamp = [("m", interpreter, _mtime(interpreter))]
    for entry in report.get("site_dirs", ()):
        path = str(entry["path"])
        stamp.append(("m", path, int(entry["mtime_ns"])))
        stamp.append(("l", path, _listing(path)))
    return tuple(stamp)


def environment_unchanged(stamp: tuple[tuple[str, str, int], ...]) -> bool:
    """Whether an environment stamped so (``environments_read``) is still as it was."""
    return _current_stamp(stamp) == stamp


def kernel_lookup(kernel_name: str, directories: Sequence[str] | None = None) -> Any:
    """What looking a kernelspec up answers now, in the form ``kernels_looked_up`` keeps;
    ``directories``: where kernelspecs are (``jupyter_config.kernel_dirs``), when known."""
    try:
        _kernel_spec(kernel_name, directories)
    except (LookupError, OSError, ValueError):
        pass
    return kernels_looked_up[kernel_name]


def _current_stamp(previous: tuple[tuple[str, str, int], ...]) -> tuple[tuple[str, str, int], ...]:
    return tuple((kind, path, _mtime(path) if kind == "m" else _listing(path)) for kind, path, _ in previous)


def _listing(folder: str) -> int:
    import zlib

    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(("-info", ".egg-link", ".pth")))
    except OSError:
        return -1
    return zlib.crc32("\n".join(names).encode("utf-8", "surrogateescape"))


def environment_from_report(report: dict[str, Any], python: str) -> Environment:
    """Turn the script's JSON into the shared model (provenance decided here)."""
    from ..core.model import Environment

    dists = tuple(
        sorted(
            (_distribution(d) for d in report.get("distributions", ())),
            key=lambda d: d.name.lower(),
        )
    )
    is_conda = bool(report.get("is_conda"))
    prefix = report.get("prefix", "")
    if is_conda:
        description = f"conda env '{report.get('conda_env_name') or os.path.basename(prefix)}' at {prefix}"
    elif prefix != report.get("base_prefix", prefix):
        description = f"venv at {prefix}"
    else:
        description = f"Python at {prefix}"
    version = report.get("python_full_version") or report.get("python_version", "")
    return Environment(
        python=report.get("python") or python,
        python_version=report.get("python_version", ""),
        distributions=dists,
        description=f"{description} (Python {version})",
        is_conda=is_conda,
        errors=tuple(str(e) for e in report.get("errors", ())),
    )


def _distribution(data: dict[str, Any]) -> InstalledDistribution:
    from ..core.model import InstalledDistribution

    direct = data.get("direct_url") or {}
    url: str | None = direct.get("url") if isinstance(direct, dict) else None
    commit = None
    source: Source = "pip"
    if data.get("conda_package"):
        source = "conda"  # file ownership wins over INSTALLER and conda-build's file:// urls
        url = None
    elif (direct.get("dir_info") or {}).get("editable"):
        source = "editable"
    elif direct.get("vcs_info"):
        vcs = direct["vcs_info"]
        source = "vcs"
        commit = vcs.get("commit_id")
        kind = vcs.get("vcs", "git")
        if url and not url.startswith(f"{kind}+"):
            url = f"{kind}+{url}"
    elif direct.get("archive_info") is not None or (url and "dir_info" in direct):
        source = "archive"
    return InstalledDistribution(
        name=data["name"],
        version=data.get("version") or "",
        source=source,
        top_level=tuple(data.get("top_level") or ()),
        files=tuple(data.get("files") or ()),
        url=url,
        commit=commit,
        conda_name=data.get("conda_package"),
        import_names=tuple(data.get("import_names") or ()),
        import_namespaces=tuple(data.get("import_namespaces") or ()),
        shadowed=tuple(sorted(data.get("shadowed") or ())),
        installer=data.get("installer"),
    )


def introspect_kernels(
    kernel_names: Iterable[str],
    *,
    timeout: float = 60,
    wait: Callable[[PendingEnvironment], Environment] | None = None,
) -> dict[str, Environment]:
    """The environment of each named kernelspec (for folders whose notebooks use
    several), all read at once, each on its own CPU. ``wait(pending)`` waits for one
    (default ``pending.result()``; the workflow's also stops it when its caller is
    cancelled); whatever ``wait`` raises stops every read still under way. Kernels whose
    interpreter cannot be introspected are left out."""
    started: dict[str, PendingEnvironment] = {}
    found: dict[str, Environment] = {}
    try:
        for name in sorted(set(kernel_names)):
            try:
                started[name] = start_introspection(kernel_python(name), timeout=timeout, env=kernel_env(name))
            except IntrospectionError:
                continue
        for name, pending in started.items():
            try:
                found[name] = wait(pending) if wait is not None else pending.result()
            except IntrospectionError:
                continue
    finally:
        for pending in started.values():
            pending.cancel()
    return found


def kernel_env(kernel_name: str | None) -> dict[str, str]:
    """The variables a kernelspec sets for its kernel (``{}`` when none or unknown)."""
    if not kernel_name:
        return {}
    try:
        spec = _kernel_spec(kernel_name)
    except (LookupError, OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in (spec.env or {}).items()}


def kernel_exists(kernel_name: str) -> bool:
    """Whether a kernelspec of that name is installed (found as ``kernel_python``
    finds it: by its kernel.json, else by jupyter_client's whole lookup)."""
    try:
        _kernel_spec(kernel_name)
    except (LookupError, OSError, ValueError):
        return False
    return True


def kernel_python(kernel_name: str | None) -> str:
    """The interpreter a kernelspec runs; the server's own for the native kernel, an
    unknown kernel, or one whose command does not name a Python."""
    if not kernel_name:
        return sys.executable
    try:
        spec = _kernel_spec(kernel_name)
    except (LookupError, OSError, ValueError):
        return sys.executable
    return _python_from_argv(list(spec.argv), dict(spec.env or {})) or sys.executable


class KernelCommand(NamedTuple):
    """What a kernelspec says about how its kernel starts (the fields we read)."""

    argv: tuple[str, ...]
    display_name: str
    env: Mapping[str, str]

    @classmethod
    def from_kernel_json(cls, path: str) -> KernelCommand:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or not isinstance(data.get("argv"), list):
            raise ValueError(f"{path} has no argv list")
        return cls(tuple(str(a) for a in data["argv"]), str(data.get("display_name", "")), dict(data.get("env") or {}))


def _kernel_spec(kernel_name: str, directories: Sequence[str] | None = None) -> KernelCommand:
    """``_find_kernel_spec``, remembered in ``kernels_looked_up``."""
    try:
        spec = _find_kernel_spec(kernel_name, directories)
    except (LookupError, OSError, ValueError) as error:
        kernels_looked_up[kernel_name] = ["missing", type(error).__name__]
        raise
    kernels_looked_up[kernel_name] = [list(spec.argv), sorted((str(k), str(v)) for k, v in spec.env.items())]
    return spec


def _find_kernel_spec(kernel_name: str, directories: Sequence[str] | None = None) -> KernelCommand:
    """A kernelspec by name, read from its ``kernel.json`` where one is installed
    (``directories``: where to look, else ``jupyter_config.kernel_dirs()``).

    jupyter_client's own lookup imports ipykernel (and with it IPython) for the native
    ``python3`` kernel even when its kernel.json is installed: a quarter of a second that
    a ``jupyter rees`` command would spend for nothing, and importing jupyter_client alone
    costs a tenth. It is asked only when no folder has the kernel (the native kernel
    served from ipykernel's resources, or a folder only IPython knows); its NoSuchKernel
    is a KeyError."""
    wanted = kernel_name.lower()
    if directories is None:
        from .jupyter_config import kernel_dirs

        directories = kernel_dirs()
    for kernel_dir in directories:
        try:
            names = os.listdir(kernel_dir)
        except OSError:
            continue
        for name in names:
            folder = os.path.join(kernel_dir, name)
            if name.lower() == wanted and os.path.isfile(os.path.join(folder, "kernel.json")):
                return KernelCommand.from_kernel_json(os.path.join(folder, "kernel.json"))
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(kernel_name)  # its whole lookup, as before
    return KernelCommand(tuple(spec.argv), spec.display_name, dict(spec.env or {}))


def list_kernels() -> list[dict[str, Any]]:
    """Kernelspecs found: name, display_name, language and the Python they run (None
    for other languages or commands we cannot read)."""
    from jupyter_client.kernelspec import KernelSpecManager

    found = []
    for name, entry in sorted(KernelSpecManager().get_all_specs().items()):
        spec = entry.get("spec", {})
        language = spec.get("language", "")
        python = None
        if language.lower() == "python":
            python = _python_from_argv(list(spec.get("argv", ())), dict(spec.get("env") or {}))
        found.append(
            {
                "name": name,
                "display_name": spec.get("display_name", name),
                "language": language,
                "python": python,
            }
        )
    return found


def _python_from_argv(argv: list[str], env: dict[str, str]) -> str | None:
    """Find the interpreter in a kernel command such as ``python -m ipykernel_launcher``,
    ``/env/bin/python -m ipykernel``, ``conda run -p /env python -m ipykernel`` or
    nb_conda_kernels' ``python -m nb_conda_kernels.runner ROOT /env python -m ...``."""
    if not argv:
        return None
    position = None
    for i in range(len(argv) - 1):
        if argv[i] == "-m" and argv[i + 1].split(".")[0] in ("ipykernel", "ipykernel_launcher"):
            position = i - 1
            break
    candidate = argv[position] if position is not None and position >= 0 else argv[0]
    if candidate in NATIVE_NAMES and position in (0, None):
        return sys.executable  # jupyter_client runs these with the server's interpreter
    if os.path.isabs(candidate):
        return candidate if os.path.exists(candidate) else None
    # A bare "python" after a wrapper: look for an environment folder earlier in argv.
    for arg in reversed(argv[: position if position is not None else 0]):
        if os.path.isabs(arg) and os.path.isdir(arg):
            for relative in ("bin/python", "python.exe", "Scripts/python.exe"):
                path = os.path.join(arg, relative)
                if os.path.exists(path):
                    return path
    # jupyter_client starts the command through PATH (the spec's env may change it).
    import shutil

    return shutil.which(candidate, path=env.get("PATH"))


def _interpreter_path(python: str) -> str:
    """An interpreter path from a path, a command name or an environment folder."""
    if os.path.isdir(python):
        for relative in ("bin/python", "python.exe", "Scripts/python.exe"):
            if os.path.exists(os.path.join(python, relative)):
                return os.path.abspath(os.path.join(python, relative))
    if os.sep not in python and not os.path.isabs(python):
        import shutil

        python = shutil.which(python) or python
    # Keep venv symlinks: bin/python in a venv differs from the interpreter it links to.
    return os.path.abspath(python)


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


PYPI_JSON = "https://pypi.org/pypi"


def check_guesses_on_index(
    proposal: Proposal, *, index_url: str = PYPI_JSON, timeout: float = 5
) -> Proposal:
    """Opt-in online check: do the rows guessed for modules that are not installed
    name projects that exist on the package index? (Never called by default.)"""
    from ..core.resolve import mark_index_checks

    names = [r.name for r in proposal.requirements if r.source in ("not-installed", "unknown")]
    return mark_index_checks(proposal, exists_on_index(names, index_url=index_url, timeout=timeout))


def exists_on_index(
    names: Iterable[str], *, index_url: str = PYPI_JSON, timeout: float = 5
) -> dict[str, bool | None]:
    """Name -> True (the index has it), False (404) or None (no answer in time)."""
    from concurrent.futures import ThreadPoolExecutor

    unique = sorted(set(names))
    if not unique:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(unique))) as pool:
        answers = pool.map(lambda n: _exists(n, index_url, timeout), unique)
        return dict(zip(unique, answers))


def _exists(name: str, index_url: str, timeout: float) -> bool | None:
    import urllib.error
    import urllib.parse
    import urllib.request

    url = f"{index_url.rstrip('/')}/{urllib.parse.quote(name)}/json"
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "jupyter-rees-ui"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except urllib.error.HTTPError as error:
        return False if error.code == 404 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None
