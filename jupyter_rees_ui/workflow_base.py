"""What the workflow and its request types share: the errors a request can end in (their
message is for the user), the folder a request works on, and the checks and choices of
the requests' fields. Below both ``workflow`` and ``workflow_types``, which import it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .core.model import BINDER_MODES

MODES = BINDER_MODES
PYTHON_VERSION = re.compile(r"^3\.\d{1,2}$")
DEFAULT_MESSAGE = "Add Binder configuration (REES) written by jupyter-rees-ui"
INSTALLERS = ("auto", "uv", "pip")  # what builds a verification's environment
MAX_TIMEOUT = 24 * 3600.0  # seconds: the longest a verification may be given


# ----------------------------------------------------------------------------- errors


class WorkflowError(Exception):
    """A request the workflow cannot carry out; the message is for the user."""


class BadRequest(WorkflowError):
    """The input is not valid (a pin, a name, a format, a path that is not a path)."""


class NotPython(BadRequest):
    """The project is not a Python one (R, Julia): no Python REES is written."""


class Forbidden(WorkflowError):
    """A path the workflow must not touch (outside the root, hidden)."""


class Busy(WorkflowError):
    """Too much work is already running: try again later."""


class NotFound(WorkflowError):
    """No such folder or kernel."""


class Conflict(WorkflowError):
    """A file changed since its preview, or was written without being previewed."""


class GitFailed(WorkflowError):
    """git refused (no repository, no identity, a hook failed, ...)."""


class NothingToCommit(GitFailed):
    """The files to commit are already committed as they are."""


class EnvironmentUnreadable(WorkflowError):
    """The kernel's environment could not be read."""


# ----------------------------------------------------------------------------- folders


@dataclass(frozen=True)
class Folder:
    """A folder on disk, and the root its paths are reported against (the server root;
    for the CLI the folder itself)."""

    path: Path
    root: Path | None = None

    @property
    def api_path(self) -> str:
        """The folder relative to the root, POSIX ('' for the root itself)."""
        from .adapters.paths import api_path

        return "" if self.root is None else api_path(self.root, self.path)

    def quiet(self, message: str) -> str:
        """``message`` without the server's absolute root in it."""
        if self.root is None:
            return message
        return message.replace(str(self.root.resolve()) + "/", "")


def _choice(value: str, choices: Sequence[str], what: str) -> str:
    if value not in choices:
        raise BadRequest(f"unknown {what} {value!r}; expected one of: {', '.join(choices)}")
    return value
