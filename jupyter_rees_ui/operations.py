"""What the server offers, as functions of plain values.

Each operation validates its input, calls the adapters, and returns JSON-able data; a bad
input raises ``RequestError`` with the HTTP status and a message for the user. Handlers run
these in an executor; tests can call them directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from .adapters import git, rees_files, repo2docker_check
from .adapters.environment import IntrospectionError, list_kernels
from .adapters.files import ScanCache
from .adapters.paths import api_path, resolve_in_root
from .adapters.project import propose
from .config import Rees
from .core import binder
from .core import validate
from .core.binder import BinderError
from .core.model import ProposedRequirement, to_json
from .core.rees import ReesError, render_rees

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
    overrides: str = "",
    allow_hidden: bool = False,
) -> dict[str, Any]:
    """The proposal for a folder. ``overrides`` is the user's import -> distribution
    setting as JSON; it is applied on top of the server's ``c.Rees.overrides``."""
    folder = resolve_in_root(root_dir, path, allow_hidden=allow_hidden)
    _choice(pin, PIN_POLICIES, "pin policy")
    user_overrides = _overrides(overrides)
    if kernel is not None and kernel not in {k["name"] for k in list_kernels()}:
        raise RequestError(f"no kernel named {kernel!r}", 404)
    try:
        result = propose(
            folder,
            python=rees.python or None,
            kernel=kernel,
            pin=pin,
            overrides={**rees.overrides, **user_overrides},
            cache=cache,
            timeout=rees.introspection_timeout,
            check_index=rees.check_index,
            index_url=rees.index_url,
        )
    except IntrospectionError as exc:
        raise RequestError(f"could not read the kernel's environment: {exc}", 502) from exc
    return {"path": api_path(root_dir, folder), "proposal": result.to_json()}


def _overrides(text: str) -> dict[str, str]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise RequestError(f"'overrides' is not valid JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise RequestError("'overrides' must map import names to distribution names")
    return value


def kernels() -> dict[str, Any]:
    return {"kernels": list_kernels()}


def parse_requirements(items: Any) -> list[ProposedRequirement]:
    """The reviewed rows sent by the sidebar, each field checked by ``core.validate``
    (a violation is a 400 naming the row and the field)."""
    rows: list[ProposedRequirement] = []
    seen: set[str] = set()
    for i, item in enumerate(validate.rows(items)):
        if not isinstance(item, dict):
            raise RequestError(f"requirements[{i}]: must be an object")
        try:
            row = _requirement_row(item, f"requirements[{i}]")
        except validate.InvalidInput as exc:
            raise RequestError(str(exc)) from exc
        key = canonicalize_name(row.name)
        if key in seen:
            raise RequestError(f"requirements[{i}].name: {row.name} is listed twice")
        seen.add(key)
        rows.append(row)
    return rows


SOURCES = ("pip", "conda", "editable", "vcs", "archive", "not-installed", "unknown", "local")


def _requirement_row(item: Mapping[str, Any], at: str) -> ProposedRequirement:
    """One reviewed row. A marker may come in its own field or after a ``;`` in the
    name or the specifier (``numpy; os_name == 'nt'``); it is kept either way."""
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
    return ProposedRequirement(
        name=name,
        specifier=validate.specifier(spec, f"{at}.specifier"),
        url=validate.url(item.get("url"), f"{at}.url"),
        source=source,
        conda_name=validate.conda_name(item.get("conda_name"), f"{at}.conda_name"),
        included=included,
        extras=validate.extras(item.get("extras"), f"{at}.extras"),
        marker=validate.marker(marker, f"{at}.marker"),
    )


def _rees_files(body: Mapping[str, Any]) -> tuple[dict[str, str], str, list[str], str]:
    """(file name -> text, target folder, excluded names, python version) of a request."""
    rows = parse_requirements(body.get("requirements"))
    python_version = _string(body, "python_version")
    if not PYTHON_VERSION.match(python_version):
        raise RequestError(f"'python_version' must look like 3.11, not {python_version!r}")
    fmt = _choice(_string(body, "format", "requirements"), FORMATS, "format")
    target = _choice(_string(body, "target", "binder"), TARGETS, "target folder")
    try:
        files = render_rees([r for r in rows if r.included], python_version, fmt=fmt)
    except ReesError as exc:
        raise RequestError(str(exc)) from exc
    excluded = [r.name for r in rows if not r.included]
    return files, target, excluded, python_version


def _string_list(body: Mapping[str, Any], key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError(f"'{key}' must be a list of strings")
    return value


def _folder(root_dir: str, body: Mapping[str, Any], allow_hidden: bool) -> Path:
    return resolve_in_root(root_dir, _string(body, "path", ""), allow_hidden=allow_hidden)


@contextmanager
def _writer_errors(root_dir: str):
    """The writer's and git's exceptions as request errors with their messages, which
    name folders relative to the server root (never the server's absolute paths)."""

    def message(exc: Exception) -> str:
        return str(exc).replace(str(Path(root_dir).resolve()) + "/", "")

    try:
        yield
    except rees_files.ConflictError as exc:
        raise RequestError(message(exc), 409) from exc
    except (rees_files.PathError, ReesError, BinderError) as exc:
        raise RequestError(message(exc), 400) from exc
    except git.GitError as exc:
        raise RequestError(message(exc), 409) from exc


def preview(root_dir: str, body: Mapping[str, Any], *, allow_hidden: bool = False) -> dict[str, Any]:
    """What writing the reviewed rows would change, file by file, with layout notes."""
    folder = _folder(root_dir, body, allow_hidden)
    files, target, excluded, python_version = _rees_files(body)
    remove = _string_list(body, "remove")
    with _writer_errors(root_dir):
        changes = rees_files.preview(folder, files, target=target, drop=excluded, remove=remove)
        notes = rees_files.notes(folder, files, target=target, python_version=python_version)
    return {"path": api_path(root_dir, folder), "changes": to_json(changes), "notes": to_json(notes)}


def write(root_dir: str, body: Mapping[str, Any], *, allow_hidden: bool = False) -> dict[str, Any]:
    """Write what the preview showed; refused (409) when a file changed since, or when an
    existing file is written without the hash its preview returned."""
    folder = _folder(root_dir, body, allow_hidden)
    files, target, excluded, _python = _rees_files(body)
    remove = _string_list(body, "remove")
    expected = body.get("expected", {})
    if not isinstance(expected, dict):
        raise RequestError("'expected' must map file paths to the hashes shown in the preview")
    with _writer_errors(root_dir):
        planned = rees_files.preview(folder, files, target=target, drop=excluded, remove=remove)
        for change in planned:
            if change.status == "unchanged":
                continue
            if change.path not in expected or expected[change.path] != change.old_sha256:
                raise RequestError(
                    f"{change.path} changed since the preview (or was not previewed): "
                    "preview again before writing",
                    409,
                )
        written = rees_files.write(folder, planned)
    return {
        "path": api_path(root_dir, folder),
        "changes": to_json(written),
        "binder": repo2docker_check.summarize(folder),
    }


BADGE_FORMATS = ("markdown", "rst", "html")


def badge(root_dir: str, args: Mapping[str, str], *, allow_hidden: bool = False) -> dict[str, Any]:
    """The Binder link and badge snippets for the folder's git remote (or a DOI entered
    by hand), and the README change that would insert the badge."""
    folder = _folder(root_dir, args, allow_hidden)
    notebook = args.get("notebook") or None
    mode = _choice(args.get("mode") or "lab", ("lab", "doc"), "mode")
    reply: dict[str, Any] = {
        "path": api_path(root_dir, folder),
        "link": None,
        "notes": [],
        "repository": _in_repository(folder),
    }
    try:
        with _writer_errors(root_dir):
            if args.get("doi"):
                link = binder.doi_link(
                    args["doi"], provider=args.get("provider") or None, path=notebook, mode=mode
                )
            else:
                found = git.repository_link(
                    folder,
                    remote=args.get("remote") or None,
                    ref=args.get("ref") or None,
                    path=notebook,
                    mode=mode,
                )
                link = found.link
                reply.update(remote=found.remote, ref=found.ref, pushed=found.pushed)
                reply["notes"] = list(found.notes)
            reply["remotes"] = [r.name for r in _remotes(folder)]
    except RequestError as exc:
        reply["message"] = str(exc)
        reply["remotes"] = [r.name for r in _remotes(folder)]
        return reply
    reply["link"] = link.url
    reply["snippets"] = {fmt: binder.badge(link, fmt) for fmt in BADGE_FORMATS}
    with _writer_errors(root_dir):
        reply["readme"] = to_json(rees_files.preview_badge(folder, link))
    return reply


def _in_repository(folder: Path) -> bool:
    try:
        git.toplevel(folder)
    except git.GitError:
        return False
    return True


def _remotes(folder: Path) -> list[git.GitRemote]:
    try:
        return git.remotes(folder)
    except git.GitError:
        return []


def write_badge(root_dir: str, body: Mapping[str, Any], *, allow_hidden: bool = False) -> dict[str, Any]:
    """Insert the badge into the README (between markers) as previewed."""
    folder = _folder(root_dir, body, allow_hidden)
    url = _string(body, "link")
    if not re.match(r"^https://[^\s\"'<>]+$", url):
        raise RequestError("'link' must be an https Binder link")
    expected = body.get("expected")
    with _writer_errors(root_dir):
        change = rees_files.preview_badge(folder, url, readme=body.get("readme") or None)
        if change.status != "unchanged" and (
            not isinstance(expected, dict) or expected.get(change.path, "?") != change.old_sha256
        ):
            raise RequestError(f"{change.path} changed since the preview: preview again", 409)
        written = rees_files.write(folder, [change])
    return {"path": api_path(root_dir, folder), "changes": to_json(written)}


def commit(root_dir: str, body: Mapping[str, Any], *, allow_hidden: bool = False) -> dict[str, Any]:
    """Commit exactly the given files (paths relative to the folder)."""
    folder = _folder(root_dir, body, allow_hidden)
    files = _string_list(body, "files")
    if not files:
        raise RequestError("'files' lists nothing to commit")
    message = _string(body, "message", git.DEFAULT_MESSAGE).strip() or git.DEFAULT_MESSAGE
    with _writer_errors(root_dir):
        result = git.commit_files(folder, files, message)
    return {"path": api_path(root_dir, folder), "commit": to_json(result)}
