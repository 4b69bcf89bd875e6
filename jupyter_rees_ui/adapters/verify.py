"""Rebuild a folder's REES in a clean environment, as Binder would, without Docker.

``verify_folder`` reads the REES the way repo2docker does (``binder/``, ``.binder/`` or the
root; ``environment.yml`` wins over ``requirements.txt``), creates a virtual environment
for the Python version it names (``uv`` when installed, else ``venv`` + pip) in a cache
folder keyed by the REES, installs the requirements with whatever index pip/uv are
configured with, then checks every notebook: its imports resolve in the new environment
(a subprocess, nothing executed), and with ``run`` the notebook executes (nbclient, in a
temporary copy of the project; never the user's files).

Each failure has a class; only ``missing-module`` and ``install-failed`` are the REES's
fault. A package index that cannot be reached is said so, never blamed on the REES.
Long steps report ``progress(phase, done, total, message)`` and stop when ``cancel`` is
set (running subprocesses are killed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from . import process
from ..core import rees as rees_rules
from ..core.mapping import bundled_mapping
from ..core import model
from ..core.model import Proposal, ScanResult, to_json
from ..core.resolve import conda_specifier
from ..core.stdlib import python2_only_names
from .resolver import find_uv

FailureKind = Literal["missing-module", "install-failed", "index-unreachable", "timeout", "runtime-error"]
#: the failure classes that the REES itself causes
REES_FAULTS = frozenset({"missing-module", "install-failed"})
#: Binder's Python when the REES names none (repo2docker's default)
BINDER_DEFAULT_PYTHON = "3.10"
DEFAULT_CELL_TIMEOUT = 300.0
DEFAULT_TOTAL_TIMEOUT = 1800.0
INSTALL_TIMEOUT = 1800.0
MARKER_FILE = "rees-verify.json"  # in a cached environment: how its install went
KEEP_ENVIRONMENTS = 8  # the most recently used rebuilt environments kept in the cache

Progress = Callable[[str, int, int, str], None]


class VerifyError(ValueError):
    """The folder cannot be verified (no Python REES, no interpreter): a usage error."""


Cancelled = model.Cancelled  # the caller set the cancel event: subprocesses killed, nothing kept


@dataclass(frozen=True)
class Failure:
    """Why one notebook (or the install) is not fine."""

    kind: FailureKind
    message: str
    module: str | None = None  # the module that is missing
    suggestion: str | None = None  # the requirement line to add, when one is known
    line: str | None = None  # the REES line pip refused
    cell: int | None = None  # index among all cells of the notebook
    reason: str | None = None  # for runtime errors: data | network | code

    @property
    def rees_fault(self) -> bool:
        return self.kind in REES_FAULTS


@dataclass(frozen=True)
class ImportCheck:
    module: str
    status: Literal["ok", "missing", "error", "skipped", "optional-missing"]
    message: str = ""
    cell: int | None = None
    line: int = 1


@dataclass(frozen=True)
class NotebookVerdict:
    path: str  # relative to the folder, POSIX
    imports: tuple[ImportCheck, ...] = ()
    executed: bool | None = None  # None: not run
    seconds: float | None = None
    failures: tuple[Failure, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def rees_fault(self) -> bool:
        return any(f.rees_fault for f in self.failures)


@dataclass(frozen=True)
class InstallVerdict:
    ok: bool
    installer: str  # "uv" | "pip"
    requirements: tuple[str, ...] = ()  # the lines installed (or tried)
    failures: tuple[Failure, ...] = ()  # install-failed or index-unreachable
    left_out: tuple[str, ...] = ()  # lines refused and left out to check the rest
    output: str = ""  # the installer's last lines when it failed
    seconds: float = 0.0
    cached: bool = False


@dataclass(frozen=True)
class Verification:
    root: str
    rees_files: tuple[str, ...]
    python_version: str  # the version the REES asks for (or Binder's default)
    python: str  # the interpreter the environment was built from
    python_used: str  # its X.Y
    environment: str  # the rebuilt environment's folder
    install: InstallVerdict
    notebooks: tuple[NotebookVerdict, ...] = ()
    notes: tuple[str, ...] = ()
    ran: bool = False

    @property
    def rees_fault(self) -> bool:
        return any(f.rees_fault for f in self.install.failures) or any(n.rees_fault for n in self.notebooks)

    @property
    def unreachable(self) -> bool:
        return any(f.kind == "index-unreachable" for f in self.install.failures)

    @property
    def ok(self) -> bool:
        return self.install.ok and all(n.ok for n in self.notebooks)

    def summary(self) -> str:
        bad = [n for n in self.notebooks if not n.ok]
        if self.unreachable:
            return "Could not verify: the package index could not be reached (this says nothing about the REES)."
        if self.rees_fault:
            causes = []
            if any(f.rees_fault for f in self.install.failures):
                causes.append("it does not install")
            missing = sorted({f.module or "" for n in self.notebooks for f in n.failures if f.kind == "missing-module"} - {""})
            if missing:
                causes.append(f"it lacks {', '.join(missing)}")
            return f"The REES is at fault: {'; '.join(causes)}."
        if bad:
            return (
                f"The REES builds and provides every import; {len(bad)} of {len(self.notebooks)} "
                "notebooks failed for reasons outside the REES."
            )
        notebooks = sum(1 for n in self.notebooks if n.path.endswith(".ipynb"))
        if self.ran:
            run = sum(1 for n in self.notebooks if n.executed is not None)
            if run < notebooks:
                chosen = f"the {run} chosen notebooks run" if run != 1 else "the chosen notebook runs"
                return f"The REES builds, every import resolves in it and {chosen} ({notebooks - run} not run)."
            return f"The REES builds, every import resolves in it and all {notebooks} notebooks run."
        return f"The REES builds and every import of the {len(self.notebooks)} scanned files resolves in it ({notebooks} notebooks)."

    def to_json(self) -> dict[str, Any]:
        data = to_json(self)
        data.update(ok=self.ok, rees_fault=self.rees_fault, unreachable=self.unreachable, summary=self.summary())
        for verdict, item in zip(self.notebooks, data["notebooks"], strict=True):
            item.update(ok=verdict.ok, rees_fault=verdict.rees_fault)
        for failures in [data["install"]["failures"]] + [n["failures"] for n in data["notebooks"]]:
            for item in failures:
                item["rees_fault"] = item["kind"] in REES_FAULTS
        return data


# ----------------------------------------------------------------------------- the REES


@dataclass(frozen=True)
class ReesLine:
    text: str  # as pip gets it
    name: str | None  # canonical name, when the line is a requirement
    marker: str | None = None
    origin: str = "pip"  # pip | conda (a conda dependency tried under its PyPI name)


@dataclass(frozen=True)
class ReesSpec:
    """What repo2docker would install for a folder."""

    folder: str  # binder | .binder | .
    files: tuple[str, ...]  # the REES files read, relative to the project
    python_version: str
    lines: tuple[ReesLine, ...] = ()
    requirements_file: str | None = None  # pip reads this file itself (nested -r, options)
    texts: tuple[tuple[str, str], ...] = ()  # file -> text, for the cache key
    notes: tuple[str, ...] = ()


_RUNTIME = re.compile(r"^python-(\d+)(?:\.(\d+))?(?:\.\d+)?$")
_CONDA_PYTHON = re.compile(r"^python\s*={1,2}\s*(\d+)(?:\.(\d+))?")


def read_rees(root: Path) -> ReesSpec:
    """The REES of ``root`` as repo2docker reads it; ``VerifyError`` when it is not one
    verify can rebuild."""
    root = Path(root)
    where = next((d for d in (".binder", "binder") if (root / d).is_dir()), ".")
    base = root / where

    def has(name: str) -> bool:
        return (base / name).is_file()

    for name, pack in (("Dockerfile", "Dockerfile"), ("Project.toml", "Julia"), ("JuliaProject.toml", "Julia"), ("default.nix", "Nix")):
        if has(name):
            raise VerifyError(f"{_rel(where, name)} makes Binder use its {pack} build: verify rebuilds only pip and conda REES files")
    runtime = (base / rees_rules.RUNTIME_TXT).read_text(encoding="utf-8").strip() if has(rees_rules.RUNTIME_TXT) else None
    if runtime and re.match(r"^r-", runtime):
        raise VerifyError(f"{_rel(where, 'runtime.txt')} asks for R ({runtime}): verify rebuilds only Python environments")
    for name in ("environment.yml", "environment.yaml"):
        if has(name):
            return _read_environment(base / name, where, name)
    if has("requirements.txt"):
        notes: list[str] = []
        files = [_rel(where, "requirements.txt")]
        version = BINDER_DEFAULT_PYTHON
        if runtime is not None:
            files.append(_rel(where, "runtime.txt"))
            match = _RUNTIME.match(runtime)
            if not match:
                raise VerifyError(f"{_rel(where, 'runtime.txt')} says {runtime!r}; Binder understands python-X.Y")
            version = f"{match.group(1)}.{match.group(2)}" if match.group(2) else BINDER_DEFAULT_PYTHON
        else:
            notes.append(f"no runtime.txt: Binder uses its default Python {BINDER_DEFAULT_PYTHON}")
        if version.startswith("2."):
            raise VerifyError("the REES asks for Python 2: verify rebuilds only Python 3 environments")
        path = base / "requirements.txt"
        text = path.read_text(encoding="utf-8")
        return ReesSpec(
            folder=where,
            files=tuple(files),
            python_version=version,
            lines=tuple(_requirement_lines(text)),
            requirements_file=str(path),
            texts=((files[0], text), *((f, runtime or "") for f in files[1:])),
            notes=tuple(notes),
        )
    raise VerifyError(f"no requirements.txt or environment.yml in {where if where != '.' else 'the folder'}: nothing to verify (write a REES first)")


def _rel(where: str, name: str) -> str:
    return name if where == "." else f"{where}/{name}"


def _requirement_lines(text: str, origin: str = "pip") -> list[ReesLine]:
    lines = []
    for raw in text.replace("\\\n", "").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            lines.append(ReesLine(line, None, origin=origin))
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            lines.append(ReesLine(line, None, origin=origin))
            continue
        lines.append(ReesLine(line, canonicalize_name(req.name), str(req.marker) if req.marker else None, origin))
    return lines


def _read_environment(path: Path, where: str, name: str) -> ReesSpec:
    from ruamel.yaml import YAML, YAMLError

    text = path.read_text(encoding="utf-8")
    try:
        data = YAML(typ="safe").load(text) or {}
    except YAMLError as exc:
        raise VerifyError(f"{_rel(where, name)} is not valid YAML: {exc}") from exc
    deps = data.get("dependencies") if isinstance(data, Mapping) else None
    version, lines, conda = BINDER_DEFAULT_PYTHON, [], []
    found_python = False
    for dep in deps or ():
        if isinstance(dep, Mapping):
            for item in dep.get("pip") or ():
                lines += _requirement_lines(str(item))
            continue
        spec = str(dep).strip()
        match = _CONDA_PYTHON.match(spec)
        if match and not found_python:
            found_python = True
            version = f"{match.group(1)}.{match.group(2)}" if match.group(2) else BINDER_DEFAULT_PYTHON
            continue
        bare = re.split(r"[=<>!\s]", spec.split("::")[-1], maxsplit=1)[0]
        if bare in ("python", "pip", ""):
            continue
        conda.append(spec)
    notes = [] if found_python else [f"{_rel(where, name)} names no python=X.Y: Binder uses its default Python {BINDER_DEFAULT_PYTHON}"]
    if conda:
        pip_specs = [conda_to_pip(spec) for spec in conda]
        notes.append(
            "conda packages are installed here from the package index under their PyPI names "
            f"({', '.join(pip_specs)}); one the index lacks is reported, not blamed on the REES"
        )
        for text in pip_specs:
            lines += _requirement_lines(text, origin="conda")
    if version.startswith("2."):
        raise VerifyError("the REES asks for Python 2: verify rebuilds only Python 3 environments")
    rel = _rel(where, name)
    return ReesSpec(folder=where, files=(rel,), python_version=version, lines=tuple(lines), texts=((rel, text),), notes=tuple(notes))


def conda_to_pip(spec: str) -> str:
    """A conda dependency as a pip requirement: its PyPI name, and ``=1.2`` (conda's
    prefix match) as ``==1.2.*``; a build string is dropped."""
    spec = spec.split("::")[-1].strip()
    match = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", spec)
    if not match:
        return spec
    name, version = _pypi_name(match.group(1)), match.group(2).strip()
    if version and version[0].isdigit():  # "numpy 1.26": a match spec with a space
        version = "=" + version.split()[0]
    specifier = conda_specifier(version) if version else None
    try:
        return str(Requirement(f"{name}{specifier or ''}"))
    except InvalidRequirement:
        return name


def _pypi_name(conda: str) -> str:
    """The PyPI name of a conda package (the first, when it packages several)."""
    from ..core.conda_names import pypi_names

    names = pypi_names(conda)
    return conda if names == (canonicalize_name(conda),) else names[0]


# ----------------------------------------------------------------------------- processes


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled")


def run_process(
    cmd: Sequence[str],
    *,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
    cwd: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> tuple[int | None, str]:
    """Run ``cmd``; (exit code or None on timeout, stdout+stderr). Killed with its whole
    process group when ``cancel`` is set (raising ``Cancelled``), on an interrupt
    (Ctrl-C: the group, in a session of its own, does not hear it) or when time runs
    out; the output then ends with a line saying so. ``stdin`` is given from a file, so
    a child that never reads it cannot hold us up."""
    _check_cancel(cancel)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as given:
        if stdin is not None:
            given.write(stdin.encode())
            given.seek(0)
        proc = subprocess.Popen(
            list(cmd),
            stdin=given if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=os.name == "posix",
        )
        deadline = None if timeout is None else time.monotonic() + timeout
        code: int | None = None
        try:
            while True:
                try:
                    code = proc.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    stop = cancel is not None and cancel.is_set()
                    late = deadline is not None and time.monotonic() > deadline
                    if stop or late:
                        _kill(proc)
                        if stop:
                            raise Cancelled("cancelled") from None
                        code = None
                        break
        except BaseException:
            _kill(proc)
            raise
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
        if code is None:
            output += f"\n{_stopped(cmd, timeout)}\n"
        return code, output


def _stopped(cmd: Sequence[str], timeout: float | None) -> str:
    """The line a command stopped for taking too long ends its output with."""
    words = [os.path.basename(str(part)) for part in cmd[:3]] or ["the command"]
    if words[1:2] == ["-m"]:
        words = words[:3]  # python -m pip
    elif len(words) > 1 and words[1].isidentifier():
        words = words[:2]  # uv pip
    else:
        words = words[:1]
    return f"stopped: {' '.join(words)} did not finish within {timeout:g} s"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _clean_env() -> dict[str, str]:
    """The caller's environment without what would leak its Python into the new one."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONSTARTUP")}
    env["PYTHONNOUSERSITE"] = "1"
    env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    return env


# ----------------------------------------------------------------------------- interpreters




def _version_of(python: str) -> str | None:
    try:
        out = process.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _pyenv_root() -> Path | None:
    if os.environ.get("PYENV_ROOT"):
        return Path(os.environ["PYENV_ROOT"])
    pyenv = shutil.which("pyenv")
    if pyenv:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            out = process.run([pyenv, "root"], timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                return Path(out.stdout.strip())
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


def find_python(version: str) -> str | None:
    """An interpreter of Python ``version`` (X.Y) on PATH or in pyenv's versions."""
    candidates: list[str] = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    root = _pyenv_root()
    if root is not None and (root / "versions").is_dir():
        def patch(p: Path) -> tuple[int, ...]:
            return tuple(int(x) for x in re.findall(r"\d+", p.name)[:3])

        versions = [p for p in (root / "versions").iterdir() if re.fullmatch(rf"{re.escape(version)}(\.\d+)?", p.name)]
        for folder in sorted(versions, key=patch, reverse=True):
            exe = folder / "bin" / f"python{version}"
            if exe.is_file():
                candidates.append(str(exe))
    for candidate in candidates:
        if _version_of(candidate) == version:
            return candidate
    return None


# ----------------------------------------------------------------------------- install


_NETWORK = re.compile(
    r"Failed to establish a new connection|Temporary failure in name resolution|Name or service not known"
    r"|NewConnectionError|ConnectTimeout|Connection refused|Network is unreachable|Could not fetch URL"
    r"|error sending request|dns error|failed to lookup address|tcp connect error|Could not connect"
    r"|ProxyError|SSLError|certificate verify failed|Read timed out",
    re.IGNORECASE,
)
_REFUSED = (
    re.compile(r"No matching distribution found for ([^\s;]+)"),
    re.compile(r"Could not find a version that satisfies the requirement ([^\s;]+)"),
    re.compile(r"Because ([^\s]+?) was not found in the (?:package registry|provided package locations)"),
    re.compile(r"there is no version of ([^\s]+?)(?:[=<>!~]|\s|$)"),
    re.compile(r"Failed to (?:build|download|prepare distributions for) `?([^`\s]+)`?"),
    re.compile(r"Could not build wheels for ([^\s,]+)"),
    re.compile(r"Cannot install ([^\s]+?)(?:==\S+)? and ([^\s]+?)(?:==\S+)? because"),
    re.compile(r"(?:you require|depends on) ([A-Za-z0-9._-]+)"),
)


def _name_of(text: str) -> str | None:
    text = text.strip("`'\",.")
    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
        return canonicalize_name(match.group(0)) if match else None


def refused_lines(output: str, lines: Sequence[ReesLine]) -> list[tuple[ReesLine, str]]:
    """The REES lines the installer's ``output`` names as the cause, each with the
    message lines that name it."""
    by_name = {line.name: line for line in lines if line.name}
    found: dict[str, str] = {}
    text_lines = output.splitlines()
    for pattern in _REFUSED:
        for match in pattern.finditer(output):
            for group in match.groups():
                name = _name_of(group or "")
                if name in by_name and name not in found:
                    found[name] = ""
        if found and pattern.pattern.startswith("(?:you require"):
            break
    for name in found:
        wanted = re.compile(re.escape(name).replace(r"\-", "[-_.]"), re.IGNORECASE)
        relevant = [t.strip() for t in text_lines if wanted.search(t) and re.search(r"error|because|no matching|could not|failed|not found|conflict", t, re.I)]
        found[name] = "\n".join(relevant[:4]) or _tail(output, 4)
    return [(by_name[name], message) for name, message in found.items()]


def _tail(text: str, count: int) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-count:])


def _installer_commands(installer: str, uv: str | None, env_dir: Path) -> tuple[list[str], list[str]]:
    """(create the environment, install into it: add -r FILE or names)."""
    python = _env_python(env_dir)
    if installer == "uv":
        assert uv is not None
        return [uv, "venv", "--quiet", "--no-python-downloads", "-p", "{python}", str(env_dir)], [uv, "pip", "install", "--python", python]
    if _host_pip_targets_others():  # no pip copied into every environment: seconds saved
        create = ["{python}", "-m", "venv", "--without-pip", str(env_dir)]
        return create, [sys.executable, "-m", "pip", "--python", python, "install", "--disable-pip-version-check", "--no-input"]
    return ["{python}", "-m", "venv", str(env_dir)], [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]


def _host_pip_targets_others() -> bool:
    """Whether this Python's pip can install into another interpreter (pip >= 22.3)."""
    from importlib.metadata import PackageNotFoundError, version

    from packaging.version import InvalidVersion, Version

    try:
        return Version(version("pip")) >= Version("22.3")
    except (PackageNotFoundError, InvalidVersion):
        return False


def _env_python(env_dir: Path) -> str:
    return str(env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def cache_root() -> Path:
    """``<user cache>/jupyter-rees-ui/verify``, beside the CLI's other caches."""
    from .store import cache_folder

    return cache_folder() / "verify"


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: no lock
            pass
        yield


# ----------------------------------------------------------------------------- checks

_IMPORT_CHECK = r"""
import importlib.util, json, sys
found = {}
for name in json.load(sys.stdin):
    try:
        spec = importlib.util.find_spec(name)
        found[name] = ["ok", ""] if spec is not None else ["missing", "No module named %r" % name]
    except ModuleNotFoundError as exc:
        found[name] = ["missing", str(exc)]
    except BaseException as exc:
        found[name] = ["error", "%s: %s" % (type(exc).__name__, exc)]
sys.stdout.write("\n@@REES@@" + json.dumps(found))
"""


def check_imports(python: str, modules: Iterable[str], *, cancel: threading.Event | None = None, timeout: float = 300) -> dict[str, tuple[str, str]]:
    """module -> (ok | missing | error, message), found with ``find_spec`` by ``python``
    in isolated mode (no current folder, no user site): nothing of the notebooks runs."""
    names = sorted(set(modules))
    if not names:
        return {}
    code, out = run_process([python, "-I", "-c", _IMPORT_CHECK], stdin=json.dumps(names), cancel=cancel, timeout=timeout, env=_clean_env())
    if code is None:
        return {name: ("error", "the import check timed out") for name in names}
    _, sep, payload = out.rpartition("@@REES@@")
    if not sep:
        return {name: ("error", f"the import check failed: {_tail(out, 3)}") for name in names}
    found = _payload(payload)
    if not isinstance(found, dict):
        return {name: ("error", f"the import check failed: {_tail(out, 3)}") for name in names}
    return {name: (status, message) for name, (status, message) in found.items()}


def _payload(text: str) -> Any:
    """The JSON value a child wrote after its marker; what it (or a kernel it started)
    printed after that is ignored. None when there is none."""
    try:
        return json.JSONDecoder().raw_decode(text.lstrip())[0]
    except ValueError:
        return None


_NETWORK_ERRORS = {"ConnectionError", "URLError", "HTTPError", "gaierror", "ConnectTimeout", "ReadTimeout", "SSLError", "timeout", "ConnectionRefusedError", "ConnectionResetError", "RemoteDisconnected", "MaxRetryError", "NewConnectionError", "ProxyError"}
_DATA_ERRORS = {"FileNotFoundError", "IsADirectoryError", "NotADirectoryError", "PermissionError", "EmptyDataError"}


def classify_error(ename: str, evalue: str) -> tuple[FailureKind, str | None, str | None]:
    """(kind, missing module, reason) of an exception a cell raised."""
    if ename == "ModuleNotFoundError":
        match = re.search(r"No module named '([^']+)'", evalue)
        return "missing-module", match.group(1) if match else None, None
    if ename in _NETWORK_ERRORS or re.search(r"Name or service not known|Temporary failure in name resolution|Connection refused|Max retries exceeded", evalue):
        return "runtime-error", None, "network"
    if ename in _DATA_ERRORS or (ename == "OSError" and re.search(r"No such file|not found|does not exist", evalue, re.I)):
        return "runtime-error", None, "data"
    return "runtime-error", None, "code"


# ----------------------------------------------------------------------------- verify


@dataclass
class _Context:
    progress: Progress | None
    cancel: threading.Event | None

    def say(self, phase: str, done: int, total: int, message: str) -> None:
        _check_cancel(self.cancel)
        if self.progress is not None:
            self.progress(phase, done, total, message)


def verify_folder(
    root: str | Path,
    *,
    proposal: Proposal | None = None,
    scan: ScanResult | None = None,
    scan_cache: Any = None,
    run: bool = False,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    kernel_python: str | None = None,
    installer: str = "auto",
    index_args: Sequence[str] = (),
    kernel_index_args: Sequence[str] | None = None,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    only: Sequence[str] = (),
    max_bytes: int | None = 256 << 20,
) -> Verification:
    """Rebuild the REES of ``root`` and check its notebooks against it.

    ``scan`` gives each notebook's imports (scanned here, through ``scan_cache``, when not
    given) and ``proposal`` the distribution to suggest for a missing module (else the
    bundled mapping answers).
    ``only`` (paths relative to ``root``) limits ``run`` to these notebooks; the imports
    of every notebook are still checked.
    ``kernel_python`` is the interpreter to fall back on when the REES's Python version is
    not on this machine. ``index_args`` are passed to the installer for the REES
    (``--no-index --find-links DIR`` in tests); ``kernel_index_args`` to install ipykernel
    for ``run`` (default: the same). ``installer``: auto (uv when installed), uv, or pip.
    ``max_bytes``: the scan's size limit (larger files are reported, not read).
    """
    ctx = _Context(progress, cancel)
    root = Path(root).resolve()  # the installer runs in another folder: paths must not be relative
    if not root.is_dir():
        raise VerifyError(f"no such folder: {root}")
    only = tuple(_notebook_path(root, path) for path in only)
    ctx.say("reading", 0, 1, "reading the REES")
    spec = read_rees(root)
    if scan is None:
        from .files import scan_folder

        ctx.say("reading", 0, 1, "scanning the notebooks")
        scan = scan_folder(root, target_python=spec.python_version, cache=scan_cache, cancel=cancel, max_bytes=max_bytes)
    notes = list(spec.notes)
    python = find_python(spec.python_version)
    if python is None:
        python = kernel_python or _notebooks_python(scan)
        used = _version_of(python) or "?"
        notes.append(f"no Python {spec.python_version} on this machine: verified with Python {used} ({python}) instead")
    used = _version_of(python) or spec.python_version
    uv = find_uv() if installer in ("auto", "uv") else None
    if installer == "uv" and uv is None:
        raise VerifyError("uv is not installed (pip install 'jupyter_rees_ui[verify]')")
    chosen = "uv" if uv else "pip"
    if chosen == "pip" and installer == "auto":
        notes.append("uv is not installed: built with venv + pip (slower; pip install 'jupyter_rees_ui[verify]')")
    key = _cache_key(spec, chosen, python, used, index_args)
    env_dir = Path(cache_dir or cache_root()) / key
    with _locked(env_dir.with_suffix(".lock")):
        install = _build(spec, root, env_dir, chosen, uv, python, index_args, ctx)
    prune_cache(env_dir.parent, keep=KEEP_ENVIRONMENTS)
    verdicts = _check_notebooks(scan, spec, proposal, env_dir, install, ctx)
    if run and (install.ok or install.left_out):
        verdicts = _run_notebooks(root, verdicts, env_dir, chosen, uv, kernel_index_args if kernel_index_args is not None else index_args, cell_timeout, total_timeout, notes, ctx, only)
    ctx.say("done", 1, 1, "done")
    return Verification(
        root=str(root),
        rees_files=spec.files,
        python_version=spec.python_version,
        python=python,
        python_used=used,
        environment=str(env_dir),
        install=install,
        notebooks=tuple(verdicts),
        notes=tuple(notes),
        ran=run,
    )


def _notebook_path(root: Path, path: str) -> str:
    """A notebook to run, as a POSIX path relative to ``root`` (a VerifyError if it is no
    notebook of the folder)."""
    target = (root / path).resolve()
    if not target.is_relative_to(root) or target.suffix != ".ipynb" or not target.is_file():
        raise VerifyError(f"no notebook {path} in {root}")
    return target.relative_to(root).as_posix()


def _notebooks_python(scan: ScanResult) -> str:
    """The interpreter of the kernel most notebooks name, else this one."""
    from .environment import kernel_python
    from .project import kernel_names

    names = kernel_names(scan)
    try:
        return kernel_python(names[0] if names else None)
    except (KeyError, ValueError):
        return sys.executable


def _cache_key(spec: ReesSpec, installer: str, python: str, version: str, index_args: Sequence[str]) -> str:
    data = json.dumps([spec.texts, [l.text for l in spec.lines], installer, os.path.realpath(python), version, list(index_args)])
    return hashlib.sha256(data.encode()).hexdigest()[:20]


def _build(spec: ReesSpec, root: Path, env_dir: Path, installer: str, uv: str | None, python: str, index_args: Sequence[str], ctx: _Context) -> InstallVerdict:
    marker = env_dir / MARKER_FILE
    if marker.is_file():
        with contextlib.suppress(ValueError, TypeError, KeyError, OSError):
            saved = json.loads(marker.read_text(encoding="utf-8"))
            os.utime(marker)  # used now: the last to be pruned
            failures = tuple(Failure(**f) for f in saved.pop("failures"))
            return replace(InstallVerdict(**{**saved, "failures": failures}), cached=True)
    if env_dir.exists():
        shutil.rmtree(env_dir, ignore_errors=True)
    create, install = _installer_commands(installer, uv, env_dir)
    started = time.monotonic()
    ctx.say("environment", 0, 1, f"creating a Python {spec.python_version} environment with {installer}")
    code, out = run_process([python if part == "{python}" else part for part in create], cancel=ctx.cancel, timeout=300, env=_clean_env())
    if code != 0:
        shutil.rmtree(env_dir, ignore_errors=True)
        raise VerifyError(f"could not create the environment: {_tail(out, 5)}")
    lines = [line for line in spec.lines]
    left_out: list[str] = []
    failures: list[Failure] = []
    output = ""
    ok = True
    try:
        for attempt in range(3):
            ctx.say("installing", 0, 1, f"installing {len(lines)} requirements" + (" (without the refused lines)" if attempt else ""))
            with tempfile.TemporaryDirectory(prefix="rees-verify-") as tmp:
                if attempt == 0 and spec.requirements_file:
                    source = spec.requirements_file
                else:
                    source = os.path.join(tmp, "requirements.txt")
                    Path(source).write_text("".join(l.text + "\n" for l in lines), encoding="utf-8")
                if not any(l.name for l in lines) and not any(l.text.startswith("-") and not l.text.startswith("--") for l in lines):
                    code, out = 0, ""
                else:
                    code, out = run_process([*install, "-r", source, *index_args], cancel=ctx.cancel, timeout=INSTALL_TIMEOUT, cwd=root, env=_clean_env())
            if code == 0:
                break
            if attempt == 0:
                ok, output = False, _tail(out, 15)
            if code is None:
                failures.append(Failure("install-failed", f"the install took longer than {INSTALL_TIMEOUT:.0f} s"))
                break
            if _NETWORK.search(out):
                failures.append(Failure("index-unreachable", "the package index could not be reached: " + _tail("\n".join(t for t in out.splitlines() if _NETWORK.search(t)), 2)))
                break
            refused = refused_lines(out, lines)
            if not refused:
                failures.append(Failure("install-failed", _tail(out, 6)))
                break
            for line, message in refused:
                if line.origin == "conda":
                    notes_msg = f"the conda package {line.text} is not on the package index under this name (not checked: verify has no conda)"
                    failures.append(Failure("runtime-error", notes_msg, line=line.text, reason="conda"))
                else:
                    failures.append(Failure("install-failed", message, line=line.text))
                left_out.append(line.text)
            lines = [l for l in lines if l not in {line for line, _ in refused}]
            if attempt == 2:
                failures.append(Failure("install-failed", "the rest did not install either: " + _tail(out, 4)))
        if ok is False and all(f.kind == "runtime-error" for f in failures) and failures:
            ok = True  # only conda names the index lacks: not the REES's fault
    except BaseException:
        shutil.rmtree(env_dir, ignore_errors=True)
        raise
    verdict = InstallVerdict(
        ok=ok,
        installer=installer,
        requirements=tuple(l.text for l in spec.lines),
        failures=tuple(failures),
        left_out=tuple(left_out),
        output=output,
        seconds=round(time.monotonic() - started, 2),
    )
    if any(f.kind == "index-unreachable" for f in failures) or (failures and not left_out):
        shutil.rmtree(env_dir, ignore_errors=True)  # nothing worth keeping
    else:
        data = to_json(verdict)
        data.pop("cached")
        marker.write_text(json.dumps(data), encoding="utf-8")
    return verdict


def prune_cache(folder: Path, *, keep: int) -> list[str]:
    """Delete the rebuilt environments of ``folder`` beyond the ``keep`` most recently
    used (a finished build's marker is touched on each use); their names."""
    built = []
    for entry in folder.iterdir() if folder.is_dir() else ():
        marker = entry / MARKER_FILE
        with contextlib.suppress(OSError):
            if entry.is_dir() and marker.is_file():
                built.append((marker.stat().st_mtime, entry))
    removed = []
    for _mtime, entry in sorted(built, key=lambda item: item[0], reverse=True)[keep:]:
        shutil.rmtree(entry, ignore_errors=True)
        with contextlib.suppress(OSError):
            entry.with_suffix(".lock").unlink()
        removed.append(entry.name)
    return removed


def _marker_skips(line: ReesLine | None) -> bool:
    if line is None or not line.marker:
        return False
    try:
        return not Marker(line.marker).evaluate()
    except InvalidMarker:
        return False


# Mapping answers that only guess: a namespace's dotted path, a package's owner for a
# sub-package other wheels install into.
GUESSED_ORIGINS = frozenset({"namespace", "shared"})


def _suggest(module: str, proposal: Proposal | None) -> tuple[str | None, str | None, str | None]:
    """(the requirement line to add, the distribution's canonical name, a distribution
    that only probably provides it) for a module. A line is suggested from the proposal
    or from a mapping answer that is known; a guess of the mapping is only named."""
    top = module.split(".", 1)[0]
    for row in proposal.requirements if proposal is not None else ():
        if module in row.modules or top in row.modules or any(m.split(".", 1)[0] == top for m in row.modules):
            return row.line, canonicalize_name(row.name), None
    answer = bundled_mapping().lookup(module)
    if answer is not None and len(answer.distributions) == 1:
        if answer.origin in GUESSED_ORIGINS:
            return None, None, answer.distributions[0]
        return answer.distributions[0], canonicalize_name(answer.distributions[0]), None
    return None, None, None


def _check_notebooks(scan: ScanResult, spec: ReesSpec, proposal: Proposal | None, env_dir: Path, install: InstallVerdict, ctx: _Context) -> list[NotebookVerdict]:
    by_file: dict[str, list[Any]] = {}
    for site in scan.imports:
        if site.kind == "type-checking":
            continue
        by_file.setdefault(site.location.path, []).append(site)
    notebooks = sorted({p for p in scan.files if p.endswith((".ipynb", ".md")) and p in by_file} | {p for p in scan.files if p.endswith(".ipynb")})
    others = sorted(p for p in by_file if p not in notebooks)
    files = notebooks + others
    if not env_dir.is_dir():
        return [NotebookVerdict(path) for path in files]
    ctx.say("imports", 0, len(files), "checking imports")
    modules = {site.module for sites in by_file.values() for site in sites}
    modules |= {module.split(".", 1)[0] for module in modules}  # is the package there, when a submodule is not?
    results = check_imports(_env_python(env_dir), modules, cancel=ctx.cancel)
    used = _imported_scripts(others, scan)
    python2 = python2_only_names()
    lines = {line.name: line for line in spec.lines if line.name}
    verdicts = []
    for done, path in enumerate(files, 1):
        checks: list[ImportCheck] = []
        failures: list[Failure] = []
        seen: set[str] = set()
        for site in sorted(by_file.get(path, ()), key=lambda s: (s.location.cell or 0, s.location.line)):
            if site.module in seen:
                continue
            seen.add(site.module)
            status, message = results.get(site.module, ("error", "not checked"))
            loc = site.location
            if status == "ok":
                checks.append(ImportCheck(site.module, "ok", "", loc.cell, loc.line))
                continue
            suggestion, name, guess = _suggest(site.module, proposal)
            if name is not None and _marker_skips(lines.get(name)):
                checks.append(ImportCheck(site.module, "skipped", f"{lines[name].text}: not installed on this platform", loc.cell, loc.line))
                continue
            if site.kind == "optional":
                checks.append(ImportCheck(site.module, "optional-missing", message, loc.cell, loc.line))
                continue
            top = site.module.split(".", 1)[0]
            if status == "missing" and path not in notebooks and path not in used:
                # A script nothing imports (a fabfile, a site generator): its needs are not the REES's.
                checks.append(ImportCheck(site.module, "skipped", "imported by a script the project never imports: not checked against the REES", loc.cell, loc.line))
                continue
            if status == "missing" and top in scan.tree_modules and top not in lines:
                # A chapter module in a sibling folder (code/nsfg.py for solutions/*.ipynb).
                checks.append(ImportCheck(site.module, "missing", message, loc.cell, loc.line))
                text = f"{site.module} is a module of this project that is not found from {path}'s folder: run the notebook where it is, or put the module beside it (no REES line provides it)"
                failures.append(Failure("runtime-error", text, module=site.module, cell=loc.cell, reason="code"))
                continue
            if status == "missing" and top in python2:
                checks.append(ImportCheck(site.module, "missing", message, loc.cell, loc.line))
                text = f"{site.module} is Python 2's standard library, not a package: the code needs porting to Python 3 (no REES line can provide it)"
                failures.append(Failure("runtime-error", text, module=site.module, cell=loc.cell, reason="code"))
                continue
            if status == "missing" and "." in site.module and results.get(top, ("",))[0] == "ok":
                # The REES installs the package; the release it got has no such module (an
                # API that moved or was removed), which no missing line explains.
                checks.append(ImportCheck(site.module, "missing", message, loc.cell, loc.line))
                text = f"{site.module} is not in the {top} the REES installs: the code uses a module this release no longer has"
                failures.append(Failure("runtime-error", text, module=site.module, cell=loc.cell, reason="code"))
                continue
            checks.append(ImportCheck(site.module, "missing" if status == "missing" else "error", message, loc.cell, loc.line))
            if status == "missing":
                if name is not None and name in lines and lines[name].text in install.left_out:
                    text = f"{site.module} is missing because {lines[name].text} did not install"
                elif name is not None and name in lines:
                    text = f"{site.module} is missing although the REES lists {lines[name].text}"
                elif suggestion:
                    text = f"{site.module} is not installed by the REES: add {suggestion}"
                elif guess:
                    text = (
                        f"{site.module} is not installed by the REES: {guess} probably provides it "
                        "(a guess from the module's name: check it before adding it)"
                    )
                else:
                    text = f"{site.module} is not installed by the REES and no distribution is known to provide it: name one, or remove the import"
                failures.append(Failure("missing-module", text, module=site.module, suggestion=suggestion, cell=loc.cell))
            else:
                failures.append(Failure("runtime-error", f"importing {site.module} failed: {message}", module=site.module, cell=loc.cell, reason="code"))
        verdicts.append(NotebookVerdict(path, tuple(checks), failures=tuple(failures)))
        ctx.say("imports", done, len(files), f"checked the imports of {path}")
    return verdicts


def _imported_scripts(scripts: Sequence[str], scan: ScanResult) -> set[str]:
    """The scripts the project imports as local modules (a script's name, or a package
    folder it lives in, is a local name some file of the project imports)."""
    used = set(scan.local_modules)
    found = set()
    for path in scripts:
        parts = path.split("/")
        if {parts[-1].rsplit(".", 1)[0], *parts[:-1]} & used:
            found.add(path)
    return found


# ----------------------------------------------------------------------------- execution

_SKIPPED_COPY = shutil.ignore_patterns(".git", ".hg", ".svn", "node_modules", "__pycache__", ".ipynb_checkpoints", ".venv", "venv", ".tox", ".nox")


def copy_project(root: Path, target: Path) -> Path:
    """A copy of the project to run notebooks in (never the user's files)."""
    destination = target / root.resolve().name
    shutil.copytree(root, destination, ignore=_SKIPPED_COPY, symlinks=True)
    return destination


def _ensure_ipykernel(env_dir: Path, installer: str, uv: str | None, index_args: Sequence[str], ctx: _Context) -> str | None:
    """None when the environment can run a kernel, else why not."""
    python = _env_python(env_dir)
    if check_imports(python, ["ipykernel"], cancel=ctx.cancel).get("ipykernel", ("",))[0] == "ok":
        return None
    ctx.say("installing", 0, 1, "installing ipykernel to run the notebooks")
    _create, install = _installer_commands(installer, uv, env_dir)
    code, out = run_process([*install, "ipykernel", *index_args], cancel=ctx.cancel, timeout=INSTALL_TIMEOUT, env=_clean_env())
    if code != 0:
        return "could not install ipykernel into the rebuilt environment: " + _tail(out, 3)
    return None


def _run_notebooks(root: Path, verdicts: list[NotebookVerdict], env_dir: Path, installer: str, uv: str | None, index_args: Sequence[str], cell_timeout: float, total_timeout: float, notes: list[str], ctx: _Context, only: Sequence[str] = ()) -> list[NotebookVerdict]:
    import importlib.util

    if importlib.util.find_spec("nbclient") is None:
        notes.append("nbclient is not installed, so the notebooks were not run: pip install 'jupyter_rees_ui[verify]'")
        return verdicts
    problem = _ensure_ipykernel(env_dir, installer, uv, index_args, ctx)
    if problem:
        notes.append(problem + " (notebooks not run)")
        return verdicts
    deadline = time.monotonic() + total_timeout
    runnable = [v for v in verdicts if v.path.endswith(".ipynb") and (not only or v.path in only)]
    out: dict[str, NotebookVerdict] = {}
    with tempfile.TemporaryDirectory(prefix="rees-verify-run-") as tmp:
        copy = copy_project(root, Path(tmp))
        for done, verdict in enumerate(runnable):
            ctx.say("running", done, len(runnable), f"running {verdict.path} ({done + 1} of {len(runnable)})")
            left = deadline - time.monotonic()
            if left <= 0:
                failure = Failure("timeout", f"not run: the total time limit ({total_timeout:.0f} s) was reached")
                out[verdict.path] = replace(verdict, failures=verdict.failures + (failure,))
                continue
            out[verdict.path] = _execute(copy, verdict, env_dir, cell_timeout, left, ctx)
        ctx.say("running", len(runnable), len(runnable), "ran the notebooks")
    return [out.get(v.path, v) for v in verdicts]


def _execute(copy: Path, verdict: NotebookVerdict, env_dir: Path, cell_timeout: float, left: float, ctx: _Context) -> NotebookVerdict:
    started = time.monotonic()
    cmd = [sys.executable, "-m", "jupyter_rees_ui.adapters.verify", "--execute", str(copy / verdict.path), _env_python(env_dir), str(cell_timeout)]
    env = _clean_env()
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = package_parent  # this package, wherever it runs from
    code, out = run_process(cmd, cancel=ctx.cancel, timeout=left + 5, env=env, cwd=str(copy))
    seconds = round(time.monotonic() - started, 2)
    if code is None:
        failure = Failure("timeout", f"stopped: the total time limit was reached after {seconds:.0f} s")
        return replace(verdict, executed=False, seconds=seconds, failures=verdict.failures + (failure,))
    _, sep, payload = out.rpartition("@@REES@@")
    if not sep:
        failure = Failure("runtime-error", f"could not run the notebook: {_tail(out, 4)}", reason="code")
        return replace(verdict, executed=False, seconds=seconds, failures=verdict.failures + (failure,))
    result = _payload(payload)
    if not isinstance(result, dict) or "status" not in result:
        failure = Failure("runtime-error", f"could not run the notebook: {_tail(out, 4)}", reason="code")
        return replace(verdict, executed=False, seconds=seconds, failures=verdict.failures + (failure,))
    failures = list(verdict.failures)
    if result["status"] == "timeout":
        failures.append(Failure("timeout", f"cell {result['cell'] + 1} ran longer than {cell_timeout:.0f} s", cell=result["cell"]))
    elif result["status"] == "error":
        kind, module, reason = classify_error(result["ename"], result["evalue"])
        known = {f.module for f in failures if f.kind == "missing-module"}
        if not (kind == "missing-module" and module in known):
            text = f"{result['ename']}: {result['evalue']}"
            if kind == "missing-module":
                text = f"{module} is not installed by the REES ({text})"
            elif reason in ("data", "network"):
                text += f" (a {'data file' if reason == 'data' else 'network'} problem, unrelated to the REES)"
            failures.append(Failure(kind, text, module=module, cell=result["cell"], reason=reason))
    elif result["status"] == "dead":
        failures.append(Failure("runtime-error", f"the kernel died: {result['evalue']}", cell=result.get("cell"), reason="code"))
    return replace(verdict, executed=result["status"] == "ok", seconds=seconds, failures=tuple(failures))


def execute_notebook(path: str, python: str, cell_timeout: float) -> dict[str, Any]:
    """Run one notebook with a kernel of ``python`` (in this process: the child that
    ``_execute`` starts, so a cancel or a total timeout can kill it and its kernel)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    current = {"cell": None}
    with tempfile.TemporaryDirectory(prefix="rees-kernel-") as kernels:
        folder = Path(kernels) / "rees-verify"
        folder.mkdir()
        (folder / "kernel.json").write_text(json.dumps({
            "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "REES", "language": "python",
        }))
        ksm = KernelSpecManager(kernel_dirs=[kernels], ensure_native_kernel=False)
        km = AsyncKernelManager(kernel_name="rees-verify", kernel_spec_manager=ksm)
        client = NotebookClient(
            nb, km=km, timeout=cell_timeout, kernel_name="rees-verify", startup_timeout=120,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
            on_cell_start=lambda cell, cell_index: current.update(cell=cell_index),
        )
        try:
            client.execute()
        except CellTimeoutError:
            return {"status": "timeout", "cell": current["cell"]}
        except DeadKernelError as exc:
            return {"status": "dead", "cell": current["cell"], "evalue": str(exc)[:500]}
        except CellExecutionError as exc:
            return {"status": "error", "cell": current["cell"], "ename": exc.ename, "evalue": str(exc.evalue)[:500]}
    return {"status": "ok", "cell": None}


def register_kernel(env_dir: str | Path, project: str, *, installer: str = "auto", index_args: Sequence[str] = ()) -> str:
    """Register the rebuilt environment as the Jupyter kernel "<project> (from its REES)";
    returns the kernel's name."""
    env_dir = Path(env_dir)
    uv = find_uv() if installer in ("auto", "uv") else None
    ctx = _Context(None, None)
    problem = _ensure_ipykernel(env_dir, "uv" if uv else "pip", uv, index_args, ctx)
    if problem:
        raise VerifyError(problem)
    slug = re.sub(r"[^a-z0-9]+", "-", project.lower()).strip("-") or "project"
    name = f"rees-{slug}-{env_dir.name[:8]}"
    display = f"{project} (from its REES)"
    code, out = run_process([_env_python(env_dir), "-m", "ipykernel", "install", "--user", "--name", name, "--display-name", display], timeout=120, env=_clean_env())
    if code != 0:
        raise VerifyError(f"could not register the kernel: {_tail(out, 3)}")
    return name


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--execute":
    outcome = execute_notebook(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    sys.stdout.write("\n@@REES@@" + json.dumps(outcome))
