"""Does an existing REES cover what the notebooks import?  (``jupyter rees check``)

Pure: the texts of the REES files Binder will read, and a proposal, in; the names that are
missing (imported, not declared) and unused (declared, not imported) out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .conda_names import pypi_names
from .model import ENVIRONMENT_FILES, Proposal, ProposedRequirement, ReesFileName



#: declared in most REES without any import naming them: never reported as unused
NOT_IMPORTED = frozenset(
    canonicalize_name(n)
    for n in (
        "pip", "python", "ipykernel", "ipython", "jupyter", "jupyterlab", "notebook",
        "nbgitpuller", "ipywidgets", "ipympl", "nodejs", "setuptools", "wheel",
    )
)

_CONDA_SPEC = re.compile(r"\s*(?:[\w.-]+::)?([A-Za-z0-9_.\-]+)")


class CheckError(ValueError):
    """A REES file that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class CheckResult:
    declared: tuple[str, ...]  # canonical names the REES declares
    missing: tuple[ProposedRequirement, ...]  # required rows the REES does not cover
    unused: tuple[str, ...]  # declared names no import needs

    @property
    def ok(self) -> bool:
        return not self.missing


def requirement_names(text: str) -> list[str]:
    """Canonical names of a requirements.txt (options, comments and URLs-only lines skipped)."""
    names = []
    for line in text.replace("\\\n", " ").splitlines():
        line = re.split(r"\s+#", line.strip(), maxsplit=1)[0]
        if not line or line.startswith(("#", "-")):
            continue
        try:
            names.append(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return names


def environment_dependencies(text: str) -> list[tuple[str, bool]]:
    """(name, via pip) of each dependency of an environment.yml: conda package names as
    written (lowercase, channel dropped), pip ones canonical. The one environment.yml
    reader of the checks."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(text) or {}
    except YAMLError as exc:
        raise CheckError(f"environment.yml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CheckError("environment.yml must be a mapping with 'dependencies'")
    found: list[tuple[str, bool]] = []
    for dep in data.get("dependencies") or []:
        if isinstance(dep, str):
            match = _CONDA_SPEC.match(dep)
            if match:
                found.append((match.group(1).lower(), False))
        elif isinstance(dep, dict):
            found += [(n, True) for n in requirement_names("\n".join(str(p) for p in dep.get("pip") or []))]
    return found


def environment_names(text: str) -> list[str]:
    """Canonical PyPI names of an environment.yml's conda and pip dependencies."""
    names: list[str] = []
    for name, via_pip in environment_dependencies(text):
        names += [name] if via_pip else list(pypi_names(name))
    return names


def declared_names(files: Mapping[str, str]) -> set[str]:
    """Canonical names declared by REES files (file name -> text). An environment.yml
    wins over pip files, as in repo2docker."""
    yml = next((files[n] for n in ENVIRONMENT_FILES if n in files), None)
    if yml is not None:
        return set(environment_names(yml))
    return set(requirement_names(files.get(ReesFileName.REQUIREMENTS_TXT.value, "")))


def check_rees(proposal: Proposal, files: Mapping[str, str]) -> CheckResult:
    """Which required rows of ``proposal`` the REES ``files`` do not declare, and which
    declared names no import needs."""
    declared = declared_names(files)
    missing = tuple(
        row
        for row in proposal.requirements
        if row.kind == "required" and row.source != "local"
        and canonicalize_name(row.name) not in declared
    )
    needed = {canonicalize_name(row.name) for row in proposal.requirements}
    unused = tuple(sorted(declared - needed - NOT_IMPORTED))
    return CheckResult(tuple(sorted(declared)), missing, unused)
