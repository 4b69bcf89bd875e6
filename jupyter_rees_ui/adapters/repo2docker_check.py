"""Ask repo2docker itself what Binder would build from a folder, without Docker.

Optional: used when jupyter-repo2docker is importable. A subprocess (so that
repo2docker's chdir and logging stay out of the server) picks the buildpack the way
``Repo2Docker.build`` does (each buildpack's ``detect()`` in order, in the folder) and
renders its Dockerfile, which is what ``repo2docker --no-run --no-build`` prints.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import process
from ..core.check import CheckError, environment_dependencies, requirement_names
from ..core.model import ReesFileName, to_json, values

TIMEOUT = 60
#: files larger than this are not copied for a check (configuration files are small)
_MAX_COPY = 1 << 20

# What to run when the check is missing; shown by the CLI and the sidebar.
INSTALL_HINT = "pip install 'jupyter_rees_ui[repo2docker]'"
NOT_INSTALLED = f"repo2docker not installed: {INSTALL_HINT} to see what Binder would build"

_SCRIPT = r"""
import json, logging, sys
logging.disable(logging.CRITICAL)
from repo2docker.app import Repo2Docker
app = Repo2Docker()
picked = None
for BP in app.buildpacks:
    candidate = BP(base_image=app.base_image)
    if candidate.detect():
        picked = candidate
        break
if picked is None:
    picked = app.default_buildpack(base_image=app.base_image)
picked.platform = app.platform
out = {"buildpack": type(picked).__name__, "binder_dir": picked.binder_dir}
try:
    out["python_version"] = getattr(picked, "python_version", None)
    out["dockerfile"] = picked.render({"NB_USER": "jovyan", "NB_UID": "1000"})
except Exception as err:
    out["error"] = f"{type(err).__name__}: {err}"
print(json.dumps(out))
"""


class Repo2DockerUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class RequirementCheck:
    name: str  # canonical
    file: str  # the REES file that lists it
    reached: bool  # that file is installed by the Dockerfile


@dataclass(frozen=True)
class Repo2DockerSummary:
    buildpack: str  # e.g. "PythonBuildPack", "CondaBuildPack"
    binder_dir: str  # "binder", ".binder" or "" (the root)
    python_version: str | None
    files_used: tuple[str, ...]  # REES files the Dockerfile installs from
    requirements: tuple[RequirementCheck, ...]
    dockerfile: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(r.reached for r in self.requirements)


def available() -> bool:
    return importlib.util.find_spec("repo2docker") is not None


def _environment_names(text: str) -> list[tuple[str, bool]]:
    """(name, via pip) for each dependency of an environment.yml but python and pip."""
    try:
        found = environment_dependencies(text)
    except CheckError:
        return []
    return [(name, pip) for name, pip in found if pip or name not in ("python", "pip")]


def _files_used(dockerfile: str, binder_dir: str) -> tuple[str, ...]:
    """The REES files the Dockerfile installs: named, quoted, in a command (a RUN line
    or its continuation), not merely copied in."""
    prefix = f"{binder_dir}/" if binder_dir else ""
    used = []
    for name in (n for n in values(ReesFileName) if n != ReesFileName.RUNTIME_TXT.value):
        path = prefix + name
        if re.search(rf'^(?!COPY\b).*"{re.escape(path)}"', dockerfile, re.MULTILINE):
            used.append(path)
    return tuple(used)


def check(folder: Path, *, python: str | None = None) -> Repo2DockerSummary:
    """What repo2docker would build from ``folder``: buildpack, Python version, and for
    each requirement in the folder's REES files whether the Dockerfile installs it."""
    interpreter = python or sys.executable
    if python is None and not available():
        raise Repo2DockerUnavailable(NOT_INSTALLED)
    folder = Path(folder).resolve()
    try:
        result = process.run([interpreter, "-c", _SCRIPT], cwd=folder, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as err:
        raise Repo2DockerUnavailable(f"repo2docker did not answer within {TIMEOUT:g} s (stopped).") from err
    except OSError as err:
        raise Repo2DockerUnavailable(f"repo2docker could not be run: {err}") from err
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        return Repo2DockerSummary("", "", None, (), (), "", error=last)
    try:
        data = json.loads((result.stdout.strip().splitlines() or [""])[-1])
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        return Repo2DockerSummary("", "", None, (), (), "", error="repo2docker gave no readable answer")
    dockerfile = data.get("dockerfile") or ""
    binder_dir = data.get("binder_dir") or ""
    used = _files_used(dockerfile, binder_dir)
    prefix = f"{binder_dir}/" if binder_dir else ""
    checks: list[RequirementCheck] = []
    for name in (ReesFileName.REQUIREMENTS_TXT.value, ReesFileName.ENVIRONMENT_YML.value):
        path = folder / (prefix + name)
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        listed = (
            [(n, False) for n in requirement_names(text)]
            if name == ReesFileName.REQUIREMENTS_TXT.value
            else _environment_names(text)
        )
        for requirement, _pip in listed:
            checks.append(RequirementCheck(requirement, prefix + name, prefix + name in used))
    return Repo2DockerSummary(
        buildpack=data.get("buildpack", ""),
        binder_dir=binder_dir,
        python_version=data.get("python_version"),
        files_used=used,
        requirements=tuple(sorted(checks, key=lambda c: (c.file, c.name))),
        dockerfile=dockerfile,
        error=data.get("error"),
    )


def summarize(folder: Path) -> dict:
    """The check as JSON-able data without the Dockerfile, for the sidebar and the CLI.
    Without jupyter-repo2docker: ``{"installed": False, "message": ..., "install": ...}``."""
    if not available():
        return {"installed": False, "message": NOT_INSTALLED, "install": INSTALL_HINT}
    try:
        summary = check(folder)
    except Repo2DockerUnavailable as exc:
        return {"installed": True, "error": str(exc)}
    data = to_json(summary)
    data.pop("dockerfile", None)
    data["ok"] = summary.ok
    data["installed"] = True
    return data


def _copy_configuration(folder: Path, into: Path) -> None:
    """The files repo2docker reads: regular files at the top of ``folder`` and in its
    binder/ and .binder/ folders (links and large files are left out)."""
    for source_dir, target_dir in (
        (folder, into),
        (folder / "binder", into / "binder"),
        (folder / ".binder", into / ".binder"),
    ):
        try:
            if not stat.S_ISDIR(source_dir.lstat().st_mode):
                continue
            entries = list(source_dir.iterdir())
        except OSError:
            continue
        target_dir.mkdir(exist_ok=True)
        for entry in entries:
            try:
                info = entry.lstat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_size <= _MAX_COPY:
                shutil.copyfile(entry, target_dir / entry.name)


def summarize_planned(folder: Path, changes) -> dict | None:
    """The check run on what the folder would be after writing ``changes`` (the
    preview's FileChanges), in a temporary copy: nothing in ``folder`` is written.
    None when jupyter-repo2docker is not installed."""
    if not available():
        return None
    with tempfile.TemporaryDirectory(prefix="rees-check-") as tmp:
        copy = Path(tmp) / Path(folder).name
        copy.mkdir()
        _copy_configuration(Path(folder), copy)
        for change in changes:
            target = copy / change.path
            if change.new is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(change.new, encoding="utf-8")
        return summarize(copy)


__all__ = [
    "INSTALL_HINT",
    "NOT_INSTALLED",
    "Repo2DockerSummary",
    "Repo2DockerUnavailable",
    "RequirementCheck",
    "available",
    "check",
    "summarize",
    "summarize_planned",
]
