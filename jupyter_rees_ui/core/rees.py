"""Render and merge the REES files repo2docker (and so Binder) reads.

Pure: requirement rows and file texts in, file texts and notes out. The rules encoded
here are repo2docker's (see REFERENCE.md): ``runtime.txt`` says ``python-X.Y`` and
nothing else, environment.yml pins ``python=X.Y``, conda beats pip files, a binder
folder hides the root's files.
"""

from __future__ import annotations

import bisect
import difflib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .conda_names import conda_name
from .model import BINDER_DIRS, ENVIRONMENT_FILES, TARGETS, ProposedRequirement, ReesFileName

HEADER_MARK = "Written by jupyter-rees-ui"
HEADER_TEXT = f"{HEADER_MARK} from the notebooks' imports; your own lines here are kept."

REQUIREMENTS_TXT = ReesFileName.REQUIREMENTS_TXT.value
RUNTIME_TXT = ReesFileName.RUNTIME_TXT.value
ENVIRONMENT_YML = ReesFileName.ENVIRONMENT_YML.value
ENVIRONMENT_YAML = ReesFileName.ENVIRONMENT_YAML.value
MANIFEST_SCM = "manifest.scm"

#: the formats render_rees knows, with their aliases
FORMATS: Mapping[str, str] = {
    "requirements": "requirements",
    "pip": "requirements",
    "requirements.txt": "requirements",
    "environment": "environment",
    "conda": "environment",
    "environment.yml": "environment",
    "guix": "guix",
    "manifest.scm": "guix",
}

#: Python versions repo2docker can build
SUPPORTED_PYTHONS = tuple(f"3.{minor}" for minor in range(8, 15))

#: files every buildpack reads besides the environment files: left untouched, listed
EXTRA_FILES = ("apt.txt", "postBuild", "start", "install.R")

#: files read from the root only when there is no binder folder
ROOT_ONLY_FILES = ("setup.py", "pyproject.toml", "DESCRIPTION")

#: files a binder folder hides at the root
CONFIG_FILES = (
    "Dockerfile",
    "Project.toml",
    "JuliaProject.toml",
    "REQUIRE",
    "default.nix",
    "environment.yml",
    "environment.yaml",
    "Pipfile",
    "Pipfile.lock",
    "requirements.txt",
    "runtime.txt",
    "apt.txt",
    "postBuild",
    "start",
    "install.R",
    "setup.py",
    "pyproject.toml",
    "DESCRIPTION",
)

#: buildpacks that, when detected, make repo2docker ignore the Python/conda files
_WINNING_FILES = (
    ("Dockerfile", "Dockerfile"),
    ("Project.toml", "Julia"),
    ("JuliaProject.toml", "Julia"),
    ("REQUIRE", "Julia"),
    ("default.nix", "Nix"),
)

_R_RUNTIME = re.compile(r"^r-(\d+(\.\d+)*-)?\d{4}-\d{2}-\d{2}$")

NoteLevel = Literal["error", "warning", "info"]


class ReesError(ValueError):
    """A file cannot be rendered or merged; the message says why."""


@dataclass(frozen=True)
class ReesNote:
    """Something the user should know before writing: ``code`` is stable for the UI,
    ``paths`` are the files concerned (for code ``ignored-file`` the ones Binder will not
    read, offered for removal)."""

    level: NoteLevel
    code: str
    message: str
    paths: tuple[str, ...] = ()


# --------------------------------------------------------------------------- rendering


def header(comment: str = "#") -> str:
    """The one-line header of a generated file (stable, so writing twice changes nothing)."""
    return f"{comment} {HEADER_TEXT}"


def python_minor(python_version: str) -> str:
    """``"3.11.4"`` -> ``"3.11"``; the only form runtime.txt and environment.yml honour.
    Accepts what interpreters print (``3.9.18+``, ``3.13.0rc1``) and ``python-3.11``."""
    match = re.match(r"^\s*(?:python-?)?(\d+)\.(\d+)(?:\.\d+)?(?:[a-z+].*)?\s*$", python_version)
    if match is None:
        raise ReesError(f"need a major.minor Python version, got {python_version!r}")
    major, minor = int(match[1]), int(match[2])
    return f"{major}.{minor}"


def writable(requirement: ProposedRequirement) -> bool:
    """Whether a row can go into a REES: included, and installable from somewhere
    Binder can reach (not a local module, not an editable or file:// install)."""
    if not requirement.included or requirement.source in ("local", "editable"):
        return False
    if requirement.trust == "local":
        return False
    return not (requirement.url or "").startswith("file:")


def _rows(requirements: Iterable[ProposedRequirement]) -> list[ProposedRequirement]:
    """Writable rows, one per canonical name, sorted by canonical name."""
    by_name: dict[str, ProposedRequirement] = {}
    for row in requirements:
        if writable(row):
            by_name.setdefault(canonicalize_name(row.name), row)
    return [by_name[name] for name in sorted(by_name)]


def _one_line(text: str) -> str:
    """A rendered line, refused when it would spill onto another line (a row's field
    carrying a newline would otherwise inject lines into the file)."""
    if _LINE_BREAK.search(text):
        raise ReesError(f"refusing to write a line holding a line break: {text[:60]!r}")
    return text


_LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def render_requirements_txt(requirements: Iterable[ProposedRequirement]) -> str:
    lines = [header()] + [_one_line(row.line) for row in _rows(requirements)]
    return "\n".join(lines) + "\n"


def render_runtime_txt(python_version: str) -> str:
    """``python-X.Y``: repo2docker reads the whole file as the runtime, so no header."""
    return f"python-{python_minor(python_version)}\n"


def _conda_spec(row: ProposedRequirement) -> str | None:
    """``name=version`` for a conda dependency, or None when the row must go to pip."""
    if row.url or row.marker:
        return None  # conda has no direct URLs nor environment markers: pip does it
    name = row.conda_name or conda_name(row.name)
    try:
        specifiers = list(SpecifierSet(row.specifier))
    except InvalidSpecifier:
        return None
    if not specifiers:
        return name
    if len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in specifiers[0].version:
        return f"{name}={specifiers[0].version}"
    parts = []
    for spec in sorted(specifiers, key=str):
        if spec.operator in ("==", "!=", "<", "<=", ">", ">="):
            parts.append(str(spec))
        elif spec.operator == "~=":  # ~=X.Y.Z is >=X.Y.Z,<X.(Y+1) for conda
            release = Version(spec.version).release
            upper = release[:-2] + (release[-2] + 1,)
            parts += [f">={spec.version}", "<" + ".".join(map(str, upper))]
        else:
            return None
    return name + ",".join(parts)


def split_conda_pip(
    requirements: Iterable[ProposedRequirement], *, pip_to_conda: bool = False
) -> tuple[list[str], list[str]]:
    """(conda specs, pip lines), each sorted. Conda-installed rows go to conda by their
    conda names; the rest to pip, or to conda too when ``pip_to_conda`` and possible."""
    conda: dict[str, str] = {}
    pip: dict[str, str] = {}
    for row in _rows(requirements):
        spec = _conda_spec(row) if (row.source == "conda" or pip_to_conda) else None
        if spec is not None and row.source in ("conda", "pip", "unknown", "not-installed"):
            conda.setdefault(_conda_dep_name(spec), _one_line(spec))
        else:
            pip.setdefault(canonicalize_name(row.name), _one_line(row.line))
    return [conda[k] for k in sorted(conda)], [pip[k] for k in sorted(pip)]


def render_environment_yml(
    requirements: Iterable[ProposedRequirement],
    python_version: str,
    *,
    pip_to_conda: bool = False,
) -> str:
    conda, pip = split_conda_pip(requirements, pip_to_conda=pip_to_conda)
    lines = [header(), "channels:", "  - conda-forge", "dependencies:"]
    lines.append(f"  - python={python_minor(python_version)}")
    lines += [f"  - {spec}" for spec in conda if _conda_dep_name(spec) not in ("python", "pip")]
    if pip:
        lines.append("  - pip")
        lines.append("  - pip:")
        lines += [f"      - {_yaml_scalar(line)}" for line in pip]
    return "\n".join(lines) + "\n"


#: PyPI canonical name -> GNU Guix package name, where "python-" + name is wrong
_GUIX_NAMES = {
    "torch": "python-pytorch",
    "opencv-python": "opencv",
    "opencv-python-headless": "opencv",
    "jupyter": "jupyter",
    "pyqt5": "python-pyqt",
}


def guix_name(pypi_name: str) -> str:
    canonical = canonicalize_name(pypi_name)
    if canonical in _GUIX_NAMES:
        return _GUIX_NAMES[canonical]
    return canonical if canonical.startswith("python-") else f"python-{canonical}"


def render_manifest_scm(requirements: Iterable[ProposedRequirement], python_version: str) -> str:
    """A GNU Guix manifest (an export: Guix pins by channel commit, so the kernel's
    versions are given as comments, and ``guix describe -f channels`` pins the rest)."""
    lines = [header(";;"), "(specifications->manifest", "  (list"]
    lines.append(f'    "python@{python_minor(python_version)}"')
    for row in _rows(requirements):
        if row.url:
            lines.append(_one_line(f"    ;; not packaged, install with pip: {row.line}"))
            continue
        pinned = row.specifier[2:] if row.specifier.startswith("==") else ""
        version = row.installed_version or pinned
        lines.append(
            _one_line(f'    "{guix_name(row.name)}"' + (f"  ; {version} in the kernel" if version else ""))
        )
    lines.append("    ))")
    return "\n".join(lines) + "\n"


def render_rees(
    requirements: Sequence[ProposedRequirement],
    python_version: str,
    *,
    fmt: str = "requirements",
    pip_to_conda: bool = False,
) -> dict[str, str]:
    """File name -> text for one format: ``requirements`` gives requirements.txt and
    runtime.txt, ``environment`` (alias ``conda``) gives environment.yml alone (a
    requirements.txt beside it would be ignored), ``guix`` gives manifest.scm. Only
    included, installable rows; sorted and stable."""
    kind = FORMATS.get(fmt)
    if kind is None:
        raise ReesError(f"unknown format {fmt!r}; use one of {', '.join(sorted(FORMATS))}")
    if kind == "requirements":
        return {
            REQUIREMENTS_TXT: render_requirements_txt(requirements),
            RUNTIME_TXT: render_runtime_txt(python_version),
        }
    if kind == "environment":
        return {
            ENVIRONMENT_YML: render_environment_yml(
                requirements, python_version, pip_to_conda=pip_to_conda
            )
        }
    return {MANIFEST_SCM: render_manifest_scm(requirements, python_version)}


# --------------------------------------------------------------------------- merging


def _strip_header(text: str, comment: str = "#") -> str:
    """Remove our header line (any wording after the mark) from the top of a text."""
    first, sep, rest = text.partition("\n")
    if first.startswith(comment) and HEADER_MARK in first:
        return rest
    return text


def _with_header(text: str, comment: str = "#") -> str:
    return header(comment) + "\n" + _strip_header(text, comment)


@dataclass
class _Line:
    text: str  # the logical line as written, continuation lines included
    name: str | None = None  # canonical name when it is a requirement
    requirement: Requirement | None = None
    comment: str = ""  # inline comment, with its leading spaces


def _split_comment(text: str) -> tuple[str, str]:
    match = re.search(r"\s+#", text)
    if match is None:
        return text, ""
    return text[: match.start()], text[match.start() :]


def _parse_requirement_line(text: str) -> _Line:
    stripped = text.strip()
    if not stripped or stripped.startswith(("#", "-")):
        return _Line(text)
    body, comment = _split_comment(stripped)
    body = " ".join(part for part in body.replace("\\\n", " ").split() if not part.startswith("--"))
    try:
        requirement = Requirement(body)
    except InvalidRequirement:
        return _Line(text)
    return _Line(text, canonicalize_name(requirement.name), requirement, comment)


def _logical_lines(text: str) -> list[_Line]:
    physical = text.splitlines()
    lines: list[_Line] = []
    buffer: list[str] = []
    for line in physical:
        buffer.append(line)
        if line.endswith("\\"):
            continue
        lines.append(_parse_requirement_line("\n".join(buffer)))
        buffer = []
    if buffer:
        lines.append(_parse_requirement_line("\n".join(buffer)))
    return lines


def _replace_line(old: _Line, new: _Line) -> str:
    """The new pin, keeping the old line's environment marker and inline comment."""
    assert new.requirement is not None and old.requirement is not None
    text = str(new.requirement) if new.requirement.marker else new.text.strip()
    if old.requirement.marker and not new.requirement.marker:
        text = f"{text}; {old.requirement.marker}"
    return text + old.comment


def _insertion_points(existing: Sequence[str | None], names: Iterable[str]) -> dict[str, int]:
    """For each new name, the index in ``existing`` (names, None for other lines) before
    which it goes: the first requirement that sorts after it, else just after the last
    requirement (``len(existing)`` when there is none). Binary search over the running
    maximum of the names, so O((lines + names) log lines) rather than lines × names."""
    maxima: list[str] = []  # running maximum of the requirement names, non-decreasing
    at: list[int] = []  # the index in ``existing`` where each maximum was reached
    last = None
    for index, name in enumerate(existing):
        if name is None:
            continue
        last = index
        if not maxima or name > maxima[-1]:
            maxima.append(name)
            at.append(index)
    points = {}
    for name in names:
        found = bisect.bisect_right(maxima, name)
        if found < len(maxima):
            points[name] = at[found]
        else:
            points[name] = len(existing) if last is None else last + 1
    return points


def _merge_lines(old_lines: list[_Line], new_lines: list[_Line], drop: set[str]) -> list[str]:
    """Keep every old line; replace pins of names in ``new``; drop names in ``drop``
    (unless new); insert new names before the first requirement that sorts after.
    Linear in the lines (plus a log factor for placing new names)."""
    new_by_name = {line.name: line for line in new_lines if line.name}
    out: list[tuple[str | None, str]] = []
    seen: dict[str, set[str]] = {}  # name -> the markers of the lines updated for it
    for line in old_lines:
        if line.name is None:
            out.append((None, line.text))
        elif line.name in new_by_name:
            marker = str(line.requirement.marker) if line.requirement and line.requirement.marker else ""
            if marker in seen.setdefault(line.name, set()):
                continue  # the user repeated this requirement: its first line carries the pin
            out.append((line.name, _replace_line(line, new_by_name[line.name])))
            seen[line.name].add(marker)
        elif line.name not in drop:
            out.append((line.name, line.text))
    added = sorted(set(new_by_name) - set(seen))
    if not added:
        return [text for _, text in out]
    if not any(name is not None for name, _ in out):
        while out and not out[-1][1].strip():
            out.pop()
    points = _insertion_points([name for name, _ in out], added)
    before: dict[int, list[str]] = {}
    for name in added:  # sorted, so names sharing a point stay in order
        before.setdefault(points[name], []).append(new_by_name[name].text.strip())
    merged: list[str] = []
    for index, (_, text) in enumerate(out):
        merged.extend(before.get(index, ()))
        merged.append(text)
    merged.extend(before.get(len(out), ()))
    return merged


def merge_requirements_txt(old: str | None, new: str, *, drop: Iterable[str] = ()) -> str:
    """Merge a generated requirements.txt into an existing one: the user's lines,
    comments, options and markers are kept, pins of generated names updated, new names
    inserted in order, names in ``drop`` (rows the user excluded) removed."""
    if old is None or not old.strip():
        return new
    dropped: set[str] = {canonicalize_name(name) for name in drop}
    new_lines = _logical_lines(_strip_header(new))
    merged = _merge_lines(_logical_lines(_strip_header(old)), new_lines, dropped)
    body = "\n".join(merged).strip("\n")
    return _with_header(body + "\n" if body else "")


def _conda_dep_name(spec: str) -> str:
    match = re.match(r"\s*(?:[\w.-]+::)?([A-Za-z0-9_.\-]+)", spec)
    return match.group(1).lower() if match else spec.strip().lower()


def _yaml_scalar(text: str) -> str:
    """A pip line as a YAML list item: quoted when YAML would misread it."""
    if re.fullmatch(r"[A-Za-z0-9_.\-\[\],=<>!~ ;'\"@:/+]*", text) and not re.search(
        r"(: | #|^[\[@'\"])", text
    ):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

# ruamel.yaml is imported by the functions that read or merge YAML, so rendering a
# requirements.txt (a `jupyter rees` command's usual work) does without it.


def _yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments and order are kept
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def _load_environment(text: str, what: str) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    try:
        data = _yaml().load(text)
    except YAMLError as err:
        raise ReesError(f"{what} is not valid YAML: {err}") from err
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ReesError(f"{what} is not a YAML mapping")
    return data


def _merge_pip_list(old: CommentedSeq, new: Sequence[str], drop: set[str]) -> None:
    """``_merge_lines`` done in place on a YAML list, so that comments attached to
    the user's items stay with them. Linear: the list is rebuilt once, with each kept
    item's comment moved to its new index."""
    new_by_name = {}
    for text in new:
        line = _parse_requirement_line(text)
        if line.name:
            new_by_name[line.name] = line
    seen: set[str] = set()
    kept: list[tuple[int | None, str | None, Any]] = []  # (old index, name, item)
    for index, item in enumerate(old):
        line = _parse_requirement_line(str(item))
        if line.name in new_by_name:
            replacement = _replace_line(line, new_by_name[line.name])
            kept.append((index, line.name, item if replacement == str(item) else replacement))
            seen.add(line.name)
        elif line.name is not None and line.name in drop:
            continue
        else:
            kept.append((index, line.name, item))
    added = sorted(set(new_by_name) - set(seen))
    if added:
        points = _insertion_points([name for _, name, _ in kept], added)
        before: dict[int, list[tuple[int | None, str | None, Any]]] = {}
        for name in added:
            before.setdefault(points[name], []).append((None, name, new_by_name[name].text.strip()))
        rebuilt: list[tuple[int | None, str | None, Any]] = []
        for position, entry in enumerate(kept):
            rebuilt.extend(before.get(position, ()))
            rebuilt.append(entry)
        rebuilt.extend(before.get(len(kept), ()))
        kept = rebuilt
    if len(kept) == len(old) and all(i == n for n, (i, _, _) in enumerate(kept)):
        for n, (_, _, item) in enumerate(kept):  # same places: only pins changed
            if item is not old[n]:
                old[n] = item
        return
    comments = dict(old.ca.items)
    old.ca.items.clear()
    list.__init__(old, [item for _, _, item in kept])  # bypasses per-insert comment shifting
    for n, (index, _, _) in enumerate(kept):
        if index is not None and index in comments:
            old.ca.items[n] = comments[index]


def _conda_position(deps: CommentedSeq, name: str) -> int:
    """Where a new conda dependency goes: python first; others before the first
    conda entry that sorts after them, and always before pip and the ``pip:`` list."""
    if name == "python":
        return 0
    pip_at = next(
        (
            i
            for i, dep in enumerate(deps)
            if isinstance(dep, Mapping) or (isinstance(dep, str) and _conda_dep_name(dep) == "pip")
        ),
        len(deps),
    )
    if name == "pip":
        return pip_at
    for i, dep in enumerate(deps[:pip_at]):
        other = _conda_dep_name(dep) if isinstance(dep, str) else None
        if other not in (None, "python", "pip") and other > name:
            return i
    return pip_at


def merge_environment_yml(old: str | None, new: str, *, drop: Iterable[str] = ()) -> str:
    """Merge a generated environment.yml into an existing one, keeping the user's
    channels, entries and comments: the ``python=`` entry is set to ours (repo2docker
    reads only ``python=X.Y``), conda pins updated by conda name, the ``pip:`` list
    merged like requirements.txt."""
    if old is None or not old.strip():
        return new
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    dropped_pypi: set[str] = {canonicalize_name(name) for name in drop}
    dropped_conda = {conda_name(name) for name in drop} | set(dropped_pypi)
    target = _load_environment(_strip_header(old), "the existing environment.yml")
    ours = _load_environment(_strip_header(new), "the generated environment.yml")

    channels = target.get("channels")
    if not channels:
        target["channels"] = ours.get("channels", ["conda-forge"])
    elif "conda-forge" not in channels:
        channels.append("conda-forge")

    deps = target.get("dependencies")
    if deps is None:
        deps = target["dependencies"] = CommentedSeq()
    new_deps = ours.get("dependencies") or []
    new_conda = [d for d in new_deps if isinstance(d, str)]
    new_pip: list[str] = next(
        (d["pip"] for d in new_deps if isinstance(d, Mapping) and "pip" in d), []
    )

    new_by_name = {_conda_dep_name(spec): spec for spec in new_conda}
    seen: set[str] = set()
    index = 0
    while index < len(deps):
        item = deps[index]
        if isinstance(item, str):
            name = _conda_dep_name(item)
            if name in new_by_name:
                if name in seen:  # a second python= (or duplicate) would conflict
                    del deps[index]
                    continue
                if deps[index] != new_by_name[name]:
                    deps[index] = new_by_name[name]
                seen.add(name)
            elif name in dropped_conda:
                del deps[index]
                continue
        index += 1
    for name in sorted(set(new_by_name) - seen):
        deps.insert(_conda_position(deps, name), new_by_name[name])

    pip_section = next((d for d in deps if isinstance(d, CommentedMap) and "pip" in d), None)
    if pip_section is not None:
        if pip_section["pip"] is None:
            pip_section["pip"] = CommentedSeq()
        _merge_pip_list(pip_section["pip"], new_pip, dropped_pypi)
    elif new_pip:
        section = CommentedMap()
        section["pip"] = CommentedSeq(new_pip)
        deps.append(section)
    if new_pip and not any(isinstance(d, str) and _conda_dep_name(d) == "pip" for d in deps):
        at = next(i for i, d in enumerate(deps) if isinstance(d, Mapping) and "pip" in d)
        deps.insert(at, "pip")

    stream = io.StringIO()
    _yaml().dump(target, stream)
    return _with_header(stream.getvalue())


def merge_rees_file(name: str, old: str | None, new: str, *, drop: Iterable[str] = ()) -> str:
    """Merge by file kind (the file's base name); unknown kinds are replaced. A file
    with Windows line endings keeps them."""
    base = name.rsplit("/", 1)[-1]
    crlf = old is not None and "\r\n" in old
    if crlf:
        old = old.replace("\r\n", "\n")  # type: ignore[union-attr]
    if base == REQUIREMENTS_TXT:
        merged = merge_requirements_txt(old, new, drop=drop)
    elif base in ENVIRONMENT_FILES:
        merged = merge_environment_yml(old, new, drop=drop)
    else:
        merged = new
    return merged.replace("\n", "\r\n") if crlf else merged


@dataclass(frozen=True)
class PinChange:
    """A requirement whose line differs between two texts (None: absent on that side)."""

    name: str
    old: str | None
    new: str | None


def _requirement_pins(text: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in _logical_lines(text or ""):
        if line.name and line.requirement is not None:
            found.setdefault(line.name, str(line.requirement))
    return found


def _environment_pins(text: str | None) -> dict[str, str]:
    """Conda entries by conda name and pip entries by canonical name ("pip:NAME")."""
    from ruamel.yaml.error import YAMLError

    try:
        data = _yaml().load(_strip_header(text or "")) or {}
    except YAMLError:
        return {}
    found: dict[str, str] = {}
    deps = data.get("dependencies") if isinstance(data, Mapping) else None
    for dep in deps or []:
        if isinstance(dep, str):
            found.setdefault(_conda_dep_name(dep), str(dep))
        elif isinstance(dep, Mapping) and isinstance(dep.get("pip"), list):
            pip = _requirement_pins("\n".join(str(item) for item in dep["pip"]))
            found.update({f"pip:{name}": line for name, line in pip.items()})
    return found


def pin_changes(
    old: str | None, new: str | None, *, name: str = REQUIREMENTS_TXT
) -> tuple[PinChange, ...]:
    """The entries that differ between two versions of a file (requirements.txt by
    default, or environment.yml by ``name``), sorted by name; pip entries of an
    environment.yml are named ``pip:NAME``."""
    base = name.rsplit("/", 1)[-1]
    if base in ENVIRONMENT_FILES:
        before, after = _environment_pins(old), _environment_pins(new)
    elif base == REQUIREMENTS_TXT:
        before, after = _requirement_pins(old), _requirement_pins(new)
    else:
        return ()
    return tuple(
        PinChange(key, before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    )


def change_notes(path: str, old: str | None, new: str | None) -> tuple[ReesNote, ...]:
    """What a merge means beyond its diff: hash-checking mode it cannot satisfy, and
    forms repo2docker misreads that the new text corrects."""
    if old is None or new is None:
        return ()
    base = path.rsplit("/", 1)[-1]
    notes: list[ReesNote] = []
    if base == REQUIREMENTS_TXT and "--hash" in old and old != new:
        notes.append(
            ReesNote(
                "warning",
                "hashes",
                f"{path} uses --hash, so pip wants a hash on every requirement and the new pins "
                "have none: regenerate the hashes (pip-compile --generate-hashes) or drop them.",
                (path,),
            )
        )
    misread = not is_python_runtime(old) and not _is_r_runtime(old)
    if base == RUNTIME_TXT and old.strip() != new.strip() and misread:
        notes.append(
            ReesNote(
                "info",
                "fixed-runtime",
                f"{path} said {old.strip()!r}, which repo2docker cannot build; "
                f"now {new.strip()!r}.",
                (path,),
            )
        )
    if base in ENVIRONMENT_FILES:
        python = _environment_pins(old).get("python")
        if python is not None and not re.match(r"python\s*=+\s*\d+\.\d+", python):
            notes.append(
                ReesNote(
                    "info",
                    "fixed-python",
                    f"{path} asked for {python!r}; repo2docker reads only python=X.Y "
                    f"(that form gave its default Python), so it now says "
                    f"{_environment_pins(new).get('python')!r}.",
                    (path,),
                )
            )
    return tuple(notes)


def unified_diff(path: str, old: str | None, new: str | None) -> str:
    """A unified diff from ``old`` to ``new`` (None = file absent), '' when equal."""
    if old == new:
        return ""
    diff = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        (new or "").splitlines(keepends=True),
        fromfile="/dev/null" if old is None else f"a/{path}",
        tofile="/dev/null" if new is None else f"b/{path}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
    )


# --------------------------------------------------------------------------- layout rules


def _is_r_runtime(text: str | None) -> bool:
    return bool(text) and bool(_R_RUNTIME.match(text.strip()))  # type: ignore[union-attr]


def config_dir(paths: Iterable[str]) -> str:
    """The folder repo2docker reads: ``binder``, ``.binder`` or ``.`` (the root)."""
    tops = {path.split("/", 1)[0] for path in paths if "/" in path}
    if ".binder" in tops:
        return ".binder"
    if "binder" in tops:
        return "binder"
    return "."


def check_layout(
    existing: Mapping[str, str | None] | Iterable[str],
    writing: Iterable[str],
    *,
    target: str = "binder",
    python_version: str | None = None,
) -> tuple[ReesNote, ...]:
    """What repo2docker will make of the folder once ``writing`` (file names) is written
    into ``target``: errors for combinations it rejects or ignores, warnings for files
    it will not read, infos for files left untouched.

    ``existing`` lists the folder's files (POSIX paths relative to it: the root's and
    those in ``binder/`` and ``.binder/``), as a mapping to their text when read
    (``runtime.txt`` is, to tell R from Python), else an iterable of paths.
    """
    texts: Mapping[str, str | None] = (
        existing if isinstance(existing, Mapping) else dict.fromkeys(existing)
    )
    target = target.strip("/") or "."
    if target not in TARGETS:
        raise ReesError(f"target must be 'binder', '.binder' or '.', not {target!r}")
    writing = sorted(set(writing))
    notes: list[ReesNote] = []
    tops = {path.split("/", 1)[0] for path in texts if "/" in path}

    def at(folder: str, name: str) -> str:
        return name if folder == "." else f"{folder}/{name}"

    if "binder" in tops and ".binder" in tops:
        notes.append(
            ReesNote(
                "error",
                "both-binder-dirs",
                "Both binder/ and .binder/ exist: repo2docker refuses to build. Keep one.",
                BINDER_DIRS,
            )
        )
    other = {"binder": ".binder", ".binder": "binder"}.get(target)
    if other and other in tops:
        notes.append(
            ReesNote(
                "error",
                "other-binder-dir",
                f"{other}/ already exists: write there (target {other!r}) instead of {target}/, "
                "repo2docker refuses both.",
                (other,),
            )
        )
    if target == "." and tops & set(BINDER_DIRS):
        folder = sorted(tops & set(BINDER_DIRS))[0]
        notes.append(
            ReesNote(
                "error",
                "root-ignored",
                f"{folder}/ exists, so Binder ignores configuration files at the root: "
                f"write into {folder}/ instead.",
                (folder,),
            )
        )
    if target != "." and target not in tops:
        hidden = sorted(name for name in CONFIG_FILES if name in texts)
        if hidden:
            notes.append(
                ReesNote(
                    "warning",
                    "root-hidden",
                    f"Creating {target}/ makes Binder ignore these root files: "
                    f"{', '.join(hidden)}. Move what you need into {target}/.",
                    tuple(hidden),
                )
            )

    folder = target
    after = {name for name in CONFIG_FILES if at(folder, name) in texts} | set(writing)
    # which buildpack wins
    for name, buildpack in _WINNING_FILES:
        if name in after:
            notes.append(
                ReesNote(
                    "warning",
                    "buildpack-wins",
                    f"{at(folder, name)} makes Binder use the {buildpack} buildpack: "
                    "the Python environment files are ignored.",
                    (at(folder, name),),
                )
            )
            break
    runtime_text = texts.get(at(folder, RUNTIME_TXT))
    if _is_r_runtime(runtime_text):
        if RUNTIME_TXT in writing:
            notes.append(
                ReesNote(
                    "warning",
                    "replaces-r-runtime",
                    f"{at(folder, RUNTIME_TXT)} selects R ({runtime_text.strip()}); "  # type: ignore[union-attr]
                    "writing a Python runtime.txt replaces it.",
                    (at(folder, RUNTIME_TXT),),
                )
            )
        else:
            notes.append(
                ReesNote(
                    "warning",
                    "buildpack-wins",
                    f"{at(folder, RUNTIME_TXT)} selects the R buildpack: environment.yml is "
                    "ignored and Python comes in repo2docker's default version.",
                    (at(folder, RUNTIME_TXT),),
                )
            )
    if folder == "." and "DESCRIPTION" in texts:
        notes.append(
            ReesNote(
                "warning",
                "buildpack-wins",
                "DESCRIPTION at the root makes Binder use the R buildpack.",
                ("DESCRIPTION",),
            )
        )

    conda_file = next((n for n in ENVIRONMENT_FILES if n in after), None)
    if ENVIRONMENT_YML in after and ENVIRONMENT_YAML in after:
        notes.append(
            ReesNote(
                "warning",
                "ignored-file",
                f"Binder reads {at(folder, ENVIRONMENT_YML)} and ignores "
                f"{at(folder, 'environment.yaml')}.",
                (at(folder, ENVIRONMENT_YAML),),
            )
        )
    if conda_file:
        pip_files = (REQUIREMENTS_TXT, "Pipfile", "Pipfile.lock")
        ignored = [n for n in pip_files if n in after]
        if folder == "." and "setup.py" in after:  # read from the root only, and not here
            ignored.append("setup.py")
        if RUNTIME_TXT in after and not _is_r_runtime(
            runtime_text if RUNTIME_TXT not in writing else None
        ):
            ignored.append(RUNTIME_TXT)
        if ignored:
            paths = tuple(at(folder, n) for n in sorted(ignored))
            if conda_file in writing:
                message = (
                    f"Binder will use {at(folder, conda_file)}; it ignores "
                    f"{', '.join(paths)}. Remove them to avoid confusion."
                )
            else:
                message = (
                    f"{at(folder, conda_file)} exists, so Binder uses it and ignores "
                    f"{', '.join(paths)}, including what is written now. Remove "
                    f"{at(folder, conda_file)} or write environment.yml instead."
                )
                paths = (at(folder, conda_file),)
            notes.append(ReesNote("warning", "ignored-file", message, paths))
    elif {"Pipfile", "Pipfile.lock"} & after and REQUIREMENTS_TXT in after:
        notes.append(
            ReesNote(
                "warning",
                "ignored-file",
                f"A Pipfile exists, so Binder uses it and ignores {at(folder, REQUIREMENTS_TXT)}.",
                tuple(at(folder, n) for n in ("Pipfile", "Pipfile.lock") if n in after),
            )
        )

    kept = sorted(n for n in EXTRA_FILES if at(folder, n) in texts and n not in writing)
    if kept:
        notes.append(
            ReesNote(
                "info",
                "kept",
                f"Left untouched and used by Binder: {', '.join(at(folder, n) for n in kept)}.",
                tuple(at(folder, n) for n in kept),
            )
        )
    if python_version is not None:
        minor = python_minor(python_version)
        if minor not in SUPPORTED_PYTHONS:
            notes.append(
                ReesNote(
                    "warning",
                    "python-unsupported",
                    f"repo2docker builds Python {SUPPORTED_PYTHONS[0]}–{SUPPORTED_PYTHONS[-1]}; "
                    f"{minor} will fail or fall back.",
                    (),
                )
            )
    return tuple(notes)


#: notebook languages a Python REES serves
PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython2", "ipython3"})


def non_python_refusal(
    existing: Mapping[str, str | None],
    languages: Mapping[str, str],
    python_code: bool,
) -> str | None:
    """Why no requirements.txt / runtime.txt / environment.yml must be written, or None.

    ``existing``: the folder's layout (as for ``check_layout``: paths -> runtime.txt text);
    ``languages``: notebook path -> kernel language; ``python_code``: whether any Python
    notebook or ``.py`` file was found. A REES that selects R (``runtime.txt`` r-DATE, a
    root DESCRIPTION) or Julia (Project.toml) is not ours to replace: a Python
    runtime.txt would switch Binder to the Python buildpack and silently drop install.R
    or Project.toml. A project with no Python code at all gets no Python REES either."""
    folder = config_dir(existing)

    def at(name: str) -> str:
        return name if folder == "." else f"{folder}/{name}"

    kept = [at(n) for n in ("install.R", "Project.toml", "JuliaProject.toml", "DESCRIPTION", RUNTIME_TXT)
            if at(n) in existing]
    keep = f" ({', '.join(kept)} left untouched)" if kept else ""
    runtime = existing.get(at(RUNTIME_TXT))
    if _is_r_runtime(runtime):
        return (
            f"{at(RUNTIME_TXT)} selects R ({(runtime or '').strip()}): writing a Python REES would "
            f"switch Binder to the Python buildpack and drop install.R{keep}. Keep the R REES; "
            "add Python packages for R projects to requirements.txt by hand if you need them."
        )
    julia = next((at(n) for n in ("Project.toml", "JuliaProject.toml") if at(n) in existing), None)
    if julia is not None:
        return f"{julia} makes this a Julia project for Binder: no Python REES is written{keep}."
    if folder == "." and "DESCRIPTION" in existing:
        return f"DESCRIPTION makes this an R project for Binder: no Python REES is written{keep}."
    if not python_code and languages:
        found = sorted(set(languages.values()))
        return (
            f"the notebooks are {', '.join(found)}, not Python: a requirements.txt or runtime.txt "
            "would make Binder build a Python environment and ignore install.R / Project.toml"
            f"{keep}. Write an R REES (runtime.txt r-YYYY-MM-DD + install.R) or a Julia one "
            "(Project.toml) instead."
        )
    return None


def is_python_runtime(text: str) -> bool:
    """Whether a runtime.txt text is one repo2docker builds as Python."""
    return bool(re.fullmatch(r"python-\d+(\.\d+)?", text.strip()))


__all__ = [
    "ENVIRONMENT_YML",
    "FORMATS",
    "HEADER_MARK",
    "MANIFEST_SCM",
    "REQUIREMENTS_TXT",
    "RUNTIME_TXT",
    "PinChange",
    "ReesError",
    "ReesNote",
    "change_notes",
    "check_layout",
    "config_dir",
    "guix_name",
    "header",
    "is_python_runtime",
    "merge_environment_yml",
    "merge_rees_file",
    "merge_requirements_txt",
    "non_python_refusal",
    "pin_changes",
    "python_minor",
    "render_environment_yml",
    "render_manifest_scm",
    "render_rees",
    "render_requirements_txt",
    "render_runtime_txt",
    "split_conda_pip",
    "unified_diff",
    "writable",
]
