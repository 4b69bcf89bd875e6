"""Imports -> distributions -> pins: the proposal.

Each imported module is answered by the first rule that knows it, and the row records
which one did:

    override      the user's setting (import -> distribution)
    local         a module that lives in the scanned folder (no requirement)
    install-hint  the notebook installs it itself (``%pip install X==1.2``)
    installed     the kernel's environment: the distribution whose RECORD owns the
                  longest dotted prefix of the import path
    mapping       not installed: our reviewed corrections, the import names of widely
                  used distributions' wheels, pipreqs' mapping (core/mapping.py says
                  how they combine; two providers and no settling entry: a decision)
    identity      nothing knows it: the import name itself

``implicit`` rows are needs no import names (``read_excel`` -> openpyxl): included
(pinned) when the kernel's environment has them, otherwise a decision.

Each row also says how far it is vouched for (``trust``): *verified* when installed in
the kernel's environment (or confirmed on the package index), *known* when the mapping
data, an install line or the user names the distribution with certainty, *unverified*
when the name is only a guess (not included by default: the row carries a "needs a
decision" warning saying what to do), *local* for the project's own modules.
"""

from __future__ import annotations

import functools
import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from .conda_names import PYPI_NAMES_OF_CONDA
from .implicit import ImplicitTrigger, implicit_needs
from .mapping import NO_DISTRIBUTION_REASONS, ModuleMapping, bundled_mapping
from .model import (
    PIN_POLICIES,
    TRUST_LEVELS,
    Environment,
    ImportKind,
    ImportSite,
    InstalledDistribution,
    InstallHint,
    Location,
    Note,
    Proposal,
    ProposedRequirement,
    ScanIssue,
    ScanResult,
    Source,
    Trust,
    shortlist,
)
from .stdlib import PYTHON3_NAMES, python2_only_names

RULES = ("override", "local", "install-hint", "installed", "mapping", "identity", "implicit")
KIND_ORDER: tuple[ImportKind, ...] = ("required", "optional", "type-checking")
# `!pip install -U pip setuptools wheel` is installer upkeep, not a dependency.
NEVER_REQUIRED = frozenset({"pip", "setuptools", "wheel"})
#: the start of the warning an unverified row carries
DECISION = "needs a decision: "

MODULE_SUFFIXES = (".py", ".pyi", ".so", ".pyd")



def apply_pin(version: str, policy: str) -> str:
    """Specifier text for an installed ``version`` under a pin ``policy``.

    ``==1.2.3``, ``~=1.2.3`` (patch updates; two segments stay two: ``~=1.2``),
    ``>=1.2.3`` or "" for "none". Local labels (``+cu118``) are dropped: no index
    serves them. A version that is not PEP 440 can only be pinned exactly (``===``).
    """
    if policy not in PIN_POLICIES:
        raise ValueError(f"unknown pin policy {policy!r}; expected one of {PIN_POLICIES}")
    if policy == "none" or not version:
        return ""
    try:
        parsed = Version(version)
    except InvalidVersion:
        return f"==={version}" if policy == "==" else ""
    public = parsed.public
    if policy in ("==", ">="):
        return f"{policy}{public}"
    if parsed.pre is not None or parsed.dev is not None:
        return f"~={public}" if len(parsed.release) > 1 else f">={public}"
    release = list(parsed.release[:3])
    if len(release) == 1:
        release.append(0)
    return "~=" + ".".join(str(part) for part in release)


def module_name(path: str) -> str | None:
    """``a/b/__init__.py`` -> "a.b"; ``a/c.cpython-311-x86_64-linux-gnu.so`` -> "a.c".
    None for RECORD paths that are not module files."""
    if not path.endswith(MODULE_SUFFIXES):
        return None
    folder, slash, name = path.rpartition("/")
    package = _package_of(folder) if folder or not slash else None  # "/a.py": an empty part
    if package is None:
        return None
    stem = name.partition(".")[0]
    if stem == "__init__":
        return package or None
    if not stem.isidentifier():
        return None
    return f"{package}.{stem}" if package else stem


@functools.lru_cache(maxsize=1 << 16)
def _package_of(folder: str) -> str | None:
    """The dotted package a RECORD folder is ("" at the top), None when it cannot be one.
    Remembered: the files of a package share their folder."""
    parts = folder.split("/") if folder else []
    return ".".join(parts) if all(p.isidentifier() for p in parts) else None


class _TopLevel:
    """Ownership of the dotted prefixes under one top-level name, each prefix's worked out
    when first asked for: a run asks about a few dozen of the thousands a package has
    (indexing all of them up front was most of a first run's resolving)."""

    def __init__(self, entries: Iterable[tuple[NormalizedName, str]]) -> None:
        self.modules: list[tuple[NormalizedName, str]] = []  # (dist, module) per file or declared name
        for key, entry in entries:
            # RECORD paths contain "/"; declared names (top_level.txt, Import-Name) are dotted.
            module = module_name(entry) if "/" in entry or entry.endswith(MODULE_SUFFIXES) else entry
            if module is not None:
                self.modules.append((key, module))
        self._prefixes: dict[str, _Prefix] = {}
        self._lower: dict[str, str] | None = None

    def prefix(self, prefix: str) -> _Prefix:
        """Who has files at or under ``prefix`` (sorted), who has its own file, and how
        many files each has there."""
        found = self._prefixes.get(prefix)
        if found is None:
            under = prefix + "."
            counts: dict[NormalizedName, int] = {}
            own: set[NormalizedName] = set()
            for key, module in self.modules:
                if module == prefix:
                    own.add(key)
                elif not module.startswith(under):
                    continue
                counts[key] = counts.get(key, 0) + 1
            found = self._prefixes[prefix] = _Prefix(tuple(sorted(counts)), frozenset(own), counts)
        return found

    def real_case(self, prefix: str) -> str | None:
        """The spelling of ``prefix`` among this name's prefixes, matched ignoring case
        (the first in sorted order when several match)."""
        if self._lower is None:
            every = {".".join(parts[:end]) for parts in (m.split(".") for _, m in self.modules)
                     for end in range(1, len(parts) + 1)}
            self._lower = {p.casefold(): p for p in sorted(every, reverse=True)}
        return self._lower.get(prefix.casefold())


class _Prefix(NamedTuple):
    owners: tuple[NormalizedName, ...]  # dists with files at/under the prefix
    own_file: frozenset[NormalizedName]  # dists with the prefix's own module file
    weight: Mapping[NormalizedName, int]  # dist -> its files at/under the prefix


class EnvironmentIndex:
    """Which installed distributions own which dotted module prefixes.

    Built per top-level name on first use: a notebook imports a few dozen top-level
    names, an environment holds tens of thousands of module files.
    """

    def __init__(self, env: Environment) -> None:
        self.by_name: dict[NormalizedName, InstalledDistribution] = {}
        self._entries: dict[str, list[tuple[NormalizedName, str]]] = defaultdict(list)
        # PEP 794 Import-Namespace: shared by several distributions, even when one of
        # them ships an ``__init__`` for it (a pkgutil-style namespace)
        self.namespaces: frozenset[str] = frozenset(
            name for dist in env.distributions for name in dist.import_namespaces
        )
        for dist in env.distributions:
            key = canonicalize_name(dist.name)
            if key in self.by_name:
                continue  # shadowed by an earlier sys.path entry
            self.by_name[key] = dist
            file_tops = set()
            for path in dist.files:
                top = path.partition("/")[0].partition(".")[0]
                file_tops.add(top)
                self._entries[top].append((key, path))
            # top_level.txt names a namespace ("google") like a module: trust it only
            # where RECORD has no files. Import-Name (PEP 794) is always a module.
            declared = [n for n in dist.top_level if n not in file_tops]
            for name in (*declared, *dist.import_names):
                self._entries[name.split(".", 1)[0]].append((key, name))
        self._tops_lower = {top.casefold(): top for top in sorted(self._entries, reverse=True)}
        self._tops: dict[str, _TopLevel] = {}
        self._prepared: set[str] = set()  # modules whose prefixes prepare() worked out

    def prepare(self, modules: Iterable[str]) -> None:
        """Work out now who owns each dotted prefix of ``modules`` (each once): a caller
        with time to spare while the folder is read makes the proposal's own lookups
        instant."""
        seen = self._prepared
        for module in modules:
            if module in seen:
                continue
            seen.add(module)
            top = self._top(module)
            prefix = ""
            for part in module.split("."):
                prefix = f"{prefix}.{part}" if prefix else part
                top.prefix(prefix)

    def owners(self, prefix: str) -> tuple[NormalizedName, ...]:
        return self._top(prefix).prefix(prefix).owners

    def own_file(self, prefix: str) -> frozenset[NormalizedName]:
        return self._top(prefix).prefix(prefix).own_file

    def weight(self, prefix: str, name: NormalizedName) -> int:
        return self._top(prefix).prefix(prefix).weight.get(name, 0)

    def real_case(self, prefix: str) -> str | None:
        """The installed spelling of ``prefix`` matched ignoring case."""
        top = self._tops_lower.get(prefix.split(".", 1)[0].casefold())
        if top is None:
            return None
        return self._top(top).real_case(prefix)

    def _top(self, prefix: str) -> _TopLevel:
        top = prefix.split(".", 1)[0]
        found = self._tops.get(top)
        if found is None:
            found = self._tops[top] = _TopLevel(self._entries.get(top, ()))
        return found


def index_environment(env: Environment) -> EnvironmentIndex:
    return EnvironmentIndex(env)


@dataclass(frozen=True)
class Resolution:
    """How one imported module was answered."""

    module: str
    rule: str
    name: str | None  # distribution to require; None: nothing to require (local, dropped)
    source: Source = "pip"
    candidates: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    specifier: str | None = None  # an explicit spec (override / install line) wins over the pin
    url: str | None = None
    hints: tuple[InstallHint, ...] = ()
    excluded: bool = False  # known not to be installable: offered, not included
    extras: tuple[str, ...] = ()  # from an install line, e.g. pandas[excel]
    # how far the answer is vouched for when the distribution is not installed
    # (an installed one is always "verified")
    trust: Trust = "known"


def _longest_owned_prefix(module: str, index: EnvironmentIndex) -> tuple[str, bool] | None:
    """(prefix, exact case) of the longest dotted prefix of ``module`` that an
    installed distribution owns.

    A shorter prefix only answers when it is a real module (some distribution has its
    own file, and no distribution declares it an ``Import-Namespace``): files under the
    namespace ``google.cloud`` say nothing about who provides ``google.cloud.bigquery``.
    """
    parts = module.split(".")
    for exact in (True, False):
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            real = prefix if exact else index.real_case(prefix)
            if real is None or not index.owners(real):
                continue
            if end == len(parts) or (index.own_file(real) and real not in index.namespaces):
                return real, exact
    return None


def _choose_installed(
    module: str, prefix: str, index: EnvironmentIndex
) -> tuple[NormalizedName, tuple[str, ...], str | None]:
    """The distribution answering ``prefix``; the others; the reason when ambiguous."""
    owners = index.owners(prefix)
    if len(owners) == 1:
        return owners[0], (), None
    own = index.own_file(prefix)
    module_key = canonicalize_name(prefix)
    top_key = canonicalize_name(prefix.split(".", 1)[0])

    def key(name: NormalizedName) -> tuple[int, int, int, int, str]:
        dist = index.by_name[name]
        declares = any(
            prefix == declared or prefix.startswith(declared + ".") for declared in dist.import_names
        )
        file_rank = 2
        if name in own:
            file_rank = 1 if _is_shadowed(dist, prefix) else 0
        named = name in (module_key, top_key)
        return (
            0 if declares else 1,
            file_rank,
            0 if named else 1,
            -index.weight(prefix, name),
            name,
        )

    ranked = sorted(owners, key=key)
    chosen, runner_up = ranked[0], ranked[1]
    reasons = (
        "it declares the import name (Import-Name metadata)",
        "its files for this module are the ones on disk",
        "its name matches the import name",
        "it installs the most files under this module",
        "alphabetical order",
    )
    first, second = key(chosen), key(runner_up)
    reason = next(r for r, a, b in zip(reasons, first, second) if a != b)
    display = [index.by_name[n].name for n in ranked]
    warning = (
        f"{len(ranked)} installed distributions provide '{prefix}': {', '.join(sorted(display))}; "
        f"chose {index.by_name[chosen].name} because {reason} — please review"
    )
    return chosen, tuple(index.by_name[n].name for n in ranked[1:]), warning


def _is_shadowed(dist: InstalledDistribution, prefix: str) -> bool:
    path = prefix.replace(".", "/")
    return any(s == f"{path}/__init__.py" or s.startswith(f"{path}.") for s in dist.shadowed)


_CONDA_SPEC = re.compile(r"^\s*(?:[\w.-]+::)?(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<spec>[=<>!~].*)?$")


def conda_specifier(spec: str) -> str | None:
    """A conda match spec's version part as a PEP 440 specifier: ``=1.26`` means 1.26.*,
    ``==1.26`` exactly 1.26, comparisons pass through, a build string is dropped.
    None when there is no version or it cannot be expressed."""
    version = spec.strip().split("=", 2) if spec.startswith("=") and not spec.startswith("==") else None
    if version is not None:  # "=1.26" or "=1.26=py311_0"
        number = version[1].strip()
        text = f"=={number}" if number.endswith("*") else f"=={number}.*"
    else:
        text = spec.strip().split(" ", 1)[0]
        if text.startswith("==") and text.count("=") > 2:  # "==1.26=build"
            text = "==" + text[2:].split("=", 1)[0]
    try:
        return str(SpecifierSet(text.replace(".*.*", ".*"))) or None
    except InvalidSpecifier:
        return None


def _hint_requirement(hint: InstallHint) -> tuple[str | None, str | None]:
    """(specifier, url) written in an install line (conda match specs translated)."""
    if hint.manager == "conda":
        match = _CONDA_SPEC.match(hint.requirement)
        if match and match.group("spec"):
            return conda_specifier(match.group("spec")), None
    req = _requirement(hint.requirement)
    if req is None:
        text = hint.requirement.strip()
        if "+" in text.split("://", 1)[0] or text.startswith(("http://", "https://")):
            return None, text.split("#", 1)[0]
        return None, None
    return (str(req.specifier) or None), req.url


def prepare_install_lines(hints: Iterable[InstallHint]) -> None:
    """Parse the requirements of these install lines now (``_requirement`` remembers
    them): a caller with time to spare while the folder is read makes the proposal's
    own reading of them instant."""
    for hint in hints:
        if hint.manager == "pip":
            _requirement(hint.requirement)


@functools.lru_cache(maxsize=4096)
def _requirement(text: str) -> Requirement | None:
    """An install line's requirement (None when it is not one), parsed once per text:
    a folder's notebooks repeat the same few install lines."""
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _import_paths(site: ImportSite) -> list[str]:
    names = [n for n in site.names if n != "*"]
    return [f"{site.module}.{n}" for n in names] if names else [site.module]


def _prefixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def resolve_module(
    module: str,
    *,
    index: EnvironmentIndex,
    mapping: ModuleMapping,
    overrides: Mapping[str, str],
    local_modules: frozenset[str],
    hints: Mapping[NormalizedName, Sequence[InstallHint]],
    tree_modules: frozenset[str] = frozenset(),
) -> Resolution:
    """Answer one imported module by the first rule that knows it. ``tree_modules``
    (names a module or package provides somewhere in the project) are local unless
    the kernel's environment has them."""
    top = module.split(".", 1)[0]
    for prefix in _prefixes(module):
        if prefix in overrides:
            return _override(module, prefix, overrides[prefix], index)
    if top in local_modules:
        return Resolution(module, "local", None, source="local", trust="local")

    owned = _longest_owned_prefix(module, index)
    if owned is None and top in tree_modules:
        return Resolution(module, "local", None, source="local", trust="local")
    # the mapping is read only when it can matter: nothing installed, or install lines
    mapped = mapping.lookup(module) if owned is None or hints else None
    installed: tuple[NormalizedName, tuple[str, ...], str | None] | None = None
    if owned is not None:
        installed = _choose_installed(module, owned[0], index)

    # Install evidence: a `%pip install` line naming any distribution this import
    # could come from.
    candidates: list[NormalizedName] = []
    if installed is not None and owned is not None:
        candidates.append(installed[0])  # the installed answer first
        candidates.extend(index.owners(owned[0]))
    if mapped is not None:
        candidates.extend(canonicalize_name(d) for d in mapped.distributions)
    candidates.extend(canonicalize_name(p) for p in _prefixes(module))
    for candidate in candidates:
        if candidate in hints:
            return _from_hint(module, candidate, hints[candidate], index)

    if installed is not None and owned is not None:
        chosen, others, ambiguity = installed
        dist = index.by_name[chosen]
        warnings = [ambiguity] if ambiguity else []
        if not owned[1]:
            warnings.append(
                f"'{module}' matched the installed module '{owned[0]}' only ignoring case; "
                "imports are case-sensitive"
            )
        return Resolution(
            module, "installed", dist.name, source=dist.source, candidates=others,
            warnings=tuple(warnings),
        )

    if mapped is not None and not mapped.distributions:
        reason = NO_DISTRIBUTION_REASONS.get(
            mapped.prefix, "it is a namespace shared by several distributions"
        )
        return Resolution(
            module, "mapping", mapped.prefix, source="unknown", excluded=True, trust="unverified",
            warnings=(
                (
                    f"'{module}' is not installed and no distribution provides it as such: "
                    f"{reason} — left out"
                ),
            ),
        )

    if mapped is not None:
        dists = mapped.distributions
        chosen_name = next(
            (d for d in dists if canonicalize_name(d) == canonicalize_name(mapped.prefix)), dists[0]
        )
        if len(dists) > 1:
            warnings = [
                _decision(
                    f"'{module}' is not installed in the kernel's environment and "
                    f"{len(dists)} distributions provide '{mapped.prefix}' ({', '.join(dists)})",
                    mapped.prefix,
                )
            ]
            trust: Trust = "unverified"
        elif mapped.origin == "shared":
            warnings = [
                _decision(
                    f"'{module}' is not installed in the kernel's environment; {chosen_name} "
                    f"provides the package above it, but other distributions install modules "
                    f"under '{mapped.prefix}' too, so which one provides '{module}' is not known",
                    module,
                )
            ]
            trust = "unverified"
        elif mapped.origin == "namespace":
            warnings = [
                _decision(
                    f"'{module}' is not installed in the kernel's environment; "
                    f"'{chosen_name}' is only guessed from the namespace's naming convention",
                    mapped.prefix,
                )
            ]
            trust = "unverified"
        else:
            also = (
                f"; {', '.join(mapped.alternatives)} also provide{'s' if len(mapped.alternatives) == 1 else ''} it"
                if mapped.alternatives else ""
            )
            warnings = [
                f"'{module}' is not installed in the kernel's environment; the mapping "
                f"data names '{chosen_name}' (written unpinned){also}"
            ]
            trust = "known"
        return Resolution(
            module, "mapping", chosen_name, source="not-installed",
            candidates=tuple(d for d in (*dists, *mapped.alternatives) if d != chosen_name),
            warnings=tuple(warnings),
            trust=trust,
        )

    return Resolution(
        module, "identity", top, source="unknown", trust="unverified",
        warnings=(
            _decision(
                f"'{module}' is not installed in the kernel's environment and no mapping "
                f"knows it; '{top}' is only the import name",
                top,
            ),
        ),
    )


def _decision(why: str, module: str) -> str:
    """The warning of an unverified row: why, and the three ways out."""
    return (
        f"{DECISION}{why}. Install it in the kernel's environment (it is then pinned from "
        f"there), name the distribution (override {module}=NAME), or leave it out — "
        "it is not written until you decide"
    )


def _override(module: str, prefix: str, value: str, index: EnvironmentIndex) -> Resolution:
    if not value.strip():
        return Resolution(module, "override", None)  # the user dropped this import
    try:
        req = Requirement(value)
    except InvalidRequirement:
        return Resolution(
            module, "override", value.strip(), source="unknown",
            warnings=(f"override {prefix!r} -> {value!r} is not a valid requirement",),
        )
    dist = index.by_name.get(canonicalize_name(req.name))
    source: Source = dist.source if dist else "not-installed"
    if req.url:
        source = "vcs" if "+" in req.url.split("://", 1)[0] else "archive"
    return Resolution(
        module, "override", dist.name if dist else req.name, source=source,
        specifier=str(req.specifier) or None, url=req.url,
    )


def _from_hint(
    module: str, name: NormalizedName, hints: Sequence[InstallHint], index: EnvironmentIndex
) -> Resolution:
    dist = index.by_name.get(name)
    specs = [_hint_requirement(h) for h in hints]  # in notebook order
    specifier, url = specs[-1] if specs else (None, None)
    warnings: list[str] = []
    if len(set(specs)) > 1:
        written = ", ".join(h.requirement for h in hints)
        warnings.append(
            f"the notebooks install {name} in different ways ({written}); kept the last, "
            f"{specifier or url or 'unpinned'}"
        )
    source: Source = dist.source if dist else "not-installed"
    if url:
        source = "vcs" if "+" in url.split("://", 1)[0] else "archive"
    if dist is None:
        warnings.append(f"{name} is installed by the notebook but not in the kernel's environment")
    elif specifier and not SpecifierSet(specifier).contains(dist.version, prereleases=True):
        # the kernel's version is the one the notebooks last ran with, and the one the
        # other pins were taken beside: an old in-notebook pin often conflicts with them
        warnings.append(
            f"the notebook installs {name}{specifier} but the kernel has {dist.version}: "
            f"pinned the kernel's version (set the pin to {specifier} to keep the notebook's)"
        )
        specifier = None
    display = dist.name if dist else _hint_display(hints, name)
    return Resolution(
        module, "install-hint", display, source=source, specifier=specifier, url=url,
        warnings=tuple(warnings), hints=tuple(hints), extras=_hint_extras(hints),
    )


def _hint_extras(hints: Sequence[InstallHint]) -> tuple[str, ...]:
    """The extras every pip install line of a distribution asked for, merged."""
    extras: set[str] = set()
    for hint in hints:
        if hint.manager != "pip":
            continue
        req = _requirement(hint.requirement)
        if req is not None:
            extras |= req.extras
    return tuple(sorted(extras))


def _hint_names(hint: InstallHint) -> list[NormalizedName]:
    """Distribution names an install line may stand for; the last is its row's name.

    A conda line names the conda package (``pytorch``): it also stands for the PyPI
    distributions packaged under that name (``torch``).
    """
    name = canonicalize_name(hint.name or "")
    if hint.manager != "conda":
        return [name]
    pypi = sorted(PYPI_NAMES_OF_CONDA.get(name, ()))
    if len(pypi) == 1:
        return [name, pypi[0]]
    return [*pypi, name]


def _hint_display(hints: Sequence[InstallHint], name: str) -> str:
    """The row name for install lines of something not installed: as written for pip,
    the PyPI name for conda lines."""
    for hint in hints:
        if hint.manager == "conda":
            return name
        try:
            return Requirement(hint.requirement).name
        except InvalidRequirement:
            continue
    return name


def _row_kind(kinds: Iterable[ImportKind]) -> ImportKind:
    present = kinds if isinstance(kinds, (set, frozenset)) else set(kinds)
    return next((k for k in KIND_ORDER if k in present), "required")


def _pin(
    spec_override: str | None, dist: InstalledDistribution | None, policy: str
) -> tuple[str, list[str]]:
    if dist is None:
        return "", []
    warnings: list[str] = []
    if spec_override is not None:
        if spec_override in PIN_POLICIES:
            return apply_pin(dist.version, spec_override), warnings
        try:
            return str(SpecifierSet(spec_override)), warnings
        except InvalidSpecifier:
            warnings.append(f"ignored the pin {spec_override!r}: not a valid specifier")
    specifier = apply_pin(dist.version, policy)
    try:
        if Version(dist.version).local is not None and policy != "none":
            warnings.append(
                f"installed {dist.version} is a local build; pinned the public version"
            )
    except InvalidVersion:
        warnings.append(f"installed version {dist.version!r} is not PEP 440")
    return specifier, warnings


def _provenance(dist: InstalledDistribution) -> tuple[str | None, list[str]]:
    """(url to require, warnings) for where an installed distribution came from."""
    if dist.source == "vcs" and dist.url:
        return (f"{dist.url}@{dist.commit}" if dist.commit else dist.url), []
    if dist.source == "editable":
        where = dist.url or "a local folder"
        return None, [
            (
                f"{dist.name} is an editable install from {where}: Binder cannot install "
                "it from the package index — put the project in the repository and "
                "require it as `.` (or `-e .`), or publish it and pin the released version"
            )
        ]
    if dist.source == "archive":
        if dist.url and not dist.url.startswith("file:"):
            return dist.url, []
        return None, [
            (
                f"{dist.name} was installed from a local archive "
                f"({dist.url or 'unknown file'}): Binder cannot reach it — publish it, "
                "or add the file to the repository"
            )
        ]
    return None, []


def build_proposal(
    scan: ScanResult,
    env: Environment,
    *,
    pin: str = "==",
    overrides: Mapping[str, str] | None = None,
    pins: Mapping[str, str] | None = None,
    triggers: Iterable[ImplicitTrigger] | None = None,
    mapping: ModuleMapping | None = None,
    kernel_environments: Mapping[str, Environment] | None = None,
    index: EnvironmentIndex | None = None,
) -> Proposal:
    """The proposal for one scanned folder against the kernel's environment.

    ``overrides``: import prefix -> requirement (``"sklearn": "scikit-learn>=1.3"``;
    "" drops the import). ``pins``: distribution -> policy or specifier for that row.
    ``triggers``: calls/magics found by ``core.implicit.find_implicit_triggers``
    (default: the ones the scan found).
    ``kernel_environments``: kernelspec name -> its environment, for folders whose
    notebooks name several kernels; rows whose notebooks run on a kernel with another
    version (or without the distribution) are flagged.
    ``index``: ``index_environment(env)``, when already made (and perhaps prepared).
    """
    if pin not in PIN_POLICIES:
        raise ValueError(f"unknown pin policy {pin!r}; expected one of {PIN_POLICIES}")
    index = index_environment(env) if index is None else index
    mapping = bundled_mapping() if mapping is None else mapping
    overrides = dict(overrides or {})
    row_pins = {canonicalize_name(k): v for k, v in (pins or {}).items()}
    notes: list[Note] = []

    hints: dict[NormalizedName, list[InstallHint]] = defaultdict(list)
    for hint in sorted(scan.installs, key=lambda h: (h.location, h.requirement)):
        if hint.name is None:
            notes.append(
                Note(
                    f"could not read a distribution name from the install line "
                    f"'{hint.requirement}' ({_where(hint.location)})",
                    (hint.location.path,),
                    code="install-line",
                )
            )
            continue
        for name in _hint_names(hint):
            if name not in NEVER_REQUIRED:
                hints[name].append(hint)

    # ``from google.cloud import storage`` is resolved as ``google.cloud.storage``: the
    # longest dotted prefix then finds the namespace package's real owner.
    sites_by_path: dict[str, list[ImportSite]] = defaultdict(list)
    imports, python2 = _python2_sites(scan.imports, index, env.python_version)
    for site in imports:
        if not site.names:  # the common case, without a list per site
            sites_by_path[site.module].append(site)
            continue
        for path in _import_paths(site):
            sites_by_path[path].append(site)

    cache: dict[str, Resolution] = {}

    def resolve(path: str) -> Resolution:
        if path not in cache:
            cache[path] = resolve_module(
                path, index=index, mapping=mapping, overrides=overrides,
                local_modules=scan.local_modules, hints=hints, tree_modules=scan.tree_modules,
            )
        return cache[path]

    groups: dict[NormalizedName, list[tuple[Resolution, list[ImportSite]]]] = defaultdict(list)
    for path, path_sites in sorted(sites_by_path.items()):
        resolution = resolve(path)
        if resolution.name is None:
            continue
        for written in sorted({s.module for s in path_sites}):
            # Show the module as written when it alone gives the same answer and is
            # not just a namespace folder.
            namespace = bool(index.owners(written)) and not index.own_file(written)
            if written != path and not namespace and resolve(written).name == resolution.name:
                resolution = replace(resolution, module=written)
        groups[canonicalize_name(resolution.name)].append((resolution, path_sites))

    rows: dict[NormalizedName, ProposedRequirement] = {}
    for key, group in groups.items():
        rows[key] = _row(key, group, index, pin, row_pins.get(key))

    # Install lines that no import led to are still evidence of a need.
    linked = {h for group in groups.values() for resolution, _ in group for h in resolution.hints}
    unlinked: dict[NormalizedName, list[InstallHint]] = defaultdict(list)
    for key, key_hints in sorted(hints.items()):
        for hint in key_hints:
            if hint not in linked and key == _hint_names(hint)[-1]:
                unlinked[key].append(hint)
    for key, key_hints in sorted(unlinked.items()):
        if key in rows:
            continue
        resolution = _from_hint("", key, key_hints, index)
        row = _row(key, [(resolution, [])], index, pin, row_pins.get(key))
        rows[key] = replace(
            row,
            warnings=(*row.warnings, "installed by the notebook but never imported"),
        )

    # Implicit needs: written when the kernel has them (pinned, with the reason);
    # otherwise a decision.
    imported = sorted({*sites_by_path, *(s.module for s in scan.imports)})
    triggers = scan.triggers if triggers is None else triggers
    dropped = {k for k, v in overrides.items() if not v.strip()}  # imports the user dropped
    for dist_name, (needs, locations) in implicit_needs(triggers, imported).items():
        key = canonicalize_name(dist_name)
        dist = index.by_name.get(key)
        provides = {dist_name, *(dist.top_level if dist else ())}
        if any(canonicalize_name(d) == canonicalize_name(p) for d in dropped for p in provides):
            continue
        reasons = tuple(sorted({n.reason for n in needs}))
        if key in rows:
            row = rows[key]
            if dist is not None and not row.included and row.kind != "required":
                # an optional import that the code also needs implicitly: it is used
                rows[key] = replace(
                    row, included=True, warnings=(*row.warnings, *reasons),
                    sites=tuple(sorted({*row.sites, *locations})),
                )
            continue
        specifier, pin_warnings = _pin(row_pins.get(key), dist, pin)
        if dist is None:
            decision = (
                f"{DECISION}{'; '.join(reasons)}, and {dist_name} is not installed in the "
                "kernel's environment. Install it in the kernel's environment (it is then "
                "pinned from there), or leave it out — it is not written until you decide"
            )
            warnings: tuple[str, ...] = (decision,)
        else:
            warnings = reasons + tuple(pin_warnings)
        rows[key] = ProposedRequirement(
            name=dist.name if dist else dist_name,
            installed_version=dist.version if dist else None,
            specifier=specifier,
            source=dist.source if dist else "not-installed",
            rule="implicit",
            kind="required" if dist else "optional",
            trust="verified" if dist else "unverified",
            warnings=warnings,
            sites=locations,
            conda_name=dist.conda_name if dist else None,
            included=dist is not None,
        )

    notes.extend(scan.notes)
    notes.extend(_python2_notes((*scan.issues, *python2), env.python_version))
    notes.extend(_kernel_notes(scan, env))
    notes.extend(Note(f"the environment could not be read completely: {e}", code="environment") for e in env.errors)
    requirements = [rows[k] for k in sorted(rows)]
    if kernel_environments:
        requirements = _flag_kernel_conflicts(requirements, scan, env, kernel_environments)
        notes.extend(_python_version_notes(env, kernel_environments))
    return Proposal(
        root=scan.root,
        python_version=env.python_version,
        environment=env.description,
        requirements=tuple(requirements),
        issues=scan.issues + python2,
        files=scan.files,
        local_modules=tuple(sorted(scan.local_modules)),
        notes=tuple(notes),
    )


def _row(
    key: NormalizedName,
    resolved: list[tuple[Resolution, list[ImportSite]]],
    index: EnvironmentIndex,
    policy: str,
    row_pin: str | None,
) -> ProposedRequirement:
    resolved = sorted(resolved, key=lambda pair: (RULES.index(pair[0].rule), pair[0].module))
    group = [resolution for resolution, _ in resolved]
    first = group[0]
    dist = index.by_name.get(key)
    sites = [site for _, path_sites in resolved for site in path_sites]
    # Each location once, in Location's order: keyed by its fields (compared in C),
    # not hashed and compared through the dataclass's methods thousands of times.
    everywhere = [*map(_SITE_LOCATION, sites), *(h.location for r in group for h in r.hints)]
    locations = dict(zip(map(_LOCATION_ORDER, everywhere), everywhere))
    warnings = _one_per_template(group)
    candidates = sorted({c for r in group for c in r.candidates} - {first.name})

    specifier = first.specifier
    url = first.url
    source = first.source
    if row_pin is not None or specifier is None:
        pinned, pin_warnings = _pin(row_pin, dist, policy)
        if row_pin is not None or not url:
            specifier = pinned
        warnings.extend(pin_warnings)
    if dist is not None and url is None and first.rule not in ("install-hint", "override"):
        url, provenance_warnings = _provenance(dist)
        warnings.extend(provenance_warnings)
        if url:
            specifier = ""
    if dist is not None and dist.source == "conda":
        source = "conda"

    kind = _row_kind(set(map(_SITE_KIND, sites))) if sites else "required"
    trust = _row_trust(group, dist, sites)
    if trust != "unverified":
        warnings = [w for w in warnings if not w.startswith(DECISION)]
    elif dist is None and _scripts_only(sites) and not any(w.startswith(DECISION) for w in warnings):
        scripts = ", ".join(sorted({s.location.path for s in sites}))
        warnings = [
            _decision(
                f"'{first.module}' is imported only by {scripts}, not by a notebook, and the "
                "kernel's environment does not have it",
                first.module.split(".", 1)[0],
            ),
            *(w for w in warnings if "is not installed in the kernel's environment; the mapping" not in w),
        ]
    return ProposedRequirement(
        name=first.name or key,
        modules=tuple(sorted({r.module for r in group if r.module})),
        installed_version=dist.version if dist else None,
        specifier=specifier or "",
        source=source,
        rule=first.rule,
        kind=kind,
        warnings=tuple(dict.fromkeys(warnings)),
        candidates=tuple(candidates),
        sites=tuple(locations[order] for order in sorted(locations)),
        url=url,
        conda_name=dist.conda_name if dist else None,
        included=(
            kind == "required" and trust != "unverified" and not all(r.excluded for r in group)
        ),
        extras=tuple(sorted({e for r in group for e in r.extras})),
        trust=trust,
        marker=_row_marker(sites),
    )


_SITE_LOCATION = operator.attrgetter("location")
_SITE_KIND = operator.attrgetter("kind")
_LOCATION_ORDER = operator.attrgetter("path", "cell", "line")  # the fields Location compares, in order


_QUOTED_MODULE = re.compile(r"'(\w+)(\.[\w.]*)?'")  # a module named in quotes: its top level, the rest


def _one_per_template(group: Sequence[Resolution]) -> list[str]:
    """The rows' warnings, once each: submodules of one distribution (``a.b``, ``a.c``)
    give the same warning with another module name, which is said once, for the
    shortest module."""
    seen: set[str] = set()
    kept: list[str] = []
    for resolution in sorted(group, key=lambda r: (len(r.module), r.module)):
        top = resolution.module.split(".", 1)[0]
        for warning in resolution.warnings:
            # 'top' and 'top.sub' said in the warning become '{}' (one pattern for every
            # module: a pattern per module name cost a compilation per row)
            template = _QUOTED_MODULE.sub(lambda m: "'{}'" if m.group(1) == top else m.group(0), warning) if top else warning
            if template not in seen:
                seen.add(template)
                kept.append(warning)
    return kept


def _python2_sites(
    sites: Sequence[ImportSite], index: EnvironmentIndex, python_version: str
) -> tuple[list[ImportSite], tuple[ScanIssue, ...]]:
    """(imports to resolve, one issue per notebook cell for Python-2-only modules).

    ``cPickle`` or ``urllib2`` is no package: it says the code is Python 2. Under a
    Python 3 kernel such imports are reported (with their Python 3 names) unless the
    environment really has a module of that name."""
    if python_version.startswith("2."):
        return list(sites), ()
    python2 = python2_only_names()
    # Decided once per module written (a folder imports a few dozen, thousands of times).
    modules = {site.module for site in sites}
    python2_modules = {m for m in modules if (top := m.split(".", 1)[0]) in python2 and not index.owners(top)}
    if not python2_modules:
        return list(sites), ()
    kept: list[ImportSite] = []
    found: dict[tuple[str, int | None], list[ImportSite]] = defaultdict(list)
    for site in sites:
        if site.module in python2_modules:
            found[(site.location.path, site.location.cell)].append(site)
        else:
            kept.append(site)
    issues = []
    for (_path, _cell), cell_sites in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1)):
        names = sorted({s.top_level for s in cell_sites})
        ported = ", ".join(f"{n} -> {PYTHON3_NAMES[n]}" for n in names if n in PYTHON3_NAMES)
        message = (
            f"Python 2 code: {', '.join(names)} only exist{'s' if len(names) == 1 else ''} in "
            "Python 2's standard library (not a package to install)"
            + (f"; in Python 3: {ported}" if ported else "")
        )
        issues.append(ScanIssue(cell_sites[0].location, "python2", message))
    return kept, tuple(issues)


def _scripts_only(sites: Sequence[ImportSite]) -> bool:
    """Whether every import of a row is in a ``.py`` file (none in a notebook)."""
    return bool(sites) and all(s.location.cell is None and s.location.path.endswith(".py") for s in sites)


def _row_trust(
    group: Sequence[Resolution], dist: InstalledDistribution | None, sites: Sequence[ImportSite] = ()
) -> Trust:
    """Installed: verified. Imported only by ``.py`` files and not installed: the
    notebooks ran without it, so unverified. Otherwise the best of the answers."""
    if dist is not None:
        return "verified"
    if _scripts_only(sites) and all(r.rule in ("mapping", "identity") for r in group):
        return "unverified"
    levels = [r.trust for r in group if r.trust != "local"] or ["local"]
    return min(levels, key=TRUST_LEVELS.index)


def _row_marker(sites: Sequence[ImportSite]) -> str:
    """The environment marker under which every import of a row runs: "" as soon as
    one import is unguarded; several platforms are joined with ``or``."""
    if not sites or any(not site.marker for site in sites):
        return ""
    markers = sorted({site.marker for site in sites})
    if len(markers) == 1:
        return markers[0]
    return " or ".join(f"({m})" if " or " in m else m for m in markers)


def _where(location: Location) -> str:
    cell = f", cell {location.cell}" if location.cell is not None else ""
    return f"{location.path}{cell}, line {location.line}"


def _python2_notes(issues: Sequence[ScanIssue], python_version: str) -> list[Note]:
    """One clear note when the project is Python 2 code: what Binder supports for it."""
    found = [i for i in issues if i.kind == "python2"]
    if not found:
        return []
    places = tuple(sorted({i.location.path for i in found}))
    cells = f"{len(found)} cell{'s' if len(found) != 1 else ''}"
    return [
        Note(
            f"this project is Python 2 code ({cells} with print statements or Python 2 modules); "
            f"the proposal is for Python {python_version}. Port it to Python 3 (e.g. with "
            "pyupgrade or 2to3), or let Binder run it on Python 2: runtime.txt `python-2.7` "
            "adds a Python 2 kernel and installs requirements.txt there (the notebooks must "
            "use that kernel)",
            places,
            code="python2",
        )
    ]


def _kernel_notes(scan: ScanResult, env: Environment) -> list[Note]:
    """One note that the notebooks use several kernels, and one per kernel with its
    notebooks (a folder of thousands would otherwise print them all on one line)."""
    kernels: dict[str, list[str]] = defaultdict(list)
    for notebook, kernel in scan.kernels:
        kernels[kernel].append(notebook)
    if len(kernels) < 2:
        return []
    summary = Note(
        f"the notebooks use {len(kernels)} different kernels; versions were read from {env.description or env.python}",
        code="kernels",
    )
    counts = {k: f"{len(v):,} notebook{'s' if len(v) != 1 else ''}" for k, v in kernels.items()}
    return [summary] + [
        Note(f"kernel '{k}' ({counts[k]})", tuple(sorted(v)), code="kernel") for k, v in sorted(kernels.items())
    ]


def _flag_kernel_conflicts(
    rows: list[ProposedRequirement],
    scan: ScanResult,
    env: Environment,
    kernel_environments: Mapping[str, Environment],
) -> list[ProposedRequirement]:
    """Warn on rows whose notebooks run on a kernel with a different version."""
    kernel_of = dict(scan.kernels)
    indexes = {
        kernel: {canonicalize_name(d.name): d for d in other.distributions}
        for kernel, other in kernel_environments.items()
        if other.python != env.python
    }
    flagged = []
    for row in rows:
        key = canonicalize_name(row.name)
        warnings = list(row.warnings)
        notebooks_by_kernel: dict[str, set[str]] = defaultdict(set)
        for site in row.sites:
            kernel = kernel_of.get(site.path)
            if kernel in indexes:
                notebooks_by_kernel[kernel].add(site.path)
        for kernel, notebooks in sorted(notebooks_by_kernel.items()):
            other = indexes[kernel].get(key)
            used_by = shortlist(sorted(notebooks))
            if other is None:
                if row.installed_version is not None:
                    warnings.append(
                        f"kernel '{kernel}' (used by {used_by}) does not have {row.name}"
                    )
            elif other.version != row.installed_version:
                mine = row.installed_version or "not installed"
                warnings.append(
                    f"version conflict: kernel '{kernel}' (used by {used_by}) has "
                    f"{row.name} {other.version}, the proposal's environment has {mine}"
                )
        flagged.append(replace(row, warnings=tuple(warnings)) if len(warnings) != len(row.warnings) else row)
    return flagged


def _python_version_notes(env: Environment, kernel_environments: Mapping[str, Environment]) -> list[Note]:
    others = {
        kernel: other.python_version
        for kernel, other in sorted(kernel_environments.items())
        if other.python_version and other.python_version != env.python_version
    }
    if not others:
        return []
    listing = ", ".join(f"'{k}' runs Python {v}" for k, v in others.items())
    return [
        Note(f"kernels run different Python versions: {listing}; the proposal uses {env.python_version}", code="python-versions")
    ]


def mark_index_checks(proposal: Proposal, found: Mapping[str, bool | None]) -> Proposal:
    """Add the answers of an online index check to the rows it asked about."""
    rows = []
    for row in proposal.requirements:
        answer = found.get(row.name)
        if answer is False:
            message = f"{row.name} was not found on the package index"
            rows.append(
                replace(
                    row, warnings=(*row.warnings, message), included=False, trust="unverified"
                )
            )
        elif answer is True:
            message = f"{row.name} exists on the package index (checked online)"
            warnings = tuple(w for w in row.warnings if not w.startswith(DECISION))
            decided = row.trust == "unverified" and row.kind == "required" and row.rule != "implicit"
            rows.append(
                replace(
                    row,
                    warnings=(*warnings, message),
                    trust="verified" if row.trust in ("known", "unverified") else row.trust,
                    included=row.included or decided,
                )
            )
        else:
            rows.append(row)
    return replace(proposal, requirements=tuple(rows))
