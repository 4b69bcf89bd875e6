"""The JSON contract of the REST API: every endpoint's request and response, as the
dataclasses the workflow returns and the request shapes the handlers parse, written as
one JSON Schema into ``docs/rest-api.schema.json`` (not under ``schema/``: JupyterLab
reads every .json there as a settings schema).

    python -m jupyter_rees_ui.contract > docs/rest-api.schema.json

``tests/test_contract.py`` fails when the committed schema is not what this prints,
when ``src/tokens.ts`` names other fields than the schema, and the handler tests
validate every reply against it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any, Literal

from . import workflow
from .core.model import (
    PinPolicy,
    ReesFormat,
    RowStatus,
    Source,
    Target,
    Trust,
)

NAMESPACE = "jupyter-rees-ui"


# ----------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class ProposalQuery:
    """GET proposal: the query string."""

    path: str = ""  # the folder, relative to the server root
    kernel: str = ""  # a kernelspec name ('' = the notebooks' kernel)
    pin: PinPolicy = PinPolicy.EXACT  # default: c.Rees.default_pin
    overrides: str = ""  # JSON text: import name -> distribution name ('' drops it)


@dataclass(frozen=True)
class ReviewedRow:
    """One row as the user reviewed it (every row, ticked or not)."""

    name: str
    specifier: str = ""
    url: str | None = None
    extras: tuple[str, ...] = ()
    source: Source = "pip"
    conda_name: str | None = None
    included: bool = True
    marker: str = ""
    trust: Trust = "verified"
    status: RowStatus = RowStatus.NEW
    in_file: str | None = None
    written_specifier: str | None = None
    installed_version: str | None = None  # the kernel's: a line pinned to it is not resolved again


@dataclass(frozen=True)
class PreviewBody:
    """POST preview: what writing the reviewed rows would change."""

    requirements: tuple[ReviewedRow, ...]
    python_version: str  # "3.11"
    path: str = ""
    format: ReesFormat = ReesFormat.REQUIREMENTS
    target: Target = Target.BINDER
    remove: tuple[str, ...] = ()  # files Binder would ignore, to delete
    # rows to leave out for now: the ``held`` of the preview (write and check-build)
    hold: tuple[str, ...] = ()
    # rows the user wants written although the resolution check held them back
    force: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteBody(PreviewBody):
    """POST write: the preview's request with the hashes it returned."""

    expected: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class BadgeQuery:
    """GET badge: the query string."""

    path: str = ""
    remote: str = ""
    ref: str = ""
    notebook: str = ""
    mode: str = "lab"  # lab | doc | classic | voila
    doi: str = ""
    provider: str = ""
    env_repo: str = ""  # nbgitpuller: the environment repository's URL
    env_ref: str = ""  # and its ref (default HEAD)


@dataclass(frozen=True)
class BadgeBody:
    """POST badge: insert the badge into the README as previewed."""

    link: str
    path: str = ""
    expected: dict[str, str | None] = field(default_factory=dict)
    readme: str | None = None


@dataclass(frozen=True)
class CommitBody:
    """POST commit: commit exactly these files (relative to the folder)."""

    files: tuple[str, ...]
    path: str = ""
    message: str = workflow.DEFAULT_MESSAGE


@dataclass(frozen=True)
class ScanBody:
    """POST scan: GET proposal's parameters as a JSON body; starts a job."""

    path: str = ""
    kernel: str = ""
    pin: PinPolicy = PinPolicy.EXACT
    overrides: str | dict[str, str] = ""  # JSON text or an object


@dataclass(frozen=True)
class VerifyBody:
    """POST verify: rebuild the folder's REES and check its notebooks; starts a job."""

    path: str = ""
    run: bool = False  # also execute the notebooks
    timeout: float = 300  # seconds per cell
    total_timeout: float = 1800  # seconds for all notebooks


# ----------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class Kernel:
    name: str
    display_name: str
    language: str
    python: str | None


@dataclass(frozen=True)
class KernelsReply:
    kernels: tuple[Kernel, ...]


@dataclass(frozen=True)
class ErrorReply:
    """Every refusal: the HTTP status and why, in the user's words."""

    message: str
    status: int


@dataclass(frozen=True)
class JobProgress:
    phase: str  # queued | scanning | environment | reading | installing | imports | running | done
    done: int
    total: int
    message: str


@dataclass(frozen=True)
class JobError:
    message: str
    kind: str


@dataclass(frozen=True)
class Job:
    """GET jobs/<id> and DELETE jobs/<id>. ``result`` once done: a scan's is exactly the
    GET proposal reply; a verification's is {path, verification}."""

    id: str
    kind: Literal["scan", "verify"]
    state: Literal["running", "done", "failed", "cancelled"]
    progress: JobProgress
    cancelling: bool
    result: Any
    error: JobError | None


@dataclass(frozen=True)
class JobStarted:
    """POST scan and POST verify: 202 with the job just started."""

    job: Job


#: method, route -> (request type or None, reply type)
ENDPOINTS: dict[tuple[str, str], tuple[type | None, type]] = {
    ("GET", "proposal"): (ProposalQuery, workflow.ProposalReply),
    ("GET", "kernels"): (None, KernelsReply),
    ("POST", "preview"): (PreviewBody, workflow.Plan),
    ("POST", "write"): (WriteBody, workflow.Written),
    ("POST", "check-build"): (PreviewBody, workflow.BuildCheck),
    ("GET", "badge"): (BadgeQuery, workflow.BadgeReply),
    ("POST", "badge"): (BadgeBody, workflow.Written),
    ("POST", "commit"): (CommitBody, workflow.CommitReply),
    ("POST", "scan"): (ScanBody, JobStarted),
    ("POST", "verify"): (VerifyBody, JobStarted),
    ("GET", "jobs/<id>"): (None, Job),
    ("DELETE", "jobs/<id>"): (None, Job),
}


def _resolve_reply_types() -> None:
    """Put the adapters' reply types where the workflow's annotations name them (the
    workflow imports them only inside its functions)."""
    from .adapters.git import CommitResult
    from .adapters.rees_files import FileChange
    from .core.rees import ReesNote

    from . import workflow_types

    for value in (CommitResult, FileChange, ReesNote):
        vars(workflow).setdefault(value.__name__, value)
        vars(workflow_types).setdefault(value.__name__, value)


def schema() -> dict[str, Any]:
    """The whole contract: endpoints with their request and reply, and the shared $defs."""
    import msgspec

    _resolve_reply_types()
    types = sorted({t for pair in ENDPOINTS.values() for t in pair if t is not None} | {ErrorReply}, key=lambda t: t.__name__)
    refs, defs = msgspec.json.schema_components(types, ref_template="#/$defs/{name}")
    by_type = dict(zip(types, refs))
    endpoints = {}
    for (method, route), (request, reply) in ENDPOINTS.items():
        entry: dict[str, Any] = {"url": f"/{NAMESPACE}/{route}", "method": method}
        if request is not None:
            entry["query" if method == "GET" else "body"] = by_type[request]
        entry["reply"] = by_type[reply]
        entry["error"] = by_type[ErrorReply]
        endpoints[f"{method} {route}"] = entry
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "jupyter-rees-ui REST API",
        "description": "Generated by `python -m jupyter_rees_ui.contract` from the dataclasses "
        "of jupyter_rees_ui.workflow and jupyter_rees_ui.contract; do not edit by hand.",
        "endpoints": endpoints,
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(schema(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
