"""The domain's words, defined once: pin policies, REES formats and files, target
folders, row statuses, Binder modes.

Kept apart from ``model`` (which re-exports them) so that the command line can build
its parser, and answer ``--help``, without defining the pipeline's dataclasses.
"""

from __future__ import annotations

from enum import Enum

# ----------------------------------------------------------------------------- vocabulary
# Every word of the domain, defined once. The values are what the JSON contract, the
# settings schema (schema/plugin.json), the CLI choices, the server's traitlets and
# src/tokens.ts use; tests check that each of those agrees with these enums.


class PinPolicy(str, Enum):
    """How a proposed requirement is pinned to the installed version."""

    EXACT = "=="
    COMPATIBLE = "~="
    MINIMUM = ">="
    NONE = "none"


class ReesFormat(str, Enum):
    """Which REES is written: requirements.txt (+ runtime.txt) or environment.yml."""

    REQUIREMENTS = "requirements"
    ENVIRONMENT = "environment"


class Target(str, Enum):
    """The folder the REES is written into, relative to the scanned folder."""

    BINDER = "binder"
    HIDDEN_BINDER = ".binder"
    ROOT = "."


class ReesFileName(str, Enum):
    """The REES files this tool writes, merges or removes."""

    REQUIREMENTS_TXT = "requirements.txt"
    RUNTIME_TXT = "runtime.txt"
    ENVIRONMENT_YML = "environment.yml"
    ENVIRONMENT_YAML = "environment.yaml"  # read and merged when it is the one there
    PIPFILE = "Pipfile"  # only ever removed (Binder ignores it beside environment.yml)
    PIPFILE_LOCK = "Pipfile.lock"


class RowStatus(str, Enum):
    """Where a reviewed row stands against the REES already in the folder (core.review)."""

    NEW = "new"  # proposed, not in the file
    KEPT = "kept"  # in the file and still needed: its pin as written is kept
    LEFT_OUT = "left-out"  # proposed, recorded in the file as left out by the user
    UNUSED = "unused"  # in the file, not imported any more: offered for removal
    OWN = "own"  # the user's own line: shown, editable, removable


class BinderMode(str, Enum):
    """How a Binder link opens: JupyterLab, its single-document mode, the classic
    notebook interface, or a Voila dashboard."""

    LAB = "lab"
    DOC = "doc"
    CLASSIC = "classic"
    VOILA = "voila"


def values(vocabulary: type[Enum]) -> tuple[str, ...]:
    """The plain strings of an enum, in definition order."""
    return tuple(member.value for member in vocabulary)


PIN_POLICIES = values(PinPolicy)
BINDER_MODES = values(BinderMode)
#: the two config folders repo2docker looks for
BINDER_DIRS = (Target.BINDER.value, Target.HIDDEN_BINDER.value)
FORMATS = values(ReesFormat)
TARGETS = values(Target)
#: the file each format writes besides runtime.txt
FORMAT_FILES = {
    ReesFormat.REQUIREMENTS.value: ReesFileName.REQUIREMENTS_TXT.value,
    ReesFormat.ENVIRONMENT.value: ReesFileName.ENVIRONMENT_YML.value,
}
#: environment.yml under either spelling repo2docker reads
ENVIRONMENT_FILES = (ReesFileName.ENVIRONMENT_YML.value, ReesFileName.ENVIRONMENT_YAML.value)
#: the REES files ``check`` reads
DECLARING_FILES = (ReesFileName.REQUIREMENTS_TXT.value, *ENVIRONMENT_FILES)
#: what ``jupyter rees propose`` can print: a REES format's file, or a Guix manifest
EXPORT_FILES = {**FORMAT_FILES, "guix": "manifest.scm"}
