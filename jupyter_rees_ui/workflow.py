"""Every step the sidebar and ``jupyter rees`` offer, once: typed requests in, dataclasses
out, domain errors raised.

    propose  scan a folder and read the kernel's environment -> a Proposal
    plan     what writing the reviewed rows would change, file by file
    apply    write what the plan showed, refused when a file changed since
    badge    the Binder link, its snippets and the README change
    write_badge, commit, check

The REST handlers and the CLI only parse their input into these requests and map
``WorkflowError`` subclasses to an HTTP status or an exit code, each with one table.
Adapters that pull in heavy libraries (jupyter_client, git, repo2docker) are imported
inside the functions, so importing this module stays cheap for the CLI.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.model import (
    BINDER_DIRS,
    InstalledPin,
    BINDER_MODES,
    DECLARING_FILES,
    FORMAT_FILES,
    FORMATS,
    PIN_POLICIES,
    TARGETS,
    Cancelled,
    Proposal,
    ProposedRequirement,
    ReesFileName,
    RowStatus,
    ScanResult,
    TRUST_LEVELS,
    Trust,
    to_json,
)
from .core.vocabulary import EXPORT_FILES  # propose can also print a Guix manifest
from .workflow_base import (  # the errors, the folder and the field checks the request types share
    DEFAULT_MESSAGE,
    INSTALLERS,
    MAX_TIMEOUT,
    MODES,
    PYTHON_VERSION,
    BadRequest,
    Busy,
    Conflict,
    EnvironmentUnreadable,
    Folder,
    Forbidden,
    GitFailed,
    NotFound,
    NothingToCommit,
    NotPython,
    WorkflowError,
    _choice,
)

ROW_STATUSES = tuple(s.value for s in RowStatus)
BADGE_FORMATS = ("markdown", "rst", "html")
PYPI_JSON = "https://pypi.org/pypi"

if TYPE_CHECKING:  # the adapters' reply types, imported where they are used (contract.py resolves them)
    from .adapters.git import CommitResult
    from .adapters.rees_files import FileChange
    from .core.rees import ReesNote
    from .workflow_types import (
        BadgeReply,
        BadgeRequest,
        BuildCheck,
        CommitReply,
        CommitRequest,
        HeldRow,
        Plan,
        ReesRequest,
        ResolutionCheck,
        VerifyRequest,
        WriteBadgeRequest,
        Written,
    )


def locate(root_dir: str | Path, path: str, *, allow_hidden: bool = False) -> Folder:
    """The folder ``path`` (relative to the server root) names, refused when it leads
    outside the root, is hidden (unless allowed) or does not exist."""
    from .adapters.paths import PathRefused, resolve_in_root

    try:
        folder = resolve_in_root(root_dir, path, allow_hidden=allow_hidden)
    except PathRefused as exc:
        kind = {400: BadRequest, 404: NotFound}.get(exc.status, Forbidden)
        raise kind(str(exc)) from exc
    return Folder(folder, Path(root_dir))


def local_folder(path: str | Path) -> Folder:
    """A folder given on the command line."""
    text = str(path)
    shown = text if len(text) <= 80 else text[:80] + "…"
    if "\x00" in text or any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in Path(text).parts):
        raise BadRequest(f"not a usable folder path (a name over 255 bytes, or a NUL): {shown}")
    folder = Path(path)
    try:
        if not folder.is_dir():
            raise NotFound(f"no such folder: {shown}")
    except OSError as exc:
        raise BadRequest(f"cannot use the folder {shown}: {exc.strerror or exc}") from exc
    return Folder(folder)


@contextmanager
def _domain_errors(folder: Folder) -> Iterator[None]:
    """The adapters' and core's exceptions as domain errors, with messages that name
    paths relative to the root (never the server's absolute paths)."""
    from .adapters import git, rees_files
    from .core.binder import BinderError
    from .core.rees import ReesError

    try:
        yield
    except rees_files.ConflictError as exc:
        raise Conflict(folder.quiet(str(exc))) from exc
    except (rees_files.PathError, ReesError, BinderError) as exc:
        raise BadRequest(folder.quiet(str(exc))) from exc
    except git.NothingToCommitError as exc:
        raise NothingToCommit(folder.quiet(str(exc))) from exc
    except git.GitError as exc:
        raise GitFailed(folder.quiet(str(exc))) from exc


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """The options a team sets once for the server and the CLI: ``c.Rees.*`` in the
    Jupyter config files (``config.Rees`` documents each)."""

    pin: str = "=="
    overrides: Mapping[str, str] = field(default_factory=dict)
    python: str | None = None
    timeout: float = 60.0
    check_index: bool = False
    index_url: str = PYPI_JSON
    max_bytes: int | None = 256 << 20
    resolve: bool = True  # the resolution check before writing (c.Rees.resolve_before_write)

    @classmethod
    def from_rees(cls, rees: Any) -> Settings:
        """From the server's ``config.Rees`` configurable."""
        return cls(
            pin=rees.default_pin,
            overrides=dict(rees.overrides),
            python=rees.python or None,
            timeout=rees.introspection_timeout,
            check_index=rees.check_index,
            index_url=rees.index_url,
            max_bytes=rees.max_file_size or None,
            resolve=rees.resolve_before_write,
        )


from .adapters.jupyter_config import CONFIG_NAMES, config_files  # noqa: E402 (read before the workflow too)


def jupyter_settings(directories: Sequence[str] | None = None) -> Settings:
    """``c.Rees.*`` from the same Jupyter config files the server reads, loaded with
    traitlets (without starting or importing the server). traitlets is imported only
    when a file names Rees, so a CLI run without such settings stays light."""
    files = []
    for path in config_files(directories):
        try:
            if "Rees" in path.read_text(encoding="utf-8", errors="replace"):
                files.append(path)
        except OSError:
            continue
    if not files:
        return Settings()
    from traitlets import TraitError
    from traitlets.config.loader import Config, JSONFileConfigLoader, PyFileConfigLoader

    from .config import Rees

    config = Config()
    for path in files:
        loader = PyFileConfigLoader if path.suffix == ".py" else JSONFileConfigLoader
        try:
            config.merge(loader(path.name, path=str(path.parent)).load_config())
        except Exception as exc:  # a broken config file: say which, as the server would
            raise BadRequest(f"cannot read the Jupyter config file {path}: {exc}") from exc
    try:
        return Settings.from_rees(Rees(config=config))
    except TraitError as exc:
        raise BadRequest(f"bad c.Rees setting in the Jupyter config: {exc}") from exc


# ----------------------------------------------------------------------------- propose


@dataclass(frozen=True)
class ProposeRequest:
    """Scan ``folder`` and pin from the environment of ``python`` (an interpreter), else
    the kernel ``kernel``, else the kernel most notebooks name, else the server's own."""

    folder: Folder
    pin: str = "=="
    kernel: str | None = None
    python: str | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    check_index: bool = False
    index_url: str = PYPI_JSON
    timeout: float = 60
    workers: int | None = 1  # None: a process per CPU for large cold folders
    all_syntax: bool = False  # parse every code cell, so every syntax error is reported
    review: bool = True  # compare with the REES already in the folder (core.review)
    max_bytes: int | None = 256 << 20  # larger files are reported, not read (None: no limit)
    # Keep scans and environments in the user's cache folder between runs (the CLI's
    # default; a server keeps them in memory).
    remember: bool = False
    # Also read the other kernels the notebooks name, to flag rows whose versions differ.
    compare_kernels: bool = True
    # The folder's files as the command has just listed them (``adapters.files.Listing``),
    # so that the scan does not list and stat them again; None: the scan lists them.
    listing: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        _choice(self.pin, PIN_POLICIES, "pin policy")


@dataclass(frozen=True)
class ProposalReply:
    path: str  # the scanned folder, relative to the server root
    proposal: Proposal


def parse_overrides(text: str) -> dict[str, str]:
    """The user's import -> distribution setting, as JSON text."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BadRequest(f"'overrides' is not valid JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise BadRequest("'overrides' must map import names to distribution names")
    return value


def _running_python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def kernel_names(scan: ScanResult) -> list[str]:
    """Kernel names the notebooks ask for, most used first."""
    counts = Counter(name for _path, name in scan.kernels if name)
    return [name for name, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def kernels() -> list[dict[str, Any]]:
    """The kernelspecs installed: name, display_name, language, python."""
    from .adapters.environment import list_kernels

    return list_kernels()


def remembered_answer(argv: Sequence[str], folder: str, *, reads_rees: bool = False) -> Any:
    """The answer a command line gave on this folder, replayed while nothing it was
    computed from changed (``adapters.answers.RememberedAnswer``: ``replay()``, ``record()``)."""
    from .adapters.answers import RememberedAnswer

    return RememberedAnswer(argv, folder, reads_rees=reads_rees)


def scan_cache() -> Any:
    """A cache that keeps each file's scan until the file changes (one per server); the
    files it lacks are read in a few reader processes, so the server's event loop never
    waits for a parse (adapters.readers)."""
    from .adapters.files import ScanCache
    from .adapters.readers import ReaderProcesses

    return ScanCache(readers=ReaderProcesses())


#: The modules a proposal runs (imported inside its functions, so that the CLI and a
#: server that is never asked load them only when needed).
PROPOSAL_MODULES = (
    ".adapters.environment",
    ".adapters.files",
    ".adapters.paths",
    ".core.implicit",
    ".core.rees",
    ".core.resolve",
    ".core.review",
    ".core.system_needs",
)


def prepare() -> None:
    """Import what a proposal runs and load the bundled import-name data. A server does
    this in the background once it has started: otherwise the first proposal imports and
    loads them in a request's thread, holding the interpreter while other requests wait."""
    import importlib

    for module in PROPOSAL_MODULES:
        importlib.import_module(module, __package__)
    from .core.mapping import bundled_mapping, bundled_wheel_data

    bundled_mapping()
    bundled_wheel_data().prepare()


def propose(
    request: ProposeRequest, *, cache: Any = None, progress: Any = None, cancel: Any = None
) -> ProposalReply:
    """Scan the folder and resolve its imports against the environment that runs its
    notebooks. When the notebooks name several kernels, each is read too, so rows whose
    versions differ between them are flagged. ``check_index`` (opt-in, the only network
    use) asks the package index whether names guessed for missing modules exist.
    ``cache`` (an ``adapters.files.ScanCache``) makes a second scan read only what changed.
    ``progress(phase, done, total, message)`` hears how the scan goes; once the
    ``cancel`` event is set, ``Cancelled`` is raised between files."""
    from .adapters.environment import (
        IntrospectionError,
        check_guesses_on_index,
        environment_store,
        introspect_kernels,
        introspection_key,
        kernel_env,
        kernel_exists,
        kernel_python,
        likely_kernel,
        start_introspection,
    )

    if request.kernel is not None and not kernel_exists(request.kernel):
        raise NotFound(f"no kernel named {request.kernel!r}")
    root = request.folder.path
    envs = environment_store() if request.remember else None
    stored = pending = None
    try:
        # The environment is read while the folder is scanned: the interpreter asked
        # for, else the kernel's; without either, this Python's, which runs the native
        # kernel the notebooks usually name (another is read after the scan). Started
        # before the scanner and the resolver are imported: a first run reads it on
        # another CPU meanwhile.
        if request.python is not None:
            pending = start_introspection(request.python, timeout=request.timeout, store=envs)
        else:
            guess = request.kernel or likely_kernel(request.listing)
            pending = start_introspection(
                kernel_python(guess), timeout=request.timeout, env=kernel_env(guess), store=envs
            )
        from .adapters.files import ScanCache, scan_folder

        cache = ScanCache() if cache is None else cache  # the second scan below is then free
        if request.remember:
            from .adapters.store import StoredScans

            stored = StoredScans(root, all_syntax=request.all_syntax)
            stored.load_into(cache)
        early = _Preparation(pending, request.pin)
        scan = scan_folder(
            root,
            target_python=None,
            cache=cache,
            workers=request.workers,
            all_syntax=request.all_syntax,
            max_bytes=request.max_bytes,
            progress=progress,
            cancel=cancel,
            listing=request.listing,
            meanwhile=early.meanwhile,
        )
        if progress is not None:
            progress("environment", 0, 1, "reading the kernel's environment")
        names = kernel_names(scan)
        if request.python is None:
            chosen = request.kernel or (names[0] if names else None)
            python, variables = kernel_python(chosen), kernel_env(chosen)
            if introspection_key(python, variables) != pending.key:
                pending.cancel()
                pending = start_introspection(python, timeout=request.timeout, env=variables, store=envs)
        env = _environment(pending, cancel)
        if env.python_version != _running_python_version():
            # The standard library differs between versions: filter for the kernel's Python.
            scan = scan_folder(
                root,
                target_python=env.python_version,
                cache=cache,
                all_syntax=request.all_syntax,
                max_bytes=request.max_bytes,
                listing=request.listing,
            )
        compare = request.compare_kernels and len(names) > 1
        others = (
            introspect_kernels(names, timeout=request.timeout, wait=lambda other: _environment(other, cancel))
            if compare
            else None
        )
    except IntrospectionError as exc:
        raise EnvironmentUnreadable(f"could not read the kernel's environment: {exc}") from exc
    except (KeyError, ValueError) as exc:  # a kernel without an interpreter, a bad path
        raise BadRequest(str(exc)) from exc
    finally:
        if pending is not None:
            pending.cancel()
    if stored is not None:
        stored.save_from(cache)
    from .core.resolve import build_proposal

    proposal = build_proposal(
        scan, env, pin=request.pin, overrides=dict(request.overrides), kernel_environments=others,
        index=early.index if early.environment is env else None,
    )
    installed = early.installed if early.environment is env else None
    if installed is None:
        installed = _installed_pins(env, request.pin)
    proposal = dataclasses.replace(proposal, installed=installed)
    if request.check_index:
        proposal = check_guesses_on_index(proposal, index_url=request.index_url)
    # after the index check: a package found on the index still needs its system library
    from .core.system_needs import mark_system_needs

    rows = mark_system_needs(proposal.requirements, apt=listed_apt_packages(request.folder))
    proposal = dataclasses.replace(proposal, requirements=rows)
    if request.folder.root is not None:  # the folder as the user named it, never the server's path
        proposal = dataclasses.replace(proposal, root=request.folder.api_path)
    if request.review:
        proposal = reviewed(request.folder, proposal)
    if kept_until_exit is not None:
        kept_until_exit.append((scan, cache, early, env))
    return ProposalReply(request.folder.api_path, proposal)


#: A list when the process ends with ``os._exit`` once it has answered (the command line,
#: ``cli._end``): a proposal's working objects (the scans and their cache, the environment
#: and its index: tens of thousands of objects) are kept there instead of being freed one
#: by one as it returns, about 1.5 ms after the last file on 300 notebooks, for memory
#: nothing would use.
kept_until_exit: list[Any] | None = None


class _Preparation:
    """What a proposal needs after the scan, made while worker processes read the files
    (``scan_folder``'s ``meanwhile``): the environment's answer taken as it comes, the
    resolver and its import-name data loaded, and, once the environment is known, the
    installed owners of each top-level name the scans bring indexed, and every installed
    distribution's pin made."""

    def __init__(self, pending: Any, pin: str) -> None:
        self.pending, self.pin = pending, pin
        self.environment: Any = None
        self.index: Any = None
        self.installed: dict[str, InstalledPin] | None = None
        self.waiting: list[Any] = []  # scans that came before the environment

    def meanwhile(self, scans: list[Any]) -> None:
        if self.index is None:
            self.pending.read_in_background()
            prepare()
            self.waiting += scans
            environment = self.pending.environment  # set once its reader is done
            if environment is None:
                return
            from .core.resolve import index_environment

            with contextlib.suppress(ValueError):  # an unknown pin policy: said by build_proposal
                self.installed = _installed_pins(environment, self.pin)
            self.environment, self.index = environment, index_environment(environment)
            scans, self.waiting = self.waiting, []
        self.index.prepare(site.module for scan in scans if scan is not None for site in scan.imports)
        from .core.resolve import prepare_install_lines

        prepare_install_lines(hint for scan in scans if scan is not None for hint in scan.installs)


def _installed_pins(env: Any, pin: str) -> dict[str, InstalledPin]:
    """Each distribution of ``env`` as a row added by hand would pin it, by name."""
    from packaging.utils import canonicalize_name

    from .core.resolve import apply_pin

    installed = {
        str(canonicalize_name(d.name)): InstalledPin(d.version, apply_pin(d.version, pin))
        for d in env.distributions
    }
    return dict(sorted(installed.items()))


def listed_apt_packages(folder: Folder) -> frozenset[str]:
    """The Debian packages the apt.txt of the folder's REES lists (repo2docker installs
    them before the Python packages)."""
    from .adapters.paths import PathRefused, inside
    from .core.system_needs import apt_packages

    where, _texts = existing_rees(folder)
    try:
        path = inside(folder.path.resolve(), f"{where}/apt.txt")
        return apt_packages(path.read_text(encoding="utf-8")) if path.is_file() else frozenset()
    except (PathRefused, OSError, UnicodeDecodeError):
        return frozenset()


def needs_decision(row: ProposedRequirement) -> bool:
    """Whether a row carries a warning that waits for the user (``core.resolve.DECISION``)."""
    from .core.resolve import DECISION

    return any(w.startswith(DECISION) for w in row.warnings)


def _environment(pending: Any, cancel: Any) -> Any:
    """``pending.result()``, the kernel's environment; once ``cancel`` is set its
    introspection is stopped and ``Cancelled`` raised (the client went away)."""
    if cancel is None:
        return pending.result()
    import threading

    waited = threading.Event()

    def watch() -> None:
        while not waited.is_set():
            if cancel.wait(0.05):
                pending.cancel()  # again until waited: the child may start after a first call
                waited.wait(0.05)

    watcher = threading.Thread(target=watch, name="jupyter-rees-cancel", daemon=True)
    watcher.start()
    try:
        env = pending.result()
    except Exception:
        if cancel.is_set():
            raise Cancelled("proposal cancelled") from None
        raise
    finally:
        waited.set()
    if cancel.is_set():
        raise Cancelled("proposal cancelled")
    return env


def reviewed(folder: Folder, proposal: Proposal) -> Proposal:
    """The proposal's rows placed against the REES already in the folder (core.review):
    pins as written kept, left-out packages unticked, the file's other lines added."""
    from .core import review

    _where, texts = existing_rees(folder)
    rows = review.review(proposal.requirements, review.read_existing(texts))
    return dataclasses.replace(proposal, requirements=rows)


# ----------------------------------------------------------------------------- plan / apply


SOURCES = ("pip", "conda", "editable", "vcs", "archive", "not-installed", "unknown", "local")


def reviewed_rows(items: Any) -> tuple[ProposedRequirement, ...]:
    """Rows as the sidebar sends them (JSON objects), each field checked by
    ``core.validate``; a violation is a BadRequest naming the row and the field."""
    from packaging.utils import canonicalize_name

    from .core import validate

    rows: list[ProposedRequirement] = []
    seen: set[str] = set()
    try:
        items = validate.rows(items)
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise BadRequest(f"requirements[{i}]: must be an object")
            row = _reviewed_row(item, f"requirements[{i}]")
            key = canonicalize_name(row.name)
            if key in seen:
                raise BadRequest(f"requirements[{i}].name: {row.name} is listed twice")
            seen.add(key)
            rows.append(row)
    except validate.InvalidInput as exc:
        raise BadRequest(str(exc)) from exc
    return tuple(rows)


def _reviewed_row(item: Mapping[str, Any], at: str) -> ProposedRequirement:
    """One reviewed row. A marker may come in its own field or after a ``;`` in the
    name or the specifier (``numpy; os_name == 'nt'``); it is kept either way."""
    from .core import validate

    name = item.get("name")
    spec = item.get("specifier")
    marker = item.get("marker")
    if isinstance(name, str) and ";" in name and marker is None:
        name, _, marker = name.partition(";")
    if isinstance(spec, str) and ";" in spec and marker is None:
        spec, _, marker = spec.partition(";")
    name = validate.distribution_name(name, f"{at}.name")
    source = item.get("source", "pip")
    if source not in SOURCES:
        raise validate.InvalidInput(f"{at}.source", f"must be one of: {', '.join(SOURCES)}")
    included = item.get("included", True)
    if not isinstance(included, bool):
        raise validate.InvalidInput(f"{at}.included", "must be true or false")
    status = item.get("status", "new")
    if status not in ROW_STATUSES:
        raise validate.InvalidInput(f"{at}.status", f"must be one of: {', '.join(ROW_STATUSES)}")
    in_file = item.get("in_file")
    if in_file is not None:
        in_file = validate.text(in_file, f"{at}.in_file", max_length=validate.MAX_URL)
    written = item.get("written_specifier")
    installed = item.get("installed_version")
    if installed is not None:
        installed = validate.text(installed, f"{at}.installed_version", max_length=validate.MAX_SPECIFIER)
    return ProposedRequirement(
        name=name,
        specifier=validate.specifier(spec, f"{at}.specifier"),
        url=validate.url(item.get("url"), f"{at}.url"),
        source=source,
        conda_name=validate.conda_name(item.get("conda_name"), f"{at}.conda_name"),
        included=included,
        extras=validate.extras(item.get("extras"), f"{at}.extras"),
        marker=validate.marker(marker, f"{at}.marker") or "",
        trust=_trust(item.get("trust", "verified"), f"{at}.trust"),
        status=status,
        in_file=in_file,
        written_specifier=None if written is None else validate.specifier(written, f"{at}.written_specifier"),
        installed_version=installed or None,
    )


def _trust(value: Any, at: str) -> Trust:
    from .core import validate

    if value not in TRUST_LEVELS:
        raise validate.InvalidInput(at, f"must be one of: {', '.join(TRUST_LEVELS)}")
    return value


def export(rows: Sequence[ProposedRequirement], python_version: str, fmt: str) -> str:
    """The one file ``fmt`` gives for ``rows`` (requirements.txt, environment.yml, or a
    Guix manifest), as printed by ``jupyter rees propose``."""
    from .core.rees import ReesError, render_rees

    try:
        files = render_rees(list(rows), python_version, fmt=fmt)
    except ReesError as exc:
        raise BadRequest(str(exc)) from exc
    return files[EXPORT_FILES[fmt]]


def _decisions(request: ReesRequest, held: Sequence[str] = ()) -> Any:
    """``core.review.decide`` of the rows, with the held ones (``request.hold`` and
    ``held``, less what the user forces) taken out of the file without recording them
    as the user's choice."""
    from packaging.utils import canonicalize_name

    from .core.review import Decisions, decide

    forced = {canonicalize_name(n) for n in request.force}
    hold = {canonicalize_name(n) for n in (*request.hold, *held)} - forced
    merging = _merges_reviewed_file(request)
    if not hold:
        return decide(request.rows, merging=merging)
    rows = [
        dataclasses.replace(r, included=False) if r.included and canonicalize_name(r.name) in hold else r
        for r in request.rows
    ]
    decisions = decide(rows, merging=merging)
    return Decisions(decisions.write, decisions.drop, tuple(n for n in decisions.left_out if n not in hold))


def _merges_reviewed_file(request: ReesRequest) -> bool:
    """Whether the file written is the one the rows were reviewed against (``reviewed``:
    the REES repo2docker reads now), so lines kept as they are stay by the merge."""
    from .core.model import ENVIRONMENT_FILES

    if not any(r.in_file is not None for r in request.rows):
        return True
    where, texts = existing_rees(request.folder)
    reviewed_yml = any(n in texts for n in ENVIRONMENT_FILES)
    target = "." if request.target.strip("/") in ("", ".") else request.target.strip("/")
    return where == target and reviewed_yml == (request.format == "environment")


def _render(request: ReesRequest, held: Sequence[str] = ()) -> dict[str, str]:
    from .core.rees import render_rees

    rows = _decisions(request, held).write
    return render_rees(list(rows), request.python_version, fmt=request.format)


def _changes(request: ReesRequest, files: Mapping[str, str], held: Sequence[str] = ()) -> list[Any]:
    from .adapters import rees_files

    decisions = _decisions(request, held)
    return rees_files.preview(
        request.folder.path,
        files,
        target=request.target,
        drop=decisions.drop,
        remove=request.remove,
        left_out=decisions.left_out,
    )


def _refuse_non_python(folder: Folder) -> None:
    """``NotPython`` when the folder's REES selects R or Julia, or no notebook or file
    of the project is Python."""
    from .adapters import rees_files
    from .core.rees import non_python_refusal

    reason = non_python_refusal(rees_files.layout(folder.path), *project_languages(folder.path))
    if reason is not None:
        raise NotPython(reason)


_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", ".git", ".ipynb_checkpoints"})


def project_languages(root: Path, *, limit: int = 200) -> tuple[dict[str, str], bool]:
    """(notebook path -> kernel language, whether any Python code was found), stopping
    at the first ``.py`` file or Python notebook; at most ``limit`` notebooks are read."""
    import os

    from .adapters.files import read_notebook_file
    from .core.rees import PYTHON_LANGUAGES
    from .core.scan import notebook_language

    languages: dict[str, str] = {}
    read = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        if any(name.endswith(".py") for name in names):
            return languages, True
        for name in sorted(names):
            if not name.endswith(".ipynb") or read >= limit:
                continue
            read += 1
            path = Path(folder) / name
            try:
                language, _kernel = notebook_language(read_notebook_file(path))
            except Exception:  # an unreadable notebook says nothing about the project
                continue
            if language in PYTHON_LANGUAGES:
                return languages, True
            languages[path.relative_to(root).as_posix()] = language
    return languages, False


def plan(request: ReesRequest, *, cancel: Any = None) -> Plan:
    """What writing the reviewed rows would change, file by file, with layout notes.
    A project that is not Python (R, Julia) is refused (``NotPython``). Once ``cancel``
    (a ``threading.Event``) is set, the resolution check stops its resolver and
    ``Cancelled`` is raised (the client went away)."""
    from .adapters import rees_files
    from .workflow_types import Plan

    _refuse_non_python(request.folder)
    with _domain_errors(request.folder):
        held, resolution = _check_resolution(request, cancel) if request.resolve else ((), None)
        names = tuple(h.name for h in held)
        files = _render(request, names)
        changes = _changes(request, files, names)
        notes = rees_files.notes(
            request.folder.path, files, target=request.target, python_version=request.python_version
        )
    notes = (*notes, *_resolution_notes(held, resolution))
    return Plan(request.folder.api_path, tuple(changes), tuple(notes), held, resolution)


# ----------------------------------------------------------------------------- resolution check

#: seconds the resolution check may take in all before it gives up (and writes unchanged)
RESOLVE_BUDGET = 600.0


def kernel_pinned(row: ProposedRequirement) -> bool:
    """Whether a row's line is the kernel's own: installed there, and pinned to (or
    allowing) the installed version, or its VCS/URL install. Such lines resolve
    together, as they did in the kernel; every other line is checked."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if row.installed_version is None:
        return False
    if row.url:
        return True
    if not row.specifier:
        return False
    try:
        return SpecifierSet(row.specifier).contains(row.installed_version, prereleases=True)
    except InvalidSpecifier:
        return False


def _resolvable_text(request: ReesRequest, held: Sequence[str]) -> str | None:
    """The pip lines the planned REES would have with ``held`` left out: its
    requirements.txt, or the pip section of its environment.yml (None: no pip lines)."""
    for change in _changes(request, _render(request, held), held):
        name = change.path.rsplit("/", 1)[-1]
        if change.new is None:
            continue
        if name == "requirements.txt":
            return change.new
        if name in ("environment.yml", "environment.yaml"):
            lines = _pip_section(change.new)
            return "\n".join(lines) + "\n" if lines else None
    return None


def _check_resolution(request: ReesRequest, cancel: Any = None) -> tuple[tuple[HeldRow, ...], ResolutionCheck | None]:
    """Ask the resolver (``check --resolve``'s) whether the planned REES resolves for
    its Python. When it does not, find the lines not pinned from the kernel that break
    it (adding them back in halves, then one by one) and hold those back. Nothing is
    asked when every line is pinned from the kernel."""
    import time

    from packaging.utils import canonicalize_name

    from .adapters import resolver
    from .core.check import requirement_names
    from .workflow_types import HeldRow, ResolutionCheck

    forced = {canonicalize_name(n) for n in request.force}
    already = {canonicalize_name(n) for n in request.hold}
    text = _resolvable_text(request, ())
    if text is None:
        return (), None
    declared = set(requirement_names(text))
    unique: dict[str, ProposedRequirement] = {}
    for row in request.rows:
        key = canonicalize_name(row.name)
        if row.included and key in declared and key not in forced | already:
            unique.setdefault(key, row)
    # a version someone chose first (kept as the last to hold back), then unpinned ones
    candidates = sorted(
        (r for r in unique.values() if not kernel_pinned(r)), key=lambda r: (not r.specifier and not r.url, canonicalize_name(r.name))
    )
    if not candidates and not _has_options(text):
        return (), None
    checked = tuple(r.name for r in candidates)
    where = request.folder.path / ("" if request.target == "." else request.target)
    cwd = where if where.is_dir() else request.folder.path
    deadline = time.monotonic() + RESOLVE_BUDGET
    asked = {"n": 0}

    def ask(held: Sequence[str]) -> Any:
        asked["n"] += 1
        left = deadline - time.monotonic()
        if left <= 0:
            return resolver.ResolveResult(None, "", request.python_version, f"no verdict within {RESOLVE_BUDGET:.0f} s")
        body = _resolvable_text(request, held) or ""
        return resolver.resolve_text(body, request.python_version, cwd, timeout=min(300.0, left), cancel=cancel)

    def verdict(result: Any, held: tuple[HeldRow, ...] = ()) -> tuple[tuple[HeldRow, ...], ResolutionCheck]:
        ok = True if held else result.ok  # with the held rows left out, it resolves
        return held, ResolutionCheck(ok, result.tool, request.python_version, checked, result.message, asked["n"])

    first = ask(())
    if first.ok is not False or not candidates:
        return verdict(first)
    names = [r.name for r in candidates]
    without = ask(names)
    if without.ok is not True:  # the kernel's own lines do not resolve either: not theirs to hold
        return verdict(without if without.ok is None else first)
    kept: list[str] = []
    held: list[HeldRow] = []

    def add(group: list[str], known_bad: bool = False) -> bool:
        """Add ``group`` back; False when the resolver could not be asked."""
        rest = [n for n in names if n not in kept and n not in group]
        result = None if known_bad else ask(rest)
        if result is not None and result.ok is None:
            return False
        if result is not None and result.ok:
            kept.extend(group)
            return True
        if len(group) == 1:
            reason = resolver.reason(result.message if result is not None else first.message, group[0])
            held.append(HeldRow(group[0], reason))
            return True
        half = len(group) // 2
        return add(group[:half]) and add(group[half:])

    if not add(names, known_bad=True):
        return verdict(resolver.ResolveResult(None, first.tool, request.python_version, "the resolver stopped answering"))
    return verdict(first, tuple(sorted(held, key=lambda h: canonicalize_name(h.name))))


def _has_options(text: str) -> bool:
    """Whether a requirements file has option lines (``-r``, ``-e``, ``--index-url``):
    lines no row stands for, so the kernel did not vouch for them."""
    return any(line.strip().startswith("-") for line in text.splitlines())


def _resolution_notes(held: Sequence[HeldRow], resolution: ResolutionCheck | None) -> list[Any]:
    """The notes a plan shows about the resolution check."""
    from .core.rees import ReesNote

    if resolution is None:
        return []
    python = f"Python {resolution.python_version}"
    if resolution.ok is None:
        return [ReesNote(
            "warning", "resolve-unreachable",
            f"could not check that the REES resolves for {python} ({resolution.tool or 'resolver'}): "
            f"{resolver_reason(resolution.message)}; it is written as proposed",
        )]
    if held:
        names = ", ".join(h.name for h in held)
        return [ReesNote(
            "warning", "does-not-resolve",
            f"held back {names}: with {'it' if len(held) == 1 else 'them'} the REES does not resolve for "
            f"{python} ({resolution.tool}); moved to Needs a decision, not written (include "
            f"{'it' if len(held) == 1 else 'them'} to write anyway)",
        )]
    if resolution.ok is False:
        return [ReesNote(
            "warning", "does-not-resolve",
            f"the REES does not resolve for {python} ({resolution.tool}), not even without the lines not "
            f"pinned from the kernel: {resolver_reason(resolution.message)}",
        )]
    return [ReesNote("info", "resolves", f"the REES resolves for {python} ({resolution.tool})")]


def resolver_reason(message: str) -> str:
    from .adapters.resolver import reason

    return reason(message)


def held_back(proposal: Proposal, plan: Plan) -> Proposal:
    """The proposal as ``plan``'s resolution check leaves it, as the sidebar shows it:
    each held row unticked, under Needs a decision with the resolver's reason, and what
    the resolver said among the notes (``propose --resolve``)."""
    from packaging.utils import canonicalize_name

    from .core.model import Note
    from .core.resolve import DECISION

    held = {canonicalize_name(h.name): h.reason for h in plan.held}
    rows = []
    for row in proposal.requirements:
        reason = held.get(canonicalize_name(row.name))
        if reason is not None:
            warning = (
                f"{DECISION}with {row.name} the REES does not resolve for Python {proposal.python_version}: "
                f"{reason} (--include {row.name} writes it anyway)"
            )
            row = dataclasses.replace(row, included=False, warnings=(warning, *row.warnings))
        rows.append(row)
    said = tuple(Note(n.message, code=n.code) for n in plan.notes if n.code in RESOLUTION_NOTES)
    return dataclasses.replace(proposal, requirements=tuple(rows), notes=(*proposal.notes, *said))


#: the codes of the notes a plan's resolution check gives (``_resolution_notes``)
RESOLUTION_NOTES = ("resolves", "does-not-resolve", "resolve-unreachable")


def unchecked(proposal: Proposal, rows: Sequence[ProposedRequirement]) -> Proposal:
    """The proposal with a note naming the lines a write would resolve first (``rows``
    included and not pinned from the kernel), when there are such lines. Nothing is
    asked: a proposal needs no network, and a row the write holds back is no surprise."""
    from .core.model import Note

    unpinned = [r.name for r in rows if r.included and not kernel_pinned(r)]
    if not unpinned:
        return proposal
    names = ", ".join(unpinned[:5]) + (f" and {len(unpinned) - 5} more" if len(unpinned) > 5 else "")
    note = Note(
        f"not checked: whether the lines not pinned from the kernel ({names}) resolve for Python "
        f"{proposal.python_version}; write checks them and holds back those that do not "
        "(propose --resolve checks now; needs the package index)",
        code="resolve-unchecked",
    )
    return dataclasses.replace(proposal, notes=(*proposal.notes, note))


def apply(request: ReesRequest, expected: Mapping[str, str | None]) -> Written:
    """Write what the plan showed. Refused (``Conflict``) when a file changed since, or
    when a file that would change is missing from ``expected`` (path -> the hash its
    preview returned: a file is never overwritten without a preview)."""
    from .adapters import rees_files, repo2docker_check
    from .workflow_types import Written

    if not isinstance(expected, Mapping):
        raise BadRequest("'expected' must map file paths to the hashes shown in the preview")
    _refuse_non_python(request.folder)
    with _domain_errors(request.folder), rees_files.folder_lock(request.folder.path):
        # under the folder's lock: of writes carrying the same hashes, exactly one wins
        planned = _changes(request, _render(request), ())
        rees_files.check_expected(planned, expected)
        written = rees_files.write(request.folder.path, planned)
    return Written(request.folder.api_path, tuple(written), repo2docker_check.summarize(request.folder.path))


def check_build(request: ReesRequest) -> BuildCheck:
    """What Binder would build if the reviewed rows were written: repo2docker's dry run
    on a temporary copy of the folder's configuration with the planned files in it."""
    from .adapters import repo2docker_check
    from .workflow_types import BuildCheck

    if not repo2docker_check.available():
        return BuildCheck(request.folder.api_path, False, repo2docker_check.INSTALL_HINT)
    with _domain_errors(request.folder):
        planned = _changes(request, _render(request))
        summary = repo2docker_check.summarize_planned(request.folder.path, planned)
    return BuildCheck(request.folder.api_path, True, repo2docker_check.INSTALL_HINT, summary)


# ----------------------------------------------------------------------------- badge


def _link(request: BadgeRequest) -> tuple[Any, dict[str, Any]]:
    """(BinderLink, what git said about it) for a badge request; raises GitError or
    BinderError when there is no link to make."""
    from .adapters import git
    from .core import binder

    folder = request.folder.path
    if request.doi:
        link = binder.doi_link(request.doi, provider=request.provider, path=request.notebook, mode=request.mode)
        return link, {}
    if request.env_repo:
        content = git.repository_link(folder, remote=request.remote, ref=request.ref)
        link = binder.nbgitpuller_link(
            request.env_repo,
            request.env_ref,
            git.remote_url(folder, content.remote),
            content_branch=content.ref,
            path=request.notebook,
            mode=request.mode,
        )
        return link, {"remote": content.remote, "ref": content.ref, "pushed": content.pushed}
    found = git.repository_link(
        folder, remote=request.remote, ref=request.ref, path=request.notebook, mode=request.mode
    )
    return found.link, {
        "remote": found.remote,
        "ref": found.ref,
        "pushed": found.pushed,
        "notes": tuple(found.notes),
    }


def badge(request: BadgeRequest, *, strict: bool = False) -> BadgeReply:
    """The Binder link and badge snippets, and the README change that would insert the
    badge. Without a link (no repository, no remote) the reply says why in ``message``;
    ``strict`` raises that as an error instead."""
    from .adapters import git, rees_files
    from .core import binder
    from .workflow_types import BadgeReply

    folder = request.folder
    refs = None
    try:
        git.toplevel(folder.path)
        repository = True
        remotes = tuple(r.name for r in git.remotes(folder.path))
        refs = git.list_refs(folder.path)
    except git.GitError:
        repository, remotes = False, ()
    try:
        with _domain_errors(folder):
            link, found = _link(request)
    except (GitFailed, BadRequest) as exc:
        if strict:
            if isinstance(exc, GitFailed) and not request.doi:
                raise type(exc)(f"{exc} (or give a DOI for an archived copy)") from exc
            raise
        return BadgeReply(
            folder.api_path, None, repository=repository, remotes=remotes, message=str(exc),
            refs=refs, mode=request.mode,
        )
    with _domain_errors(folder):
        readme = rees_files.preview_badge(folder.path, link, readme=request.readme)
    return BadgeReply(
        folder.api_path,
        link.url,
        notes=found.get("notes", ()),
        repository=repository,
        remotes=remotes,
        remote=found.get("remote"),
        ref=found.get("ref"),
        pushed=found.get("pushed"),
        snippets={fmt: binder.badge(link, fmt) for fmt in BADGE_FORMATS},
        readme=readme,
        refs=refs,
        mode=request.mode,
    )


def snippet(link: str, fmt: str) -> str:
    """The badge for ``link`` in ``fmt`` (markdown, rst, html) or the bare URL (url)."""
    from .core import binder

    if fmt == "url":
        return link
    _choice(fmt, BADGE_FORMATS, "badge format")
    return binder.badge(link, fmt)


def write_badge(request: WriteBadgeRequest) -> Written:
    """Insert the badge into the README (between markers) as previewed."""
    from .adapters import rees_files
    from .core import binder
    from .workflow_types import Written

    link = binder.parse_link(request.link, request.binderhubs)
    with _domain_errors(request.folder), rees_files.folder_lock(request.folder.path):
        change = rees_files.preview_badge(request.folder.path, link, readme=request.readme)
        rees_files.check_expected([change], request.expected)
        written = rees_files.write(request.folder.path, [change])
    return Written(request.folder.api_path, tuple(written))


# ----------------------------------------------------------------------------- commit


def commit(request: CommitRequest) -> CommitReply:
    """Commit the files, each refused (before git runs) unless it is one this tool
    manages and holds what it wrote: a REES file in the config folder or at the root
    (or its deletion), the README with our badge."""
    from .adapters import git, rees_files
    from .core import validate
    from .workflow_types import CommitReply

    try:
        message = validate.message(request.message, "message").strip() or DEFAULT_MESSAGE
        files = [validate.relative_path(f, "files") for f in validate.string_list(list(request.files), "files")]
    except validate.InvalidInput as exc:
        raise BadRequest(str(exc)) from exc
    with _domain_errors(request.folder):
        git.toplevel(request.folder.path)  # not a repository: say that first
        for path in files:
            problem = rees_files.unmanaged(request.folder.path, path)
            if problem is not None:
                raise BadRequest(f"files: {path[:80]!r} {problem}; only the REES and the README badge are committed")
        result = git.commit_files(request.folder.path, files, message)
    return CommitReply(request.folder.api_path, result)


def rees_paths(folder: Folder) -> tuple[str, ...]:
    """The files a REES commit takes by default: what is in the REES folder, the root's
    REES files when the REES lives at the root, and the README."""
    from .adapters import rees_files

    where, _texts = existing_rees(folder)
    base = folder.path
    found = [f"{where}/{p.name}" for p in sorted((base / where).glob("*")) if p.is_file()] if where != "." else []
    found += [n for n in rees_files.README_NAMES if (base / n).is_file()]
    if where == ".":
        rees = (ReesFileName.REQUIREMENTS_TXT, ReesFileName.RUNTIME_TXT, ReesFileName.ENVIRONMENT_YML)
        found += [n.value for n in rees if (base / n.value).is_file()]
    return tuple(path for path in found if rees_files.unmanaged(base, path) is None)


# ----------------------------------------------------------------------------- check


def existing_rees(folder: Folder) -> tuple[str, dict[str, str]]:
    """(the folder repo2docker reads, file name -> text) of the REES already there."""
    from .adapters.paths import PathRefused, inside
    from .core.rees import config_dir

    base = folder.path.resolve()
    used = [
        f"{d}/{entry.name}"
        for d in BINDER_DIRS
        if (base / d).is_dir() and not (base / d).is_symlink()
        for entry in (base / d).iterdir()
        if entry.is_file()
    ]
    where = config_dir(used)
    texts = {}
    for name in DECLARING_FILES:
        # regular files inside the folder only (never a FIFO, nor a link leading out)
        try:
            path = inside(base, f"{where}/{name}")
        except PathRefused:
            continue
        if path.is_file():
            try:
                texts[name] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return where, texts


@dataclass(frozen=True)
class CheckReply:
    """Whether the REES in the folder covers its imports."""

    where: str  # the folder repo2docker reads ("binder", ".binder" or ".")
    files: tuple[str, ...]  # the REES files read, relative to the folder
    proposal: Proposal
    missing: tuple[ProposedRequirement, ...] = ()
    unused: tuple[str, ...] = ()
    # (declared name, why) of lines nobody vouches for (core.check)
    unverified: tuple[tuple[str, str], ...] = ()
    unconfirmed: tuple[ProposedRequirement, ...] = ()  # absent rows only known or guessed
    covered: int = 0  # required rows the REES declares
    resolved: Any = None  # adapters.resolver.ResolveResult with ``resolve``, else None
    python_version: str = ""  # the Python the REES asks for (runtime.txt, environment.yml)
    guessed: tuple[str, ...] = ()  # unverified names that are only guesses

    @property
    def blocking(self) -> tuple[tuple[str, str], ...]:
        """The unverified lines that fail the check: guesses stop failing once the
        resolver has found every line."""
        confirmed = self.resolved is not None and self.resolved.ok is True
        return tuple((n, why) for n, why in self.unverified if not (confirmed and n in self.guessed))

    @property
    def ok(self) -> bool:
        return not self.missing and not self.blocking and (
            self.resolved is None or self.resolved.ok is not False
        )


#: the Python repo2docker builds when the REES does not say
REPO2DOCKER_DEFAULT_PYTHON = "3.10"


def rees_python_version(where: str, texts: Mapping[str, str], folder: Folder) -> str:
    """The Python a REES asks for: runtime.txt's python-X.Y, environment.yml's python=X.Y,
    else repo2docker's default."""
    yml = next((texts[n] for n in ("environment.yml", "environment.yaml") if n in texts), None)
    if yml is not None:
        match = re.search(r"^\s*-\s*python\s*=+\s*(\d+\.\d+)", yml, re.MULTILINE)
        return match.group(1) if match else REPO2DOCKER_DEFAULT_PYTHON
    runtime = folder.path / where / "runtime.txt"
    try:
        text = runtime.read_text(encoding="utf-8").strip() if runtime.is_file() else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    match = re.fullmatch(r"python-(\d+)(?:\.(\d+))?", text)
    if match is None:
        return REPO2DOCKER_DEFAULT_PYTHON
    return f"{match.group(1)}.{match.group(2)}" if match.group(2) else REPO2DOCKER_DEFAULT_PYTHON


def check(request: ProposeRequest, *, cache: Any = None, resolve: bool = False) -> CheckReply | None:
    """Compare the folder's REES with a fresh proposal; None when there is no REES.
    ``resolve`` (opt-in, network) also asks a resolver whether the requirements
    install for the REES's Python version."""
    from .core.check import CheckError, check_rees, environment_dependencies

    where, texts = existing_rees(request.folder)
    if not texts:
        return None
    proposal = propose(dataclasses.replace(request, review=False), cache=cache).proposal
    try:
        result = check_rees(proposal, texts)
    except CheckError as exc:
        raise BadRequest(str(exc)) from exc
    labels = tuple(f"{where}/{name}".lstrip("./") for name in texts)
    python_version = rees_python_version(where, texts, request.folder)
    resolved = None
    if resolve:
        from .adapters import resolver

        base = request.folder.path / where
        yml = next((texts[n] for n in ("environment.yml", "environment.yaml") if n in texts), None)
        if yml is not None:
            pip_lines = [n for n, via_pip in environment_dependencies(yml) if via_pip]
            resolved = resolver.resolve_text("\n".join(_pip_section(yml)) + "\n", python_version, base) if pip_lines else None
        elif "requirements.txt" in texts:
            resolved = resolver.resolve_requirements(base / "requirements.txt", python_version)
    return CheckReply(
        where, labels, proposal, tuple(result.missing), tuple(result.unused),
        tuple(result.unverified), tuple(result.unconfirmed), result.covered, resolved, python_version,
        tuple(result.guessed),
    )


def _pip_section(yml: str) -> list[str]:
    """The ``pip:`` lines of an environment.yml, as written."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(yml) or {}
    lines: list[str] = []
    for dep in data.get("dependencies") or [] if isinstance(data, dict) else []:
        if isinstance(dep, dict):
            lines += [str(item) for item in dep.get("pip") or []]
    return lines


# ----------------------------------------------------------------------------- verify


def verify(request: VerifyRequest, *, cache: Any = None, progress: Any = None, cancel: Any = None) -> Any:
    """The ``adapters.verify.Verification`` of the folder's REES. A folder without a
    Python REES is a ``BadRequest``; ``Cancelled`` once ``cancel`` is set."""
    from .adapters import verify as verifier
    from .adapters.files import ScanCache

    cache = ScanCache() if cache is None else cache
    try:
        verifier.read_rees(request.folder.path)  # before the scan: fail fast without a REES
        proposal = propose(
            ProposeRequest(request.folder, python=request.python, max_bytes=request.max_bytes),
            cache=cache, progress=progress, cancel=cancel,
        ).proposal
        return verifier.verify_folder(
            request.folder.path,
            proposal=proposal,
            scan_cache=cache,
            run=request.run,
            cell_timeout=request.cell_timeout,
            total_timeout=request.total_timeout,
            kernel_python=request.python,
            installer=request.installer,
            index_args=request.index_args,
            kernel_index_args=request.kernel_index_args,
            progress=progress,
            cancel=cancel,
            only=request.notebooks,
            max_bytes=request.max_bytes,
        )
    except verifier.VerifyError as exc:
        raise BadRequest(request.folder.quiet(str(exc))) from exc


def background_jobs(*, workers: int = 2, limit: int = 8, keep: float = 600.0) -> Any:
    """A ``jobs.Jobs``: scans and verifications run in the background with progress and
    cancel (one per server)."""
    from .jobs import Jobs

    return Jobs(workers=workers, limit=limit, keep=keep)


def verification_json(folder: Folder, verification: Any) -> dict[str, Any]:
    """The verification as the server answers it: paths relative to the server root."""
    data = verification.to_json()
    data["root"] = folder.api_path
    data["environment"] = Path(data["environment"]).name
    data["python"] = folder.quiet(data["python"])
    return {"path": folder.api_path, "verification": data}


def register_kernel(folder: Folder, verification: Any, *, index_args: Sequence[str] = ()) -> str:
    """Register the environment ``verify`` rebuilt as the kernel "<folder> (from its
    REES)"; its name."""
    from .adapters import verify as verifier

    try:
        return verifier.register_kernel(verification.environment, folder.path.resolve().name, index_args=index_args)
    except verifier.VerifyError as exc:
        raise BadRequest(str(exc)) from exc


#: The request and reply types of the steps after the proposal (write, badge, commit,
#: verify): defined in ``workflow_types``, given here on first use. A proposal (the
#: command line's first run) never creates them: making a dataclass costs about half a
#: millisecond, and these twelve were most of importing this module.
STEP_TYPES = frozenset({"ReesRequest", "HeldRow", "ResolutionCheck", "Plan", "Written", "BuildCheck", "BadgeRequest", "BadgeReply", "WriteBadgeRequest", "CommitRequest", "CommitReply", "VerifyRequest"})


def __getattr__(name: str) -> Any:
    if name in STEP_TYPES:
        from . import workflow_types

        return getattr(workflow_types, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BadRequest",
    "Busy",
    "Cancelled",
    "BadgeReply",
    "BadgeRequest",
    "CheckReply",
    "CommitReply",
    "CommitRequest",
    "Conflict",
    "EnvironmentUnreadable",
    "Folder",
    "Forbidden",
    "GitFailed",
    "NotFound",
    "NotPython",
    "NothingToCommit",
    "HeldRow",
    "ResolutionCheck",
    "Plan",
    "ProposalReply",
    "ProposeRequest",
    "ReesRequest",
    "VerifyRequest",
    "WorkflowError",
    "WriteBadgeRequest",
    "Written",
    "apply",
    "background_jobs",
    "badge",
    "check",
    "commit",
    "existing_rees",
    "kernels",
    "local_folder",
    "locate",
    "needs_decision",
    "held_back",
    "unchecked",
    "parse_overrides",
    "plan",
    "propose",
    "rees_paths",
    "register_kernel",
    "reviewed_rows",
    "to_json",
    "verification_json",
    "verify",
    "write_badge",
]
