"""Does an existing REES cover what the notebooks import?  (``jupyter rees check``)

Pure: the texts of the REES files Binder will read, and a proposal, in; the names that are
missing (imported, not declared), unused (declared, not imported) and unverified
(declared, but nobody vouches that such a distribution exists) out.

A line is *unverified* when the proposal's row for it is only a guess (``trust`` is
"unverified"), when it names a module of the project itself, or a module of Python 2's
standard library. A row is *missing* when the proposal marks it verified (installed in
the kernel's environment) and the REES lacks it; rows only known or guessed are listed
as not confirmed, without failing.
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
    missing: tuple[ProposedRequirement, ...]  # verified required rows the REES does not cover
    unused: tuple[str, ...]  # declared names no import needs
    # (declared name, why) for lines nobody vouches for: each sinks a Binder build
    unverified: tuple[tuple[str, str], ...] = ()
    # required rows the REES lacks that are only known or guessed: reported, not failing
    unconfirmed: tuple[ProposedRequirement, ...] = ()
    covered: int = 0  # required rows of the proposal that the REES declares
    # the unverified names that are only guesses: a resolver that finds them vouches for them
    guessed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unverified


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
    """Which required rows of ``proposal`` the REES ``files`` do not declare, which
    declared names no import needs, and which declared lines nobody vouches for."""
    from .stdlib import python2_only_names

    declared = declared_names(files)
    required = [
        row for row in proposal.requirements
        if row.kind == "required" and row.source != "local" and row.trust != "local"
    ]
    absent = [row for row in required if canonicalize_name(row.name) not in declared]
    missing = tuple(row for row in absent if row.trust == "verified")
    unconfirmed = tuple(row for row in absent if row.trust != "verified")
    covered = len(required) - len(absent)
    rows = {canonicalize_name(row.name): row for row in proposal.requirements}
    local = {canonicalize_name(name) for name in proposal.local_modules}
    python2 = {canonicalize_name(name): name for name in python2_only_names()}
    unverified: list[tuple[str, str]] = []
    for name in sorted(declared):
        row = rows.get(name)
        if row is not None and row.trust == "unverified":
            modules = ", ".join(row.modules) or row.name
            unverified.append((name, f"only a guess from the import of {modules}: it is not "
                               "installed in the kernel's environment and no mapping knows it"))
        elif row is not None and row.trust == "local" or row is None and name in local:
            unverified.append((name, "a module of the project itself, not a package"))
        elif row is None and name in python2:
            unverified.append((name, f"'{python2[name]}' is a module of Python 2's standard library, not a package"))
    needed = {canonicalize_name(row.name) for row in proposal.requirements}
    unused = tuple(sorted(declared - needed - NOT_IMPORTED))
    return CheckResult(
        tuple(sorted(declared)), missing, unused, tuple(unverified), unconfirmed, covered,
        tuple(name for name, _ in unverified if rows.get(name) is not None and rows[name].trust == "unverified"),
    )
