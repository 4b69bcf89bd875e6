"""What the server offers, as functions of plain values.

Each operation validates its input, calls the adapters, and returns JSON-able data; a bad
input raises ``RequestError`` with the HTTP status and a message for the user. Handlers run
these in an executor; tests can call them directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from .adapters import rees_files
from .adapters.environment import list_kernels
from .adapters.files import ScanCache
from .adapters.paths import api_path, resolve_in_root
from .adapters.project import propose
from .config import Rees
from .core.model import ProposedRequirement, to_json
from .core.rees import render_rees

PIN_POLICIES = ("==", "~=", ">=", "none")
FORMATS = ("requirements", "environment")
TARGETS = ("binder", ".binder", ".")
PYTHON_VERSION = re.compile(r"^3\.\d{1,2}$")


class RequestError(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _string(body: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        raise RequestError(f"'{key}' must be a string")
    return value


def _choice(value: str, choices: Sequence[str], what: str) -> str:
    if value not in choices:
        raise RequestError(f"unknown {what} {value!r}; expected one of: {', '.join(choices)}")
    return value


def proposal(
    root_dir: str,
    *,
    path: str,
    kernel: str | None,
    pin: str,
    rees: Rees,
    cache: ScanCache,
    allow_hidden: bool = False,
) -> dict[str, Any]:
    folder = resolve_in_root(root_dir, path, allow_hidden=allow_hidden)
    _choice(pin, PIN_POLICIES, "pin policy")
    if kernel is not None and kernel not in {k["name"] for k in list_kernels()}:
        raise RequestError(f"no kernel named {kernel!r}", 404)
    result = propose(
        folder,
        python=rees.python or None,
        kernel=kernel,
        pin=pin,
        overrides=dict(rees.overrides),
        cache=cache,
        timeout=rees.introspection_timeout,
    )
    return {"path": api_path(root_dir, folder), "proposal": result.to_json()}


def kernels() -> dict[str, Any]:
    return {"kernels": list_kernels()}


def parse_requirements(items: Any) -> list[ProposedRequirement]:
    """The reviewed rows sent by the sidebar, validated with ``packaging``."""
    if not isinstance(items, list):
        raise RequestError("'requirements' must be a list")
    rows: list[ProposedRequirement] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise RequestError(f"requirement #{i + 1} must be an object")
        name = item.get("name")
        specifier = item.get("specifier") or ""
        url = item.get("url") or None
        if not isinstance(name, str) or not isinstance(specifier, str):
            raise RequestError(f"requirement #{i + 1} needs a string 'name' and 'specifier'")
        try:
            req = Requirement(f"{name} @ {url}" if url else f"{name}{specifier}")
            SpecifierSet(specifier)
        except (InvalidRequirement, InvalidSpecifier) as exc:
            raise RequestError(f"not a valid requirement: {name}{specifier} ({exc})") from exc
        key = canonicalize_name(req.name)
        if key in seen:
            raise RequestError(f"{req.name} is listed twice")
        seen.add(key)
        source = item.get("source", "pip")
        rows.append(
            ProposedRequirement(
                name=req.name,
                specifier=str(req.specifier),
                url=req.url,
                source=source if isinstance(source, str) else "pip",  # type: ignore[arg-type]
                conda_name=item.get("conda_name") if isinstance(item.get("conda_name"), str) else None,
                included=bool(item.get("included", True)),
            )
        )
    return rows


def _rees_files(body: Mapping[str, Any]) -> tuple[dict[str, str], str]:
    reqs = parse_requirements(body.get("requirements"))
    python_version = _string(body, "python_version")
    if not PYTHON_VERSION.match(python_version):
        raise RequestError(f"'python_version' must look like 3.11, not {python_version!r}")
    fmt = _choice(_string(body, "format", "requirements"), FORMATS, "format")
    target = _choice(_string(body, "target", "binder"), TARGETS, "target folder")
    return render_rees(reqs, python_version, fmt=fmt), target


def _folder(root_dir: str, body: Mapping[str, Any], allow_hidden: bool) -> Path:
    return resolve_in_root(root_dir, _string(body, "path", ""), allow_hidden=allow_hidden)


def preview(root_dir: str, body: Mapping[str, Any], *, allow_hidden: bool = False) -> dict[str, Any]:
    folder = _folder(root_dir, body, allow_hidden)
    files, target = _rees_files(body)
    changes = rees_files.preview(folder, files, target=target)
    return {"path": api_path(root_dir, folder), "changes": to_json(changes)}


def write(root_dir: str, body: Mapping[str, Any], *, allow_hidden: bool = False) -> dict[str, Any]:
    folder = _folder(root_dir, body, allow_hidden)
    files, target = _rees_files(body)
    expected = body.get("expected", {})
    if not isinstance(expected, dict):
        raise RequestError("'expected' must map file paths to the hashes shown in the preview")
    changes = rees_files.preview(folder, files, target=target)
    for change in changes:
        if change.old_sha256 is not None and expected.get(change.path) != change.old_sha256:
            raise RequestError(
                f"{change.path} changed since the preview (or was never previewed); "
                "preview again before writing",
                409,
            )
    try:
        written = rees_files.write(folder, changes)
    except rees_files.ConflictError as exc:
        raise RequestError(str(exc), 409) from exc
    return {"path": api_path(root_dir, folder), "changes": to_json(written)}


def badge(root_dir: str, args: Mapping[str, str], *, allow_hidden: bool = False) -> dict[str, Any]:
    raise RequestError("not available yet", 501)


def commit(root_dir: str, body: Mapping[str, Any], *, allow_hidden: bool = False) -> dict[str, Any]:
    raise RequestError("not available yet", 501)
