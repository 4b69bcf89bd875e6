"""The review: a proposal compared with the REES already in the folder.

Every row says where it stands (``RowStatus``):

- ``kept``: in the file and still needed; its pin as written is kept (the policy's pin
  is offered in ``proposed_specifier``) unless the user asks to update it;
- ``new``: proposed, not in the file;
- ``left-out``: proposed, and recorded in the file as left out by the user;
- ``unused``: in the file, not imported any more (offered for removal);
- ``own``: the user's own line (a comment, marker, URL, option, or a package no import
  names, such as ipywidgets): shown, editable, removable.

A decision the file cannot show by itself — a proposed package the user left out — is
recorded in the file as a comment line pip and conda ignore (``# left out: matplotlib``),
so it travels with the project and every front end honours it. Pure: texts in, rows out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from .conda_names import pypi_names
from .model import ENVIRONMENT_FILES, ProposedRequirement, ReesFileName, RowStatus
from .system_needs import system_need

LEFT_OUT = "# left out:"
_LEFT_OUT_LINE = re.compile(r"^#\s*left out:(.*)$", re.IGNORECASE)

#: declared by many REES without any import naming them: the user's own, never "unused"
NOT_IMPORTED = frozenset(
    canonicalize_name(n)
    for n in (
        "pip", "python", "ipykernel", "ipython", "jupyter", "jupyterlab", "notebook",
        "nbgitpuller", "ipywidgets", "ipympl", "nodejs", "setuptools", "wheel",
    )
)


@dataclass(frozen=True)
class FileEntry:
    """One requirement of an existing REES file."""

    name: str  # as written
    line: str  # the line as written
    specifier: str | None  # the pin as written; None when it is not a pip specifier (conda)
    url: str | None = None
    extras: tuple[str, ...] = ()
    marker: str | None = None
    plain: bool = True  # what this tool writes itself: no comment, option or URL


@dataclass(frozen=True)
class ExistingRees:
    """The REES file a review compares with: its name and what it declares."""

    file: str | None = None  # "requirements.txt", "environment.yml", ... (None: no REES)
    entries: tuple[FileEntry, ...] = ()
    left_out: frozenset[str] = frozenset()  # canonical names recorded as left out


def left_out_names(text: str | None) -> frozenset[str]:
    """Canonical names of the ``# left out:`` lines of a REES file."""
    found: set[str] = set()
    for line in (text or "").splitlines():
        match = _LEFT_OUT_LINE.match(line.strip())
        if match:
            found |= {canonicalize_name(n) for n in re.split(r"[\s,]+", match.group(1)) if n}
    return frozenset(found)


def record_left_out(text: str, names: Iterable[str]) -> str:
    """``text`` with its ``# left out:`` line saying ``names`` (sorted; no line when
    there are none), right after the header comment."""
    lines = [line for line in text.split("\n") if not _LEFT_OUT_LINE.match(line.strip())]
    wanted = sorted({canonicalize_name(n) for n in names})
    if wanted:
        at = 1 if lines and lines[0].startswith("#") else 0
        lines.insert(at, f"{LEFT_OUT} {', '.join(wanted)}")
    return "\n".join(lines)


def _requirements_entries(text: str) -> list[FileEntry]:
    from .rees import _logical_lines, _strip_header

    entries = []
    for line in _logical_lines(_strip_header(text)):
        if line.name is None or line.requirement is None:
            continue
        req = line.requirement
        stripped = line.text.strip()
        entries.append(
            FileEntry(
                name=req.name,
                line=stripped,
                specifier=str(req.specifier),
                url=req.url,
                extras=tuple(sorted(req.extras)),
                marker=str(req.marker) if req.marker else None,
                plain=not (line.comment or req.url or req.marker or "--" in stripped),
            )
        )
    return entries


def _environment_entries(text: str) -> list[FileEntry]:
    from .rees import _environment_pins

    entries = []
    for key, line in _environment_pins(text).items():
        if key.startswith("pip:"):
            for entry in _requirements_entries(line):
                entries.append(entry)
        elif key not in ("python", "pip"):
            for name in pypi_names(key):
                entries.append(FileEntry(name=name, line=line, specifier=None))
    return entries


def read_existing(files: Mapping[str, str]) -> ExistingRees:
    """What the REES files of a folder (file name -> text) declare; an environment.yml
    wins over requirements.txt, as in repo2docker."""
    yml = next((n for n in ENVIRONMENT_FILES if n in files), None)
    if yml is not None:
        return ExistingRees(yml, tuple(_environment_entries(files[yml])), left_out_names(files[yml]))
    name = ReesFileName.REQUIREMENTS_TXT.value
    if name in files:
        return ExistingRees(name, tuple(_requirements_entries(files[name])), left_out_names(files[name]))
    return ExistingRees()


def review(rows: Sequence[ProposedRequirement], existing: ExistingRees) -> tuple[ProposedRequirement, ...]:
    """The proposal's rows, each placed against the existing REES, then the file's
    lines the proposal does not name (``unused`` and ``own`` rows), in file order."""
    in_file = {}
    for entry in existing.entries:
        in_file.setdefault(canonicalize_name(entry.name), entry)
    out: list[ProposedRequirement] = []
    proposed: set[str] = set()
    for row in rows:
        key = canonicalize_name(row.name)
        proposed.add(key)
        entry = in_file.get(key)
        if entry is None:
            left = key in existing.left_out
            status = RowStatus.LEFT_OUT if left else RowStatus.NEW
            out.append(
                dataclasses.replace(
                    row,
                    status=status.value,
                    included=False if left else row.included,
                    written_specifier=row.specifier,
                )
            )
            continue
        written = entry.specifier if entry.specifier is not None else row.specifier
        out.append(
            dataclasses.replace(
                row,
                status=RowStatus.KEPT.value,
                included=True,
                specifier=written,
                written_specifier=written,
                proposed_specifier=row.specifier,
                in_file=entry.line,
                url=entry.url if entry.specifier is not None else row.url,
                extras=entry.extras or row.extras,
                marker=entry.marker or row.marker,
            )
        )
    for key, entry in in_file.items():
        if key in proposed:
            continue
        own = not entry.plain or key in NOT_IMPORTED
        specifier = entry.specifier if entry.specifier is not None else ""
        out.append(
            ProposedRequirement(
                name=entry.name,
                specifier=specifier,
                url=entry.url,
                extras=entry.extras,
                marker=entry.marker or "",
                source="unknown",
                rule="in-file",
                included=True,
                status=(RowStatus.OWN if own else RowStatus.UNUSED).value,
                in_file=entry.line,
                written_specifier=specifier,
            )
        )
    return tuple(out)


def untouched(row: ProposedRequirement) -> bool:
    """A line of the file the user kept as it is: left to the merge, never re-rendered."""
    return row.in_file is not None and row.included and row.specifier == row.written_specifier


@dataclass(frozen=True)
class Decisions:
    """What the reviewed rows ask of the writer."""

    write: tuple[ProposedRequirement, ...]  # rows to render (new, or edited)
    drop: tuple[str, ...]  # names to take out of the existing file
    left_out: tuple[str, ...]  # proposed names the user left out, recorded in the file


def _a_decision(row: ProposedRequirement) -> bool:
    """Whether an unticked row is the user's decision worth recording: a row the file
    had or recorded, or a new row the proposal would include (a required import of a
    known distribution); suggestions left out by default are not recorded."""
    if row.status in (RowStatus.KEPT.value, RowStatus.LEFT_OUT.value):
        return True
    if row.source == "not-installed" and system_need(row.name) is not None:
        return False  # unticked until the system packages are decided: not the user's choice yet
    return (
        row.status == RowStatus.NEW.value
        and row.kind == "required"
        and row.rule != "implicit"
        and row.trust in ("verified", "known")
    )


def decide(rows: Sequence[ProposedRequirement], *, merging: bool = True) -> Decisions:
    """Sort reviewed rows into what to write, what to drop and what to record.
    ``merging`` False: the file being written is not the one the rows were reviewed
    against (a root environment.yml, a REES written into binder/): lines kept as they
    are must be written too, the merge has nothing to keep them from."""
    write = tuple(r for r in rows if r.included and (not merging or not untouched(r)))
    drop = tuple(r.name for r in rows if not r.included)
    left_out = tuple(sorted({canonicalize_name(r.name) for r in rows if not r.included and _a_decision(r)}))
    return Decisions(write, drop, left_out)


__all__ = [
    "LEFT_OUT",
    "Decisions",
    "ExistingRees",
    "FileEntry",
    "decide",
    "left_out_names",
    "read_existing",
    "record_left_out",
    "review",
    "untouched",
]
