"""Do the requirements of a REES resolve for its Python version?  (``check --resolve``)

Resolution without installing: ``uv pip compile --python-version X`` when uv is
installed, else ``pip install --dry-run --ignore-installed``. Both ask the package index
the installer is configured with, so this needs the network and is opt-in. A failure to
reach the index is reported as such (``ok`` is None), never as a broken REES.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import process

#: what an installer prints when it cannot reach the index (not the REES's fault)
_OFFLINE = re.compile(
    r"Failed to fetch|Could not connect|dns error|Temporary failure in name resolution|"
    r"NewConnectionError|Network is unreachable|Could not fetch URL|ConnectTimeout|"
    r"Connection refused|timed out",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ResolveResult:
    """The resolver's verdict: True (resolves), False (it does not: ``message`` says
    why), None (it could not be asked: no index, no resolver, a timeout)."""

    ok: bool | None
    tool: str  # the command that answered, e.g. "uv pip compile"
    python_version: str
    message: str = ""


def find_uv() -> str | None:
    """The uv executable: on PATH, or the one the ``uv`` Python package ships."""
    found = shutil.which("uv")
    if found:
        return found
    try:
        import uv  # type: ignore[import-not-found]

        return uv.find_uv_bin()
    except (ImportError, FileNotFoundError, AttributeError):
        return None


def resolve_requirements(
    requirements: Path,
    python_version: str,
    *,
    timeout: float = 300,
    uv: str | None | bool = True,
    cwd: Path | None = None,
    cancel: threading.Event | None = None,
) -> ResolveResult:
    """Resolve the requirements file ``requirements`` (relative lines such as ``-r``
    or ``-e .`` are read from its folder) for Python ``python_version`` ("3.11").
    ``uv``: True finds uv, a path uses that one, False/None uses pip. Once ``cancel``
    is set the resolver is stopped and ``Cancelled`` raised."""
    uv_bin = find_uv() if uv is True else (uv or None)
    folder = cwd or requirements.parent
    if uv_bin:
        tool = "uv pip compile"
        command = [
            uv_bin, "pip", "compile", "--quiet", "--no-header",
            "--python-version", python_version, str(requirements),
        ]
    else:
        tool = "pip install --dry-run"
        command = [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
            "--quiet", "--disable-pip-version-check", "--report", os.devnull, "-r", str(requirements),
        ]
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        if python_version != running:
            # another Python: pip can only judge wheels for it
            command[4:4] = ["--python-version", python_version, "--only-binary=:all:"]
            tool += f" --python-version {python_version} --only-binary=:all:"
    try:
        done = process.run(command, cwd=folder, timeout=timeout, env={**os.environ, "PIP_NO_INPUT": "1"}, cancel=cancel)
    except subprocess.TimeoutExpired:
        return ResolveResult(None, tool, python_version, f"no answer within {timeout:.0f} s")
    except OSError as exc:
        return ResolveResult(None, tool, python_version, f"could not run it: {exc}")
    output = (done.stderr or "") + (done.stdout if done.returncode else "")
    if done.returncode == 0:
        return ResolveResult(True, tool, python_version)
    message = _trim(output)
    if _OFFLINE.search(output) and not re.search(r"No matching distribution|not found in the package registry|No solution found", output):
        return ResolveResult(None, tool, python_version, f"the package index could not be reached: {message}")
    return ResolveResult(False, tool, python_version, message)


def resolve_text(
    text: str, python_version: str, folder: Path, *, cancel: threading.Event | None = None, **options: object
) -> ResolveResult:
    """Resolve requirement lines given as text (the pip section of an environment.yml,
    a REES about to be written) from ``folder``, through a temporary file outside it.
    A verdict (True or False) is remembered for the same text, Python, folder and
    installer settings, so previewing the same REES again asks nobody. ``cancel``: as
    for ``resolve_requirements``."""
    key = _cache_key(text, python_version, folder, options)
    with _CACHE_LOCK:
        known = _CACHE.get(key)
    if known is not None:
        return known
    with tempfile.TemporaryDirectory(prefix="rees-resolve-") as tmp:
        path = Path(tmp) / "requirements.txt"
        path.write_text(text, encoding="utf-8")
        result = resolve_requirements(path, python_version, cwd=folder, cancel=cancel, **options)  # type: ignore[arg-type]
    if result.ok is not None:
        with _CACHE_LOCK:
            _CACHE[key] = result
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
    return result


_CACHE: dict[tuple[object, ...], ResolveResult] = {}
_CACHE_SIZE = 256
_CACHE_LOCK = threading.Lock()


def _cache_key(text: str, python_version: str, folder: Path, options: dict[str, object]) -> tuple[object, ...]:
    """What a verdict depends on: the lines, the Python, the folder relative lines are
    read from, the resolver asked, and the installers' settings in the environment."""
    settings = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(("PIP_", "UV_"))))
    return (text, python_version, str(folder), tuple(sorted(options.items())), find_uv(), settings)


def forget() -> None:
    """Drop every remembered verdict."""
    with _CACHE_LOCK:
        _CACHE.clear()


def reason(message: str, name: str | None = None, limit: int = 300) -> str:
    """The resolver's message as one line. uv's explanation of a conflict is a chain
    ("Because a depends on b<2 … And because you require b==2 …"): its last step about
    ``name`` and what the file requires are kept; otherwise the message with its frame
    characters and "No solution found" header dropped, whitespace collapsed. At most
    ``limit`` characters."""
    text = re.sub(r"[×╰─▶│├┬┴┼╭╮╯]+", " ", message)
    text = re.sub(r"(?i)\berror:\s*", "", text)
    text = re.sub(r"(?i)no solution found when resolving dependencies:?\s*", "", text)
    text = re.sub(r"(?i)\bcause:\s*", "", text)
    text = re.split(r"(?i)\bhint:", text, maxsplit=1)[0]  # uv's advice after the reason
    text = re.sub(r"\s+", " ", text).strip(" .:") or "it does not resolve"
    if name is not None:
        spec = r"[A-Za-z0-9_.\-]+(?:\[[^\]]*\])?(?:[<>=!~]=?[^\s,]+(?:,[<>=!~]=?[^\s,]+)*)?"
        clauses = [
            m.group(0) for m in re.finditer(rf"({spec}) depends on ({spec})", text)
            if _canonical(m.group(1)) == _canonical(name)
        ] + [
            f"every version of {m.group(1)} depends on {m.group(2)}"
            for m in re.finditer(rf"all versions of ({spec}) depend on ({spec})", text)
            if _canonical(m.group(1)) == _canonical(name)
        ]
        required = [r for r in re.findall(r"you require (.+?), we can conclude", text) if r != name]
        if clauses:
            tail = f", and the REES requires {required[-1]}" if required else ""
            text = f"{clauses[-1].rstrip('.')}{tail}: no version of {name} fits"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _canonical(requirement: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(re.split(r"[\[<>=!~]", requirement, maxsplit=1)[0])


def _trim(output: str, limit: int = 1200) -> str:
    """The installer's message without progress noise, at most ``limit`` characters."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    lines = [line for line in lines if not line.lstrip().startswith(("Resolved ", "Using Python"))]
    text = "\n".join(lines[-15:])
    return text if len(text) <= limit else "…" + text[-limit:]
