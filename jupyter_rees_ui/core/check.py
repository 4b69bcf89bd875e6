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

from .conda_names import CONDA_NAMES
from .model import Proposal, ProposedRequirement


def _pypi_for_conda() -> dict[str, frozenset[str]]:
    """conda-forge name -> the PyPI names it stands for (several for e.g. opencv)."""
    table: dict[str, set[str]] = {}
    for pypi, conda in CONDA_NAMES.items():
        table.setdefault(conda.lower(), set()).add(pypi)
    return {conda: frozenset(names) for conda, names in table.items()}


_PYPI_FOR_CONDA = _pypi_for_conda()

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


def environment_names(text: str) -> list[str]:
    """Canonical PyPI names of an environment.yml's conda and pip dependencies."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(text) or {}
    except YAMLError as exc:
        raise CheckError(f"environment.yml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CheckError("environment.yml must be a mapping with 'dependencies'")
    names = []
    for dep in data.get("dependencies") or []:
        if isinstance(dep, str):
            match = _CONDA_SPEC.match(dep)
            if match:
                conda = match.group(1).lower()
                names += sorted(_PYPI_FOR_CONDA.get(conda, {canonicalize_name(conda)}))
        elif isinstance(dep, dict):
            names += requirement_names("\n".join(str(p) for p in dep.get("pip") or []))
    return names


def declared_names(files: Mapping[str, str]) -> set[str]:
    """Canonical names declared by REES files (file name -> text). An environment.yml
    wins over pip files, as in repo2docker."""
    yml = next((files[n] for n in ("environment.yml", "environment.yaml") if n in files), None)
    if yml is not None:
        return set(environment_names(yml))
    return set(requirement_names(files.get("requirements.txt", "")))


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
