"""The values that flow through the pipeline.

notebooks -> imports (ScanResult) -> distributions + pins (Proposal) -> REES files.
Everything here is a frozen dataclass of plain values so that the server, the CLI and
the tests share one JSON contract (``to_json``) that ``src/tokens.ts`` mirrors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .vocabulary import (  # the vocabulary, defined there so the command line starts without dataclasses
    PinPolicy,
    ReesFormat,
    Target,
    ReesFileName,
    RowStatus,
    BinderMode,
    values,
    PIN_POLICIES,
    BINDER_MODES,
    BINDER_DIRS,
    FORMATS,
    TARGETS,
    FORMAT_FILES,
    ENVIRONMENT_FILES,
    DECLARING_FILES,
)

ImportKind = Literal["required", "optional", "type-checking"]
Source = Literal["pip", "conda", "editable", "vcs", "archive", "not-installed", "unknown", "local"]
# How far a row of the proposal is vouched for, best first:
#   verified    installed in the kernel's environment, or confirmed on the package index
#   known       not installed, but named with certainty (mapping data, an install line, an override)
#   unverified  a guess (the import name itself, an ambiguous mapping): not written by default
#   local       a module of the project itself: never written
Trust = Literal["verified", "known", "unverified", "local"]
TRUST_LEVELS: tuple[Trust, ...] = ("verified", "known", "unverified", "local")


@dataclass(frozen=True, order=True)
class Location:
    """Where something was found: a file relative to the scanned folder (POSIX
    separators), the cell index for notebooks (None for plain files), and the 1-based
    line within that cell or file."""

    path: str
    cell: int | None = None
    line: int = 1


@dataclass(frozen=True)
class ImportSite:
    """One import statement (or literal dynamic import) of a module."""

    module: str  # full dotted name as written, e.g. "google.cloud.storage"
    location: Location
    kind: ImportKind = "required"
    # For optional imports: the other modules tried in the same try/except group.
    alternatives: tuple[str, ...] = ()
    dynamic: bool = False  # importlib.import_module / __import__ / find_spec
    # For ``from module import a, b``: the names imported (sorted), so a resolver can try
    # ``module.a`` when ``module`` is a namespace package (``from google.cloud import storage``).
    names: tuple[str, ...] = ()
    # PEP 508 environment marker of a platform check guarding the import
    # (``sys_platform == "darwin"``); "" when unguarded.
    marker: str = ""

    @property
    def top_level(self) -> str:
        return self.module.split(".", 1)[0]


@dataclass(frozen=True)
class InstallHint:
    """A requirement the notebook installs itself (``%pip install pandas==2.1``)."""

    requirement: str  # the spec as written, e.g. "pandas==2.1" or "git+https://…"
    name: str | None  # canonical distribution name when it could be parsed
    location: Location
    manager: Literal["pip", "conda"] = "pip"


@dataclass(frozen=True)
class ScanIssue:
    """Something the user should know about one file or cell; never fatal to a scan."""

    location: Location
    kind: Literal["syntax-error", "unreadable", "non-python", "dynamic-import", "python2", "other"]
    message: str


@dataclass(frozen=True)
class ScanResult:
    root: str  # the scanned folder, as given
    files: tuple[str, ...] = ()  # scanned files, relative POSIX paths
    imports: tuple[ImportSite, ...] = ()
    installs: tuple[InstallHint, ...] = ()
    local_modules: frozenset[str] = frozenset()  # top-level names that live in the tree
    issues: tuple[ScanIssue, ...] = ()
    # notebook path -> kernelspec name ("python3", "ir", ...) when the notebook names one
    kernels: tuple[tuple[str, str], ...] = ()
    # calls and magics that need a distribution nothing imports (core.implicit.ImplicitTrigger)
    triggers: tuple[Any, ...] = ()
    # top-level names a module or regular package provides anywhere in the tree: local
    # unless the kernel's environment has them
    tree_modules: frozenset[str] = frozenset()
    # folder-wide messages for the proposal's notes (the git listing timed out, ...)
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class InstalledDistribution:
    """One distribution installed in the environment that runs the notebooks."""

    name: str  # project name as in its metadata
    version: str
    source: Source = "pip"  # pip | conda | editable | vcs | archive
    top_level: tuple[str, ...] = ()  # importable top-level names
    files: tuple[str, ...] = ()  # module paths from RECORD, e.g. "google/cloud/storage/__init__.py"
    url: str | None = None  # direct_url.json url (vcs / archive / editable)
    commit: str | None = None  # vcs commit id
    conda_name: str | None = None  # the conda package that owns it, when conda installed it
    # Added by the resolver stage:
    import_names: tuple[str, ...] = ()  # PEP 794 Import-Name metadata
    import_namespaces: tuple[str, ...] = ()  # PEP 794 Import-Namespace metadata
    shadowed: tuple[str, ...] = ()  # RECORD files overwritten on disk by another distribution
    installer: str | None = None  # *.dist-info/INSTALLER, a hint only (conda packages say pip)


@dataclass(frozen=True)
class Environment:
    """What the kernel's interpreter has installed."""

    python: str  # interpreter path
    python_version: str  # "3.11"
    distributions: tuple[InstalledDistribution, ...] = ()
    description: str = ""  # e.g. "venv at /path" or "conda env 'base'"
    is_conda: bool = False
    # Added by the resolver stage: distributions the introspection could not read.
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProposedRequirement:
    """One row of the proposal: a distribution the project needs."""

    name: str  # distribution name to write (canonical display form)
    modules: tuple[str, ...] = ()  # import names that led here
    installed_version: str | None = None
    specifier: str = ""  # e.g. "==2.1.0"; "" means unpinned
    source: Source = "pip"
    rule: str = ""  # which rule answered: override|local|install-hint|installed|mapping|identity|implicit
    kind: ImportKind = "required"
    warnings: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()  # other distributions that provide the module
    sites: tuple[Location, ...] = ()
    url: str | None = None  # for vcs / direct-url requirements
    conda_name: str | None = None
    included: bool = True  # the default for the review table
    extras: tuple[str, ...] = ()  # e.g. ("excel",) from ``%pip install pandas[excel]``
    trust: Trust = "verified"  # see ``Trust``; unverified rows are not included by default
    marker: str = ""  # PEP 508 environment marker (``sys_platform == "darwin"``), "" for none

    # The review against the REES already in the folder (core.review):
    status: str = "new"  # a RowStatus value
    in_file: str | None = None  # the line as written in the existing REES
    written_specifier: str | None = None  # the pin as reviewed; a row whose pin differs was edited
    proposed_specifier: str | None = None  # the pin policy's, for a row kept with its own pin

    @property
    def line(self) -> str:
        """The requirements.txt line for this row (with its environment marker)."""
        name = f"{self.name}[{','.join(sorted(self.extras))}]" if self.extras else self.name
        text = f"{name} @ {self.url}" if self.url else f"{name}{self.specifier}"
        if not self.marker:
            return text
        return f"{text} ; {self.marker}" if self.url else f"{text}; {self.marker}"


def shortlist(items: Sequence[str], limit: int = 3) -> str:
    """``a, b, c and 12 more``: a list that keeps a message on one line."""
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit:,} more" if len(items) > limit else shown


@dataclass(frozen=True)
class Note:
    """A proposal-wide message and the files it is about: the sidebar lists them on
    demand, the command line names the first few (``str(note)``)."""

    message: str
    files: tuple[str, ...] = ()  # relative POSIX paths, sorted
    code: str = ""  # what the note is about: kernels, kernel, install-line, environment, python-versions, listing

    def __str__(self) -> str:
        return f"{self.message}: {shortlist(self.files)}" if self.files else self.message


@dataclass(frozen=True)
class InstalledPin:
    """A distribution of the kernel's environment, as a row added by hand would pin it."""

    version: str
    specifier: str


@dataclass(frozen=True)
class Proposal:
    root: str
    python_version: str
    environment: str = ""
    requirements: tuple[ProposedRequirement, ...] = ()
    issues: tuple[ScanIssue, ...] = ()
    files: tuple[str, ...] = ()
    local_modules: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()  # proposal-wide messages (e.g. several kernels in one folder)
    # canonical name -> version (and its pin under the policy) of every distribution in
    # the environment read, so a package added by hand is looked up in the kernel's
    installed: Mapping[str, InstalledPin] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if any(isinstance(note, str) for note in self.notes):  # plain text: a note about no file
            notes = tuple(Note(note) if isinstance(note, str) else note for note in self.notes)
            object.__setattr__(self, "notes", notes)

    def to_json(self) -> dict[str, Any]:
        return to_json(self)


class Cancelled(Exception):
    """The caller's cancel event was set: long work (a scan, a verification) stopped."""


def to_json(value: Any) -> Any:
    """Plain JSON-able data for any model value (tuples -> lists, sets -> sorted lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_json(v) for v in value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


__all__ = [
    "Cancelled",
    "DECLARING_FILES",
    "ENVIRONMENT_FILES",
    "FORMATS",
    "FORMAT_FILES",
    "PIN_POLICIES",
    "BINDER_MODES",
    "BinderMode",
    "TARGETS",
    "PinPolicy",
    "ReesFileName",
    "RowStatus",
    "ReesFormat",
    "Target",
    "values",
    "Environment",
    "ImportKind",
    "ImportSite",
    "InstallHint",
    "InstalledDistribution",
    "Location",
    "Note",
    "Proposal",
    "ProposedRequirement",
    "ScanIssue",
    "ScanResult",
    "Source",
    "TRUST_LEVELS",
    "Trust",
    "shortlist",
    "to_json",
]
