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
) -> ResolveResult:
    """Resolve the requirements file ``requirements`` (relative lines such as ``-r``
    or ``-e .`` are read from its folder) for Python ``python_version`` ("3.11").
    ``uv``: True finds uv, a path uses that one, False/None uses pip."""
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
        done = process.run(command, cwd=folder, timeout=timeout, env={**os.environ, "PIP_NO_INPUT": "1"})
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


def resolve_text(text: str, python_version: str, folder: Path, **options: object) -> ResolveResult:
    """Resolve requirement lines given as text (the pip section of an environment.yml)
    from ``folder``, through a temporary file outside it."""
    with tempfile.TemporaryDirectory(prefix="rees-resolve-") as tmp:
        path = Path(tmp) / "requirements.txt"
        path.write_text(text, encoding="utf-8")
        return resolve_requirements(path, python_version, cwd=folder, **options)  # type: ignore[arg-type]


def _trim(output: str, limit: int = 1200) -> str:
    """The installer's message without progress noise, at most ``limit`` characters."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    lines = [line for line in lines if not line.lstrip().startswith(("Resolved ", "Using Python"))]
    text = "\n".join(lines[-15:])
    return text if len(text) <= limit else "…" + text[-limit:]
