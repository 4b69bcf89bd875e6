"""The request and reply types of the workflow's steps after the proposal: writing the
REES (plan, apply, the resolution check), checking a build, the Binder badge, the commit
and the verification. ``workflow`` gives them under its own name (``workflow.Plan``);
they live here so that a proposal, which needs none of them, does not create them. What
they share with the workflow (errors, the folder, field checks) is in ``workflow_base``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .core.model import FORMATS, TARGETS, ProposedRequirement
from .workflow_base import (
    DEFAULT_MESSAGE,
    INSTALLERS,
    MAX_TIMEOUT,
    MODES,
    PYTHON_VERSION,
    BadRequest,
    Folder,
    _choice,
)

if TYPE_CHECKING:  # the adapters' reply types (contract.py resolves them)
    from .adapters.git import CommitResult
    from .adapters.rees_files import FileChange
    from .core.rees import ReesNote


@dataclass(frozen=True)
class ReesRequest:
    """The reviewed rows and how to write them: ``rows`` with ``included=False`` are
    left out (and taken out of an existing file); ``remove`` names configuration files
    Binder would ignore, to delete (paths relative to the folder)."""

    folder: Folder
    rows: tuple[ProposedRequirement, ...]
    python_version: str
    format: str = "requirements"
    target: str = "binder"
    remove: tuple[str, ...] = ()
    # ``plan`` asks a resolver whether the lines not pinned from the kernel resolve with
    # the rest for ``python_version``, and holds back the ones that do not (network)
    resolve: bool = False
    hold: tuple[str, ...] = ()  # names not written for now: the ``held`` of a plan
    force: tuple[str, ...] = ()  # names the user wants written even if they do not resolve

    def __post_init__(self) -> None:
        for name in ("hold", "force"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(v, str) and len(v) <= 200 for v in value):
                raise BadRequest(f"'{name}' must be a list of distribution names")
        if not PYTHON_VERSION.match(self.python_version):
            raise BadRequest(f"'python_version' must look like 3.11, not {self.python_version!r}")
        _choice(self.format, FORMATS, "format")
        _choice(self.target, TARGETS, "target folder")


@dataclass(frozen=True)
class HeldRow:
    """A row the resolution check held back: with it the REES does not resolve."""

    name: str
    reason: str  # the resolver's message, on one line


@dataclass(frozen=True)
class ResolutionCheck:
    """What the resolver said about the planned REES before writing. ``ok``: True (it
    resolves), False (it does not, even with ``held`` left out), None (not asked: the
    index or the resolver could not be reached; the REES is written unchanged)."""

    ok: bool | None
    tool: str
    python_version: str
    checked: tuple[str, ...] = ()  # the lines not pinned from the kernel that were checked
    message: str = ""
    attempts: int = 0  # how many times the resolver was asked


@dataclass(frozen=True)
class Plan:
    """What writing a ReesRequest would change: one FileChange per file, sorted by
    path, and layout notes (files Binder would ignore, a Python version it cannot build).
    With ``resolve``: ``held`` are rows left out because the REES does not resolve with
    them (``apply`` needs them back in ``hold``), ``resolution`` what the resolver said
    (None when every line is pinned from the kernel: nothing to ask)."""

    path: str
    changes: tuple[FileChange, ...]
    notes: tuple[ReesNote, ...] = ()
    held: tuple[HeldRow, ...] = ()
    resolution: ResolutionCheck | None = None

    @property
    def expected(self) -> dict[str, str | None]:
        """The hashes ``apply`` needs: path -> sha256 of what the preview read."""
        return {c.path: c.old_sha256 for c in self.changes}


@dataclass(frozen=True)
class Written:
    """What a write changed; ``binder`` is repo2docker's summary of the folder after a
    REES write (None for a README; ``{"installed": false, "message": ...}`` saying how to
    install it when repo2docker is not installed)."""

    path: str
    changes: tuple[FileChange, ...]
    binder: dict[str, Any] | None = None


@dataclass(frozen=True)
class BuildCheck:
    """repo2docker's verdict on the previewed REES, before anything is written;
    ``available`` False (with the command that installs it) when it is not installed."""

    path: str
    available: bool
    install: str
    binder: dict[str, Any] | None = None


@dataclass(frozen=True)
class BadgeRequest:
    """The Binder link for the folder's git remote, or for a DOI entered by hand, or
    (``env_repo``) the folder opened in another repository's image with nbgitpuller."""

    folder: Folder
    remote: str | None = None
    ref: str | None = None
    notebook: str | None = None
    mode: str = "lab"
    doi: str | None = None
    provider: str | None = None
    env_repo: str | None = None
    env_ref: str = "HEAD"
    readme: str | None = None  # the README to insert the badge into (default: found)

    def __post_init__(self) -> None:
        _choice(self.mode, MODES, "mode")


@dataclass(frozen=True)
class BadgeReply:
    path: str
    link: str | None  # None, with ``message`` saying why there is none
    notes: tuple[str, ...] = ()
    repository: bool = False  # inside a git repository (so the commit step applies)
    remotes: tuple[str, ...] = ()
    message: str | None = None
    remote: str | None = None
    ref: str | None = None
    pushed: bool | None = None
    snippets: Mapping[str, str] | None = None  # markdown, rst, html
    readme: FileChange | None = None  # the change inserting the badge into the README
    refs: Mapping[str, Sequence[str]] | None = None  # branches and tags to offer as refs
    mode: str = "lab"


@dataclass(frozen=True)
class WriteBadgeRequest:
    """Insert the badge of ``link`` into the README. The link is taken apart (a launch
    link of mybinder.org or one of ``binderhubs``, provider, spec, urlpath) and built
    again from its checked parts: free text never reaches the README."""

    folder: Folder
    link: str
    expected: Mapping[str, str | None] = field(default_factory=dict)
    readme: str | None = None
    binderhubs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from .core import binder

        try:
            binder.parse_link(self.link, self.binderhubs)
        except binder.BinderError as exc:
            raise BadRequest(f"link: {exc}") from exc
        if self.readme is not None and not isinstance(self.readme, str):
            raise BadRequest("readme: must be a string")
        if not isinstance(self.expected, Mapping):
            raise BadRequest("'expected' must map file paths to the hashes shown in the preview")


@dataclass(frozen=True)
class CommitRequest:
    """Commit exactly ``files`` (relative to the folder) and nothing else."""

    folder: Folder
    files: tuple[str, ...]
    message: str = DEFAULT_MESSAGE

    def __post_init__(self) -> None:
        if not self.files:
            raise BadRequest("'files' lists nothing to commit")
        if not all(isinstance(f, str) for f in self.files):
            raise BadRequest("'files' must be a list of strings")


@dataclass(frozen=True)
class CommitReply:
    path: str
    commit: CommitResult


@dataclass(frozen=True)
class VerifyRequest:
    """Rebuild the folder's REES in a clean environment and check its notebooks there:
    imports always, execution with ``run`` (``cell_timeout`` per cell, ``total_timeout``
    for all). ``python`` gives the pins for suggestions and the interpreter to fall back
    on when the REES's Python is not on this machine. ``index_args`` go to the installer
    (``--no-index --find-links DIR``); ``kernel_index_args`` to install ipykernel for
    ``run`` (None: the same); ``notebooks`` limits ``run`` to these notebooks."""

    folder: Folder
    run: bool = False
    cell_timeout: float = 300
    total_timeout: float = 1800
    python: str | None = None
    installer: str = "auto"
    index_args: tuple[str, ...] = ()
    kernel_index_args: tuple[str, ...] | None = None
    notebooks: tuple[str, ...] = ()  # with run: only these (relative to the folder)
    max_bytes: int | None = 256 << 20  # larger files are reported, not read (None: no limit)

    def __post_init__(self) -> None:
        _choice(self.installer, INSTALLERS, "installer")
        for name in ("cell_timeout", "total_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:
                raise BadRequest(f"'{name}' must be a number of seconds above 0 and at most {MAX_TIMEOUT:.0f}")
